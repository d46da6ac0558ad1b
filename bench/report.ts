/**
 * What a benchmark run found: per-case results, ratios between
 * implementations (paired round by round, since the implementations of one
 * operation and input run back to back in each round), the scaling series,
 * the issue's targets, and the text table.
 */
import { BASELINE, type Implementation, type Operation } from "./cases.js";
import { formatChecksums, type ChecksumResult } from "./checksum.js";
import { formatGeneration, type GenerationResult } from "./generation.js";

export interface CaseResult {
  readonly op: Operation;
  readonly input: string;
  readonly inputKind: "real" | "scaling";
  readonly impl: Implementation;
  /** Scaling inputs: the series and its number of entries. */
  readonly series?: string;
  readonly entries?: number;
  /** Median over rounds of each round's median nanoseconds per operation. */
  readonly nsPerOp: number;
  readonly opsPerSec: number;
  /** Each round's median nanoseconds per operation, in round order. */
  readonly roundsNs: readonly number[];
  /** Against the hand-written baseline for the same operation and input (>1: faster). */
  readonly ratio?: Ratio;
  readonly gcPerMillion: number;
  /** Operations run to count collections (scaled to 1M). */
  readonly gcOps: number;
  readonly allocBytesPerOp: number;
  /** Decode only: bytes per result that stay reachable, i.e. what it returns. */
  readonly keptBytesPerOp?: number;
}

/** How many times faster one implementation is than another: median and range over rounds. */
export interface Ratio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface Target {
  readonly target: string;
  readonly input: string;
  readonly value: string;
  readonly verdict: "met" | "floor" | "missed";
  readonly note?: string;
}

export interface ScalingRow {
  readonly op: Operation;
  readonly series: string;
  readonly impl: Implementation;
  /** Nanoseconds per entry at each size, smallest first. */
  readonly nsPerEntry: readonly { readonly entries: number; readonly ns: number }[];
  /** Time at the largest size over time at the one ten times smaller (10 when linear). */
  readonly lastStepGrowth: number | undefined;
}

