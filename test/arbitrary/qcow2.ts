/**
 * fast-check arbitraries for the qcow2 header codec (generated/qcow2.ts).
 *
 * Every arbitrary here produces only values that `write` accepts, and
 * together they reach every shape of value that `read` can return: all three
 * versions (One and Two use the v2 layout, so `additional` is absent), every
 * enum member and open-enum `{ unknown }` value, every extension variant
 * (Unknown with any other signed 32-bit type), payloads with every byte
 * value, and the optional `compression_type` / `header_extra` tail in all its
 * legal combinations. Edge values (int32 and int64 extremes, 0, empty
 * strings, 46-byte names) are drawn deliberately, not left to chance.
 *
 * The expected tags, names and bit masks are written out here from
 * schema/qcow2.yaml rather than taken from the generated module, so that the
 * tests built on them check the generated tables instead of trusting them.
 */
import fc, { type Arbitrary } from "fast-check";
import type {
  Additional,
  BitmapsExtension,
  CompressionType,
  CryptMethod,
  Extension,
  Feature,
  FeatureName,
  FeatureType,
  FullDiskEncryption,
  Header,
  Version,
} from "../../generated/qcow2.js";

// ---------------------------------------------------------------- constants

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
export const UINT32_MAX = 2 ** 32 - 1;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

/** A value as the signed 32-bit number the codec uses for extension types. */
export function int32(u32: number): number {
  return u32 | 0;
}

/** The stored tag of each known extension variant, as a signed int32 (the `Unknown.type` form). */
export const KNOWN_EXTENSION_TAGS = {
  Backing_file: int32(0xe2792aca),
  Feature_name_table: int32(0x6803f857),
  Bitmaps: int32(0x23852875),
  Full_disk_encryption: int32(0x0537be77),
  External_data_file: int32(0x44415441),
} as const satisfies Record<Exclude<Extension["kind"], "Unknown" | "End">, number>;

/** Extension types an `Unknown` extension may not have: the end marker (0) and every known tag. */
export const RESERVED_EXTENSION_TYPES: readonly number[] = [
  0,
  ...Object.values(KNOWN_EXTENSION_TAGS),
];

/** The feature names the schema lists: every `FeatureName` but `{ unknown }`. */
export type KnownFeatureName = Exclude<FeatureName, { unknown: string }>;

/** The string stored for each known feature name. */
export const KNOWN_FEATURE_NAME_STRINGS = {
  Dirty: "dirty bit",
  Corrupt: "corrupt bit",
  External_data_file: "external data file",
  Compression_type: "compression type",
  Extended_l2: "extended L2 entries",
  Lazy_refcounts: "lazy refcounts",
  Bitmaps: "bitmaps",
  Raw_external_data: "raw external data",
} as const satisfies Record<KnownFeatureName, string>;

const KNOWN_FEATURE_NAMES = Object.keys(KNOWN_FEATURE_NAME_STRINGS) as KnownFeatureName[];
const KNOWN_NAME_STRINGS: readonly string[] = Object.values(KNOWN_FEATURE_NAME_STRINGS);

/** Longest feature name: the 48-byte entry minus its type and bit bytes. */
export const FEATURE_NAME_MAX = 46;

/** Bits of `incompatible_features` that have boolean properties (bits 0-4). */
export const INCOMPATIBLE_NAMED_BITS = 0x1fn;
/** Bits of `compatible_features` that have boolean properties (bit 0). */
export const COMPATIBLE_NAMED_BITS = 0x1n;

export const VERSIONS = ["One", "Two", "Three"] as const satisfies readonly Version[];
export const CRYPT_METHODS = ["None", "Aes", "Luks"] as const satisfies readonly CryptMethod[];
export const FEATURE_TYPES = [
  "Incompatible",
  "Compatible",
  "Autoclear",
] as const satisfies readonly FeatureType[];

// ---------------------------------------------------------------- helpers

/**
 * `fc.record` with ordinary objects: by default fast-check 4 builds them with
 * a null prototype, which `read`'s results do not have.
 */
function record<T>(model: { [K in keyof T]: Arbitrary<T[K]> }): Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

/** The extension variant of the given kind. */
export type ExtensionOf<K extends Extension["kind"]> = Extract<Extension, { kind: K }>;

// ---------------------------------------------------------------- numbers

/** Mostly random values in [min, max], a quarter of the time one of `edges`. */
function withEdges<T>(edges: readonly T[], random: Arbitrary<T>): Arbitrary<T> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...edges), weight: 1 },
    { arbitrary: random, weight: 3 },
  );
}

