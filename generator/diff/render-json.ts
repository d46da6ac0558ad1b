/**
 * The machine form of a diff: one JSON document with every change (its
 * kind, subject, description, places in both schemas, the declarations it
 * touches, the facts its verdict rests on, and the verdict with reasons),
 * the overall verdict, and whatever the command adds (findings, exit
 * status, the evidence of `--verify`).
 */
import type { DiffReport } from "./diff.js";

export function renderJson(report: DiffReport, extra: Record<string, unknown>): string {
  const changes = report.changes.map((change) => {
    const { kind, subject, description, old, new: neu, owners, verdict, ...facts } = change;
    return {
      kind,
      subject,
      description,
      old: old ?? null,
      new: neu ?? null,
      owners,
      facts,
      verdict: { data: verdict.data, api: verdict.api, text: verdict.text },
      why: verdict.why,
    };
  });
  return JSON.stringify(
    { old: report.old, new: report.new, summary: report.summary, changes, ...extra },
    null,
    2,
  );
}
