/**
 * The human form of a verification: what was tried, what failed, which
 * verdicts the evidence confirmed, which breaks the sample did not show,
 * and every contradiction.
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
  if (v.notObserved.length > 0)
    out.push("", "Not observed in these runs (not a contradiction):", ...list(v.notObserved));
  out.push("");
  if (v.contradictions.length === 0) {
    out.push(style.good("No contradictions: every verdict agrees with the evidence."));
  } else {
    out.push(
      style.bad(
        `${v.contradictions.length} contradiction${v.contradictions.length === 1 ? "" : "s"}:`,
      ),
    );
    for (const c of v.contradictions) {
      out.push(
        `    ${style.strong(c.subject ?? "(no change)")}: says ${c.claim}, but ${c.evidence}`,
      );
    }
  }
  return out.join("\n");
}