export interface Report {
  readonly meta: {
    readonly node: string;
    readonly v8: string;
    readonly date: string;
    readonly rounds: number;
    /** "one per case" (each implementation × input in its own child process) or "one". */
    readonly processes: string;
    /** The 1, 5 and 15 minute load averages when the run ended. */
    readonly load: string;
    readonly minCpuMsPerSample: number;
    readonly cpus: string;
    readonly seconds: number;
  };
  readonly results: readonly CaseResult[];
  readonly scaling: readonly ScalingRow[];
  /** Checksum throughput (bench/checksum.ts), when the run measured it. */
  readonly checksums?: readonly ChecksumResult[];
  /** Generation timing (bench/generation.ts), when the run measured it. */
  readonly generation?: GenerationResult;
  readonly targets: readonly Target[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** How many times faster `a` is than `b`, round by round. */
export function pairedRatio(a: readonly number[], b: readonly number[]): Ratio {
  const ratios = a.map((ns, i) => b[i] / ns);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** Bytes allocated per decode beyond what it returns that still count as "only what it returns". */
const GARBAGE_TOLERANCE = (kept: number): number => Math.max(64, 0.02 * kept);

/** Differences under this factor are ties unless repeated runs agree. */
export const TIE_BAND = 1.3;

function find(
  results: readonly CaseResult[],
  op: Operation,
  input: string,
  impl: Implementation,
): CaseResult | undefined {
  return results.find((r) => r.op === op && r.input === input && r.impl === impl);
}

function inputsOf(results: readonly CaseResult[], op: Operation): string[] {
  return [...new Set(results.filter((r) => r.op === op).map((r) => r.input))];
}

function tieNote(ratio: number): string | undefined {
  return ratio > 1 / TIE_BAND && ratio < TIE_BAND ? `within the ${TIE_BAND}× tie band` : undefined;
}

/** The issue's targets, input by input. */
export function evaluateTargets(results: readonly CaseResult[]): Target[] {
  const targets: Target[] = [];
  const atLeastBaseline = (op: Operation): void => {
    for (const input of inputsOf(results, op)) {
      const ours = find(results, op, input, "generated");
      const base = find(results, op, input, BASELINE);
      if (ours === undefined || base === undefined) continue;
      const r = pairedRatio(ours.roundsNs, base.roundsNs);
      targets.push({
        target: `generated ${op} ≥ 1.0× hand-written`,
        input,
        value: `${r.median.toFixed(2)}× (rounds ${r.min.toFixed(2)}–${r.max.toFixed(2)})`,
        verdict: r.median >= 1 ? "met" : r.median >= 0.9 ? "floor" : "missed",
        note: tieNote(r.median),
      });
    }
  };
  atLeastBaseline("decode");
  for (const input of inputsOf(results, "decode")) {
    const ours = find(results, "decode", input, "generated");
    const lean = find(results, "decode", input, "lean");
    if (ours === undefined || lean === undefined) continue;
    const r = pairedRatio(ours.roundsNs, lean.roundsNs);
    targets.push({
      target: "generated decode ≥ 0.9× lean (no padding checks, names as strings)",
      input,
      value: `${r.median.toFixed(2)}× (rounds ${r.min.toFixed(2)}–${r.max.toFixed(2)})`,
      verdict: r.median >= 0.9 ? "met" : "missed",
      note: tieNote(r.median),
    });
  }
  for (const peer of ["binary-parser", "kaitai"] as const) {
    for (const input of inputsOf(results, "decode")) {
      const ours = find(results, "decode", input, "generated");
      const theirs = find(results, "decode", input, peer);
      if (ours === undefined || theirs === undefined) continue;
      const r = pairedRatio(ours.roundsNs, theirs.roundsNs);
      targets.push({
        target: `generated decode ≥ 3× ${peer}`,
        input,
        value: `${r.median.toFixed(1)}× (rounds ${r.min.toFixed(1)}–${r.max.toFixed(1)})`,
        verdict: r.median >= 3 ? "met" : "missed",
      });
    }
  }
  atLeastBaseline("encode");
  for (const op of ["encode", "sizeof"] as const) {
    for (const input of inputsOf(results, op)) {
      const ours = find(results, op, input, "generated");
      if (ours === undefined) continue;
      targets.push({
        target: `generated ${op === "encode" ? "write" : op}: 0 GC events per 1M ops`,
        input,
        value: `${formatGc(ours.gcPerMillion)} (over ${formatCount(ours.gcOps)} ops)`,
        verdict: ours.gcPerMillion === 0 ? "met" : "missed",
      });
    }
  }
  for (const input of inputsOf(results, "decode")) {
    const ours = find(results, "decode", input, "generated");
    if (ours === undefined || ours.keptBytesPerOp === undefined) continue;
    const garbage = ours.allocBytesPerOp - ours.keptBytesPerOp;
    targets.push({
      target: "generated decode allocates only what it returns",
      input,
      value: `${Math.round(ours.allocBytesPerOp)} B allocated, ${Math.round(ours.keptBytesPerOp)} B returned`,
      // V8 may put a 16-byte allocation memento after each object literal it
      // tracks for pretenuring: allow a few, or 2% of a large result.
      verdict: garbage <= GARBAGE_TOLERANCE(ours.keptBytesPerOp) ? "met" : "missed",
      note: garbage > 16 ? `${Math.round(garbage)} B/op not returned` : undefined,
    });
  }
  return targets;
}

export function scalingRows(results: readonly CaseResult[]): ScalingRow[] {
  const rows: ScalingRow[] = [];
  const scaled = results.filter((r) => r.series !== undefined && r.entries !== undefined);
  const keys = new Set(scaled.map((r) => `${r.op}\u0000${r.series}\u0000${r.impl}`));
  for (const key of keys) {
    const series = scaled
      .filter((r) => `${r.op}\u0000${r.series}\u0000${r.impl}` === key)
      .sort((a, b) => (a.entries ?? 0) - (b.entries ?? 0));
    const first = series[0];
    const byEntries = new Map(series.map((r) => [r.entries ?? 0, r.nsPerOp]));
    const last = series[series.length - 1];
    const lastEntries = last.entries ?? 0;
    const tenth = byEntries.get(lastEntries / 10);
    rows.push({
      op: first.op,
      series: first.series ?? "",
      impl: first.impl,
      nsPerEntry: series.map((r) => ({
        entries: r.entries ?? 0,
        ns: r.nsPerOp / (r.entries ?? 1),
      })),
      lastStepGrowth: tenth === undefined ? undefined : last.nsPerOp / tenth,
    });
  }
  return rows;
}

// ---------------------------------------------------------------- text

function formatOps(opsPerSec: number): string {
  if (opsPerSec >= 1e9) return `${(opsPerSec / 1e9).toPrecision(3)}G`;
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toPrecision(3)}M`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toPrecision(3)}k`;
  return opsPerSec.toPrecision(3);
}

function formatCount(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${Math.round(n / 1e3)}k` : String(n);
}

function formatGc(perMillion: number): string {
  return perMillion === 0
    ? "0"
    : perMillion >= 100
      ? perMillion.toFixed(0)
      : perMillion.toPrecision(3);
}

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "";
  return bytes >= 10000 ? `${(bytes / 1024).toFixed(0)}Ki` : Math.round(bytes).toString();
}

/** A plain-text table; the first `left` columns are left-aligned, the rest right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[], left = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const SECTIONS: readonly (readonly [string, Operation, "real" | "scaling"])[] = [
  ["Decode, real inputs (qemu-img, gcc, tar, ...)", "decode", "real"],
  ["Encode, real inputs (qemu-img, gcc, tar, ...)", "encode", "real"],
  ["sizeof, real inputs (qemu-img, gcc, tar, ...)", "sizeof", "real"],
  ["S-expression printing, machine form", "print-machine", "real"],
  ["S-expression printing, human form", "print-human", "real"],
  ["S-expression parsing, machine form", "parse-machine", "real"],
  ["S-expression parsing, human form", "parse-human", "real"],
  ["Scaling: decode", "decode", "scaling"],
  ["Scaling: encode", "encode", "scaling"],
];

export function formatReport(report: Report): string {
  const out: string[] = [];
  const m = report.meta;
  out.push(
    `binschema codecs: ${m.date}, node ${m.node} (V8 ${m.v8}), ${m.cpus}, load ${m.load}`,
    `${m.rounds} interleaved rounds of ~${m.minCpuMsPerSample} ms per case, ${m.processes === "one" ? "all in one process" : "each case in its own process"}; ops/s is the median over rounds;`,
    `×hw = how many times faster than the hand-written baseline (median of per-round ratios, [range]);`,
    `GC/1M = garbage collections per 1,000,000 ops; alloc/kept = bytes allocated / returned per op.`,
    `Differences under ${TIE_BAND}× are ties unless repeated runs agree.`,
  );
  for (const [title, op, kind] of SECTIONS) {
    const rows = report.results.filter((r) => r.op === op && r.inputKind === kind);
    if (rows.length === 0) continue;
    out.push("", `## ${title}`, "");
    out.push(
      table(
        ["input", "implementation", "ops/s", "×hw", "[range]", "GC/1M", "alloc B/op", "kept B/op"],
        rows.map((r) => [
          r.input,
          r.impl,
          formatOps(r.opsPerSec),
          r.ratio === undefined ? "" : `${r.ratio.median.toFixed(2)}`,
          r.ratio === undefined ? "" : `[${r.ratio.min.toFixed(2)}–${r.ratio.max.toFixed(2)}]`,
          formatGc(r.gcPerMillion),
          formatBytes(r.allocBytesPerOp),
          formatBytes(r.keptBytesPerOp),
        ]),
      ),
    );
  }
  if (report.scaling.length > 0) {
    out.push("", "## Scaling: nanoseconds per entry (flat when cost grows linearly)", "");
    const sizes = [...new Set(report.scaling.flatMap((s) => s.nsPerEntry.map((e) => e.entries)))];
    sizes.sort((a, b) => a - b);
    out.push(
      table(
        ["series", "implementation", ...sizes.map((n) => `n=${n}`), "t(max)/t(max/10)"],
        report.scaling.map((s) => [
          `${s.op} ${s.series}`,
          s.impl,
          ...sizes.map((n) => {
            const e = s.nsPerEntry.find((x) => x.entries === n);
            return e === undefined ? "" : e.ns.toFixed(e.ns < 100 ? 1 : 0);
          }),
          s.lastStepGrowth === undefined ? "" : s.lastStepGrowth.toFixed(1),
        ]),
      ),
    );
  }
  if (report.checksums !== undefined && report.checksums.length > 0) {
    out.push("", "## Checksums: GB/s (10^9 bytes per CPU second), each in its own process", "");
    out.push(formatChecksums(report.checksums));
  }
  if (report.generation !== undefined) {
    out.push("", "## Generation: binschema generate", "");
    out.push(formatGeneration(report.generation));
  }
  if (report.targets.length > 0) {
    out.push("", "## Targets", "");
    out.push(
      table(
        ["target", "input", "measured", "verdict"],
        report.targets.map((t) => [
          t.target,
          t.input,
          t.value,
          `${t.verdict === "met" ? "met" : t.verdict === "floor" ? "FLOOR (≥0.9, explain)" : "MISSED"}${t.note === undefined ? "" : `; ${t.note}`}`,
        ]),
        4,
      ),
    );
  }
  out.push("", `(${m.seconds.toFixed(0)} s)`);
  return out.join("\n");
}
