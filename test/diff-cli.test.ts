/**
 * `binschema diff` run as a real process: exit statuses (0 no finding, 1 a
 * break or a contradiction, 2 unreadable or invalid input), the options
 * that relax or tighten them, JSON output, `REV:path` revisions from git,
 * the 2016 -> today qcow2 diff exactly as the README shows it, and
 * `--against REV` in a project with binschema.yaml (approvals, formats).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { PROJECT_ROOT, binschema, type CliRun } from "./support/cli.js";

/** `binschema diff ...` from the project root. */
const run = (...args: string[]): Promise<CliRun> => binschema(args);

const pair = (name: string): [string, string] => [
  `test/diff/${name}/old.yaml`,
  `test/diff/${name}/new.yaml`,
];

// Each test runs its own processes; they run side by side.
describe.concurrent("binschema diff: exit statuses and options", () => {
  it("exits 0 when only documentation changed, and lists it", async ({ expect }) => {
    const r = await run("diff", ...pair("doc-only"));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("0 changes, 4 doc-only");
    expect(r.stdout).toContain("Kind, Kind.Ping, Message, Message.kind");
    expect(r.stdout).toMatch(/data {2}compatible\n {4}API {3}compatible\n {4}text {2}compatible/);
    expect(r.stdout).not.toContain("\u001b[");
  });

  it("exits 1 on an API break, 0 once API breaks are allowed, 1 again for text breaks on request", async ({
    expect,
  }) => {
    const args = pair("field-renamed");
    const strict = await run("diff", ...args);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain("Message.sequence: id renamed to sequence");
    expect(strict.stdout).toContain("code written against the old module may not compile");
    expect((await run("diff", ...args, "--allow-api-breaks")).status).toBe(0);
    const text = await run("diff", ...args, "--allow-api-breaks", "--fail-on-text-breaks");
    expect(text.status).toBe(1);
    expect(text.stdout).toContain("old S-expressions may not parse, or parse to other values");
  });

  it("relaxes data breaks by direction", async ({ expect }) => {
    const args = [...pair("enum-value-added-closed"), "--allow-api-breaks"];
    expect((await run("diff", ...args)).status).toBe(1);
    expect((await run("diff", ...args, "--allow-new-reader-breaks")).status).toBe(1);
    expect((await run("diff", ...args, "--allow-old-reader-breaks")).status).toBe(0);
    expect((await run("diff", ...args, "--allow-data-breaks")).status).toBe(0);
  });

  it("prints JSON with places, facts, verdicts and reasons", async ({ expect }) => {
    const r = await run("diff", ...pair("conditional-never-in-old"), "--json");
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      summary: { data: string; api: string; text: string };
      changes: {
        kind: string;
        subject: string;
        old: unknown;
        new: { file: string; line: number };
        facts: { facts: { inOtherData: string; inOwnData: string } };
        verdict: { data: string };
        why: { data: string };
      }[];
      exitStatus: number;
      findings: string[];
    };
    expect(doc.summary).toEqual(
      expect.objectContaining({ data: "breaks old readers", api: "breaking", text: "compatible" }),
    );
    expect(doc.changes).toHaveLength(1);
    const c = doc.changes[0];
    expect(c).toMatchObject({ kind: "member-added", subject: "Message.extra", old: null });
    expect(c.new).toMatchObject({ file: "test/diff/conditional-never-in-old/new.yaml", line: 14 });
    expect(c.facts.facts).toMatchObject({ inOtherData: "never", inOwnData: "maybe" });
    expect(c.verdict.data).toBe("breaks old readers");
    expect(c.why.data).toMatch(/never holds for old data/);
    expect(doc.exitStatus).toBe(1);
    expect(doc.findings).toHaveLength(2);
  });

  it("reads REV:path from git", async ({ expect }) => {
    const r = await run("diff", "HEAD:schema/qcow2.yaml", "HEAD:schema/qcow2.yaml");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      "HEAD:schema/qcow2.yaml → HEAD:schema/qcow2.yaml: 0 changes, 0 doc-only",
    );
  });

  it("never passes a revision to git as an option", async ({ expect }) => {
    const victim = join(mkdtempSync(join(tmpdir(), "binschema-diff-")), "victim");
    for (const args of [
      ["diff", "--", `--output=${victim}:y`, "schema/qcow2.yaml"],
      ["diff", "schema/qcow2.yaml", "--", `-o${victim}:y`],
    ]) {
      const r = await run(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/: not a revision: a revision cannot start with "-"\n$/);
      expect(existsSync(victim)).toBe(false);
    }
  });

  it("exits 2 with a clear message for a bad revision, a bad path, a missing file or an invalid schema", async ({
    expect,
  }) => {
    const badRev = await run("diff", "no-such-revision:schema/qcow2.yaml", "schema/qcow2.yaml");
    expect(badRev.status).toBe(2);
    expect(badRev.stderr).toContain(
      "no-such-revision:schema/qcow2.yaml: cannot read from git: fatal:",
    );
    const badPath = await run("diff", "HEAD:schema/nope.yaml", "schema/qcow2.yaml");
    expect(badPath.status).toBe(2);
    expect(badPath.stderr).toMatch(/HEAD:schema\/nope\.yaml: cannot read from git: .*nope\.yaml/);
    const missing = await run("diff", "schema/qcow2.yaml", "nope.yaml");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("nope.yaml: cannot read: no such file");
    const invalid = await run("diff", "test/schema-errors/valid.yaml", "schema/qcow2.yaml");
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toContain("test/schema-errors/valid.yaml:15:16:");
    expect(invalid.stderr).toContain("not a valid schema; nothing compared");
    expect(invalid.stdout).toBe("");
  });

  it("exits 2 on usage errors", async ({ expect }) => {
    expect((await run("diff", "schema/qcow2.yaml")).status).toBe(2);
    const runs = await run("diff", "schema/qcow2.yaml", "schema/qcow2.yaml", "--runs", "many");
    expect(runs.status).toBe(2);
    expect(runs.stderr).toContain('--runs must be a whole number, got "many"');
  });
});

