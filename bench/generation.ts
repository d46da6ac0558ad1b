/**
 * How long `binschema generate` takes, cold (a fresh process, as a user
 * runs it), for every schema of the repository and for one, and where the
 * time goes: loading the program (tsx, commander), yaml, prettier and
 * ts-morph, then per schema loading, checking (check → model), each
 * emitter, assembling the module (printing, parsing and tidying it, the
 * runtime imports), formatting (prettier) and writing. `--check` makes and
 * compares every file without writing, so generated/ is untouched.
 *
 * Then how it grows with the schema: synthetic schemas (bench/big-schema.ts)
 * of 1,000, 10,000 and 100,000 members, each generated in a fresh process,
 * with the same stages.
 *
 *   npm run bench:generate                          # the tables (node --import tsx bench/generation.ts)
 *   npm run bench:generate -- --scale-only          # only the scaling series
 *   node --import tsx bench/generation.ts --stages  # one process's stage times, as JSON
 *   node --import tsx bench/generation.ts --scale=N # a synthetic schema of about N members, as JSON
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FormatCache } from "../generator/format-cache.js";
import { bigSchema, blocksFor, membersOf } from "./big-schema.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const BIN = `${ROOT}bin/binschema.js`;

export interface GenerationResult {
  /** Median wall milliseconds of a cold `binschema generate --check --no-cache` of every schema. */
  readonly allMs: number;
  /** The same with every formatted batch in the cache (a regeneration with nothing changed). */
  readonly allCachedMs: number;
  /** The same for one schema (`oneSchema`). */
  readonly oneMs: number;
  readonly oneSchema: string;
  readonly schemas: number;
  readonly runs: number;
  /** CPU milliseconds of each stage in one fresh process generating every schema. */
  readonly stages: Readonly<Record<string, number>>;
  /** Synthetic schemas of growing size, each in a fresh process. */
  readonly scaling: readonly ScalingRow[];
}

/** Members of the synthetic schemas the scaling series generates. */
export const SCALING_SIZES: readonly number[] = [1_000, 10_000, 100_000];

function wallMs(args: readonly string[]): number {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`binschema ${args.join(" ")}: ${run.stderr || run.stdout}`);
  return ms;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * Milliseconds of CPU this process has used. Stages are timed in CPU time,
 * not wall time: on a shared machine the wall time of a stage is mostly
 * other processes' (the generator runs on one thread).
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * What one fresh process measured: CPU milliseconds by stage (of every
 * thread: formatting may run in worker threads), the lines it generated,
 * and the wall milliseconds from loading the schemas to writing the files.
 */
interface StageTimes {
  stages: Record<string, number>;
  lines: number;
  wallMs: number;
}

/**
 * Generates `schemas` in this process, timing each stage of the pipeline
 * (summed over the schemas): load (YAML), check and model, each emitter,
 * each step of assembling the module, formatting, the layout page and
 * writing the files (to a temporary folder). `imports` also times loading
 * the libraries and the generator, which must not be loaded yet.
 */
