/**
 * VHDX headers and region tables written by hand for the benchmark: the
 * same fields, checks and value shape as generated/vhdx.ts's Header and
 * RegionTable (GUIDs as canonical text, the CRC-32C checked on read and
 * filled in on write, so not in the value; zero padding to 4 KiB and
 * 64 KiB). The CRC is the runtime's (runtime/checksum.ts), as a program
 * would use one library CRC: over 4 KiB and 64 KiB it is most of the work,
 * and bench/checksum.ts measures it on its own against native code.
 */
import type { Header, RegionEntry, RegionTable } from "../../generated/vhdx.js";
import { crc32c } from "../../runtime/checksum.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import {
  firstNonZero,
  isU32,
  isU64,
  isUuid,
  low32,
  readGuid,
  readU64le,
  viewOf,
  writeGuid,
  writeU64le,
} from "./common.js";

const HEAD = 0x64616568; // "head" little-endian
const REGI = 0x69676572; // "regi" little-endian
const HEADER_SIZE = 4096;
const TABLE_SIZE = 65536;
const MiB = 1048576;

const u16 = (x: unknown): boolean =>
  typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 0xffff;

/** A u64 field's low 20 bits are zero (a multiple of 1 MiB), without bigint arithmetic. */
const lowWordMiB = (d: DataView, o: number): boolean => (d.getUint32(o, true) & (MiB - 1)) === 0;

function inBuffer(buf: Uint8Array, at: number, size: number): CodecError | undefined {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  if (buf.length - at < size) return new CodecError("", at, "truncated");
  return undefined;
}

export const header = {
  read(buf: Uint8Array, at = 0): Decoded<Header> | CodecError {
    const bad = inBuffer(buf, at, HEADER_SIZE);
    if (bad !== undefined) return bad;
    const d = viewOf(buf);
    if (d.getUint32(at, true) !== HEAD) return new CodecError("signature", at, "bad signature");
    const log_length = d.getUint32(at + 68, true);
    if (log_length % MiB !== 0) return new CodecError("log_length", at + 68, "not whole MiB");
    if (!lowWordMiB(d, at + 72)) return new CodecError("log_offset", at + 72, "not whole MiB");
    const padding = firstNonZero(buf, at + 80, at + HEADER_SIZE);
    if (padding !== -1) return new CodecError("padding", padding, "non-zero padding");
    const end = at + HEADER_SIZE;
    if (d.getUint32(at + 4, true) !== crc32c(buf, at, end, at + 4, at + 8))
      return new CodecError("checksum", at + 4, "CRC-32C mismatch");
    return {
      value: {
        sequence_number: readU64le(d, at + 8),
        file_write_guid: readGuid(buf, at + 16),
        data_write_guid: readGuid(buf, at + 32),
        log_guid: readGuid(buf, at + 48),
        log_version: d.getUint16(at + 64, true),
        version: d.getUint16(at + 66, true),
        log_length,
        log_offset: readU64le(d, at + 72),
      },
      end,
    };
  },

  sizeof: (_v: Header): number => HEADER_SIZE,

  write(v: Header, buf: Uint8Array, at = 0): number | CodecError {
    if (typeof v !== "object" || v === null) return new CodecError("", undefined, "not a Header");
    if (
      !isU64(v.sequence_number) ||
      !isU64(v.log_offset) ||
      (low32(v.log_offset) & (MiB - 1)) !== 0
    )
      return new CodecError("log_offset", undefined, "bad u64 field");
    if (!isUuid(v.file_write_guid) || !isUuid(v.data_write_guid) || !isUuid(v.log_guid))
      return new CodecError("file_write_guid", undefined, "not GUID text");
    if (!u16(v.log_version) || !u16(v.version))
      return new CodecError("version", undefined, "not a u16");
    if (!isU32(v.log_length) || v.log_length % MiB !== 0)
      return new CodecError("log_length", undefined, "not whole MiB");
    if (inBuffer(buf, at, HEADER_SIZE) !== undefined)
      return new CodecError("", undefined, `needs ${HEADER_SIZE} bytes`);
    const d = viewOf(buf);
    d.setUint32(at, HEAD, true);
    writeU64le(d, at + 8, v.sequence_number);
    writeGuid(buf, at + 16, v.file_write_guid);
    writeGuid(buf, at + 32, v.data_write_guid);
    writeGuid(buf, at + 48, v.log_guid);
    d.setUint16(at + 64, v.log_version, true);
    d.setUint16(at + 66, v.version, true);
    d.setUint32(at + 68, v.log_length, true);
    writeU64le(d, at + 72, v.log_offset);
    buf.fill(0, at + 80, at + HEADER_SIZE);
    d.setUint32(at + 4, crc32c(buf, at, at + HEADER_SIZE, at + 4, at + 8), true);
    return at + HEADER_SIZE;
  },
};

