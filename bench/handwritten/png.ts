/**
 * A PNG codec written by hand for the benchmark: the same fields, checks
 * and value shape as generated/png.ts (the signature, then chunks up to
 * and including IEND, each a `{ kind, ... }` object of its type's fields,
 * any other type kept as `Unknown` with its type and data; byte fields as
 * byte strings; the CRC-32 over type and data checked on read and computed
 * on write, so not in the value), as fast as we can write it. The CRC is
 * the runtime's (the checksum benchmark times it on its own).
 */
import type {
  Chunk,
  ColourType,
  HistogramEntry,
  PaletteEntry,
  PhysicalUnit,
  Png,
  RenderingIntent,
} from "../../generated/png.js";
import { crc32 } from "../../runtime/checksum.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import { bytesToString, isByteString, isU32, stringToBytes, viewOf } from "./common.js";

const SIGNATURE_HI = 0x89504e47;
const SIGNATURE_LO = 0x0d0a1a0a;

const IHDR = 0x49484452;
const PLTE = 0x504c5445;
const IDAT = 0x49444154;
const IEND = 0x49454e44;
const TRNS = 0x74524e53;
const GAMA = 0x67414d41;
const CHRM = 0x6348524d;
const SRGB = 0x73524742;
const ICCP = 0x69434350;
const TEXT = 0x74455874;
const ZTXT = 0x7a545874;
const ITXT = 0x69545874;
const BKGD = 0x624b4744;
const PHYS = 0x70485973;
const SBIT = 0x73424954;
const HIST = 0x68495354;
const TIME = 0x74494d45;

const COLOUR_TYPES: readonly (ColourType | undefined)[] = [
  "Greyscale",
  undefined,
  "Truecolour",
  "Indexed",
  "Greyscale_alpha",
  undefined,
  "Truecolour_alpha",
];
const INTENTS: readonly RenderingIntent[] = [
  "Perceptual",
  "Relative_colorimetric",
  "Saturation",
  "Absolute_colorimetric",
];
const UNITS: readonly PhysicalUnit[] = ["Unspecified", "Metre"];

/** The index of the first NUL in [from, to), or -1. */
function nul(b: Uint8Array, from: number, to: number): number {
  const i = b.indexOf(0, from);
  return i === -1 || i >= to ? -1 : i;
}

const bad = (field: string, at: number, why: string): CodecError => new CodecError(field, at, why);

