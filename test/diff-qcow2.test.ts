/**
 * The cases on the real qcow2 schema: each is today's
 * schema/qcow2.yaml edited the way the case says, with the verdicts
 * written down from the bytes (and the ones cheap enough checked by
 * `diff --verify` here too, with few runs).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffModels } from "../generator/diff/diff.js";
import { verifyDiff } from "../generator/diff/verify/verify.js";
import { modelOf } from "../generator/generate.js";

const projectRoot = join(import.meta.dirname, "..");
const TODAY = readFileSync(join(projectRoot, "schema/qcow2.yaml"), "utf8");

/** Today's schema with each `[from, to]` replaced (each must be there). */
function edited(...edits: [string, string][]): string {
  return edits.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`not in the schema: ${from}`);
    return text.replace(from, to);
  }, TODAY);
}

const model = (name: string, text: string) => {
  const result = modelOf(name, text);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.line}: ${p.message}`).join("\n"));
  return result.model;
};

function changes(oldText: string, newText: string) {
  const report = diffModels(model("old.yaml", oldText), model("new.yaml", newText), {
    old: "old",
    new: "new",
  });
  return report.changes
    .filter((c) => c.kind !== "doc-changed")
    .map((c) => `${c.rule} ${c.subject}: ${c.verdict.data}, ${c.verdict.api}, ${c.verdict.text}`);
}

async function verified(oldText: string, newText: string, runs: number) {
  const sources = {
    old: { name: "old.yaml", text: oldText },
    new: { name: "new.yaml", text: newText },
  };
  const models = { old: model("old.yaml", oldText), new: model("new.yaml", newText) };
  const report = diffModels(models.old, models.new, { old: "old", new: "new" });
  return verifyDiff(projectRoot, sources, models, report, { runs, seed: 3 });
}

const L1 = [
  "      - { name: l1_size, type: i32, doc: Number of 8-byte entries in the L1 table }\n      - { name: l1_table_offset, type: i64, doc: Offset of the L1 table }\n",
  "      - name: l1\n        group: L1\n        fields:\n          - { name: l1_size, type: i32, doc: Number of 8-byte entries in the L1 table }\n          - { name: l1_table_offset, type: i64, doc: Offset of the L1 table }\n",
] as [string, string];

const SPLIT = [
  "          - { name: refcount_order, type: i32,",
  "      - name: more\n        group: More\n        if: version >= 3\n        fields:\n          - { name: refcount_order, type: i32,",
] as [string, string];

describe("qcow2: layouts rather than names", () => {
  it("l1_size and l1_table_offset moved into a group: one change, the same bytes", async () => {
    const neu = edited(L1);
    expect(changes(TODAY, neu)).toEqual([
      "members-regrouped Header.l1: compatible, breaking, breaking",
    ]);
    const v = await verified(TODAY, neu, 40);
    expect(v.contradictions).toEqual([]);
    expect(v.falsePositives).toEqual([]);
  }, 120_000);

  it("additional split into two groups with the same condition: one change, the same bytes", () => {
    const neu = edited(SPLIT);
    expect(changes(TODAY, neu)).toEqual([
      "members-regrouped Header.more: compatible, breaking, breaking",
    ]);
  });

  it("a tightened check breaks new readers only, a loosened one old readers only", () => {
    const tight = edited(["header_length >= 104, message", "header_length >= 112, message"]);
    expect(changes(TODAY, tight)).toEqual([
      "validation-changed Header.additional.header_length: breaks new readers, compatible, compatible",
    ]);
    expect(changes(tight, TODAY)).toEqual([
      "validation-changed Header.additional.header_length: breaks old readers, compatible, compatible",
    ]);
  });

  it("a plain field turned into value: offset(...) is still a u32: only new readers break", () => {
    const plain = edited(["            value: offset(extensions)\n", ""]);
    expect(changes(plain, TODAY)).toEqual([
      "role-changed Header.additional.header_length: breaks new readers, breaking, breaking",
    ]);
  });
});

describe("qcow2: value meaning, and one change for one edit", () => {
  it("i32 -> u32 is a data break: -5 reads back as 4294967291", async () => {
    const neu = edited(["{ name: l1_size, type: i32,", "{ name: l1_size, type: u32,"]);
    expect(changes(TODAY, neu)).toEqual([
      "signedness-changed Header.l1_size: breaks both, compatible, breaking",
    ]);
    const v = await verified(TODAY, neu, 40);
    expect(v.contradictions).toEqual([]);
    expect(v.falsePositives).toEqual([]);
  }, 120_000);

  it("a one-line byte order change is one change, with what it reaches beneath it", () => {
    const report = diffModels(
      model("old.yaml", TODAY),
      model("new.yaml", edited(["endian: big", "endian: little"])),
      { old: "old", new: "new" },
    );
    const listed = report.changes.filter((c) => c.kind !== "doc-changed");
    expect(listed.map((c) => `${c.rule} ${c.subject}: ${c.verdict.data}`)).toEqual([
      "byte-order-changed qcow2: breaks both",
    ]);
    expect(listed[0].consequences).toContain("Header.l1_size: big-endian → little-endian");
    expect(listed[0].consequences.join("\n")).not.toMatch(/u8/);
  });

  it("a swap of two fields is one change; a widening is one change", () => {
    const swapped = edited([
      "      - { name: l1_size, type: i32, doc: Number of 8-byte entries in the L1 table }\n      - { name: l1_table_offset, type: i64, doc: Offset of the L1 table }\n",
      "      - { name: l1_table_offset, type: i64, doc: Offset of the L1 table }\n      - { name: l1_size, type: i32, doc: Number of 8-byte entries in the L1 table }\n",
    ]);
    expect(changes(TODAY, swapped)).toEqual([
      "member-moved Header.l1_size: breaks both, compatible, prints differently",
    ]);
    const widened = edited([
      "{ name: cluster_bits, type: i32,",
      "{ name: cluster_bits, type: i64,",
    ]);
    expect(changes(TODAY, widened)).toEqual([
      "width-changed Header.cluster_bits: breaks both, breaking, compatible",
    ]);
  });

  it("says where later members moved only as far as they did", () => {
    // cluster_bits widened by 4 bytes, l1_table_offset narrowed by 4: refcount_table_offset is back in place.
    const report = diffModels(
      model("old.yaml", TODAY),
      model(
        "new.yaml",
        edited(
          ["{ name: cluster_bits, type: i32,", "{ name: cluster_bits, type: i64,"],
          ["{ name: l1_table_offset, type: i64,", "{ name: l1_table_offset, type: i32,"],
        ),
      ),
      { old: "old", new: "new" },
    );
    const widened = report.changes.find((c) => c.subject === "Header.cluster_bits")!;
    expect(widened.consequences).toEqual([
      "size and the 3 members after it up to l1_table_offset moved by +4 bytes (from byte 24 to 28)",
    ]);
    const narrowed = report.changes.find((c) => c.subject === "Header.l1_table_offset")!;
    expect(narrowed.consequences).toEqual([]);
  });
});
