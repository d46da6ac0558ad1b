import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The runtime modules that generated code calls for checksums, UUIDs and
 * text must compile under the strictest common settings and with no Node
 * types at all (only the ES and DOM libraries a browser has), so a user's
 * build accepts them whatever its tsconfig and wherever it runs.
 */
const MODULES = ["checksum.ts", "uuid.ts", "text.ts"].map((name) =>
  fileURLToPath(new URL(`../runtime/${name}`, import.meta.url)),
);

const STRICTEST: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  types: [],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  noPropertyAccessFromIndexSignature: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noEmit: true,
};

describe("runtime modules under the strictest settings, without Node types", () => {
  it("type-check with no diagnostics", () => {
    const program = ts.createProgram(MODULES, STRICTEST);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (d.file === undefined || d.start === undefined) return text;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${d.file.fileName}:${line + 1}:${character + 1}: ${text}`;
    });
    expect(diagnostics).toEqual([]);
  });
});
