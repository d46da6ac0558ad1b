/**
 * ZIP codecs written by hand for the benchmark: the same fields, checks
 * and value shapes as generated/zip.ts's root (`Zip`: every byte before
 * the end-of-central-directory record as a byte string, and that record,
 * found by searching back from the end for the last "PK\5\6" whose comment
 * ends exactly at the end; on write, refused if its comment holds another
 * such record a search would find first) and its CentralEntry (flags as
 * booleans, the DOS time and date as their bit fields, the method as a
 * name or `{ unknown }`, name, extra and comment as byte strings), as fast
 * as we can write them.
 */
import type { CentralEntry, EndOfCentralDirectory, Method, Zip } from "../../generated/zip.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import { bytesToString, isByteString, isU32, stringToBytes, viewOf } from "./common.js";

const END_SIGNATURE = 0x06054b50; // "PK\5\6", little-endian
const CENTRAL_SIGNATURE = 0x02014b50; // "PK\1\2"
const END_SIZE = 22;
const SEARCH = 65535 + END_SIZE;

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

export function read(buf: Uint8Array, at = 0): Decoded<Zip> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  const limit = buf.length;
  const d = viewOf(buf);
  // The signature's bytes are rare: look for its first byte, then the rest.
  for (let p = limit - 4, lowest = Math.max(at, limit - SEARCH); p >= lowest; p--) {
    if (buf[p] !== 0x50 || !endRecordAt(d, p, limit)) continue;
    return {
      value: { body: bytesToString(buf, at, p), end: readEnd(buf, d, p, limit) },
      end: limit,
    };
  }
  return new CodecError("end", at, "no end-of-central-directory record ends at the end");
}

const isU16 = (v: unknown): v is number => typeof v === "number" && (v & 0xffff) === v;

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

export function sizeof(v: Zip): number {
  return v.body.length + END_SIZE + v.end.comment.length;
}

export function write(v: Zip, buf: Uint8Array, at = 0): number | CodecError {
  if (typeof v !== "object" || v === null) return new CodecError("", undefined, "not a Zip");
  if (!isByteString(v.body)) return new CodecError("body", undefined, "not a byte string");
  const why = checkEnd(v.end);
  if (why !== undefined) return new CodecError("end", undefined, why);
  const size = sizeof(v);
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
    return new CodecError("", undefined, `needs ${size} bytes`);
  stringToBytes(buf, at, v.body);
  return putEnd(buf, viewOf(buf), at + v.body.length, v.end);
}

// ---------------------------------------------------------------- central entry

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

function methodCode(m: Method): number {
  if (typeof m === "string") {
    const i = METHODS.indexOf(m);
    return i;
  }
  if (typeof m !== "object" || m === null) return -1;
  const u = m.unknown;
  return isU16(u) && METHODS[u] === undefined ? u : -1;
}

