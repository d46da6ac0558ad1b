/**
 * A lean qcow2 header decoder, as a hurried user would write it (issue 16):
 * the same fields as the generated codec, but it skips the checks such a
 * user would skip — zero padding (after extensions, in feature names, after
 * compression_type), header_length's agreement with the fields, known enum
 * values past the version — and keeps feature names as the plain strings
 * before their NUL rather than matching them against QEMU's names.
 *
 * It is the "≥ 0.9× a lean decoder" target's reference; its value is not a
 * `Header` (names are strings, enums may be raw numbers), so bench/cases.ts
 * normalises it before comparing with the reference decode.
 */
import type { Extension, FeatureName, Header } from "../generated/qcow2.js";
import { CodecError, type Decoded } from "../runtime/codec.js";

/** A feature as the lean decoder keeps it: the name is the text before its NUL. */
export interface LeanFeature {
  readonly ty: number;
  readonly bit: number;
  readonly name: string;
}

export type LeanExtension =
  | { readonly kind: "Backing_file"; readonly format: string }
  | { readonly kind: "Feature_name_table"; readonly features: LeanFeature[] }
  | {
      readonly kind: "Bitmaps";
      readonly nb_bitmaps: number;
      readonly reserved: number;
      readonly bitmap_directory_size: bigint;
      readonly bitmap_directory_offset: bigint;
    }
  | { readonly kind: "Full_disk_encryption"; readonly offset: bigint; readonly length: bigint }
  | { readonly kind: "External_data_file"; readonly filename: string }
  | { readonly kind: "Unknown"; readonly type: number; readonly data: string };

export interface LeanAdditional {
  readonly incompatible_features: bigint;
  readonly compatible_features: bigint;
  readonly autoclear_features: bigint;
  readonly refcount_order: number;
  readonly header_length: number;
  readonly compression_type: number | undefined;
}

export interface LeanHeader {
  readonly version: number;
  readonly backing_file_offset: bigint;
  readonly backing_file_size: number;
  readonly cluster_bits: number;
  readonly size: bigint;
  readonly crypt_method: number;
  readonly l1_size: number;
  readonly l1_table_offset: bigint;
  readonly refcount_table_offset: bigint;
  readonly refcount_table_clusters: number;
  readonly nb_snapshots: number;
  readonly snapshots_offset: bigint;
  readonly additional: LeanAdditional | undefined;
  readonly extensions: LeanExtension[];
}

let view: DataView = new DataView(new ArrayBuffer(8));
let viewArray: Uint8Array = new Uint8Array(0);

function viewOf(buf: Uint8Array): DataView {
  if (buf !== viewArray) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    viewArray = buf;
  }
  return view;
}

const nodeBuffer = (
  globalThis as {
    Buffer?: { prototype: { latin1Slice?: (this: Uint8Array, s: number, e: number) => string } };
  }
).Buffer?.prototype;
const latin1Slice = nodeBuffer?.latin1Slice;

function text(buf: Uint8Array, start: number, end: number): string {
  if (start === end) return "";
  if (latin1Slice !== undefined) return latin1Slice.call(buf, start, end);
  return String.fromCharCode(...buf.subarray(start, end));
}

const i64 = (d: DataView, at: number): bigint => d.getBigInt64(at);
const u64 = (d: DataView, at: number): bigint => d.getBigUint64(at);

export function read(buf: Uint8Array, at = 0): Decoded<LeanHeader> | CodecError {
  const limit = buf.length;
  if (limit - at < 72) return new CodecError("", at, "truncated");
  const d = viewOf(buf);
  if (d.getUint32(at) !== 0x514649fb) return new CodecError("magic", at, "bad magic");
  const version = d.getUint32(at + 4);
  let pos = at + 72;
  let additional: LeanAdditional | undefined;
  if (version >= 3) {
    if (limit - pos < 32) return new CodecError("additional", pos, "truncated");
    const header_length = d.getUint32(pos + 28);
    additional = {
      incompatible_features: u64(d, pos),
      compatible_features: u64(d, pos + 8),
      autoclear_features: i64(d, pos + 16),
      refcount_order: d.getInt32(pos + 24),
      header_length,
      compression_type: header_length > 104 ? buf[pos + 32] : undefined,
    };
    pos = at + header_length;
  }
  const extensions: LeanExtension[] = [];
  for (;;) {
    if (limit - pos < 8) return new CodecError("extensions", pos, "truncated");
    const tag = d.getUint32(pos);
    const length = d.getUint32(pos + 4);
    pos += 8;
    if (tag === 0) break;
    const end = pos + length;
    if (end > limit) return new CodecError("extensions", pos, "truncated");
    extensions.push(readExtension(buf, d, tag, pos, end));
    pos = end + ((8 - (length & 7)) & 7);
  }
  const header: LeanHeader = {
    version,
    backing_file_offset: i64(d, at + 8),
    backing_file_size: d.getInt32(at + 16),
    cluster_bits: d.getInt32(at + 20),
    size: i64(d, at + 24),
    crypt_method: d.getUint32(at + 32),
    l1_size: d.getInt32(at + 36),
    l1_table_offset: i64(d, at + 40),
    refcount_table_offset: i64(d, at + 48),
    refcount_table_clusters: d.getInt32(at + 56),
    nb_snapshots: d.getInt32(at + 60),
    snapshots_offset: i64(d, at + 64),
    additional,
    extensions,
  };
  return { value: header, end: pos };
}

