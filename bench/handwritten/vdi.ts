/**
 * A VDI header codec written by hand for the benchmark: the same fields,
 * checks and value shape as generated/vdi.ts (banner and description as
 * text with zero padding after the NUL, the image type as a name or
 * `{ unknown }`, GUIDs as canonical text, geometries and the ten reserved
 * words as objects), as fast as we can write it.
 */
import type { Geometry, Header, ImageType, ReservedWord } from "../../generated/vdi.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import {
  allAscii,
  bytesToString,
  decodeUtf8,
  findNul,
  firstNonZero,
  isU32,
  isU64,
  isUuid,
  readGuid,
  readU64le,
  utf8Length,
  viewOf,
  writeGuid,
  writeU64le,
  writeUtf8,
} from "./common.js";

const SIGNATURE = 0xbeda107f;
const SIZE = 512;

function readGeometry(d: DataView, o: number): Geometry {
  return {
    cylinders: d.getUint32(o, true),
    heads: d.getUint32(o + 4, true),
    sectors: d.getUint32(o + 8, true),
    sector_size: d.getUint32(o + 12, true),
  };
}

function imageType(raw: number): ImageType {
  switch (raw) {
    case 1:
      return "Dynamic";
    case 2:
      return "Static";
    case 3:
      return "Undo";
    case 4:
      return "Diff";
    default:
      return { unknown: raw };
  }
}

export function read(buf: Uint8Array, at = 0): Decoded<Header> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  if (buf.length - at < SIZE) return new CodecError("", at, "truncated header");
  const d = viewOf(buf);
  const infoEnd = findNul(buf, at, at + 64);
  if (firstNonZero(buf, infoEnd, at + 64) !== -1)
    return new CodecError("file_info", infoEnd, "non-zero after the NUL");
  if (!allAscii(buf, at, infoEnd)) return new CodecError("file_info", at, "not ASCII");
  const file_info = bytesToString(buf, at, infoEnd);
  if (d.getUint32(at + 64, true) !== SIGNATURE)
    return new CodecError("signature", at + 64, "bad signature");
  const version = d.getUint32(at + 68, true);
  if (version !== 0x00010001) return new CodecError("version", at + 68, "must be 1.1");
  const header_size = d.getUint32(at + 72, true);
  if (header_size < 0x180 || header_size > 0x1b8)
    return new CodecError("header_size", at + 72, "out of range");
  const image_type = imageType(d.getUint32(at + 76, true));
  const image_flags = d.getUint32(at + 80, true);
  const descriptionEnd = findNul(buf, at + 84, at + 340);
  if (firstNonZero(buf, descriptionEnd, at + 340) !== -1)
    return new CodecError("description", descriptionEnd, "non-zero after the NUL");
  const description = decodeUtf8(buf, at + 84, descriptionEnd);
  if (description === undefined) return new CodecError("description", at + 84, "not UTF-8");
  const offset_bmap = d.getUint32(at + 340, true);
  if (offset_bmap % 512 !== 0) return new CodecError("offset_bmap", at + 340, "not sector-aligned");
  const offset_data = d.getUint32(at + 344, true);
  if (offset_data % 512 !== 0) return new CodecError("offset_data", at + 344, "not sector-aligned");
  const reserved = new Array<ReservedWord>(10);
  for (let i = 0; i < 10; i++) reserved[i] = { value: d.getUint32(at + 472 + 4 * i, true) };
  return {
    value: {
      file_info,
      version,
      header_size,
      image_type,
      image_flags,
      description,
      offset_bmap,
      offset_data,
      legacy_geometry: readGeometry(d, at + 348),
      unused1: d.getUint32(at + 364, true),
      disk_size: readU64le(d, at + 368),
      block_size: d.getUint32(at + 376, true),
      block_extra: d.getUint32(at + 380, true),
      blocks_in_image: d.getUint32(at + 384, true),
      blocks_allocated: d.getUint32(at + 388, true),
      uuid_image: readGuid(buf, at + 392),
      uuid_last_snap: readGuid(buf, at + 408),
      uuid_link: readGuid(buf, at + 424),
      uuid_parent: readGuid(buf, at + 440),
      lchs_geometry: readGeometry(d, at + 456),
      reserved,
    },
    end: at + SIZE,
  };
}

function imageTypeValue(t: ImageType): number | undefined {
  switch (t) {
    case "Dynamic":
      return 1;
    case "Static":
      return 2;
    case "Undo":
      return 3;
    case "Diff":
      return 4;
  }
  if (typeof t !== "object" || t === null || !isU32(t.unknown)) return undefined;
  return t.unknown >= 1 && t.unknown <= 4 ? undefined : t.unknown;
}

function geometryOk(g: Geometry): boolean {
  return (
    typeof g === "object" &&
    g !== null &&
    isU32(g.cylinders) &&
    isU32(g.heads) &&
    isU32(g.sectors) &&
    isU32(g.sector_size)
  );
}

