/**
 * `npm run bench`: the codec benchmark. Checks that every implementation
 * decodes every input to the same values (and every encoder writes the same
 * bytes), fails loudly if not, then times every case in interleaved rounds,
 * counts garbage collections and allocation, and prints a table (operation
 * × input × implementation). Each case runs in a child process of its own
 * (bench/child.ts): timed in one process, one implementation's JIT state
 * and garbage change the next one's time by up to several times.
 *
 *   npm run bench                      # the table
 *   npm run bench -- --json            # JSON on stdout (table on stderr)
 *   npm run bench -- --json=out.json   # the table, and JSON to a file
 *   npm run bench -- --rounds=9 --time=40 --filter='decode v3'
 *   npm run bench -- --one-process     # quicker, less trustworthy: all in this process
 *
 * Run with `node --expose-gc --import tsx bench/run.ts` (the npm script does).
 */
import { fork, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { BASELINE, buildCases, verify, type Case } from "./cases.js";
import { checksumTargets, measureChecksums } from "./checksum.js";
import type { FromChild, ToChild } from "./child.js";
import { measureGeneration, type GenerationResult } from "./generation.js";
import { collectGarbage, gcExposed, nanosecondsPerOp } from "./measure.js";
import { caseName, measureExtras, type Extras } from "./one-case.js";
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
  /** Every case in this process (quick, but one case's JIT state and garbage affect the next). */
  oneProcess: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    rounds: 5,
    timeMs: 25,
    filter: undefined,
    json: undefined,
    oneProcess: false,
  };
  for (const arg of argv) {
    const [key, value] = arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    if (key === "--json") options.json = value ?? "-";
    else if (key === "--rounds" && value !== undefined) options.rounds = Number(value);
    else if (key === "--time" && value !== undefined) options.timeMs = Number(value);
    else if (key === "--filter" && value !== undefined) options.filter = new RegExp(value);
    else if (key === "--one-process" && value === undefined) options.oneProcess = true;
    else
      throw new Error(
        `unknown option ${arg} (--json[=FILE], --rounds=N, --time=MS, --filter=RE, --one-process)`,
      );
  }
  if (!(options.rounds >= 1 && options.timeMs > 0)) throw new Error("bad --rounds or --time");
  return options;
}

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

interface Measured extends Extras {
  /** Each round's median nanoseconds per operation, in round order. */
  readonly roundsNs: number[];
}

/** Every case in this process: rounds of each group's cases back to back, then the extras. */
async function measureInProcess(
  cases: readonly Case[],
  options: Options,
): Promise<Map<Case, Measured>> {
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
  progress("counting garbage collections and allocation ...");
  const measured = new Map<Case, Measured>();
  for (const c of cases) {
    const ns = roundsNs.get(c) ?? [];
    measured.set(c, { roundsNs: ns, ...(await measureExtras(c, median(ns))) });
  }
  return measured;
}

/** A child process running one case (bench/child.ts), answering one message at a time. */
class Child {
  private readonly process: ChildProcess;
  private readonly waiting: ((message: FromChild) => void)[] = [];
  private failure: Error | undefined;