export const regionTable = {
  read(buf: Uint8Array, at = 0): Decoded<RegionTable> | CodecError {
    const bad = inBuffer(buf, at, TABLE_SIZE);
    if (bad !== undefined) return bad;
    const d = viewOf(buf);
    if (d.getUint32(at, true) !== REGI) return new CodecError("signature", at, "bad signature");
    const entry_count = d.getUint32(at + 8, true);
    if (entry_count > 2047) return new CodecError("entry_count", at + 8, "more than 2047");
    const entries = new Array<RegionEntry>(entry_count);
    for (let i = 0, o = at + 16; i < entry_count; i++, o += 32) {
      if (!lowWordMiB(d, o + 16))
        return new CodecError(`entries[${i}].file_offset`, o + 16, "not whole MiB");
      const length = d.getUint32(o + 24, true);
      if (length % MiB !== 0)
        return new CodecError(`entries[${i}].length`, o + 24, "not whole MiB");
      const flags = d.getUint32(o + 28, true);
      entries[i] = {
        guid: readGuid(buf, o),
        file_offset: readU64le(d, o + 16),
        length,
        required: (flags & 1) !== 0,
        flags_unknown: (flags & ~1) >>> 0,
      };
    }
    const padding = firstNonZero(buf, at + 16 + 32 * entry_count, at + TABLE_SIZE);
    if (padding !== -1) return new CodecError("padding", padding, "non-zero padding");
    const end = at + TABLE_SIZE;
    if (d.getUint32(at + 4, true) !== crc32c(buf, at, end, at + 4, at + 8))
      return new CodecError("checksum", at + 4, "CRC-32C mismatch");
    return { value: { reserved: d.getUint32(at + 12, true), entries }, end };
  },

  sizeof: (_v: RegionTable): number => TABLE_SIZE,

  write(v: RegionTable, buf: Uint8Array, at = 0): number | CodecError {
    if (typeof v !== "object" || v === null) return new CodecError("", undefined, "not a table");
    // The count is written from the entries, as the generated codec does.
    const entries = v.entries;
    if (!Array.isArray(entries)) return new CodecError("entries", undefined, "not an array");
    const n = entries.length;
    if (n > 2047 || !isU32(v.reserved))
      return new CodecError("entry_count", undefined, "bad count");
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      if (
        typeof e !== "object" ||
        e === null ||
        !isUuid(e.guid) ||
        !isU64(e.file_offset) ||
        (low32(e.file_offset) & (MiB - 1)) !== 0 ||
        !isU32(e.length) ||
        e.length % MiB !== 0 ||
        typeof e.required !== "boolean" ||
        !isU32(e.flags_unknown) ||
        (e.flags_unknown & 1) !== 0
      )
        return new CodecError(`entries[${i}]`, undefined, "bad entry");
    }
    if (inBuffer(buf, at, TABLE_SIZE) !== undefined)
      return new CodecError("", undefined, `needs ${TABLE_SIZE} bytes`);
    const d = viewOf(buf);
    d.setUint32(at, REGI, true);
    d.setUint32(at + 8, n, true);
    d.setUint32(at + 12, v.reserved, true);
    for (let i = 0, o = at + 16; i < n; i++, o += 32) {
      const e = entries[i]!;
      writeGuid(buf, o, e.guid);
      writeU64le(d, o + 16, e.file_offset);
      d.setUint32(o + 24, e.length, true);
      d.setUint32(o + 28, (e.flags_unknown | (e.required ? 1 : 0)) >>> 0, true);
    }
    buf.fill(0, at + 16 + 32 * n, at + TABLE_SIZE);
    d.setUint32(at + 4, crc32c(buf, at, at + TABLE_SIZE, at + 4, at + 8), true);
    return at + TABLE_SIZE;
  },
};