export function arbU8(): Arbitrary<number> {
  return withEdges([0, 1, 0x7f, 0x80, 0xff], fc.integer({ min: 0, max: 0xff }));
}

export function arbU32(): Arbitrary<number> {
  return withEdges([0, 1, INT32_MAX, 2 ** 31, UINT32_MAX], fc.integer({ min: 0, max: UINT32_MAX }));
}

export function arbI32(): Arbitrary<number> {
  return withEdges(
    [INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX],
    fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  );
}

export function arbI64(): Arbitrary<bigint> {
  return withEdges(
    [INT64_MIN, INT64_MIN + 1n, -1n, 0n, 1n, 2n ** 53n, 2n ** 32n, INT64_MAX - 1n, INT64_MAX],
    fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  );
}

export function arbU64(): Arbitrary<bigint> {
  return withEdges(
    [0n, 1n, 2n ** 32n - 1n, 2n ** 53n, INT64_MAX, 2n ** 63n, UINT64_MAX],
    fc.bigInt({ min: 0n, max: UINT64_MAX }),
  );
}

/** A u64 with the bits of `named` clear: what `incompatible_unknown` and `compatible_unknown` hold. */
export function arbUnknownBits(named: bigint): Arbitrary<bigint> {
  return arbU64().map((bits) => bits & ~named);
}

// ---------------------------------------------------------------- byte strings

/** Bytes as a string of char codes 0-255, the codec's byte-string representation. */
export function bytesToString(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return text;
}

/**
 * A byte string of any byte values (NUL and 0x80-0xff included), of any
 * length in [minLength, maxLength]. (fast-check's default size would keep
 * lengths to a dozen or so, never reaching the codec's path for longer strings.)
 */
export function arbByteString(
  constraints: { minLength?: number; maxLength?: number } = {},
): Arbitrary<string> {
  return fc.uint8Array({ ...constraints, size: "max" }).map(bytesToString);
}

/** A byte string of exactly `length` bytes. */
export function arbByteStringOfLength(length: number): Arbitrary<string> {
  return arbByteString({ minLength: length, maxLength: length });
}

// ---------------------------------------------------------------- enums

export function arbVersion(): Arbitrary<Version> {
  return fc.constantFrom(...VERSIONS);
}

export function arbCryptMethod(): Arbitrary<CryptMethod> {
  return fc.constantFrom(...CRYPT_METHODS);
}

export function arbFeatureType(): Arbitrary<FeatureType> {
  return fc.constantFrom(...FEATURE_TYPES);
}

/** Zlib, Zstd, or `{ unknown: n }` for a u8 n other than their values 0 and 1. */
export function arbCompressionType(): Arbitrary<CompressionType> {
  return fc.oneof(
    fc.constantFrom<CompressionType>("Zlib", "Zstd"),
    withEdges([2, 0x7f, 0x80, 0xff], fc.integer({ min: 2, max: 0xff })).map(
      (unknown): CompressionType => ({ unknown }),
    ),
  );
}

/**
 * A string that `{ unknown }` may hold as a feature name: 0 to 46 bytes, no
 * NUL (the name ends at the first NUL), and not a known name's string.
 * Includes 46-byte names and near misses of known names.
 */
export function arbUnknownFeatureNameString(): Arbitrary<string> {
  const nonNulByte = fc.integer({ min: 1, max: 0xff });
  const nameOfLength = (min: number, max: number): Arbitrary<string> =>
    fc
      .array(nonNulByte, { minLength: min, maxLength: max, size: "max" })
      .map((codes) => String.fromCharCode(...codes));
  const nearMiss = fc.tuple(fc.constantFrom(...KNOWN_NAME_STRINGS), fc.nat()).map(([known, i]) => {
    const variants = [
      `${known} `,
      known.slice(0, -1),
      known.toUpperCase(),
      known.replace(" ", "_"),
      `${known}${"x".repeat(FEATURE_NAME_MAX - known.length)}`,
    ];
    return variants[i % variants.length];
  });
  return fc
    .oneof(
      { arbitrary: nameOfLength(0, FEATURE_NAME_MAX), weight: 4 },
      { arbitrary: nameOfLength(FEATURE_NAME_MAX, FEATURE_NAME_MAX), weight: 1 },
      { arbitrary: nearMiss, weight: 1 },
    )
    .filter((name) => !KNOWN_NAME_STRINGS.includes(name));
}

