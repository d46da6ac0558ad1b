/**
 * Keeps the benchmark (`npm run bench`, bench/) from rotting: every case
 * runs once and must give the right result (each implementation decodes
 * each input to the same values, each encoder writes the input's bytes),
 * the committed Kaitai parser must be what its .ksy compiles to, and the
 * report must render. Nothing here is timed.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { buildCases, IMPLEMENTATIONS, OPERATIONS, verify, type Case } from "../bench/cases.js";
import { compileKsy, OUTPUT_PATH } from "../bench/kaitai/compile.js";
import {
  evaluateTargets,
  formatReport,
  pairedRatio,
  scalingRows,
  type CaseResult,
} from "../bench/report.js";

const cases = buildCases();
const name = (c: Case): string => `${c.op} ${c.input.name} by ${c.impl}`;

test("every operation and implementation has cases", () => {
  expect(new Set(cases.map((c) => c.op))).toEqual(new Set(OPERATIONS));
  expect(new Set(cases.map((c) => c.impl))).toEqual(new Set(IMPLEMENTATIONS));
  const inputs = new Set(cases.map((c) => c.input.name));
  for (const input of inputs) {
    const decoders = cases.filter((c) => c.op === "decode" && c.input.name === input);
    expect(decoders.map((c) => c.impl).sort(), input).toEqual([...IMPLEMENTATIONS].sort());
  }
  expect(cases.filter((c) => c.input.kind === "real" && c.op === "decode")).toHaveLength(20);
});

test.each(cases.map((c) => [name(c), c] as const))("%s is right", (_name, c) => {
  c.check();
});

test("a decoder that disagrees fails the check loudly", () => {
  const kaitai = cases.find((c) => c.op === "decode" && c.impl === "kaitai");
  if (kaitai === undefined) throw new Error("no Kaitai decode case");
  const header = kaitai.input.header;
  const original = header.cluster_bits;
  header.cluster_bits = original + 1;
  try {
    expect(() => verify([kaitai])).toThrow(/decode .* by kaitai: got/);
  } finally {
    header.cluster_bits = original;
  }
  expect(() => verify([kaitai])).not.toThrow();
});

test("the committed Kaitai parser is compiled from bench/kaitai/qcow2_header.ksy", async () => {
  expect(readFileSync(OUTPUT_PATH, "utf8")).toBe(await compileKsy());
});

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
    result("kaitai", "v2", [1000, 900, 800]),
    result("generated", "features×10", [1000, 1000, 1000], 10),
    result("generated", "features×100", [10000, 10000, 10000], 100),
  ];
  expect(pairedRatio(results[0].roundsNs, results[1].roundsNs).median).toBeCloseTo(1.1);
  const targets = evaluateTargets(results);
  expect(targets.find((t) => t.target.includes("hand-written"))?.verdict).toBe("met");
  expect(targets.find((t) => t.target.includes("kaitai"))?.verdict).toBe("met");
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
  expect(text).toContain("## Decode, real qemu-img headers");
  expect(text).toContain("## Scaling: nanoseconds per entry");
  expect(text).toContain("## Targets");
});
