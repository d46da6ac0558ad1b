/**
 * A tar archive codec written by hand for the benchmark: the same fields,
 * checks and value shape as generated/tar.ts (entries of a 512-byte header
 * and data padded to 512 bytes, ended by two zero blocks and zeros to the
 * end; numbers as octal text, a spelling other than the zero-filled one
 * kept beside the value as `*_text`; text fields as byte strings that end
 * at a NUL with zeros after it, the prefix's non-zero tail kept; the
 * header's byte sum checked on read and computed on write), as fast as we
 * can write it.
 */
import type { Archive, Entry, Header, TypeFlag } from "../../generated/tar.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import { byteSum, bytesToString, firstNonZero, isByteString, stringToBytes } from "./common.js";

const MAX7 = 0o7777777;
const MAX11 = 0o77777777777;
const MAX11_BIG = 0o77777777777n;

/** The type flag names by stored byte. */
const TYPE_NAMES: readonly (TypeFlag | undefined)[] = (() => {
  const names: (TypeFlag | undefined)[] = new Array<TypeFlag | undefined>(256).fill(undefined);
  const known: readonly [number, TypeFlag][] = [
    [0x30, "Regular"],
    [0x00, "Regular_old"],
    [0x31, "Hard_link"],
    [0x32, "Symlink"],
    [0x33, "Char_device"],
    [0x34, "Block_device"],
    [0x35, "Directory"],
    [0x36, "Fifo"],
    [0x37, "Contiguous"],
    [0x78, "Pax_extended"],
    [0x67, "Pax_global"],
    [0x4c, "Gnu_long_name"],
    [0x4b, "Gnu_long_link"],
    [0x53, "Gnu_sparse"],
    [0x56, "Gnu_volume"],
    [0x44, "Gnu_dumpdir"],
  ];
  for (const [code, name] of known) names[code] = name;
  return names;
})();

const TYPE_CODES: ReadonlyMap<string, number> = new Map(
  TYPE_NAMES.flatMap((name, code) => (typeof name === "string" ? [[name, code] as const] : [])),
);

function typeCode(t: TypeFlag): number {
  if (typeof t === "string") return TYPE_CODES.get(t) ?? -1;
  if (typeof t !== "object" || t === null) return -1;
  const u = t.unknown;
  return typeof u === "number" && (u & 0xff) === u && TYPE_NAMES[u] === undefined ? u : -1;
}

/**
 * The octal number spelt in [at, end): leading spaces, octal digits, then
 * only NULs and spaces (no digits is 0); -1 if not such a spelling.
 */
function octal(b: Uint8Array, at: number, end: number): number {
  let i = at;
  while (i < end && b[i] === 0x20) i++;
  let v = 0;
  for (; i < end; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 7) break;
    v = v * 8 + d;
  }
  for (; i < end; i++) {
    const c = b[i]!;
    if (c !== 0 && c !== 0x20) return -1;
  }
  return v;
}

/** Is [at, end) `v` as zero-filled octal digits then one NUL (GNU tar's and Python's spelling)? */
function canonical(b: Uint8Array, at: number, end: number, v: number): boolean {
  if (b[end - 1] !== 0) return false;
  for (let i = end - 2; i >= at; i--) {
    if (b[i] !== 0x30 + (v % 8)) return false;
    v = Math.floor(v / 8);
  }
  return v === 0;
}

function writeOctal(b: Uint8Array, at: number, end: number, v: number, terminator: number): void {
  for (let i = end - 1 - terminator; i >= at; i--) {
    b[i] = 0x30 + (v % 8);
    v = Math.floor(v / 8);
  }
}

/** The spelling of a number field when it is not the canonical one, else undefined. */
function kept(b: Uint8Array, at: number, end: number, v: number): string | undefined {
  return canonical(b, at, end, v) ? undefined : bytesToString(b, at, end);
}

/** A NUL-ended field: the index of its NUL (or `end`), or -1 when a byte after the NUL is not zero. */
function textEnd(b: Uint8Array, at: number, end: number): number {
  let nul = b.indexOf(0, at);
  if (nul === -1 || nul > end) nul = end;
  return nul < end && firstNonZero(b, nul, end) !== -1 ? -1 : nul;
}

type Parsed = { entry: Entry; end: number } | CodecError;

