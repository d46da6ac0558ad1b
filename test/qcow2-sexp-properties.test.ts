/**
 * S-expression round trips over generated values: for the header and for
 * each of its sub-types, converting to an S-expression and back gives the
 * same value, through both printed forms; and two values are equal exactly
 * when their machine forms are equal.
 */
import fc, { type Arbitrary } from "fast-check";
import { describe, expect, test } from "vitest";
import {
  additionalOfSexp,
  bitmapsExtensionOfSexp,
  compare,
  compressionTypeOfSexp,
  cryptMethodOfSexp,
  extensionOfSexp,
  featureNameOfSexp,
  featureOfSexp,
  featureTypeOfSexp,
  fromString,
  fullDiskEncryptionOfSexp,
  sexpOfAdditional,
  sexpOfBitmapsExtension,
  sexpOfCompressionType,
  sexpOfCryptMethod,
  sexpOfExtension,
  sexpOfFeature,
  sexpOfFeatureName,
  sexpOfFeatureType,
  sexpOfFullDiskEncryption,
  sexpOfVersion,
  toMachineString,
  toString,
  versionOfSexp,
  type Header,
} from "../generated/qcow2.js";
import { parseSexp, toStringHum, toStringMach, type Sexp } from "../runtime/sexp.js";
import { SexpError } from "../runtime/sexp-convert.js";
import {
  arbAdditional,
  arbBitmapsExtension,
  arbCompressionType,
  arbCryptMethod,
  arbExtension,
  arbFeature,
  arbFeatureName,
  arbFeatureType,
  arbFullDiskEncryption,
  arbHeader,
  arbVersion,
} from "./arbitrary/qcow2.js";

const RUNS = { numRuns: 500 };

function parsed(text: string): Sexp {
  const result = parseSexp(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** to S-expression, print in both forms, parse, convert back: the same value. */
function roundTrips<T>(
  name: string,
  arb: Arbitrary<T>,
  toSexp: (v: T) => Sexp,
  ofSexp: (s: Sexp) => T | SexpError,
): void {
  test(`${name}: of_sexp (sexp_of v) = v through both printed forms`, () => {
    fc.assert(
      fc.property(arb, (v) => {
        for (const text of [toStringMach(toSexp(v)), toStringHum(toSexp(v))]) {
          const back = ofSexp(parsed(text));
          if (back instanceof SexpError) throw new Error(`${back.message}\n${text}`);
          expect(back).toStrictEqual(v);
        }
      }),
      RUNS,
    );
  });
}

describe("round trips for every type", () => {
  roundTrips("Version", arbVersion(), sexpOfVersion, (s) => versionOfSexp(s));
  roundTrips("CryptMethod", arbCryptMethod(), sexpOfCryptMethod, (s) => cryptMethodOfSexp(s));
  roundTrips("CompressionType", arbCompressionType(), sexpOfCompressionType, (s) =>
    compressionTypeOfSexp(s),
  );
  roundTrips("FeatureType", arbFeatureType(), sexpOfFeatureType, (s) => featureTypeOfSexp(s));
  roundTrips("FeatureName", arbFeatureName(), sexpOfFeatureName, (s) => featureNameOfSexp(s));
  roundTrips("Feature", arbFeature(), sexpOfFeature, (s) => featureOfSexp(s));
  roundTrips("BitmapsExtension", arbBitmapsExtension(), sexpOfBitmapsExtension, (s) =>
    bitmapsExtensionOfSexp(s),
  );
  roundTrips("FullDiskEncryption", arbFullDiskEncryption(), sexpOfFullDiskEncryption, (s) =>
    fullDiskEncryptionOfSexp(s),
  );
  roundTrips("Extension", arbExtension(), sexpOfExtension, (s) => extensionOfSexp(s));
  roundTrips("Additional", arbAdditional(), sexpOfAdditional, (s) => additionalOfSexp(s));

  test("Header: fromString(toString h) = h and fromString(toMachineString h) = h", () => {
    fc.assert(
      fc.property(arbHeader(), (h) => {
        for (const text of [toString(h), toMachineString(h)]) {
          const back = fromString(text);
          if (back instanceof SexpError) throw new Error(`${back.message}\n${text}`);
          expect(back).toStrictEqual(h);
        }
      }),
      RUNS,
    );
  });
});

describe("compare and equality agree with the S-expression", () => {
  test("two headers compare equal exactly when their machine forms are equal", () => {
    // Pairs that are often equal or nearly so: a header and a copy with one field maybe changed.
    const pair: Arbitrary<[Header, Header]> = arbHeader().chain((h) =>
      fc.oneof(
        fc.constant<[Header, Header]>([h, structuredClone(h)]),
        arbHeader().map((g): [Header, Header] => [h, g]),
        fc
          .boolean()
          .map((b): [Header, Header] => [h, { ...h, additional: b ? undefined : h.additional }]),
        fc
          .integer({ min: 0, max: 1 })
          .map((n): [Header, Header] => [h, { ...h, l1_size: h.l1_size ^ n }]),
      ),
    );
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(compare(a, b) === 0).toBe(toMachineString(a) === toMachineString(b));
      }),
      { numRuns: 2000 },
    );
  });
});
