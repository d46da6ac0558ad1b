/**
 * A VMDK sparse-extent header codec written by hand for the benchmark: the
 * same fields, checks and value shape as generated/vmdk.ts (flags as
 * booleans plus the unknown bits, bigint sector counts, the embedded
 * descriptor as UTF-8 text, NUL-padded, at desc_offset sectors; zero
 * padding and gaps checked a word at a time), as fast as we can write it.
 */
import type { CompressAlgorithm, SparseExtent } from "../../generated/vmdk.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import {
  bytesToString,
  decodeUtf8,
  findNul,
  firstNonZero,
  isByteString,
  isU32,
  isU64,
  readU64le,
  stringToBytes,
  utf8Length,
  viewOf,
  writeU64le,
  writeUtf8,
} from "./common.js";

const MAGIC = 0x564d444b; // "KDMV" little-endian
const HEADER = 512;
const NAMED_FLAGS = 0x30007;

function compressAlgorithm(raw: number): CompressAlgorithm {
  return raw === 0 ? "None" : raw === 1 ? "Deflate" : { unknown: raw };
}

export function read(buf: Uint8Array, at = 0): Decoded<SparseExtent> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  if (buf.length - at < HEADER) return new CodecError("", at, "truncated header");
  const d = viewOf(buf);
  if (d.getUint32(at, true) !== MAGIC) return new CodecError("header.magic", at, "bad magic");
  const version = d.getUint32(at + 4, true);
  if (version < 1 || version > 3) return new CodecError("header.version", at + 4, "not 1-3");
  const flags = d.getUint32(at + 8, true);
  const descLo = d.getUint32(at + 28, true);
  const descHi = d.getUint32(at + 32, true);
  const desc_offset = readU64le(d, at + 28);
  const desc_size = readU64le(d, at + 36);
  const padding = firstNonZero(buf, at + 79, at + HEADER);
  if (padding !== -1) return new CodecError("header.padding", padding, "non-zero padding");
  let descriptor: string | undefined;
  let end = at + HEADER;
  if ((descLo | descHi) !== 0) {
    const offset = Number(desc_offset) * 512;
    const size = Number(desc_size) * 512;
    const from = at + offset;
    if (offset > buf.length - at) return new CodecError("descriptor", at, "outside the input");
    if (!(size <= buf.length - from)) return new CodecError("descriptor", from, "truncated");
    const to = from + size;
    if (to > from && from < at + HEADER)
      return new CodecError("descriptor", from, "overlaps the header");
    const stop = findNul(buf, from, to);
    const tail = firstNonZero(buf, stop, to);
    if (tail !== -1) return new CodecError("descriptor", tail, "non-zero after the NUL");
    descriptor = decodeUtf8(buf, from, stop);
    if (descriptor === undefined) return new CodecError("descriptor", from, "not UTF-8");
    const gap = firstNonZero(buf, at + HEADER, Math.min(from, to));
    if (gap !== -1) return new CodecError("", gap, "non-zero gap");
    if (to > end) end = to;
  }
  return {
    value: {
      header: {
        version,
        valid_newline_test: (flags & 0x1) !== 0,
        redundant_grain_table: (flags & 0x2) !== 0,
        zeroed_grain_gte: (flags & 0x4) !== 0,
        compressed_grains: (flags & 0x10000) !== 0,
        markers: (flags & 0x20000) !== 0,
        flags_unknown: (flags & ~NAMED_FLAGS) >>> 0,
        capacity: readU64le(d, at + 12),
        grain_size: readU64le(d, at + 20),
        desc_offset,
        desc_size,
        num_gtes_per_gt: d.getUint32(at + 44, true),
        rgd_offset: readU64le(d, at + 48),
        gd_offset: readU64le(d, at + 56),
        overhead: readU64le(d, at + 64),
        unclean_shutdown: buf[at + 72]!,
        newline_check: bytesToString(buf, at + 73, at + 77),
        compress_algorithm: compressAlgorithm(d.getUint16(at + 77, true)),
      },
      descriptor,
    },
    end,
  };
}

function compressValue(c: CompressAlgorithm): number | undefined {
  if (c === "None") return 0;
  if (c === "Deflate") return 1;
  if (typeof c !== "object" || c === null) return undefined;
  const raw = c.unknown;
  return Number.isInteger(raw) && raw >= 2 && raw <= 0xffff ? raw : undefined;
}

