/**
 * Space-padded strings (`pad: space`): the text, then spaces to the field's
 * size, as FAT stores labels, OEM names and 8.3 names. Checked against bytes
 * worked out by hand, for a plain string and an open string enum: the value
 * is the text without its trailing spaces, a NUL anywhere is a read error,
 * and a value ending in a space is a write error, so every byte string read
 * writes back as it was.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: spaced
root: Label
types:
  FsType:
    enum: { string: 8, pad: space }
    open: true
    values: { Fat12: FAT12, Fat16: FAT16, Fat32: FAT32 }
  Label:
    record:
      - { name: label, type: string, size: 11, pad: space, default: NO NAME }
      - { name: fs_type, type: FsType }
      - { name: tag, type: string, size: 3, pad: space }
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
  modules = await generateSchemas([{ name: "test/spaced.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
// "NO NAME" + 4 spaces, "FAT16" + 3 spaces, "" as 3 spaces.
const bytes = [...ascii("NO NAME    "), ...ascii("FAT16   "), 0x20, 0x20, 0x20];
const value = { label: "NO NAME", fs_type: "Fat16", tag: "" };

describe("space-padded strings", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("write the text and then spaces, and read it back without them", () => {
    expect(codec.sizeof(value)).toBe(22);
    const buf = new Uint8Array(22);
    expect(codec.write(value, buf)).toBe(22);
    expect([...buf]).toEqual(bytes);
    expect(codec.read(buf)).toEqual({ value, end: 22 });
  });

  test("keep spaces inside the text and any other byte, and unknown enum names", () => {
    const stored = [...ascii(" A\u00e5 B  \u0001   "), ...ascii("FAT     "), ...ascii("X Y")];
    const read = codec.read(new Uint8Array(stored));
    const expected = { label: " A\u00e5 B  \u0001", fs_type: { unknown: "FAT" }, tag: "X Y" };
    expect(read).toEqual({ value: expected, end: 22 });
    const buf = new Uint8Array(22);
    expect(codec.write(expected, buf)).toBe(22);
    expect([...buf]).toEqual(stored);
  });

  test("refuse a NUL anywhere in the field on read, naming the byte", () => {
    const nulInPadding = new Uint8Array(bytes);
    nulInPadding[9] = 0; // "NO NAME \0  "
    const a = codec.read(nulInPadding);
    expect(modules.isError(a) && a.message).toBe(
      "label at byte 9: a space-padded string holds no NUL",
    );
    const nulInEnum = new Uint8Array(bytes);
    nulInEnum[16] = 0; // "FAT16\0  "
    const b = codec.read(nulInEnum);
    expect(modules.isError(b) && b.message).toBe(
      "fs_type at byte 16: a space-padded string holds no NUL",
    );
  });

  test("refuse a value the padding would change, leaving the buffer untouched", () => {
    const buf = new Uint8Array(22).fill(7);
    for (const [bad, message] of [
      [
        { ...value, label: "NO NAME " },
        /^label: expected a byte string of at most 11 bytes without NUL that does not end in a space/,
      ],
      [{ ...value, label: "NO\u0000NAME" }, /^label: expected/],
      [{ ...value, label: "ABCDEFGHIJKL" }, /^label: expected/],
      [{ ...value, fs_type: { unknown: "FAT " } }, /^fs_type: expected/],
      [{ ...value, fs_type: { unknown: "FAT16" } }, /^fs_type: expected/],
    ] as const) {
      const r = codec.write(bad, buf);
      expect(modules.isError(r) && r.message).toMatch(message);
    }
    expect(buf.every((b) => b === 7)).toBe(true);
  });

  test("print as the text without padding; the default leaves NO NAME out", () => {
    const text = codec.toString(value);
    expect(text).toBe('((fs_type Fat16) (tag ""))');
    expect(codec.compare(codec.fromString(text), value)).toBe(0);
  });
});
