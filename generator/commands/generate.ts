/**
 * `binschema generate [SCHEMA...] [--check]`: regenerate `generated/` from
 * `schema/*.yaml`. Nothing is written unless every schema checks out; each
 * file is written to a temporary name and renamed over the old one, so a
 * failed or interrupted run never leaves a half-written module.
 */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import type { OutputFile } from "../generate.js";
import { formatProblem } from "../problem.js";
import { CommandError, EXIT, red } from "./output.js";

export interface GenerateOptions {
  check?: boolean;
  /** Output folder; `generated/` of the project by default. */
  out?: string;
}

/** Runs the command; returns the exit status. */
export async function runGenerate(
  projectRoot: string,
  schemaArgs: string[],
  options: GenerateOptions,
): Promise<number> {
  const schemas =
    schemaArgs.length > 0 ? schemaArgs.map((s) => resolve(s)) : await allSchemas(projectRoot);
  // Loaded here, not at start-up: ts-morph and prettier take a while to load.
  const { generate } = await import("../generate.js");
  const outputs: OutputFile[] = [];
  let failed = false;
  for (const path of schemas) {
    const shown = relative(process.cwd(), path);
    const text = await readFile(path, "utf8").catch((error: Error) => {
      throw new CommandError(`${shown}: cannot read: ${error.message}`);
    });
    const result = await generate(shown, text);
    if (!result.ok) {
      for (const p of result.problems) console.error(red(formatProblem(p)));
      failed = true;
      continue;
    }
    outputs.push(...result.files);
  }
  if (failed) {
    console.error("generated/ left unchanged: fix the problems above.");
    return EXIT.finding;
  }
  const outDir = options.out === undefined ? join(projectRoot, "generated") : resolve(options.out);
  return options.check === true ? checkFresh(outDir, outputs) : writeAll(outDir, outputs);
}

async function allSchemas(projectRoot: string): Promise<string[]> {
  const dir = join(projectRoot, "schema");
  const names = await readdir(dir).catch((error: Error) => {
    throw new CommandError(`cannot list ${dir}: ${error.message}`);
  });
  return names
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(dir, f));
}

async function checkFresh(outDir: string, outputs: OutputFile[]): Promise<number> {
  const stale: string[] = [];
  for (const out of outputs) {
    const path = join(outDir, out.name);
    const shown = relative(process.cwd(), path);
    const current = await readFile(path, "utf8").catch(() => undefined);
    if (current === undefined) stale.push(`${shown} (missing)`);
    else if (current !== out.text) stale.push(`${shown} (stale)`);
  }
  if (stale.length > 0) {
    console.error(`out of date with schema/; run \`npm run generate\`:\n  ${stale.join("\n  ")}`);
    return EXIT.finding;
  }
  console.log(`${outputs.length} generated file(s) up to date`);
  return EXIT.ok;
}

async function writeAll(outDir: string, outputs: OutputFile[]): Promise<number> {
  await mkdir(outDir, { recursive: true });
  for (const out of outputs) {
    const target = join(outDir, out.name);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, out.text);
    await rename(temporary, target);
    console.log(`wrote ${relative(process.cwd(), target)}`);
  }
  return EXIT.ok;
}

export function registerGenerate(
  program: Command,
  projectRoot: string,
  run: (work: () => Promise<number>) => void,
): void {
  program
    .command("generate")
    .description("regenerate generated/ from the schemas (all of schema/*.yaml by default)")
    .argument("[schema...]", "schema files to generate")
    .option(
      "--check",
      "write nothing; list generated files that are stale or missing (exit 1 if any)",
    )
    .action((schemas: string[], options: GenerateOptions) =>
      run(() => runGenerate(projectRoot, schemas, options)),
    );
}
