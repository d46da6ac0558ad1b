/**
 * schema/zip.yaml's root on an archive worked out by hand: the end record
 * found from the end, the central directory where `end.cd_offset` says
 * (a dotted name), and each entry's local header and data where its
 * `local_header_offset` points, from the start of the input (`from:
 * input`), before the entry. What read refuses, what write refuses, and
 * that the bytes between the parts are left as the buffer holds them.
 */
import { describe, expect, test } from "vitest";
import { CodecError } from "../runtime/codec.js";
import {
  read,
  readCentralEntry,
  sizeof,
  sizeofCentralEntry,
  write,
  writeCentralEntry,
  type Zip,
} from "../generated/zip.js";

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const u16 = (n: number): string => String.fromCharCode(n & 0xff, n >> 8);
const u32 = (n: number): string => u16(n & 0xffff) + u16(n >>> 16);

/** A stored file's local header (30 bytes and the name), then its data. */
function local(name: string, data: string): string {
  return (
    "PK\x03\x04" +
    u16(10) + // version needed
    u16(0) + // flags
    u16(0) + // method: stored
    u16(0x6000) + // time: 12:00:00
    u16(0x5821) + // date: 2024-01-01
    u32(0x12345678) + // crc32 (not checked by the codec)
    u32(data.length) +
    u32(data.length) +
    u16(name.length) +
    u16(0) +
    name +
    data
  );
}

/** Its central entry (46 bytes, the name, no extra, no comment), pointing at `offset`. */
function central(name: string, size: number, offset: number): string {
  return (
    "PK\x01\x02" +
    u16(0x031e) + // made by: Unix, 3.0
    u16(10) +
    u16(0) +
    u16(0) +
    u16(0x6000) +
    u16(0x5821) +
    u32(0x12345678) +
    u32(size) +
    u32(size) +
    u16(name.length) +
    u16(0) +
    u16(0) +
    u16(0) + // disk
    u16(0) + // internal attributes
    u32(0) + // external attributes
    u32(offset) +
    name
  );
}

function end(entries: number, size: number, offset: number, comment = ""): string {
  return (
    "PK\x05\x06" +
    u16(0) +
    u16(0) +
    u16(entries) +
    u16(entries) +
    u32(size) +
    u32(offset) +
    u16(comment.length) +
    comment
  );
}

// Two files, a gap of 3 bytes ("gap", where a data descriptor could be) after the first.
const A = local("a", "hi"); // bytes 0 to 33
const GAP = "gap"; // 33 to 36
const B = local("bb", "data"); // 36 to 72
const CD = central("a", 2, 0) + central("bb", 4, 36); // 72 to 72 + 47 + 48 = 167
const ARCHIVE = A + GAP + B + CD + end(2, 95, 72, "hello");

function decode(text: string): Zip {
  const r = read(bytes(text));
  if (r instanceof CodecError) throw new Error(r.message);
  expect(r.end).toBe(text.length);
  return r.value;
}

