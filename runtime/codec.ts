import { I64_MAX, I64_MIN, U64_MAX } from "./bytes.js";

/**
 * What generated codecs return. `read` gives a {@link Decoded} value or a
 * {@link CodecError}; `write` gives the offset after the bytes it wrote or a
 * CodecError. Errors are values, never exceptions, and name the place:
 * `extensions[2].length at byte 136: ...`.
 */

/** A value read from a buffer, and the offset of the first byte after it. */
export interface Decoded<T> {
  readonly value: T;
  readonly end: number;
}

/** Why a buffer could not be read or a value could not be written. */
export class CodecError {
  constructor(
    /** Field path from the root value, e.g. `extensions[2].length`. */
    readonly path: string,
    /** Absolute byte offset in the buffer, or undefined for errors in a value being written. */
    readonly offset: number | undefined,
    /** What is wrong, e.g. `expected 0x514649fb, got 0x00000000`. */
    readonly reason: string,
  ) {}

  /** `path at byte N: reason` (read) or `path: reason` (write). */
  get message(): string {
    const where = this.path === "" ? "value" : this.path;
    return this.offset === undefined
      ? `${where}: ${this.reason}`
      : `${where} at byte ${this.offset}: ${this.reason}`;
  }

  /** The same error seen from the enclosing value, whose field or element `prefix` held it. */
  within(prefix: string): CodecError {
    const path =
      this.path === ""
        ? prefix
        : this.path.startsWith("[")
          ? prefix + this.path
          : `${prefix}.${this.path}`;
    return new CodecError(path, this.offset, this.reason);
  }

  toString(): string {
    return this.message;
  }
}

/** The error for input that ends before `needed` bytes at `at`. */
export function truncated(path: string, at: number, needed: number, limit: number): CodecError {
  const have = Math.max(0, limit - at);
  return new CodecError(
    path,
    at,
    `truncated: needs ${needed} byte${needed === 1 ? "" : "s"}, only ${have} left`,
  );
}

/**
 * The error for input that ends inside a run of fixed-size fields starting
 * at `at`: names the first field that does not fit. `ends[i]` is the offset
 * just past field `i`, relative to `at`.
 */
export function truncatedField(
  names: readonly string[],
  ends: readonly number[],
  at: number,
  limit: number,
): CodecError {
  let i = 0;
  while (i < ends.length - 1 && at + ends[i]! <= limit) i++;
  const start = i === 0 ? 0 : ends[i - 1]!;
  return truncated(names[i]!, at + start, ends[i]! - start, limit);
}

/**
 * For input that ends before a run of fixed-size fields does: the error for
 * a constant (a magic number) at `at` whose bytes, as far as the input goes,
 * are not the constant's — the more useful fact about, say, a text file than
 * that it is short. Undefined when the bytes there agree with `expected` (the
 * constant's bytes in stored order; `expectedText` its value as written).
 */
export function constMismatch(
  path: string,
  buf: Uint8Array,
  at: number,
  limit: number,
  expected: readonly number[],
  expectedText: string,
  littleEndian: boolean,
): CodecError | undefined {
  const have = Math.min(expected.length, Math.max(0, limit - at));
  const got = Array.from(buf.subarray(at, at + have));
  if (got.every((byte, i) => byte === expected[i])) return undefined;
  if (have === expected.length) {
    const value = (littleEndian ? [...got].reverse() : got).reduce(
      (v, byte) => (v << 8n) | BigInt(byte),
      0n,
    );
    return new CodecError(path, at, `expected ${expectedText}, got ${hex(value, have * 2)}`);
  }
  const bytes = got.map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  return new CodecError(
    path,
    at,
    `expected ${expectedText}, got ${have} byte${have === 1 ? "" : "s"} (${bytes}) and then the end of the input`,
  );
}

/** Lower-case hex with a 0x prefix, zero-padded to `digits`. */
export function hex(n: number | bigint, digits: number): string {
  const text = n < 0 ? `-${(-n).toString(16)}` : n.toString(16);
  return `0x${text.padStart(digits, "0")}`;
}

/** A short description of any value, for messages about values that cannot be written. */
export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "object" && v !== null)
    return (
      JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x)) ?? "an object"
    );
  return String(v);
}

/** Orders numbers, bigints, strings (by UTF-16 unit, so byte strings bytewise) and booleans. */
export function compareScalars<T extends number | bigint | string | boolean>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders optional values: absent first. */
export function compareOptions<T>(
  a: T | undefined,
  b: T | undefined,
  compare: (x: T, y: T) => number,
): number {
  if (a === undefined) return b === undefined ? 0 : -1;
  return b === undefined ? 1 : compare(a, b);
}

/** Orders lists element by element, then the shorter first. */
export function compareLists<T>(
  a: readonly T[],
  b: readonly T[],
  compare: (x: T, y: T) => number,
): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** The error for a value being written that is not what its field holds. */
export function invalid(path: string, expected: string, got: unknown): CodecError {
  return new CodecError(path, undefined, `expected ${expected}, got ${describe(got)}`);
}

// Integer predicates for values being written. The typeof test keeps bigints
// away from the bit operators (which would throw); the bit tricks reject
// non-integers, NaN and out-of-range values.
export const isU8 = (v: unknown): v is number => typeof v === "number" && (v & 0xff) === v;
export const isI8 = (v: unknown): v is number => typeof v === "number" && (v << 24) >> 24 === v;
export const isU16 = (v: unknown): v is number => typeof v === "number" && (v & 0xffff) === v;
export const isI16 = (v: unknown): v is number => typeof v === "number" && (v << 16) >> 16 === v;
export const isU32 = (v: unknown): v is number => typeof v === "number" && v >>> 0 === v;
export const isI32 = (v: unknown): v is number => typeof v === "number" && (v | 0) === v;
export const isU64 = (v: unknown): v is bigint => typeof v === "bigint" && v >= 0n && v <= U64_MAX;
export const isI64 = (v: unknown): v is bigint =>
  typeof v === "bigint" && v >= I64_MIN && v <= I64_MAX;

/** The total size of `list`'s elements, each measured by `size`. Allocates nothing. */
export function sizeofEach<T>(list: readonly T[], size: (x: T) => number): number {
  let total = 0;
  for (let i = 0; i < list.length; i++) total += size(list[i]!);
  return total;
}
