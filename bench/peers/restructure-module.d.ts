/**
 * The parts of restructure 3.x (which ships no types) that the benchmark
 * uses. Decoded values are untyped objects: `unknown` here, narrowed by the
 * adapter.
 */
declare module "restructure" {
  export class DecodeStream {
    constructor(buffer: Uint8Array);
    readonly buffer: Uint8Array;
    readonly view: DataView;
    pos: number;
    readonly length: number;
  }

  export class EncodeStream {
    constructor(buffer: Uint8Array);
    readonly buffer: Uint8Array;
    pos: number;
  }

  /** The struct being read, or (when sizing and writing) a context whose `val` is the value. */
  export type Parent = Readonly<Record<string, unknown>>;

  /** Every restructure type reads, sizes and writes values of its kind. */
  export interface Codec {
    decode(stream: DecodeStream, parent?: Parent): unknown;
    size(value?: unknown, parent?: Parent): number;
    encode(stream: EncodeStream, value: unknown, parent?: Parent): void;
  }

  /** A count or byte length: fixed, a sibling field's name, or computed from the parent. */
  export type Length = number | string | ((parent: Parent) => number);

  export class Base implements Codec {
    decode(stream: DecodeStream, parent?: Parent): unknown;
    size(value?: unknown, parent?: Parent): number;
    encode(stream: EncodeStream, value: unknown, parent?: Parent): void;
    fromBuffer(buffer: Uint8Array): unknown;
    toBuffer(value: unknown): Uint8Array;
  }

  export const uint8: Base;
  export const uint32be: Base;
  export const int32be: Base;

  export class Struct extends Base {
    constructor(fields: Readonly<Record<string, Codec>>);
  }

  export class VersionedStruct extends Base {
    constructor(
      type: Codec | string,
      versions: Readonly<Record<string | number, Readonly<Record<string, Codec>>>>,
    );
  }

  export class Optional extends Base {
    constructor(type: Codec, condition: boolean | ((parent: Parent) => boolean));
  }

  export class Reserved extends Base {
    constructor(type: Codec, count: Length);
  }

  class ArrayT extends Base {
    constructor(type: Codec, length: Length, lengthType?: "count" | "bytes");
  }
  class StringT extends Base {
    constructor(length: Length, encoding?: string);
  }
  export { ArrayT as Array, StringT as String };
}