/** The payload [p, e) of a chunk of type `tag` as its value, or an error. */
function payload(
  b: Uint8Array,
  d: DataView,
  tag: number,
  p: number,
  e: number,
): Chunk | CodecError {
  const n = e - p;
  switch (tag) {
    case IHDR: {
      if (n !== 13) return bad("length", p - 8, "IHDR is 13 bytes");
      const width = d.getUint32(p);
      if (width < 1 || width > 0x7fffffff) return bad("width", p, "out of range");
      const height = d.getUint32(p + 4);
      if (height < 1 || height > 0x7fffffff) return bad("height", p + 4, "out of range");
      const colour_type = COLOUR_TYPES[b[p + 9]!];
      if (colour_type === undefined) return bad("colour_type", p + 9, "not a ColourType");
      if (b[p + 10] !== 0) return bad("compression_method", p + 10, "not Deflate");
      if (b[p + 11] !== 0) return bad("filter_method", p + 11, "not Adaptive");
      const interlace = b[p + 12]!;
      if (interlace > 1) return bad("interlace_method", p + 12, "not an InterlaceMethod");
      return {
        kind: "Header",
        width,
        height,
        bit_depth: b[p + 8]!,
        colour_type,
        compression_method: "Deflate",
        filter_method: "Adaptive",
        interlace_method: interlace === 0 ? "None" : "Adam7",
      };
    }
    case PLTE: {
      if (n % 3 !== 0) return bad("entries", p, "not whole palette entries");
      const entries = new Array<PaletteEntry>(n / 3);
      for (let i = 0, o = p; o < e; i++, o += 3)
        entries[i] = { red: b[o]!, green: b[o + 1]!, blue: b[o + 2]! };
      return { kind: "Palette", entries };
    }
    case IDAT:
      return { kind: "Image_data", data: bytesToString(b, p, e) };
    case IEND:
      if (n !== 0) return bad("length", p - 8, "IEND is empty");
      return { kind: "End" };
    case TRNS:
      return { kind: "Transparency", data: bytesToString(b, p, e) };
    case GAMA:
      if (n !== 4) return bad("length", p - 8, "gAMA is 4 bytes");
      return { kind: "Gamma", gamma: d.getUint32(p) };
    case CHRM:
      if (n !== 32) return bad("length", p - 8, "cHRM is 32 bytes");
      return {
        kind: "Chromaticities",
        white_x: d.getUint32(p),
        white_y: d.getUint32(p + 4),
        red_x: d.getUint32(p + 8),
        red_y: d.getUint32(p + 12),
        green_x: d.getUint32(p + 16),
        green_y: d.getUint32(p + 20),
        blue_x: d.getUint32(p + 24),
        blue_y: d.getUint32(p + 28),
      };
    case SRGB: {
      if (n !== 1) return bad("length", p - 8, "sRGB is 1 byte");
      const rendering_intent = INTENTS[b[p]!];
      if (rendering_intent === undefined) return bad("rendering_intent", p, "not an intent");
      return { kind: "Srgb", rendering_intent };
    }
    case ICCP: {
      const z = nul(b, p, e);
      if (z === -1) return bad("name", p, "no NUL");
      if (e - z < 2) return bad("compression_method", z + 1, "truncated");
      if (b[z + 1] !== 0) return bad("compression_method", z + 1, "not Deflate");
      return {
        kind: "Icc_profile",
        name: bytesToString(b, p, z),
        compression_method: "Deflate",
        profile: bytesToString(b, z + 2, e),
      };
    }
    case TEXT: {
      const z = nul(b, p, e);
      if (z === -1) return bad("keyword", p, "no NUL");
      return { kind: "Text", keyword: bytesToString(b, p, z), text: bytesToString(b, z + 1, e) };
    }
    case ZTXT: {
      const z = nul(b, p, e);
      if (z === -1) return bad("keyword", p, "no NUL");
      if (e - z < 2) return bad("compression_method", z + 1, "truncated");
      if (b[z + 1] !== 0) return bad("compression_method", z + 1, "not Deflate");
      return {
        kind: "Compressed_text",
        keyword: bytesToString(b, p, z),
        compression_method: "Deflate",
        compressed_text: bytesToString(b, z + 2, e),
      };
    }
    case ITXT: {
      const z = nul(b, p, e);
      if (z === -1) return bad("keyword", p, "no NUL");
      if (e - z < 3) return bad("compressed", z + 1, "truncated");
      if (b[z + 2] !== 0) return bad("compression_method", z + 2, "not Deflate");
      const l = nul(b, z + 3, e);
      if (l === -1) return bad("language", z + 3, "no NUL");
      const t = nul(b, l + 1, e);
      if (t === -1) return bad("translated_keyword", l + 1, "no NUL");
      return {
        kind: "International_text",
        keyword: bytesToString(b, p, z),
        compressed: b[z + 1]!,
        compression_method: "Deflate",
        language: bytesToString(b, z + 3, l),
        translated_keyword: bytesToString(b, l + 1, t),
        text: bytesToString(b, t + 1, e),
      };
    }
    case BKGD:
      return { kind: "Background", data: bytesToString(b, p, e) };
    case PHYS: {
      if (n !== 9) return bad("length", p - 8, "pHYs is 9 bytes");
      const unit = UNITS[b[p + 8]!];
      if (unit === undefined) return bad("unit", p + 8, "not a PhysicalUnit");
      return {
        kind: "Physical",
        pixels_per_unit_x: d.getUint32(p),
        pixels_per_unit_y: d.getUint32(p + 4),
        unit,
      };
    }
    case SBIT:
      return { kind: "Significant_bits", data: bytesToString(b, p, e) };
    case HIST: {
      if (n % 2 !== 0) return bad("frequencies", p, "not whole entries");
      const frequencies = new Array<HistogramEntry>(n / 2);
      for (let i = 0, o = p; o < e; i++, o += 2) frequencies[i] = { frequency: d.getUint16(o) };
      return { kind: "Histogram", frequencies };
    }
    case TIME:
      if (n !== 7) return bad("length", p - 8, "tIME is 7 bytes");
      return {
        kind: "Time",
        year: d.getUint16(p),
        month: b[p + 2]!,
        day: b[p + 3]!,
        hour: b[p + 4]!,
        minute: b[p + 5]!,
        second: b[p + 6]!,
      };
    default:
      return { kind: "Unknown", type: tag, data: bytesToString(b, p, e) };
  }
}

