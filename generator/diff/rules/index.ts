/**
 * Giving a change its verdict: the data, API and text rules each rule on
 * one axis. An override replaces what the rules say (tests use it to plant
 * a wrong verdict and show that `diff --verify` catches it).
 */
import type { Change } from "../change.js";
import type { ApiVerdict, DataVerdict, TextVerdict, Verdict } from "../verdict.js";
import { apiRule } from "./api.js";
import { dataRule } from "./data.js";
import { textRule } from "./text.js";

export interface VerdictOverride {
  data?: DataVerdict;
  api?: ApiVerdict;
  text?: TextVerdict;
}

/** Replaces the rules' verdict on some axes of some changes. */
export type Overrides = (change: Change) => VerdictOverride | undefined;

export function judge(change: Change, overrides?: Overrides): Verdict {
  const data = dataRule(change);
  const api = apiRule(change);
  const text = textRule(change);
  const override = overrides?.(change) ?? {};
  const overridden = "(verdict overridden)";
  return {
    data: override.data ?? data.verdict,
    api: override.api ?? api.verdict,
    text: override.text ?? text.verdict,
    why: {
      data: override.data === undefined ? data.why : overridden,
      api: override.api === undefined ? api.why : overridden,
      text: override.text === undefined ? text.why : overridden,
    },
  };
}