export function arbFeatureName(): Arbitrary<FeatureName> {
  return fc.oneof(
    fc.constantFrom(...KNOWN_FEATURE_NAMES),
    arbUnknownFeatureNameString().map((unknown): FeatureName => ({ unknown })),
  );
}

// ---------------------------------------------------------------- records

export function arbFeature(): Arbitrary<Feature> {
  return fc
    .tuple(
      record({
        ty: arbFeatureType(),
        bit: withEdges([0, 1, 63, 64, 0xff], fc.integer({ min: 0, max: 0xff })),
        feature: arbFeatureName(),
      }),
      fc.option(arbByteString({ minLength: 1, maxLength: 45 }), { freq: 6 }),
    )
    .map(([f, odd]): Feature => {
      // Now and then bytes after the name's NUL (QEMU ignores them), ending nonzero.
      const name =
        typeof f.feature === "object" ? f.feature.unknown : KNOWN_FEATURE_NAME_STRINGS[f.feature];
      const room = 46 - name.length - 1;
      if (odd === null || room < 1) return f;
      const tail = odd.slice(0, room);
      return {
        ...f,
        feature_tail: `${tail.slice(0, -1)}${tail.endsWith("\0") ? "\x01" : tail.slice(-1)}`,
      };
    });
}

export function arbBitmapsExtension(): Arbitrary<BitmapsExtension> {
  return record({
    nb_bitmaps: arbU32(),
    reserved: arbU32(),
    bitmap_directory_size: arbU64(),
    bitmap_directory_offset: arbU64(),
  });
}

export function arbFullDiskEncryption(): Arbitrary<FullDiskEncryption> {
  return record({ offset: arbU64(), length: arbU64() });
}

// ---------------------------------------------------------------- extensions

/** Payloads of 0 to 40 bytes cover every length modulo the 8-byte alignment several times. */
const PAYLOAD_MAX = 40;

/** A type for an `Unknown` extension: any int32 except 0 and the known tags. */
export function arbUnknownExtensionType(): Arbitrary<number> {
  const knownTags = Object.values(KNOWN_EXTENSION_TAGS);
  return withEdges(
    [
      INT32_MIN,
      INT32_MAX,
      -1,
      1,
      // Next to the known tags, in both directions.
      ...knownTags.flatMap((tag) => [int32(tag + 1), int32(tag - 1)]),
    ],
    fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  ).filter((type) => !RESERVED_EXTENSION_TYPES.includes(type));
}

export function arbBackingFileExtension(): Arbitrary<ExtensionOf<"Backing_file">> {
  return record({
    kind: fc.constant("Backing_file"),
    format: fc.oneof(
      fc.constantFrom("qcow2", "raw", ""),
      arbByteString({ maxLength: PAYLOAD_MAX }),
    ),
  });
}

export function arbFeatureNameTableExtension(): Arbitrary<ExtensionOf<"Feature_name_table">> {
  return record({
    kind: fc.constant("Feature_name_table"),
    features: fc.array(arbFeature(), { maxLength: 10 }),
  });
}

export function arbBitmapsExtensionVariant(): Arbitrary<ExtensionOf<"Bitmaps">> {
  return record({ kind: fc.constant("Bitmaps"), bitmaps: arbBitmapsExtension() });
}

export function arbFullDiskEncryptionExtension(): Arbitrary<ExtensionOf<"Full_disk_encryption">> {
  return record({
    kind: fc.constant("Full_disk_encryption"),
    encryption: arbFullDiskEncryption(),
  });
}

export function arbExternalDataFileExtension(): Arbitrary<ExtensionOf<"External_data_file">> {
  return record({
    kind: fc.constant("External_data_file"),
    filename: arbByteString({ maxLength: PAYLOAD_MAX }),
  });
}

export function arbUnknownExtension(): Arbitrary<ExtensionOf<"Unknown">> {
  return record({
    kind: fc.constant("Unknown"),
    type: arbUnknownExtensionType(),
    data: arbByteString({ maxLength: PAYLOAD_MAX }),
  });
}

/** Any extension variant. */
export function arbExtension(): Arbitrary<Extension> {
  return fc.oneof(
    arbBackingFileExtension(),
    arbFeatureNameTableExtension(),
    arbBitmapsExtensionVariant(),
    arbFullDiskEncryptionExtension(),
    arbExternalDataFileExtension(),
    arbUnknownExtension(),
  );
}

/** Bytes of an extension's payload, without framing or padding. */
function payloadLength(e: Extension): number {
  switch (e.kind) {
    case "Backing_file":
      return e.format.length;
    case "Feature_name_table":
      return 48 * e.features.length;
    case "External_data_file":
      return e.filename.length;
    case "Unknown":
      return e.data.length;
    case "Bitmaps":
      return 24;
    case "Full_disk_encryption":
      return 16;
    case "End":
      return 0;
  }
}

