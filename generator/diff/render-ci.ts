/**
 * Diff results for CI systems: GitHub Actions workflow commands (one
 * annotation per change that breaks an axis, an error when it fails under
 * the policy and a warning otherwise) and SARIF 2.1.0 (one result per such
 * change, its rule the change's rule ID, approved changes carried as
 * suppressed with the approval's reason). Both point at `file:line:col`
 * in the new schema, or in the old one for what was removed.
 */
import type { Approval } from "./config.js";
import type { JudgedChange } from "./diff.js";
import type { Loc } from "../model.js";

/** A change to annotate, with how the policy takes it. */
export interface Annotated {
  change: JudgedChange;
  /** Fails under the policy (an error), or only breaks an axis the policy allows (a warning)? */
  fails: boolean;
  approval: Approval | undefined;
}

/** Does the change break anything at all (worth annotating)? */
export function breaksSomething(c: JudgedChange): boolean {
  return (
    c.verdict.data !== "compatible" ||
    c.verdict.api !== "compatible" ||
    c.verdict.text !== "compatible"
  );
}

function locOf(c: JudgedChange): Loc {
  return (c.new ?? c.old)!;
}

function summary(c: JudgedChange): string {
  const axes = [
    c.verdict.data === "compatible" ? "" : `data: ${c.verdict.data} (${c.verdict.why.data})`,
    c.verdict.api === "compatible" ? "" : `API: ${c.verdict.api} (${c.verdict.why.api})`,
    c.verdict.text === "compatible" ? "" : `text: ${c.verdict.text} (${c.verdict.why.text})`,
  ].filter((s) => s !== "");
  const hint = c.hint === undefined ? "" : ` Fix: ${c.hint}.`;
  return `${c.subject}: ${c.description}. ${axes.join("; ")}.${hint}`;
}

/** `%`, CR, LF and (in properties) `:` and `,` are escaped as GitHub's workflow commands require. */
const escapeData = (s: string): string =>
  s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string): string =>
  escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function renderGithub(
  items: readonly Annotated[],
  notes: readonly { loc: Loc; message: string }[],
): string {
  const lines = items.map(({ change: c, fails, approval }) => {
    const at = locOf(c);
    const level = approval !== undefined ? "notice" : fails ? "error" : "warning";
    const title = approval !== undefined ? `${c.rule} (approved)` : c.rule;
    const message =
      approval !== undefined ? `${summary(c)} Approved: ${approval.reason}` : summary(c);
    return `::${level} file=${escapeProperty(at.file)},line=${at.line},col=${at.col},title=${escapeProperty(title)}::${escapeData(message)}`;
  });
  for (const n of notes)
    lines.push(
      `::error file=${escapeProperty(n.loc.file)},line=${n.loc.line},col=${n.loc.col},title=binschema diff::${escapeData(n.message)}`,
    );
  return lines.join("\n");
}

export function renderSarif(
  items: readonly Annotated[],
  notes: readonly { loc: Loc; message: string }[],
  version: string,
): string {
  const rules = [
    ...[...new Set(items.map((i) => i.change.rule))].sort(),
    ...(notes.length > 0 ? ["approval-unused"] : []),
  ];
  const location = (loc: Loc) => ({
    physicalLocation: {
      artifactLocation: { uri: loc.file },
      region: { startLine: loc.line, startColumn: loc.col },
    },
  });
  const results = items.map(({ change: c, fails, approval }) => ({
    ruleId: c.rule,
    level: fails || approval !== undefined ? "error" : "warning",
    message: { text: summary(c) },
    locations: [location(locOf(c))],
    properties: {
      subject: c.subject,
      data: c.verdict.data,
      api: c.verdict.api,
      text: c.verdict.text,
      ...(c.hint === undefined ? {} : { hint: c.hint }),
    },
    ...(approval === undefined
      ? {}
      : { suppressions: [{ kind: "external", justification: approval.reason }] }),
  }));
  const configuration = notes.map((n) => ({
    level: "error",
    message: { text: n.message },
    locations: [location(n.loc)],
  }));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "binschema diff",
            version,
            informationUri: "https://www.npmjs.com/package/binschema",
            rules: rules.map((id) => ({ id, shortDescription: { text: id.replace(/-/g, " ") } })),
          },
        },
        results: [...results, ...configuration.map((r) => ({ ruleId: "approval-unused", ...r }))],
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
