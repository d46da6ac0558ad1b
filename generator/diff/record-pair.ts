/**
 * One record (or variant payload) in both revisions, prepared for
 * comparison: its members matched level by level (into groups), the
 * translation of member names between the revisions, what each name can
 * hold in each revision's data, fixed offsets, and which members are stored
 * after everything the other revision has.
 */
import type { Member } from "../model.js";
import { dataRanges, type Lookup, type Range } from "./conditions.js";
import { memberOffsets } from "./layout.js";
import { matchItems, type Pair } from "./match.js";
import { findRegroups, type Regroup } from "./regroup.js";
import { memberKey, memberShape, sameNames, type TypeNames } from "./shape.js";

/** Matched members of one sequence, and the sequences of matched groups within it. */
export interface SequencePairs {
  old: readonly Member[];
  new: readonly Member[];
  pairs: Pair<Member>[];
  groups: Map<Pair<Member>, SequencePairs>;
  /** Each member's name, or a made-up one for padding. */
  keys: Map<Member, string>;
}

export interface RecordPair {
  root: SequencePairs;
  oldToNew: Map<string, string>;
  newToOld: Map<string, string>;
  /** Names over the data each revision can hold; `newOverOld` takes new names, `oldOverNew` old ones. */
  oldOwn: Lookup;
  newOwn: Lookup;
  newOverOld: Lookup;
  oldOverNew: Lookup;
  oldOffsets: Map<Member, number>;
  newOffsets: Map<Member, number>;
  /** In the root record: members of one revision stored after everything the other has. */
  trailing: Set<Member>;
  /** Members moved between groups, and the left-over items each regrouping takes in. */
  regroups: Regroup[];
  regroupOf: Map<Member, Regroup>;
}

export function pairRecord(
  olds: readonly Member[],
  news: readonly Member[],
  typeNames: TypeNames,
  isRoot: boolean,
): RecordPair {
  const root = pairSequence(olds, news, typeNames);
  const oldToNew = new Map<string, string>();
  const newToOld = new Map<string, string>();
  const collect = (seq: SequencePairs): void => {
    for (const p of seq.pairs) {
      if (p.old !== undefined && p.new !== undefined && "name" in p.old && "name" in p.new) {
        oldToNew.set(p.old.name, p.new.name);
        newToOld.set(p.new.name, p.old.name);
      }
      const inner = seq.groups.get(p);
      if (inner !== undefined) collect(inner);
    }
  };
  collect(root);
  const regroups = findRegroups(root);
  const regroupOf = new Map<Member, Regroup>();
  for (const r of regroups) {
    for (const m of [...r.oldItems, ...r.newItems]) regroupOf.set(m, r);
    for (const m of r.moves)
      if ("name" in m.old.member && "name" in m.new.member) {
        oldToNew.set(m.old.member.name, m.new.member.name);
        newToOld.set(m.new.member.name, m.old.member.name);
      }
  }
  const oldRanges = dataRanges(olds);
  const newRanges = dataRanges(news);
  const through =
    (names: Map<string, string>, ranges: Map<string, Range>): Lookup =>
    (name) => {
      const other = names.get(name);
      return other === undefined ? undefined : ranges.get(other);
    };
  const trailing = new Set<Member>();
  if (isRoot) {
    markTrailing(root, "old", trailing);
    markTrailing(root, "new", trailing);
  }
  return {
    root,
    oldToNew,
    newToOld,
    oldOwn: (name) => oldRanges.get(name),
    newOwn: (name) => newRanges.get(name),
    newOverOld: through(newToOld, oldRanges),
    oldOverNew: through(oldToNew, newRanges),
    oldOffsets: memberOffsets(olds),
    newOffsets: memberOffsets(news),
    trailing,
    regroups,
    regroupOf,
  };
}

function pairSequence(
  olds: readonly Member[],
  news: readonly Member[],
  typeNames: TypeNames,
): SequencePairs {
  const keys = new Map<Member, string>();
  olds.forEach((m, i) => keys.set(m, memberKey(olds, i)));
  news.forEach((m, i) => keys.set(m, memberKey(news, i)));
  const pairs = matchItems(olds, news, {
    name: (m) => keys.get(m)!,
    oldShape: (m) => memberShape(m, typeNames),
    newShape: (m) => memberShape(m, sameNames),
    positional: true,
  });
  const groups = new Map<Pair<Member>, SequencePairs>();
  for (const p of pairs) {
    if (p.old?.kind === "group" && p.new?.kind === "group")
      groups.set(p, pairSequence(p.old.members, p.new.members, typeNames));
  }
  return { old: olds, new: news, pairs, groups, keys };
}

/** Marks the members of `side` that only that side has and that nothing of the other side follows. */
function markTrailing(seq: SequencePairs, side: "old" | "new", into: Set<Member>): void {
  const other = side === "old" ? "new" : "old";
  for (let k = seq.pairs.length - 1; k >= 0; k--) {
    const p = seq.pairs[k];
    const mine = p[side];
    if (mine === undefined) continue;
    if (p[other] === undefined) {
      into.add(mine);
      continue;
    }
    const inner = seq.groups.get(p);
    if (inner !== undefined) markTrailing(inner, side, into);
    return;
  }
}
