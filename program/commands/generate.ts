/**
 * `binschema generate [SCHEMA...] [--out DIR] [--check]`: generate codecs
 * for the project's schemas into the project's own tree. What to generate
 * comes from the nearest `binschema.yaml` (see config.ts), or from the
 * command line for one-off use; options on the command line win.
 *
 * No generated file is written unless every schema checks out; each file
 * is written to a temporary name and renamed over the old one, so a failed
 * or interrupted run never leaves a half-written module. No generated file
 * is ever written inside node_modules; only the format cache is kept there,
 * in node_modules/.cache/binschema (see formatCacheDir).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import type { OutputFile, RuntimeSource } from "../../generator/generate.js";
import { formatProblem } from "../../generator/problem.js";
import {
  type Config,
  defaultConfig,
  expandSchemas,
  findConfig,
  loadConfig,
  parseImportExtension,
  parseRuntime,
  parseTarget,
} from "./config.js";
import { CommandError, EXIT, reasonOf, red } from "./output.js";

export interface GenerateOptions {
  check?: boolean;
  /** Output folder (overrides the config's `out`). */
  out?: string;
  /** A config file to use instead of the nearest binschema.yaml. */
  config?: string;
  target?: string;
  importExtension?: string;
  runtime?: string;
  /** Threads formatting the output (`--jobs N`), as text. */
  jobs?: string;
  /** `--no-cache`: format everything again, and keep no cache. */
  cache?: boolean;
}

/** The package generated modules import the runtime from, in `runtime: package` mode. */
export const PACKAGE_NAME = "binschema";

/** A path as messages show it: relative to the current folder, with `/`. */
const shownPath = (path: string): string =>
  (relative(process.cwd(), path) || ".").split(sep).join("/");

/** The config from the nearest binschema.yaml (or --config), overridden by the command line. */
async function settle(schemaArgs: string[], options: GenerateOptions): Promise<Config> {
  const found = options.config === undefined ? findConfig(process.cwd()) : resolve(options.config);
  // Positional schemas with --out are a one-off run: the config's schemas do not apply.
  const config = found === undefined ? defaultConfig(process.cwd()) : await loadConfig(found);
  if (schemaArgs.length > 0) {
    config.schemas = schemaArgs.map((s) => resolve(s));
  }
  if (options.out !== undefined) config.out = resolve(options.out);
  else if (config.out !== undefined) config.out = resolve(config.base, config.out);
  if (options.target !== undefined) {
    const target = parseTarget(options.target);
    if (target === undefined)
      throw new CommandError(`--target must be ts or js, not ${options.target}`);
    config.target = target;
  }
  if (options.importExtension !== undefined) {
    const ext = parseImportExtension(options.importExtension);
    if (ext === undefined)
      throw new CommandError(
        `--import-extension must be .js, .ts or none, not ${options.importExtension}`,
      );
    config.importExtension = ext;
  }
  if (options.runtime !== undefined) config.runtime = parseRuntime(options.runtime, process.cwd());

  const where = config.file === undefined ? "" : ` (${shownPath(config.file)})`;
  if (config.schemas.length === 0)
    throw new CommandError(
      config.file === undefined
        ? `no schemas: name them (binschema generate --out DIR SCHEMA...) or list them in a binschema.yaml; none found from ${shownPath(process.cwd())} upwards`
        : `no schemas: ${shownPath(config.file)} lists none under "schemas"`,
    );
  if (config.out === undefined)
    throw new CommandError(
      `no output folder: give --out DIR or set "out" in binschema.yaml${where}`,
    );
  if (config.out.split(sep).includes("node_modules"))
    throw new CommandError(
      `${shownPath(config.out)}: refusing to write inside node_modules (it is lost on reinstall); generate into your own tree`,
    );
  if (config.target === "js" && config.importExtension === ".ts")
    throw new CommandError(
      "target js with import extension .ts: JavaScript cannot import .ts files",
    );
  return config;
}

/** How the modules in `outDir` reach the runtime. */
function runtimeSource(config: Config, outDir: string): RuntimeSource {
  const runtime = config.runtime;
  if (runtime.kind === "inline") return { kind: "inline" };
  if (runtime.kind === "package")
    return { kind: "import", specifier: (module) => `${PACKAGE_NAME}/runtime/${module}` };
  let prefix = relative(outDir, runtime.dir).split(sep).join("/");
  if (!prefix.startsWith(".")) prefix = prefix === "" ? "." : `./${prefix}`;
  const ext = config.target === "js" ? ".js" : config.importExtension;
  return { kind: "import", specifier: (module) => `${prefix}/${module}${ext}` };
}

