/**
 * Union framing beyond PNG's: a tag-first entry whose trailer covers its
 * length and payload (so the end marker has a trailer too), a tag written
 * as text in a little-endian u16, and a length-first list that ends on a
 * `last` entry with a payload. Checked against bytes worked out by hand
 * (CRCs from zlib.crc32).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: framing
endian: little
root: Top
types:
  Top:
    record:
      - { name: a, type: "Tlv[]" }
      - { name: b, type: "Lv[]" }
  Tlv:
    union:
      tag: u16
      length: u8
      trailer: { name: sum, type: u32, checksum: crc32, covers: [length, payload], endian: big }
      end: 0
    variants:
      - { name: Word, tag: AB, fields: [{ name: w, type: u16 }] }
      - name: Other
        fallback: true
        fields:
          - { name: code, type: u16, tag: true }
          - { name: data, type: bytes }
  Lv:
    union: { header: [length, tag], length: u8, tag: u8 }
    variants:
      - { name: Text, tag: 1, fields: [{ name: text, type: bytes }] }
      - { name: Stop, tag: 0xff, last: true, fields: [{ name: code, type: u8 }] }
`;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
  toString(value: unknown): string;
  fromString(text: string): unknown;
}

let modules: SchemaModules;
let codec: Codec;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/framing.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const VALUE = {
  a: [{ kind: "Word", w: 0x1234 }],
  b: [
    { kind: "Text", text: "hi" },
    { kind: "Stop", code: 7 },
  ],
};

// prettier-ignore
const BYTES = [
  0x41, 0x42, 0x02, 0x34, 0x12, 0xb4, 0x56, 0x8f, 0xc3, // "AB", length 2, w, crc32(02 34 12)
  0x00, 0x00, 0x00, 0xd2, 0x02, 0xef, 0x8d, // end tag 0, length 0, crc32(00)
  0x02, 0x01, 0x68, 0x69, // length 2, tag 1, "hi"
  0x01, 0xff, 0x07, // length 1, tag 0xff, code 7: the list's last entry, no end marker
];

test("writes and reads the bytes worked out by hand", () => {
  expect(codec.sizeof(VALUE)).toBe(BYTES.length);
  const buf = new Uint8Array(BYTES.length + 2);
  expect(codec.write(VALUE, buf)).toBe(BYTES.length);
  expect([...buf.subarray(0, BYTES.length)]).toEqual(BYTES);
  // Bytes after the `last` entry are not read.
  expect(codec.read(buf)).toEqual({ value: VALUE, end: BYTES.length });
  expect(codec.fromString(codec.toString(VALUE))).toEqual(VALUE);
});

test("verifies the trailers of entries and of the end marker", () => {
  const entry = Uint8Array.from(BYTES);
  entry[3] ^= 1;
  expect(codec.read(entry)).toMatchObject({
    message: expect.stringMatching(
      /^a\[0\]\.sum at byte 5: is 0xb4568fc3, but the crc32 of bytes 2 to 5 is 0x[0-9a-f]{8}$/,
    ),
  });
  const end = Uint8Array.from(BYTES);
  end[15] ^= 1;
  expect(codec.read(end)).toMatchObject({
    message: "a[1].sum at byte 12: is 0xd202ef8c, but the crc32 of bytes 11 to 12 is 0xd202ef8d",
  });
  expect(codec.read(Uint8Array.from(BYTES.slice(0, 14)))).toMatchObject({
    message: expect.stringMatching(/^a\[1\]\.sum at byte 12: truncated/),
  });
  // Without its `last` entry the list runs into the end of the input.
  expect(codec.read(Uint8Array.from(BYTES.slice(0, 20)))).toMatchObject({
    message: expect.stringMatching(/^b\[1\] at byte 20: truncated/),
  });
});

test("refuses a list without its last entry, or with one before the end", () => {
  const buf = new Uint8Array(64);
  expect(codec.write({ ...VALUE, b: [{ kind: "Text", text: "" }] }, buf)).toMatchObject({
    message: "b: must end with a Stop entry, which ends the list",
  });
  expect(codec.write({ ...VALUE, b: [...VALUE.b, ...VALUE.b] }, buf)).toMatchObject({
    message: "b[1]: a Stop entry ends the list, so it can only be the last",
  });
  expect(buf.every((x) => x === 0)).toBe(true);
});
