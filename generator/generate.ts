/**
 * The pipeline for one schema: load (YAML with positions) -> check (every
 * problem, located) -> model -> emit -> format. Returns the files to write,
 * or the problems; writes nothing itself.
 */
import { format } from "prettier";
import { emitLayoutDoc } from "./emit/layout-doc.js";
import { emitModule } from "./emit/module.js";
import type { Model } from "./model.js";
import { modelOf } from "./model-of.js";
import type { Problem } from "./problem.js";

export { modelOf };

export interface OutputFile {
  /** File name within the output folder (`generated/` by default), e.g. `qcow2.ts`. */
  name: string;
  text: string;
}

export type Generated =
  { ok: true; model: Model; files: OutputFile[] } | { ok: false; problems: Problem[] };

/** Generates every output of one schema. `file` is the schema's path as reported in messages. */
export async function generate(file: string, text: string): Promise<Generated> {
  const result = modelOf(file, text);
  if (!result.ok) return result;
  const name = result.model.format;
  const module = await format(emitModule(result.model), { parser: "typescript", printWidth: 100 });
  const layout = await format(emitLayoutDoc(result.model), { parser: "markdown", printWidth: 100 });
  return {
    ok: true,
    model: result.model,
    files: [
      { name: `${name}.ts`, text: module },
      { name: `${name}.md`, text: layout },
    ],
  };
}