  constructor(readonly name: string) {
    this.process = fork(CHILD, [name], {
      execArgv: ["--expose-gc", "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.process.on("message", (message: FromChild) => this.waiting.shift()?.(message));
    this.process.on("exit", (code) => {
      if (code === 0) return;
      this.failure = new Error(`${name}: child exited with ${String(code)}`);
      for (const w of this.waiting.splice(0)) w({ kind: "error", message: this.failure.message });
    });
  }

  /** The next message, or a thrown error if the child reported one or died. */
  private async next(request?: ToChild): Promise<FromChild> {
    if (this.failure !== undefined) throw this.failure;
    const reply = new Promise<FromChild>((resolve) => this.waiting.push(resolve));
    if (request !== undefined) this.process.send(request);
    const message = await reply;
    if (message.kind === "error") throw new Error(`${this.name}: ${message.message}`);
    return message;
  }

  async ready(): Promise<void> {
    await this.next();
  }

  async round(timeMs: number): Promise<number> {
    const reply = await this.next({ kind: "round", timeMs });
    if (reply.kind !== "round") throw new Error(`${this.name}: unexpected ${reply.kind}`);
    return reply.ns;
  }

  async finish(nsPerOp: number): Promise<Extras> {
    const reply = await this.next({ kind: "finish", nsPerOp });
    if (reply.kind !== "finish") throw new Error(`${this.name}: unexpected ${reply.kind}`);
    const { kind: _kind, ...extras } = reply;
    return extras;
  }

  kill(): void {
    if (this.process.exitCode === null) this.process.kill();
  }
}

const CHILD = fileURLToPath(new URL("child.ts", import.meta.url));

/**
 * Every case in a process of its own. The processes of one group (an
 * operation on an input) start together, then run their rounds interleaved
 * (A B C, B C A, ...): a round of each case at a time, so load on a shared
 * machine falls on all of them alike and per-round ratios pair up.
 */
async function measureInChildren(
  cases: readonly Case[],
  options: Options,
): Promise<Map<Case, Measured>> {
  const measured = new Map<Case, Measured>();
  const caseGroups = groups(cases);
  for (const [g, group] of caseGroups.entries()) {
    const first = group[0];
    progress(
      `[${g + 1}/${caseGroups.length}] ${first.op} ${first.input.name}: ${group.length} processes ...`,
    );
    const children = group.map((c) => new Child(caseName(c)));
    try {
      await Promise.all(children.map((child) => child.ready()));
      const roundsNs = group.map((): number[] => []);
      for (let round = 0; round < options.rounds; round++) {
        for (let i = 0; i < group.length; i++) {
          const k = (i + round) % group.length;
          roundsNs[k].push(await children[k].round(options.timeMs));
        }
      }
      for (const [k, c] of group.entries()) {
        const extras = await children[k].finish(median(roundsNs[k]));
        measured.set(c, { roundsNs: roundsNs[k], ...extras });
      }
    } finally {
      for (const child of children) child.kill();
    }
  }
  return measured;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!gcExposed()) throw new Error("run with node --expose-gc (npm run bench does)");
  const started = performance.now();

  const filter = options.filter;
  const cases = buildCases().filter((c) => filter === undefined || filter.test(caseName(c)));
  progress(`checking ${cases.length} cases agree ...`);
  verify(cases);

  const measured = options.oneProcess
    ? await measureInProcess(cases, options)
    : await measureInChildren(cases, options);
  progress(`measured in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const results: CaseResult[] = [];
  for (const c of cases) {
    const m = measured.get(c);
    if (m === undefined) throw new Error(`${caseName(c)} was not measured`);
    const nsPerOp = median(m.roundsNs);
    const base = cases.find((b) => b.op === c.op && b.input === c.input && b.impl === BASELINE);
    const baseNs = base === undefined ? undefined : measured.get(base)?.roundsNs;
    results.push({
      op: c.op,
      input: c.input.name,
      inputKind: c.input.kind,
      impl: c.impl,
      series: c.input.series,
      entries: c.input.entries,
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp,
      roundsNs: m.roundsNs,
      ratio: baseNs === undefined ? undefined : pairedRatio(m.roundsNs, baseNs),
      gcPerMillion: m.gcPerMillion,
      gcOps: m.gcOps,
      allocBytesPerOp: m.allocBytesPerOp,
      keptBytesPerOp: m.keptBytesPerOp,
    });
  }

  // Checksums run unless a filter leaves them out (--filter=checksum runs only them).
  const checksums =
    filter === undefined || filter.test("checksum")
      ? await measureChecksums(options.rounds, options.timeMs, progress)
      : undefined;

  // Generation timing: the same rule (--filter=generat runs only it).
  let generation: GenerationResult | undefined;
  if (filter === undefined || filter.test("generation")) {
    progress(
      "timing binschema generate (fresh processes; 100,000 members only in npm run bench:generate) ...",
    );
    generation = measureGeneration(1, undefined, [1_000, 10_000]);
  }

  const cpu = cpus();
  const report: Report = {
    meta: {
      node: process.versions.node,
      v8: process.versions.v8,
      date: new Date().toISOString(),
      rounds: options.rounds,
      processes: options.oneProcess ? "one" : "one per case",
      load: loadavg()
        .map((l) => l.toFixed(2))
        .join(" "),
      minCpuMsPerSample: options.timeMs,
      cpus: `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}`,
      seconds: (performance.now() - started) / 1000,
    },
    results,
    scaling: scalingRows(results),
    ...(checksums === undefined ? {} : { checksums }),
    ...(generation === undefined ? {} : { generation }),
    targets: [...evaluateTargets(results), ...checksumTargets(checksums ?? [])],
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