export function read(buf: Uint8Array, at = 0): Decoded<Png> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  const limit = buf.length;
  if (limit - at < 8) return new CodecError("signature", at, "truncated");
  const d = viewOf(buf);
  if (d.getUint32(at) !== SIGNATURE_HI || d.getUint32(at + 4) !== SIGNATURE_LO)
    return new CodecError("signature", at, "not a PNG signature");
  const chunks: Chunk[] = [];
  let pos = at + 8;
  for (;;) {
    if (limit - pos < 8) return new CodecError(`chunks[${chunks.length}]`, pos, "truncated");
    const length = d.getUint32(pos);
    const tag = d.getUint32(pos + 4);
    const p = pos + 8;
    const e = p + length;
    if (e + 4 > limit) return new CodecError(`chunks[${chunks.length}].length`, pos, "too long");
    const chunk = payload(buf, d, tag, p, e);
    if (chunk instanceof CodecError) return chunk.within(`chunks[${chunks.length}]`);
    if (d.getUint32(e) !== crc32(buf, pos + 4, e))
      return new CodecError(`chunks[${chunks.length}].crc`, e, "CRC-32 mismatch");
    chunks.push(chunk);
    pos = e + 4;
    if (tag === IEND) break;
  }
  return { value: { chunks }, end: pos };
}

const KNOWN_TAGS = new Set([
  IHDR,
  PLTE,
  IDAT,
  IEND,
  TRNS,
  GAMA,
  CHRM,
  SRGB,
  ICCP,
  TEXT,
  ZTXT,
  ITXT,
  BKGD,
  PHYS,
  SBIT,
  HIST,
  TIME,
]);

const isU8 = (v: unknown): v is number => typeof v === "number" && (v & 0xff) === v;
const isU16 = (v: unknown): v is number => typeof v === "number" && (v & 0xffff) === v;
/** A byte string with no NUL (a field the format ends with one). */
const isKeyword = (v: unknown): v is string => isByteString(v) && v.indexOf("\0") === -1;

/** The payload size of a chunk that {@link check} has passed. */
function payloadSize(c: Chunk): number {
  switch (c.kind) {
    case "Header":
      return 13;
    case "Palette":
      return 3 * c.entries.length;
    case "End":
      return 0;
    case "Gamma":
      return 4;
    case "Chromaticities":
      return 32;
    case "Srgb":
      return 1;
    case "Icc_profile":
      return c.name.length + 2 + c.profile.length;
    case "Text":
      return c.keyword.length + 1 + c.text.length;
    case "Compressed_text":
      return c.keyword.length + 2 + c.compressed_text.length;
    case "International_text":
      return c.keyword.length + 5 + c.language.length + c.translated_keyword.length + c.text.length;
    case "Physical":
      return 9;
    case "Histogram":
      return 2 * c.frequencies.length;
    case "Time":
      return 7;
    default:
      return c.data.length;
  }
}