function readEntry(b: Uint8Array, at: number, limit: number): Parsed {
  if (limit - at < 512) return new CodecError("header", at, "truncated header");
  const nameEnd = textEnd(b, at, at + 100);
  if (nameEnd < 0) return new CodecError("header.name", at, "non-zero after NUL");
  const mode = octal(b, at + 100, at + 108);
  if (mode < 0 || mode > MAX7) return new CodecError("header.mode", at + 100, "bad number");
  const uid = octal(b, at + 108, at + 116);
  if (uid < 0 || uid > MAX7) return new CodecError("header.uid", at + 108, "bad number");
  const gid = octal(b, at + 116, at + 124);
  if (gid < 0 || gid > MAX7) return new CodecError("header.gid", at + 116, "bad number");
  const size = octal(b, at + 124, at + 136);
  if (size < 0 || size > MAX11) return new CodecError("header.size", at + 124, "bad number");
  const mtime = octal(b, at + 136, at + 148);
  if (mtime < 0 || mtime > MAX11) return new CodecError("header.mtime", at + 136, "bad number");
  const linkEnd = textEnd(b, at + 157, at + 257);
  if (linkEnd < 0) return new CodecError("header.linkname", at + 157, "non-zero after NUL");
  const magicEnd = textEnd(b, at + 257, at + 263);
  if (magicEnd < 0) return new CodecError("header.magic", at + 257, "non-zero after NUL");
  const versionEnd = textEnd(b, at + 263, at + 265);
  if (versionEnd < 0) return new CodecError("header.version", at + 263, "non-zero after NUL");
  const unameEnd = textEnd(b, at + 265, at + 297);
  if (unameEnd < 0) return new CodecError("header.uname", at + 265, "non-zero after NUL");
  const gnameEnd = textEnd(b, at + 297, at + 329);
  if (gnameEnd < 0) return new CodecError("header.gname", at + 297, "non-zero after NUL");
  const devmajor = octal(b, at + 329, at + 337);
  if (devmajor < 0 || devmajor > MAX7)
    return new CodecError("header.devmajor", at + 329, "bad number");
  const devminor = octal(b, at + 337, at + 345);
  if (devminor < 0 || devminor > MAX7)
    return new CodecError("header.devminor", at + 337, "bad number");
  if (firstNonZero(b, at + 500, at + 512) !== -1)
    return new CodecError("header.padding", at + 500, "non-zero padding");
  // The checksum: six octal digits, NUL, space; the sum counts its own eight bytes as spaces.
  const sum = byteSum(b, at, at + 148) + 8 * 0x20 + byteSum(b, at + 156, at + 512);
  if (b[at + 154] !== 0 || b[at + 155] !== 0x20 || !canonical(b, at + 148, at + 155, sum))
    return new CodecError("header.chksum", at + 148, "checksum mismatch");

  let prefixEnd = b.indexOf(0, at + 345);
  if (prefixEnd === -1 || prefixEnd > at + 500) prefixEnd = at + 500;
  let tailEnd = -1;
  if (prefixEnd + 1 < at + 500)
    for (let i = at + 500; i > prefixEnd + 1; i--)
      if (b[i - 1] !== 0) {
        tailEnd = i;
        break;
      }

  const dataAt = at + 512;
  if (limit - dataAt < size) return new CodecError("data", dataAt, "truncated data");
  const dataEnd = dataAt + size;
  const padding = (512 - (size % 512)) % 512;
  if (limit - dataEnd < padding) return new CodecError("padding", dataEnd, "truncated padding");
  if (firstNonZero(b, dataEnd, dataEnd + padding) !== -1)
    return new CodecError("padding", dataEnd, "non-zero padding");

  const raw = b[at + 156]!;
  const header: Header = {
    name: bytesToString(b, at, nameEnd),
    mode,
    uid,
    gid,
    size: BigInt(size),
    mtime: BigInt(mtime),
    typeflag: TYPE_NAMES[raw] ?? { unknown: raw },
    linkname: bytesToString(b, at + 157, linkEnd),
    magic: bytesToString(b, at + 257, magicEnd),
    version: bytesToString(b, at + 263, versionEnd),
    uname: bytesToString(b, at + 265, unameEnd),
    gname: bytesToString(b, at + 297, gnameEnd),
    devmajor,
    devminor,
    prefix: bytesToString(b, at + 345, prefixEnd),
  };
  const mode_text = kept(b, at + 100, at + 108, mode);
  if (mode_text !== undefined) header.mode_text = mode_text;
  const uid_text = kept(b, at + 108, at + 116, uid);
  if (uid_text !== undefined) header.uid_text = uid_text;
  const gid_text = kept(b, at + 116, at + 124, gid);
  if (gid_text !== undefined) header.gid_text = gid_text;
  const size_text = kept(b, at + 124, at + 136, size);
  if (size_text !== undefined) header.size_text = size_text;
  const mtime_text = kept(b, at + 136, at + 148, mtime);
  if (mtime_text !== undefined) header.mtime_text = mtime_text;
  const devmajor_text = kept(b, at + 329, at + 337, devmajor);
  if (devmajor_text !== undefined) header.devmajor_text = devmajor_text;
  const devminor_text = kept(b, at + 337, at + 345, devminor);
  if (devminor_text !== undefined) header.devminor_text = devminor_text;
  if (tailEnd !== -1) header.prefix_tail = bytesToString(b, prefixEnd + 1, tailEnd);
  return { entry: { header, data: bytesToString(b, dataAt, dataEnd) }, end: dataEnd + padding };
}

