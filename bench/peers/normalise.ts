/**
 * Peers decode into shapes of their own (numeric enums, 64-bit fields as
 * numbers or {hi, lo} pairs, whole feature words, camelCase names). Each
 * peer's adapter maps its output onto {@link RawHeader}, the stored fields
 * as stored, and {@link toHeader} turns that into the generated codec's
 * `Header`, so one deep-equality check compares every implementation.
 * Nothing here is timed.
 */
import type {
  CompressionType,
  CryptMethod,
  Extension,
  FeatureName,
  FeatureType,
  Header,
  Version,
} from "../../generated/qcow2.js";

/** A feature name table entry as stored: numeric type, bit, the name's bytes before the NUL. */
export interface RawFeature {
  ty: number;
  bit: number;
  name: string;
}

export type RawExtension =
  | { tag: typeof TAG.featureNameTable; features: RawFeature[] }
  | {
      tag: typeof TAG.bitmaps;
      nbBitmaps: number;
      reserved: number;
      directorySize: bigint;
      directoryOffset: bigint;
    }
  | { tag: typeof TAG.fullDiskEncryption; offset: bigint; length: bigint }
  | { tag: number; bytes: string };

export interface RawAdditional {
  incompatibleFeatures: bigint;
  compatibleFeatures: bigint;
  autoclearFeatures: bigint;
  refcountOrder: number;
  compressionType: number | undefined;
  headerExtra: string | undefined;
}

/** A qcow2 header with every field as stored on disk. */
export interface RawHeader {
  version: number;
  backingFileOffset: bigint;
  backingFileSize: number;
  clusterBits: number;
  size: bigint;
  cryptMethod: number;
  l1Size: number;
  l1TableOffset: bigint;
  refcountTableOffset: bigint;
  refcountTableClusters: number;
  nbSnapshots: number;
  snapshotsOffset: bigint;
  additional: RawAdditional | undefined;
  extensions: RawExtension[];
}

export const TAG = {
  backingFile: 0xe2792aca,
  featureNameTable: 0x6803f857,
  bitmaps: 0x23852875,
  fullDiskEncryption: 0x0537be77,
  externalDataFile: 0x44415441,
} as const;

const VERSIONS: Record<number, Version> = { 1: "One", 2: "Two", 3: "Three" };
const CRYPT_METHODS: Record<number, CryptMethod> = { 0: "None", 1: "Aes", 2: "Luks" };
const FEATURE_TYPES: Record<number, FeatureType> = {
  0: "Incompatible",
  1: "Compatible",
  2: "Autoclear",
};
const FEATURE_NAMES: Record<string, FeatureName> = {
  "dirty bit": "Dirty",
  "corrupt bit": "Corrupt",
  "external data file": "External_data_file",
  "compression type": "Compression_type",
  "extended L2 entries": "Extended_l2",
  "lazy refcounts": "Lazy_refcounts",
  bitmaps: "Bitmaps",
  "raw external data": "Raw_external_data",
};

function lookup<T>(table: Record<number, T>, raw: number, what: string): T {
  const value = table[raw];
  if (value === undefined) throw new Error(`${raw} is not a ${what}`);
  return value;
}

function compressionType(raw: number): CompressionType {
  return raw === 0 ? "Zlib" : raw === 1 ? "Zstd" : { unknown: raw };
}

function featureName(text: string): FeatureName {
  return Object.hasOwn(FEATURE_NAMES, text) ? FEATURE_NAMES[text] : { unknown: text };
}

const U64_LOW_BITS = (1n << 64n) - 1n;

