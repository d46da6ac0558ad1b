/**
 * Decode errors of the generated qcow2 codec, one by one: each input is a
 * real qemu-img header (test/fixtures/qcow2) with a few bytes edited, and
 * each test pins the error's field path, absolute byte offset and the key
 * part of its reason. Also the edits that are not errors but look like they
 * might be (unknown header fields, version One, unknown compression types).
 */
import { describe, expect, it } from "vitest";
import { read, sizeof, write, type Header } from "../generated/qcow2.js";
import { CodecError, type Decoded } from "../runtime/codec.js";
import { fixtureBytes } from "./support/fixtures.js";

// ---------------------------------------------------------------- fixtures

/**
 * Layout of v3-default.bin (512 bytes), the header `qemu-img create -f qcow2`
 * makes: the 104-byte v3 header, compression_type (zlib) and 7 bytes of
 * padding up to header_length 112, then one extension, the feature name table
 * (type at 112, length 384 at 116, eight 48-byte entries from 120), and the
 * end marker at 504.
 */
const V3 = fixtureBytes("v3-default");
/** v2.bin (80 bytes): the 72-byte v2 header and the end marker at 72. */
const V2 = fixtureBytes("v2");
/** backing.bin: v3 with a Backing_file extension at 112 ("qcow2", 5 bytes + 3 padding). */
const BACKING = fixtureBytes("backing");
/** bitmaps.bin: feature table at 112, Bitmaps extension at 504 (length field at 508, payload at 512). */
const BITMAPS = fixtureBytes("bitmaps");
/** luks.bin: Full_disk_encryption extension at 112 (length field at 116, 16-byte payload at 120). */
const LUKS = fixtureBytes("luks");

const FEATURE_TABLE_LENGTH_AT = 116;
const FEATURES_AT = 120;
const END_MARKER_AT = 504;