export const centralEntry = {
  read(buf: Uint8Array, at = 0): Decoded<CentralEntry> | CodecError {
    if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
      return new CodecError("", 0, `offset ${at} is outside the buffer`);
    const limit = buf.length;
    if (limit - at < 46) return new CodecError("", at, "truncated central entry");
    const d = viewOf(buf);
    if (d.getUint32(at, true) !== CENTRAL_SIGNATURE)
      return new CodecError("signature", at, "bad signature");
    const nameEnd = at + 46 + d.getUint16(at + 28, true);
    const extraEnd = nameEnd + d.getUint16(at + 30, true);
    const end = extraEnd + d.getUint16(at + 32, true);
    if (end > limit) return new CodecError("name", at + 46, "name, extra or comment truncated");
    const flags = d.getUint16(at + 8, true);
    const methodRaw = d.getUint16(at + 10, true);
    const time = d.getUint16(at + 12, true);
    const date = d.getUint16(at + 14, true);
    return {
      value: {
        made_by: { spec: buf[at + 4]!, host: buf[at + 5]! },
        version_needed: d.getUint16(at + 6, true),
        encrypted: (flags & 1) !== 0,
        data_descriptor: (flags & 8) !== 0,
        utf8: (flags & 0x800) !== 0,
        flags_unknown: flags & ~0x809,
        method: METHODS[methodRaw] ?? { unknown: methodRaw },
        seconds2: time & 0x1f,
        minute: (time >>> 5) & 0x3f,
        hour: time >>> 11,
        day: date & 0x1f,
        month: (date >>> 5) & 0xf,
        year1980: date >>> 9,
        crc32: d.getUint32(at + 16, true),
        compressed_size: d.getUint32(at + 20, true),
        uncompressed_size: d.getUint32(at + 24, true),
        disk_start: d.getUint16(at + 34, true),
        internal_attributes: d.getUint16(at + 36, true),
        external_attributes: d.getUint32(at + 38, true),
        local_header_offset: d.getUint32(at + 42, true),
        name: bytesToString(buf, at + 46, nameEnd),
        extra: bytesToString(buf, nameEnd, extraEnd),
        comment: bytesToString(buf, extraEnd, end),
      },
      end,
    };
  },

  sizeof(v: CentralEntry): number {
    return 46 + v.name.length + v.extra.length + v.comment.length;
  },

  write(v: CentralEntry, buf: Uint8Array, at = 0): number | CodecError {
    const why = checkCentral(v);
    if (why !== undefined) return new CodecError("", undefined, why);
    const size = centralEntry.sizeof(v);
    if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
      return new CodecError("", undefined, `needs ${size} bytes`);
    const d = viewOf(buf);
    d.setUint32(at, CENTRAL_SIGNATURE, true);
    buf[at + 4] = v.made_by.spec;
    buf[at + 5] = v.made_by.host;
    d.setUint16(at + 6, v.version_needed, true);
    const flags =
      v.flags_unknown | (v.encrypted ? 1 : 0) | (v.data_descriptor ? 8 : 0) | (v.utf8 ? 0x800 : 0);
    d.setUint16(at + 8, flags, true);
    d.setUint16(at + 10, methodCode(v.method), true);
    d.setUint16(at + 12, v.seconds2 | (v.minute << 5) | (v.hour << 11), true);
    d.setUint16(at + 14, v.day | (v.month << 5) | (v.year1980 << 9), true);
    d.setUint32(at + 16, v.crc32, true);
    d.setUint32(at + 20, v.compressed_size, true);
    d.setUint32(at + 24, v.uncompressed_size, true);
    d.setUint16(at + 28, v.name.length, true);
    d.setUint16(at + 30, v.extra.length, true);
    d.setUint16(at + 32, v.comment.length, true);
    d.setUint16(at + 34, v.disk_start, true);
    d.setUint16(at + 36, v.internal_attributes, true);
    d.setUint32(at + 38, v.external_attributes, true);
    d.setUint32(at + 42, v.local_header_offset, true);
    let pos = at + 46;
    stringToBytes(buf, pos, v.name);
    pos += v.name.length;
    stringToBytes(buf, pos, v.extra);
    pos += v.extra.length;
    stringToBytes(buf, pos, v.comment);
    return pos + v.comment.length;
  },
};

const isBits = (v: unknown, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;

function checkCentral(v: CentralEntry): string | undefined {
  if (typeof v !== "object" || v === null) return "not a CentralEntry";
  const m = v.made_by;
  if (typeof m !== "object" || m === null || !isBits(m.spec, 0xff) || !isBits(m.host, 0xff))
    return "made_by: not a Version";
  if (
    typeof v.encrypted !== "boolean" ||
    typeof v.data_descriptor !== "boolean" ||
    typeof v.utf8 !== "boolean"
  )
    return "a flag is not a boolean";
  if (!isU16(v.flags_unknown) || (v.flags_unknown & 0x809) !== 0)
    return "flags_unknown: out of range or sets a named bit";
  if (methodCode(v.method) < 0) return "method: not a Method";
  if (!isBits(v.seconds2, 0x1f) || !isBits(v.minute, 0x3f) || !isBits(v.hour, 0x1f))
    return "mod_time: a field is out of range";
  if (!isBits(v.day, 0x1f) || !isBits(v.month, 0xf) || !isBits(v.year1980, 0x7f))
    return "mod_date: a field is out of range";
  if (
    !isU16(v.version_needed) ||
    !isU16(v.disk_start) ||
    !isU16(v.internal_attributes) ||
    !isU32(v.crc32) ||
    !isU32(v.compressed_size) ||
    !isU32(v.uncompressed_size) ||
    !isU32(v.external_attributes) ||
    !isU32(v.local_header_offset)
  )
    return "a field is out of range";
  if (!isByteString(v.name) || !isByteString(v.extra) || !isByteString(v.comment))
    return "name, extra or comment: not a byte string";
  if (v.name.length > 0xffff || v.extra.length > 0xffff || v.comment.length > 0xffff)
    return "name, extra or comment: longer than 65535 bytes";
  return undefined;
}
