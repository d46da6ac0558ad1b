/** The checks every benchmark case makes of its result, with errors that say what differs. */
import { isDeepStrictEqual } from "node:util";

/** `actual` deeply equal to `expected`, or an error naming the case and both values. */
export function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) {
    const show = (v: unknown): string =>
      JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x)).slice(0, 600);
    throw new Error(`${what}: got ${show(actual)}, expected ${show(expected)}`);
  }
}

/** An encoder wrote exactly bytes [0, end) of `expected` into `buf` and returned `end`. */
export function sameBytes(
  what: string,
  buf: Uint8Array,
  returned: unknown,
  expected: Uint8Array,
  end: number,
): void {
  if (returned !== end)
    throw new Error(`${what}: wrote up to ${String(returned)}, expected ${end}`);
  if (!Buffer.from(buf.buffer, buf.byteOffset, end).equals(expected.subarray(0, end)))
    throw new Error(`${what}: the bytes written differ from the input's`);
}
