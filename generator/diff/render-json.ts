/**
 * The machine form of a diff: one JSON document with every change (its
 * kind, subject, description, places in both schemas, the declarations it
 * touches, the facts its verdict rests on, and the verdict with reasons),
 * the overall verdict, and whatever the command adds (findings, exit
 * status, the evidence of `--verify`).
 */
import type { Approval } from "./config.js";
import type { DiffReport, JudgedChange } from "./diff.js";

export function jsonReport(
  report: DiffReport,
  approvals: ReadonlyMap<JudgedChange, Approval> = new Map(),
): Record<string, unknown> {
  const changes = report.changes.map((change) => {
    const {
      kind,
      rule,
      subject,
      description,
      old,
      new: neu,
      owners,
      verdict,
      hint,
      consequences,
      loci,
      positional,
      ...facts
    } = change;
    return {
      kind,
      rule,
      subject,
      description,
      old: old ?? null,
      new: neu ?? null,
      owners,
      loci,
      positional,
      facts,
      verdict: { data: verdict.data, api: verdict.api, text: verdict.text },
      why: verdict.why,
      consequences,
      hint: hint ?? null,
      approved: approvals.has(change)
        ? { reason: approvals.get(change)!.reason, at: approvals.get(change)!.loc }
        : null,
    };
  });
  return { old: report.old, new: report.new, summary: report.summary, changes };
}

export function renderJson(
  report: DiffReport,
  extra: Record<string, unknown>,
  approvals?: ReadonlyMap<JudgedChange, Approval>,
): string {
  return JSON.stringify({ ...jsonReport(report, approvals), ...extra }, null, 2);
}
