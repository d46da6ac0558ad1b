/**
 * schema/tar.yaml against GNU tar and Python's tarfile: archives made in
 * several formats (ustar, gnu, oldgnu, v7, posix; Python's USTAR, GNU and
 * PAX) decode to what `tar tvf` and tarfile print, write back byte for
 * byte, and an edit made with the codec is what tar then lists and
 * extracts. Before them, bytes worked out by hand: other writers' spellings
 * of numbers, a 33-bit size, the checksum, the end of the archive.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { lutimesSync, mkdirSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CodecError } from "../runtime/codec.js";
import { read, sizeof, write, type Archive, type Entry } from "../generated/tar.js";
import { describeWithTools, runToolOrThrow } from "./support/tools.js";

const BLOCK = 512;

/** A header block from fields given as raw bytes (numbers spelt as the test wants). */
function header(fields: {
  name: string;
  mode?: string;
  uid?: string;
  gid?: string;
  size?: string;
  mtime?: string;
  type?: string;
  magic?: string;
  version?: string;
  chksum?: string;
}): Uint8Array {
  const b = new Uint8Array(BLOCK);
  const put = (at: number, text: string): void => {
    for (let i = 0; i < text.length; i++) b[at + i] = text.charCodeAt(i);
  };
  put(0, fields.name);
  put(100, fields.mode ?? "0000644\0");
  put(108, fields.uid ?? "0001750\0");
  put(116, fields.gid ?? "0000144\0");
  put(124, fields.size ?? "00000000000\0");
  put(136, fields.mtime ?? "14723500000\0");
  put(156, fields.type ?? "0");
  put(257, fields.magic ?? "ustar\0");
  put(263, fields.version ?? "00");
  put(329, "0000000\0");
  put(337, "0000000\0");
  put(148, "        ");
  let sum = 0;
  for (const x of b) sum += x;
  put(148, fields.chksum ?? `${sum.toString(8).padStart(6, "0")}\0 `);
  return b;
}

