/**
 * Properties of the generated qcow2 header codec: every valid Header
 * round-trips through write and read (at any offset, without touching bytes
 * outside its own), real qemu-img headers re-encode byte for byte, and every
 * kind of invalid value is refused with a CodecError naming the bad field,
 * leaving the buffer as it was.
 */
import fc, { type Arbitrary } from "fast-check";
import { describe, expect, it } from "vitest";
import { read, sizeof, write, type Header } from "../generated/qcow2.js";
import { CodecError, type Decoded } from "../runtime/codec.js";
import {
  INT32_MIN,
  INT64_MIN,
  KNOWN_EXTENSION_TAGS,
  KNOWN_FEATURE_NAME_STRINGS,
  RESERVED_EXTENSION_TYPES,
  UINT32_MAX,
  UINT64_MAX,
  arbByteString,
  arbFeature,
  arbHeader,
  arbHeaderOf,
} from "./arbitrary/qcow2.js";
import { FIXTURES, fixtureHeader } from "./support/fixtures.js";

/** Fixed so that a failure reproduces; fast-check prints the seed and path to replay. */
const SEED = 0x9c0f2;

// ---------------------------------------------------------------- helpers

function decoded(result: Decoded<Header> | CodecError): Decoded<Header> {
  if (result instanceof CodecError) throw new Error(`unexpected read error: ${result.message}`);
  return result;
}

function written(result: number | CodecError): number {
  if (result instanceof CodecError) throw new Error(`unexpected write error: ${result.message}`);
  return result;
}

function codecError(result: unknown): CodecError {
  if (!(result instanceof CodecError))
    throw new Error(`expected a CodecError, got ${String(result)}`);
  return result;
}

/** The bytes `write` produces for `h` in a buffer of its own. */
function encode(h: Header): Uint8Array {
  const buf = new Uint8Array(sizeof(h));
  expect(written(write(h, buf))).toBe(buf.length);
  return buf;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const PATTERN = Uint8Array.from({ length: 1 << 14 }, (_, i) => (i * 167 + 89) & 0xff);

/** A buffer of `length` bytes that are unlikely to be what `write` puts there. */
function patterned(length: number): Uint8Array {
  if (length > PATTERN.length) throw new Error(`patterned(${length}) is too long`);
  return PATTERN.slice(0, length);
}

/** Where two byte arrays first differ, or undefined if they are equal. */
function bytesDiffer(actual: Uint8Array, expected: Uint8Array): string | undefined {
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) return `byte ${i} is ${actual[i]}, expected ${expected[i]}`;
  }
  return actual.length === expected.length
    ? undefined
    : `length is ${actual.length}, expected ${expected.length}`;
}

/**
 * Asserts equal bytes. Much faster than `toEqual` on typed arrays, which
 * matters in properties run hundreds of times.
 */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(bytesDiffer(actual, expected)).toBeUndefined();
}

/**
 * A value of the wrong type, for tests of what `write` does with input that
 * did not come from typed code (JSON, S-expressions, a caller's `as`).
 */
function unchecked<T>(value: unknown): T {
  return value as T;
}

// ---------------------------------------------------------------- round trips

