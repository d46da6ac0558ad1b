/**
 * Verdicts: how one schema change affects each of three kinds of
 * compatibility between the old and the new revision.
 *
 * - data: can the new codec read what the old codec wrote ("new readers"),
 *   and can the old codec read what the new codec writes ("old readers")?
 *   Reading means succeeding and getting the value that was written, seen
 *   through the matching of names between the revisions.
 * - API: does every program written against the old generated module still
 *   type-check against the new one? Programs may name its exports, build
 *   values of its types with object literals, read their properties into
 *   variables of the old property types, match exhaustively on enum values
 *   and variant kinds, and call its functions.
 * - text: does every S-expression the old converters print still parse with
 *   the new converters to the same value, and print back the same? Text that
 *   parses to the same value but prints back differently (fields in another
 *   order, a value now left out as a default) is the softer `prints
 *   differently`; text that does not parse, or parses to another value, is
 *   `breaking`.
 */

export type DataVerdict =
  "compatible" | "breaks old readers" | "breaks new readers" | "breaks both";
export type ApiVerdict = "compatible" | "breaking";
export type TextVerdict = "compatible" | "prints differently" | "breaking";

const TEXT_ORDER: readonly TextVerdict[] = ["compatible", "prints differently", "breaking"];

/** The worse of text verdicts. */
export function worstText(verdicts: readonly TextVerdict[]): TextVerdict {
  return verdicts.reduce<TextVerdict>(
    (worst, v) => (TEXT_ORDER.indexOf(v) > TEXT_ORDER.indexOf(worst) ? v : worst),
    "compatible",
  );
}

export type Axis = "data" | "api" | "text";

/** A verdict on every axis, each with the reason in a sentence (empty when there is nothing to say). */
export interface Verdict {
  data: DataVerdict;
  api: ApiVerdict;
  text: TextVerdict;
  why: { data: string; api: string; text: string };
}

/** The two directions data can travel between revisions. */
export type Direction = "old readers" | "new readers";

/** Does a data verdict say that readers of `direction` fail? */
export function breaksReaders(verdict: DataVerdict, direction: Direction): boolean {
  return verdict === "breaks both" || verdict === `breaks ${direction}`;
}

/** The data verdict of breaking old readers, new readers, both or neither. */
export function dataVerdict(oldReaders: boolean, newReaders: boolean): DataVerdict {
  if (oldReaders && newReaders) return "breaks both";
  if (oldReaders) return "breaks old readers";
  if (newReaders) return "breaks new readers";
  return "compatible";
}

/** The data verdict of several changes together. */
export function combineData(verdicts: readonly DataVerdict[]): DataVerdict {
  return dataVerdict(
    verdicts.some((v) => breaksReaders(v, "old readers")),
    verdicts.some((v) => breaksReaders(v, "new readers")),
  );
}

/** The same data verdict seen with the revisions swapped. */
export function swapDirections(verdict: DataVerdict): DataVerdict {
  if (verdict === "breaks old readers") return "breaks new readers";
  if (verdict === "breaks new readers") return "breaks old readers";
  return verdict;
}
