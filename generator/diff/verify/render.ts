/**
 * The human form of a verification: what was tried, what failed, which
 * verdicts the evidence confirmed, then the headline: whether the evidence
 * and the verdicts disagree in either direction — breaks the evidence shows
 * that no verdict predicts, and predicted breaks it never shows (probable
 * false positives) — with each disagreement beneath.
 */
import type { Style } from "../render-human.js";
import type { VerifyReport } from "./verify.js";

export function renderVerify(v: VerifyReport, style: Style): string {
  const trial = (label: string, t: { tried: number; failed: number }, note = ""): string =>
    `    ${label.padEnd(34)} ${String(t.tried).padStart(4)} tried, ${String(t.failed).padStart(4)} failed${note}`;
  const out = [
    `Verification (${v.runs} runs, seed ${v.seed}):`,
    trial("old codec reading new data", v.trials.oldReaders),
    trial("new codec reading old data", v.trials.newReaders),
    trial("new converters on old text", v.trials.text),
    trial(
      "old converters on new text",
      v.trials.textBack,
      " (shown only: the text axis is one-way)",
    ),
    `    ${"program using the old API".padEnd(34)} ${String(v.api.lines).padStart(4)} lines, ${String(v.api.errors).padStart(3)} type errors against the new module`,
  ];
  if (v.refused.old + v.refused.new > 0)
    out.push(
      `    (random values the codecs refused to write, and drawn again: ${v.refused.old} old, ${v.refused.new} new)`,
    );
  const list = (items: { subject: string; axis: string; claim: string }[]): string[] =>
    items.map((o) => `    ${o.subject} (${o.axis === "api" ? "API" : o.axis}: ${o.claim})`);
  if (v.confirmed.length > 0) out.push("", "Confirmed by the evidence:", ...list(v.confirmed));
  out.push("");
  const n = (count: number, one: string, many: string): string =>
    `${count} ${count === 1 ? one : many}`;
  if (v.contradictions.length === 0 && v.falsePositives.length === 0) {
    out.push(
      style.good(
        "No contradictions: every verdict agrees with the evidence, and every predicted data and text break was seen.",
      ),
    );
    return out.join("\n");
  }
  const parts = [
    v.contradictions.length > 0
      ? n(v.contradictions.length, "break the verdicts miss", "breaks the verdicts miss")
      : "",
    v.falsePositives.length > 0
      ? n(v.falsePositives.length, "probable false positive", "probable false positives")
      : "",
  ].filter((p) => p !== "");
  out.push(style.bad(`The evidence disagrees with the diff: ${parts.join(", ")}.`));
  if (v.contradictions.length > 0) {
    out.push("", "Breaks the verdicts miss (the evidence contradicts them):");
    for (const c of v.contradictions)
      out.push(
        `    ${style.strong(c.subject ?? "(no change)")}: says ${c.claim}, but ${c.evidence}`,
      );
  }
  if (v.falsePositives.length > 0) {
    out.push("", `Probable false positives (predicted, never seen in ${v.runs} runs each way):`);
    for (const f of v.falsePositives)
      out.push(
        `    ${style.strong(f.subject)} (${f.axis}: ${f.claim})${f.seen === undefined ? "" : `: only ${f.seen} was seen`}`,
      );
  }
  return out.join("\n");
}