describe("round trip", () => {
  it("read(write(h)) deep-equals h, and write returns sizeof(h)", () => {
    fc.assert(
      fc.property(arbHeader(), (h) => {
        const bytes = encode(h);
        const { value, end } = decoded(read(bytes));
        expect(end).toBe(bytes.length);
        expect(value).toStrictEqual(h);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it("works at a nonzero offset in a dirty buffer and touches only [at, at + size)", () => {
    fc.assert(
      fc.property(
        arbHeader(),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.integer({ min: 0, max: 0xff }),
        (h, before, after, junk) => {
          const clean = encode(h);
          const at = before.length;
          const buf = concat(before, new Uint8Array(clean.length).fill(junk), after);
          expect(written(write(h, buf, at))).toBe(at + clean.length);
          // Every byte of the header's own range is written, whatever it held.
          expectBytes(buf.subarray(at, at + clean.length), clean);
          expectBytes(buf.subarray(0, at), before);
          expectBytes(buf.subarray(at + clean.length), after);
          const { value, end } = decoded(read(buf, at));
          expect(end).toBe(at + clean.length);
          expect(value).toStrictEqual(h);
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it("covers each version", () => {
    // The weighted mix in arbHeader could silently lose a version; pin each one.
    for (const version of ["One", "Two", "Three"] as const) {
      fc.assert(
        fc.property(arbHeaderOf(version), (h) => {
          const { value } = decoded(read(encode(h)));
          expect(value).toStrictEqual(h);
          expect(value.additional === undefined).toBe(version !== "Three");
        }),
        { seed: SEED, numRuns: 100 },
      );
    }
  });
});

describe("real qemu-img headers", () => {
  it("are all here", () => {
    expect(FIXTURES.map((f) => f.name)).toHaveLength(14);
  });

  it.each(FIXTURES)("$name: write(read(bytes)) is byte-identical", ({ bytes }) => {
    const { value, end } = decoded(read(bytes));
    // A fixture ends with the extension end marker, or with the backing file
    // name that follows it.
    expect(end).toBe(
      value.backing_file_offset === 0n ? bytes.length : Number(value.backing_file_offset),
    );
    expect(sizeof(value)).toBe(end);
    expectBytes(encode(value), bytes.subarray(0, end));
  });

  it.each(FIXTURES)("$name: re-encodes the same at an offset", ({ bytes }) => {
    const { value, end } = decoded(read(bytes));
    const buf = patterned(end + 24);
    expect(written(write(value, buf, 11))).toBe(11 + end);
    expectBytes(buf.subarray(11, 11 + end), bytes.subarray(0, end));
    expect(decoded(read(buf, 11)).value).toStrictEqual(value);
  });
});

// ---------------------------------------------------------------- short buffers

describe("a buffer too small", () => {
  it("by one byte: CodecError, buffer untouched", () => {
    fc.assert(
      fc.property(arbHeader(), fc.nat({ max: 32 }), (h, at) => {
        const size = sizeof(h);
        const buf = patterned(at + size - 1);
        const before = buf.slice();
        const error = codecError(write(h, buf, at));
        expect(error.path).toBe("");
        expect(error.offset).toBeUndefined();
        expect(error.reason).toContain(`needs ${size} bytes at offset ${at}`);
        expectBytes(buf, before);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it.each([
    ["negative", -1],
    ["past the end", 1000],
    ["not an integer", 1.5],
    ["NaN", NaN],
  ])("offset %s: CodecError, buffer untouched", (_, at) => {
    const h = fixtureHeader("v3-default");
    const buf = patterned(1000);
    const before = buf.slice();
    expect(codecError(write(h, buf, at)).path).toBe("");
    expectBytes(buf, before);
  });
});

// ---------------------------------------------------------------- invalid values

/** An invalid header and the path of the error `write` should report for it. */
interface Broken {
  value: Header;
  path: string;
}

interface InvalidCase {
  name: string;
  broken: Arbitrary<Broken>;
  /** What the error's reason should say. */
  reason: RegExp;
}

const NOT_INT32 = [2 ** 31, INT32_MIN - 1, 1.5, -0.5, NaN, Infinity, -Infinity, "1"];
const NOT_INT64 = [2n ** 63n, INT64_MIN - 1n, UINT64_MAX, 0, 1.5, "0"];
const NOT_U64 = [-1n, 2n ** 64n, 0, "0"];
const NOT_U32 = [-1, 2 ** 32, 1.5, NaN];

const INT32_FIELDS = [
  "backing_file_size",
  "cluster_bits",
  "l1_size",
  "refcount_table_clusters",
  "nb_snapshots",
] as const satisfies readonly (keyof Header)[];
const INT64_FIELDS = [
  "backing_file_offset",
  "size",
  "l1_table_offset",
  "refcount_table_offset",
  "snapshots_offset",
] as const satisfies readonly (keyof Header)[];

const INT32_REASON = /expected an integer from -2147483648 to 2147483647/;
const INT64_REASON = /expected a bigint from -9223372036854775808 to 9223372036854775807/;
const U64_REASON = /expected a bigint from 0 to 18446744073709551615/;
const BYTE_STRING_REASON = /expected a byte string/;

/** `h` with its top-level `field` set to `bad`. */
function withField(h: Header, field: keyof Header, bad: unknown): Header {
  return unchecked<Header>({ ...h, [field]: bad });
}

/** A version 3 header with additional fields changed by `change`. */
function withAdditional(
  change: (a: NonNullable<Header["additional"]>) => object,
): Arbitrary<Header> {
  return arbHeaderOf("Three").map((h) => {
    if (h.additional === undefined) throw new Error("arbHeaderOf(Three) made no additional");
    return unchecked<Header>({ ...h, additional: { ...h.additional, ...change(h.additional) } });
  });
}

/** Cases for one top-level field and each of `bads`. */
function fieldCases(field: keyof Header, bads: readonly unknown[], reason: RegExp): InvalidCase[] {
  return bads.map((bad) => ({
    name: `${field} = ${describeValue(bad)}`,
    broken: arbHeader().map((h) => ({ value: withField(h, field, bad), path: field })),
    reason,
  }));
}

/** Cases for one field of `additional` (on version 3 headers) and each of `bads`. */
function additionalCases(field: string, bads: readonly unknown[], reason: RegExp): InvalidCase[] {
  const path = `additional.${field}`;
  return bads.map((bad) => ({
    name: `${path} = ${describeValue(bad)}`,
    broken: withAdditional(() => ({ [field]: bad })).map((value) => ({ value, path })),
    reason,
  }));
}

/** An invalid extension and the path of its error relative to the extension. */
interface BrokenExtension {
  extension: unknown;
  path: string;
}

/** A case that inserts `bad` among valid extensions; the error is at its index. */
function extensionCase(name: string, bad: Arbitrary<BrokenExtension>, reason: RegExp): InvalidCase {
  return {
    name,
    broken: fc.tuple(arbHeader(), bad, fc.nat()).map(([h, { extension, path }, n]) => {
      // Before a kept end marker, which can only be last.
      const room =
        h.extensions.at(-1)?.kind === "End" ? h.extensions.length : h.extensions.length + 1;
      const i = n % room;
      const extensions = [...h.extensions.slice(0, i), extension, ...h.extensions.slice(i)];
      return { value: withField(h, "extensions", extensions), path: `extensions[${i}]${path}` };
    }),
    reason,
  };
}

/** A case with a feature name table holding `bad` among valid features. */
function featureCase(name: string, bad: Arbitrary<BrokenExtension>, reason: RegExp): InvalidCase {
  return extensionCase(
    name,
    fc
      .tuple(fc.array(arbFeature(), { maxLength: 6 }), bad, fc.nat())
      .map(([features, { extension, path }, n]) => {
        const j = n % (features.length + 1);
        return {
          extension: {
            kind: "Feature_name_table",
            features: [...features.slice(0, j), extension, ...features.slice(j)],
          },
          path: `.features[${j}]${path}`,
        };
      }),
    reason,
  );
}

function constantBroken(extension: unknown, path: string): Arbitrary<BrokenExtension> {
  return fc.constant({ extension, path });
}

function describeValue(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 12 ? `${v.slice(0, 12)}...` : v);
  if (typeof v === "object" && v !== null) return JSON.stringify(v);
  return String(v);
}

const validFeature = { ty: "Compatible", bit: 0, feature: "Lazy_refcounts" } as const;

const INVALID_CASES: InvalidCase[] = [
  // Fixed header.
  ...fieldCases("version", ["Four", 3, undefined], /expected one of One, Two, Three/),
  ...fieldCases("crypt_method", ["Des", 0, null], /expected one of None, Aes, Luks/),
  ...INT32_FIELDS.flatMap((field) => fieldCases(field, NOT_INT32, INT32_REASON)),
  ...INT64_FIELDS.flatMap((field) => fieldCases(field, NOT_INT64, INT64_REASON)),
  ...fieldCases("extensions", [undefined, {}, "none"], /expected an array/),

  // additional, against version.
  ...(["One", "Two"] as const).map((version): InvalidCase => ({
    name: `additional present with version ${version}`,
    broken: fc
      .tuple(arbHeaderOf(version), arbHeaderOf("Three"))
      .map(([h, v3]) => ({ value: { ...h, additional: v3.additional }, path: "additional" })),
    reason: /must be absent unless version >= 3/,
  })),
  {
    name: "additional absent with version Three",
    broken: arbHeaderOf("Three").map((h) => ({
      value: { ...h, additional: undefined },
      path: "additional",
    })),
    reason: /is required when version >= 3/,
  },

  // Version 3 fields.
  ...[
    "dirty",
    "corrupt",
    "external_data_file",
    "compression_type_bit",
    "extended_l2",
    "lazy_refcounts",
  ].flatMap((flag) => additionalCases(flag, [1, "true", undefined], /expected true or false/)),
  ...[0n, 1n, 2n, 3n, 4n].map((bit): InvalidCase => ({
    name: `incompatible_unknown sets named bit ${bit}`,
    broken: withAdditional((a) => ({
      incompatible_unknown: a.incompatible_unknown | (1n << bit),
    })).map((value) => ({ value, path: "additional.incompatible_unknown" })),
    reason: /sets a bit that has a name/,
  })),
  {
    name: "compatible_unknown sets named bit 0",
    broken: withAdditional((a) => ({ compatible_unknown: a.compatible_unknown | 1n })).map(
      (value) => ({ value, path: "additional.compatible_unknown" }),
    ),
    reason: /sets a bit that has a name/,
  },
  ...additionalCases("incompatible_unknown", NOT_U64, U64_REASON),
  ...additionalCases("compatible_unknown", NOT_U64, U64_REASON),
  ...additionalCases("autoclear_features", NOT_INT64, INT64_REASON),
  ...additionalCases("refcount_order", NOT_INT32, INT32_REASON),
  ...additionalCases(
    "compression_type",
    [
      { unknown: 0 },
      { unknown: 1 },
      { unknown: 256 },
      { unknown: -1 },
      { unknown: 2.5 },
      "Lz4",
      null,
    ],
    /expected one of Zlib, Zstd, or \{ unknown \}/,
  ),

  // The compression_type / header_extra tail: header_length is computed from
  // them and must be 104, 112 or a larger multiple of 8.
  {
    name: "header_extra whose length leaves header_length not a multiple of 8",
    broken: fc
      .tuple(
        fc.integer({ min: 1, max: 40 }).filter((n) => n % 8 !== 0),
        fc.constantFrom("Zlib", "Zstd", { unknown: 9 }),
      )
      .chain(([length, compression_type]) =>
        withAdditional(() => ({ compression_type, header_extra: "x".repeat(length) })),
      )
      .map((value) => ({ value, path: "additional.header_length" })),
    reason: /is computed as \d+ \(the offset of extensions\): must be a multiple of 8/,
  },
  {
    name: "header_extra present but empty",
    broken: withAdditional(() => ({ compression_type: "Zlib", header_extra: "" })).map((value) => ({
      value,
      path: "additional.header_extra",
    })),
    reason: /must be absent unless header_length > 112/,
  },
  {
    name: "header_extra without compression_type",
    broken: fc
      .integer({ min: 1, max: 4 })
      .chain((words) =>
        withAdditional(() => ({
          compression_type: undefined,
          header_extra: "\0".repeat(8 * words),
        })),
      )
      .map((value) => ({ value, path: "additional.compression_type" })),
    reason: /is required when header_length > 104/,
  },
  ...["\u0100".repeat(8), `${"\0".repeat(15)}\u20ac`, ["a", "b", "c", "d", "e", "f", "g", "h"]].map(
    (header_extra): InvalidCase => ({
      name: `header_extra = ${describeValue(header_extra)}`,
      broken: withAdditional(() => ({ compression_type: "Zstd", header_extra })).map((value) => ({
        value,
        path: "additional.header_extra",
      })),
      reason: BYTE_STRING_REASON,
    }),
  ),

  // Extensions.
  extensionCase(
    "Unknown extension whose type is the end marker or a known tag",
    fc.constantFrom(...RESERVED_EXTENSION_TYPES).map((type) => ({
      extension: { kind: "Unknown", type, data: "" },
      path: ".type",
    })),
    /is the end marker or a known tag; use its variant/,
  ),
  extensionCase(
    "Unknown extension whose type is a tag written unsigned, or not an int32",
    fc.constantFrom(0xe2792aca, 2 ** 31, UINT32_MAX, INT32_MIN - 1, 1.5, NaN).map((type) => ({
      extension: { kind: "Unknown", type, data: "" },
      path: ".type",
    })),
    INT32_REASON,
  ),
  extensionCase(
    "Unknown extension data with a char > 0xff",
    arbByteString({ maxLength: 10 }).map((data) => ({
      extension: { kind: "Unknown", type: 7, data: `${data}\u0100` },
      path: ".data",
    })),
    BYTE_STRING_REASON,
  ),
  extensionCase(
    "Backing_file format with a char > 0xff",
    constantBroken({ kind: "Backing_file", format: "q\u{1F600}" }, ".format"),
    BYTE_STRING_REASON,
  ),
  extensionCase(
    "External_data_file filename with a char > 0xff",
    constantBroken({ kind: "External_data_file", filename: "d\u0101ta.raw" }, ".filename"),
    BYTE_STRING_REASON,
  ),
  extensionCase(
    "Bitmaps fields out of range",
    fc
      .oneof(
        ...(["nb_bitmaps", "reserved"] as const).map((field) =>
          fc.constantFrom(...NOT_U32).map((bad) => ({ field, bad })),
        ),
        ...(["bitmap_directory_size", "bitmap_directory_offset"] as const).map((field) =>
          fc.constantFrom(...NOT_U64).map((bad) => ({ field, bad })),
        ),
      )
      .map(({ field, bad }) => ({
        extension: {
          kind: "Bitmaps",
          bitmaps: {
            nb_bitmaps: 1,
            reserved: 0,
            bitmap_directory_size: 64n,
            bitmap_directory_offset: 0x80000n,
            [field]: bad,
          },
        },
        path: `.bitmaps.${field}`,
      })),
    /expected an integer from 0 to 4294967295|expected a bigint from 0 to 18446744073709551615/,
  ),
  extensionCase(
    "Full_disk_encryption fields out of range",
    fc
      .tuple(fc.constantFrom("offset", "length"), fc.constantFrom(...NOT_U64))
      .map(([field, bad]) => ({
        extension: {
          kind: "Full_disk_encryption",
          encryption: { offset: 0x40000n, length: 0x1f9000n, [field]: bad },
        },
        path: `.encryption.${field}`,
      })),
    U64_REASON,
  ),
  extensionCase(
    "an extension of no known kind",
    constantBroken({ kind: "Snapshot_table", data: "" }, ".kind"),
    /kind/,
  ),
  extensionCase(
    "a feature table that is not an array",
    constantBroken({ kind: "Feature_name_table", features: "dirty bit" }, ".features"),
    /expected an array/,
  ),

  // Feature name table entries.
  featureCase(
    "a feature name of 47 bytes",
    arbByteString({ minLength: 47, maxLength: 47 }).map((name) => ({
      extension: { ...validFeature, feature: { unknown: name.replaceAll("\0", "-") } },
      path: ".feature",
    })),
    /expected one of Dirty, .*, or \{ unknown \} with another value/,
  ),
  featureCase(
    "an unknown feature name that is not a stored name",
    fc
      .constantFrom(
        ...Object.values(KNOWN_FEATURE_NAME_STRINGS), // would read back as the known name
        "dirty\0bit", // would read back cut at the NUL
        "\0",
        "na\u0100me",
      )
      .map((name) => ({
        extension: { ...validFeature, feature: { unknown: name } },
        path: ".feature",
      })),
    /expected one of Dirty/,
  ),
  featureCase(
    "a feature name that is neither a known name nor { unknown }",
    fc.constantFrom("dirty bit", "Unknown", 3, null).map((feature) => ({
      extension: { ...validFeature, feature },
      path: ".feature",
    })),
    /expected one of Dirty/,
  ),
  featureCase(
    "a feature bit outside u8",
    fc.constantFrom(-1, 256, 1.5, NaN).map((bit) => ({
      extension: { ...validFeature, bit },
      path: ".bit",
    })),
    /expected an integer from 0 to 255/,
  ),
  featureCase(
    "a feature type that does not exist",
    fc.constantFrom("Other", 0, "incompatible").map((ty) => ({
      extension: { ...validFeature, ty },
      path: ".ty",
    })),
    /expected one of Incompatible, Compatible, Autoclear/,
  ),
];

describe("invalid values", () => {
  it("the known tags in the test oracle are signed int32s", () => {
    expect(KNOWN_EXTENSION_TAGS.Backing_file).toBe(0xe2792aca - 2 ** 32);
    for (const tag of Object.values(KNOWN_EXTENSION_TAGS)) expect(tag | 0).toBe(tag);
  });

  it.each(INVALID_CASES)(
    "$name: CodecError at the field, buffer untouched",
    ({ broken, reason }) => {
      fc.assert(
        fc.property(broken, fc.nat({ max: 16 }), ({ value, path }, at) => {
          // Room for the value if it were valid, so only the check can refuse it.
          const buf = patterned(at + 8192);
          const before = buf.slice();
          const error = codecError(write(value, buf, at));
          expect(error.path).toBe(path);
          expect(error.offset).toBeUndefined();
          expect(error.reason).toMatch(reason);
          expect(error.message).toBe(`${path}: ${error.reason}`);
          expectBytes(buf, before);
        }),
        { seed: SEED, numRuns: 40 },
      );
    },
  );
});

// ------------------------------------------------- values of the wrong kind

/**
 * Values of the wrong JavaScript kind (bigints for numbers, null for
 * objects, numbers for byte strings), as values built from JSON or by hand
 * can hold: `write` refuses them with a CodecError at the field, never
 * throws, and leaves the buffer untouched.
 */
describe("values of the wrong kind", () => {
  /**
   * Expects `write` to return, not throw, a CodecError whose path is or
   * matches `path`, and to leave the buffer as it was.
   */
  function expectRefused(value: Header, path: string | RegExp): void {
    const buf = patterned(4096);
    let result: number | CodecError;
    try {
      result = write(value, buf);
    } catch (e) {
      throw new Error(`write threw ${String(e)}`);
    }
    const error = codecError(result);
    if (typeof path === "string") expect(error.path).toBe(path);
    else expect(error.path).toMatch(path);
    expectBytes(buf, patterned(4096));
  }

  it("a bigint in an int32 field is refused", () => {
    expectRefused(withField(fixtureHeader("v3-default"), "cluster_bits", 16n), "cluster_bits");
  });

  it("a bigint in a u32 field is refused", () => {
    const bitmaps = {
      nb_bitmaps: 1n,
      reserved: 0,
      bitmap_directory_size: 0n,
      bitmap_directory_offset: 0n,
    };
    expectRefused(
      withField(fixtureHeader("v3-default"), "extensions", [{ kind: "Bitmaps", bitmaps }]),
      "extensions[0].bitmaps.nb_bitmaps",
    );
  });

  it("a header_extra that is not a string is blamed on header_extra, not header_length", () => {
    const h = fixtureHeader("v3-default");
    const additional = { ...h.additional, compression_type: "Zlib", header_extra: 12345678 };
    expectRefused(unchecked<Header>({ ...h, additional }), "additional.header_extra");
  });

  it("additional: null is refused", () => {
    expectRefused(withField(fixtureHeader("v3-default"), "additional", null), /^additional/);
  });

  it("a null extension is refused", () => {
    expectRefused(withField(fixtureHeader("v3-default"), "extensions", [null]), /^extensions\[0\]/);
  });
});