/** Blocks back to back, then the two zero blocks and `fill` more zero bytes. */
function archive(blocks: Uint8Array[], fill = 0): Uint8Array {
  const total = blocks.reduce((n, b) => n + b.length, 0) + 2 * BLOCK + fill;
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function decode(buf: Uint8Array): Archive {
  const r = read(buf);
  if (r instanceof CodecError) throw new Error(r.message);
  expect(r.end).toBe(buf.length);
  return r.value;
}

function encode(value: Archive): Uint8Array {
  const out = new Uint8Array(sizeof(value));
  const end = write(value, out);
  if (end instanceof CodecError) throw new Error(end.message);
  expect(end).toBe(out.length);
  return out;
}

function expectRoundTrip(buf: Uint8Array): Archive {
  const value = decode(buf);
  expect(Buffer.from(encode(value)).equals(Buffer.from(buf))).toBe(true);
  return value;
}

describe("tar by hand", () => {
  test("GNU's spelling reads without kept text; other spellings keep theirs and write back", () => {
    const data = new Uint8Array(BLOCK);
    data.set([0x68, 0x69, 0x0a]);
    const buf = archive(
      [
        header({ name: "gnu.txt", size: "00000000003\0" }),
        data,
        // libarchive: six digits, space, NUL; an old tar: leading spaces; a space-terminated size.
        header({ name: "bsd", mode: "000644 \0", uid: "  1750 \0", size: "00000000000 " }),
      ],
      4096,
    );
    const value = expectRoundTrip(buf);
    expect(value.record_fill).toBe(4096);
    const [gnu, bsd] = value.entries as [Entry, Entry];
    expect(gnu.header).toMatchObject({ name: "gnu.txt", mode: 0o644, uid: 1000, gid: 100 });
    expect(gnu.header.size).toBe(3n);
    expect(gnu.header.mtime).toBe(0o14723500000n);
    expect(gnu.header.typeflag).toBe("Regular");
    expect(gnu.data).toBe("hi\n");
    expect(Object.keys(gnu.header).filter((k) => k.endsWith("_text"))).toEqual([]);
    expect(bsd.header).toMatchObject({
      mode: 0o644,
      mode_text: "000644 \0",
      uid: 1000,
      uid_text: "  1750 \0",
      size: 0n,
      size_text: "00000000000 ",
    });
  });

  test("an 11-digit mtime is a bigint; past the digits it is base-256, and past 2^53 refused", () => {
    const buf = archive([header({ name: "big", type: "5", mtime: "77777777777\0" })]);
    const value = expectRoundTrip(buf);
    const e = value.entries[0]!;
    expect(e.header.mtime).toBe(2n ** 33n - 1n);
    // 2^33 needs 12 octal digits: GNU tar's base-256 instead, 0x80 then 2^33 big-endian.
    const past = { ...value, entries: [{ ...e, header: { ...e.header, mtime: 2n ** 33n } }] };
    const out = new Uint8Array(sizeof(past));
    expect(write(past, out)).toBe(out.length);
    expect([...out.subarray(136, 148)]).toEqual([0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
    expect(expectRoundTrip(out).entries[0]!.header.mtime).toBe(2n ** 33n);
    // A small value in base-256 is a spelling of its own: kept, and written back.
    const small = archive([
      header({ name: "big", type: "5", mtime: "\x80" + "\0".repeat(10) + "\x05" }),
    ]);
    const kept = expectRoundTrip(small).entries[0]!.header;
    expect([kept.mtime, kept.mtime_text?.length]).toEqual([5n, 12]);
    const tooBig = { ...e, header: { ...e.header, mtime: 2n ** 53n } };
    const err = write({ ...value, entries: [tooBig] }, new Uint8Array(sizeof(value)));
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).message).toContain("entries[0].header.mtime");
    expect((err as CodecError).message).toContain("11 octal digits, or base-256 in 12 bytes");
  });

  test("a kept spelling must spell the value, and not be the canonical one", () => {
    const value = decode(archive([header({ name: "x", mode: "   644 \0" })]));
    const e = value.entries[0]!;
    const out = new Uint8Array(sizeof(value));
    const edited = { ...e, header: { ...e.header, mode: 0o755 } };
    const stale = write({ ...value, entries: [edited] }, out);
    expect((stale as CodecError).message).toMatch(/mode_text: .* does not spell 493/);
    const canonical = { ...e, header: { ...e.header, mode_text: "0000644\0" } };
    const redundant = write({ ...value, entries: [canonical] }, out);
    expect((redundant as CodecError).message).toContain("canonical spelling; leave it out");
    expect(out.every((b) => b === 0)).toBe(true);
    const { mode_text: _dropped, ...plain } = edited.header;
    const bytes = encode({ ...value, entries: [{ ...e, header: plain }] });
    expect(String.fromCharCode(...bytes.subarray(100, 108))).toBe("0000755\0");
  });

  test("read refuses a bad checksum, non-digits, a missing end, and data after it", () => {
    const good = header({ name: "a" });
    const badSum = header({ name: "a", chksum: "000001\0 " });
    const messageOf = (buf: Uint8Array): string => {
      const r = read(buf);
      expect(r).toBeInstanceOf(CodecError);
      return (r as CodecError).message;
    };
    expect(messageOf(archive([badSum]))).toMatch(
      /^entries\[0\]\.header\.chksum at byte 148: is "000001\\u0000 ", but the byte-sum of bytes 0 to 512 is \d+/,
    );
    expect(messageOf(archive([header({ name: "a", uid: "00017x0\0" })]))).toMatch(
      /^entries\[0\]\.header\.uid at byte 108: "00017x0\\u0000" is not octal digits/,
    );
    expect(messageOf(archive([good]).subarray(0, 2 * BLOCK))).toContain(
      "entries at byte 512: the input ends at byte 1024 before the 1024 zero bytes that end the list",
    );
    const trailing = archive([good], 512);
    trailing[trailing.length - 1] = 1;
    expect(messageOf(trailing)).toContain(`record_fill at byte ${trailing.length - 1}`);
  });
});

/** One entry as tar and tarfile see it: long names and pax paths applied. */
interface Listed {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
}

const TYPE_CHARS: Record<string, string> = {
  Regular: "-",
  Regular_old: "-",
  Directory: "d",
  Symlink: "l",
  Hard_link: "h",
};

/** pax records `LEN key=value\n` as a map. */
function paxRecords(data: string): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(" ", at);
    const length = Number(data.slice(at, space));
    const record = data.slice(space + 1, at + length - 1);
    const eq = record.indexOf("=");
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

/** The archive's files with GNU long names, pax paths and ustar prefixes applied. */
function listed(value: Archive): Listed[] {
  const out: Listed[] = [];
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  for (const e of value.entries) {
    const h = e.header;
    if (h.typeflag === "Gnu_long_name") longName = e.data.replace(/\0+$/, "");
    else if (h.typeflag === "Gnu_long_link") longLink = e.data.replace(/\0+$/, "");
    else if (h.typeflag === "Pax_extended") pax = paxRecords(e.data);
    else {
      const ustarName = h.prefix === "" ? h.name : `${h.prefix}/${h.name}`;
      const name = pax.get("path") ?? longName ?? ustarName;
      out.push({
        name,
        type: TYPE_CHARS[h.typeflag as string] ?? "?",
        mode: h.mode & 0o7777,
        uid: h.uid,
        gid: h.gid,
        size: Number(h.size),
        mtime: Number(h.mtime),
        linkname: pax.get("linkpath") ?? longLink ?? h.linkname,
      });
      longName = longLink = undefined;
      pax = new Map();
    }
  }
  return out;
}

function permissions(mode: number): string {
  const bits = "rwxrwxrwx";
  return [...bits].map((c, i) => ((mode >> (8 - i)) & 1 ? c : "-")).join("");
}

/** `tar tvf --numeric-owner --full-time` lines, parsed (times in UTC). */
function tarListing(file: string): Listed[] {
  const out = runToolOrThrow("tar", ["tvf", file, "--numeric-owner", "--full-time"], {
    env: { ...process.env, TZ: "UTC", LC_ALL: "C" },
  }).stdout;
  return out
    .trimEnd()
    .split("\n")
    .map((line) => {
      const m =
        /^(\S)(\S{9}) (\d+)\/(\d+) +(\d+) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.\d+)? +(.*)$/.exec(
          line,
        );
      if (m === null) throw new Error(`cannot parse tar's line: ${line}`);
      const [, type, perms, uid, gid, size, time, rest] = m as unknown as string[];
      const arrow =
        type === "l" ? rest!.split(" -> ") : type === "h" ? rest!.split(" link to ") : [rest!];
      return {
        name: arrow[0]!,
        type: type!,
        mode: [...perms!].reduce((n, c) => n * 2 + (c === "-" ? 0 : 1), 0),
        uid: Number(uid),
        gid: Number(gid),
        size: Number(size),
        mtime: Date.parse(`${time!.replace(" ", "T")}Z`) / 1000,
        linkname: arrow[1] ?? "",
      };
    });
}