export function read(buf: Uint8Array, at = 0): Decoded<Archive> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  const limit = buf.length;
  const entries: Entry[] = [];
  let pos = at;
  for (;;) {
    if (limit - pos < 1024) return new CodecError("entries", pos, "no two zero blocks");
    if (firstNonZero(buf, pos, pos + 1024) === -1) break;
    const parsed = readEntry(buf, pos, limit);
    if (parsed instanceof CodecError) return parsed.within(`entries[${entries.length}]`);
    entries.push(parsed.entry);
    pos = parsed.end;
  }
  pos += 1024;
  if (firstNonZero(buf, pos, limit) !== -1)
    return new CodecError("record_fill", pos, "non-zero after the end");
  return { value: { entries, record_fill: limit - pos }, end: limit };
}

/** A text field's value: a byte string of at most `size` bytes without NUL. */
function textOk(v: unknown, size: number): v is string {
  return isByteString(v) && v.length <= size && !v.includes("\0");
}

function numberOk(v: unknown, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;
}

function bigOk(v: unknown): v is bigint {
  return typeof v === "bigint" && v >= 0n && v <= MAX11_BIG;
}

/** A kept spelling: `size` bytes that read as `value` and are not its canonical spelling. */
function keptOk(text: string | undefined, size: number, value: number): boolean {
  if (text === undefined) return true;
  if (!isByteString(text) || text.length !== size) return false;
  let i = 0;
  while (i < size && text.charCodeAt(i) === 0x20) i++;
  let v = 0;
  for (; i < size; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 7) break;
    v = v * 8 + d;
  }
  for (; i < size; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0 && c !== 0x20) return false;
  }
  if (v !== value) return false;
  // Not the canonical spelling (zero-filled digits, NUL).
  if (text.charCodeAt(size - 1) !== 0) return true;
  let w = value;
  for (let k = size - 2; k >= 0; k--) {
    if (text.charCodeAt(k) !== 0x30 + (w % 8)) return true;
    w = Math.floor(w / 8);
  }
  return w !== 0;
}

function checkEntry(e: Entry): string | undefined {
  if (typeof e !== "object" || e === null) return "not an Entry";
  const h = e.header;
  if (typeof h !== "object" || h === null) return "header: not a Header";
  if (!textOk(h.name, 100) || !textOk(h.linkname, 100) || !textOk(h.magic, 6))
    return "header: a text field is not a byte string that fits";
  if (!textOk(h.version, 2) || !textOk(h.uname, 32) || !textOk(h.gname, 32))
    return "header: a text field is not a byte string that fits";
  if (!textOk(h.prefix, 155)) return "header.prefix: not a byte string that fits";
  if (!numberOk(h.mode, MAX7) || !numberOk(h.uid, MAX7) || !numberOk(h.gid, MAX7))
    return "header: a number is out of range";
  if (!numberOk(h.devmajor, MAX7) || !numberOk(h.devminor, MAX7))
    return "header: a device number is out of range";
  if (!bigOk(h.size) || !bigOk(h.mtime)) return "header: size or mtime is out of range";
  if (typeCode(h.typeflag) < 0) return "header.typeflag: not a TypeFlag";
  const size = Number(h.size);
  if (
    !keptOk(h.mode_text, 8, h.mode) ||
    !keptOk(h.uid_text, 8, h.uid) ||
    !keptOk(h.gid_text, 8, h.gid) ||
    !keptOk(h.size_text, 12, size) ||
    !keptOk(h.mtime_text, 12, Number(h.mtime)) ||
    !keptOk(h.devmajor_text, 8, h.devmajor) ||
    !keptOk(h.devminor_text, 8, h.devminor)
  )
    return "header: a kept spelling does not spell its value, or is the canonical one";
  const tail = h.prefix_tail;
  if (tail !== undefined) {
    if (!isByteString(tail) || tail.length === 0 || tail.charCodeAt(tail.length - 1) === 0)
      return "header.prefix_tail: must be bytes ending in a non-zero byte";
    if (tail.length > 155 - h.prefix.length - 1) return "header.prefix_tail: too long";
  }
  if (!isByteString(e.data) || e.data.length !== size) return "data: not size bytes";
  return undefined;
}

