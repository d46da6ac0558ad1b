/**
 * The benchmark's baseline: a qcow2 header codec written by hand, as well as
 * we can, for the same fields, the same checks and the same value shape as
 * the generated codec (`generated/qcow2.ts`): the same `Header` objects,
 * bigint 64-bit fields, extension objects and byte strings (one char per
 * byte), and a `CodecError` (with a shorter message) wherever the generated
 * codec rejects the input.
 *
 * How it is fast:
 * - One module-level DataView over the last array seen, rebuilt only when
 *   another array comes (building one per call costs as much as decoding a
 *   72-byte v2 header).
 * - 64-bit fields: a zero reads as the literal `0n` (no allocation); others
 *   go through a one-element BigInt64Array, whose loads and stores V8
 *   compiles inline, so writing allocates nothing.
 * - Byte strings: Node's native latin1 slice in one call, never a
 *   `String.fromCharCode` per byte; feature names QEMU writes are matched
 *   byte by byte, so a known name allocates no string at all.
 * - The feature array is allocated at its final size (the payload length
 *   gives the count), so it never grows and leaves no garbage.
 */
import type {
  Additional,
  CompressionType,
  CryptMethod,
  Extension,
  Feature,
  FeatureName,
  FeatureType,
  Header,
  Version,
} from "../generated/qcow2.js";
import { CodecError, type Decoded } from "../runtime/codec.js";

const MAGIC = 0x514649fb;
const TAG_BACKING_FILE = 0xe2792aca;
const TAG_FEATURE_NAME_TABLE = 0x6803f857;
const TAG_BITMAPS = 0x23852875;
const TAG_FULL_DISK_ENCRYPTION = 0x0537be77;
const TAG_EXTERNAL_DATA_FILE = 0x44415441;
const FEATURE_SIZE = 48;
const FEATURE_NAME_SIZE = 46;

// ---------------------------------------------------------------- bytes

let view: DataView = new DataView(new ArrayBuffer(8));
let viewArray: Uint8Array = new Uint8Array(0);

/**
 * A DataView over the whole ArrayBuffer of `buf` (offsets need
 * `buf.byteOffset` added), kept while the same array comes back: comparing
 * the array is cheaper than reading its `buffer`.
 */
function viewOf(buf: Uint8Array): DataView {
  if (buf !== viewArray) {
    view = new DataView(buf.buffer);
    viewArray = buf;
  }
  return view;
}

const scratch64 = new BigInt64Array(1);
const scratchU64 = new BigUint64Array(scratch64.buffer);
const scratch32 = new Uint32Array(scratch64.buffer);
/** Index of the high and low 32-bit halves of the scratch in host byte order. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

function joinSigned(hi: number, lo: number): bigint {
  if (hi === 0 && lo === 0) return 0n;
  scratch32[HI] = hi;
  scratch32[LO] = lo;
  return scratch64[0];
}

function joinUnsigned(hi: number, lo: number): bigint {
  if (hi === 0 && lo === 0) return 0n;
  scratch32[HI] = hi;
  scratch32[LO] = lo;
  return scratchU64[0];
}

function readI64(d: DataView, o: number): bigint {
  return joinSigned(d.getUint32(o), d.getUint32(o + 4));
}

function readU64(d: DataView, o: number): bigint {
  return joinUnsigned(d.getUint32(o), d.getUint32(o + 4));
}

/** Writes a 64-bit value (signed or unsigned) big-endian; allocates nothing. */
function write64(d: DataView, o: number, v: bigint): void {
  scratchU64[0] = v;
  d.setUint32(o, scratch32[HI]);
  d.setUint32(o + 4, scratch32[LO]);
}

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
type Latin1Write = (this: Uint8Array, text: string, offset: number, length: number) => number;
const nodeBuffer = (
  globalThis as { Buffer?: { prototype: { latin1Slice?: Latin1Slice; latin1Write?: Latin1Write } } }
).Buffer?.prototype;
const latin1Slice = nodeBuffer?.latin1Slice;
const latin1Write = nodeBuffer?.latin1Write;

/** Bytes [start, end) as a string of char codes 0-255, built in one step. */
function bytesToString(buf: Uint8Array, start: number, end: number): string {
  if (start === end) return "";
  if (latin1Slice !== undefined) return latin1Slice.call(buf, start, end);
  let text = "";
  for (let i = start; i < end; i += 4096) {
    const chunk = buf.subarray(i, Math.min(end, i + 4096));
    text += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return text;
}

function stringToBytes(buf: Uint8Array, at: number, text: string): void {
  if (latin1Write !== undefined && text.length > 16) {
    latin1Write.call(buf, text, at, text.length);
    return;
  }
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i);
}

