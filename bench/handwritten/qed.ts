/**
 * A QED header codec written by hand for the benchmark: the same fields,
 * checks and value shape as generated/qed.ts (the same `Header` objects,
 * bigint 64-bit fields, the backing file name as a byte string at
 * backing_filename_offset, and a `CodecError` wherever the generated codec
 * rejects the input or the value), as fast as we can write it.
 */
import type { Header } from "../../generated/qed.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import {
  bytesToString,
  firstNonZero,
  isByteString,
  isU32,
  isU64,
  readU64le,
  stringToBytes,
  viewOf,
  writeU64le,
} from "./common.js";

const MAGIC = 0x00444551; // "QED\0" little-endian

export function read(buf: Uint8Array, at = 0): Decoded<Header> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  if (buf.length - at < 64) return new CodecError("", at, "truncated header");
  const d = viewOf(buf);
  if (d.getUint32(at, true) !== MAGIC) return new CodecError("magic", at, "bad magic");
  const cluster_size = d.getUint32(at + 4, true);
  if ((cluster_size & (cluster_size - 1)) !== 0 || cluster_size < 4096 || cluster_size > 67108864)
    return new CodecError("cluster_size", at + 4, `bad cluster size ${cluster_size}`);
  const table_size = d.getUint32(at + 8, true);
  if ((table_size & (table_size - 1)) !== 0 || table_size < 1 || table_size > 16)
    return new CodecError("table_size", at + 8, `bad table size ${table_size}`);
  const header_size = d.getUint32(at + 12, true);
  if (header_size < 1) return new CodecError("header_size", at + 12, "must be at least 1");
  const backingFile = (d.getUint32(at + 16, true) & 1) === 1;
  const features = readU64le(d, at + 16);
  const compat_features = readU64le(d, at + 24);
  const autoclear_features = readU64le(d, at + 32);
  const l1_table_offset = readU64le(d, at + 40);
  if ((d.getUint32(at + 48, true) & 511) !== 0)
    return new CodecError("image_size", at + 48, "must be a multiple of 512");
  const image_size = readU64le(d, at + 48);
  const backing_filename_offset = d.getUint32(at + 56, true);
  const backing_filename_size = d.getUint32(at + 60, true);
  let backing_filename: string | undefined;
  let end = at + 64;
  if (backingFile) {
    const from = at + backing_filename_offset;
    if (from > buf.length) return new CodecError("backing_filename", at, "outside the input");
    if (buf.length - from < backing_filename_size)
      return new CodecError("backing_filename", from, "truncated");
    const to = from + backing_filename_size;
    if (to > from && from < at + 64)
      return new CodecError("backing_filename", from, "overlaps the header");
    backing_filename = bytesToString(buf, from, to);
    // The bytes between the header and the name must be zero.
    const gap = firstNonZero(buf, at + 64, Math.min(from, to));
    if (gap !== -1) return new CodecError("", gap, "non-zero gap");
    if (to > end) end = to;
  }
  return {
    value: {
      cluster_size,
      table_size,
      header_size,
      features,
      compat_features,
      autoclear_features,
      l1_table_offset,
      image_size,
      backing_filename_offset,
      backing_filename_size,
      backing_filename,
    },
    end,
  };
}

function check(v: Header): CodecError | undefined {
  if (typeof v !== "object" || v === null) return new CodecError("", undefined, "not a Header");
  if (!isU32(v.cluster_size) || !isU32(v.table_size) || !isU32(v.header_size))
    return new CodecError("", undefined, "a u32 field is out of range");
  if (
    !isU64(v.features) ||
    !isU64(v.compat_features) ||
    !isU64(v.autoclear_features) ||
    !isU64(v.l1_table_offset) ||
    !isU64(v.image_size)
  )
    return new CodecError("", undefined, "a u64 field is out of range");
  if (!isU32(v.backing_filename_offset) || !isU32(v.backing_filename_size))
    return new CodecError("", undefined, "a u32 field is out of range");
  const c = v.cluster_size;
  if ((c & (c - 1)) !== 0 || c < 4096 || c > 67108864)
    return new CodecError("cluster_size", undefined, "bad cluster size");
  const t = v.table_size;
  if ((t & (t - 1)) !== 0 || t < 1 || t > 16)
    return new CodecError("table_size", undefined, "bad table size");
  if (v.header_size < 1) return new CodecError("header_size", undefined, "must be at least 1");
  if (v.image_size % 512n !== 0n)
    return new CodecError("image_size", undefined, "must be a multiple of 512");
  const name = v.backing_filename;
  if (((v.features & 1n) === 1n) !== (name !== undefined))
    return new CodecError("backing_filename", undefined, "present exactly when features bit 0");
  if (name !== undefined) {
    if (!isByteString(name)) return new CodecError("backing_filename", undefined, "not bytes");
    if (name.length !== v.backing_filename_size)
      return new CodecError("backing_filename", undefined, "length is not backing_filename_size");
  }
  return undefined;
}

export function sizeof(v: Header): number {
  const name = v.backing_filename;
  return name === undefined ? 64 : Math.max(64, v.backing_filename_offset + name.length);
}

export function write(v: Header, buf: Uint8Array, at = 0): number | CodecError {
  const problem = check(v);
  if (problem !== undefined) return problem;
  const size = sizeof(v);
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
    return new CodecError("", undefined, `needs ${size} bytes`);
  const d = viewOf(buf);
  d.setUint32(at, MAGIC, true);
  d.setUint32(at + 4, v.cluster_size, true);
  d.setUint32(at + 8, v.table_size, true);
  d.setUint32(at + 12, v.header_size, true);
  writeU64le(d, at + 16, v.features);
  writeU64le(d, at + 24, v.compat_features);
  writeU64le(d, at + 32, v.autoclear_features);
  writeU64le(d, at + 40, v.l1_table_offset);
  writeU64le(d, at + 48, v.image_size);
  d.setUint32(at + 56, v.backing_filename_offset, true);
  d.setUint32(at + 60, v.backing_filename_size, true);
  if (v.backing_filename !== undefined) {
    buf.fill(0, at + 64, at + size);
    stringToBytes(buf, at + v.backing_filename_offset, v.backing_filename);
  }
  return at + size;
}
