/**
 * Keeps the benchmark (`npm run bench`, bench/) from rotting: every case
 * runs once and must give the right result (each implementation decodes
 * each input to the same values, each encoder writes the input's bytes),
 * the committed Kaitai parser must be what its .ksy compiles to, and the
 * report must render. Nothing here is timed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { expect, test } from "vitest";
import { buildCases, IMPLEMENTATIONS, OPERATIONS, verify, type Case } from "../bench/cases.js";
import { formatCodecs } from "../bench/formats.js";
import type { Input } from "../bench/inputs.js";
import { CodecError } from "../runtime/codec.js";
import { compileKsy, KSY_FILES, outputPath } from "../bench/kaitai/compile.js";
import {
  evaluateTargets,
  formatReport,
  pairedRatio,
  scalingRows,
  type CaseResult,
} from "../bench/report.js";

const cases = buildCases();
/** The formats besides qcow2 that the benchmark covers. */
// Every schema but qcow2 (benched above) and FAT (no bench case yet), by file name.
const FORMATS_BENCHED = readdirSync(new URL("../schema/", import.meta.url))
  .filter((f) => f.endsWith(".yaml") && f !== "qcow2.yaml" && f !== "fat.yaml")
  .map((f) => f.slice(0, -".yaml".length))
  .sort();
const name = (c: Case): string => `${c.op} ${c.input.name} by ${c.impl}`;

test("every operation and implementation has cases", () => {
  expect(new Set(cases.map((c) => c.op))).toEqual(new Set(OPERATIONS));
  expect(new Set(cases.map((c) => c.impl))).toEqual(new Set(IMPLEMENTATIONS));
  const qcow2 = cases.filter((c) => !("format" in c.input));
  for (const input of new Set(qcow2.map((c) => c.input.name))) {
    const decoders = qcow2.filter((c) => c.op === "decode" && c.input.name === input);
    expect(decoders.map((c) => c.impl).sort(), input).toEqual([...IMPLEMENTATIONS].sort());
  }
  expect(qcow2.filter((c) => c.input.kind === "real" && c.op === "decode")).toHaveLength(
    4 * IMPLEMENTATIONS.length,
  );
});

test("every other format has two or more real inputs, each decoded, encoded and sized by the generated and the hand-written codec", () => {
  const byFormat = new Map<string, Set<string>>();
  for (const c of cases) {
    if (!("format" in c.input) || typeof c.input.format !== "string") continue;
    if (c.input.kind !== "real") continue;
    const names = byFormat.get(c.input.format) ?? new Set<string>();
    byFormat.set(c.input.format, names.add(c.input.name));
  }
  expect([...byFormat.keys()].sort()).toEqual(FORMATS_BENCHED);
  const scaling = cases.filter((c) => "format" in c.input && c.input.kind === "scaling");
  for (const op of ["decode", "encode"] as const)
    expect(new Set(scaling.filter((c) => c.op === op).map((c) => c.impl))).toEqual(
      new Set(["generated", "hand-written"]),
    );
  for (const [format, names] of byFormat) {
    expect(names.size, format).toBeGreaterThanOrEqual(2);
    for (const input of names)
      for (const op of ["decode", "encode", "sizeof"] as const) {
        const impls = cases.filter((c) => c.op === op && c.input.name === input).map((c) => c.impl);
        expect(impls, `${op} ${input}`).toEqual(
          expect.arrayContaining(["generated", "hand-written"]),
        );
      }
  }
});

test.each(cases.map((c) => [name(c), c] as const))("%s is right", (_name, c) => {
  c.check();
});

