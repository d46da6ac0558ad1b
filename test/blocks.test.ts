/**
 * Arrays packed in blocks (`size:` with `block:`), as ISO 9660's directory
 * records fill 2048-byte sectors: no record crosses from one block into the
 * next, a record starts a new block only when the rest of the current one
 * has no room for it, and the bytes after a block's last record are zero.
 * Checked against bytes worked out by hand, in 8-byte blocks: read refuses
 * a record placed later than a writer would place it (it would not write
 * back where it was) and one that crosses a block's end; write refuses
 * records that do not fit, leaving the buffer untouched.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  expectRoundTrip,
  generateSchemas,
  loadRootCodec,
  type RootCodec,
  type SchemaModules,
} from "./support/schema-modules.js";

// A record's first byte is its length, never 0, as an ISO 9660 directory record's is.
const SCHEMA = `
format: blocked
endian: little
root: Table
types:
  Entry:
    record:
      - name: length
        type: u8
        valid: [{ check: length >= 2, message: must be at least 2 }]
      - { name: data, type: bytes, size: length - 1 }
  Table:
    record:
      - { name: total, type: u8 }
      - { name: entries, type: "Entry[]", size: total, block: 8 }
      - { name: tail, type: u8 }
`;

// The block size a field of the input, as a file system's block size is.
const FIELD_BLOCK = `
format: fieldblock
endian: little
root: Table
types:
  Entry:
    record:
      - { name: magic, type: u8, const: 0x45 }
      - { name: value, type: u16 }
  Table:
    record:
      - { name: block_size, type: u8 }
      - { name: total, type: u8 }
      - { name: entries, type: "Entry[]", size: total, block: block_size }
`;

let modules: SchemaModules;
let codec: RootCodec;
let fieldBlock: RootCodec;

beforeAll(async () => {
  modules = await generateSchemas([
    { name: "test/blocked.yaml", text: SCHEMA },
    { name: "test/fieldblock.yaml", text: FIELD_BLOCK },
  ]);
  codec = await loadRootCodec(modules, modules.schemas[0]!);
  fieldBlock = await loadRootCodec(modules, modules.schemas[1]!);
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const entry = (data: string) => ({ length: data.length + 1, data });
const value = { total: 16, entries: [entry("ab"), entry("cde"), entry("fg")], tail: 0x99 };
// The array starts at byte 1: "ab" and "cde" fill 7 bytes of the first block, "fg" (3 bytes)
// has no room in the last one, so a zero, then "fg" at the second block, zeros to the 16th byte.
const bytes = [16, 3, 0x61, 0x62, 4, 0x63, 0x64, 0x65, 0, 3, 0x66, 0x67, 0, 0, 0, 0, 0, 0x99];

function readError(codec: RootCodec, stored: readonly number[]): string | false {
  const r = codec.read(new Uint8Array(stored));
  return modules.isError(r) && r.message;
}

describe("arrays packed in blocks", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("read, sizeof, write and S-expressions agree", () => {
    expectRoundTrip(codec, value, bytes);
    // A record that exactly fills the rest of its block needs no zeros after it.
    expectRoundTrip(
      codec,
      { total: 8, entries: [entry("abc"), entry("def")], tail: 1 },
      [8, 4, 0x61, 0x62, 0x63, 4, 0x64, 0x65, 0x66, 1],
    );
    // No records: zeros all through.
    expectRoundTrip(codec, { total: 16, entries: [], tail: 2 }, [16, ...Array(16).fill(0), 2]);
  });

  test("write fills the zeros, whatever the buffer held", () => {
    const buf = new Uint8Array(bytes.length).fill(0xee);
    expect(codec.write(value, buf)).toBe(bytes.length);
    expect([...buf]).toEqual(bytes);
  });

  test("read refuses a record after zeros it would fit in, naming it and the zeros", () => {
    // "cde" (4 bytes) moved to the second block, though 5 bytes of the first were free.
    const late = [16, 3, 0x61, 0x62, 0, 0, 0, 0, 0, 4, 0x63, 0x64, 0x65, 0, 0, 0, 0, 0x99];
    expect(readError(codec, late)).toBe(
      "entries[1] at byte 9: takes 4 bytes, which fit in the zeros from byte 4: a record starts a new block only when the last has no room for it",
    );
    // After a whole block of zeros, a record would have fitted at the block's start.
    const gap = [
      24,
      7,
      ...[0x61, 0x62, 0x63, 0x64, 0x65, 0x66],
      ...Array(9).fill(0),
      4,
      0x63,
      0x64,
      0x65,
      0,
      0,
      0,
      0,
      0x99,
    ];
    expect(readError(codec, gap)).toBe(
      "entries[1] at byte 17: takes 4 bytes, which fit in the zeros from byte 9: a record starts a new block only when the last has no room for it",
    );
  });

  test("read refuses a record that crosses a block's end, and bytes in a block's zeros", () => {
    // "cdefgh" (7 bytes) from byte 4 to 11, across the block's end at byte 9.
    const across = [16, 3, 0x61, 0x62, 7, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0, 0, 0, 0, 0, 0, 0];
    expect(readError(codec, across)).toBe(
      "entries[1] at byte 4: takes 7 bytes, so it crosses the end of its 8-byte block at byte 9",
    );
    // A stray byte among the zeros reads as a record of length 0.
    const stray = [...bytes];
    stray[14] = 5;
    expect(readError(codec, stray)).toBe("entries[3].length at byte 12: is 0: must be at least 2");
  });

  test("write refuses a record larger than a block, or records that need more than the size, leaving the buffer untouched", () => {
    const buf = new Uint8Array(32).fill(7);
    const big = codec.write({ ...value, entries: [entry("abcdefgh")] }, buf);
    expect(modules.isError(big) && big.message).toBe(
      "entries[0]: takes 9 bytes, more than a block of 8",
    );
    // Three 5-byte records take a block each: 21 bytes, more than 16.
    const three = { ...value, entries: [entry("abcd"), entry("efgh"), entry("ijkl")] };
    const more = codec.write(three, buf);
    expect(modules.isError(more) && more.message).toBe(
      "entries: takes 21 bytes in blocks of 8, but total is 16",
    );
    expect(buf.every((b) => b === 7)).toBe(true);
  });

  test("a block size from a field: each size places the records anew, and 0 is refused", () => {
    const entries = [{ value: 0x0201 }, { value: 0x0403 }];
    // In 4-byte blocks each 3-byte record takes a block; in 8-byte blocks they share one.
    expectRoundTrip(
      fieldBlock,
      { block_size: 4, total: 8, entries },
      [4, 8, 0x45, 1, 2, 0, 0x45, 3, 4, 0],
    );
    expectRoundTrip(
      fieldBlock,
      { block_size: 8, total: 8, entries },
      [8, 8, 0x45, 1, 2, 0x45, 3, 4, 0, 0],
    );
    expect(readError(fieldBlock, [0, 2, 0, 0])).toBe(
      "entries at byte 2: its block size, block_size, is 0",
    );
    const buf = new Uint8Array(10).fill(7);
    const zero = fieldBlock.write({ block_size: 0, total: 8, entries }, buf);
    expect(modules.isError(zero) && zero.message).toBe("entries: its block size, block_size, is 0");
    expect(buf.every((b) => b === 7)).toBe(true);
  });
});
