/**
 * Small schemas with known bytes: fields of variable-size record types are
 * written where they are read (the bug that put all three fields of
 * `{ a: Chunk, b: Chunk, tail: u16 }` at one offset), and every record is an
 * entry point of its own (`readX`, `writeX`, `sizeofX`, `compareX`).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const CHUNKS = `
format: chunks
endian: little
root: Root
types:
  Chunk:
    record:
      - { name: n, type: u8 }
      - { name: data, type: bytes, size: n }
  Root:
    record:
      - { name: a, type: Chunk }
      - { name: b, type: Chunk }
      - { name: tail, type: u16 }
`;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number };
  write(value: unknown, buf: Uint8Array, at?: number): number;
  sizeof(value: unknown): number;
  readChunk(buf: Uint8Array, at?: number): { value: unknown; end: number };
  writeChunk(value: unknown, buf: Uint8Array, at?: number): number;
  sizeofChunk(value: unknown): number;
  equalChunk(a: unknown, b: unknown): boolean;
}

let modules: SchemaModules;
let codec: Codec;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/chunks.yaml", text: CHUNKS }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

describe("a record type of variable size used as a field", () => {
  const value = { a: { n: 3, data: "abc" }, b: { n: 2, data: "xy" }, tail: 0x1234 };
  const bytes = [3, 0x61, 0x62, 0x63, 2, 0x78, 0x79, 0x34, 0x12];

  test("is written after the fields before it", () => {
    expect(codec.sizeof(value)).toBe(9);
    const buf = new Uint8Array(9);
    expect(codec.write(value, buf)).toBe(9);
    expect([...buf]).toEqual(bytes);
  });

  test("reads back from what was written", () => {
    expect(codec.read(new Uint8Array(bytes))).toEqual({ value, end: 9 });
  });
});

describe("every record is an entry point", () => {
  test("readX, writeX and sizeofX work on a record other than the root, at an offset", () => {
    const buf = new Uint8Array([0xee, 2, 0x6f, 0x6b, 0xee]);
    const read = codec.readChunk(buf, 1);
    expect(read).toEqual({ value: { n: 2, data: "ok" }, end: 4 });
    expect(codec.sizeofChunk(read.value)).toBe(3);
    const out = new Uint8Array(5);
    expect(codec.writeChunk(read.value, out, 2)).toBe(5);
    expect([...out]).toEqual([0, 0, 2, 0x6f, 0x6b]);
    expect(codec.equalChunk(read.value, { n: 2, data: "ok" })).toBe(true);
  });

  test("writeX checks the value and the room, leaving the buffer untouched on error", () => {
    const out = new Uint8Array(3).fill(7);
    expect(modules.isError(codec.writeChunk({ n: 3, data: "ok" }, out))).toBe(true);
    expect(modules.isError(codec.writeChunk({ n: 2, data: "ok" }, out, 1))).toBe(true);
    expect([...out]).toEqual([7, 7, 7]);
  });

  test("readX reports where its input ends too soon", () => {
    const error = codec.readChunk(new Uint8Array([5, 1, 2]));
    expect(modules.isError(error) && error.message).toBe(
      "data at byte 1: truncated: needs 5 bytes, only 2 left",
    );
  });
});