describe("a ZIP archive through its root", () => {
  test("the central directory where end.cd_offset says, each file where its entry points", () => {
    const z = decode(ARCHIVE);
    expect(z.end.comment).toBe("hello");
    expect(z.central_directory!.map((e) => [e.name, e.local_header_offset])).toEqual([
      ["a", 0],
      ["bb", 36],
    ]);
    const [a, b] = z.central_directory!;
    expect(a!.local!.header.name).toBe("a");
    expect(a!.local!.data).toBe("hi");
    expect(b!.local!.data).toBe("data");
    expect([b!.local!.header.hour, b!.local!.header.year1980 + 1980]).toEqual([12, 2024]);
    // A central entry is its own 46 + 1 bytes: the local file it points at is not part of it.
    expect(sizeofCentralEntry(a!)).toBe(47);
    const entry = readCentralEntry(bytes(ARCHIVE), 72);
    expect(entry).toEqual({ value: a, end: 119 });
    // The root's size: the furthest part (the directory ends at 167), then the end record.
    expect(sizeof(z)).toBe(ARCHIVE.length);
  });

  test("write: into a copy, every byte; into zeros, the gap stays zero", () => {
    const z = decode(ARCHIVE);
    const copy = bytes(ARCHIVE);
    expect(write(z, copy)).toBe(ARCHIVE.length);
    expect(copy).toEqual(bytes(ARCHIVE));
    const fresh = new Uint8Array(sizeof(z));
    expect(write(z, fresh)).toBe(ARCHIVE.length);
    expect(fresh).toEqual(bytes(A + "\0\0\0" + B + CD + end(2, 95, 72, "hello")));
    // An entry point writes the local file it points at too.
    const entryOnly = new Uint8Array(ARCHIVE.length);
    expect(writeCentralEntry(z.central_directory![1]!, entryOnly, 119)).toBe(167);
    expect(entryOnly.subarray(36, 72)).toEqual(bytes(B));
    // Room for the entry but not for what it points at: refused, the buffer untouched.
    const small = new Uint8Array(60).fill(9);
    expect((writeCentralEntry(z.central_directory![1]!, small, 0) as CodecError).message).toBe(
      "value: writes through its pointers up to byte 72, past the end of the 60-byte buffer",
    );
    expect(small.every((b) => b === 9)).toBe(true);
  });

  test("the data size comes from the central entry: a local header with zeros there still reads", () => {
    // As a local header written before its data descriptor has: flag 3 set, sizes and CRC zero.
    const descriptor = "PK\x03\x04" + u16(20) + u16(8) + local("a", "hi").slice(8, 14);
    const zeroed = descriptor + u32(0) + u32(0) + u32(0) + u16(1) + u16(0) + "a" + "hi";
    const text = zeroed + central("a", 2, 0) + end(1, 47, 33);
    const z = decode(text);
    expect(z.central_directory![0]!.local!.header.compressed_size).toBe(0);
    expect(z.central_directory![0]!.local!.data).toBe("hi");
  });

  test("read names the entry whose local header is outside the input, or is not one", () => {
    const far = A + GAP + B + central("a", 2, 0) + central("bb", 4, 500) + end(2, 95, 72);
    const r = read(bytes(far));
    expect(r).toBeInstanceOf(CodecError);
    expect((r as CodecError).message).toBe(
      "central_directory[1].local at byte 119: is at byte 500 of the input, outside it",
    );
    const wrong = A + GAP + B + central("a", 2, 0) + central("bb", 4, 35) + end(2, 95, 72);
    expect((read(bytes(wrong)) as CodecError).message).toBe(
      'central_directory[1].local.header.signature at byte 35: expected "PK\\u0003\\u0004", got "pPK\\u0003"',
    );
  });

  test("write refuses a value whose parts do not fit before the end record, and leaves the buffer alone", () => {
    const z = decode(ARCHIVE);
    const moved: Zip = { ...z, end: { ...z.end, cd_offset: 200 } };
    const copy = bytes(ARCHIVE);
    const result = write(moved, copy);
    expect(result).toBeInstanceOf(CodecError);
    expect((result as CodecError).message).toBe(
      `value: needs ${200 + 95 + 27} bytes at offset 0, but the buffer has ${ARCHIVE.length}`,
    );
    expect(copy).toEqual(bytes(ARCHIVE));
    // The count is the end record's: a directory of another length is refused.
    const short: Zip = { ...z, central_directory: z.central_directory!.slice(0, 1) };
    expect((write(short, bytes(ARCHIVE)) as CodecError).message).toBe(
      "central_directory: has 1 entries, but end.total_entries is 2",
    );
  });

  test("ZIP64: with cd_offset 0xffffffff the root has no central directory", () => {
    const text = A + end(0xffff, 0xffffffff, 0xffffffff);
    const z = decode(text);
    expect(z.central_directory).toBeUndefined();
    const copy = bytes(text);
    expect(write(z, copy)).toBe(text.length);
    expect(copy).toEqual(bytes(text));
  });
});