/** The `index`-th ```text block of the README's diff section. */
function readmeBlock(index: number): string {
  const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
  const from = readme.indexOf("## Diffing schema revisions");
  const section = readme.slice(from, readme.indexOf("\n## ", from + 1));
  const blocks = section.split("```text\n").slice(1);
  return blocks[index].slice(0, blocks[index].indexOf("\n```"));
}

describe.concurrent("binschema diff schema/history/qcow2-2016.yaml schema/qcow2.yaml", () => {
  const args = ["diff", "schema/history/qcow2-2016.yaml", "schema/qcow2.yaml"];

  it("prints exactly what the README shows, and exits 1", async ({ expect }) => {
    const r = await run(...args);
    expect(r.status).toBe(1);
    expect(r.stdout.trimEnd()).toBe(readmeBlock(0));
  });

  it("gives the verdicts the README explains", async ({ expect }) => {
    const r = await run(...args, "--json");
    const doc = JSON.parse(r.stdout) as {
      changes: {
        subject: string;
        kind: string;
        verdict: { data: string; api: string; text: string };
      }[];
    };
    const verdict = (subject: string, kind?: string): string => {
      const c = doc.changes.find(
        (x) => x.subject === subject && (kind === undefined || x.kind === kind),
      );
      return c === undefined
        ? "(missing)"
        : `${c.verdict.data} / ${c.verdict.api} / ${c.verdict.text}`;
    };
    expect(verdict("CryptMethod.Luks")).toBe("breaks old readers / breaking / compatible");
    expect(verdict("FeatureName.Bitmaps")).toBe("compatible / breaking / compatible");
    expect(verdict("Extension.Bitmaps")).toBe("breaks new readers / breaking / compatible");
    expect(verdict("Extension.External_data_file")).toBe("compatible / breaking / compatible");
    expect(verdict("Header.additional.incompatible_features.extended_l2")).toBe(
      "compatible / breaking / compatible",
    );
    expect(verdict("Header.additional.header_length", "validation-changed")).toBe(
      "compatible / compatible / compatible",
    );
    expect(verdict("Header.additional.compression_type")).toBe(
      "breaks old readers / breaking / compatible",
    );
    expect(verdict("Header.additional.header_extra")).toBe(
      "breaks old readers / breaking / compatible",
    );
    expect(doc.changes.filter((c) => c.kind === "doc-changed")).toHaveLength(37);
  });

  it(
    "--verify finds no contradiction, and confirms the data breaks the README explains",
    { timeout: 180_000 },
    async ({ expect }) => {
      const r = await run(...args, "--verify");
      expect(r.status).toBe(1);
      const shown = r.stdout.slice(r.stdout.indexOf("Verification"));
      expect(shown).toContain(
        "No contradictions: every verdict agrees with the evidence, and every predicted data and text break was seen.",
      );
      for (const line of [
        "CryptMethod.Luks (data: breaks old readers)",
        "Extension.Bitmaps (data: breaks new readers)",
        "Extension.Full_disk_encryption (data: breaks new readers)",
        "Header.additional.compression_type (data: breaks old readers)",
      ])
        expect(shown).toContain(line);
      // The README's excerpt has the same rows (the counts may move as the codecs change).
      const label = (l: string): string => l.replace(/\d+/g, "N");
      const rows = shown.split("\n").map(label);
      expect(rows).toEqual(expect.arrayContaining(readmeBlock(1).split("\n").map(label)));
    },
  );
});

