/**
 * The seed's sub-modules' own functions (Version/CryptMethod compare, sizeof,
 * read, write; Feature read, write, sizeof, understood), as the generated
 * module exports them for every record and integer enum (`Type_read`, ...),
 * checked against the bytes of a real qemu-img header.
 */
import { describe, expect, test } from "vitest";
import {
  CryptMethod_compare,
  CryptMethod_read,
  CryptMethod_sizeof,
  CryptMethod_write,
  Feature_compare,
  Feature_read,
  Feature_sizeof,
  Feature_write,
  FeatureType_read,
  Version_compare,
  Version_read,
  Version_sizeof,
  Version_write,
  type Feature,
} from "../generated/qcow2.js";
import { understoodFeatures } from "../helpers/qcow2.js";
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
    expect(ok(Version_read(V3, 4))).toEqual({ value: "Three", end: 8 });
    expect(ok(CryptMethod_read(V3, 32))).toEqual({ value: "None", end: 36 });
  });

  test("write what they read, 4 bytes, and nothing else", () => {
    const out = new Uint8Array(12).fill(0xee);
    expect(Version_write("Three", out, 4)).toBe(8);
    expect(Array.from(out)).toEqual([0xee, 0xee, 0xee, 0xee, 0, 0, 0, 3, 0xee, 0xee, 0xee, 0xee]);
    expect(CryptMethod_write("Aes", out, 0)).toBe(4);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 0, 0, 1]);
    expect(Version_sizeof("One")).toBe(4);
    expect(CryptMethod_sizeof("Luks")).toBe(4);
  });

  test("compare as OCaml orders the polymorphic variants: Aes < None, One < Two < Three", () => {
    expect(CryptMethod_compare("Aes", "None")).toBeLessThan(0);
    expect(Version_compare("One", "Three")).toBeLessThan(0);
    expect(Version_compare("Two", "Two")).toBe(0);
  });

  test("errors are values naming the byte and the reason; a failed write changes nothing", () => {
    const bad = Version_read(new Uint8Array([0, 0, 0, 4]));
    expect(bad).toBeInstanceOf(CodecError);
    expect((bad as CodecError).message).toBe("value at byte 0: 4 is not a Version");
    expect((Version_read(new Uint8Array(2)) as CodecError).reason).toBe(
      "truncated: needs 4 bytes, only 2 left",
    );
    expect((Version_read(V3, 1000) as CodecError).reason).toMatch(/offset 1000 is outside/);
    const out = new Uint8Array(3);
    expect(Version_write("One", out)).toBeInstanceOf(CodecError);
    expect(Version_write("Four" as "One", new Uint8Array(4))).toBeInstanceOf(CodecError);
    expect(Array.from(out)).toEqual([0, 0, 0]);
  });
});

describe("Feature", () => {
  test("reads each 48-byte entry of a real feature name table", () => {
    expect(ok(Feature_read(V3, FEATURES_AT))).toEqual({
      value: { ty: "Incompatible", bit: 0, feature: "Dirty" },
      end: FEATURES_AT + 48,
    });
    expect(ok(FeatureType_read(V3, FEATURES_AT)).value).toBe("Incompatible");
  });

  test("writes back the same 48 bytes; sizeof is 48", () => {
    const entry = V3.subarray(FEATURES_AT + 48, FEATURES_AT + 96);
    const value = ok(Feature_read(entry)).value;
    const out = new Uint8Array(48);
    expect(Feature_write(value, out)).toBe(48);
    expect(Buffer.from(out).equals(Buffer.from(entry))).toBe(true);
    expect(Feature_sizeof(value)).toBe(48);
  });

  test("refuses what it cannot store, naming the field, and leaves the buffer alone", () => {
    const out = new Uint8Array(48).fill(7);
    const bad = Feature_write({ ty: "Compatible", bit: 300, feature: "Dirty" }, out);
    expect((bad as CodecError).message).toMatch(/^bit: expected an integer from 0 to 255, got 300/);
    expect(out.every((b) => b === 7)).toBe(true);
  });

  test("compare orders by ty, then bit, then name", () => {
    const a: Feature = { ty: "Incompatible", bit: 1, feature: "Corrupt" };
    expect(Feature_compare(a, { ...a, bit: 2 })).toBeLessThan(0);
    expect(Feature_compare(a, { ...a, ty: "Autoclear", bit: 0 })).toBeLessThan(0);
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
