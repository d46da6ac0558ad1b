/**
 * Lets in switch cases: every case gives the let a value (from its own
 * fields, earlier fields or a literal), and after the switch the let is the
 * selected case's value, which later counts, sizes, padding and conditions
 * use. Checked against bytes worked out by hand, in read, write and sizeof
 * (which work the let out as a choice over the cases).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: caselets
endian: little
root: Packet
types:
  Wide:
    record:
      - { name: count, type: u16 }
      - { name: unit, type: u8 }
  Item:
    record:
      - { name: v, type: u8 }
  Packet:
    record:
      - { name: form, type: u8 }
      - switch: form
        cases:
          - when: 1
            fields:
              - { name: n, type: u8 }
              - { let: items, value: n }
              - { let: unit, value: 1 }
          - when: 2
            fields:
              - { name: wide, type: Wide }
              - { let: items, value: wide.count }
              - { let: unit, value: wide.unit }
              - { name: note, type: bytes, size: unit }
          - default: true
            fields:
              - { let: items, value: 0 }
              - { let: unit, value: form }
      - { name: list, type: "Item[]", count: items }
      - { name: tail, type: bytes, size: unit * 2 }
      - { padding: unit }
      - { name: flag, type: u8, if: items > 2 }
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
  modules = await generateSchemas([{ name: "test/caselets.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const CASES = [
  {
    name: "form 1: items and unit from its own field and a literal",
    // n 3: three items; unit 1: two tail bytes, one zero; items > 2, so the flag.
    bytes: [1, 3, 0x0a, 0x0b, 0x0c, 0x78, 0x79, 0x00, 0x99],
    value: { form: 1, n: 3, list: [{ v: 10 }, { v: 11 }, { v: 12 }], tail: "xy", flag: 0x99 },
  },
  {
    name: "form 2: from a record's fields, and used in its own case",
    // count 1, unit 2: a 2-byte note, one item, four tail bytes, two zeros, no flag.
    bytes: [2, 1, 0, 2, 0x61, 0x62, 0x05, 0x77, 0x78, 0x79, 0x7a, 0, 0],
    value: { form: 2, wide: { count: 1, unit: 2 }, note: "ab", list: [{ v: 5 }], tail: "wxyz" },
  },
  {
    name: "the default case: no items, unit from an earlier field",
    bytes: [3, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0, 0, 0],
    value: { form: 3, list: [], tail: "abcdef" },
  },
];

describe("lets in switch cases", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test.each(CASES)("$name: read, sizeof, write and S-expressions agree", ({ bytes, value }) => {
    const read = codec.read(new Uint8Array(bytes));
    expect(read).toEqual({ value, end: bytes.length });
    const decoded = (read as { value: unknown }).value;
    expect(codec.sizeof(decoded)).toBe(bytes.length);
    const buf = new Uint8Array(bytes.length);
    expect(codec.write(decoded, buf)).toBe(bytes.length);
    expect([...buf]).toEqual(bytes);
    expect(codec.fromString(codec.toString(decoded))).toEqual(decoded);
  });

  test("write refuses a value that disagrees with the selected case's let, leaving the buffer untouched", () => {
    const buf = new Uint8Array(32).fill(7);
    const [one, two] = CASES;
    const many = codec.write({ ...two!.value, list: [{ v: 1 }, { v: 2 }] }, buf);
    expect(modules.isError(many) && many.message).toBe("list: has 2 entries, but items is 1");
    const long = codec.write({ ...one!.value, tail: "xyz" }, buf);
    expect(modules.isError(long) && long.message).toBe("tail: is 3 bytes, but unit * 2 is 2");
    const note = codec.write({ ...two!.value, note: "abc" }, buf);
    expect(modules.isError(note) && note.message).toBe("note: is 3 bytes, but unit is 2");
    expect(buf.every((b) => b === 7)).toBe(true);
  });

  test("read refuses a count past the input, naming the field", () => {
    const error = codec.read(new Uint8Array([1, 9, 0x0a]));
    expect(modules.isError(error) && error.message).toMatch(
      /^list at byte 2: 9 Item entries do not fit/,
    );
  });
});
