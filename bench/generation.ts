/**
 * How long `binschema generate` takes, cold (a fresh process, as a user
 * runs it), for every schema of the repository and for one, and where the
 * time goes: loading the program (tsx, commander), yaml, prettier and
 * ts-morph, then per schema loading and checking (load → check → model),
 * emitting (ts-morph) and formatting (prettier). `--check` makes and
 * compares every file without writing, so generated/ is untouched.
 *
 *   node --import tsx bench/generation.ts          # the table
 *   node --import tsx bench/generation.ts --stages # one process's stage times, as JSON
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const BIN = `${ROOT}bin/binschema.js`;

export interface GenerationResult {
  /** Median wall milliseconds of a cold `binschema generate --check` of every schema. */
  readonly allMs: number;
  /** The same for one schema (`oneSchema`). */
  readonly oneMs: number;
  readonly oneSchema: string;
  readonly schemas: number;
  readonly runs: number;
  /** Milliseconds of each stage in one fresh process generating every schema. */
  readonly stages: Readonly<Record<string, number>>;
}

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

/** Stage times in this process, which must be fresh (nothing of the generator loaded yet). */
async function stages(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const perSchema: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    out[name] = (out[name] ?? 0) + (now - t);
    t = now;
  };
  await import("yaml");
  lap("import yaml");
  const { format } = await import("prettier");
  lap("import prettier");
  await import("ts-morph");
  lap("import ts-morph");
  const { modelOf } = await import("../generator/model-of.js");
  const { emitModule } = await import("../generator/emit/module.js");
  const { emitLayoutDoc } = await import("../generator/emit/layout-doc.js");
  const { SIBLING_RUNTIME } = await import("../generator/generate.js");
  lap("import generator");
  const dir = `${ROOT}schema/`;
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    const file = `schema/${name}`;
    const started = t;
    const model = modelOf(file, readFileSync(`${dir}${name}`, "utf8"));
    if (!model.ok) throw new Error(`${file}: does not check`);
    lap("load, check, model");
    const code = emitModule(model.model, { runtime: SIBLING_RUNTIME, source: file });
    const doc = emitLayoutDoc(model.model, file);
    lap("emit (ts-morph)");
    await format(code, { parser: "typescript", printWidth: 100 });
    await format(doc, { parser: "markdown", printWidth: 100 });
    lap("format (prettier)");
    perSchema[`  of which ${file}`] = t - started;
  }
  Object.assign(out, perSchema);
  return out;
}

export function measureGeneration(runs = 3, oneSchema = "schema/vdi.yaml"): GenerationResult {
  const schemas = readdirSync(`${ROOT}schema/`).filter((f) => f.endsWith(".yaml")).length;
  const all: number[] = [];
  const one: number[] = [];
  for (let i = 0; i < runs; i++) {
    all.push(wallMs(["generate", "--check"]));
    one.push(wallMs(["generate", "--check", "--out", "generated", oneSchema]));
  }
  const child = spawnSync(process.execPath, ["--import", "tsx", SELF, "--stages"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`generation stages: ${child.stderr}`);
  return {
    allMs: median(all),
    oneMs: median(one),
    oneSchema,
    schemas,
    runs,
    stages: JSON.parse(child.stdout) as Record<string, number>,
  };
}

export function formatGeneration(g: GenerationResult): string {
  const rows: [string, string][] = [
    [`cold binschema generate --check, all ${g.schemas} schemas`, `${g.allMs.toFixed(0)} ms`],
    [`cold binschema generate --check, ${g.oneSchema}`, `${g.oneMs.toFixed(0)} ms`],
  ];
  const total = Object.entries(g.stages)
    .filter(([stage]) => !stage.startsWith("  of which"))
    .reduce((a, [, ms]) => a + ms, 0);
  for (const [stage, ms] of Object.entries(g.stages))
    rows.push([`  ${stage}`, `${ms.toFixed(0)} ms (${((100 * ms) / total).toFixed(0)}%)`]);
  const width = Math.max(...rows.map(([a]) => a.length));
  return [
    `median of ${g.runs} fresh processes (wall time, including node and tsx start-up);`,
    `stages: one fresh process generating all ${g.schemas} schemas, in memory, ${total.toFixed(0)} ms`,
    "",
    ...rows.map(([a, b]) => `${a.padEnd(width)}  ${b.padStart(16)}`),
  ].join("\n");
}

if (process.argv[1] === SELF) {
  if (process.argv.includes("--stages")) process.stdout.write(JSON.stringify(await stages()));
  else console.log(formatGeneration(measureGeneration()));
}
