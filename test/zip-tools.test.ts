/**
 * ZIP archives made by Info-ZIP's zip and by Python's zipfile, read with
 * the generated codec (schema/zip.yaml): the root is the end record found
 * by searching backwards from the end, the central directory where it
 * points (`at: end.cd_offset`), and each entry's local header and data
 * where the entry points (`from: input`, before it). Every value is
 * compared with what Python's zipfile and zipinfo say, every archive writes
 * back byte for byte into a copy of itself, and edits made through the root
 * (an entry's time in both of its headers, a same-length rename, the
 * archive comment, which moves the end of the file) pass `unzip -t` and
 * show in zipinfo.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { CodecError } from "../runtime/codec.js";
import { crc32 } from "../runtime/checksum.js";
import {
  read,
  readCentralEntry,
  readDataDescriptor,
  readExtraField,
  readLocalHeader,
  readZip64End,
  readZip64EndLocator,
  sizeof,
  write,
  writeCentralEntry,
  sizeofEndOfCentralDirectory,
  type CentralEntry,
  type Zip,
} from "../generated/zip.js";
import { describeWithTools, runToolOrThrow, runTool } from "./support/tools.js";

const TOOLS = [
  { command: "zip", debianPackage: "zip", versionArgs: ["-v"] },
  { command: "unzip", debianPackage: "unzip", versionArgs: ["-v"] },
  { command: "python3", debianPackage: "python3" },
];

/** Python's view of an archive: the comment and each entry, as zipfile's infolist() has them. */
const PY_INFO = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps({"comment": z.comment.decode("latin-1"), "entries": [
        {"name": i.filename, "method": i.compress_type, "crc": i.CRC,
         "csize": i.compress_size, "size": i.file_size, "offset": i.header_offset,
         "date_time": list(i.date_time), "comment": i.comment.decode("latin-1"),
         "extra": i.extra.decode("latin-1"), "flags": i.flag_bits}
        for i in z.infolist()]}))
`;

/** Makes archives with Python: entry comments, a comment holding the end record's signature. */
const PY_MAKE = `
import sys, zipfile
path = sys.argv[1]
for name, comment in (("py", b"made by zipfile"), ("sig-in-comment", b"PK\\x05\\x06 inside the comment")):
  with zipfile.ZipFile(path + "/" + name + ".zip", "w") as z:
    z.comment = comment
    i = zipfile.ZipInfo("stored.txt", (2001, 2, 3, 4, 5, 6))
    i.comment = b"an entry comment"
    z.writestr(i, b"stored data " * 5)
    i = zipfile.ZipInfo("deflated.txt", (2020, 12, 31, 23, 59, 58))
    i.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(i, b"deflated data " * 50)
with zipfile.ZipFile(path + "/empty.zip", "w") as z:
    pass
