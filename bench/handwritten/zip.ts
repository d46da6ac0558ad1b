/**
 * ZIP codecs written by hand for the benchmark: the same fields, checks
 * and value shapes as generated/zip.ts's root and its CentralEntry, as
 * fast as we can write them.
 *
 * The root (`Zip`) is the archive as a reader sees it: the end record,
 * found by searching back from the end for the last "PK\5\6" whose comment
 * ends exactly at the end of the input; then, unless the end record says
 * ZIP64 (cd_offset 0xffffffff or total_entries 0xffff), total_entries
 * central entries at cd_offset from where the archive starts, which must
 * not run into the end record; and from each entry, unless its offset or
 * compressed size is 0xffffffff, the local header and compressed_size
 * bytes of data at local_header_offset from the start of the input. The
 * bytes between them are neither read nor written: write puts the end
 * record at the end of the buffer, the entries and the local files where
 * their offsets say, and leaves the rest as the buffer holds them. It
 * refuses an end record whose own bytes hold another one a search would
 * find first.
 *
 * In the values: flags as booleans and `flags_unknown`, the DOS time and
 * date as their bit fields, the method as a name or `{ unknown }`, names,
 * extra fields, comments and data as byte strings (one char per byte).
 */
import type {
  CentralEntry,
  EndOfCentralDirectory,
  LocalFile,
  LocalHeader,
  Method,
  Zip,
} from "../../generated/zip.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import { bytesToString, isByteString, isU32, stringToBytes, viewOf } from "./common.js";

// Signatures as little-endian u32s.
const END_SIGNATURE = 0x06054b50; // "PK\5\6"
const CENTRAL_SIGNATURE = 0x02014b50; // "PK\1\2"
const LOCAL_SIGNATURE = 0x04034b50; // "PK\3\4"
const END_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** How far back from the end the search for the end record looks: its size and a whole comment. */
const SEARCH = 65535 + END_SIZE;
/** What an offset or size holds when the real one is in a ZIP64 record or extra field. */
const ZIP64_U32 = 0xffffffff;
const ZIP64_U16 = 0xffff;

/** Method names by stored value (0 to 95); the rest are `{ unknown }`. */
const METHODS: readonly (Method | undefined)[] = (() => {
  const names = new Array<Method | undefined>(96).fill(undefined);
  names[0] = "Stored";
  names[1] = "Shrunk";
  names[6] = "Imploded";
  names[8] = "Deflated";
  names[9] = "Deflate64";
  names[12] = "Bzip2";
  names[14] = "Lzma";
  names[93] = "Zstd";
  names[95] = "Xz";
  return names;
})();

function method(raw: number): Method {
  return (raw < METHODS.length ? METHODS[raw] : undefined) ?? { unknown: raw };
}

/** A Method's stored value, or -1 if it is not one (an `{ unknown }` must not be a named value). */
function methodCode(m: Method): number {
  if (typeof m === "string") return METHODS.indexOf(m);
  if (typeof m !== "object" || m === null) return -1;
  const u = m.unknown;
  return isU16(u) && (u >= METHODS.length || METHODS[u] === undefined) ? u : -1;
}

// ---------------------------------------------------------------- read

/** Whether an end record at `p` parses and its comment ends exactly at `limit`. */
function endRecordAt(d: DataView, p: number, limit: number): boolean {
  return (
    limit - p >= END_SIZE &&
    d.getUint32(p, true) === END_SIGNATURE &&
    p + END_SIZE + d.getUint16(p + 20, true) === limit
  );
}

function readEnd(b: Uint8Array, d: DataView, p: number, limit: number): EndOfCentralDirectory {
  return {
    disk_number: d.getUint16(p + 4, true),
    cd_disk: d.getUint16(p + 6, true),
    disk_entries: d.getUint16(p + 8, true),
    total_entries: d.getUint16(p + 10, true),
    cd_size: d.getUint32(p + 12, true),
    cd_offset: d.getUint32(p + 16, true),
    comment: bytesToString(b, p + END_SIZE, limit),
  };
}

