/**
 * Generated code and the runtime compile cleanly under the strictest common
 * TypeScript settings, for every schema the project has (its formats, their
 * history, the diff cases and the consumer fixture), with the runtime
 * imported and with it inlined, as .ts and as .js with .d.ts.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import ts from "typescript";
import { afterAll, expect, test } from "vitest";
import { generate, type GenerateOptions } from "../generator/generate.js";
import { formatProblem } from "../generator/problem.js";
import { STRICTEST } from "./support/schema-modules.js";

const projectRoot = join(import.meta.dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "binschema-strict-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return entry.name.endsWith(".yaml") ? [path] : [];
  });
}

/** The project's formats and the consumer fixture: every runtime mode and target. */
const FORMATS = [
  ...yamlFiles(join(projectRoot, "schema")),
  join(projectRoot, "test", "fixtures", "consumer", "myhdr.yaml"),
];
/** And the diff cases, small schemas using every construct: the default mode. */
const SCHEMAS = [...FORMATS, ...yamlFiles(join(projectRoot, "test", "diff"))];

function diagnosticsOf(files: string[]): string[] {
  const program = ts.createProgram(files, STRICTEST);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file === undefined || d.start === undefined
        ? ""
        : `${relative(scratch, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `;
    return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
  });
}

/** Generates every schema into `scratch/NAME/CASE/`, beside a copy of runtime/; returns the module paths. */
async function generateAll(
  name: string,
  schemas: string[],
  options: GenerateOptions,
): Promise<string[]> {
  const root = join(scratch, name);
  mkdirSync(root);
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  cpSync(join(projectRoot, "runtime"), join(root, "runtime"), { recursive: true });
  const paths: string[] = [];
  for (const schema of schemas) {
    const shown = relative(projectRoot, schema);
    const result = await generate(shown, await readFile(schema, "utf8"), options);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
    const dir = join(root, shown.replace(/\.yaml$/, "").replace(/[/\\]/g, "_"));
    mkdirSync(dir);
    for (const file of result.files) {
      writeFileSync(join(dir, file.name), file.text);
      if (/\.(d\.ts|ts)$/.test(file.name)) paths.push(join(dir, file.name));
    }
  }
  return paths;
}

test("the runtime compiles under the strictest settings", () => {
  const runtime = readdirSync(join(projectRoot, "runtime"))
    .filter((n) => n.endsWith(".ts"))
    .map((n) => join(projectRoot, "runtime", n));
  expect(diagnosticsOf(runtime)).toEqual([]);
});

test(`every schema's module compiles, importing the runtime (${SCHEMAS.length} schemas)`, async () => {
  const paths = await generateAll("import", SCHEMAS, {});
  expect(paths.length).toBe(SCHEMAS.length);
  expect(diagnosticsOf(paths)).toEqual([]);
}, 600_000);

test("every schema's module compiles with the runtime inlined, as .ts and as .d.ts", async () => {
  const inlined = await generateAll("inline", FORMATS, { runtime: { kind: "inline" } });
  const declared = await generateAll("inline-js", FORMATS, {
    runtime: { kind: "inline" },
    target: "js",
  });
  expect(declared.every((p) => p.endsWith(".d.ts"))).toBe(true);
  expect(diagnosticsOf([...inlined, ...declared])).toEqual([]);
}, 600_000);

test("every format's module compiles when generated with trace, as decode --layout uses it", async () => {
  const traced = await generateAll("trace", FORMATS, { trace: true });
  expect(diagnosticsOf(traced)).toEqual([]);
}, 600_000);