function check(v: SparseExtent): CodecError | undefined {
  if (typeof v !== "object" || v === null) return new CodecError("", undefined, "not an extent");
  const h = v.header;
  if (typeof h !== "object" || h === null)
    return new CodecError("header", undefined, "not a header");
  if (!isU32(h.version) || h.version < 1 || h.version > 3)
    return new CodecError("header.version", undefined, "not 1-3");
  if (
    typeof h.valid_newline_test !== "boolean" ||
    typeof h.redundant_grain_table !== "boolean" ||
    typeof h.zeroed_grain_gte !== "boolean" ||
    typeof h.compressed_grains !== "boolean" ||
    typeof h.markers !== "boolean"
  )
    return new CodecError("header", undefined, "a flag is not a boolean");
  if (!isU32(h.flags_unknown) || (h.flags_unknown & NAMED_FLAGS) !== 0)
    return new CodecError("header.flags_unknown", undefined, "bad unknown flags");
  if (
    !isU64(h.capacity) ||
    !isU64(h.grain_size) ||
    !isU64(h.desc_offset) ||
    !isU64(h.desc_size) ||
    !isU64(h.rgd_offset) ||
    !isU64(h.gd_offset) ||
    !isU64(h.overhead)
  )
    return new CodecError("header", undefined, "a u64 field is out of range");
  if (!isU32(h.num_gtes_per_gt)) return new CodecError("header.num_gtes_per_gt", undefined, "u32");
  const u = h.unclean_shutdown;
  if (!Number.isInteger(u) || u < 0 || u > 255)
    return new CodecError("header.unclean_shutdown", undefined, "not a u8");
  if (!isByteString(h.newline_check) || h.newline_check.length !== 4)
    return new CodecError("header.newline_check", undefined, "not 4 bytes");
  if (compressValue(h.compress_algorithm) === undefined)
    return new CodecError("header.compress_algorithm", undefined, "bad algorithm");
  const text = v.descriptor;
  if ((h.desc_offset !== 0n) !== (text !== undefined))
    return new CodecError("descriptor", undefined, "present exactly when desc_offset != 0");
  if (text !== undefined) {
    if (typeof text !== "string" || text.includes("\0"))
      return new CodecError("descriptor", undefined, "not text without NUL");
    const n = utf8Length(text);
    if (n < 0 || n > Number(h.desc_size) * 512)
      return new CodecError("descriptor", undefined, "does not fit");
  }
  return undefined;
}

export function sizeof(v: SparseExtent): number {
  const h = v.header;
  if (v.descriptor === undefined) return HEADER;
  return Math.max(HEADER, (Number(h.desc_offset) + Number(h.desc_size)) * 512);
}

export function write(v: SparseExtent, buf: Uint8Array, at = 0): number | CodecError {
  const problem = check(v);
  if (problem !== undefined) return problem;
  const size = sizeof(v);
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
    return new CodecError("", undefined, `needs ${size} bytes`);
  const d = viewOf(buf);
  const h = v.header;
  d.setUint32(at, MAGIC, true);
  d.setUint32(at + 4, h.version, true);
  const flags =
    h.flags_unknown |
    (h.valid_newline_test ? 0x1 : 0) |
    (h.redundant_grain_table ? 0x2 : 0) |
    (h.zeroed_grain_gte ? 0x4 : 0) |
    (h.compressed_grains ? 0x10000 : 0) |
    (h.markers ? 0x20000 : 0);
  d.setUint32(at + 8, flags >>> 0, true);
  writeU64le(d, at + 12, h.capacity);
  writeU64le(d, at + 20, h.grain_size);
  writeU64le(d, at + 28, h.desc_offset);
  writeU64le(d, at + 36, h.desc_size);
  d.setUint32(at + 44, h.num_gtes_per_gt, true);
  writeU64le(d, at + 48, h.rgd_offset);
  writeU64le(d, at + 56, h.gd_offset);
  writeU64le(d, at + 64, h.overhead);
  buf[at + 72] = h.unclean_shutdown;
  stringToBytes(buf, at + 73, h.newline_check);
  d.setUint16(at + 77, compressValue(h.compress_algorithm) ?? 0, true);
  buf.fill(0, at + 79, at + HEADER);
  const text = v.descriptor;
  if (text !== undefined) {
    const from = at + Number(h.desc_offset) * 512;
    // Zero only what the descriptor's text does not cover.
    buf.fill(0, at + HEADER, from);
    const n = writeUtf8(buf, from, text, utf8Length(text));
    buf.fill(0, from + n, at + size);
  }
  return at + size;
}