async function stagesOf(
  schemas: readonly { file: string; text: string }[],
  imports: boolean,
  cache?: FormatCache,
): Promise<StageTimes> {
  const out: Record<string, number> = {};
  let t = cpuMs();
  const lap = (name: string): void => {
    const now = cpuMs();
    out[name] = (out[name] ?? 0) + (now - t);
    t = now;
  };
  await import("yaml");
  if (imports) lap("import yaml");
  await import("prettier");
  if (imports) lap("import prettier");
  await import("ts-morph");
  if (imports) lap("import ts-morph");
  const { loadSchema } = await import("../generator/load.js");
  const { checkSchema } = await import("../generator/check/index.js");
  const { emitModuleText } = await import("../generator/emit/module.js");
  const { layoutDocSections } = await import("../generator/emit/layout-doc.js");
  const { formatOutputs } = await import("../generator/format.js");
  const { SIBLING_RUNTIME } = await import("../generator/generate.js");
  if (imports) lap("import generator");
  const dir = mkdtempSync(join(tmpdir(), "binschema-bench-"));
  let lines = 0;
  const started = performance.now();
  t = cpuMs();
  try {
    for (const { file, text } of schemas) {
      const loaded = loadSchema(file, text);
      if ("problems" in loaded) throw new Error(`${file}: does not load`);
      lap("load (YAML)");
      const model = checkSchema(file, loaded.root);
      if ("problems" in model) throw new Error(`${file}: does not check`);
      lap("check and model");
      const code = emitModuleText(model, {
        runtime: SIBLING_RUNTIME,
        source: file,
        onStage: (stage) => lap(`${STAGE_GROUP[stage] ?? "emit"}: ${stage}`),
      });
      const doc = layoutDocSections(model, file);
      lap("emit layout page");
      // As generate.ts does: together, in threads for a large module.
      const { module, page } = await formatOutputs(code, doc, undefined, cache);
      lap("format module and page (prettier)");
      writeFileSync(join(dir, `${model.format}.ts`), module);
      writeFileSync(join(dir, `${model.format}.md`), page);
      lap("write");
      lines += module.split("\n").length - 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { stages: out, lines, wallMs: performance.now() - started };
}

/** Stages of emitModule that assemble the module rather than emit declarations. */
const STAGE_GROUP: Record<string, string> = {
  print: "assemble",
  parse: "assemble",
  tidy: "assemble",
  runtime: "assemble",
  join: "assemble",
};

/** The repository's own schemas. */
function repositorySchemas(): { file: string; text: string }[] {
  const dir = `${ROOT}schema/`;
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((name) => ({ file: `schema/${name}`, text: readFileSync(`${dir}${name}`, "utf8") }));
}

/** One row of the scaling series: a synthetic schema (bench/big-schema.ts) generated in a fresh process. */
export interface ScalingRow {
  /** Members asked for, and those the schema has. */
  readonly target: number;
  readonly members: number;
  /** Lines of the formatted module. */
  readonly lines: number;
  /** CPU milliseconds (of every thread) from the loaded YAML text to the written files (libraries already loaded). */
  readonly totalMs: number;
  /** Wall milliseconds of the same. */
  readonly wallMs: number;
  /** Wall milliseconds of generating it again with every formatted batch cached. */
  readonly cachedWallMs: number;
  readonly stages: Readonly<Record<string, number>>;
  /** Why generation did not finish (a 100,000-member schema runs out of memory), if it did not. */
  readonly failed?: string;
}

function runChild(args: readonly string[]): string {
  const child = spawnSync(process.execPath, ["--import", "tsx", SELF, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (child.status !== 0) throw new Error(`generation ${args.join(" ")}: ${child.stderr}`);
  return child.stdout;
}

/** Generates a synthetic schema of about `members` members in a fresh process. */
export function measureScaling(members: number): ScalingRow {
  const size = { target: members, members: membersOf(blocksFor(members)) };
  const started = performance.now();
  let out: string;
  try {
    out = runChild([`--scale=${members}`]);
  } catch (e) {
    // A schema too big to generate is a row of the table, not the end of the bench.
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const why = String(e).includes("heap out of memory")
      ? `ran out of memory (Node's default heap) after ${seconds} s`
      : `failed after ${seconds} s: ${String(e).split("\n")[0]}`;
    return { ...size, lines: 0, totalMs: 0, wallMs: 0, cachedWallMs: 0, stages: {}, failed: why };
  }
  const { stages, lines, wallMs, cachedWallMs } = JSON.parse(out) as StageTimes & {
    cachedWallMs: number;
  };
  const totalMs = Object.values(stages).reduce((a, b) => a + b, 0);
  return { ...size, lines, totalMs, wallMs, cachedWallMs, stages };
}

export function measureGeneration(
  runs = 3,
  oneSchema = "schema/vdi.yaml",
  scalingSizes: readonly number[] = SCALING_SIZES,
): GenerationResult {
  const schemas = readdirSync(`${ROOT}schema/`).filter((f) => f.endsWith(".yaml")).length;
  const all: number[] = [];
  const one: number[] = [];
  const cached: number[] = [];
  wallMs(["generate", "--check"]); // fills the format cache
  for (let i = 0; i < runs; i++) {
    all.push(wallMs(["generate", "--check", "--no-cache"]));
    one.push(wallMs(["generate", "--check", "--no-cache", "--out", "generated", oneSchema]));
    cached.push(wallMs(["generate", "--check"]));
  }
  const { stages } = JSON.parse(runChild(["--stages"])) as StageTimes;
  return {
    allMs: median(all),
    allCachedMs: median(cached),
    oneMs: median(one),
    oneSchema,
    schemas,
    runs,
    stages,
    scaling: scalingSizes.map(measureScaling),
  };
}

/** Stage times summed by what they are: `emit: emitRead` and `emit: emitWrite` count as `emit`. */
function byGroup(stages: Readonly<Record<string, number>>): Map<string, number> {
  const groups = new Map<string, number>();
  for (const [stage, ms] of Object.entries(stages)) {
    const group = stage.startsWith("import ")
      ? "load libraries and generator"
      : stage.includes("prettier")
        ? "format (prettier)"
        : (stage.split(":")[0] ?? stage);
    groups.set(group, (groups.get(group) ?? 0) + ms);
  }
  return groups;
}

function rows(stages: Readonly<Record<string, number>>): [string, string][] {
  const total = Object.values(stages).reduce((a, b) => a + b, 0);
  const line = (name: string, ms: number): [string, string] => [
    name,
    `${ms.toFixed(0)} ms (${((100 * ms) / total).toFixed(0)}%)`,
  ];
  return [
    ...Object.entries(stages).map(([stage, ms]) => line(`  ${stage}`, ms)),
    ["  in all", ""],
    ...[...byGroup(stages)].map(([group, ms]) => line(`    ${group}`, ms)),
  ];
}

function aligned(table: readonly [string, string][]): string[] {
  const width = Math.max(...table.map(([a]) => a.length));
  return table.map(([a, b]) => `${a.padEnd(width)}  ${b.padStart(16)}`);
}

export function formatScaling(scaling: readonly ScalingRow[]): string {
  if (scaling.length === 0) return "";
  const out = [
    "synthetic schemas (bench/big-schema.ts), each generated in a fresh process, libraries loaded",
    "(CPU time of every thread, and wall time; a module over 1 MB is formatted in one thread per core;",
    "cached: wall time generating it again with every formatted batch in the format cache):",
    "",
    `${"members".padStart(8)} ${"lines".padStart(9)} ${"CPU s".padStart(8)} ${"wall s".padStart(8)} ${"cached".padStart(8)} ${"µs/line".padStart(8)}   largest stages (CPU)`,
  ];
  for (const r of scaling) {
    if (r.failed !== undefined) {
      out.push(
        `${String(r.members).padStart(8)} ${"—".padStart(9)} ${"—".padStart(8)} ${"—".padStart(8)} ${"—".padStart(8)} ${"—".padStart(8)}   ${r.failed}`,
      );
      continue;
    }
    const largest = [...byGroup(r.stages)]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([group, ms]) => `${group} ${((100 * ms) / r.totalMs).toFixed(0)}%`)
      .join(", ");
    out.push(
      `${String(r.members).padStart(8)} ${String(r.lines).padStart(9)} ${(r.totalMs / 1000).toFixed(2).padStart(8)} ${(r.wallMs / 1000).toFixed(2).padStart(8)} ${(r.cachedWallMs / 1000).toFixed(2).padStart(8)} ${((1000 * r.totalMs) / r.lines).toFixed(1).padStart(8)}   ${largest}`,
    );
  }
  const last = scaling.filter((r) => r.failed === undefined).pop();
  if (last === undefined) return out.join("\n");
  out.push("", `stages of the ${last.members}-member schema, ${last.totalMs.toFixed(0)} ms`, "");
  out.push(...aligned(rows(last.stages)));
  return out.join("\n");
}

export function formatGeneration(g: GenerationResult): string {
  const head: [string, string][] = [
    [`cold binschema generate --check, all ${g.schemas} schemas`, `${g.allMs.toFixed(0)} ms`],
    [`the same, every batch in the format cache`, `${g.allCachedMs.toFixed(0)} ms`],
    [`cold binschema generate --check, ${g.oneSchema}`, `${g.oneMs.toFixed(0)} ms`],
  ];
  const total = Object.values(g.stages).reduce((a, b) => a + b, 0);
  return [
    `median of ${g.runs} fresh processes (wall time, including node and tsx start-up);`,
    `stages (CPU time): one fresh process generating all ${g.schemas} schemas, ${total.toFixed(0)} ms`,
    "",
    ...aligned([...head, ...rows(g.stages)]),
    ...(g.scaling.length > 0 ? ["", formatScaling(g.scaling)] : []),
  ].join("\n");
}

if (process.argv[1] === SELF) {
  const scale = process.argv.find((a) => a.startsWith("--scale="));
  if (process.argv.includes("--stages"))
    process.stdout.write(JSON.stringify(await stagesOf(repositorySchemas(), true)));
  else if (scale !== undefined) {
    const text = bigSchema(blocksFor(Number(scale.slice("--scale=".length))));
    // The libraries are loaded first: this times the pipeline, not start-up.
    await stagesOf([{ file: "warm-up.yaml", text: bigSchema(1) }], false);
    // Then again with every formatted batch cached, as a regeneration with nothing changed.
    const { FormatCache } = await import("../generator/format-cache.js");
    const cache = await FormatCache.open(join(tmpdir(), `binschema-bench-${process.pid}.json`));
    const cold = await stagesOf([{ file: "big.yaml", text }], false, cache);
    const again = await stagesOf([{ file: "big.yaml", text }], false, cache);
    process.stdout.write(JSON.stringify({ ...cold, cachedWallMs: again.wallMs }));
  } else if (process.argv.includes("--scale-only"))
    console.log(formatScaling(SCALING_SIZES.map(measureScaling)));
  else console.log(formatGeneration(measureGeneration()));
}