/** Why a chunk cannot be written, or undefined. */
function checkChunk(c: Chunk): string | undefined {
  if (typeof c !== "object" || c === null) return "not a Chunk";
  switch (c.kind) {
    case "Header":
      if (!isU32(c.width) || c.width < 1 || c.width > 0x7fffffff) return "width: out of range";
      if (!isU32(c.height) || c.height < 1 || c.height > 0x7fffffff) return "height: out of range";
      if (!isU8(c.bit_depth)) return "bit_depth: not a u8";
      if (typeof c.colour_type !== "string" || !COLOUR_TYPES.includes(c.colour_type))
        return "colour_type: not a ColourType";
      if (c.compression_method !== "Deflate") return "compression_method: not Deflate";
      if (c.filter_method !== "Adaptive") return "filter_method: not Adaptive";
      if (c.interlace_method !== "None" && c.interlace_method !== "Adam7")
        return "interlace_method: not an InterlaceMethod";
      return undefined;
    case "Palette":
      if (!Array.isArray(c.entries)) return "entries: not an array";
      for (const p of c.entries)
        if (typeof p !== "object" || p === null || !isU8(p.red) || !isU8(p.green) || !isU8(p.blue))
          return "entries: not a PaletteEntry";
      break;
    case "End":
      return undefined;
    case "Gamma":
      return isU32(c.gamma) ? undefined : "gamma: not a u32";
    case "Chromaticities":
      return isU32(c.white_x) &&
        isU32(c.white_y) &&
        isU32(c.red_x) &&
        isU32(c.red_y) &&
        isU32(c.green_x) &&
        isU32(c.green_y) &&
        isU32(c.blue_x) &&
        isU32(c.blue_y)
        ? undefined
        : "a chromaticity is not a u32";
    case "Srgb":
      return INTENTS.includes(c.rendering_intent) ? undefined : "not a RenderingIntent";
    case "Icc_profile":
      if (!isKeyword(c.name)) return "name: not a byte string without NUL";
      if (c.compression_method !== "Deflate") return "compression_method: not Deflate";
      if (!isByteString(c.profile)) return "profile: not a byte string";
      break;
    case "Text":
      if (!isKeyword(c.keyword)) return "keyword: not a byte string without NUL";
      if (!isByteString(c.text)) return "text: not a byte string";
      break;
    case "Compressed_text":
      if (!isKeyword(c.keyword)) return "keyword: not a byte string without NUL";
      if (c.compression_method !== "Deflate") return "compression_method: not Deflate";
      if (!isByteString(c.compressed_text)) return "compressed_text: not a byte string";
      break;
    case "International_text":
      if (!isKeyword(c.keyword) || !isKeyword(c.language) || !isKeyword(c.translated_keyword))
        return "keyword, language or translated_keyword: not a byte string without NUL";
      if (!isU8(c.compressed)) return "compressed: not a u8";
      if (c.compression_method !== "Deflate") return "compression_method: not Deflate";
      if (!isByteString(c.text)) return "text: not a byte string";
      break;
    case "Physical":
      if (!isU32(c.pixels_per_unit_x) || !isU32(c.pixels_per_unit_y))
        return "pixels per unit: not a u32";
      return UNITS.includes(c.unit) ? undefined : "unit: not a PhysicalUnit";
    case "Histogram":
      if (!Array.isArray(c.frequencies)) return "frequencies: not an array";
      for (const h of c.frequencies)
        if (typeof h !== "object" || h === null || !isU16(h.frequency))
          return "frequencies: not a HistogramEntry";
      break;
    case "Time":
      return isU16(c.year) &&
        isU8(c.month) &&
        isU8(c.day) &&
        isU8(c.hour) &&
        isU8(c.minute) &&
        isU8(c.second)
        ? undefined
        : "a time field is out of range";
    case "Unknown":
      if (!isU32(c.type) || KNOWN_TAGS.has(c.type)) return "type: not an unlisted chunk type";
      if (!isByteString(c.data)) return "data: not a byte string";
      break;
    case "Image_data":
    case "Transparency":
    case "Background":
    case "Significant_bits":
      if (!isByteString(c.data)) return "data: not a byte string";
      break;
    default:
      return "kind: not a Chunk kind";
  }
  return payloadSize(c) > 0xffffffff ? "payload: too long" : undefined;
}

export function sizeof(v: Png): number {
  let n = 8;
  for (const c of v.chunks) n += 12 + payloadSize(c);
  return n;
}