/** The local header and `size` bytes of data at `at` (counted from the start of `b`). */
function readLocal(b: Uint8Array, d: DataView, at: number, size: number): LocalFile | CodecError {
  const limit = b.length;
  if (limit - at < LOCAL_SIZE) return new CodecError("header", at, "truncated local header");
  if (d.getUint32(at, true) !== LOCAL_SIGNATURE)
    return new CodecError("header.signature", at, "bad signature");
  const nameEnd = at + LOCAL_SIZE + d.getUint16(at + 26, true);
  const extraEnd = nameEnd + d.getUint16(at + 28, true);
  if (extraEnd > limit)
    return new CodecError("header.name", at + LOCAL_SIZE, "name or extra truncated");
  if (size > limit - extraEnd) return new CodecError("data", extraEnd, `${size} bytes truncated`);
  const flags = d.getUint16(at + 6, true);
  const time = d.getUint16(at + 10, true);
  const date = d.getUint16(at + 12, true);
  const header: LocalHeader = {
    version_needed: d.getUint16(at + 4, true),
    encrypted: (flags & 1) !== 0,
    data_descriptor: (flags & 8) !== 0,
    utf8: (flags & 0x800) !== 0,
    flags_unknown: flags & ~0x809,
    method: method(d.getUint16(at + 8, true)),
    seconds2: time & 0x1f,
    minute: (time >>> 5) & 0x3f,
    hour: time >>> 11,
    day: date & 0x1f,
    month: (date >>> 5) & 0xf,
    year1980: date >>> 9,
    crc32: d.getUint32(at + 14, true),
    compressed_size: d.getUint32(at + 18, true),
    uncompressed_size: d.getUint32(at + 22, true),
    name: bytesToString(b, at + LOCAL_SIZE, nameEnd),
    extra: bytesToString(b, nameEnd, extraEnd),
  };
  return { header, data: bytesToString(b, extraEnd, extraEnd + size) };
}

/** The central entry at `at`, with the local file it points at; it ends at 46 + n + m + k. */
function readEntry(b: Uint8Array, d: DataView, at: number): CentralEntry | CodecError {
  const limit = b.length;
  if (limit - at < CENTRAL_SIZE) return new CodecError("", at, "truncated central entry");
  if (d.getUint32(at, true) !== CENTRAL_SIGNATURE)
    return new CodecError("signature", at, "bad signature");
  const nameEnd = at + CENTRAL_SIZE + d.getUint16(at + 28, true);
  const extraEnd = nameEnd + d.getUint16(at + 30, true);
  const end = extraEnd + d.getUint16(at + 32, true);
  if (end > limit)
    return new CodecError("name", at + CENTRAL_SIZE, "name, extra or comment truncated");
  const compressedSize = d.getUint32(at + 20, true);
  const localAt = d.getUint32(at + 42, true);
  let local: LocalFile | undefined;
  if (localAt !== ZIP64_U32 && compressedSize !== ZIP64_U32) {
    if (localAt > limit) return new CodecError("local", at, `byte ${localAt} is outside the input`);
    const read = readLocal(b, d, localAt, compressedSize);
    if (read instanceof CodecError) return read.within("local");
    local = read;
  }
  const flags = d.getUint16(at + 8, true);
  const time = d.getUint16(at + 12, true);
  const date = d.getUint16(at + 14, true);
  return {
    made_by: { spec: b[at + 4]!, host: b[at + 5]! },
    version_needed: d.getUint16(at + 6, true),
    encrypted: (flags & 1) !== 0,
    data_descriptor: (flags & 8) !== 0,
    utf8: (flags & 0x800) !== 0,
    flags_unknown: flags & ~0x809,
    method: method(d.getUint16(at + 10, true)),
    seconds2: time & 0x1f,
    minute: (time >>> 5) & 0x3f,
    hour: time >>> 11,
    day: date & 0x1f,
    month: (date >>> 5) & 0xf,
    year1980: date >>> 9,
    crc32: d.getUint32(at + 16, true),
    compressed_size: compressedSize,
    uncompressed_size: d.getUint32(at + 24, true),
    disk_start: d.getUint16(at + 34, true),
    internal_attributes: d.getUint16(at + 36, true),
    external_attributes: d.getUint32(at + 38, true),
    local_header_offset: localAt,
    name: bytesToString(b, at + CENTRAL_SIZE, nameEnd),
    extra: bytesToString(b, nameEnd, extraEnd),
    comment: bytesToString(b, extraEnd, end),
    local,
  };
}

const entrySize = (e: CentralEntry): number =>
  CENTRAL_SIZE + e.name.length + e.extra.length + e.comment.length;

