/**
 * One pair of small schemas per kind of change, in test/diff/CASE/: the
 * new.yaml starts with the changes the diff must list, one per line, as
 * `# expect: KIND SUBJECT: DATA, API, TEXT` (documentation changes are not
 * listed there, and a case with only those says so), each followed by what
 * it brings about that is reported with it, as `# then: ...`. The lister
 * must give exactly these changes with exactly these verdicts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffModels } from "../generator/diff/diff.js";
import { modelOf } from "../generator/generate.js";
import type { Model } from "../generator/model.js";

const DIR = join(import.meta.dirname, "diff");

function loadCase(name: string): { old: Model; new: Model; expected: string[] } {
  const model = (side: string): Model => {
    const file = `test/diff/${name}/${side}.yaml`;
    const result = modelOf(file, readFileSync(join(DIR, name, `${side}.yaml`), "utf8"));
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join("\n"));
    return result.model;
  };
  const expected = readFileSync(join(DIR, name, "new.yaml"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("# expect: ") || line.startsWith("# then: "))
    .filter((line) => !line.includes("nothing but documentation"))
    .map((line) => (line.startsWith("# then: ") ? `  ${line.slice(2)}` : line.slice(10)));
  return { old: model("old"), new: model("new"), expected };
}

const CASES = readdirSync(DIR).sort();

describe("diff of each pair in test/diff/", () => {
  it("has a pair for every kind of change the brief names", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const name of CASES) {
    it(name, () => {
      const c = loadCase(name);
      const report = diffModels(c.old, c.new, { old: "old.yaml", new: "new.yaml" });
      const listed = report.changes
        .filter((x) => x.kind !== "doc-changed")
        .flatMap((x) => [
          `${x.kind} ${x.subject}: ${x.verdict.data}, ${x.verdict.api}, ${x.verdict.text}`,
          ...x.consequences.map((text) => `  then: ${text}`),
        ]);
      expect(listed).toEqual(c.expected);
      for (const x of report.changes) {
        expect(x.description, x.subject).not.toBe("");
        expect(x.old ?? x.new, x.subject).toBeDefined();
      }
    });
  }
});