/** Writes a chunk's type and payload at `p` (just after its length); returns where the payload ends. */
function putPayload(b: Uint8Array, d: DataView, c: Chunk, p: number): number {
  switch (c.kind) {
    case "Header":
      d.setUint32(p - 4, IHDR);
      d.setUint32(p, c.width);
      d.setUint32(p + 4, c.height);
      b[p + 8] = c.bit_depth;
      b[p + 9] = COLOUR_TYPES.indexOf(c.colour_type);
      b[p + 10] = 0;
      b[p + 11] = 0;
      b[p + 12] = c.interlace_method === "None" ? 0 : 1;
      return p + 13;
    case "Palette": {
      d.setUint32(p - 4, PLTE);
      let o = p;
      for (const e of c.entries) {
        b[o] = e.red;
        b[o + 1] = e.green;
        b[o + 2] = e.blue;
        o += 3;
      }
      return o;
    }
    case "Image_data":
      d.setUint32(p - 4, IDAT);
      stringToBytes(b, p, c.data);
      return p + c.data.length;
    case "End":
      d.setUint32(p - 4, IEND);
      return p;
    case "Transparency":
      d.setUint32(p - 4, TRNS);
      stringToBytes(b, p, c.data);
      return p + c.data.length;
    case "Gamma":
      d.setUint32(p - 4, GAMA);
      d.setUint32(p, c.gamma);
      return p + 4;
    case "Chromaticities":
      d.setUint32(p - 4, CHRM);
      d.setUint32(p, c.white_x);
      d.setUint32(p + 4, c.white_y);
      d.setUint32(p + 8, c.red_x);
      d.setUint32(p + 12, c.red_y);
      d.setUint32(p + 16, c.green_x);
      d.setUint32(p + 20, c.green_y);
      d.setUint32(p + 24, c.blue_x);
      d.setUint32(p + 28, c.blue_y);
      return p + 32;
    case "Srgb":
      d.setUint32(p - 4, SRGB);
      b[p] = INTENTS.indexOf(c.rendering_intent);
      return p + 1;
    case "Icc_profile": {
      d.setUint32(p - 4, ICCP);
      stringToBytes(b, p, c.name);
      const z = p + c.name.length;
      b[z] = 0;
      b[z + 1] = 0;
      stringToBytes(b, z + 2, c.profile);
      return z + 2 + c.profile.length;
    }
    case "Text": {
      d.setUint32(p - 4, TEXT);
      stringToBytes(b, p, c.keyword);
      const z = p + c.keyword.length;
      b[z] = 0;
      stringToBytes(b, z + 1, c.text);
      return z + 1 + c.text.length;
    }
    case "Compressed_text": {
      d.setUint32(p - 4, ZTXT);
      stringToBytes(b, p, c.keyword);
      const z = p + c.keyword.length;
      b[z] = 0;
      b[z + 1] = 0;
      stringToBytes(b, z + 2, c.compressed_text);
      return z + 2 + c.compressed_text.length;
    }
    case "International_text": {
      d.setUint32(p - 4, ITXT);
      stringToBytes(b, p, c.keyword);
      let o = p + c.keyword.length;
      b[o] = 0;
      b[o + 1] = c.compressed;
      b[o + 2] = 0;
      stringToBytes(b, o + 3, c.language);
      o += 3 + c.language.length;
      b[o] = 0;
      stringToBytes(b, o + 1, c.translated_keyword);
      o += 1 + c.translated_keyword.length;
      b[o] = 0;
      stringToBytes(b, o + 1, c.text);
      return o + 1 + c.text.length;
    }
    case "Background":
      d.setUint32(p - 4, BKGD);
      stringToBytes(b, p, c.data);
      return p + c.data.length;
    case "Physical":
      d.setUint32(p - 4, PHYS);
      d.setUint32(p, c.pixels_per_unit_x);
      d.setUint32(p + 4, c.pixels_per_unit_y);
      b[p + 8] = c.unit === "Unspecified" ? 0 : 1;
      return p + 9;
    case "Significant_bits":
      d.setUint32(p - 4, SBIT);
      stringToBytes(b, p, c.data);
      return p + c.data.length;
    case "Histogram": {
      d.setUint32(p - 4, HIST);
      let o = p;
      for (const h of c.frequencies) {
        d.setUint16(o, h.frequency);
        o += 2;
      }
      return o;
    }
    case "Time":
      d.setUint32(p - 4, TIME);
      d.setUint16(p, c.year);
      b[p + 2] = c.month;
      b[p + 3] = c.day;
      b[p + 4] = c.hour;
      b[p + 5] = c.minute;
      b[p + 6] = c.second;
      return p + 7;
    case "Unknown":
      d.setUint32(p - 4, c.type);
      stringToBytes(b, p, c.data);
      return p + c.data.length;
  }
}

export function write(v: Png, buf: Uint8Array, at = 0): number | CodecError {
  if (typeof v !== "object" || v === null || !Array.isArray(v.chunks))
    return new CodecError("", undefined, "not a Png");
  const chunks = v.chunks;
  for (let i = 0; i < chunks.length; i++) {
    const why = checkChunk(chunks[i]!);
    if (why !== undefined) return new CodecError(`chunks[${i}]`, undefined, why);
    if ((chunks[i]!.kind === "End") !== (i === chunks.length - 1))
      return new CodecError(`chunks[${i}]`, undefined, "End must be the last chunk, and only it");
  }
  if (chunks.length === 0) return new CodecError("chunks", undefined, "must end with End");
  const size = sizeof(v);
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
    return new CodecError("", undefined, `needs ${size} bytes`);
  const d = viewOf(buf);
  d.setUint32(at, SIGNATURE_HI);
  d.setUint32(at + 4, SIGNATURE_LO);
  let pos = at + 8;
  for (const c of chunks) {
    const e = putPayload(buf, d, c, pos + 8);
    d.setUint32(pos, e - pos - 8);
    d.setUint32(e, crc32(buf, pos + 4, e));
    pos = e + 4;
  }
  return pos;
}