function readExtension(
  buf: Uint8Array,
  d: DataView,
  tag: number,
  start: number,
  end: number,
): LeanExtension {
  switch (tag) {
    case 0xe2792aca:
      return { kind: "Backing_file", format: text(buf, start, end) };
    case 0x6803f857: {
      const features: LeanFeature[] = [];
      for (let at = start; at + 48 <= end; at += 48) {
        let nul = at + 2;
        while (nul < at + 48 && buf[nul] !== 0) nul++;
        features.push({ ty: buf[at]!, bit: buf[at + 1]!, name: text(buf, at + 2, nul) });
      }
      return { kind: "Feature_name_table", features };
    }
    case 0x23852875:
      return {
        kind: "Bitmaps",
        nb_bitmaps: d.getUint32(start),
        reserved: d.getUint32(start + 4),
        bitmap_directory_size: u64(d, start + 8),
        bitmap_directory_offset: u64(d, start + 16),
      };
    case 0x0537be77:
      return { kind: "Full_disk_encryption", offset: u64(d, start), length: u64(d, start + 8) };
    case 0x44415441:
      return { kind: "External_data_file", filename: text(buf, start, end) };
    default:
      return { kind: "Unknown", type: tag | 0, data: text(buf, start, end) };
  }
}

// ------------------------------------------------------------- checking

const FEATURE_TEXT: Readonly<Record<FeatureName & string, string>> = {
  Dirty: "dirty bit",
  Corrupt: "corrupt bit",
  External_data_file: "external data file",
  Compression_type: "compression type",
  Extended_l2: "extended L2 entries",
  Lazy_refcounts: "lazy refcounts",
  Bitmaps: "bitmaps",
  Raw_external_data: "raw external data",
};

const bit = (on: boolean, mask: bigint): bigint => (on ? mask : 0n);

function leanExtension(e: Extension): LeanExtension {
  switch (e.kind) {
    case "Backing_file":
      return { kind: e.kind, format: e.format };
    case "Feature_name_table":
      return {
        kind: e.kind,
        features: e.features.map((f) => ({
          ty: f.ty === "Incompatible" ? 0 : f.ty === "Compatible" ? 1 : 2,
          bit: f.bit,
          name: typeof f.feature === "string" ? FEATURE_TEXT[f.feature] : f.feature.unknown,
        })),
      };
    case "Bitmaps":
      return { kind: e.kind, ...e.bitmaps };
    case "Full_disk_encryption":
      return { kind: e.kind, ...e.encryption };
    case "External_data_file":
      return { kind: e.kind, filename: e.filename };
    case "Unknown":
      return { kind: e.kind, type: e.type, data: e.data };
    case "End":
      throw new Error("the lean decoder stops at any end marker");
  }
}

/**
 * What the lean decoder should make of the bytes `header` was read from:
 * used to check its output against the reference decode, never timed.
 */
export function leanView(header: Header): LeanHeader {
  const a = header.additional;
  const compression =
    a?.compression_type === undefined
      ? undefined
      : a.compression_type === "Zlib"
        ? 0
        : a.compression_type === "Zstd"
          ? 1
          : a.compression_type.unknown;
  return {
    version: header.version === "One" ? 1 : header.version === "Two" ? 2 : 3,
    backing_file_offset: header.backing_file_offset,
    backing_file_size: header.backing_file_size,
    cluster_bits: header.cluster_bits,
    size: header.size,
    crypt_method: header.crypt_method === "None" ? 0 : header.crypt_method === "Aes" ? 1 : 2,
    l1_size: header.l1_size,
    l1_table_offset: header.l1_table_offset,
    refcount_table_offset: header.refcount_table_offset,
    refcount_table_clusters: header.refcount_table_clusters,
    nb_snapshots: header.nb_snapshots,
    snapshots_offset: header.snapshots_offset,
    additional:
      a === undefined
        ? undefined
        : {
            incompatible_features:
              bit(a.dirty, 1n) |
              bit(a.corrupt, 2n) |
              bit(a.external_data_file, 4n) |
              bit(a.compression_type_bit, 8n) |
              bit(a.extended_l2, 16n) |
              a.incompatible_unknown,
            compatible_features: bit(a.lazy_refcounts, 1n) | a.compatible_unknown,
            autoclear_features: a.autoclear_features,
            refcount_order: a.refcount_order,
            header_length: compression === undefined ? 104 : 112 + (a.header_extra?.length ?? 0),
            compression_type: compression,
          },
    extensions: header.extensions.map(leanExtension),
  };
}
