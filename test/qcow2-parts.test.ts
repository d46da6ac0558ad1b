/**
 * The seed's sub-modules' own functions (Version/CryptMethod compare, sizeof,
 * read, write; Feature read, write, sizeof, understood), as the generated
 * module exports them for every record and integer enum (`Type_read`, ...),
 * checked against the bytes of a real qemu-img header.
 */
import { describe, expect, test } from "vitest";
import {
  compareCryptMethod,
  readCryptMethod,
  sizeofCryptMethod,
  writeCryptMethod,
  compareFeature,
  readFeature,
  sizeofFeature,
  writeFeature,
  readFeatureType,
  compareVersion,
  readVersion,
  sizeofVersion,
  writeVersion,
  type Feature,
} from "../generated/qcow2.js";
import { understoodFeatures } from "../formats/qcow2/helpers.js";
import { CodecError } from "../runtime/codec.js";
import { fixtureBytes, fixtureHeader } from "./support/fixtures.js";

const V3 = fixtureBytes("v3-default");
/** In v3-default.bin: version at 4, crypt_method at 32, the feature name table's entries from 120. */
const FEATURES_AT = 120;

function ok<T>(result: T | CodecError): T {
  if (result instanceof CodecError) throw new Error(result.message);
  return result;
}

describe("Version and CryptMethod", () => {
  test("read the stored words of a real header", () => {
    expect(ok(readVersion(V3, 4))).toEqual({ value: "Three", end: 8 });
    expect(ok(readCryptMethod(V3, 32))).toEqual({ value: "None", end: 36 });
  });

  test("write what they read, 4 bytes, and nothing else", () => {
    const out = new Uint8Array(12).fill(0xee);
    expect(writeVersion("Three", out, 4)).toBe(8);
    expect(Array.from(out)).toEqual([0xee, 0xee, 0xee, 0xee, 0, 0, 0, 3, 0xee, 0xee, 0xee, 0xee]);
    expect(writeCryptMethod("Aes", out, 0)).toBe(4);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 0, 0, 1]);
    expect(sizeofVersion("One")).toBe(4);
    expect(sizeofCryptMethod("Luks")).toBe(4);
  });

  test("compare as OCaml orders the polymorphic variants: Aes < None, One < Two < Three", () => {
    expect(compareCryptMethod("Aes", "None")).toBeLessThan(0);
    expect(compareVersion("One", "Three")).toBeLessThan(0);
    expect(compareVersion("Two", "Two")).toBe(0);
  });

  test("errors are values naming the byte and the reason; a failed write changes nothing", () => {
    const bad = readVersion(new Uint8Array([0, 0, 0, 4]));
    expect(bad).toBeInstanceOf(CodecError);
    expect((bad as CodecError).message).toBe("value at byte 0: 4 is not a Version");
    expect((readVersion(new Uint8Array(2)) as CodecError).reason).toBe(
      "truncated: needs 4 bytes, only 2 left",
    );
    expect((readVersion(V3, 1000) as CodecError).reason).toMatch(/offset 1000 is outside/);
    const out = new Uint8Array(3);
    expect(writeVersion("One", out)).toBeInstanceOf(CodecError);
    expect(writeVersion("Four" as "One", new Uint8Array(4))).toBeInstanceOf(CodecError);
    expect(Array.from(out)).toEqual([0, 0, 0]);
  });
});

describe("Feature", () => {
  test("reads each 48-byte entry of a real feature name table", () => {
    expect(ok(readFeature(V3, FEATURES_AT))).toEqual({
      value: { ty: "Incompatible", bit: 0, feature: "Dirty" },
      end: FEATURES_AT + 48,
    });
    expect(ok(readFeatureType(V3, FEATURES_AT)).value).toBe("Incompatible");
  });

  test("writes back the same 48 bytes; sizeof is 48", () => {
    const entry = V3.subarray(FEATURES_AT + 48, FEATURES_AT + 96);
    const value = ok(readFeature(entry)).value;
    const out = new Uint8Array(48);
    expect(writeFeature(value, out)).toBe(48);
    expect(Buffer.from(out).equals(Buffer.from(entry))).toBe(true);
    expect(sizeofFeature(value)).toBe(48);
  });

  test("refuses what it cannot store, naming the field, and leaves the buffer alone", () => {
    const out = new Uint8Array(48).fill(7);
    const bad = writeFeature({ ty: "Compatible", bit: 300, feature: "Dirty" }, out);
    expect((bad as CodecError).message).toMatch(/^bit: expected an integer from 0 to 255, got 300/);
    expect(out.every((b) => b === 7)).toBe(true);
  });

  test("compare orders by ty, then bit, then name", () => {
    const a: Feature = { ty: "Incompatible", bit: 1, feature: "Corrupt" };
    expect(compareFeature(a, { ...a, bit: 2 })).toBeLessThan(0);
    expect(compareFeature(a, { ...a, ty: "Autoclear", bit: 0 })).toBeLessThan(0);
  });

  test("understoodFeatures is the table QEMU writes, entry for entry", () => {
    const table = fixtureHeader("v3-default").extensions.find(
      (e) => e.kind === "Feature_name_table",
    );
    expect(table?.kind === "Feature_name_table" && table.features).toEqual(understoodFeatures);
    expect(understoodFeatures.slice(0, 2)).toEqual([
      { ty: "Incompatible", bit: 0, feature: "Dirty" },
      { ty: "Incompatible", bit: 1, feature: "Corrupt" },
    ]);
  });
});