/** A copy of `bytes` changed by `edit`. */
function edited(bytes: Uint8Array, edit: (copy: Uint8Array, view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  edit(copy, new DataView(copy.buffer));
  return copy;
}

/** A copy of `bytes` with `inserted` put in at byte `at`. */
function spliced(bytes: Uint8Array, at: number, inserted: readonly number[]): Uint8Array {
  const out = new Uint8Array(bytes.length + inserted.length);
  out.set(bytes.subarray(0, at));
  out.set(inserted, at);
  out.set(bytes.subarray(at), at + inserted.length);
  return out;
}

function decoded(result: Decoded<Header> | CodecError): Decoded<Header> {
  if (result instanceof CodecError) throw new Error(`unexpected read error: ${result.message}`);
  return result;
}

function readError(bytes: Uint8Array, at = 0): CodecError {
  const result = read(bytes, at);
  if (!(result instanceof CodecError)) {
    throw new Error(`expected a read error, got a header ending at byte ${result.end}`);
  }
  return result;
}

/** Asserts that writing `value` reproduces `bytes` exactly. */
function expectRewrites(value: Header, bytes: Uint8Array): void {
  const out = new Uint8Array(sizeof(value));
  expect(write(value, out)).toBe(bytes.length);
  expect(Buffer.from(out).equals(bytes)).toBe(true);
}

// ---------------------------------------------------------------- errors

/**
 * A v2 header with an Unknown extension (type 0x12345678) whose 5-byte
 * payload ends the input: the 3 padding bytes are missing.
 */
function unknownExtensionWithoutPadding(): Uint8Array {
  const out = new Uint8Array(72 + 8 + 5);
  out.set(V2.subarray(0, 72));
  const view = new DataView(out.buffer);
  view.setUint32(72, 0x12345678);
  view.setUint32(76, 5);
  out.set([1, 2, 3, 4, 5], 80);
  return out;
}

interface ErrorCase {
  name: string;
  input: Uint8Array;
  path: string;
  offset: number;
  /** A part of the reason that says what is wrong. */
  reason: string;
}

const ERROR_CASES: ErrorCase[] = [
  // Truncation, at each part of the layout.
  {
    name: "50 bytes: shorter than the fixed header",
    input: V3.subarray(0, 50),
    // The first field the input cuts off is named, not the first of the run.
    path: "refcount_table_offset",
    offset: 48,
    reason: "truncated: needs 8 bytes, only 2 left",
  },
  {
    name: "empty input",
    input: new Uint8Array(0),
    path: "magic",
    offset: 0,
    reason: "truncated: needs 4 bytes, only 0 left",
  },
  {
    name: "v3 cut inside the version 3 fields",
    input: V3.subarray(0, 100),
    path: "additional.header_length",
    offset: 100,
    reason: "truncated: needs 4 bytes, only 0 left",
  },
  {
    name: "v3 cut before compression_type",
    input: V3.subarray(0, 104),
    path: "additional.compression_type",
    offset: 104,
    reason: "truncated: needs 1 byte, only 0 left",
  },
  {
    name: "v3 cut inside the padding after compression_type",
    input: V3.subarray(0, 110),
    path: "additional.padding",
    offset: 105,
    reason: "truncated: needs 7 bytes, only 5 left",
  },
  {
    name: "v3 cut where the extensions start",
    input: V3.subarray(0, 112),
    path: "extensions[0]",
    offset: 112,
    reason: "truncated: needs 8 bytes, only 0 left",
  },
  {
    name: "v3 cut inside the feature name table",
    input: V3.subarray(0, 200),
    path: "extensions[0].length",
    offset: FEATURE_TABLE_LENGTH_AT,
    reason: "384 bytes of payload (384 with padding) run past the end of the input at byte 200",
  },
  {
    name: "v3 cut inside the end marker",
    input: V3.subarray(0, 508),
    path: "extensions[1]",
    offset: END_MARKER_AT,
    reason: "truncated: needs 8 bytes, only 4 left",
  },
  {
    name: "v2 cut inside the end marker",
    input: V2.subarray(0, 79),
    path: "extensions[0]",
    offset: 72,
    reason: "truncated: needs 8 bytes, only 7 left",
  },

  // Bytes that are not a qcow2 header say so first, whatever their length.
  {
    name: "a 26-byte text file",
    input: new TextEncoder().encode("hello, this is not qcow2\n!"),
    path: "magic",
    offset: 0,
    reason: "expected 0x514649fb, got 0x68656c6c",
  },
  {
    name: "4 bytes that are not the magic",
    input: new Uint8Array([0x7f, 0x45, 0x4c, 0x46]),
    path: "magic",
    offset: 0,
    reason: "expected 0x514649fb, got 0x7f454c46",
  },
  {
    name: "2 bytes that cannot begin the magic",
    input: new Uint8Array([0x68, 0x65]),
    path: "magic",
    offset: 0,
    reason: "expected 0x514649fb, got 2 bytes (68 65) and then the end of the input",
  },
  {
    name: "2 bytes that begin the magic",
    input: V3.subarray(0, 2),
    path: "magic",
    offset: 0,
    reason: "truncated: needs 4 bytes, only 2 left",
  },
  {
    name: "the magic and then nothing",
    input: V3.subarray(0, 4),
    path: "version",
    offset: 4,
    reason: "truncated: needs 4 bytes, only 0 left",
  },

  // Fixed header.
  {
    name: "bad magic",
    input: edited(V3, (b) => (b[3] = 0xfa)),
    path: "magic",
    offset: 0,
    reason: "expected 0x514649fb, got 0x514649fa",
  },
  {
    name: "unknown version 4",
    input: edited(V3, (_, v) => v.setUint32(4, 4)),
    path: "version",
    offset: 4,
    reason: "4 is not a Version",
  },
  {
    name: "unknown version 0",
    input: edited(V2, (_, v) => v.setUint32(4, 0)),
    path: "version",
    offset: 4,
    reason: "0 is not a Version",
  },
  {
    name: "version 0xffffffff, read unsigned",
    input: edited(V3, (_, v) => v.setUint32(4, 0xffffffff)),
    path: "version",
    offset: 4,
    reason: "4294967295 is not a Version",
  },
  {
    name: "unknown crypt method 3",
    input: edited(V3, (_, v) => v.setUint32(32, 3)),
    path: "crypt_method",
    offset: 32,
    reason: "3 is not a CryptMethod",
  },
  {
    name: "unknown crypt method 3 in a v2 header",
    input: edited(V2, (_, v) => v.setUint32(32, 3)),
    path: "crypt_method",
    offset: 32,
    reason: "3 is not a CryptMethod",
  },

  // header_length.
  {
    name: "header_length 100, less than the v3 header",
    input: edited(V3, (_, v) => v.setUint32(100, 100)),
    path: "additional.header_length",
    offset: 100,
    reason: "is 100: must be at least 104",
  },
  {
    name: "header_length 0",
    input: edited(V3, (_, v) => v.setUint32(100, 0)),
    path: "additional.header_length",
    offset: 100,
    reason: "is 0: must be at least 104",
  },
  {
    name: "header_length 108, not a multiple of 8",
    input: edited(V3, (_, v) => v.setUint32(100, 108)),
    path: "additional.header_length",
    offset: 100,
    reason: "is 108: must be a multiple of 8",
  },
  {
    name: "header_length far past the input",
    input: edited(V3, (_, v) => v.setUint32(100, 0xfffffff8)),
    path: "additional.header_extra",
    offset: 112,
    reason: "truncated: needs 4294967176 bytes, only 400 left",
  },
  {
    // The codec trusts header_length: bytes 112-119 (the feature table's type
    // and length) become header_extra, and the first feature entry is read as
    // an extension header whose "length" is the text "rty ".
    name: "header_length 120 with nothing inserted",
    input: edited(V3, (_, v) => v.setUint32(100, 120)),
    path: "extensions[0].length",
    offset: 124,
    reason:
      "1920235808 bytes of payload (1920235808 with padding) run past the end of the input at byte 512",
  },

  // Extension framing.
  {
    name: "an extension whose length runs past the input",
    input: edited(V3, (_, v) => v.setUint32(FEATURE_TABLE_LENGTH_AT, 0x1000)),
    path: "extensions[0].length",
    offset: FEATURE_TABLE_LENGTH_AT,
    reason: "4096 bytes of payload (4096 with padding) run past the end of the input at byte 512",
  },
  {
    name: "an extension length of 0xffffffff",
    input: edited(V3, (_, v) => v.setUint32(FEATURE_TABLE_LENGTH_AT, 0xffffffff)),
    path: "extensions[0].length",
    offset: FEATURE_TABLE_LENGTH_AT,
    reason:
      "4294967295 bytes of payload (4294967296 with padding) run past the end of the input at byte 512",
  },
  {
    // The payload fits, its padding to 8 bytes does not.
    name: "a payload that ends at the end of the input without its padding",
    input: unknownExtensionWithoutPadding(),
    path: "extensions[0].length",
    offset: 76,
    reason: "5 bytes of payload (8 with padding) run past the end of the input at byte 85",
  },
  {
    name: "an extension in a v2 header whose length runs past the input",
    input: edited(fixtureBytes("v2-backing"), (_, v) => v.setUint32(76, 0x100)),
    path: "extensions[0].length",
    offset: 76,
    reason: "256 bytes of payload (256 with padding) run past the end of the input at byte 106",
  },

  // Feature name table.
  {
    name: "a feature table whose length is not a multiple of 48",
    input: edited(V3, (_, v) => v.setUint32(FEATURE_TABLE_LENGTH_AT, 384 - 8)),
    path: "extensions[0].features",
    offset: FEATURES_AT,
    reason: "376 bytes is not a whole number of 48-byte Feature entries",
  },
  {
    name: "a feature table of 47 bytes",
    input: edited(V3, (_, v) => v.setUint32(FEATURE_TABLE_LENGTH_AT, 47)),
    path: "extensions[0].features",
    offset: FEATURES_AT,
    reason: "47 bytes is not a whole number of 48-byte Feature entries",
  },
  {
    name: "unknown feature type 3 in the third entry",
    input: edited(V3, (b) => (b[FEATURES_AT + 2 * 48] = 3)),
    path: "extensions[0].features[2].ty",
    offset: FEATURES_AT + 2 * 48,
    reason: "3 is not a FeatureType",
  },
  {
    name: "unknown feature type 0xff in the last entry",
    input: edited(V3, (b) => (b[FEATURES_AT + 7 * 48] = 0xff)),
    path: "extensions[0].features[7].ty",
    offset: FEATURES_AT + 7 * 48,
    reason: "255 is not a FeatureType",
  },

  // Fixed-size payloads whose length field disagrees.
  {
    name: "a Bitmaps payload of 16 bytes instead of 24",
    input: edited(BITMAPS, (_, v) => v.setUint32(508, 16)),
    // A fixed-size payload of the wrong length is a framing error at the length field.
    path: "extensions[1].length",
    offset: 508,
    reason: "a Bitmaps payload is 24 bytes, got 16",
  },
  {
    name: "a Bitmaps payload of 32 bytes instead of 24",
    input: edited(BITMAPS, (_, v) => v.setUint32(508, 32)),
    path: "extensions[1].length",
    offset: 508,
    reason: "a Bitmaps payload is 24 bytes, got 32",
  },
  {
    name: "a Full_disk_encryption payload of 8 bytes instead of 16",
    input: edited(LUKS, (_, v) => v.setUint32(116, 8)),
    path: "extensions[0].length",
    offset: 116,
    reason: "a Full_disk_encryption payload is 16 bytes, got 8",
  },
];

describe("decode errors", () => {
  it.each(ERROR_CASES)("$name: $path at byte $offset", ({ input, path, offset, reason }) => {
    const error = readError(input);
    expect({ path: error.path, offset: error.offset }).toEqual({ path, offset });
    expect(error.reason).toContain(reason);
    expect(error.message).toBe(`${path} at byte ${offset}: ${error.reason}`);
  });

  it.each(ERROR_CASES)("$name: same error, offset shifted, when read at byte 24", (c) => {
    const buf = new Uint8Array(24 + c.input.length).fill(0xee);
    buf.set(c.input, 24);
    const error = readError(buf, 24);
    expect({ path: error.path, offset: error.offset }).toEqual({
      path: c.path,
      offset: 24 + c.offset,
    });
  });

  it("the cases are built from the fixtures as documented", () => {
    // Guards the byte positions the cases above rely on.
    const view = new DataView(V3.buffer, V3.byteOffset);
    expect(view.getUint32(100)).toBe(112);
    expect(view.getUint32(112)).toBe(0x6803f857);
    expect(view.getUint32(FEATURE_TABLE_LENGTH_AT)).toBe(384);
    expect(Buffer.from(V3.subarray(FEATURES_AT + 2, FEATURES_AT + 12)).toString("latin1")).toBe(
      "dirty bit\0",
    );
    expect(view.getBigUint64(END_MARKER_AT)).toBe(0n);
    expect(V3.length).toBe(END_MARKER_AT + 8);
    expect(V2.length).toBe(80);
    expect(new DataView(BITMAPS.buffer).getUint32(504)).toBe(0x23852875);
    expect(new DataView(LUKS.buffer).getUint32(112)).toBe(0x0537be77);
    expect(Buffer.from(BACKING.subarray(120, 128)).toString("latin1")).toBe("qcow2\0\0\0");
  });

  it("an offset outside the buffer", () => {
    for (const at of [-1, V3.length + 1]) {
      const error = readError(V3, at);
      expect(error.path).toBe("");
      expect(error.offset).toBe(0);
      expect(error.reason).toBe(`offset ${at} is outside the 512-byte buffer`);
    }
    expect(readError(V3, 0.5).reason).toBe("offset 0.5 is not a whole number");
    // At the very end the buffer is in range but empty.
    const error = readError(V3, V3.length);
    expect({ path: error.path, offset: error.offset }).toEqual({ path: "magic", offset: 512 });
  });
});

// ---------------------------------------------------------------- not errors

describe("edits that still decode", () => {
  it("header_length 120 with 8 unknown header bytes before the extensions: kept as header_extra", () => {
    const extra = [0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0xff];
    const input = edited(spliced(V3, 112, extra), (_, v) => v.setUint32(100, 120));
    const { value, end } = decoded(read(input));
    const original = decoded(read(V3)).value;
    expect(end).toBe(V3.length + 8);
    expect(value.additional?.header_extra).toBe(String.fromCharCode(...extra));
    expect(value.additional?.compression_type).toBe("Zlib");
    expect(value.extensions).toStrictEqual(original.extensions);
    expectRewrites(value, input);
  });

  it("header_length 104: compression_type is absent, and its zero bytes read as the end marker", () => {
    // Bytes 104-111 (zlib = 0 and 7 bytes of padding) are all zero, which is
    // the end marker: the feature table after them is never reached.
    const input = edited(V3, (_, v) => v.setUint32(100, 104));
    const { value, end } = decoded(read(input));
    expect(end).toBe(112);
    expect(value.additional?.compression_type).toBeUndefined();
    expect(value.additional?.header_extra).toBeUndefined();
    expect(value.extensions).toEqual([]);
    expectRewrites(value, input.subarray(0, 112));
  });

  it("version One is read with the v2 layout: no additional fields, extensions at 72", () => {
    // In v3-default, bytes 72-79 (incompatible_features) are zero: an end marker.
    const input = edited(V3, (_, v) => v.setUint32(4, 1));
    const { value, end } = decoded(read(input));
    expect(value.version).toBe("One");
    expect(value.additional).toBeUndefined();
    expect(value.extensions).toEqual([]);
    expect(end).toBe(80);
    expectRewrites(value, input.subarray(0, 80));
  });

  it("an unknown compression type byte is kept as { unknown }", () => {
    const input = edited(V3, (b) => (b[104] = 7));
    const { value } = decoded(read(input));
    expect(value.additional?.compression_type).toEqual({ unknown: 7 });
    expectRewrites(value, input);
  });

  it("every feature bit set: named bits become booleans, the rest stay in *_unknown", () => {
    const input = edited(V3, (_, v) => {
      v.setBigUint64(72, 2n ** 64n - 1n);
      v.setBigUint64(80, 2n ** 64n - 1n);
      v.setBigUint64(88, 2n ** 64n - 1n);
    });
    const { value } = decoded(read(input));
    expect(value.additional).toMatchObject({
      dirty: true,
      corrupt: true,
      external_data_file: true,
      compression_type_bit: true,
      extended_l2: true,
      incompatible_unknown: (2n ** 64n - 1n) & ~0x1fn,
      lazy_refcounts: true,
      compatible_unknown: (2n ** 64n - 1n) & ~0x1n,
      autoclear_features: -1n,
    });
    expectRewrites(value, input);
  });

  it("an extension with an unknown type, negative as an int32, is kept as Unknown", () => {
    const input = edited(BACKING, (_, v) => v.setUint32(112, 0xe2792acb));
    const { value } = decoded(read(input));
    expect(value.extensions[0]).toEqual({
      kind: "Unknown",
      type: 0xe2792acb - 2 ** 32,
      data: "qcow2",
    });
    expectRewrites(value, input.subarray(0, sizeof(value)));
  });

  it("nonzero padding after an extension payload is kept in the extension's padding", () => {
    const input = edited(BACKING, (b) => (b[126] = 0x01));
    const { value } = decoded(read(input));
    expect(value.extensions[0]).toEqual({
      kind: "Backing_file",
      format: "qcow2",
      padding: "\0\x01\0",
    });
    expectRewrites(value, input.subarray(0, sizeof(value)));
  });

  it("zero padding gives no padding property: ordinary values keep their shape", () => {
    const { value } = decoded(read(BACKING));
    expect(Object.keys(value.extensions[0]!)).toEqual(["kind", "format"]);
    expect(Object.keys(decoded(read(V3)).value.extensions)).toEqual(["0"]);
  });

  it("an end marker with a nonzero length is kept as a last End entry", () => {
    const input = edited(V3, (_, v) => v.setUint32(END_MARKER_AT + 4, 8));
    const { value, end } = decoded(read(input));
    expect(end).toBe(END_MARKER_AT + 8);
    expect(value.extensions.map((e) => e.kind)).toEqual(["Feature_name_table", "End"]);
    expect(value.extensions[1]).toEqual({ kind: "End", length: 8 });
    expectRewrites(value, input);
  });

  it("a nonzero byte in the padding after compression_type is kept in additional.padding", () => {
    const input = edited(V3, (b) => (b[108] = 0x80));
    const { value } = decoded(read(input));
    expect(value.additional?.padding).toBe("\0\0\0\x80\0\0\0");
    expect(value.additional?.compression_type).toBe("Zlib");
    expectRewrites(value, input);
    const zstd = edited(fixtureBytes("zstd"), (b) => (b[111] = 0x01));
    const kept = decoded(read(zstd)).value;
    expect(kept.additional?.padding).toBe("\0\0\0\0\0\0\x01");
    expectRewrites(kept, zstd.subarray(0, sizeof(kept)));
  });

  it("bytes after the NUL in a feature name are kept in feature_tail, up to the last nonzero one", () => {
    // Entry 0 is type 0, bit 0, "dirty bit" (9 bytes at 122) and its NUL at 131.
    const input = edited(V3, (b) => (b[140] = 0x41));
    const { value } = decoded(read(input));
    const table = value.extensions[0];
    expect(table.kind === "Feature_name_table" && table.features[0]).toEqual({
      ty: "Incompatible",
      bit: 0,
      feature: "Dirty",
      feature_tail: "\0".repeat(8) + "A",
    });
    expectRewrites(value, input);
    const last = edited(V3, (b) => (b[FEATURES_AT + 48 + 47] = 0x01));
    const lastValue = decoded(read(last)).value;
    const lastTable = lastValue.extensions[0];
    expect(lastTable.kind === "Feature_name_table" && lastTable.features[1]?.feature_tail).toBe(
      // Entry 1 is "corrupt bit" (11 bytes) and its NUL: 34 bytes follow, the last one 0x01.
      `${"\0".repeat(33)}\x01`,
    );
    expectRewrites(lastValue, last);
  });

  it("a feature name starting with NUL is the empty unknown name, with what follows as its tail", () => {
    const input = edited(V3, (b) => (b[FEATURES_AT + 2] = 0));
    const { value } = decoded(read(input));
    const table = value.extensions[0];
    expect(table.kind === "Feature_name_table" && table.features[0]).toEqual({
      ty: "Incompatible",
      bit: 0,
      feature: { unknown: "" },
      feature_tail: "irty bit",
    });
    expectRewrites(value, input);
  });

  it("a feature name of all 46 bytes, with no NUL, is kept as { unknown }", () => {
    const input = edited(V3, (b) => b.fill(0x7a, FEATURES_AT + 2, FEATURES_AT + 48));
    const { value } = decoded(read(input));
    const table = value.extensions[0];
    expect(table.kind === "Feature_name_table" && table.features[0]).toEqual({
      ty: "Incompatible",
      bit: 0,
      feature: { unknown: "z".repeat(46) },
    });
    expectRewrites(value, input);
  });
});