/**
 * An extension, now and then with odd padding kept (bytes QEMU ignores),
 * where its payload leaves room for padding.
 */
export function arbExtensionKept(): Arbitrary<Extension> {
  return fc
    .tuple(arbExtension(), fc.option(arbByteStringOfLength(7), { freq: 6 }))
    .map(([e, odd]) => {
      const room = (8 - (payloadLength(e) % 8)) % 8;
      if (odd === null || room === 0 || e.kind === "Bitmaps" || e.kind === "Full_disk_encryption")
        return e;
      const bytes = odd.slice(0, room);
      return { ...e, padding: /[^\0]/.test(bytes) ? bytes : `${bytes.slice(0, -1)}\x01` };
    });
}

/** An end marker with a non-zero length (QEMU ignores the length), now and then. */
export function arbKeptEnd(): Arbitrary<Extension[]> {
  return fc
    .option(
      fc.integer({ min: 1, max: 0xffffffff }).map((length): Extension => ({ kind: "End", length })),
      { freq: 6 },
    )
    .map((end) => (end === null ? [] : [end]));
}

export function arbExtensions(): Arbitrary<Extension[]> {
  return fc
    .tuple(fc.array(arbExtensionKept(), { maxLength: 6 }), arbKeptEnd())
    .map(([list, end]) => [...list, ...end]);
}

// ---------------------------------------------------------------- header

/**
 * The optional tail of the v3 header: compression_type absent (header_length
 * 104); present (112); or present with header_extra, whose length is a
 * nonzero multiple of 8 so that header_length stays a multiple of 8.
 */
export function arbHeaderTail(): Arbitrary<Pick<Additional, "compression_type" | "header_extra">> {
  return fc.oneof(
    fc.constant({ compression_type: undefined, header_extra: undefined }),
    record({ compression_type: arbCompressionType(), header_extra: fc.constant(undefined) }),
    record({
      compression_type: arbCompressionType(),
      header_extra: fc
        .integer({ min: 1, max: 5 })
        .chain((words) => arbByteStringOfLength(8 * words)),
    }),
  );
}

/** The version 3 header fields. */
export function arbAdditional(): Arbitrary<Additional> {
  return fc
    .tuple(
      record({
        dirty: fc.boolean(),
        corrupt: fc.boolean(),
        external_data_file: fc.boolean(),
        compression_type_bit: fc.boolean(),
        extended_l2: fc.boolean(),
        incompatible_unknown: arbUnknownBits(INCOMPATIBLE_NAMED_BITS),
        lazy_refcounts: fc.boolean(),
        compatible_unknown: arbUnknownBits(COMPATIBLE_NAMED_BITS),
        autoclear_features: arbI64(),
        refcount_order: arbI32(),
      }),
      arbHeaderTail(),
      fc.option(arbByteStringOfLength(7), { freq: 6 }),
    )
    .map(([fields, tail, odd]): Additional => {
      const a: Additional = { ...fields, ...tail };
      // Now and then odd bytes in the padding after compression_type (QEMU ignores them).
      if (odd === null || a.compression_type === undefined) return a;
      return { ...a, padding: /[^\0]/.test(odd) ? odd : "\0\0\0\0\0\0\x01" };
    });
}

/** A header of the given version: `additional` is present exactly for Three. */
export function arbHeaderOf(version: Version): Arbitrary<Header> {
  return record({
    version: fc.constant(version),
    backing_file_offset: arbI64(),
    backing_file_size: arbI32(),
    cluster_bits: arbI32(),
    size: arbI64(),
    crypt_method: arbCryptMethod(),
    l1_size: arbI32(),
    l1_table_offset: arbI64(),
    refcount_table_offset: arbI64(),
    refcount_table_clusters: arbI32(),
    nb_snapshots: arbI32(),
    snapshots_offset: arbI64(),
    additional: version === "Three" ? arbAdditional() : fc.constant(undefined),
    extensions: arbExtensions(),
  });
}

/** Any header `write` accepts, of any version (Three, the richest, most often). */
export function arbHeader(): Arbitrary<Header> {
  return fc.oneof(
    { arbitrary: arbHeaderOf("One"), weight: 1 },
    { arbitrary: arbHeaderOf("Two"), weight: 2 },
    { arbitrary: arbHeaderOf("Three"), weight: 5 },
  );
}