function isByteString(text: unknown): text is string {
  if (typeof text !== "string") return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

function allZero(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

// ---------------------------------------------------------------- enums

const FEATURE_NAMES: readonly (readonly [FeatureName & string, string])[] = [
  ["Dirty", "dirty bit"],
  ["Corrupt", "corrupt bit"],
  ["External_data_file", "external data file"],
  ["Compression_type", "compression type"],
  ["Extended_l2", "extended L2 entries"],
  ["Lazy_refcounts", "lazy refcounts"],
  ["Bitmaps", "bitmaps"],
  ["Raw_external_data", "raw external data"],
];

interface KnownName {
  readonly name: FeatureName & string;
  readonly text: string;
  readonly bytes: Uint8Array;
}

/** The known feature names by their byte length (QEMU's eight all differ in length). */
const NAMES_BY_LENGTH: (KnownName | null)[] = Array.from(
  { length: FEATURE_NAME_SIZE + 1 },
  () => null,
);
for (const [name, text] of FEATURE_NAMES) {
  if (NAMES_BY_LENGTH[text.length] !== null) throw new Error("two known names of one length");
  NAMES_BY_LENGTH[text.length] = {
    name,
    text,
    bytes: Uint8Array.from(text, (c) => c.charCodeAt(0)),
  };
}

function decodeFeatureName(buf: Uint8Array, start: number, end: number): FeatureName {
  const known = NAMES_BY_LENGTH[end - start];
  if (known !== null) {
    const bytes = known.bytes;
    let i = 0;
    while (i < bytes.length && buf[start + i] === bytes[i]) i++;
    if (i === bytes.length) return known.name;
  }
  return { unknown: bytesToString(buf, start, end) };
}

function encodeFeatureName(v: FeatureName): string | undefined {
  switch (v) {
    case "Dirty":
      return "dirty bit";
    case "Corrupt":
      return "corrupt bit";
    case "External_data_file":
      return "external data file";
    case "Compression_type":
      return "compression type";
    case "Extended_l2":
      return "extended L2 entries";
    case "Lazy_refcounts":
      return "lazy refcounts";
    case "Bitmaps":
      return "bitmaps";
    case "Raw_external_data":
      return "raw external data";
  }
  if (typeof v !== "object" || v === null) return undefined;
  const raw = v.unknown;
  if (!isByteString(raw) || raw.length > FEATURE_NAME_SIZE || raw.includes("\0")) return undefined;
  const known = NAMES_BY_LENGTH[raw.length];
  return known !== null && known.text === raw ? undefined : raw;
}

function decodeVersion(raw: number): Version | undefined {
  return raw === 3 ? "Three" : raw === 2 ? "Two" : raw === 1 ? "One" : undefined;
}

function encodeVersion(v: Version): number {
  return v === "Three" ? 3 : v === "Two" ? 2 : v === "One" ? 1 : -1;
}

function decodeCryptMethod(raw: number): CryptMethod | undefined {
  return raw === 0 ? "None" : raw === 1 ? "Aes" : raw === 2 ? "Luks" : undefined;
}

function encodeCryptMethod(v: CryptMethod): number {
  return v === "None" ? 0 : v === "Aes" ? 1 : v === "Luks" ? 2 : -1;
}

function decodeCompressionType(raw: number): CompressionType {
  return raw === 0 ? "Zlib" : raw === 1 ? "Zstd" : { unknown: raw };
}

function encodeCompressionType(v: CompressionType): number {
  if (v === "Zlib") return 0;
  if (v === "Zstd") return 1;
  if (typeof v !== "object" || v === null) return -1;
  const raw = v.unknown;
  return (raw & 0xff) === raw && raw > 1 ? raw : -1;
}

function decodeFeatureType(raw: number): FeatureType | undefined {
  return raw === 0
    ? "Incompatible"
    : raw === 1
      ? "Compatible"
      : raw === 2
        ? "Autoclear"
        : undefined;
}

function encodeFeatureType(v: FeatureType): number {
  return v === "Incompatible" ? 0 : v === "Compatible" ? 1 : v === "Autoclear" ? 2 : -1;
}

// ---------------------------------------------------------------- read

function fail(path: string, at: number, reason: string): CodecError {
  return new CodecError(path, at, reason);
}

/** Reads a header like the generated `read`: the value and the offset after the end marker, or an error. */
export function read(buf: Uint8Array, at = 0): Decoded<Header> | CodecError {
  const limit = buf.length;
  if (!Number.isSafeInteger(at) || at < 0 || at > limit) return fail("", 0, "offset out of range");
  if (limit - at < 72) return fail("magic", at, "truncated");
  const d = viewOf(buf);
  const o = buf.byteOffset;
  if (d.getUint32(o + at) !== MAGIC) return fail("magic", at, "bad magic");
  const versionRaw = d.getUint32(o + at + 4);
  const version = decodeVersion(versionRaw);
  if (version === undefined) return fail("version", at + 4, "not a Version");
  const cryptMethod = decodeCryptMethod(d.getUint32(o + at + 32));
  if (cryptMethod === undefined) return fail("crypt_method", at + 32, "not a CryptMethod");
  const backing_file_offset = readI64(d, o + at + 8);
  const backing_file_size = d.getInt32(o + at + 16);
  const cluster_bits = d.getInt32(o + at + 20);
  const size = readI64(d, o + at + 24);
  const l1_size = d.getInt32(o + at + 36);
  const l1_table_offset = readI64(d, o + at + 40);
  const refcount_table_offset = readI64(d, o + at + 48);
  const refcount_table_clusters = d.getInt32(o + at + 56);
  const nb_snapshots = d.getInt32(o + at + 60);
  const snapshots_offset = readI64(d, o + at + 64);
  let pos = at + 72;
  let additional: Additional | undefined;
  if (versionRaw >= 3) {
    const additionalOrError = readAdditional(buf, d, at, limit);
    if (additionalOrError instanceof CodecError) return additionalOrError;
    additional = additionalOrError;
    pos = at + d.getUint32(o + at + 100);
  }
  const extensions: Extension[] = [];
  for (;;) {
    if (limit - pos < 8) return fail(`extensions[${extensions.length}]`, pos, "truncated");
    const tag = d.getUint32(o + pos);
    const length = d.getUint32(o + pos + 4);
    if (tag === 0) {
      if (length !== 0) return fail(`extensions[${extensions.length}].length`, pos + 4, "end");
      pos += 8;
      break;
    }
    const start = pos + 8;
    const end = start + length;
    const padded = end + ((8 - (length & 7)) & 7);
    if (padded > limit) return fail(`extensions[${extensions.length}].length`, pos + 4, "long");
    const extension = readExtension(buf, d, tag, start, end);
    if (extension instanceof CodecError) return extension;
    if (!allZero(buf, end, padded)) return fail(`extensions[${extensions.length}]`, end, "padding");
    extensions.push(extension);
    pos = padded;
  }
  const value: Header = {
    version,
    backing_file_offset,
    backing_file_size,
    cluster_bits,
    size,
    crypt_method: cryptMethod,
    l1_size,
    l1_table_offset,
    refcount_table_offset,
    refcount_table_clusters,
    nb_snapshots,
    snapshots_offset,
    additional,
    extensions,
  };
  return { value, end: pos };
}

/** The version 3 fields at `at + 72`; checks that header_length is where they end. */
function readAdditional(
  buf: Uint8Array,
  d: DataView,
  at: number,
  limit: number,
): Additional | CodecError {
  const p = at + 72;
  const o = buf.byteOffset + p;
  if (limit - p < 32) return fail("additional", p, "truncated");
  const incompatibleHi = d.getUint32(o);
  const incompatibleLo = d.getUint32(o + 4);
  const compatibleHi = d.getUint32(o + 8);
  const compatibleLo = d.getUint32(o + 12);
  const header_length = d.getUint32(o + 28);
  if (header_length < 104 || header_length % 8 !== 0)
    return fail("additional.header_length", p + 28, "bad header_length");
  let compression_type: CompressionType | undefined;
  let header_extra: string | undefined;
  if (header_length > 104) {
    if (limit - p < 40) return fail("additional.compression_type", p + 32, "truncated");
    compression_type = decodeCompressionType(buf[p + 32]);
    if (!allZero(buf, p + 33, p + 40)) return fail("additional.padding", p + 33, "not zero");
    if (header_length > 112) {
      if (limit - at < header_length) return fail("additional.header_extra", p + 40, "truncated");
      header_extra = bytesToString(buf, p + 40, at + header_length);
    }
  }
  return {
    dirty: (incompatibleLo & 0x1) !== 0,
    corrupt: (incompatibleLo & 0x2) !== 0,
    external_data_file: (incompatibleLo & 0x4) !== 0,
    compression_type_bit: (incompatibleLo & 0x8) !== 0,
    extended_l2: (incompatibleLo & 0x10) !== 0,
    incompatible_unknown: joinUnsigned(incompatibleHi, (incompatibleLo & ~0x1f) >>> 0),
    lazy_refcounts: (compatibleLo & 0x1) !== 0,
    compatible_unknown: joinUnsigned(compatibleHi, (compatibleLo & ~0x1) >>> 0),
    autoclear_features: readI64(d, o + 16),
    refcount_order: d.getInt32(o + 24),
    compression_type,
    header_extra,
  };
}

function readExtension(
  buf: Uint8Array,
  d: DataView,
  tag: number,
  start: number,
  end: number,
): Extension | CodecError {
  const o = buf.byteOffset;
  switch (tag) {
    case TAG_BACKING_FILE:
      return { kind: "Backing_file", format: bytesToString(buf, start, end) };
    case TAG_FEATURE_NAME_TABLE: {
      if ((end - start) % FEATURE_SIZE !== 0) return fail("features", start, "not whole entries");
      // The count is known: allocate the array once, never grow it.
      const features = new Array<Feature>((end - start) / FEATURE_SIZE);
      for (let i = 0, at = start; at < end; i++, at += FEATURE_SIZE) {
        const feature = readFeature(buf, at);
        if (feature instanceof CodecError) return feature;
        features[i] = feature;
      }
      return { kind: "Feature_name_table", features };
    }
    case TAG_BITMAPS:
      if (end - start !== 24) return fail("bitmaps", start, "length is not 24");
      return {
        kind: "Bitmaps",
        bitmaps: {
          nb_bitmaps: d.getUint32(o + start),
          reserved: d.getUint32(o + start + 4),
          bitmap_directory_size: readU64(d, o + start + 8),
          bitmap_directory_offset: readU64(d, o + start + 16),
        },
      };
    case TAG_FULL_DISK_ENCRYPTION:
      if (end - start !== 16) return fail("encryption", start, "length is not 16");
      return {
        kind: "Full_disk_encryption",
        encryption: { offset: readU64(d, o + start), length: readU64(d, o + start + 8) },
      };
    case TAG_EXTERNAL_DATA_FILE:
      return { kind: "External_data_file", filename: bytesToString(buf, start, end) };
    default:
      return { kind: "Unknown", type: tag | 0, data: bytesToString(buf, start, end) };
  }
}

function readFeature(buf: Uint8Array, at: number): Feature | CodecError {
  const ty = decodeFeatureType(buf[at]);
  if (ty === undefined) return fail("ty", at, "not a FeatureType");
  const nameEnd = at + FEATURE_SIZE;
  let nul = at + 2;
  while (nul < nameEnd && buf[nul] !== 0) nul++;
  if (!allZero(buf, nul, nameEnd)) return fail("feature", nul, "bytes after the NUL");
  return { ty, bit: buf[at + 1], feature: decodeFeatureName(buf, at + 2, nul) };
}

// ---------------------------------------------------------------- sizeof

function payloadSize(e: Extension): number {
  switch (e.kind) {
    case "Backing_file":
      return e.format.length;
    case "Feature_name_table":
      return e.features.length * FEATURE_SIZE;
    case "Bitmaps":
      return 24;
    case "Full_disk_encryption":
      return 16;
    case "External_data_file":
      return e.filename.length;
    case "Unknown":
      return e.data.length;
    case "End":
      return 0;
  }
}

function headerLength(a: Additional): number {
  if (a.compression_type === undefined) return 104 + (a.header_extra?.length ?? 0);
  return 112 + (a.header_extra?.length ?? 0);
}

/** The number of bytes {@link write} writes for `v`. */
export function sizeof(v: Header): number {
  let size = v.additional === undefined ? 72 : headerLength(v.additional);
  const extensions = v.extensions;
  for (let i = 0; i < extensions.length; i++) {
    const n = payloadSize(extensions[i]);
    size += 8 + n + ((8 - (n & 7)) & 7);
  }
  return size + 8;
}

// ---------------------------------------------------------------- write

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

function isI64(v: bigint): boolean {
  return typeof v === "bigint" && v >= I64_MIN && v <= I64_MAX;
}

function isU64(v: bigint): boolean {
  return typeof v === "bigint" && v >= 0n && v <= U64_MAX;
}

function isI32(v: number): boolean {
  return (v | 0) === v;
}

function isU32(v: number): boolean {
  return v >>> 0 === v;
}

function invalid(path: string): CodecError {
  return new CodecError(path, undefined, "cannot be written");
}

/** Why `v` cannot be written (the same rules as the generated codec), or undefined. */
function check(v: Header): CodecError | undefined {
  const version = encodeVersion(v.version);
  if (version < 0) return invalid("version");
  if (encodeCryptMethod(v.crypt_method) < 0) return invalid("crypt_method");
  if (
    !isI64(v.backing_file_offset) ||
    !isI64(v.size) ||
    !isI64(v.l1_table_offset) ||
    !isI64(v.refcount_table_offset) ||
    !isI64(v.snapshots_offset)
  )
    return invalid("a 64-bit field");
  if (
    !isI32(v.backing_file_size) ||
    !isI32(v.cluster_bits) ||
    !isI32(v.l1_size) ||
    !isI32(v.refcount_table_clusters) ||
    !isI32(v.nb_snapshots)
  )
    return invalid("a 32-bit field");
  const a = v.additional;
  if (version >= 3 !== (a !== undefined)) return invalid("additional");
  if (a !== undefined) {
    if (
      typeof a.dirty !== "boolean" ||
      typeof a.corrupt !== "boolean" ||
      typeof a.external_data_file !== "boolean" ||
      typeof a.compression_type_bit !== "boolean" ||
      typeof a.extended_l2 !== "boolean" ||
      typeof a.lazy_refcounts !== "boolean"
    )
      return invalid("additional: a flag");
    if (!isU64(a.incompatible_unknown) || !isU64(a.compatible_unknown))
      return invalid("additional: unknown bits");
    scratchU64[0] = a.incompatible_unknown;
    if ((scratch32[LO] & 0x1f) !== 0) return invalid("additional.incompatible_unknown");
    scratchU64[0] = a.compatible_unknown;
    if ((scratch32[LO] & 0x1) !== 0) return invalid("additional.compatible_unknown");
    if (!isI64(a.autoclear_features)) return invalid("additional.autoclear_features");
    if (!isI32(a.refcount_order)) return invalid("additional.refcount_order");
    const length = headerLength(a);
    if (!isU32(length) || length % 8 !== 0) return invalid("additional.header_length");
    if (
      a.compression_type === undefined
        ? length > 104
        : encodeCompressionType(a.compression_type) < 0
    )
      return invalid("additional.compression_type");
    if (a.header_extra !== undefined && (length <= 112 || !isByteString(a.header_extra)))
      return invalid("additional.header_extra");
  }
  if (!Array.isArray(v.extensions)) return invalid("extensions");
  for (let i = 0; i < v.extensions.length; i++) {
    if (!checkExtension(v.extensions[i])) return invalid(`extensions[${i}]`);
  }
  return undefined;
}

function checkExtension(e: Extension): boolean {
  // The odd bytes the generated codec keeps (padding, an end marker's
  // length) are rare; the baseline refuses to write them.
  if ("padding" in e && e.padding !== undefined) return false;
  switch (e.kind) {
    case "Backing_file":
      return isByteString(e.format) && isU32(e.format.length);
    case "Feature_name_table": {
      const features = e.features;
      if (!Array.isArray(features) || !isU32(features.length * FEATURE_SIZE)) return false;
      for (let i = 0; i < features.length; i++) {
        const f = features[i];
        if (encodeFeatureType(f.ty) < 0 || (f.bit & 0xff) !== f.bit) return false;
        if (encodeFeatureName(f.feature) === undefined) return false;
      }
      return true;
    }
    case "Bitmaps": {
      const b = e.bitmaps;
      return (
        isU32(b.nb_bitmaps) &&
        isU32(b.reserved) &&
        isU64(b.bitmap_directory_size) &&
        isU64(b.bitmap_directory_offset)
      );
    }
    case "Full_disk_encryption":
      return isU64(e.encryption.offset) && isU64(e.encryption.length);
    case "External_data_file":
      return isByteString(e.filename) && isU32(e.filename.length);
    case "End":
      return false;
    case "Unknown":
      switch (e.type >>> 0) {
        case 0:
        case TAG_BACKING_FILE:
        case TAG_FEATURE_NAME_TABLE:
        case TAG_BITMAPS:
        case TAG_FULL_DISK_ENCRYPTION:
        case TAG_EXTERNAL_DATA_FILE:
          return false;
      }
      return isI32(e.type) && isByteString(e.data) && isU32(e.data.length);
    default:
      return false;
  }
}

/** Writes `v` at `at` like the generated `write`: the offset after it, or an error (buffer untouched). */
export function write(v: Header, buf: Uint8Array, at = 0): number | CodecError {
  const error = check(v);
  if (error !== undefined) return error;
  const size = sizeof(v);
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
    return new CodecError("", undefined, `needs ${size} bytes at offset ${at}`);
  const d = viewOf(buf);
  const o = buf.byteOffset + at;
  d.setUint32(o, MAGIC);
  d.setUint32(o + 4, encodeVersion(v.version));
  write64(d, o + 8, v.backing_file_offset);
  d.setInt32(o + 16, v.backing_file_size);
  d.setInt32(o + 20, v.cluster_bits);
  write64(d, o + 24, v.size);
  d.setUint32(o + 32, encodeCryptMethod(v.crypt_method));
  d.setInt32(o + 36, v.l1_size);
  write64(d, o + 40, v.l1_table_offset);
  write64(d, o + 48, v.refcount_table_offset);
  d.setInt32(o + 56, v.refcount_table_clusters);
  d.setInt32(o + 60, v.nb_snapshots);
  write64(d, o + 64, v.snapshots_offset);
  let pos = at + 72;
  const a = v.additional;
  if (a !== undefined) {
    const incompatible =
      (a.dirty ? 0x1 : 0) |
      (a.corrupt ? 0x2 : 0) |
      (a.external_data_file ? 0x4 : 0) |
      (a.compression_type_bit ? 0x8 : 0) |
      (a.extended_l2 ? 0x10 : 0);
    write64(d, o + 72, a.incompatible_unknown);
    buf[at + 79] |= incompatible;
    write64(d, o + 80, a.compatible_unknown);
    if (a.lazy_refcounts) buf[at + 87] |= 0x1;
    write64(d, o + 88, a.autoclear_features);
    d.setInt32(o + 96, a.refcount_order);
    const length = headerLength(a);
    d.setUint32(o + 100, length);
    if (a.compression_type !== undefined) {
      buf[at + 104] = encodeCompressionType(a.compression_type);
      buf.fill(0, at + 105, at + 112);
    }
    if (a.header_extra !== undefined) stringToBytes(buf, at + 112, a.header_extra);
    pos = at + length;
  }
  const extensions = v.extensions;
  for (let i = 0; i < extensions.length; i++) pos = writeExtension(extensions[i], buf, d, pos);
  d.setUint32(buf.byteOffset + pos, 0);
  d.setUint32(buf.byteOffset + pos + 4, 0);
  return pos + 8;
}

function writeExtension(e: Extension, buf: Uint8Array, d: DataView, at: number): number {
  const o = buf.byteOffset + at;
  const length = payloadSize(e);
  d.setUint32(o + 4, length);
  const start = at + 8;
  switch (e.kind) {
    case "Backing_file":
      d.setUint32(o, TAG_BACKING_FILE);
      stringToBytes(buf, start, e.format);
      break;
    case "Feature_name_table": {
      d.setUint32(o, TAG_FEATURE_NAME_TABLE);
      const features = e.features;
      for (let i = 0, p = start; i < features.length; i++, p += FEATURE_SIZE) {
        const f = features[i];
        buf[p] = encodeFeatureType(f.ty);
        buf[p + 1] = f.bit;
        const text = encodeFeatureName(f.feature) ?? "";
        stringToBytes(buf, p + 2, text);
        buf.fill(0, p + 2 + text.length, p + FEATURE_SIZE);
      }
      break;
    }
    case "Bitmaps":
      d.setUint32(o, TAG_BITMAPS);
      d.setUint32(o + 8, e.bitmaps.nb_bitmaps);
      d.setUint32(o + 12, e.bitmaps.reserved);
      write64(d, o + 16, e.bitmaps.bitmap_directory_size);
      write64(d, o + 24, e.bitmaps.bitmap_directory_offset);
      break;
    case "Full_disk_encryption":
      d.setUint32(o, TAG_FULL_DISK_ENCRYPTION);
      write64(d, o + 8, e.encryption.offset);
      write64(d, o + 16, e.encryption.length);
      break;
    case "External_data_file":
      d.setUint32(o, TAG_EXTERNAL_DATA_FILE);
      stringToBytes(buf, start, e.filename);
      break;
    case "Unknown":
      d.setInt32(o, e.type);
      stringToBytes(buf, start, e.data);
      break;
  }
  const end = start + length;
  const padded = end + ((8 - (length & 7)) & 7);
  buf.fill(0, end, padded);
  return padded;
}
