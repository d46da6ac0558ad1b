/**
 * One schema's codec as JavaScript to load at once (`binschema decode` and
 * `encode`): the module emitted with the runtime inlined and compiled, but
 * not formatted and without declarations or the layout page — nobody reads
 * it, and formatting would take most of the time. Modules written to a
 * user's tree go through generate.ts, formatted.
 */
import { ts } from "ts-morph";
import { emitModule } from "./emit/module.js";
import type { Model } from "./model.js";

export function codecJs(model: Model, options: { trace: boolean }): string {
  const source = emitModule(model, { runtime: { kind: "inline" }, trace: options.trace });
  const out = ts.transpileModule(source, {
    fileName: `${model.format}.ts`,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      verbatimModuleSyntax: true,
    },
    reportDiagnostics: true,
  });
  const first = out.diagnostics?.[0];
  if (first !== undefined)
    throw new Error(
      `${model.format}.ts: generated code does not compile to JavaScript: ${ts.flattenDiagnosticMessageText(first.messageText, "\n")}`,
    );
  return out.outputText;
}