/** Bytes of ASCII text without NUL, or -1. */
function asciiLength(text: unknown): number {
  if (typeof text !== "string") return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c >= 0x80) return -1;
  }
  return text.length;
}

function check(v: Header): CodecError | undefined {
  if (typeof v !== "object" || v === null) return new CodecError("", undefined, "not a Header");
  const info = asciiLength(v.file_info);
  if (info < 0 || info > 64) return new CodecError("file_info", undefined, "bad banner");
  if (v.version !== 0x00010001) return new CodecError("version", undefined, "must be 1.1");
  if (!isU32(v.header_size) || v.header_size < 0x180 || v.header_size > 0x1b8)
    return new CodecError("header_size", undefined, "out of range");
  if (imageTypeValue(v.image_type) === undefined)
    return new CodecError("image_type", undefined, "bad image type");
  if (!isU32(v.image_flags)) return new CodecError("image_flags", undefined, "not a u32");
  if (typeof v.description !== "string" || v.description.includes("\0"))
    return new CodecError("description", undefined, "not text without NUL");
  const description = utf8Length(v.description);
  if (description < 0 || description > 256)
    return new CodecError("description", undefined, "does not fit");
  if (!isU32(v.offset_bmap) || v.offset_bmap % 512 !== 0)
    return new CodecError("offset_bmap", undefined, "not sector-aligned");
  if (!isU32(v.offset_data) || v.offset_data % 512 !== 0)
    return new CodecError("offset_data", undefined, "not sector-aligned");
  if (!geometryOk(v.legacy_geometry) || !geometryOk(v.lchs_geometry))
    return new CodecError("legacy_geometry", undefined, "bad geometry");
  if (
    !isU32(v.unused1) ||
    !isU32(v.block_size) ||
    !isU32(v.block_extra) ||
    !isU32(v.blocks_in_image) ||
    !isU32(v.blocks_allocated)
  )
    return new CodecError("", undefined, "a u32 field is out of range");
  if (!isU64(v.disk_size)) return new CodecError("disk_size", undefined, "not a u64");
  if (
    !isUuid(v.uuid_image) ||
    !isUuid(v.uuid_last_snap) ||
    !isUuid(v.uuid_link) ||
    !isUuid(v.uuid_parent)
  )
    return new CodecError("uuid_image", undefined, "not canonical UUID text");
  const r = v.reserved;
  if (!Array.isArray(r) || r.length !== 10)
    return new CodecError("reserved", undefined, "needs 10 words");
  for (let i = 0; i < 10; i++) {
    const w = r[i];
    if (typeof w !== "object" || w === null || !isU32(w.value))
      return new CodecError(`reserved[${i}]`, undefined, "not a u32");
  }
  return undefined;
}

function writeGeometry(d: DataView, o: number, g: Geometry): void {
  d.setUint32(o, g.cylinders, true);
  d.setUint32(o + 4, g.heads, true);
  d.setUint32(o + 8, g.sectors, true);
  d.setUint32(o + 12, g.sector_size, true);
}

export function sizeof(_v: Header): number {
  return SIZE;
}

export function write(v: Header, buf: Uint8Array, at = 0): number | CodecError {
  const problem = check(v);
  if (problem !== undefined) return problem;
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < SIZE)
    return new CodecError("", undefined, `needs ${SIZE} bytes`);
  const d = viewOf(buf);
  const info = v.file_info;
  for (let i = 0; i < info.length; i++) buf[at + i] = info.charCodeAt(i);
  buf.fill(0, at + info.length, at + 64);
  d.setUint32(at + 64, SIGNATURE, true);
  d.setUint32(at + 68, v.version, true);
  d.setUint32(at + 72, v.header_size, true);
  d.setUint32(at + 76, imageTypeValue(v.image_type) ?? 0, true);
  d.setUint32(at + 80, v.image_flags, true);
  const n = writeUtf8(buf, at + 84, v.description, utf8Length(v.description));
  buf.fill(0, at + 84 + n, at + 340);
  d.setUint32(at + 340, v.offset_bmap, true);
  d.setUint32(at + 344, v.offset_data, true);
  writeGeometry(d, at + 348, v.legacy_geometry);
  d.setUint32(at + 364, v.unused1, true);
  writeU64le(d, at + 368, v.disk_size);
  d.setUint32(at + 376, v.block_size, true);
  d.setUint32(at + 380, v.block_extra, true);
  d.setUint32(at + 384, v.blocks_in_image, true);
  d.setUint32(at + 388, v.blocks_allocated, true);
  writeGuid(buf, at + 392, v.uuid_image);
  writeGuid(buf, at + 408, v.uuid_last_snap);
  writeGuid(buf, at + 424, v.uuid_link);
  writeGuid(buf, at + 440, v.uuid_parent);
  writeGeometry(d, at + 456, v.lchs_geometry);
  for (let i = 0; i < 10; i++) d.setUint32(at + 472 + 4 * i, v.reserved[i]!.value, true);
  return at + SIZE;
}