`;

interface PyEntry {
  name: string;
  method: number;
  crc: number;
  csize: number;
  size: number;
  offset: number;
  date_time: number[];
  comment: string;
  extra: string;
  flags: number;
}

const METHODS: Record<string, number> = { Stored: 0, Deflated: 8 };

let dir = "";
const STUB = "#!/bin/sh\necho stub\nexit 0\n";

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function decode(buf: Uint8Array): Zip {
  const r = read(buf);
  if (r instanceof CodecError) throw new Error(r.message);
  expect(r.end).toBe(buf.length);
  return r.value;
}

/** Where the end record is: the last bytes of the archive. */
function endAt(buf: Uint8Array, z: Zip): number {
  return buf.length - sizeofEndOfCentralDirectory(z.end);
}

/** The central directory's offset and entry count, from the ZIP64 end record when there is one. */
function directory(
  buf: Uint8Array,
  z: Zip,
): { offset: number; count: number; zip64: boolean; endAt: number } {
  const at = endAt(buf, z);
  const locator = at >= 20 ? readZip64EndLocator(buf, at - 20) : undefined;
  if (locator === undefined || locator instanceof CodecError)
    return { offset: z.end.cd_offset, count: z.end.total_entries, zip64: false, endAt: at };
  const end64 = readZip64End(buf, Number(locator.value.end_offset));
  if (end64 instanceof CodecError) throw new Error(end64.message);
  return {
    offset: Number(end64.value.cd_offset),
    count: Number(end64.value.total_entries),
    zip64: true,
    endAt: Number(locator.value.end_offset),
  };
}

/**
 * Each central entry with where it is and where its local header is: the
 * root's central directory, or for ZIP64 (where the root has none) read
 * with the entry points where the ZIP64 end record says.
 */
function entries(buf: Uint8Array, z: Zip): { at: number; entry: CentralEntry; local: number }[] {
  const { offset, count } = directory(buf, z);
  const result = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    const r = readCentralEntry(buf, at);
    if (r instanceof CodecError) throw new Error(`central entry ${i}: ${r.message}`);
    let local = r.value.local_header_offset;
    if (local === 0xffffffff) local = zip64Offset(r.value);
    result.push({ at, entry: r.value, local });
    at = r.end;
  }
  if (z.central_directory !== undefined)
    expect(z.central_directory).toEqual(result.map((e) => e.entry));
  else expect(z.end.cd_offset).toBe(0xffffffff);
  return result;
}

/** The local header offset from an entry's ZIP64 extra field (id 1), after the sizes it replaces. */
function zip64Offset(e: CentralEntry): number {
  const extra = bytesOf(e.extra);
  for (let at = 0; at < extra.length;) {
    const f = readExtraField(extra, at);
    if (f instanceof CodecError) throw new Error(f.message);
    if (f.value.id === 1) {
      const data = bytesOf(f.value.data);
      const view = new DataView(data.buffer);
      let skip = 0;
      if (e.uncompressed_size === 0xffffffff) skip += 8;
      if (e.compressed_size === 0xffffffff) skip += 8;
      return Number(view.getBigUint64(skip, true));
    }
    at = f.end;
  }
  throw new Error(`${e.name}: local header offset 0xffffffff but no ZIP64 extra field`);
}

function python(script: string, ...args: string[]): string {
  return runToolOrThrow("python3", ["-c", script, ...args]).stdout;
}

/** Checks one archive against Python's zipfile and zipinfo, then writes it back. */
function checkArchive(file: string): { z: Zip; buf: Uint8Array } {
  const buf = new Uint8Array(readFileSync(file));
  const z = decode(buf);
  const py = JSON.parse(python(PY_INFO, file)) as { comment: string; entries: PyEntry[] };
  expect(z.end.comment).toBe(py.comment);
  const list = entries(buf, z);
  expect(list.map((e) => e.entry.name)).toEqual(py.entries.map((e) => e.name));
  list.forEach(({ entry, local }, i) => {
    const p = py.entries[i]!;
    const method = typeof entry.method === "string" ? METHODS[entry.method] : entry.method.unknown;
    expect(method).toBe(p.method);
    expect(entry.crc32).toBe(p.crc);
    expect(entry.comment).toBe(p.comment);
    expect(entry.extra).toBe(p.extra);
    expect(local).toBe(p.offset);
    expect(entry.data_descriptor).toBe((p.flags & 8) !== 0);
    expect([
      entry.year1980 + 1980,
      entry.month,
      entry.day,
      entry.hour,
      entry.minute,
      entry.seconds2 * 2,
    ]).toEqual(p.date_time);
    if (entry.compressed_size !== 0xffffffff) expect(entry.compressed_size).toBe(p.csize);
    if (entry.uncompressed_size !== 0xffffffff) expect(entry.uncompressed_size).toBe(p.size);
    // The local header before the data, and the data itself: its CRC-32 is the entry's.
    const header = readLocalHeader(buf, local);
    if (header instanceof CodecError) throw new Error(header.message);
    if (entry.local !== undefined) {
      // What the root read where the entry points: the same header, and the data after it.
      expect(entry.local.header).toEqual(header.value);
      expect(entry.local.data).toBe(
        String.fromCharCode(...buf.subarray(header.end, header.end + p.csize)),
      );
    }
    expect(header.value.name).toBe(entry.name);
    expect(header.value.method).toEqual(entry.method);
    expect([header.value.hour, header.value.minute, header.value.seconds2]).toEqual([
      entry.hour,
      entry.minute,
      entry.seconds2,
    ]);
    const data = buf.subarray(header.end, header.end + p.csize);
    const plain = p.method === 8 ? new Uint8Array(inflateRawSync(data)) : data;
    expect(plain.length).toBe(p.size);
    expect(crc32(plain, 0, plain.length)).toBe(entry.crc32);
    if (header.value.data_descriptor) {
      expect(header.value.crc32).toBe(0);
      const descriptor = readDataDescriptor(buf, header.end + p.csize);
      if (descriptor instanceof CodecError) throw new Error(descriptor.message);
      expect(descriptor.value.crc32).toBe(entry.crc32);
    } else {
      expect(header.value.crc32).toBe(entry.crc32);
    }
  });
  // zipinfo's view of the end record: where it is, and the directory's size and offset.
  // (zipinfo exits 1 on an archive without entries, after printing the same.)
  const info = runTool("zipinfo", ["-v", file]).stdout;
  const actual = /Actual end-cent-dir record offset:\s+(\d+)/.exec(info);
  // For ZIP64 zipinfo reports the ZIP64 end record's offset.
  expect(Number(actual?.[1])).toBe(directory(buf, z).endAt);
  if (!directory(buf, z).zip64) {
    expect(info).toMatch(new RegExp(`central directory is ${z.end.cd_size} \\(`));
    expect(info).toMatch(new RegExp(`is ${z.end.cd_offset} \\(`));
  }
  // Back byte for byte: the archive written into a copy of itself (the gaps
  // between its parts are left as they are), and every header in place.
  const out = buf.slice();
  expect(write(z, out)).toBe(buf.length);
  expect(out).toEqual(buf);
  expect(sizeof(z)).toBeLessThanOrEqual(buf.length);
  const copy = buf.slice();
  for (const { at, entry } of list)
    expect(writeCentralEntry(entry, copy, at)).not.toBeInstanceOf(CodecError);
  expect(copy).toEqual(buf);
  return { z, buf };
}

describeWithTools(TOOLS, "ZIP archives from zip and zipfile", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "binschema-zip-"));
    writeFileSync(join(dir, "a.txt"), "hello, zip\n");
    writeFileSync(join(dir, "b.txt"), "compressible line\n".repeat(100));
    mkdirSync(join(dir, "d"));
    writeFileSync(join(dir, "d", "c.txt"), "in a directory\n");
    const zip = (args: string[], input?: string): void => {
      runToolOrThrow("zip", ["-q", ...args], {
        cwd: dir,
        ...(input === undefined ? {} : { input }),
      });
    };
    zip(["-r", "deflated.zip", "a.txt", "b.txt", "d"]);
    zip(["-0", "-r", "stored.zip", "a.txt", "d"]);
    zip(["-z", "commented.zip", "a.txt", "b.txt"], "an archive comment\nof two lines\n");
    zip(["-c", "entry-comments.zip", "a.txt", "b.txt"], "first comment\nsecond comment\n");
    zip(["-X", "no-extra.zip", "a.txt"]);
    zip(["-fd", "descriptors.zip", "a.txt", "b.txt"]);
    zip(["-fz", "zip64.zip", "a.txt", "b.txt"]);
    runToolOrThrow("sh", ["-c", "echo streamed | zip -q - - | cat > streamed.zip"], { cwd: dir });
    // A stub before the archive, as a self-extractor has; zip -A makes the offsets count from the file's start.
    const plain = readFileSync(join(dir, "deflated.zip"));
    writeFileSync(join(dir, "sfx.zip"), Buffer.concat([Buffer.from(STUB), plain]));
    zip(["-A", "sfx.zip"]);
    python(PY_MAKE, dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of [
    "deflated",
    "stored",
    "commented",
    "entry-comments",
    "no-extra",
    "descriptors",
    "zip64",
    "sfx",
    "py",
    "empty",
  ])
    test(`${name}.zip: the values zipfile and zipinfo print, written back byte for byte`, () => {
      const { z } = checkArchive(join(dir, `${name}.zip`));
      if (name === "commented") expect(z.end.comment).toBe("an archive comment\r\nof two lines");
      // zip -A made the offsets count from the start of the file, past the stub.
      if (name === "sfx") expect(z.central_directory?.[0]?.local_header_offset).toBe(STUB.length);
      if (name === "empty")
        expect(z).toEqual({
          end: expect.objectContaining({ total_entries: 0, comment: "" }),
          central_directory: [],
        });
      if (name === "zip64") expect(z.central_directory).toBeUndefined();
      if (name === "deflated") {
        // A fresh buffer of sizeof bytes: an archive with no gaps comes back whole from the value alone.
        const fresh = new Uint8Array(sizeof(z));
        expect(write(z, fresh)).toBe(fresh.length);
        expect(fresh).toEqual(new Uint8Array(readFileSync(join(dir, "deflated.zip"))));
      }
    });

  test("a signature inside the archive comment does not fool the search", () => {
    // Python 3.11's zipfile and UnZip 6.00 both take the "PK\5\6" in this
    // comment for the end record and fail; the codec takes the one whose
    // comment reaches the end. The archive is py.zip with another comment.
    const buf = new Uint8Array(readFileSync(join(dir, "sig-in-comment.zip")));
    const z = decode(buf);
    expect(z.end.comment).toBe("PK\x05\x06 inside the comment");
    const plain = new Uint8Array(readFileSync(join(dir, "py.zip")));
    expect(z.central_directory).toEqual(decode(plain).central_directory);
    expect(entries(buf, z)).toEqual(entries(plain, decode(plain)));
    const out = buf.slice();
    write(z, out);
    expect(out).toEqual(buf);
  });

  test("streamed from stdin: data descriptors, read and written back", () => {
    const file = join(dir, "streamed.zip");
    // zip writes `-` as the name when streaming; the streamed data has a data descriptor.
    const { buf, z } = checkArchive(file);
    const [first] = entries(buf, z);
    expect(first?.entry.data_descriptor).toBe(true);
  });

  test("the zip64 archive has the ZIP64 end record and locator before the end record", () => {
    const buf = new Uint8Array(readFileSync(join(dir, "zip64.zip")));
    expect(directory(buf, decode(buf)).zip64).toBe(true);
  });

  test("a new archive comment: the file ends elsewhere, unzip -t accepts it, unzip -z shows it", () => {
    const file = join(dir, "deflated.zip");
    const buf = new Uint8Array(readFileSync(file));
    const z = decode(buf);
    const edited: Zip = { ...z, end: { ...z.end, comment: "edited by binschema" } };
    // The end record goes at the end of the buffer: the archive's bytes before it, then room for it.
    const before = endAt(buf, z);
    const out = new Uint8Array(before + sizeofEndOfCentralDirectory(edited.end));
    out.set(buf.subarray(0, before));
    expect(write(edited, out)).toBe(out.length);
    const target = join(dir, "edited-comment.zip");
    writeFileSync(target, out);
    expect(runTool("unzip", ["-tq", target]).status).toBe(0);
    expect(runToolOrThrow("unzip", ["-z", target]).stdout).toContain("edited by binschema");
    expect(decode(out).end.comment).toBe("edited by binschema");
  });

  test("a new time in an entry's central and local headers: unzip -t accepts it, zipinfo shows it", () => {
    const file = join(dir, "stored.zip");
    const buf = new Uint8Array(readFileSync(file));
    const z = decode(buf);
    const [first, ...rest] = z.central_directory!;
    const when = { year1980: 2011 - 1980, month: 7, day: 9, hour: 8, minute: 7, seconds2: 3 };
    // Through the root: the central entry and, where it points, the local header.
    const edited: Zip = {
      ...z,
      central_directory: [
        {
          ...first!,
          ...when,
          local: { ...first!.local!, header: { ...first!.local!.header, ...when } },
        },
        ...rest,
      ],
    };
    const copy = buf.slice();
    expect(write(edited, copy)).toBe(buf.length);
    // Only the four bytes of each header's time and date changed.
    const changed = [...copy.keys()].filter((i) => copy[i] !== buf[i]);
    expect(changed.length).toBeLessThanOrEqual(8);
    expect(decode(copy)).toEqual(edited);
    const target = join(dir, "edited-time.zip");
    writeFileSync(target, copy);
    expect(runTool("unzip", ["-tq", target]).status).toBe(0);
    expect(runToolOrThrow("zipinfo", ["-v", target]).stdout).toMatch(
      /file last modified on \(DOS date\/time\):\s+2011 Jul 9 08:07:06/,
    );
  });

  test("a same-length rename in both headers: unzip -t accepts it, zipinfo lists the new name", () => {
    const buf = new Uint8Array(readFileSync(join(dir, "deflated.zip")));
    const z = decode(buf);
    const entries = z.central_directory!.map((e) =>
      e.name === "a.txt"
        ? {
            ...e,
            name: "z.txt",
            local: { ...e.local!, header: { ...e.local!.header, name: "z.txt" } },
          }
        : e,
    );
    const copy = buf.slice();
    expect(write({ ...z, central_directory: entries }, copy)).toBe(buf.length);
    const target = join(dir, "renamed.zip");
    writeFileSync(target, copy);
    expect(runTool("unzip", ["-tq", target]).status).toBe(0);
    const listing = runToolOrThrow("zipinfo", ["-1", target]).stdout.split("\n");
    expect(listing).toContain("z.txt");
    expect(listing).not.toContain("a.txt");
  });

  test("write refuses a local header past the end of the buffer, and leaves the buffer alone", () => {
    const buf = new Uint8Array(readFileSync(join(dir, "stored.zip")));
    const z = decode(buf);
    const [first, ...rest] = z.central_directory!;
    const far: Zip = {
      ...z,
      central_directory: [{ ...first!, local_header_offset: buf.length }, ...rest],
    };
    const copy = buf.slice();
    const result = write(far, copy);
    expect(result).toBeInstanceOf(CodecError);
    expect((result as CodecError).message).toMatch(
      /needs \d+ bytes at offset 0, but the buffer has \d+$/,
    );
    expect(copy).toEqual(buf);
  });

  test("write refuses a comment holding an end record a search would find first, and leaves the buffer alone", () => {
    const z = decode(new Uint8Array(readFileSync(join(dir, "deflated.zip"))));
    const fake = "PK\x05\x06" + "\0".repeat(18);
    const bad: Zip = { ...z, end: { ...z.end, comment: "before " + fake } };
    const out = new Uint8Array(readFileSync(join(dir, "deflated.zip"))).fill(0xaa);
    const result = write(bad, out);
    expect(result).toBeInstanceOf(CodecError);
    expect((result as CodecError).message).toBe(
      "end: holds another EndOfCentralDirectory at byte 29 of it that ends at the end of the input, which a search would find instead",
    );
    expect(out.every((b) => b === 0xaa)).toBe(true);
    // A signature not followed by a whole record that ends there is only text.
    const fine: Zip = { ...z, end: { ...z.end, comment: "PK\x05\x06" + "\0".repeat(17) } };
    const out2 = new Uint8Array(sizeof(fine));
    expect(write(fine, out2)).toBe(out2.length);
    expect(decode(out2)).toEqual(fine);
    expect(runTool("unzip", ["-tq", join(dir, "deflated.zip")]).status).toBe(0);
  });

  test("an archive cut short: no end record reaches the end", () => {
    const buf = new Uint8Array(readFileSync(join(dir, "commented.zip")));
    const cut = read(buf.subarray(0, buf.length - 1));
    expect(cut).toBeInstanceOf(CodecError);
    expect((cut as CodecError).message).toBe(
      `end at byte 0: no EndOfCentralDirectory ends exactly at the end of the input (byte ${buf.length - 1}) within its last 65557 bytes`,
    );
  });
});
