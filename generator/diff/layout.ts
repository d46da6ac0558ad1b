/**
 * The byte offset of each member that is at the same place in every value,
 * for reporting members that moved.
 */
import type { Member } from "../model.js";
import { fixedMemberSize } from "../model.js";

/** Offsets of members, from the start of their record or payload, where they are fixed. */
export function memberOffsets(members: readonly Member[]): Map<Member, number> {
  const offsets = new Map<Member, number>();
  const visit = (list: readonly Member[], start: number | undefined): void => {
    let at = start;
    for (const m of list) {
      if (at !== undefined) offsets.set(m, at);
      if (m.kind === "group") visit(m.members, at);
      const size = fixedMemberSize(m);
      at = at === undefined || size === undefined ? undefined : at + size;
    }
  };
  visit(members, 0);
  return offsets;
}
