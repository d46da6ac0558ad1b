/**
 * The parts of the diff pipeline on their own: conditions evaluated over
 * what a revision's data can hold, matching with rename detection,
 * `REV:path` parsing, and the random values the verifier
 * draws (which the codec must accept).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExpr, type Expr } from "../generator/expr.js";
import { dataRanges, holds, type Lookup } from "../generator/diff/conditions.js";
import { matchItems } from "../generator/diff/match.js";
import { splitGitRevision } from "../generator/diff/source.js";
import { Rng } from "../generator/diff/verify/prng.js";
import { randomRoot } from "../generator/diff/verify/random-value.js";
import { diffModels } from "../generator/diff/diff.js";
import { modelOf } from "../generator/generate.js";
import type { Model } from "../generator/model.js";
import { write, sizeof, type Header } from "../generated/qcow2.js";

const projectRoot = join(import.meta.dirname, "..");

function expr(text: string): Expr {
  const e = parseExpr(text);
  if ("message" in e) throw new Error(e.message);
  return e;
}

function model(file: string): Model {
  const result = modelOf(file, readFileSync(join(projectRoot, file), "utf8"));
  if (!result.ok) throw new Error(`${file} has problems`);
  return result.model;
}

describe("conditions over a revision's data", () => {
  const ranges: Lookup = (name) =>
    ({ length: { lo: 104n, hi: 104n }, version: { lo: 1n, hi: 3n }, n: { lo: 0n, hi: 255n } })[
      name
    ];

  it("decides comparisons with constants, and says maybe otherwise", () => {
    expect(holds(expr("length > 104"), ranges)).toBe("never");
    expect(holds(expr("length >= 104"), ranges)).toBe("always");
    expect(holds(expr("length % 8 == 0"), ranges)).toBe("always");
    expect(holds(expr("version >= 3"), ranges)).toBe("maybe");
    expect(holds(expr("version >= 1"), ranges)).toBe("always");
    expect(holds(expr("n + 1 > 0"), ranges)).toBe("always");
    expect(holds(expr("!(version > 3) && length < 200"), ranges)).toBe("always");
    expect(holds(expr("version == 9 || length == 104"), ranges)).toBe("always");
    expect(holds(expr("unknown > 1"), ranges)).toBe("maybe");
  });

  it("knows header_length is 104 in every 2016 qcow2 header, and at least 104 (its check) in today's", () => {
    const inside = (m: Model) => dataRanges(m.root.members).get("header_length");
    expect(inside(model("schema/history/qcow2-2016.yaml"))).toEqual({ lo: 104n, hi: 104n });
    expect(inside(model("schema/qcow2.yaml"))).toEqual({ lo: 104n, hi: 0xffffffffn });
  });

  it("narrows a field's range by its checks against constants, either way round", () => {
    const ranges = (checks: string[]) => {
      const text = [
        "format: t",
        "root: R",
        "types:",
        "  R:",
        "    record:",
        `      - { name: v, type: u8, valid: [${checks.map((c) => `{ check: "${c}", message: m }`).join(", ")}] }`,
      ].join("\n");
      const result = modelOf("t.yaml", text);
      if (!result.ok) throw new Error(result.problems.map((p) => p.message).join("; "));
      return dataRanges(result.model.root.members).get("v");
    };
    expect(ranges(["v >= 2"])).toEqual({ lo: 2n, hi: 255n });
    expect(ranges(["2 < v && v <= 8"])).toEqual({ lo: 3n, hi: 8n });
    expect(ranges(["v != 0", "v < 100"])).toEqual({ lo: 1n, hi: 99n });
    // Not a comparison with a constant: nothing is learnt.
    expect(ranges(["v % 2 == 0"])).toEqual({ lo: 0n, hi: 255n });
  });
});

describe("matching items between revisions", () => {
  const rules = {
    name: (x: { name: string }) => x.name,
    oldShape: (x: { shape: string }) => x.shape,
    newShape: (x: { shape: string }) => x.shape,
    positional: true,
  };
  const item = (name: string, shape = "u8") => ({ name, shape });

  it("pairs by name, and a removed and an added item of the same shape and place as a rename", () => {
    const pairs = matchItems(
      [item("a"), item("b"), item("c")],
      [item("a"), item("x"), item("c")],
      rules,
    );
    expect(pairs.map((p) => [p.old?.name, p.new?.name, p.renamed])).toEqual([
      ["a", "a", false],
      ["b", "x", true],
      ["c", "c", false],
    ]);
  });

  it("does not take an item of another shape, or in another place, for a rename", () => {
    const shape = matchItems([item("a"), item("b")], [item("a"), item("x", "u16")], rules);
    expect(shape.map((p) => [p.old?.name, p.new?.name])).toEqual([
      ["a", "a"],
      [undefined, "x"],
      ["b", undefined],
    ]);
    const place = matchItems([item("b"), item("a")], [item("a"), item("x")], rules);
    expect(place.some((p) => p.renamed)).toBe(false);
  });
});

describe("REV:path", () => {
  it("splits at the first colon, and leaves plain paths alone", () => {
    expect(splitGitRevision("HEAD~2:schema/qcow2.yaml")).toEqual({
      rev: "HEAD~2",
      path: "schema/qcow2.yaml",
    });
    expect(splitGitRevision("v1.0:./a:b.yaml")).toEqual({ rev: "v1.0", path: "./a:b.yaml" });
    expect(splitGitRevision("schema/qcow2.yaml")).toBeUndefined();
    expect(splitGitRevision(":x")).toBeUndefined();
  });
});

describe("random values for --verify", () => {
  it("are mostly values today's qcow2 codec writes, with every extension kind", () => {
    const m = model("schema/qcow2.yaml");
    const rng = new Rng(3);
    const kinds = new Set<string>();
    let written = 0;
    for (let i = 0; i < 300; i++) {
      const value = randomRoot(m, rng, new Map()) as unknown as Header;
      const buf = new Uint8Array(sizeof(value));
      if (typeof write(value, buf) === "number") written++;
      for (const e of value.extensions) kinds.add(e.kind);
    }
    expect(written).toBeGreaterThan(150);
    expect([...kinds].sort()).toEqual([
      "Backing_file",
      "Bitmaps",
      // The kept end marker (a non-zero length), now and then.
      "End",
      "External_data_file",
      "Feature_name_table",
      "Full_disk_encryption",
      "Unknown",
    ]);
  });

  it("repeat exactly for a seed", () => {
    const m = model("schema/qcow2.yaml");
    const draw = (seed: number) =>
      JSON.stringify(randomRoot(m, new Rng(seed), new Map()), (_, v: unknown) =>
        typeof v === "bigint" ? `${v}n` : v,
      );
    expect(draw(5)).toBe(draw(5));
    expect(draw(5)).not.toBe(draw(6));
  });
});

describe("a switch's change", () => {
  const schema = (cases: string): Model => {
    const text = [
      "format: t",
      "endian: big",
      "root: M",
      "types:",
      "  M:",
      "    record:",
      "      - { name: kind, type: u8 }",
      "      - switch: kind",
      "        cases:",
      cases,
    ].join("\n");
    const result = modelOf("t.yaml", text);
    if (!result.ok) throw new Error("the schema has problems");
    return result.model;
  };
  const before = schema(
    [
      "          - when: 1",
      "            fields: [{ name: total, type: u16 }, { name: note, type: bytes, size: 2 }]",
      "          - when: 2",
      "            fields: [{ name: gone, type: u8 }]",
      "          - default: true",
      "            fields: [{ name: other, type: u8 }, { padding: 1 }]",
    ].join("\n"),
  );
  const after = schema(
    [
      "          - when: 1",
      "            fields: [{ name: total, type: u16 }, { name: note, type: bytes, size: 3 }]",
      "          - when: 3",
      "            fields: [{ name: fresh, type: u8 }]",
      "          - default: true",
      "            fields: [{ name: other, type: u8 }, { name: more, type: u8 }, { padding: 2 }]",
    ].join("\n"),
  );

  it("says, case by case, what changed in it", () => {
    const report = diffModels(before, after, { old: "a", new: "b" });
    expect(report.changes.map((c) => [c.kind, c.description])).toEqual([
      [
        "type-changed",
        "layout chosen by kind (1, 2, default) changed: in case 1, note changed; case 2 removed; in the default case, more added; case 3 added",
      ],
    ]);
    // Only the padding grew: the case's layout changed, with no member to name.
    const padded = schema(
      [
        "          - when: 1",
        "            fields: [{ name: total, type: u16 }, { name: note, type: bytes, size: 2 }]",
        "          - when: 2",
        "            fields: [{ name: gone, type: u8 }]",
        "          - default: true",
        "            fields: [{ name: other, type: u8 }, { padding: 3 }]",
      ].join("\n"),
    );
    expect(diffModels(before, padded, { old: "a", new: "b" }).changes[0]?.description).toBe(
      "layout chosen by kind (1, 2, default) changed: in the default case, its layout changed",
    );
  });
});
