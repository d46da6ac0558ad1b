/**
 * Flags words in switch cases (ELF's `p_flags`, and `sh_flags`, 32 bits in
 * one layout and 64 in the other). A word every case has, naming the same
 * bits, is one property (flattened: the same properties) whatever the case
 * selects; its width may differ between cases, and the merged word takes
 * the widest, so its unknown bits are a bigint when any case stores 64.
 */
import { flagsProperties, type FlagsField } from "../model.js";
import type { Context } from "./context.js";

/** One case's copy of a flags word, with the index of its case. */
export interface CaseFlags {
  word: FlagsField;
  index: number;
}

/** Same bits, under the same names, with the same defaults, the same unknown property and nesting? */
function sameBits(a: FlagsField, b: FlagsField): boolean {
  const bits = (w: FlagsField): string =>
    JSON.stringify([
      w.flags.map((f) => [f.bit, f.name, f.defaultFalse]),
      w.unknown,
      w.nested?.typeName,
    ]);
  return bits(a) === bits(b);
}

/**
 * The merged word of each flags word of the cases, in first-case order;
 * reports a word some case lacks or whose bits differ (a name it shares
 * with a field or let is reported in the case that has both). Declares the
 * merged properties, and makes the word unavailable to expressions.
 */
export function mergeCaseFlags(
  ctx: Context,
  words: ReadonlyMap<string, CaseFlags[]>,
  caseCount: number,
): FlagsField[] {
  const { reader } = ctx;
  const merged: FlagsField[] = [];
  for (const [name, versions] of words) {
    const first = versions[0]!.word;
    if (versions.length !== caseCount) {
      reader.report(
        first.loc,
        `the flags word "${name}" is in ${versions.length} of the ${caseCount} cases; a flags word in a switch is in every case, so that its properties are there whatever the case`,
      );
      continue;
    }
    const other = versions.find((v) => !sameBits(v.word, first));
    if (other !== undefined) {
      reader.report(
        other.word.loc,
        `the flags word "${name}" names other bits here than in an earlier case; it is one property, so every case names the same bits (only its width may differ)`,
      );
      continue;
    }
    for (const p of flagsProperties(first)) ctx.used.set(p, first.loc);
    ctx.scope.set(name, {
      type: "number",
      unavailable:
        "a flags word in a switch's cases is not an integer in expressions (its width may differ between cases)",
    });
    const widest = versions.reduce((a, b) => (b.word.type.bits > a.word.type.bits ? b : a));
    merged.push({ ...first, type: widest.word.type });
  }
  return merged;
}
