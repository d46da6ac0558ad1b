/**
 * A division or remainder of 64-bit values by zero: JavaScript's bigint `/`
 * throws where a number one gives Infinity or NaN, so the generated code
 * tests the divisor first and returns a located error, on read and write,
 * except where the expression itself only divides when the divisor is not
 * zero (`b != 0 && a % b == 1`).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: quotients
endian: little
root: Rec
types:
  Rec:
    record:
      - { name: a, type: u64 }
      - { name: b, type: u64 }
      - { let: rest, value: a % b }
      - { name: data, type: bytes, size: a / b }
      - { name: odd, type: u8, if: "b != 0 && a % b == 1" }
      - { name: tail, type: u8, if: "rest == 2" }
`;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
}

let modules: SchemaModules;
let codec: Codec;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/quotients.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

function u64s(a: number, b: number, ...rest: number[]): Uint8Array {
  const buf = new Uint8Array(16 + rest.length);
  const view = new DataView(buf.buffer);
  view.setBigUint64(0, BigInt(a), true);
  view.setBigUint64(8, BigInt(b), true);
  buf.set(rest, 16);
  return buf;
}

describe("a 64-bit division by zero", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("reads as a located error, not a RangeError", () => {
    const error = codec.read(u64s(7, 0));
    expect(modules.isError(error) && error.message).toBe("rest at byte 16: a % b divides by zero");
  });

  test("is refused by write, leaving the buffer untouched", () => {
    const buf = new Uint8Array(32).fill(7);
    const error = codec.write({ a: 7n, b: 0n, data: "" }, buf);
    expect(modules.isError(error) && error.message).toBe("rest: a % b divides by zero");
    expect(buf.every((x) => x === 7)).toBe(true);
  });

  test("values that divide by non-zero divisors read and write back", () => {
    // a 7, b 3: 2 data bytes; a % b is 1, so odd is there; rest is 1, so tail is not.
    const bytes = u64s(7, 3, 0x61, 0x62, 9);
    const read = codec.read(bytes);
    expect(read).toEqual({ value: { a: 7n, b: 3n, data: "ab", odd: 9 }, end: 19 });
    const buf = new Uint8Array(19);
    expect(codec.write((read as { value: unknown }).value, buf)).toBe(19);
    expect([...buf]).toEqual([...bytes]);
    // a 8, b 3: rest 2, so tail is there and odd is not.
    expect(codec.read(u64s(8, 3, 0x61, 0x62, 5))).toEqual({
      value: { a: 8n, b: 3n, data: "ab", tail: 5 },
      end: 19,
    });
  });
});
