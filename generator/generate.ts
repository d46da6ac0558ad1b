/**
 * The pipeline for one schema: load (YAML with positions) -> check (every
 * problem, located) -> model -> emit -> format. Returns the files to write,
 * or the problems; writes nothing itself.
 */
import { ts } from "ts-morph";
import { layoutDocSections } from "./emit/layout-doc.js";
import { emitModuleText } from "./emit/module.js";
import { formatJavaScript, formatOutputs, formatTypeScript } from "./format.js";
import type { FormatCache } from "./format-cache.js";
import type { RuntimeSource } from "./emit/runtime.js";
import type { Model } from "./model.js";
import { modelOf } from "./model-of.js";
import type { Problem } from "./problem.js";

export { FormatCache } from "./format-cache.js";
export { formatTypeScript, modelOf };
export type { RuntimeSource };

export interface OutputFile {
  /** File name within the output folder (`generated/` by default), e.g. `qcow2.ts`. */
  name: string;
  text: string;
}

export type Generated =
  { ok: true; model: Model; files: OutputFile[] } | { ok: false; problems: Problem[] };

export interface GenerateOptions {
  /** Where the module's runtime comes from; by default imported from `../runtime/NAME.js`. */
  runtime?: RuntimeSource;
  /** `ts`: one `.ts` module; `js`: a `.js` module and its `.d.ts` declarations. */
  target?: "ts" | "js";
  /** The schema's path as the generated files name it; `file` by default. */
  source?: string;
  /**
   * Also export `layout(buf, at)`, which reads as `read` does and gives every
   * member's byte range, type and value (for `binschema decode --layout`).
   */
  trace?: boolean;
  /**
   * Threads formatting the output with prettier (0: the calling thread). By
   * default none for a module under about 1 MB and one per core (up to
   * four) for a larger one.
   */
  jobs?: number;
  /** Formatted batches from earlier runs (format-cache.ts); the output is the same without it. */
  cache?: FormatCache;
}

/** The runtime beside the output folder, as this repository's own `generated/` has it. */
export const SIBLING_RUNTIME: RuntimeSource = {
  kind: "import",
  specifier: (module) => `../runtime/${module}.js`,
};

/** Generates every output of one schema. `file` is the schema's path as reported in messages. */
export async function generate(
  file: string,
  text: string,
  options: GenerateOptions = {},
): Promise<Generated> {
  const result = modelOf(file, text);
  if (!result.ok) return result;
  return { ok: true, model: result.model, files: await generateFrom(result.model, options) };
}

/** Every output of one checked schema. */
export async function generateFrom(
  model: Model,
  options: GenerateOptions = {},
): Promise<OutputFile[]> {
  const name = model.format;
  const source = options.source ?? model.file;
  const code = emitModuleText(model, {
    runtime: options.runtime ?? SIBLING_RUNTIME,
    source,
    trace: options.trace === true,
  });
  const formatted = await formatOutputs(
    code,
    layoutDocSections(model, source),
    options.jobs,
    options.cache,
  );
  const module = formatted.module;
  const layout = formatted.page;
  const doc = { name: `${name}.md`, text: layout };
  if (options.target !== "js") return [{ name: `${name}.ts`, text: module }, doc];
  const { js, dts } = await compile(`${name}.ts`, module);
  return [{ name: `${name}.js`, text: js }, { name: `${name}.d.ts`, text: dts }, doc];
}

const COMPILE: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
};
const DECLARE: ts.CompilerOptions = { ...COMPILE, declaration: true, isolatedDeclarations: true };

/**
 * JavaScript and declarations for one module, each from the module alone:
 * generated code gives every export an explicit type (isolatedDeclarations),
 * so no type checker is needed.
 */
async function compile(fileName: string, source: string): Promise<{ js: string; dts: string }> {
  const js = ts.transpileModule(source, {
    fileName,
    compilerOptions: COMPILE,
    reportDiagnostics: true,
  });
  const dts = ts.transpileDeclaration(source, {
    fileName,
    compilerOptions: DECLARE,
    reportDiagnostics: true,
  });
  const problems = [...(js.diagnostics ?? []), ...(dts.diagnostics ?? [])];
  if (problems.length > 0) {
    const first = problems[0];
    const message =
      first === undefined ? "" : ts.flattenDiagnosticMessageText(first.messageText, "\n");
    throw new Error(`${fileName}: generated code does not compile to JavaScript: ${message}`);
  }
  return {
    js: await formatJavaScript(js.outputText),
    dts: await formatTypeScript(dts.outputText),
  };
}