export function read(buf: Uint8Array, at = 0): Decoded<Zip> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  const limit = buf.length;
  const d = viewOf(buf);
  // The signature's bytes are rare: look for its first byte, then the rest.
  let endAt = -1;
  for (let p = limit - 4, lowest = Math.max(at, limit - SEARCH); p >= lowest; p--)
    if (buf[p] === 0x50 && endRecordAt(d, p, limit)) {
      endAt = p;
      break;
    }
  if (endAt < 0)
    return new CodecError("end", at, "no end-of-central-directory record ends at the end");
  const end = readEnd(buf, d, endAt, limit);
  let central_directory: CentralEntry[] | undefined;
  if (end.cd_offset !== ZIP64_U32 && end.total_entries !== ZIP64_U16) {
    const cdAt = at + end.cd_offset;
    if (cdAt > limit) return new CodecError("central_directory", at, "outside the input");
    const count = end.total_entries;
    if (count > limit - cdAt)
      return new CodecError("central_directory", cdAt, `${count} entries do not fit`);
    central_directory = new Array<CentralEntry>(count);
    let pos = cdAt;
    for (let i = 0; i < count; i++) {
      const entry = readEntry(buf, d, pos);
      if (entry instanceof CodecError) return entry.within(`central_directory[${i}]`);
      central_directory[i] = entry;
      pos += entrySize(entry);
    }
    if (pos > cdAt && pos > endAt)
      return new CodecError("central_directory", cdAt, "runs into the end record");
  }
  // Written back, the end record follows everything it points at: that must fit before it.
  const value: Zip = { end, central_directory };
  if (sizeof(value) > limit - at)
    return new CodecError("end", endAt, "what it points at runs into it");
  return { value, end: limit };
}

// ---------------------------------------------------------------- write

