/**
 * `npm run bench`: the qcow2 header benchmark. Checks that every
 * implementation decodes every input to the same values (and every encoder
 * writes the same bytes), fails loudly if not, then times every case in
 * interleaved rounds, counts garbage collections and allocation, and prints
 * a table (operation × input × implementation).
 *
 *   npm run bench                      # the table
 *   npm run bench -- --json            # JSON on stdout (table on stderr)
 *   npm run bench -- --json=out.json   # the table, and JSON to a file
 *   npm run bench -- --rounds=9 --time=40 --filter='decode v3'
 *
 * Run with `node --expose-gc --import tsx bench/run.ts` (the npm script does).
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { BASELINE, buildCases, verify, type Case } from "./cases.js";
import {
  allocatedBytesPerOp,
  collectGarbage,
  gcEventsPerMillion,
  gcExposed,
  keptBytesPerResult,
  nanosecondsPerOp,
} from "./measure.js";
import {
  evaluateTargets,
  formatReport,
  median,
  pairedRatio,
  scalingRows,
  type CaseResult,
  type Report,
} from "./report.js";

interface Options {
  rounds: number;
  /** Milliseconds of samples per case per round. */
  timeMs: number;
  filter: RegExp | undefined;
  /** undefined: no JSON; "-": JSON on stdout; else a file. */
  json: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { rounds: 7, timeMs: 25, filter: undefined, json: undefined };
  for (const arg of argv) {
    const [key, value] = arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    if (key === "--json") options.json = value ?? "-";
    else if (key === "--rounds" && value !== undefined) options.rounds = Number(value);
    else if (key === "--time" && value !== undefined) options.timeMs = Number(value);
    else if (key === "--filter" && value !== undefined) options.filter = new RegExp(value);
    else
      throw new Error(`unknown option ${arg} (--json[=FILE], --rounds=N, --time=MS, --filter=RE)`);
  }
  if (!(options.rounds >= 1 && options.timeMs > 0)) throw new Error("bad --rounds or --time");
  return options;
}

const caseName = (c: Case): string => `${c.op} ${c.input.name} ${c.impl}`;

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Cases of one operation on one input, which run back to back in every round. */
function groups(cases: readonly Case[]): Case[][] {
  const byKey = new Map<string, Case[]>();
  for (const c of cases) {
    const key = `${c.op}\u0000${c.input.name}`;
    const group = byKey.get(key);
    if (group === undefined) byKey.set(key, [c]);
    else group.push(c);
  }
  return [...byKey.values()];
}

/**
 * Operations to count collections over: a full 1,000,000 for the generated
 * codec's write and sizeof on the real inputs (the target is 0 there), else
 * about 0.15 s worth, from 100 up to 1,000,000.
 */
function gcOps(c: Case, nsPerOp: number): number {
  if (c.impl === "generated" && c.input.kind === "real" && (c.op === "encode" || c.op === "sizeof"))
    return 1e6;
  return Math.round(Math.min(1e6, Math.max(100, 0.15e9 / nsPerOp)));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!gcExposed()) throw new Error("run with node --expose-gc (npm run bench does)");
  const started = performance.now();

  const filter = options.filter;
  const cases = buildCases().filter((c) => filter === undefined || filter.test(caseName(c)));
  progress(`checking ${cases.length} cases agree ...`);
  verify(cases);

  progress("warming up ...");
  for (const c of cases) {
    const until = performance.now() + 5;
    while (performance.now() < until) c.run();
  }

  const roundsNs = new Map<Case, number[]>(cases.map((c) => [c, []]));
  const caseGroups = groups(cases);
  for (let round = 0; round < options.rounds; round++) {
    progress(`round ${round + 1}/${options.rounds} ...`);
    collectGarbage();
    for (const group of caseGroups) {
      // Rotate the order each round so no implementation always runs first.
      for (let i = 0; i < group.length; i++) {
        const c = group[(i + round) % group.length];
        roundsNs.get(c)?.push(await nanosecondsPerOp(c.run, options.timeMs));
      }
    }
  }

  progress(`timed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  progress("counting garbage collections and allocation ...");
  const results: CaseResult[] = [];
  for (const c of cases) {
    const ns = roundsNs.get(c) ?? [];
    const nsPerOp = median(ns);
    const gc = await gcEventsPerMillion(c.run, gcOps(c, nsPerOp));
    const alloc = await allocatedBytesPerOp(c.run, nsPerOp);
    // Keep about 4 MB of results, so heap noise is small per result.
    const keptCount = Math.round(Math.min(4096, Math.max(64, 4e6 / Math.max(alloc, 1))));
    const kept = c.op === "decode" ? keptBytesPerResult(c.run, keptCount) : undefined;
    const base = cases.find((b) => b.op === c.op && b.input === c.input && b.impl === BASELINE);
    const baseNs = base === undefined ? undefined : roundsNs.get(base);
    results.push({
      op: c.op,
      input: c.input.name,
      inputKind: c.input.kind,
      impl: c.impl,
      series: c.input.series,
      entries: c.input.entries,
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp,
      roundsNs: ns,
      ratio: baseNs === undefined ? undefined : pairedRatio(ns, baseNs),
      gcPerMillion: gc.perMillion,
      gcOps: gc.ops,
      allocBytesPerOp: alloc,
      keptBytesPerOp: kept,
    });
  }

  const cpu = cpus();
  const report: Report = {
    meta: {
      node: process.versions.node,
      v8: process.versions.v8,
      date: new Date().toISOString(),
      rounds: options.rounds,
      minCpuMsPerSample: options.timeMs,
      cpus: `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}`,
      seconds: (performance.now() - started) / 1000,
    },
    results,
    scaling: scalingRows(results),
    targets: evaluateTargets(results),
  };
  const text = formatReport(report);
  const json = JSON.stringify(report, null, 2);
  if (options.json === "-") {
    process.stderr.write(`${text}\n`);
    process.stdout.write(`${json}\n`);
  } else {
    process.stdout.write(`${text}\n`);
    if (options.json !== undefined) writeFileSync(options.json, `${json}\n`);
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