/** Runs the command; returns the exit status. */
export async function runGenerate(schemaArgs: string[], options: GenerateOptions): Promise<number> {
  const config = await settle(schemaArgs, options);
  const outDir = config.out ?? process.cwd();
  const schemas = await expandSchemas(config.base, config.schemas);
  // Loaded here, not at start-up: ts-morph and prettier take a while to load.
  const jobs = parseJobs(options.jobs);
  const { FormatCache, generate } = await import("../../generator/generate.js");
  const cacheDir = options.cache === false ? undefined : formatCacheDir(config.base);
  const runtime = runtimeSource(config, outDir);
  const outputs: OutputFile[] = [];
  let failed = false;
  for (const path of schemas) {
    const shown = shownPath(path);
    const text = await readFile(path, "utf8").catch((error: Error) => {
      throw new CommandError(`${shown}: cannot read: ${error.message}`);
    });
    // The generated files name the schema relative to the project, whatever the current folder.
    const source = relative(config.base, path).split(sep).join("/");
    const cache =
      cacheDir === undefined
        ? undefined
        : await FormatCache.open(join(cacheDir, cacheFileName(outDir, path)));
    const result = await generate(shown, text, {
      runtime,
      target: config.target,
      source,
      ...(jobs === undefined ? {} : { jobs }),
      ...(cache === undefined ? {} : { cache }),
    });
    // A cache that cannot be written only makes the next run slower.
    if (result.ok) await cache?.save().catch(() => {});
    if (!result.ok) {
      for (const p of result.problems) console.error(red(formatProblem(p)));
      failed = true;
      continue;
    }
    outputs.push(...result.files);
  }
  const names = outputs.map((o) => o.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    throw new CommandError(`two schemas generate ${twice}: their formats need different names`);
  if (failed) {
    console.error(`${shownPath(outDir)}/ left unchanged: fix the problems above.`);
    return EXIT.finding;
  }
  return options.check === true ? checkFresh(outDir, outputs) : writeAll(outDir, outputs);
}

/**
 * Where formatted batches are kept between runs: `.cache/binschema` in the
 * nearest `node_modules` from the project upwards (where Babel, ESLint and
 * prettier keep theirs), or nowhere if there is none.
 */
function formatCacheDir(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const modules = join(dir, "node_modules");
    if (existsSync(modules)) return join(modules, ".cache", "binschema");
    if (dirname(dir) === dir) return undefined;
  }
}

/** One cache file per schema and output folder: `format-HASH-NAME.json`. */
function cacheFileName(outDir: string, schema: string): string {
  const hash = createHash("sha256")
    .update(`${resolve(outDir)}\0${resolve(schema)}`)
    .digest("hex");
  return `format-${hash.slice(0, 16)}-${basename(schema).replace(/[^\w.-]/g, "_")}.json`;
}

/** `--jobs N`: a whole number of threads from 0 (format in the main thread) to 64. */
function parseJobs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n <= 64)) throw new CommandError(`--jobs must be a whole number from 0 to 64, not ${text}`);
  return n;
}

async function checkFresh(outDir: string, outputs: OutputFile[]): Promise<number> {
  const stale: string[] = [];
  for (const out of outputs) {
    const shown = shownPath(join(outDir, out.name));
    const current = await readFile(join(outDir, out.name), "utf8").catch(() => undefined);
    if (current === undefined) stale.push(`${shown} (missing)`);
    else if (current !== out.text) stale.push(`${shown} (stale)`);
  }
  if (stale.length > 0) {
    console.error(
      `out of date with the schemas; run \`binschema generate\`:\n  ${stale.join("\n  ")}`,
    );
    return EXIT.finding;
  }
  console.log(`${outputs.length} generated file(s) up to date`);
  return EXIT.ok;
}

async function writeAll(outDir: string, outputs: OutputFile[]): Promise<number> {
  const fail = (path: string) => (error: NodeJS.ErrnoException) => {
    // Which step failed, and why, as the other commands say it (`cannot mkdir: EACCES: permission denied`).
    throw new CommandError(
      `${shownPath(path)}: cannot ${error.syscall ?? "write"}: ${reasonOf(error)}`,
    );
  };
  await mkdir(outDir, { recursive: true }).catch(fail(outDir));
  for (const out of outputs) {
    const target = join(outDir, out.name);
    const current = await readFile(target, "utf8").catch(() => undefined);
    if (current === out.text) continue;
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, out.text).catch(fail(target));
      await rename(temporary, target).catch(fail(target));
    } finally {
      await rm(temporary, { force: true });
    }
    console.log(`wrote ${shownPath(target)}`);
  }
  return EXIT.ok;
}

export function registerGenerate(
  program: Command,
  run: (work: () => Promise<number>) => void,
): void {
  program
    .command("generate")
    .description(
      "generate codecs for the schemas binschema.yaml lists (found from here upwards), or for those named",
    )
    .argument("[schema...]", "schema files to generate (instead of the config's)")
    .option("-o, --out <dir>", "output folder (instead of the config's out)")
    .option("--config <file>", "use this config file instead of the nearest binschema.yaml")
    .option("--target <ts|js>", "emit .ts modules, or .js modules with .d.ts declarations")
    .option(
      "--import-extension <.js|.ts|none>",
      "extension on imports of a runtime folder (with --runtime DIR)",
    )
    .option(
      "--runtime <package|inline|dir>",
      "import the runtime from the binschema package, inline what each module uses, or import it from a folder",
    )
    .option(
      "--jobs <n>",
      "threads formatting the output (default: none for a module under 1 MB, one per core for a larger one)",
    )
    .option(
      "--no-cache",
      "format everything again: use and keep no formatted batches in node_modules/.cache/binschema",
    )
    .option(
      "--check",
      "write nothing; list generated files that are stale or missing (exit 1 if any)",
    )
    .addHelpText(
      "after",
      `
binschema.yaml (paths relative to it):
  schemas: [schema/*.yaml]   files, folders, or * patterns
  out: src/generated
  target: ts                 ts | js
  import_extension: .js      .js | .ts | none
  runtime: package           package | inline | a folder`,
    )
    .action((schemas: string[], options: GenerateOptions) =>
      run(() => runGenerate(schemas, options)),
    );
}
