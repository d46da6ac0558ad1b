/**
 * The diff's policy: the `diff:` section of binschema.yaml (read beside
 * other sections, errors at file:line:col), approvals of single changes by
 * rule ID and subject (which hide that change and nothing else, and are
 * reported when they match nothing), `fail-on`, and the CI formats
 * (GitHub annotations, SARIF) pointing at file:line:col.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseDiffConfig } from "../generator/diff/config.js";
import { diffModels, type DiffReport } from "../generator/diff/diff.js";
import { applyPolicy } from "../generator/diff/policy.js";
import { breaksSomething, renderGithub, renderSarif } from "../generator/diff/render-ci.js";
import { modelOf } from "../generator/generate.js";

const projectRoot = join(import.meta.dirname, "..");

function diffOf(oldFile: string, newFile: string): DiffReport {
  const model = (file: string) => {
    const result = modelOf(file, readFileSync(join(projectRoot, file), "utf8"));
    if (!result.ok) throw new Error(`${file} has problems`);
    return result.model;
  };
  return diffModels(model(oldFile), model(newFile), { old: oldFile, new: newFile });
}

const QCOW2 = "schema/qcow2.yaml";
const qcow2 = () => diffOf("schema/history/qcow2-2016.yaml", QCOW2);

describe("binschema.yaml's diff: section", () => {
  it("reads schemas, fail-on and approvals, and leaves other sections alone", () => {
    const config = parseDiffConfig(
      "binschema.yaml",
      [
        "generate:",
        "  out: src/generated",
        "diff:",
        "  schemas: [formats, extra/one.yaml]",
        "  fail-on: [old-readers, api, text-prints]",
        "  approve:",
        "    - rule: enum-value-added",
        "      subject: CryptMethod.Luks",
        "      reason: the 2016 library refuses LUKS images by design",
      ].join("\n"),
    );
    expect(config.schemas).toEqual(["formats", "extra/one.yaml"]);
    expect([...config.failOn]).toEqual(["old-readers", "api", "text-prints"]);
    expect(config.approvals).toEqual([
      {
        rule: "enum-value-added",
        subject: "CryptMethod.Luks",
        file: undefined,
        reason: "the 2016 library refuses LUKS images by design",
        loc: { file: "binschema.yaml", line: 7, col: 7, path: "/diff/approve/0" },
      },
    ]);
  });

  it("reads the README's example", () => {
    const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
    const from = readme.indexOf("```yaml\ndiff:");
    const example = readme.slice(from + "```yaml\n".length, readme.indexOf("```", from + 3));
    const config = parseDiffConfig("README.md", example);
    expect(config.approvals.map((a) => `${a.rule} ${a.subject}`)).toEqual([
      "enum-value-added CryptMethod.Luks",
    ]);
    // And it approves a change the README's diff really has.
    const outcome = applyPolicy([{ file: QCOW2, changes: qcow2().changes }], config);
    expect(outcome.stale).toEqual([]);
    expect(outcome.approved).toHaveLength(1);
  });

  it("has defaults when the section or the file says nothing", () => {
    for (const text of ["", "generate: {}\n", "diff:\n"]) {
      const config = parseDiffConfig("binschema.yaml", text);
      expect(config.schemas).toEqual(["schema"]);
      expect([...config.failOn]).toEqual(["old-readers", "new-readers", "api"]);
      expect(config.approvals).toEqual([]);
    }
  });

  it("reports a bad setting at its line and column", () => {
    const error = (text: string): string => {
      try {
        parseDiffConfig("b.yaml", text);
      } catch (e) {
        if (e instanceof ConfigError) return e.message;
        throw e;
      }
      return "(no error)";
    };
    expect(error("diff:\n  fail-on: [api, txt]\n")).toBe(
      'b.yaml:2:18: fail-on takes old-readers, new-readers, api, text, text-prints; got "txt"',
    );
    expect(error("diff:\n  approve:\n    - rule: x\n      subject: y\n")).toBe(
      "b.yaml:3:7: an approval needs reason:",
    );
    expect(error("diff:\n  aprove: []\n")).toMatch(/^b\.yaml:2:3: unknown diff setting "aprove"/);
    expect(error("diff: [\n")).toMatch(/^b\.yaml:\d+:\d+: /);
  });
});

describe("approvals and fail-on", () => {
  const failOn = new Set(["old-readers", "new-readers", "api"] as const);
  const approval = (rule: string, subject: string, file?: string) => ({
    rule,
    subject,
    file,
    reason: "known",
    loc: { file: "binschema.yaml", line: 3, col: 7, path: "/diff/approve/0" },
  });

  it("approve one change and leave every other break on its axis failing", () => {
    const report = qcow2();
    const before = applyPolicy([{ file: QCOW2, changes: report.changes }], {
      failOn,
      approvals: [],
    });
    const oldReaders = (o: typeof before) =>
      o.failing.filter((f) => f.tripped.includes("old-readers")).map((f) => f.change.subject);
    expect(oldReaders(before)).toContain("CryptMethod.Luks");
    const after = applyPolicy([{ file: QCOW2, changes: report.changes }], {
      failOn,
      approvals: [approval("enum-value-added", "CryptMethod.Luks")],
    });
    expect(after.approved.map((a) => a.change.subject)).toEqual(["CryptMethod.Luks"]);
    expect(oldReaders(after)).toEqual(oldReaders(before).filter((s) => s !== "CryptMethod.Luks"));
    // Other changes still break old readers, so the finding stays.
    expect(after.findings).toContain(
      "old codecs cannot read all new data (--allow-old-reader-breaks to accept)",
    );
    expect(after.stale).toEqual([]);
  });

  it("report an approval that matches nothing (wrong rule, subject or file) as a finding", () => {
    const report = qcow2();
    const approvals = [
      approval("enum-value-removed", "CryptMethod.Luks"),
      approval("enum-value-added", "CryptMethod.Nope"),
      approval("enum-value-added", "CryptMethod.Luks", "schema/other.yaml"),
    ];
    const outcome = applyPolicy([{ file: QCOW2, changes: report.changes }], {
      failOn,
      approvals,
    });
    expect(outcome.stale).toEqual(approvals);
    expect(outcome.findings).toContain(
      "the approval of enum-value-removed CryptMethod.Luks (binschema.yaml:3:7) matches no change",
    );
  });

  it("fail on text that prints differently only when asked", () => {
    const report = diffOf("test/diff/default-added/old.yaml", "test/diff/default-added/new.yaml");
    const diffs = [{ file: "x", changes: report.changes }];
    expect(applyPolicy(diffs, { failOn, approvals: [] }).findings).toEqual([]);
    expect(
      applyPolicy(diffs, { failOn: new Set(["text"] as const), approvals: [] }).findings,
    ).toEqual([]);
    expect(
      applyPolicy(diffs, { failOn: new Set(["text-prints"] as const), approvals: [] }).findings,
    ).toEqual(["old S-expressions may print back differently (fail-on: text-prints)"]);
  });

  it("give every change a rule ID, and breaking ones a fix where a schema edit helps", () => {
    const report = diffOf(
      "test/diff/field-added-middle/old.yaml",
      "test/diff/field-added-middle/new.yaml",
    );
    expect(report.changes.map((c) => [c.rule, c.hint])).toEqual([
      [
        "member-added",
        "put it behind `if:` on a field old data cannot have (`if: version >= N`), or add it at the end",
      ],
    ]);
    const renamed = diffOf("test/diff/field-renamed/old.yaml", "test/diff/field-renamed/new.yaml");
    expect(renamed.changes.map((c) => [c.rule, c.hint])).toEqual([
      ["member-renamed", "keep the old name"],
    ]);
  });
});

describe("CI formats", () => {
  const report = qcow2();
  const luks = report.changes.find((c) => c.subject === "CryptMethod.Luks")!;
  const mask = report.changes.find((c) => c.rule === "mask-added")!;
  const items = report.changes.filter(breaksSomething).map((change) => ({
    change,
    fails: change.verdict.data !== "compatible",
    approval:
      change === luks
        ? {
            rule: "enum-value-added",
            subject: "CryptMethod.Luks",
            file: undefined,
            reason: "by design",
            loc: { file: "binschema.yaml", line: 3, col: 7, path: "" },
          }
        : undefined,
  }));
  const stale = [{ loc: { file: "binschema.yaml", line: 9, col: 7, path: "" }, message: "unused" }];

  it("GitHub: one annotation per breaking change at file:line:col, errors for failures", () => {
    const lines = renderGithub(items, stale).split("\n");
    expect(lines).toHaveLength(items.length + 1);
    expect(items.some((i) => i.change === mask)).toBe(false);
    expect(lines[0]).toMatch(
      /^::notice file=schema\/qcow2\.yaml,line=30,col=7,title=enum-value-added \(approved\)::CryptMethod\.Luks: value Luks = 2 added/,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::error file=schema\/qcow2\.yaml,line=\d+,col=\d+,title=member-added::Header\.additional\.compression_type: /,
      ),
    );
    expect(lines.at(-1)).toBe(
      "::error file=binschema.yaml,line=9,col=7,title=binschema diff::unused",
    );
    for (const line of lines) expect(line).not.toMatch(/\n/);
  });

  it("SARIF 2.1.0: results with rule IDs, locations, and approved changes suppressed", () => {
    const sarif = JSON.parse(renderSarif(items, stale, "0.1.0")) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          suppressions?: { justification: string }[];
          locations: {
            physicalLocation: {
              artifactLocation: { uri: string };
              region: { startLine: number; startColumn: number };
            };
          }[];
        }[];
      }[];
    };
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    const ids = run.tool.driver.rules.map((r) => r.id);
    for (const r of run.results) expect(ids).toContain(r.ruleId);
    const first = run.results[0];
    expect(first.ruleId).toBe("enum-value-added");
    expect(first.suppressions).toEqual([{ kind: "external", justification: "by design" }]);
    expect(first.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "schema/qcow2.yaml" },
      region: { startLine: 30, startColumn: 7 },
    });
    expect(run.results.at(-1)?.ruleId).toBe("approval-unused");
  });
});