describe.concurrent("binschema diff --against REV in a project with binschema.yaml", () => {
  /** A git repository with binschema.yaml and formats/sample.yaml committed, then changed. */
  function project(config: string): string {
    const dir = mkdtempSync(join(tmpdir(), "binschema-against-"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: dir,
        stdio: "pipe",
      });
    git("init", "-q");
    mkdirSync(join(dir, "formats"));
    const pair = (side: string) =>
      readFileSync(join(PROJECT_ROOT, "test/diff/enum-value-added-closed", side), "utf8");
    writeFileSync(join(dir, "formats", "sample.yaml"), pair("old.yaml"));
    writeFileSync(join(dir, "binschema.yaml"), "generate:\n  out: src\n");
    git("add", ".");
    git("commit", "-q", "-m", "first");
    writeFileSync(join(dir, "formats", "sample.yaml"), pair("new.yaml"));
    writeFileSync(join(dir, "formats", "extra.yaml"), pair("new.yaml"));
    writeFileSync(join(dir, "binschema.yaml"), `generate:\n  out: src\n${config}`);
    return dir;
  }
  const approveQuit = [
    "diff:",
    "  schemas: [formats]",
    "  approve:",
    "    - rule: enum-value-added",
    "      subject: Kind.Quit",
    "      reason: old readers are gone",
    "",
  ].join("\n");

  it("compares every schema in the configured folders, and lists the new ones", async ({
    expect,
  }) => {
    const dir = project("diff:\n  schemas: [formats]\n");
    try {
      const r = await binschema(["diff", "--against", "HEAD"], dir);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("HEAD:./formats/sample.yaml → formats/sample.yaml: 1 change");
      expect(r.stdout).toContain("[enum-value-added]");
      expect(r.stdout).toContain("formats/extra.yaml: new since HEAD, nothing to compare");
      expect(r.stdout).toContain("old codecs cannot read all new data");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("accepts an approved change, with its reason, and reports an approval matching nothing", async ({
    expect,
  }) => {
    const dir = project(approveQuit);
    try {
      const ok = await binschema(["diff", "--against", "HEAD"], dir);
      expect(ok.stdout).toContain("approved: old readers are gone (binschema.yaml:6:7)");
      expect(ok.status).toBe(0);
      const stale = project(approveQuit.replace("Kind.Quit", "Kind.Stop"));
      try {
        const r = await binschema(["diff", "--against", "HEAD"], stale);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain(
          "binschema.yaml:6:7: the approval of enum-value-added Kind.Stop matches no change",
        );
      } finally {
        rmSync(stale, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints GitHub annotations and SARIF with file:line:col", async ({ expect }) => {
    const dir = project(approveQuit);
    try {
      const github = await binschema(["diff", "--against", "HEAD", "--format", "github"], dir);
      expect(github.stdout).toMatch(
        /^::notice file=formats\/sample\.yaml,line=8,col=33,title=enum-value-added \(approved\)::Kind\.Quit: /,
      );
      const sarif = await binschema(["diff", "--against", "HEAD", "--format", "sarif"], dir);
      const doc = JSON.parse(sarif.stdout) as {
        runs: { results: { ruleId: string; suppressions?: unknown[] }[] }[];
      };
      expect(doc.runs[0].results.map((r) => [r.ruleId, r.suppressions !== undefined])).toEqual([
        ["enum-value-added", true],
      ]);
      const option = await binschema(["diff", "--against=--output=x"], dir);
      expect(option.status).toBe(2);
      expect(option.stderr).toContain('--against: "--output=x" is not a git revision');
      const bad = await binschema(["diff", "--against", "HEAD", "--format", "xml"], dir);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--format must be one of text, json, github, sarif, got "xml"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("works on this repository's own history", async ({ expect }) => {
    const first = execFileSync(
      "git",
      ["log", "--reverse", "--format=%H", "--", "schema/qcow2.yaml"],
      { cwd: PROJECT_ROOT, encoding: "utf8" },
    ).split("\n")[0];
    const r = await run("diff", "--against", first, "--json", "--allow-api-breaks");
    const doc = JSON.parse(r.stdout) as {
      reports: { old: string; new: string; changes: { rule: string }[] }[];
      exitStatus: number;
    };
    expect(doc.reports.map((x) => x.new)).toEqual(["schema/qcow2.yaml"]);
    expect(doc.reports[0].old).toBe(`${first}:./schema/qcow2.yaml`);
    expect(doc.reports[0].changes.length).toBeGreaterThan(0);
    expect(doc.reports[0].changes.every((c) => typeof c.rule === "string")).toBe(true);
    expect(r.status).toBe(doc.exitStatus);
  });
});
