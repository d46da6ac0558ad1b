/**
 * Schema text at the loader's limits: nesting deeper than a schema needs is
 * reported as such (whether YAML's parser or ours would run out of stack),
 * and a number too large to be finite is named as written.
 */
import { expect, test } from "vitest";
import { modelOf } from "../generator/generate.js";
import { MAX_DEPTH } from "../generator/load.js";
import { formatProblem } from "../generator/problem.js";

const TOO_DEEP = `the document nests too deeply (a schema may nest at most ${MAX_DEPTH} levels)`;

function problems(text: string): string[] {
  const result = modelOf("deep.yaml", text);
  if (result.ok) throw new Error("the schema was accepted");
  return result.problems.map(formatProblem);
}

const nested = (levels: number): string =>
  `format: deep\nroot: A\ntypes:\n  A: ${"[".repeat(levels)}${"]".repeat(levels)}\n`;

test.each([MAX_DEPTH + 10, 100_000])("%i nested lists are too deep, said so", (levels) => {
  const [first, ...rest] = problems(nested(levels));
  expect(rest).toEqual([]);
  expect(first).toMatch(new RegExp(`^deep\\.yaml:4:\\d+: ${TOO_DEEP.replace(/[()]/g, "\\$&")}$`));
});

test("nesting within the limit is read (and then checked as usual)", () => {
  expect(problems(nested(MAX_DEPTH - 10)).join("\n")).not.toContain("nests too deeply");
});

test("1e309 is named as written, not as null", () => {
  const text = [
    "format: big",
    "root: Header",
    "types:",
    "  Header:",
    "    record:",
    "      - { name: kind, type: Kind }",
    "  Kind:",
    "    enum: u8",
    "    values:",
    "      Huge: 1e309",
    "",
  ].join("\n");
  expect(problems(text)).toEqual([
    "deep.yaml:10:13: /types/Kind/values/Huge: 1e309 is out of range: numbers in a schema must be finite",
  ]);
});
