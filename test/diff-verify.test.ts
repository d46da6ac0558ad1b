/**
 * `diff --verify`: on every pair in test/diff/ the evidence (random values
 * exchanged between both codecs, old S-expressions through the new
 * converters, old code type-checked against the new declarations) agrees
 * with every verdict and shows every data break; and a verdict planted
 * wrong, on any axis, or a change left out of the diff, is caught.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffModels, summarise, type DiffReport } from "../generator/diff/diff.js";
import type { Overrides } from "../generator/diff/rules/index.js";
import { verifyDiff, type VerifyReport } from "../generator/diff/verify/verify.js";
import { modelOf } from "../generator/generate.js";
import type { Model } from "../generator/model.js";

const projectRoot = join(import.meta.dirname, "..");
const CASES = readdirSync(join(projectRoot, "test", "diff")).sort();

interface Pair {
  sources: { old: { name: string; text: string }; new: { name: string; text: string } };
  models: { old: Model; new: Model };
}

function model(s: { name: string; text: string }): Model {
  const result = modelOf(s.name, s.text);
  if (!result.ok) throw new Error(`${s.name} has problems`);
  return result.model;
}

function pair(name: string): Pair {
  const source = (side: string) => {
    const file = `test/diff/${name}/${side}.yaml`;
    return { name: file, text: readFileSync(join(projectRoot, file), "utf8") };
  };
  const sources = { old: source("old"), new: source("new") };
  return { sources, models: { old: model(sources.old), new: model(sources.new) } };
}

async function verifyPair(
  name: string,
  overrides?: Overrides,
  edit: (report: DiffReport) => DiffReport = (r) => r,
): Promise<VerifyReport> {
  const p = pair(name);
  const report = edit(
    diffModels(p.models.old, p.models.new, { old: "old", new: "new" }, overrides),
  );
  return verifyDiff(projectRoot, p.sources, p.models, report, { runs: 150, seed: 7 });
}

describe("diff --verify agrees with every verdict of the pairs in test/diff/", () => {
  for (const name of CASES) {
    it(name, async () => {
      const v = await verifyPair(name);
      expect(v.contradictions).toEqual([]);
      // Every data and text break the changes predict shows in 150 random values each way.
      expect(v.falsePositives).toEqual([]);
      expect(v.trials.oldReaders.tried).toBe(150);
      expect(v.trials.newReaders.tried).toBe(150);
      expect(v.trials.text.tried).toBe(150);
    });
  }
});

describe("diff --verify catches a wrong verdict", () => {
  it("on data: a closed enum's new value said to be readable by old codecs", async () => {
    const v = await verifyPair("enum-value-added-closed", (c) =>
      c.subject === "Kind.Quit" ? { data: "compatible" } : undefined,
    );
    expect(v.contradictions).toHaveLength(1);
    expect(v.contradictions[0]).toMatchObject({
      axis: "data",
      subject: "Kind.Quit",
      claim: "data: old readers not broken",
    });
    expect(v.contradictions[0].evidence).toMatch(
      /the old codec could not read .*kind .*3 is not a Kind/,
    );
  });

  it("on data: a fixed-size variant added beside a fallback said to be harmless to new readers", async () => {
    const v = await verifyPair("variant-added-fallback-fixed", (c) =>
      c.kind === "variant-added" ? { data: "compatible" } : undefined,
    );
    expect(v.contradictions.map((c) => [c.axis, c.subject])).toEqual([["data", "Item.Size"]]);
    expect(v.contradictions[0].evidence).toMatch(
      /the new codec could not read what the old codec wrote: items\[\d+\]/,
    );
  });

  it("on data: a byte order change said to keep both directions", async () => {
    const v = await verifyPair("byte-order-changed", () => ({ data: "compatible" }));
    expect(v.contradictions.map((c) => [c.axis, c.subject, c.claim]).sort()).toEqual([
      ["data", "Message.stamp", "data: new readers not broken"],
      ["data", "Message.stamp", "data: old readers not broken"],
    ]);
    // The bytes read, but as another number: the value comparison shows it.
    expect(v.contradictions[0].evidence).toMatch(/read differently .*stamp/);
  });

  it("on the API: a renamed field said to be compatible", async () => {
    const v = await verifyPair("field-renamed", (c) =>
      c.kind === "member-renamed" ? { api: "compatible" } : undefined,
    );
    expect(v.contradictions.map((c) => [c.axis, c.subject])).toEqual([["api", "Message.sequence"]]);
    expect(v.contradictions[0].evidence).toMatch(/id/);
  });

  it("on the API: a new mask said to break code", async () => {
    const v = await verifyPair("mask-added", (c) =>
      c.kind === "mask-added" ? { api: "breaking" } : undefined,
    );
    expect(v.contradictions).toEqual([
      expect.objectContaining({
        axis: "api",
        subject: "Message.stamp.leap",
        claim: "api: breaking",
      }),
    ]);
  });

  it("on text: a changed default said to keep old text", async () => {
    const v = await verifyPair("default-changed", (c) =>
      c.kind === "default-changed" ? { text: "compatible" } : undefined,
    );
    expect(new Set(v.contradictions.map((c) => `${c.axis} ${c.subject}`))).toEqual(
      new Set(["text Message.stamp"]),
    );
    // Old text leaving stamp out meant the old default: the new converters read another value.
    const hard = v.contradictions.find((c) => c.claim === "text: not breaking");
    expect(hard?.evidence).toMatch(/old text parsed to another value: stamp/);
  });

  it("on data in qcow2: a fixed-size extension said harmless to new readers, beside one that is not", async () => {
    const source = (name: string) => ({
      name,
      text: readFileSync(join(projectRoot, name), "utf8"),
    });
    const sources = {
      old: source("schema/history/qcow2-2016.yaml"),
      new: source("schema/qcow2.yaml"),
    };
    const models = { old: model(sources.old), new: model(sources.new) };
    const report = diffModels(models.old, models.new, { old: "2016", new: "today" }, (c) =>
      c.subject === "Extension.Bitmaps" ? { data: "compatible" } : undefined,
    );
    const v = await verifyDiff(projectRoot, sources, models, report, { runs: 200, seed: 1 });
    // Full_disk_encryption breaks new readers too, on the same union; the evidence is told apart by tag.
    expect(v.contradictions.map((c) => [c.axis, c.subject])).toEqual([
      ["data", "Extension.Bitmaps"],
    ]);
    expect(v.contradictions[0].evidence).toMatch(/a Bitmaps payload is 24 bytes/);
  });

  it("a planted false positive: a flag added said to break old readers is never seen to", async () => {
    const v = await verifyPair("flag-added", (c) =>
      c.kind === "flag-added" ? { data: "breaks old readers" } : undefined,
    );
    expect(v.contradictions).toEqual([]);
    expect(v.falsePositives).toEqual([
      {
        subject: "Message.options.signed",
        axis: "data",
        claim: "breaks old readers",
        seen: undefined,
      },
    ]);
  });

  it("a planted missed break: a signedness change said to keep data is contradicted by the numbers", async () => {
    const v = await verifyPair("signedness-changed", (c) =>
      c.kind === "signedness-changed" ? { data: "compatible" } : undefined,
    );
    expect(v.falsePositives).toEqual([]);
    expect(v.contradictions.map((c) => [c.axis, c.subject, c.claim]).sort()).toEqual([
      ["data", "Message.stamp", "data: new readers not broken"],
      ["data", "Message.stamp", "data: old readers not broken"],
    ]);
    expect(v.contradictions[0].evidence).toMatch(
      /read differently .*stamp: (-?\d+) and (?!\1\b)-?\d+/,
    );
  });

  it("a text break planted as a mere reprint: old text that no longer parses contradicts it", async () => {
    const v = await verifyPair("field-removed", (c) =>
      c.kind === "member-removed" ? { text: "prints differently" } : undefined,
    );
    expect(v.contradictions.map((c) => [c.axis, c.subject, c.claim])).toEqual([
      ["text", "Message.id", "text: not breaking"],
    ]);
  });

  it("a changed variant tag: each side reads the other's entry as its fallback, and that is a difference", async () => {
    const v = await verifyPair("variant-tag-changed-fallback", (c) =>
      c.kind === "variant-tag-changed" ? { data: "compatible" } : undefined,
    );
    expect(v.contradictions.map((c) => [c.axis, c.subject])).toContainEqual(["data", "Item.Text"]);
  });

  it("traces a reprint at entries.Points[0].x back to the change on Point.x", async () => {
    const v = await verifyPair("nested-default-in-variant", (c) =>
      c.kind === "default-changed" ? { text: "compatible" } : undefined,
    );
    expect(v.contradictions.map((c) => [c.axis, c.subject, c.claim])).toEqual([
      ["text", "Point.x", "text: compatible"],
    ]);
    expect(v.contradictions[0].evidence).toMatch(/printed differently: entries\.Points\[\d+\]\.x/);
  });

  it("a regrouping under a new condition said to keep the bytes is contradicted; one that keeps them is not", async () => {
    const v = await verifyPair("field-into-conditional-group", (c) =>
      c.kind === "members-regrouped" ? { data: "compatible" } : undefined,
    );
    expect(new Set(v.contradictions.map((c) => `${c.axis} ${c.subject}`))).toEqual(
      new Set(["data Message.extra"]),
    );
    const planted = await verifyPair("group-formed", (c) =>
      c.kind === "members-regrouped" ? { data: "breaks both" } : undefined,
    );
    expect(planted.falsePositives.map((f) => [f.subject, f.claim])).toEqual([
      ["Message.l1", "breaks old readers"],
      ["Message.l1", "breaks new readers"],
    ]);
  });

  it("when the diff leaves a change out", async () => {
    const v = await verifyPair("enum-value-renumbered", undefined, (report) => {
      const changes = report.changes.filter((c) => c.kind !== "enum-value-renumbered");
      return { ...report, changes, summary: summarise(changes) };
    });
    expect(v.contradictions.length).toBeGreaterThan(0);
    expect(v.contradictions.every((c) => c.subject === undefined && c.axis === "data")).toBe(true);
    expect(v.contradictions[0].claim).toBe("no change explains it");
  });
});
