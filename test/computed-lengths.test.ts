/**
 * Computed sizes and counts (`value: size(F)`, `value: count(F)`): the field
 * is absent from the value, `write` stores F's byte size or entry count, and
 * `read` uses the stored one, so a length can never disagree with what it
 * describes. A text sized this way fills its bytes exactly (no NUL padding).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const RECORDS = `
format: records
endian: little
root: Archive
types:
  Entry:
    record:
      - { name: name_length, type: u8, value: size(name) }
      - { name: data_length, type: u16, value: size(data) }
      - { name: name, type: text, encoding: utf16le, size: name_length }
      - { name: data, type: bytes, size: data_length }
  Archive:
    record:
      - { name: magic, magic: "AR" }
      - name: header
        group: Header
        fields:
          - { name: count, type: u8, value: count(entries), valid: [{ check: count <= 3, message: at most 3 entries }] }
          - { name: entries, type: "Entry[]", count: count }
      - { name: tail, type: u8 }
`;

interface Decoded {
  value: unknown;
  end: number;
}
interface Codec {
  read(buf: Uint8Array, at?: number): Decoded | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
  readEntry(buf: Uint8Array, at?: number): Decoded | { message: string };
  toString(value: unknown): string;
}

// Computed lengths passed on as parameters, directly and through a let: the
// check of `parts` and `body` runs once they are worked out (they are not
// known in write's first pass, which checks each member's own value).
const PASSED = `
format: passed
endian: little
root: Message
types:
  Part:
    params: [{ name: width, type: u8 }]
    record:
      - { name: data, type: bytes, size: width }
  Body:
    params: [{ name: k, type: u16 }]
    record:
      - { name: x, type: bytes, size: k }
  Message:
    record:
      - { name: n, type: u8, value: count(parts) }
      - { name: len, type: u8, value: size(label) }
      - { let: both, value: n + len }
      - { name: parts, type: "Part[]", count: n, args: { width: len }, stride: len }
      - { name: label, type: bytes, size: len }
      - { name: body, type: Body, args: { k: both } }
`;

// Two switches on a computed count, after padding: each is checked once the count is worked out.
const CHOSEN = `
format: chosen
endian: little
root: Rec
types:
  Item:
    record:
      - { name: v, type: u8 }
  Rec:
    record:
      - { name: n, type: u8, value: count(items) }
      - { padding: 1 }
      - { name: items, type: "Item[]", count: n }
      - switch: n
        cases:
          - { when: 1, fields: [{ name: a, type: u16 }] }
          - { default: true, fields: [{ name: a, type: u8 }] }
      - switch: n
        cases:
          - { when: 1, fields: [{ name: b, type: u8 }] }
          - { default: true, fields: [{ name: b, type: u16 }] }
`;

let modules: SchemaModules;
let codec: Codec;
let passed: Codec;
let chosen: Codec;

beforeAll(async () => {
  modules = await generateSchemas([
    { name: "test/records.yaml", text: RECORDS },
    { name: "test/passed.yaml", text: PASSED },
    { name: "test/chosen.yaml", text: CHOSEN },
  ]);
  chosen = (await modules.load(modules.schemas[2]!)) as unknown as Codec;
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
  passed = (await modules.load(modules.schemas[1]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const value = {
  header: {
    entries: [
      { name: "a€", data: "xyz" },
      { name: "", data: "" },
    ],
  },
  tail: 9,
};
// "AR", count 2, then each entry: name length (bytes), data length (u16), name, data.
const bytes = [0x41, 0x52, 2, 4, 3, 0, 0x61, 0x00, 0xac, 0x20, 0x78, 0x79, 0x7a, 0, 0, 0, 9];

describe("computed sizes and counts", () => {
  test("are written from the value, and are not part of it", () => {
    expect(codec.sizeof(value)).toBe(bytes.length);
    const buf = new Uint8Array(bytes.length);
    expect(codec.write(value, buf)).toBe(bytes.length);
    expect([...buf]).toEqual(bytes);
  });

  test("size and count what is read", () => {
    expect(codec.read(new Uint8Array(bytes))).toEqual({ value, end: bytes.length });
    expect(codec.toString(value)).not.toContain("count");
    expect(codec.toString(value)).not.toContain("length");
  });

  test("are checked on write as stored fields are", () => {
    const four = {
      header: { entries: [1, 2, 3, 4].map(() => ({ name: "n", data: "" })) },
      tail: 0,
    };
    const buf = new Uint8Array(64).fill(7);
    const error = codec.write(four, buf);
    expect(modules.isError(error) && error.message).toBe(
      "header.count: is computed as 4 (the number of entries in entries): at most 3 entries",
    );
    const long = { name: "x".repeat(128), data: "" };
    const tooLong = codec.write({ header: { entries: [long] }, tail: 0 }, buf);
    expect(modules.isError(tooLong) && tooLong.message).toBe(
      "header.entries[0].name_length: is computed as 256 (the size of name in bytes), more than an integer from 0 to 255 can hold",
    );
    expect(buf.every((b) => b === 7)).toBe(true);
  });

  test("a text sized by size(F) has no NUL padding", () => {
    // name_length 4 holds "a" and a NUL code unit: the text would write back as 2 bytes.
    const padded = new Uint8Array([4, 0, 0, 0x61, 0x00, 0x00, 0x00]);
    const error = codec.readEntry(padded);
    expect(modules.isError(error) && error.message).toBe(
      "name at byte 5: has a NUL, but its size is computed from its text, so it has no padding",
    );
    expect(codec.readEntry(new Uint8Array([2, 0, 0, 0x61, 0x00]))).toEqual({
      value: { name: "a", data: "" },
      end: 5,
    });
  });

  test("a stored count that runs past the input is a located read error", () => {
    const short = new Uint8Array([0x41, 0x52, 3, 0, 0, 0]);
    const error = codec.read(short);
    expect(modules.isError(error) && error.message).toMatch(
      /^header\.entries\[1\]\.\w+ at byte 6: truncated/,
    );
  });
});

describe("computed sizes and counts passed as parameters", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  const message = { parts: [{ data: "a" }, { data: "b" }], label: "L", body: { x: "xyz" } };
  // n 2, len 1, two parts of len bytes, the label, then n + len bytes of body.
  const stored = [2, 1, 0x61, 0x62, 0x4c, 0x78, 0x79, 0x7a];

  test("read, write and sizeof agree", () => {
    expect(passed.read(new Uint8Array(stored))).toEqual({ value: message, end: stored.length });
    expect(passed.sizeof(message)).toBe(stored.length);
    const buf = new Uint8Array(stored.length);
    expect(passed.write(message, buf)).toBe(stored.length);
    expect([...buf]).toEqual(stored);
  });

  test("write refuses a part or body that disagrees with them, leaving the buffer untouched", () => {
    const buf = new Uint8Array(16).fill(7);
    const narrow = passed.write({ ...message, parts: [{ data: "a" }, { data: "" }] }, buf);
    expect(modules.isError(narrow) && narrow.message).toBe(
      "parts[1].data: is 0 bytes, but width is 1",
    );
    const short = passed.write({ ...message, body: { x: "xy" } }, buf);
    expect(modules.isError(short) && short.message).toBe("body.x: is 2 bytes, but k is 3");
    // A bad label is blamed on the label, though the parts' check uses its size.
    const label = passed.write({ ...message, label: 5 }, buf);
    expect(modules.isError(label) && label.message).toMatch(/^label: expected a byte string/);
    expect(buf.every((b) => b === 7)).toBe(true);
  });
});

describe("switches on a computed count", () => {
  test("each case's widths are checked on write, and the layouts read back", () => {
    const buf = new Uint8Array(16).fill(7);
    const wide = chosen.write({ items: [{ v: 1 }], a: 70000, b: 1 }, buf);
    expect(modules.isError(wide) && wide.message).toBe(
      "a: expected an integer from 0 to 65535, got 70000",
    );
    const narrow = chosen.write({ items: [], a: 1, b: 70000 }, buf);
    expect(modules.isError(narrow) && narrow.message).toBe(
      "b: expected an integer from 0 to 65535, got 70000",
    );
    expect(buf.every((b) => b === 7)).toBe(true);
    // n 1, a zero byte, one item, a as u16, b as u8.
    const one = [1, 0, 9, 0x34, 0x12, 5];
    expect(chosen.read(new Uint8Array(one))).toEqual({
      value: { items: [{ v: 9 }], a: 0x1234, b: 5 },
      end: one.length,
    });
    const out = new Uint8Array(one.length);
    expect(chosen.write({ items: [{ v: 9 }], a: 0x1234, b: 5 }, out)).toBe(one.length);
    expect([...out]).toEqual(one);
  });
});
