/**
 * Which verdicts make `binschema diff` exit 1. By default a change that
 * breaks data compatibility in either direction or breaks the API is a
 * finding; text breaks are not unless asked for. Each can be relaxed.
 */
import type { DiffSummary } from "./diff.js";
import { breaksReaders } from "./verdict.js";

export interface Policy {
  allowApiBreaks?: boolean;
  allowDataBreaks?: boolean;
  /** Accept changes after which old codecs cannot read new data (keep backward compatibility only). */
  allowOldReaderBreaks?: boolean;
  /** Accept changes after which the new codec cannot read old data. */
  allowNewReaderBreaks?: boolean;
  failOnTextBreaks?: boolean;
}

/** Why the diff is a finding under the policy, one sentence each; empty when it is not. */
export function findings(summary: DiffSummary, policy: Policy): string[] {
  const found: string[] = [];
  const data = policy.allowDataBreaks !== true;
  if (data && policy.allowOldReaderBreaks !== true && breaksReaders(summary.data, "old readers"))
    found.push("old codecs cannot read all new data (--allow-old-reader-breaks to accept)");
  if (data && policy.allowNewReaderBreaks !== true && breaksReaders(summary.data, "new readers"))
    found.push("the new codec cannot read all old data (--allow-new-reader-breaks to accept)");
  if (policy.allowApiBreaks !== true && summary.api === "breaking")
    found.push(
      "code written against the old module may not compile (--allow-api-breaks to accept)",
    );
  if (policy.failOnTextBreaks === true && summary.text === "breaking")
    found.push("old S-expressions may not parse or print the same (--fail-on-text-breaks)");
  return found;
}
