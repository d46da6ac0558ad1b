/**
 * `npm run generate [-- --check] [SCHEMA...]`: regenerate `generated/` from
 * `schema/*.yaml`. Nothing is written unless every schema checks out; each
 * file is written to a temporary name and renamed, so a failed or
 * interrupted run never leaves a half-written module.
 */
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generate, type OutputFile } from "./generate.js";
import { formatProblem } from "./problem.js";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

async function main(argv: string[]): Promise<number> {
  const check = argv.includes("--check");
  const unknown = argv.filter((a) => a.startsWith("-") && a !== "--check");
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown[0]}\nusage: generate [--check] [SCHEMA...]`);
    return 2;
  }
  let schemas = argv.filter((a) => !a.startsWith("-"));
  if (schemas.length === 0) {
    const dir = join(projectRoot, "schema");
    schemas = (await readdir(dir))
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .map((f) => join(dir, f));
  }

  const outputs: OutputFile[] = [];
  let failed = false;
  for (const schema of schemas) {
    const path = resolve(schema);
    const shown = relative(process.cwd(), path);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      console.error(`${shown}: cannot read: ${(error as Error).message}`);
      return 2;
    }
    const result = await generate(shown, text);
    if (!result.ok) {
      for (const p of result.problems) console.error(formatProblem(p));
      failed = true;
      continue;
    }
    outputs.push(...result.files);
  }
  if (failed) {
    console.error("generated/ left unchanged: fix the problems above.");
    return 1;
  }

  if (check) {
    const stale: string[] = [];
    for (const out of outputs) {
      const current = await readFile(join(projectRoot, out.path), "utf8").catch(() => undefined);
      if (current === undefined) stale.push(`${out.path} (missing)`);
      else if (current !== out.text) stale.push(`${out.path} (stale)`);
    }
    if (stale.length > 0) {
      console.error(`out of date with schema/; run \`npm run generate\`:\n  ${stale.join("\n  ")}`);
      return 1;
    }
    console.log(`${outputs.length} generated file(s) up to date`);
    return 0;
  }

  for (const out of outputs) {
    const target = join(projectRoot, out.path);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, out.text);
    await rename(temporary, target);
    console.log(`wrote ${out.path}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
