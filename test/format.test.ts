/**
 * Formatting in pieces (generator/format.ts): a module formatted a batch
 * of declarations at a time, and a layout page a batch of sections at a
 * time, in this thread or in worker threads, is exactly what prettier makes
 * of the whole text — for the repository's schemas and for random ones,
 * with batches as small as one declaration.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { layoutDocSections } from "../generator/emit/layout-doc.js";
import { emitModuleText, moduleText } from "../generator/emit/module.js";
import {
  formatLayoutDoc,
  formatMarkdown,
  formatModule,
  formatterFor,
  formatThreads,
  formatTypeScript,
} from "../generator/format.js";
import { SIBLING_RUNTIME } from "../generator/generate.js";
import type { Model } from "../generator/model.js";
import { modelOf } from "../generator/model-of.js";
import { randomSchema } from "./arbitrary/schema.js";

function modelFrom(file: string, text: string): Model {
  const result = modelOf(file, text);
  if (!result.ok) throw new Error(`${file}: ${result.problems.map((p) => p.message).join("; ")}`);
  return result.model;
}

const repository = readdirSync("schema")
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => ({ file: `schema/${f}`, text: readFileSync(`schema/${f}`, "utf8") }));
const random = [3, 17, 42, 101, 250, 777].map((seed) => {
  const { name, text } = randomSchema(seed);
  return { file: name, text };
});

/** Both ways of formatting a schema's module and page: whole, and in batches of `batch` characters. */
async function bothWays(
  model: Model,
  batch: number,
  runtime: Parameters<typeof emitModuleText>[1]["runtime"] = SIBLING_RUNTIME,
): Promise<{ whole: string[]; pieces: string[] }> {
  const code = emitModuleText(model, { runtime });
  const sections = layoutDocSections(model);
  const whole = [
    await formatTypeScript(moduleText(code)),
    await formatMarkdown(sections.join("\n")),
  ];
  const pieces = [
    await formatModule(code, undefined, batch),
    await formatLayoutDoc(sections, undefined, batch),
  ];
  return { whole, pieces };
}

describe("formatting in pieces gives what formatting the whole text gives", () => {
  test.each(repository)(
    "$file, one declaration and one section at a time",
    async ({ file, text }) => {
      const { whole, pieces } = await bothWays(modelFrom(file, text), 1);
      expect(pieces[0]).toBe(whole[0]);
      expect(pieces[1]).toBe(whole[1]);
    },
    120_000,
  );

  test.each(random)(
    "random $file, in batches of 1 and 3,000 characters, runtime inlined or imported",
    async ({ file, text }) => {
      const model = modelFrom(file, text);
      for (const batch of [1, 3000]) {
        const imported = await bothWays(model, batch);
        expect(imported.pieces).toEqual(imported.whole);
      }
      const inlined = await bothWays(model, 1, { kind: "inline" });
      expect(inlined.pieces).toEqual(inlined.whole);
    },
    120_000,
  );

  test.each(random)(
    "random $file: parsed a declaration at a time, the module is the same",
    ({ file, text }) => {
      const model = modelFrom(file, text);
      for (const runtime of [SIBLING_RUNTIME, { kind: "inline" } as const])
        expect(moduleText(emitModuleText(model, { runtime, batch: 1 }))).toBe(
          moduleText(emitModuleText(model, { runtime })),
        );
    },
  );

  test("a module's pieces say where blank lines go", () => {
    const { file, text } = repository[0]!;
    const model = modelFrom(file, text);
    const code = emitModuleText(model, { runtime: SIBLING_RUNTIME });
    expect(code.declarations.length).toBeGreaterThan(10);
    expect(code.declarations[0]!.blankBefore).toBe(false);
    expect(code.declarations.some((d) => !d.blankBefore)).toBe(true);
    expect(code.declarations.some((d) => d.blankBefore)).toBe(true);
  });
});

describe("formatting threads", () => {
  test("format as this thread does, and a failure is an error, not a hang", async () => {
    const model = modelFrom("schema/qcow2.yaml", readFileSync("schema/qcow2.yaml", "utf8"));
    const code = emitModuleText(model, { runtime: SIBLING_RUNTIME });
    const sections = layoutDocSections(model);
    const threads = formatterFor(2);
    const [module, page] = await Promise.all([
      formatModule(code, threads, 4000),
      formatLayoutDoc(sections, threads, 4000),
    ]);
    expect(module).toBe(readFileSync("generated/qcow2.ts", "utf8"));
    expect(page).toBe(readFileSync("generated/qcow2.md", "utf8"));
    await expect(threads("function (", { parser: "babel-ts" })).rejects.toThrow(/^prettier: /);
    // The threads still work after a failure.
    expect(await threads("let  x=1", { parser: "babel-ts" })).toBe("let x = 1;\n");
  }, 120_000);

  test("start only for a large module, unless asked", () => {
    expect(formatThreads(100_000)).toBe(0);
    expect(formatThreads(4 << 20)).toBeGreaterThanOrEqual(1);
    expect(formatThreads(4 << 20, 0)).toBe(0);
    expect(formatThreads(100, 3)).toBe(3);
  });
});