function entrySize(e: Entry): number {
  const n = e.data.length;
  return 512 + n + ((512 - (n % 512)) % 512);
}

export function sizeof(v: Archive): number {
  let n = 1024 + v.record_fill;
  for (const e of v.entries) n += entrySize(e);
  return n;
}

function putText(b: Uint8Array, at: number, end: number, text: string): void {
  stringToBytes(b, at, text);
  b.fill(0, at + text.length, end);
}

function putNumber(b: Uint8Array, at: number, end: number, v: number, text: string | undefined) {
  if (text !== undefined) stringToBytes(b, at, text);
  else {
    writeOctal(b, at, end, v, 1);
    b[end - 1] = 0;
  }
}

function writeEntry(e: Entry, b: Uint8Array, at: number): number {
  const h = e.header;
  putText(b, at, at + 100, h.name);
  putNumber(b, at + 100, at + 108, h.mode, h.mode_text);
  putNumber(b, at + 108, at + 116, h.uid, h.uid_text);
  putNumber(b, at + 116, at + 124, h.gid, h.gid_text);
  putNumber(b, at + 124, at + 136, e.data.length, h.size_text);
  putNumber(b, at + 136, at + 148, Number(h.mtime), h.mtime_text);
  b[at + 156] = typeCode(h.typeflag);
  putText(b, at + 157, at + 257, h.linkname);
  putText(b, at + 257, at + 263, h.magic);
  putText(b, at + 263, at + 265, h.version);
  putText(b, at + 265, at + 297, h.uname);
  putText(b, at + 297, at + 329, h.gname);
  putNumber(b, at + 329, at + 337, h.devmajor, h.devmajor_text);
  putNumber(b, at + 337, at + 345, h.devminor, h.devminor_text);
  putText(b, at + 345, at + 512, h.prefix);
  if (h.prefix_tail !== undefined) stringToBytes(b, at + 345 + h.prefix.length + 1, h.prefix_tail);
  const sum = byteSum(b, at, at + 148) + 8 * 0x20 + byteSum(b, at + 156, at + 512);
  writeOctal(b, at + 148, at + 156, sum, 2);
  b[at + 154] = 0;
  b[at + 155] = 0x20;
  const n = e.data.length;
  stringToBytes(b, at + 512, e.data);
  const end = at + 512 + n;
  const padding = (512 - (n % 512)) % 512;
  b.fill(0, end, end + padding);
  return end + padding;
}

export function write(v: Archive, buf: Uint8Array, at = 0): number | CodecError {
  if (typeof v !== "object" || v === null || !Array.isArray(v.entries))
    return new CodecError("", undefined, "not an Archive");
  for (let i = 0; i < v.entries.length; i++) {
    const why = checkEntry(v.entries[i]!);
    if (why !== undefined) return new CodecError(`entries[${i}]`, undefined, why);
  }
  if (!Number.isSafeInteger(v.record_fill) || v.record_fill < 0)
    return new CodecError("record_fill", undefined, "not a count of zero bytes");
  const size = sizeof(v);
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
    return new CodecError("", undefined, `needs ${size} bytes`);
  let pos = at;
  for (const e of v.entries) pos = writeEntry(e, buf, pos);
  buf.fill(0, pos, at + size);
  return at + size;
}
