/**
 * Which changes make `binschema diff` exit 1. By default a change that
 * breaks data compatibility in either direction or breaks the API fails;
 * text breaks do not unless asked for (see config.ts for `fail-on`). A
 * change approved by rule ID and subject, with a reason, does not fail;
 * an approval that matches no change is a finding of its own, so that
 * approvals do not outlive what they approved.
 */
import type { Approval, FailOn } from "./config.js";
import type { JudgedChange } from "./diff.js";
import { breaksReaders } from "./verdict.js";

export interface Policy {
  failOn: ReadonlySet<FailOn>;
  approvals: readonly Approval[];
}

/** Which of the `fail-on` settings a change trips. */
export function trips(c: JudgedChange, failOn: ReadonlySet<FailOn>): FailOn[] {
  const tripped: FailOn[] = [];
  if (failOn.has("old-readers") && breaksReaders(c.verdict.data, "old readers"))
    tripped.push("old-readers");
  if (failOn.has("new-readers") && breaksReaders(c.verdict.data, "new readers"))
    tripped.push("new-readers");
  if (failOn.has("api") && c.verdict.api === "breaking") tripped.push("api");
  if (failOn.has("text") && c.verdict.text === "breaking") tripped.push("text");
  if (failOn.has("text-prints") && c.verdict.text !== "compatible") tripped.push("text-prints");
  return tripped;
}

/** The changes of one schema's diff, with the file they are in. */
export interface Judged {
  /** The schema's path, as approvals name it. */
  file: string;
  changes: readonly JudgedChange[];
}

export interface PolicyOutcome {
  /** Changes that fail, with what they trip. */
  failing: { file: string; change: JudgedChange; tripped: FailOn[] }[];
  approved: { file: string; change: JudgedChange; approval: Approval }[];
  /** Approvals that match no change. */
  stale: Approval[];
  /** Why the run is a finding, one sentence each; empty when it is not. */
  findings: string[];
}

const WHY: Record<FailOn, string> = {
  "old-readers": "old codecs cannot read all new data (--allow-old-reader-breaks to accept)",
  "new-readers": "the new codec cannot read all old data (--allow-new-reader-breaks to accept)",
  api: "code written against the old module may not compile (--allow-api-breaks to accept)",
  text: "old S-expressions may not parse, or parse to other values (--fail-on-text-breaks)",
  "text-prints": "old S-expressions may print back differently (fail-on: text-prints)",
};

export function approves(a: Approval, file: string, c: JudgedChange): boolean {
  return a.rule === c.rule && a.subject === c.subject && (a.file === undefined || a.file === file);
}

export function applyPolicy(diffs: readonly Judged[], policy: Policy): PolicyOutcome {
  const outcome: PolicyOutcome = { failing: [], approved: [], stale: [], findings: [] };
  const used = new Set<Approval>();
  for (const d of diffs)
    for (const change of d.changes) {
      const approval = policy.approvals.find((a) => approves(a, d.file, change));
      if (approval !== undefined) {
        used.add(approval);
        outcome.approved.push({ file: d.file, change, approval });
        continue;
      }
      const tripped = trips(change, policy.failOn);
      if (tripped.length > 0) outcome.failing.push({ file: d.file, change, tripped });
    }
  outcome.stale = policy.approvals.filter((a) => !used.has(a));
  for (const setting of Object.keys(WHY) as FailOn[])
    if (outcome.failing.some((f) => f.tripped.includes(setting)))
      outcome.findings.push(WHY[setting]);
  for (const a of outcome.stale)
    outcome.findings.push(
      `the approval of ${a.rule} ${a.subject} (${a.loc.file}:${a.loc.line}:${a.loc.col}) matches no change`,
    );
  return outcome;
}