const PYTHON_LIST = `
import json, sys, tarfile
types = {tarfile.REGTYPE: "-", tarfile.AREGTYPE: "-", tarfile.DIRTYPE: "d", tarfile.SYMTYPE: "l", tarfile.LNKTYPE: "h"}
with tarfile.open(sys.argv[1]) as t:
    print(json.dumps([dict(name=m.name, type=types.get(m.type, "?"), mode=m.mode, uid=m.uid, gid=m.gid, size=m.size, mtime=int(m.mtime), linkname=m.linkname) for m in t.getmembers()]))
`;

const PYTHON_MAKE = `
import sys, tarfile
fmt = {"ustar": tarfile.USTAR_FORMAT, "gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT}[sys.argv[2]]
with tarfile.open(sys.argv[1], "w", format=fmt) as t:
    t.add(sys.argv[3], arcname="tree")
`;

function pythonListing(file: string): Listed[] {
  return JSON.parse(runToolOrThrow("python3", ["-c", PYTHON_LIST, file]).stdout) as Listed[];
}

describeWithTools(
  [
    { command: "tar", debianPackage: "tar" },
    { command: "python3", debianPackage: "python3" },
  ],
  "tar archives made by GNU tar and Python's tarfile",
  () => {
    let dir = "";
    let tree = "";
    const made: { label: string; file: string }[] = [];
    const MTIME = 1_700_000_000;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "binschema-tar-"));
      tree = join(dir, "tree");
      mkdirSync(join(tree, "sub"), { recursive: true });
      writeFileSync(join(tree, "hello.txt"), "hello, tar\n");
      writeFileSync(join(tree, "empty"), "");
      writeFileSync(join(tree, "sub", "block.bin"), Buffer.alloc(1500, 7));
      // Over 100 bytes: a GNU 'L' entry, a pax path, or a ustar prefix.
      const long = join(tree, "sub", `${"a-rather-long-directory-name-".repeat(2)}x`);
      mkdirSync(long);
      writeFileSync(join(long, `${"and-a-long-file-name-".repeat(3)}end.txt`), "deep\n");
      symlinkSync("hello.txt", join(tree, "link"));
      // Whole-second times everywhere, the link's own included: a pax header
      // keeps fractions that the ustar field beside it rounds another way.
      const longFile = join(long, `${"and-a-long-file-name-".repeat(3)}end.txt`);
      for (const p of [
        longFile,
        long,
        ...["hello.txt", "empty", "sub/block.bin", "sub", ""].map((q) => join(tree, q)),
      ])
        utimesSync(p, MTIME, MTIME);
      lutimesSync(join(tree, "link"), MTIME, MTIME);
      const gnuTar = (label: string, args: string[]): void => {
        const file = join(dir, `${label}.tar`);
        runToolOrThrow("tar", ["-cf", file, ...args, "-C", dir, "tree"]);
        made.push({ label, file });
      };
      gnuTar("gnu", ["--format=gnu"]);
      gnuTar("oldgnu", ["--format=oldgnu", "--owner=1750", "--group=100"]);
      gnuTar("ustar", ["--format=ustar", "--owner=4242", "--group=4243"]);
      gnuTar("posix", ["--format=posix"]);
      gnuTar("gnu-b1", ["--format=gnu", "-b", "1"]);
      // A uid, gid and mtime too large for their octal digits: GNU tar spells them in base-256.
      gnuTar("gnu-base256", [
        "--format=gnu",
        "--owner=3000000",
        "--group=4000000",
        "--mtime=@9999999999",
      ]);
      for (const format of ["ustar", "gnu", "pax"]) {
        const file = join(dir, `python-${format}.tar`);
        runToolOrThrow("python3", ["-c", PYTHON_MAKE, file, format, tree]);
        made.push({ label: `python-${format}`, file });
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test("every archive decodes to what tar and tarfile list, and writes back byte for byte", () => {
      let compared = 0;
      for (const { label, file } of made) {
        const bytes = new Uint8Array(readFileSync(file));
        const value = expectRoundTrip(bytes);
        const ours = listed(value);
        const byTar = tarListing(file);
        const byPython = pythonListing(file);
        expect(ours.length, label).toBe(byTar.length);
        for (const [i, theirs] of byTar.entries()) {
          const mine = ours[i]!;
          expect(
            { ...mine, mode: permissions(mine.mode & 0o777) },
            `${label} ${theirs.name}`,
          ).toEqual({ ...theirs, mode: permissions(theirs.mode) });
          const python = byPython[i]!;
          // tarfile drops a directory name's trailing slash.
          const unslashed = { ...mine, name: mine.name.replace(/\/$/, "") };
          expect(unslashed, `${label} (tarfile) ${python.name}`).toEqual(python);
          compared += 2;
        }
      }
      // 9 archives of 8 entries, each compared with both tools.
      expect(compared).toBe(made.length * 8 * 2);
    });

    test("an mtime and mode edited with the codec are what tar lists and extracts", () => {
      for (const label of ["gnu", "ustar", "python-gnu"]) {
        const { file } = made.find((m) => m.label === label)!;
        const value = decode(new Uint8Array(readFileSync(file)));
        const when = 1_234_567_890;
        const entries = value.entries.map((e) => {
          if (!e.header.name.endsWith("hello.txt")) return e;
          const { mode_text: _m, mtime_text: _t, ...h } = e.header;
          return { ...e, header: { ...h, mode: 0o751, mtime: BigInt(when) } };
        });
        const edited = join(dir, `${label}-edited.tar`);
        writeFileSync(edited, encode({ ...value, entries }));
        const line = tarListing(edited).find((l) => l.name === "tree/hello.txt")!;
        expect(line, label).toMatchObject({ mode: 0o751, mtime: when, size: 11 });
        const out = join(dir, `${label}-out`);
        mkdirSync(out);
        runToolOrThrow("tar", ["xf", edited, "-C", out]);
        const st = statSync(join(out, "tree", "hello.txt"));
        expect(st.mode & 0o777, label).toBe(0o751);
        expect(st.mtimeMs / 1000, label).toBe(when);
        expect(readFileSync(join(out, "tree", "hello.txt"), "utf8")).toBe("hello, tar\n");
      }
    });
  },
);