const isU16 = (v: unknown): v is number => typeof v === "number" && (v & 0xffff) === v;
const isBits = (v: unknown, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;

/** The end record's bytes, for the search that a write must not be fooled by. */
const scratch = new Uint8Array(SEARCH);
const scratchView = new DataView(scratch.buffer);

function putEnd(b: Uint8Array, d: DataView, at: number, e: EndOfCentralDirectory): number {
  d.setUint32(at, END_SIGNATURE, true);
  d.setUint16(at + 4, e.disk_number, true);
  d.setUint16(at + 6, e.cd_disk, true);
  d.setUint16(at + 8, e.disk_entries, true);
  d.setUint16(at + 10, e.total_entries, true);
  d.setUint32(at + 12, e.cd_size, true);
  d.setUint32(at + 16, e.cd_offset, true);
  d.setUint16(at + 20, e.comment.length, true);
  stringToBytes(b, at + END_SIZE, e.comment);
  return at + END_SIZE + e.comment.length;
}

function checkEnd(e: EndOfCentralDirectory): string | undefined {
  if (typeof e !== "object" || e === null) return "not an EndOfCentralDirectory";
  if (
    !isU16(e.disk_number) ||
    !isU16(e.cd_disk) ||
    !isU16(e.disk_entries) ||
    !isU16(e.total_entries) ||
    !isU32(e.cd_size) ||
    !isU32(e.cd_offset)
  )
    return "a field is out of range";
  if (!isByteString(e.comment) || e.comment.length > 0xffff)
    return "comment: not a byte string of at most 65535 bytes";
  // Bytes of the record (in its fields or comment) that read as another end record ending at
  // the end would be found instead.
  const size = putEnd(scratch, scratchView, 0, e);
  for (let q = size - 4; q > 0; q--)
    if (scratch[q] === 0x50 && endRecordAt(scratchView, q, size)) return "holds another end record";
  return undefined;
}

/** The fields a central entry and a local header share, checked: what is wrong, or undefined. */
function checkHeader(h: CentralEntry | LocalHeader): string | undefined {
  if (
    typeof h.encrypted !== "boolean" ||
    typeof h.data_descriptor !== "boolean" ||
    typeof h.utf8 !== "boolean"
  )
    return "a flag is not a boolean";
  if (!isU16(h.flags_unknown) || (h.flags_unknown & 0x809) !== 0)
    return "flags_unknown: out of range or sets a named bit";
  if (methodCode(h.method) < 0) return "method: not a Method";
  if (!isBits(h.seconds2, 0x1f) || !isBits(h.minute, 0x3f) || !isBits(h.hour, 0x1f))
    return "mod_time: a field is out of range";
  if (!isBits(h.day, 0x1f) || !isBits(h.month, 0xf) || !isBits(h.year1980, 0x7f))
    return "mod_date: a field is out of range";
  if (
    !isU16(h.version_needed) ||
    !isU32(h.crc32) ||
    !isU32(h.compressed_size) ||
    !isU32(h.uncompressed_size)
  )
    return "a field is out of range";
  if (
    !isByteString(h.name) ||
    !isByteString(h.extra) ||
    h.name.length > 0xffff ||
    h.extra.length > 0xffff
  )
    return "name or extra: not a byte string of at most 65535 bytes";
  return undefined;
}

function checkLocal(l: LocalFile, size: number): CodecError | undefined {
  if (typeof l !== "object" || l === null)
    return new CodecError("local", undefined, "not a LocalFile");
  const h = l.header;
  if (typeof h !== "object" || h === null)
    return new CodecError("local.header", undefined, "not a LocalHeader");
  const why = checkHeader(h);
  if (why !== undefined) return new CodecError("local.header", undefined, why);
  if (!isByteString(l.data) || l.data.length !== size)
    return new CodecError(
      "local.data",
      undefined,
      `not a byte string of compressed_size (${size}) bytes`,
    );
  return undefined;
}

function checkEntry(e: CentralEntry): CodecError | undefined {
  if (typeof e !== "object" || e === null)
    return new CodecError("", undefined, "not a CentralEntry");
  const m = e.made_by;
  if (typeof m !== "object" || m === null || !isBits(m.spec, 0xff) || !isBits(m.host, 0xff))
    return new CodecError("made_by", undefined, "not a Version");
  const why = checkHeader(e);
  if (why !== undefined) return new CodecError("", undefined, why);
  if (
    !isU16(e.disk_start) ||
    !isU16(e.internal_attributes) ||
    !isU32(e.external_attributes) ||
    !isU32(e.local_header_offset)
  )
    return new CodecError("", undefined, "a field is out of range");
  if (!isByteString(e.comment) || e.comment.length > 0xffff)
    return new CodecError("comment", undefined, "not a byte string of at most 65535 bytes");
  const pointsAtLocal = e.local_header_offset !== ZIP64_U32 && e.compressed_size !== ZIP64_U32;
  if (pointsAtLocal !== (e.local !== undefined))
    return new CodecError(
      "local",
      undefined,
      pointsAtLocal ? "missing" : "present, but the offset or size is in ZIP64 fields",
    );
  return e.local === undefined ? undefined : checkLocal(e.local, e.compressed_size);
}

function check(v: Zip): CodecError | undefined {
  if (typeof v !== "object" || v === null) return new CodecError("", undefined, "not a Zip");
  const why = checkEnd(v.end);
  if (why !== undefined) return new CodecError("end", undefined, why);
  const cd = v.central_directory;
  const hasDirectory = v.end.cd_offset !== ZIP64_U32 && v.end.total_entries !== ZIP64_U16;
  if (hasDirectory !== (cd !== undefined))
    return new CodecError(
      "central_directory",
      undefined,
      hasDirectory ? "missing" : "present, but the end record says ZIP64",
    );
  if (cd === undefined) return undefined;
  if (!Array.isArray(cd) || cd.length !== v.end.total_entries)
    return new CodecError("central_directory", undefined, "not end.total_entries entries");
  for (let i = 0; i < cd.length; i++) {
    const problem = checkEntry(cd[i]!);
    if (problem !== undefined) return problem.within(`central_directory[${i}]`);
  }
  return undefined;
}

/** The furthest byte from the start of the input that an entry's local file reaches, or 0. */
function reach(e: CentralEntry): number {
  const l = e.local;
  if (l === undefined) return 0;
  return (
    e.local_header_offset +
    LOCAL_SIZE +
    l.header.name.length +
    l.header.extra.length +
    l.data.length
  );
}

function putLocal(b: Uint8Array, d: DataView, at: number, l: LocalFile): void {
  const h = l.header;
  d.setUint32(at, LOCAL_SIGNATURE, true);
  d.setUint16(at + 4, h.version_needed, true);
  const flags =
    h.flags_unknown | (h.encrypted ? 1 : 0) | (h.data_descriptor ? 8 : 0) | (h.utf8 ? 0x800 : 0);
  d.setUint16(at + 6, flags, true);
  d.setUint16(at + 8, methodCode(h.method), true);
  d.setUint16(at + 10, h.seconds2 | (h.minute << 5) | (h.hour << 11), true);
  d.setUint16(at + 12, h.day | (h.month << 5) | (h.year1980 << 9), true);
  d.setUint32(at + 14, h.crc32, true);
  d.setUint32(at + 18, h.compressed_size, true);
  d.setUint32(at + 22, h.uncompressed_size, true);
  d.setUint16(at + 26, h.name.length, true);
  d.setUint16(at + 28, h.extra.length, true);
  let pos = at + LOCAL_SIZE;
  stringToBytes(b, pos, h.name);
  pos += h.name.length;
  stringToBytes(b, pos, h.extra);
  stringToBytes(b, pos + h.extra.length, l.data);
}

/** Writes the entry at `at` and its local file where it points; returns where the entry ends. */
function putEntry(b: Uint8Array, d: DataView, at: number, e: CentralEntry): number {
  d.setUint32(at, CENTRAL_SIGNATURE, true);
  b[at + 4] = e.made_by.spec;
  b[at + 5] = e.made_by.host;
  d.setUint16(at + 6, e.version_needed, true);
  const flags =
    e.flags_unknown | (e.encrypted ? 1 : 0) | (e.data_descriptor ? 8 : 0) | (e.utf8 ? 0x800 : 0);
  d.setUint16(at + 8, flags, true);
  d.setUint16(at + 10, methodCode(e.method), true);
  d.setUint16(at + 12, e.seconds2 | (e.minute << 5) | (e.hour << 11), true);
  d.setUint16(at + 14, e.day | (e.month << 5) | (e.year1980 << 9), true);
  d.setUint32(at + 16, e.crc32, true);
  d.setUint32(at + 20, e.compressed_size, true);
  d.setUint32(at + 24, e.uncompressed_size, true);
  d.setUint16(at + 28, e.name.length, true);
  d.setUint16(at + 30, e.extra.length, true);
  d.setUint16(at + 32, e.comment.length, true);
  d.setUint16(at + 34, e.disk_start, true);
  d.setUint16(at + 36, e.internal_attributes, true);
  d.setUint32(at + 38, e.external_attributes, true);
  d.setUint32(at + 42, e.local_header_offset, true);
  let pos = at + CENTRAL_SIZE;
  stringToBytes(b, pos, e.name);
  pos += e.name.length;
  stringToBytes(b, pos, e.extra);
  pos += e.extra.length;
  stringToBytes(b, pos, e.comment);
  if (e.local !== undefined) putLocal(b, d, e.local_header_offset, e.local);
  return pos + e.comment.length;
}

/**
 * The smallest buffer the value can be written into: the furthest byte of
 * the central directory (from `end.cd_offset`) and of the local files
 * (from the start), then the end record.
 */
export function sizeof(v: Zip): number {
  let extent = 0;
  const cd = v.central_directory;
  if (cd !== undefined) {
    let pos = v.end.cd_offset;
    let furthest = 0;
    for (let i = 0; i < cd.length; i++) {
      const e = cd[i]!;
      pos += entrySize(e);
      const r = reach(e);
      if (r > furthest) furthest = r;
    }
    extent = pos > furthest ? pos : furthest;
  }
  return extent + END_SIZE + v.end.comment.length;
}

export function write(v: Zip, buf: Uint8Array, at = 0): number | CodecError {
  const problem = check(v);
  if (problem !== undefined) return problem;
  const size = sizeof(v);
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
    return new CodecError("", undefined, `needs ${size} bytes`);
  const d = viewOf(buf);
  putEnd(buf, d, buf.length - END_SIZE - v.end.comment.length, v.end);
  const cd = v.central_directory;
  if (cd !== undefined)
    for (let i = 0, pos = at + v.end.cd_offset; i < cd.length; i++)
      pos = putEntry(buf, d, pos, cd[i]!);
  return buf.length;
}

// ---------------------------------------------------------------- central entry

/** One central entry and the local file it points at (from the start of the input). */
export const centralEntry = {
  read(buf: Uint8Array, at = 0): Decoded<CentralEntry> | CodecError {
    if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
      return new CodecError("", 0, `offset ${at} is outside the buffer`);
    const entry = readEntry(buf, viewOf(buf), at);
    if (entry instanceof CodecError) return entry;
    return { value: entry, end: at + entrySize(entry) };
  },

  /** The entry's own bytes: the local file it points at is not part of it. */
  sizeof: entrySize,

  write(v: CentralEntry, buf: Uint8Array, at = 0): number | CodecError {
    const problem = checkEntry(v);
    if (problem !== undefined) return problem;
    const size = entrySize(v);
    if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
      return new CodecError("", undefined, `needs ${size} bytes`);
    const r = reach(v);
    if (r > buf.length)
      return new CodecError("", undefined, `writes its local file up to byte ${r}, past the end`);
    return putEntry(buf, viewOf(buf), at, v);
  },
};
