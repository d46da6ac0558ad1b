/**
 * Generated modules of schemas that are not in schema/: each generated into
 * a temporary folder beside a copy of the runtime, type-checked together
 * under the strictest common compiler settings, and loaded into the test.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { expect } from "vitest";
import { generate } from "../../generator/generate.js";
import { formatProblem } from "../../generator/problem.js";
import type { Model } from "../../generator/model.js";

/** The settings every generated module must compile under: a demanding consumer's tsconfig. */
export const STRICTEST: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  noPropertyAccessFromIndexSignature: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  isolatedDeclarations: true,
  declaration: true,
  noEmit: true,
  skipLibCheck: false,
  types: [],
};

export interface SchemaSource {
  name: string;
  text: string;
}

export interface GeneratedSchema {
  source: SchemaSource;
  model: Model;
  /** Path of the generated TypeScript module. */
  path: string;
  /** The module's source text. */
  text: string;
}

export interface SchemaModules {
  dir: string;
  schemas: GeneratedSchema[];
  /** Compiler errors, as `file:line:col: message`, over all modules. */
  typeErrors(): string[];
  load(schema: GeneratedSchema): Promise<Record<string, unknown>>;
  /** Is `x` an error value of the modules' runtime (a CodecError or SexpError)? */
  isError(x: unknown): x is { message: string };
  remove(): Promise<void>;
}

/** Generates every schema (a schema with problems throws, naming them) into one temporary folder. */
export async function generateSchemas(sources: readonly SchemaSource[]): Promise<SchemaModules> {
  const dir = await mkdtemp(join(tmpdir(), "binschema-schemas-"));
  const schemas: GeneratedSchema[] = [];
  await writeFile(join(dir, "package.json"), '{ "type": "module" }\n');
  await cp(resolve("runtime"), join(dir, "runtime"), { recursive: true });
  await mkdir(join(dir, "generated"));
  for (const source of sources) {
    const result = await generate(source.name, source.text);
    if (!result.ok)
      throw new Error(
        `${source.name} has problems:\n${result.problems.map(formatProblem).join("\n")}\n${source.text}`,
      );
    const module = result.files.find((f) => f.name.endsWith(".ts"))!;
    const path = join(dir, "generated", module.name);
    await writeFile(path, module.text);
    schemas.push({ source, model: result.model, path, text: module.text });
  }
  const runtime = async (name: string): Promise<Function> => {
    const m = (await import(pathToFileURL(join(dir, "runtime", name)).href)) as Record<
      string,
      unknown
    >;
    const cls = Object.values(m).find((v) => typeof v === "function" && /Error$/.test(v.name));
    if (typeof cls !== "function") throw new Error(`runtime/${name} exports no error class`);
    return cls;
  };
  const errorClasses = [await runtime("codec.ts"), await runtime("sexp-convert.ts")];
  return {
    dir,
    isError: (x): x is { message: string } => errorClasses.some((c) => x instanceof c),
    schemas,
    typeErrors: () => typeErrors(schemas.map((s) => s.path)),
    load: async (schema) =>
      (await import(pathToFileURL(schema.path).href)) as Record<string, unknown>,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Type-checks `files` (and what they import) in one program. */
export function typeErrors(files: readonly string[], options = STRICTEST): string[] {
  const program = ts.createProgram([...files], options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (d.file === undefined || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1}: ${text}`;
  });
}

/** What a generated module exports for its root type, as the tests call it. */
export interface RootCodec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
  toString(value: unknown): string;
  fromString(text: string): unknown;
}

/** The root codec of one generated schema. */
export async function loadRootCodec(
  modules: SchemaModules,
  schema: GeneratedSchema,
): Promise<RootCodec> {
  return (await modules.load(schema)) as unknown as RootCodec;
}

/**
 * The round trip every hand-worked case checks: `bytes` read to `value`,
 * whose size, written bytes and S-expression agree with them.
 */
export function expectRoundTrip(codec: RootCodec, value: unknown, bytes: readonly number[]): void {
  expect(codec.read(new Uint8Array(bytes))).toEqual({ value, end: bytes.length });
  expect(codec.sizeof(value)).toBe(bytes.length);
  const buf = new Uint8Array(bytes.length);
  expect(codec.write(value, buf)).toBe(bytes.length);
  expect([...buf]).toEqual(bytes);
  expect(codec.fromString(codec.toString(value))).toEqual(value);
}