test.each(formatCodecs().map((f) => [f.format, f] as const))(
  "the hand-written %s codec makes the generated codec's checks: with one byte of an input changed, both refuse it or both read the same value",
  (format, { inputs, everyByte, reseal, generated, handWritten }) => {
    for (const input of inputs) {
      const bytes = input.bytes.slice();
      let refused = 0;
      // Every byte of the first 512 (or as many as the format says) and of the last 64 (ZIP's
      // end record, tar's zero blocks); between them (VMDK's descriptor, VHDX's padding, ELF's
      // code) about 128 bytes spread evenly, so the test stays quick.
      const stride = Math.max(37, Math.ceil((input.end - everyByte) / 128));
      const tail = input.end - 64;
      for (let i = 0; i < input.end; i += i < everyByte || i >= tail ? 1 : stride) {
        for (const flip of [0x01, 0x80, 0xff]) {
          bytes[i] ^= flip;
          // With checksums recomputed too (PNG's CRCs, ext4's CRC-32C), so that the change
          // reaches the fields and checks behind them.
          for (const changed of withResealed(bytes, reseal)) {
            const ours = generated.read(changed);
            const theirs = handWritten.read(changed);
            const what = `${format} ${input.name} byte ${i} ^ ${flip}${changed === bytes ? "" : ", resealed"}`;
            if (ours instanceof CodecError) {
              refused++;
              expect(theirs, what).toBeInstanceOf(CodecError);
              // isDeepStrictEqual first: expect's deep equality is slow on large values.
            } else if (!isDeepStrictEqual(theirs, ours)) expect(theirs, what).toEqual(ours);
          }
          bytes[i] ^= flip;
        }
      }
      expect(refused, `${input.name}: some changes are refused`).toBeGreaterThan(0);
    }
  },
);

/** `bytes`, and a copy with its checksums recomputed if it has any. */
function withResealed(
  bytes: Uint8Array,
  reseal: ((bytes: Uint8Array) => boolean) | undefined,
): Uint8Array[] {
  if (reseal === undefined) return [bytes];
  const copy = bytes.slice();
  return reseal(copy) ? [bytes, copy] : [bytes];
}

test("a decoder that disagrees fails the check loudly", () => {
  const kaitai = cases.find((c) => c.op === "decode" && c.impl === "kaitai");
  if (kaitai === undefined || !("header" in kaitai.input)) throw new Error("no qcow2 Kaitai case");
  const header = (kaitai.input as Input).header;
  const original = header.cluster_bits;
  header.cluster_bits = original + 1;
  try {
    expect(() => verify([kaitai])).toThrow(/decode .* by kaitai: got/);
  } finally {
    header.cluster_bits = original;
  }
  expect(() => verify([kaitai])).not.toThrow();
});

test.each(KSY_FILES.map(([ksy]) => ksy))(
  "the committed Kaitai parser is compiled from bench/kaitai/%s",
  async (ksy) => {
    expect(readFileSync(outputPath(ksy), "utf8")).toBe(await compileKsy(ksy));
  },
);

test("the report renders results, ratios, scaling and targets", () => {
  const result = (
    impl: CaseResult["impl"],
    input: string,
    roundsNs: number[],
    entries?: number,
  ): CaseResult => ({
    op: "decode",
    input,
    inputKind: entries === undefined ? "real" : "scaling",
    impl,
    series: entries === undefined ? undefined : "features",
    entries,
    nsPerOp: roundsNs[1],
    opsPerSec: 1e9 / roundsNs[1],
    roundsNs,
    ratio: undefined,
    gcPerMillion: 0,
    gcOps: 1e6,
    allocBytesPerOp: 100,
    keptBytesPerOp: 100,
  });
  const results = [
    result("generated", "v2", [100, 100, 100]),
    result("hand-written", "v2", [120, 110, 90]),
    result("lean", "v2", [80, 80, 80]),
    result("kaitai", "v2", [1000, 900, 800]),
    result("generated", "features×10", [1000, 1000, 1000], 10),
    result("generated", "features×100", [10000, 10000, 10000], 100),
  ];
  expect(pairedRatio(results[0].roundsNs, results[1].roundsNs).median).toBeCloseTo(1.1);
  const targets = evaluateTargets(results);
  expect(targets.find((t) => t.target.includes("hand-written"))?.verdict).toBe("met");
  expect(targets.find((t) => t.target.includes("kaitai"))?.verdict).toBe("met");
  expect(targets.find((t) => t.target.includes("lean"))?.verdict).toBe("missed");
  const scaling = scalingRows(results);
  expect(scaling[0].lastStepGrowth).toBeCloseTo(10);
  const text = formatReport({
    meta: {
      node: "20",
      v8: "11",
      date: "now",
      rounds: 3,
      processes: "one per case",
      load: "0.50 0.40 0.30",
      minCpuMsPerSample: 25,
      cpus: "2 × test",
      seconds: 1,
    },
    results,
    scaling,
    targets,
  });
  expect(text).toContain("## Decode, real inputs");
  expect(text).toContain("## Scaling: nanoseconds per entry");
  expect(text).toContain("## Targets");
});
