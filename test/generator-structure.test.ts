/**
 * The generator's shape: a pipeline whose modules never import each other in
 * a circle (value imports; `import type` is erased), and which never reaches
 * into generated/, the program (program/) or one format's tools (formats/).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, test } from "vitest";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

/** Relative value imports of a module, as absolute paths of .ts files. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)";/gms)) {
    if (m[2] !== undefined) continue;
    found.push(resolve(dirname(file), m[3]!.replace(/\.js$/, ".ts")));
  }
  return found;
}

const root = resolve("generator");
const files = sources(root);
const graph = new Map(files.map((f) => [f, valueImports(f)]));

describe("the generator's modules", () => {
  test("import each other in one direction only", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (f: string): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        const loop = [...path.slice(path.indexOf(f)), f].map((p) => relative(root, p));
        cycles.push(loop.join(" → "));
        return;
      }
      state.set(f, "open");
      path.push(f);
      for (const g of graph.get(f) ?? []) visit(g);
      path.pop();
      state.set(f, "done");
    };
    for (const f of files) visit(f);
    expect(cycles).toEqual([]);
  });

  test("never import generated/, the program or a format's own tools", () => {
    const outside = files.flatMap((f) =>
      (graph.get(f) ?? [])
        .map((g) => relative(process.cwd(), g))
        .filter((g) => /^(generated|program|formats)\//.test(g) || /qcow2/.test(g))
        .map((g) => `${relative(process.cwd(), f)} imports ${g}`),
    );
    expect(outside).toEqual([]);
  });

  test("find the imports they have (the checks above can fail)", () => {
    expect(graph.get(join(root, "check", "members.ts"))).toContain(join(root, "check", "field.ts"));
  });
});
