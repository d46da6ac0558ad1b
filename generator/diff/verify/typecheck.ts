/**
 * Type-checking the API probe with the TypeScript compiler: once against
 * the old module it was written for (which must succeed, or the probe is
 * wrong), once against the new module. Each error comes back with the
 * types its line depends on.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Probe } from "./api-probe.js";

export interface ProbeError {
  line: number;
  message: string;
  tags: string[];
  /** The probe's line, for showing. */
  code: string;
}

export interface TypeCheck {
  againstOld: ProbeError[];
  againstNew: ProbeError[];
}

export async function typecheckProbes(
  dir: string,
  againstOld: Probe,
  againstNew: Probe,
): Promise<TypeCheck> {
  const ts = (await import("typescript")).default;
  await mkdir(join(dir, "probe"), { recursive: true });
  const files = {
    old: join(dir, "probe", "against-old.ts"),
    new: join(dir, "probe", "against-new.ts"),
  };
  await writeFile(files.old, againstOld.text);
  await writeFile(files.new, againstNew.text);
  const program = ts.createProgram([files.old, files.new], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  });
  const errors = (path: string, probe: Probe): ProbeError[] => {
    const source = program.getSourceFile(path);
    if (source === undefined) throw new Error(`the compiler did not load ${path}`);
    const lines = probe.text.split("\n");
    return [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ].map((d) => {
      const line =
        d.start === undefined ? 1 : source.getLineAndCharacterOfPosition(d.start).line + 1;
      return {
        line,
        message: ts.flattenDiagnosticMessageText(d.messageText, " "),
        tags: probe.tags.get(line) ?? [],
        code: lines[line - 1]?.trim() ?? "",
      };
    });
  };
  return { againstOld: errors(files.old, againstOld), againstNew: errors(files.new, againstNew) };
}