/** The generated codec's value for a header given as stored. */
export function toHeader(raw: RawHeader): Header {
  const a = raw.additional;
  return {
    version: lookup(VERSIONS, raw.version, "Version"),
    backing_file_offset: raw.backingFileOffset,
    backing_file_size: raw.backingFileSize,
    cluster_bits: raw.clusterBits,
    size: raw.size,
    crypt_method: lookup(CRYPT_METHODS, raw.cryptMethod, "CryptMethod"),
    l1_size: raw.l1Size,
    l1_table_offset: raw.l1TableOffset,
    refcount_table_offset: raw.refcountTableOffset,
    refcount_table_clusters: raw.refcountTableClusters,
    nb_snapshots: raw.nbSnapshots,
    snapshots_offset: raw.snapshotsOffset,
    additional:
      a === undefined
        ? undefined
        : {
            dirty: (a.incompatibleFeatures & 0x1n) !== 0n,
            corrupt: (a.incompatibleFeatures & 0x2n) !== 0n,
            external_data_file: (a.incompatibleFeatures & 0x4n) !== 0n,
            compression_type_bit: (a.incompatibleFeatures & 0x8n) !== 0n,
            extended_l2: (a.incompatibleFeatures & 0x10n) !== 0n,
            incompatible_unknown: a.incompatibleFeatures & ~0x1fn & U64_LOW_BITS,
            lazy_refcounts: (a.compatibleFeatures & 0x1n) !== 0n,
            compatible_unknown: a.compatibleFeatures & ~0x1n & U64_LOW_BITS,
            autoclear_features: a.autoclearFeatures,
            refcount_order: a.refcountOrder,
            compression_type:
              a.compressionType === undefined ? undefined : compressionType(a.compressionType),
            header_extra: a.headerExtra,
          },
    extensions: raw.extensions.map(toExtension),
  };
}

function toExtension(e: RawExtension): Extension {
  if ("features" in e)
    return {
      kind: "Feature_name_table",
      features: e.features.map((f) => ({
        ty: lookup(FEATURE_TYPES, f.ty, "FeatureType"),
        bit: f.bit,
        feature: featureName(f.name),
      })),
    };
  if ("directorySize" in e)
    return {
      kind: "Bitmaps",
      bitmaps: {
        nb_bitmaps: e.nbBitmaps,
        reserved: e.reserved,
        bitmap_directory_size: e.directorySize,
        bitmap_directory_offset: e.directoryOffset,
      },
    };
  if ("offset" in e)
    return { kind: "Full_disk_encryption", encryption: { offset: e.offset, length: e.length } };
  switch (e.tag) {
    case TAG.backingFile:
      return { kind: "Backing_file", format: e.bytes };
    case TAG.externalDataFile:
      return { kind: "External_data_file", filename: e.bytes };
    default:
      return { kind: "Unknown", type: e.tag | 0, data: e.bytes };
  }
}

// ---------------------------------------------------------------- narrowing untyped peer output

/** A peer's untyped object, checked to be one. */
export type Untyped = Readonly<Record<string, unknown>>;

export function record(v: unknown, what: string): Untyped {
  if (typeof v !== "object" || v === null) throw new Error(`${what}: expected an object`);
  return v as Untyped;
}

export function list(v: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected an array`);
  return v;
}

export function num(o: Untyped, key: string): number {
  const v = o[key];
  if (typeof v !== "number") throw new Error(`${key}: expected a number, got ${typeof v}`);
  return v;
}

export function big(o: Untyped, key: string): bigint {
  const v = o[key];
  if (typeof v !== "bigint") throw new Error(`${key}: expected a bigint, got ${typeof v}`);
  return v;
}

export function str(o: Untyped, key: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new Error(`${key}: expected a string, got ${typeof v}`);
  return v;
}

/** A 64-bit field a peer returned as a plain number: exact only below 2^53, so anything else fails loudly. */
export function exactBig(o: Untyped, key: string): bigint {
  const v = num(o, key);
  if (!Number.isSafeInteger(v)) throw new Error(`${key}: ${v} is past 2^53, inexact as a number`);
  return BigInt(v);
}

/** A name stored NUL-padded: the text before the first NUL. */
export function beforeNul(text: string): string {
  const nul = text.indexOf("\0");
  return nul === -1 ? text : text.slice(0, nul);
}
