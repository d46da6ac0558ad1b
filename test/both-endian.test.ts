/**
 * Integers in both byte orders (`endian: both`, ISO 9660's 7.2.3 and
 * 7.3.3), checked against bytes worked out by hand: each is stored
 * little-endian and then big-endian, reads to one property when the copies
 * agree, is a read error naming the copy's byte when they do not, and can
 * be used by later expressions.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: both
endian: big
root: Header
types:
  Header:
    record:
      - { name: blocks, type: u32, endian: both }
      - { name: size, type: u16, endian: both }
      - { name: offset, type: i64, endian: both }
      - { name: data, type: bytes, size: size }
`;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
}

// In switch cases: a merged field of different widths, and a field of one case.
const CASES = `
format: bothcase
endian: little
root: Rec
types:
  Rec:
    record:
      - { name: kind, type: u8 }
      - switch: kind
        cases:
          - when: 1
            fields:
              - { name: size, type: u32, endian: both }
              - { name: tag, type: u8 }
          - when: 2
            fields:
              - { name: size, type: u16, endian: both }
              - { name: note, type: u16, endian: both }
      - { name: data, type: bytes, size: size }
`;

let modules: SchemaModules;
let codec: Codec;
let cases: Codec;

beforeAll(async () => {
  modules = await generateSchemas([
    { name: "test/both.yaml", text: SCHEMA },
    { name: "test/bothcase.yaml", text: CASES },
  ]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
  cases = (await modules.load(modules.schemas[1]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

// 0x01020304 as 04 03 02 01 01 02 03 04; 2 as 02 00 00 02; -2 in 8 bytes each way; then 2 bytes.
const bytes = [
  ...[0x04, 0x03, 0x02, 0x01, 0x01, 0x02, 0x03, 0x04],
  ...[0x02, 0x00, 0x00, 0x02],
  ...[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe],
  ...[0x61, 0x62],
];
const value = { blocks: 0x01020304, size: 2, offset: -2n, data: "ab" };

describe("integers in both byte orders", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("write each twice, little-endian then big-endian, and read one value", () => {
    expect(codec.sizeof(value)).toBe(bytes.length);
    const buf = new Uint8Array(bytes.length);
    expect(codec.write(value, buf)).toBe(bytes.length);
    expect([...buf]).toEqual(bytes);
    expect(codec.read(buf)).toEqual({ value, end: bytes.length });
  });

  test("refuse copies that disagree, naming the big-endian copy's byte", () => {
    const bad = new Uint8Array(bytes);
    bad[11] = 0x03; // size's big-endian copy: 00 03
    const r = codec.read(bad);
    expect(modules.isError(r) && r.message).toBe(
      "size at byte 10: the big-endian copy is 3, but the little-endian one is 2",
    );
    const cut = codec.read(new Uint8Array(bytes.slice(0, 6)));
    expect(modules.isError(cut) && cut.message).toBe(
      "blocks at byte 4: truncated: needs 4 bytes, only 2 left",
    );
  });
});

describe("integers in both byte orders in switch cases", () => {
  const one = {
    bytes: [1, 2, 0, 0, 0, 0, 0, 0, 2, 9, 0x61, 0x62],
    value: { kind: 1, size: 2, tag: 9, note: undefined, data: "ab" },
  };
  const two = {
    bytes: [2, 1, 0, 0, 1, 0x34, 0x12, 0x12, 0x34, 0x78],
    value: { kind: 2, size: 1, tag: undefined, note: 0x1234, data: "x" },
  };

  test.each([one, two])("kind $value.kind: read, sizeof and write agree", ({ bytes, value }) => {
    expect(cases.read(new Uint8Array(bytes))).toEqual({ value, end: bytes.length });
    expect(cases.sizeof(value)).toBe(bytes.length);
    const buf = new Uint8Array(bytes.length);
    expect(cases.write(value, buf)).toBe(bytes.length);
    expect([...buf]).toEqual(bytes);
  });

  test("copies that disagree are read errors naming the copy; write checks the case's width", () => {
    const bad = [...two.bytes];
    bad[7] = 0x13;
    const error = cases.read(new Uint8Array(bad));
    expect(modules.isError(error) && error.message).toBe(
      "note at byte 7: the big-endian copy is 4916, but the little-endian one is 4660",
    );
    const buf = new Uint8Array(16).fill(7);
    const wide = cases.write({ ...two.value, size: 70000, data: "" }, buf);
    expect(modules.isError(wide) && wide.message).toBe(
      "size: expected an integer from 0 to 65535 (kind is 2), got 70000",
    );
    expect(buf.every((b) => b === 7)).toBe(true);
  });
});
