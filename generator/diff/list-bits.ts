/**
 * Changes to named bits: the flag bits of a flags word (each a boolean
 * property) and the named masks of a plain integer field (exported as
 * constants). Bits are matched by name, and a bit renamed keeps its number.
 */
import type { FlagBit } from "../model.js";
import type { ChangeList, Place } from "./change-list.js";
import { matchBits } from "./matchers.js";

/** Flag bits of a matched flags word `word` (at `place`). */
export function listFlagBits(
  list: ChangeList,
  place: Place,
  word: string,
  olds: FlagBit[],
  news: FlagBit[],
): void {
  for (const p of matchBits(olds, news)) {
    const bit = (p.new ?? p.old)!;
    const at: Place = {
      ...place,
      subject: `${place.subject}.${bit.name}`,
      old: p.old?.loc ?? place.old,
      new: p.new?.loc ?? place.new,
    };
    if (p.old === undefined) {
      const defaultNote = bit.defaultFalse ? ", default false" : "";
      list.add(
        at,
        { kind: "flag-added", defaultFalse: bit.defaultFalse },
        `bit ${bit.bit} of ${word} named ${bit.name}${defaultNote}`,
      );
      continue;
    }
    if (p.new === undefined) {
      list.add(
        at,
        { kind: "flag-removed" },
        `bit ${bit.bit} of ${word} (${bit.name}) no longer named`,
      );
      continue;
    }
    if (p.renamed)
      list.add(
        at,
        { kind: "flag-renamed" },
        `bit ${p.new.bit} of ${word} renamed from ${p.old.name} to ${p.new.name}`,
      );
    if (p.old.bit !== p.new.bit)
      list.add(
        at,
        { kind: "flag-moved" },
        `${p.new.name} moved from bit ${p.old.bit} to bit ${p.new.bit} of ${word}`,
      );
    if (p.old.defaultFalse !== p.new.defaultFalse)
      list.add(
        at,
        { kind: "flag-default-changed", defaultFalse: p.new.defaultFalse },
        p.new.defaultFalse ? "default false added" : "default false removed",
      );
    list.doc(at, p.old, p.new);
  }
}

/** Named masks (`bits:`) of a matched integer field. */
export function listMasks(
  list: ChangeList,
  place: Place,
  field: string,
  olds: FlagBit[],
  news: FlagBit[],
): void {
  for (const p of matchBits(olds, news)) {
    const bit = (p.new ?? p.old)!;
    const at: Place = {
      ...place,
      subject: `${place.subject}.${bit.name}`,
      old: p.old?.loc ?? place.old,
      new: p.new?.loc ?? place.new,
    };
    if (p.old === undefined) {
      list.add(at, { kind: "mask-added" }, `mask ${bit.name} (bit ${bit.bit}) of ${field} added`);
    } else if (p.new === undefined) {
      list.add(
        at,
        { kind: "mask-removed" },
        `mask ${bit.name} (bit ${bit.bit}) of ${field} removed`,
      );
    } else {
      if (p.renamed)
        list.add(
          at,
          { kind: "mask-renamed" },
          `mask for bit ${p.new.bit} of ${field} renamed from ${p.old.name} to ${p.new.name}`,
        );
      if (p.old.bit !== p.new.bit)
        list.add(
          at,
          { kind: "mask-moved" },
          `mask ${p.new.name} moved from bit ${p.old.bit} to bit ${p.new.bit}`,
        );
      list.doc(at, p.old, p.new);
    }
  }
}
