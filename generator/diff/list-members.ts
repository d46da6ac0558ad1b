/**
 * Changes to the members of a record or variant payload: members added,
 * removed, renamed or moved, later members whose byte offset changed, and
 * (through list-member.ts) changes to each member both revisions have.
 */
import type { Member } from "../model.js";
import type { MemberFacts } from "./change.js";
import type { ChangeList, Place } from "./change-list.js";
import { holds, type Lookup, type Tri } from "./conditions.js";
import { memberText } from "./describe.js";
import { compareMember, hasProperty } from "./list-member.js";
import type { Pair } from "./match.js";
import { pairRecord, type RecordPair, type SequencePairs } from "./record-pair.js";

export interface RecordSides {
  /** `Header`, or `Extension.Bitmaps` for a variant's payload. */
  subject: string;
  owners: { old: string; new: string };
  /** Where evidence about these members is found, if more specific than the owners. */
  loci?: string[];
  old: readonly Member[];
  new: readonly Member[];
  /** The root record, after whose end a reader stops. */
  isRoot: boolean;
}

export function listRecord(list: ChangeList, sides: RecordSides): void {
  const record = pairRecord(sides.old, sides.new, list.typeNames, sides.isRoot);
  listSequence(list, record, record.root, sides.subject, sides.owners, sides.loci);
}

function listSequence(
  list: ChangeList,
  record: RecordPair,
  seq: SequencePairs,
  subject: string,
  owners: { old: string; new: string },
  loci: string[] | undefined,
): void {
  const moved = movedPairs(seq.pairs, seq.old);
  const printOrderChanged =
    movedPairs(
      seq.pairs.filter((p) => p.new !== undefined && hasProperty(p.new)),
      seq.old,
    ).size > 0;
  let offsetReported = false;
  for (const p of seq.pairs) {
    const key = seq.keys.get((p.new ?? p.old)!)!;
    // A group member also touches the group's own interface.
    const groups = [p.old, p.new].flatMap((m) => (m?.kind === "group" ? [m.typeName] : []));
    const place: Place = {
      subject: `${subject}.${key}`,
      owners: [owners.old, owners.new, ...groups],
      loci: loci === undefined ? undefined : [...loci, ...groups],
      old: p.old?.loc,
      new: p.new?.loc,
    };
    if (p.old === undefined) {
      const m = p.new!;
      list.add(
        place,
        { kind: "member-added", facts: memberFacts(m, record, record.newOwn, record.newOverOld) },
        `${memberText(m)} added`,
      );
      continue;
    }
    if (p.new === undefined) {
      const m = p.old;
      list.add(
        place,
        { kind: "member-removed", facts: memberFacts(m, record, record.oldOwn, record.oldOverNew) },
        `${memberText(m)} removed`,
      );
      continue;
    }
    const o = p.old;
    const n = p.new;
    if (p.renamed)
      list.add(
        place,
        { kind: "member-renamed", hasProperty: hasProperty(n) },
        `${seq.keys.get(o)} renamed to ${seq.keys.get(n)}`,
      );
    if (moved.has(p))
      list.add(
        place,
        { kind: "member-moved", printOrderChanged },
        `${seq.keys.get(n)} moved to another place among the members`,
      );
    const before = record.oldOffsets.get(o);
    const after = record.newOffsets.get(n);
    if (!offsetReported && before !== undefined && after !== undefined && before !== after) {
      offsetReported = true;
      list.add(
        place,
        { kind: "offset-changed" },
        `${seq.keys.get(n)}, and what follows it, moved from byte ${before} to byte ${after}`,
      );
    }
    list.doc(place, o, n);
    compareMember(list, record, place, o, n, () => {
      const inner = seq.groups.get(p);
      if (inner !== undefined && o.kind === "group" && n.kind === "group")
        listSequence(
          list,
          record,
          inner,
          place.subject,
          { old: o.typeName, new: n.typeName },
          loci,
        );
    });
  }
}

/** Matched members whose order relative to the other matched members changed. */
function movedPairs(pairs: Pair<Member>[], olds: readonly Member[]): Set<Pair<Member>> {
  const moved = new Set<Pair<Member>>();
  let latest = -1;
  for (const p of pairs) {
    if (p.old === undefined || p.new === undefined) continue;
    const index = olds.indexOf(p.old);
    if (index < latest) moved.add(p);
    latest = Math.max(latest, index);
  }
  return moved;
}

/**
 * Facts about a member only one revision has: `own` looks names up in that
 * revision's data, `other` looks the same names up in the other's.
 */
function memberFacts(m: Member, record: RecordPair, own: Lookup, other: Lookup): MemberFacts {
  const cond = "cond" in m ? m.cond : undefined;
  const presence = (lookup: Lookup): Tri => (cond === undefined ? "always" : holds(cond, lookup));
  return {
    member: m.kind,
    hasProperty: hasProperty(m),
    inOwnData: presence(own),
    inOtherData: presence(other),
    atEnd: record.trailing.has(m),
    mayBeLeftOut: mayBeLeftOut(m),
  };
}

function mayBeLeftOut(m: Member): boolean {
  switch (m.kind) {
    case "value":
      return m.default !== undefined || (m.cond !== undefined && m.absent === "omit");
    case "group":
      return m.cond !== undefined && m.absent === "omit";
    case "flags":
      return m.flags.every((f) => f.defaultFalse);
    default:
      return true;
  }
}
