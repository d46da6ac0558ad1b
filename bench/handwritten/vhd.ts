/**
 * A VHD footer codec written by hand for the benchmark: the same fields,
 * checks and value shape as generated/vhd.ts's Footer (the feature flags as
 * booleans plus unknown bits, the creator fields as ASCII text, the disk
 * type as a name or `{ unknown }`, the UUID as canonical text, the
 * checksum verified on read and computed on write, so not in the value),
 * as fast as we can write it.
 */
import type { DiskType, Footer } from "../../generated/vhd.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import {
  byteSum,
  firstNonZero,
  isU32,
  isU64,
  isUuid,
  readU64be,
  readUuid,
  viewOf,
  writeU64be,
  writeUuid,
} from "./common.js";

const SIZE = 512;
const COOKIE_HI = 0x636f6e65; // "cone"
const COOKIE_LO = 0x63746978; // "ctix"

function diskType(raw: number): DiskType {
  switch (raw) {
    case 0:
      return "None";
    case 2:
      return "Fixed";
    case 3:
      return "Dynamic";
    case 4:
      return "Differencing";
    default:
      return { unknown: raw };
  }
}

/** ASCII text in a 4-byte field, NUL-padded; undefined if not ASCII or not zero after the NUL. */
function text4(b: Uint8Array, o: number): string | undefined {
  let n = 0;
  while (n < 4 && b[o + n] !== 0) n++;
  for (let i = n; i < 4; i++) if (b[o + i] !== 0) return undefined;
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = b[o + i]!;
    if (c >= 0x80) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

export function read(buf: Uint8Array, at = 0): Decoded<Footer> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  if (buf.length - at < SIZE) return new CodecError("", at, "truncated footer");
  const d = viewOf(buf);
  if (d.getUint32(at) !== COOKIE_HI || d.getUint32(at + 4) !== COOKIE_LO)
    return new CodecError("cookie", at, "bad cookie");
  const features = d.getUint32(at + 8);
  const creator_application = text4(buf, at + 28);
  if (creator_application === undefined)
    return new CodecError("creator_application", at + 28, "not ASCII text");
  const creator_host_os = text4(buf, at + 36);
  if (creator_host_os === undefined)
    return new CodecError("creator_host_os", at + 36, "not ASCII text");
  const padding = firstNonZero(buf, at + 85, at + SIZE);
  if (padding !== -1) return new CodecError("", padding, "non-zero padding");
  const checksum = d.getUint32(at + 64);
  const sum = byteSum(buf, at, at + 64) + byteSum(buf, at + 68, at + SIZE);
  if (checksum !== ~sum >>> 0) return new CodecError("checksum", at + 64, "checksum mismatch");
  return {
    value: {
      temporary: (features & 1) !== 0,
      reserved_one: (features & 2) !== 0,
      features_unknown: (features & ~3) >>> 0,
      file_format_version: d.getUint32(at + 12),
      data_offset: readU64be(d, at + 16),
      timestamp: d.getUint32(at + 24),
      creator_application,
      creator_version: d.getUint32(at + 32),
      creator_host_os,
      original_size: readU64be(d, at + 40),
      current_size: readU64be(d, at + 48),
      disk_geometry: {
        cylinders: d.getUint16(at + 56),
        heads: buf[at + 58]!,
        sectors_per_track: buf[at + 59]!,
      },
      disk_type: diskType(d.getUint32(at + 60)),
      unique_id: readUuid(buf, at + 68),
      saved_state: buf[at + 84]!,
    },
    end: at + SIZE,
  };
}

function diskTypeValue(t: DiskType): number | undefined {
  switch (t) {
    case "None":
      return 0;
    case "Fixed":
      return 2;
    case "Dynamic":
      return 3;
    case "Differencing":
      return 4;
  }
  if (typeof t !== "object" || t === null || !isU32(t.unknown)) return undefined;
  const raw = t.unknown;
  return raw === 0 || (raw >= 2 && raw <= 4) ? undefined : raw;
}

function ascii4(v: unknown): boolean {
  if (typeof v !== "string" || v.length > 4) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0 || c >= 0x80) return false;
  }
  return true;
}

const isU8 = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 255;

function check(v: Footer): CodecError | undefined {
  if (typeof v !== "object" || v === null) return new CodecError("", undefined, "not a Footer");
  if (typeof v.temporary !== "boolean" || typeof v.reserved_one !== "boolean")
    return new CodecError("", undefined, "a flag is not a boolean");
  if (!isU32(v.features_unknown) || (v.features_unknown & 3) !== 0)
    return new CodecError("features_unknown", undefined, "bad unknown features");
  if (!isU32(v.file_format_version) || !isU32(v.timestamp) || !isU32(v.creator_version))
    return new CodecError("", undefined, "a u32 field is out of range");
  if (!isU64(v.data_offset) || !isU64(v.original_size) || !isU64(v.current_size))
    return new CodecError("", undefined, "a u64 field is out of range");
  if (!ascii4(v.creator_application) || !ascii4(v.creator_host_os))
    return new CodecError("creator_application", undefined, "not 4 ASCII bytes");
  const g = v.disk_geometry;
  if (
    typeof g !== "object" ||
    g === null ||
    !(Number.isInteger(g.cylinders) && g.cylinders >= 0 && g.cylinders <= 0xffff) ||
    !isU8(g.heads) ||
    !isU8(g.sectors_per_track)
  )
    return new CodecError("disk_geometry", undefined, "bad geometry");
  if (diskTypeValue(v.disk_type) === undefined)
    return new CodecError("disk_type", undefined, "bad disk type");
  if (!isUuid(v.unique_id)) return new CodecError("unique_id", undefined, "not UUID text");
  if (!isU8(v.saved_state)) return new CodecError("saved_state", undefined, "not a u8");
  return undefined;
}

export function sizeof(_v: Footer): number {
  return SIZE;
}

function writeText4(b: Uint8Array, o: number, text: string): void {
  for (let i = 0; i < 4; i++) b[o + i] = i < text.length ? text.charCodeAt(i) : 0;
}

export function write(v: Footer, buf: Uint8Array, at = 0): number | CodecError {
  const problem = check(v);
  if (problem !== undefined) return problem;
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < SIZE)
    return new CodecError("", undefined, `needs ${SIZE} bytes`);
  const d = viewOf(buf);
  d.setUint32(at, COOKIE_HI);
  d.setUint32(at + 4, COOKIE_LO);
  d.setUint32(
    at + 8,
    (v.features_unknown | (v.temporary ? 1 : 0) | (v.reserved_one ? 2 : 0)) >>> 0,
  );
  d.setUint32(at + 12, v.file_format_version);
  writeU64be(d, at + 16, v.data_offset);
  d.setUint32(at + 24, v.timestamp);
  writeText4(buf, at + 28, v.creator_application);
  d.setUint32(at + 32, v.creator_version);
  writeText4(buf, at + 36, v.creator_host_os);
  writeU64be(d, at + 40, v.original_size);
  writeU64be(d, at + 48, v.current_size);
  d.setUint16(at + 56, v.disk_geometry.cylinders);
  buf[at + 58] = v.disk_geometry.heads;
  buf[at + 59] = v.disk_geometry.sectors_per_track;
  d.setUint32(at + 60, diskTypeValue(v.disk_type) ?? 0);
  d.setUint32(at + 64, 0);
  writeUuid(buf, at + 68, v.unique_id);
  buf[at + 84] = v.saved_state;
  buf.fill(0, at + 85, at + SIZE);
  d.setUint32(at + 64, ~byteSum(buf, at, at + SIZE) >>> 0);
  return at + SIZE;
}
