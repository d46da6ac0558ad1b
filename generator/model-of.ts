/**
 * The front of the pipeline: load (YAML with positions) then check (every
 * problem, located), giving the model. Kept apart from generate.ts so tools
 * that only need the model (diff) do not load ts-morph and prettier.
 */
import { checkSchema } from "./check/index.js";
import { loadSchema } from "./load.js";
import type { Model } from "./model.js";
import { sortProblems, type Problem } from "./problem.js";

/** Checks a schema's text and builds its model. */
export function modelOf(
  file: string,
  text: string,
): { ok: true; model: Model } | { ok: false; problems: Problem[] } {
  const loaded = loadSchema(file, text);
  if ("problems" in loaded) return { ok: false, problems: sortProblems(loaded.problems) };
  const checked = checkSchema(file, loaded.root);
  if ("problems" in checked) return { ok: false, problems: sortProblems(checked.problems) };
  return { ok: true, model: checked };
}
