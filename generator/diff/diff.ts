/**
 * The diff pipeline for two models: list the changes, give each a verdict,
 * and sum the verdicts up per axis.
 */
import type { Model } from "../model.js";
import type { Change } from "./change.js";
import { inlineLets } from "./lets.js";
import { listChanges } from "./list-changes.js";
import { hintFor } from "./rules/hints.js";
import { judge, type Overrides } from "./rules/index.js";
import {
  combineData,
  worstText,
  type ApiVerdict,
  type DataVerdict,
  type TextVerdict,
  type Verdict,
} from "./verdict.js";

/**
 * A change with its verdict, its rule ID (its kind, stable across
 * releases: approvals name it) and, for a break a schema edit can avoid,
 * what to do.
 */
export type JudgedChange = Change & { rule: string; verdict: Verdict; hint: string | undefined };

export interface DiffSummary {
  data: DataVerdict;
  api: ApiVerdict;
  text: TextVerdict;
  /** How many changes break each axis (and, for text, only change how it prints). */
  counts: { data: number; api: number; text: number; textPrints: number; docOnly: number };
}

export interface DiffReport {
  /** The revisions as given: a file path or `REV:path`. */
  old: string;
  new: string;
  changes: JudgedChange[];
  summary: DiffSummary;
}

export function diffModels(
  oldModel: Model,
  newModel: Model,
  names: { old: string; new: string },
  overrides?: Overrides,
): DiffReport {
  // Lets are compared through their uses (see lets.ts).
  const changes = listChanges(inlineLets(oldModel), inlineLets(newModel)).map((c) => {
    const verdict = judge(c, overrides);
    return { ...c, rule: c.kind, verdict, hint: hintFor(c, verdict) };
  });
  return { ...names, changes, summary: summarise(changes) };
}

export function summarise(changes: readonly JudgedChange[]): DiffSummary {
  const breaksData = changes.filter((c) => c.verdict.data !== "compatible");
  const breaksApi = changes.filter((c) => c.verdict.api === "breaking");
  const breaksText = changes.filter((c) => c.verdict.text === "breaking");
  return {
    data: combineData(changes.map((c) => c.verdict.data)),
    api: breaksApi.length > 0 ? "breaking" : "compatible",
    text: worstText(changes.map((c) => c.verdict.text)),
    counts: {
      data: breaksData.length,
      api: breaksApi.length,
      text: breaksText.length,
      textPrints: changes.filter((c) => c.verdict.text === "prints differently").length,
      docOnly: changes.filter((c) => c.kind === "doc-changed").length,
    },
  };
}
