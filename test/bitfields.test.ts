/**
 * Bit fields: a word split into unsigned parts of any width, listed in
 * storage order (the first part starts in the first byte), in either byte
 * order. Checked against bytes worked out by hand: a DOS time (a
 * little-endian u16 of 5/6/5 bits), a 6 + 10-bit big-endian address in a
 * u24, and a 64-bit word with a 40-bit part straddling its two halves.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: bits
endian: little
root: Entry
types:
  Entry:
    record:
      - name: time
        type: u16
        bitfield:
          - { name: seconds2, bits: 5, doc: Seconds / 2 }
          - { name: minute, bits: 6 }
          - { name: hour, bits: 5, valid: [{ check: hour < 24, message: must be below 24 }] }
      - name: address
        type: u24
        endian: big
        bitfield:
          - { name: page, bits: 6 }
          - { name: offset, bits: 10 }
          - { name: reserved, bits: 8 }
      - name: wide
        type: u64
        endian: big
        bitfield:
          - { name: a, bits: 3 }
          - { name: b, bits: 40 }
          - { name: c, bits: 21 }
      - { name: data, type: bytes, size: page }
`;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
  toString(value: unknown): string;
  fromString(text: string): unknown;
  compare(a: unknown, b: unknown): number;
}

let modules: SchemaModules;
let codec: Codec;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/bits.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

// 13:45:30 is hour 13, minute 45, seconds2 15: 13 << 11 | 45 << 5 | 15 = 0x6daf, stored af 6d.
const value = {
  seconds2: 15,
  minute: 45,
  hour: 13,
  page: 2,
  offset: 0x123,
  reserved: 0,
  a: 5,
  b: 0xfedcba9876n,
  c: 0x1abcde,
  data: "hi",
};
const address = (2 << 18) | (0x123 << 8);
// a in the top 3 bits, b in the next 40, c in the low 21.
const wide = (5n << 61n) | (0xfedcba9876n << 21n) | 0x1abcden;
const bytes = [
  0xaf,
  0x6d,
  (address >>> 16) & 0xff,
  (address >>> 8) & 0xff,
  address & 0xff,
  ...Array.from({ length: 8 }, (_, i) => Number((wide >> BigInt(56 - 8 * i)) & 0xffn)),
  0x68,
  0x69,
];

describe("bit fields", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("write each part into its bits, in storage order", () => {
    expect(codec.sizeof(value)).toBe(bytes.length);
    const buf = new Uint8Array(bytes.length);
    expect(codec.write(value, buf)).toBe(bytes.length);
    expect([...buf].map((b) => b.toString(16))).toEqual(bytes.map((b) => b.toString(16)));
  });

  test("read back, usable in later expressions (page sizes data)", () => {
    expect(codec.read(new Uint8Array(bytes))).toEqual({ value, end: bytes.length });
  });

  test("print and parse as S-expressions, bigints too", () => {
    const text = codec.toString(value);
    expect(text).toContain("(b 1094624909430)");
    expect(codec.compare(codec.fromString(text), value)).toBe(0);
    const bad = codec.fromString(text.replace("(minute 45)", "(minute 64)"));
    expect(modules.isError(bad) && bad.message).toMatch(
      /expected an integer from 0 to 63, got "64"/,
    );
  });

  test("refuse a part that does not fit its bits, leaving the buffer untouched", () => {
    const buf = new Uint8Array(bytes.length).fill(7);
    const wideMinute = codec.write({ ...value, minute: 64 }, buf);
    expect(modules.isError(wideMinute) && wideMinute.message).toBe(
      "minute: expected an integer from 0 to 63, got 64",
    );
    const numberForBigint = codec.write({ ...value, b: 1 }, buf);
    expect(modules.isError(numberForBigint) && numberForBigint.message).toMatch(
      /^b: expected an integer from 0 to 1099511627775 \(a bigint\)/,
    );
    const late = codec.write({ ...value, hour: 24 }, buf);
    expect(modules.isError(late) && late.message).toBe("hour: is 24: must be below 24");
    expect(buf.every((b) => b === 7)).toBe(true);
  });

  test("apply their checks on read, at the word's offset", () => {
    const bad = new Uint8Array(bytes);
    bad[1] = 0xc5; // hour 24
    const error = codec.read(bad);
    expect(modules.isError(error) && error.message).toBe("hour at byte 0: is 24: must be below 24");
  });

  test("round-trip every value of each part's edges", () => {
    for (const seconds2 of [0, 31])
      for (const page of [0, 63])
        for (const b of [0n, (1n << 40n) - 1n]) {
          const v = { ...value, seconds2, page, offset: 1023, b, data: "x".repeat(page) };
          const buf = new Uint8Array(codec.sizeof(v));
          expect(codec.write(v, buf)).toBe(buf.length);
          expect(codec.read(buf)).toEqual({ value: v, end: buf.length });
        }
  });
});
