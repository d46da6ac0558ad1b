/**
 * Changes to the members of a record or variant payload: members added,
 * removed, renamed or moved, later members whose byte offset changed, and
 * (through list-member.ts) changes to each member both revisions have.
 */
import type { Expr } from "../expr.js";
import type { Member } from "../model.js";
import type { Change, MemberFacts } from "./change.js";
import type { ChangeList, Place } from "./change-list.js";
import { holds, type Lookup, type Tri } from "./conditions.js";
import { memberText } from "./describe.js";
import { compareMember, hasProperty } from "./list-member.js";
import type { Pair } from "./match.js";
import { pairRecord, type RecordPair, type SequencePairs } from "./record-pair.js";
import { condText, containerText, type Move, type Placed, type Regroup } from "./regroup.js";
import { memberKey } from "./shape.js";

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
  /** A variant's payload, whose fields print by position rather than by name. */
  positional?: boolean;
}

export function listRecord(list: ChangeList, sides: RecordSides): void {
  const record = pairRecord(sides.old, sides.new, list.typeNames, sides.isRoot);
  const top: Top = { sides, listed: new Set() };
  listSequence(
    list,
    record,
    top,
    record.root,
    sides.subject,
    sides.owners,
    sides.loci,
    sides.positional === true,
  );
}

/** The record being listed, and the regroupings already reported in it. */
interface Top {
  sides: RecordSides;
  listed: Set<Regroup>;
}

function listSequence(
  list: ChangeList,
  record: RecordPair,
  top: Top,
  seq: SequencePairs,
  subject: string,
  owners: { old: string; new: string },
  loci: string[] | undefined,
  positional: boolean,
  /** How far the group holding these members moved (0 at the top): a move of its own elsewhere. */
  shift = 0,
): void {
  const moved = movedPairs(seq.pairs, seq.old);
  const printOrderChanged =
    movedPairs(
      seq.pairs.filter((p) => p.new !== undefined && hasProperty(p.new)),
      seq.old,
    ).size > 0;
  const runs = offsetRuns(seq, record, shift);
  /** Per pair: where its changes start in the list, and whether one of them moves later bytes. */
  const spans: { at: number; shifts: boolean }[] = [];
  for (const p of seq.pairs) {
    const at = list.changes.length;
    spans.push({ at, shifts: false });
    const key = seq.keys.get((p.new ?? p.old)!)!;
    // A group member also touches the group's own interface.
    const groups = [p.old, p.new].flatMap((m) => (m?.kind === "group" ? [m.typeName] : []));
    const place: Place = {
      subject: `${subject}.${key}`,
      owners: [owners.old, owners.new, ...groups],
      loci: loci === undefined ? undefined : [...loci, ...groups],
      old: p.old?.loc,
      new: p.new?.loc,
      positional,
    };
    const regroup = record.regroupOf.get((p.old ?? p.new)!);
    if ((p.old === undefined || p.new === undefined) && regroup !== undefined) {
      if (!top.listed.has(regroup)) {
        top.listed.add(regroup);
        listRegroup(list, record, top, regroup);
      }
      continue;
    }
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
    list.doc(place, o, n);
    compareMember(list, record, place, o, n, () => {
      const inner = seq.groups.get(p);
      if (inner !== undefined && o.kind === "group" && n.kind === "group")
        listSequence(
          list,
          record,
          top,
          inner,
          place.subject,
          { old: o.typeName, new: n.typeName },
          loci,
          positional,
          shiftBefore(seq, p, record, shift),
        );
    });
  }
  seq.pairs.forEach((_, i) => {
    const end = i + 1 < spans.length ? spans[i + 1].at : list.changes.length;
    spans[i].shifts = list.changes.slice(spans[i].at, end).some(shiftsLaterBytes);
  });
  attachOffsetRuns(list, seq, runs, spans, subject, owners, loci);
}

/** Kinds of change after which later members may be stored at other bytes. */
const SHIFTING = new Set<Change["kind"]>([
  "member-added",
  "member-removed",
  "member-moved",
  "width-changed",
  "size-changed",
  "type-changed",
  "role-changed",
]);

function shiftsLaterBytes(c: Change): boolean {
  if (!SHIFTING.has(c.kind)) return false;
  if (c.kind === "member-added" || c.kind === "member-removed")
    return c.facts.inOwnData !== "never" || c.facts.inOtherData !== "never";
  return true;
}

/**
 * How far the members just before `at` moved (beyond `base`, the move of
 * the sequence as a whole): a group there moves with them, and that is
 * reported out here, not again for each member inside it.
 */
function shiftBefore(
  seq: SequencePairs,
  at: Pair<Member>,
  record: RecordPair,
  base: number,
): number {
  let shift = base;
  for (const p of seq.pairs) {
    if (p === at) break;
    if (p.old === undefined || p.new === undefined || p.new.kind === "group") continue;
    const before = record.oldOffsets.get(p.old);
    const after = record.newOffsets.get(p.new);
    if (before !== undefined && after !== undefined) shift = after - before;
  }
  return shift;
}

/** A run of members, one after another, that all moved by the same number of bytes. */
interface OffsetRun {
  /** Index in the sequence's pairs of the first member of the run, and of the last. */
  first: number;
  last: number;
  from: number;
  to: number;
}

/** The runs of matched members at fixed offsets whose offset changed, by how far they moved. */
function offsetRuns(seq: SequencePairs, record: RecordPair, base: number): OffsetRun[] {
  const runs: OffsetRun[] = [];
  let shift = 0;
  seq.pairs.forEach((p, i) => {
    // A group is no bytes of its own: its members' offsets are compared inside it.
    if (p.old === undefined || p.new === undefined || p.new.kind === "group") return;
    const before = record.oldOffsets.get(p.old);
    const after = record.newOffsets.get(p.new);
    if (before === undefined || after === undefined) {
      shift = Number.NaN;
      return;
    }
    // Moves of the whole group are reported where the group is.
    const delta = after - before - base;
    const current = runs[runs.length - 1];
    if (delta !== 0 && delta === shift && current !== undefined) current.last = i;
    else if (delta !== 0) runs.push({ first: i, last: i, from: before, to: after });
    shift = delta;
  });
  return runs;
}

/**
 * Reports each run of moved members once: as a consequence of the change
 * before it that moves later bytes (or, failing that, the first one after
 * it, as when two members swap places), else as a change of its own.
 */
function attachOffsetRuns(
  list: ChangeList,
  seq: SequencePairs,
  runs: OffsetRun[],
  spans: { at: number; shifts: boolean }[],
  subject: string,
  owners: { old: string; new: string },
  loci: string[] | undefined,
): void {
  const inserts: { at: number; run: OffsetRun; text: string }[] = [];
  for (const run of runs) {
    const key = (i: number): string => seq.keys.get(seq.pairs[i].new!)!;
    const others = seq.pairs
      .slice(run.first + 1, run.last + 1)
      .filter((p) => p.old !== undefined && p.new !== undefined).length;
    const text =
      others === 0
        ? `${key(run.first)} moved from byte ${run.from} to byte ${run.to}`
        : `${key(run.first)} and the ${others === 1 ? "member" : `${others} members`} after it up to ${key(run.last)} moved by ${signed(run.to - run.from)} bytes (from byte ${run.from} to ${run.to})`;
    let before = -1;
    for (let i = run.first; i >= 0 && before < 0; i--) if (spans[i].shifts) before = i;
    const after = spans.findIndex((s, i) => i > run.first && s.shifts);
    const cause = before >= 0 ? before : after;
    if (cause >= 0) {
      const end = cause + 1 < spans.length ? spans[cause + 1].at : list.changes.length;
      const target = list.changes.slice(spans[cause].at, end).find(shiftsLaterBytes)!;
      target.consequences.push(text);
    } else {
      inserts.push({ at: spans[run.first].at, run, text });
    }
  }
  for (const { at, run, text } of inserts.reverse()) {
    const p = seq.pairs[run.first];
    list.add(
      {
        subject: `${subject}.${seq.keys.get(p.new!)}`,
        owners: [owners.old, owners.new],
        loci,
        old: p.old?.loc,
        new: p.new?.loc,
      },
      { kind: "offset-changed" },
      text,
    );
    list.changes.splice(at, 0, list.changes.pop()!);
  }
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/**
 * One regrouping: a change saying which members moved between which groups
 * (compatible for data when every moved member keeps its bytes and its
 * condition), then what changed about each moved member itself, and the
 * members of formed or dissolved groups that the other revision lacks.
 */
function listRegroup(list: ChangeList, record: RecordPair, top: Top, r: Regroup): void {
  const { subject, owners, loci } = top.sides;
  const toNew = (name: string): string => record.oldToNew.get(name) ?? name;
  const oldFlat = flatKeys(top.sides.old).map(toNew);
  const newFlat = flatKeys(top.sides.new);
  const keepsPlace = (m: Move): boolean => {
    const before = record.oldOffsets.get(m.old.member);
    const after = record.newOffsets.get(m.new.member);
    return before !== undefined && after !== undefined
      ? before === after
      : JSON.stringify(oldFlat.slice(0, oldFlat.indexOf(toNew(m.old.key)))) ===
          JSON.stringify(newFlat.slice(0, newFlat.indexOf(m.new.key)));
  };
  // Where the conditions over a moved member differ, whether they still pick the same data.
  const samePresence = (m: Move, data: "old" | "new"): boolean => {
    if (condText(m.old, toNew) === condText(m.new, (x) => x)) return true;
    const presence = (p: Placed, lookup: Lookup): Tri => {
      const cond = conjunction(p.conds);
      return cond === undefined ? "always" : holds(cond, lookup);
    };
    const a = presence(m.old, data === "old" ? record.oldOwn : record.oldOverNew);
    const b = presence(m.new, data === "old" ? record.newOverOld : record.newOwn);
    return a === b && a !== "maybe";
  };
  const groups = (items: Member[]): Member[] =>
    items.flatMap((m) => (m.kind === "group" ? [m, ...groups(m.members)] : []));
  const oldGroups = groups(r.oldItems).filter((g) => g.kind === "group");
  const newGroups = groups(r.newItems).filter((g) => g.kind === "group");
  const typeNames = [
    ...r.moves.flatMap((m) => [...m.old.types, ...m.new.types]),
    ...[...oldGroups, ...newGroups].flatMap((g) => (g.kind === "group" ? [g.typeName] : [])),
  ];
  const named = (m: Member): string => ("name" in m ? m.name : "");
  const headline =
    newGroups.length === 1 && oldGroups.length <= 1
      ? containerText(subject, [...r.moves[0].new.container.slice(0, -1), named(newGroups[0])])
      : oldGroups.length === 1
        ? containerText(subject, [...r.moves[0].old.container.slice(0, -1), named(oldGroups[0])])
        : `${containerText(subject, r.moves[0].new.container)}.${r.moves[0].new.key}`;
  // Moves grouped by where from and where to.
  const routes = new Map<string, string[]>();
  for (const m of r.moves) {
    const route = `from ${containerText(subject, m.old.container)} to ${containerText(subject, m.new.container)}`;
    routes.set(route, [...(routes.get(route) ?? []), m.new.key]);
  }
  const notes = [
    ...oldGroups.map((g) => `group ${named(g)} removed`),
    ...newGroups.map((g) => `group ${named(g)} added`),
  ];
  const description = `${[...routes].map(([route, keys]) => `${keys.join(", ")} moved ${route}`).join("; ")}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
  const first = r.moves[0];
  list.add(
    {
      subject: headline,
      owners: [owners.old, owners.new, ...typeNames],
      loci: loci === undefined ? undefined : [...loci, ...typeNames],
      old: (r.oldItems[0] ?? first.old.member).loc,
      new: (r.newItems[0] ?? first.new.member).loc,
      positional: top.sides.positional === true,
    },
    {
      kind: "members-regrouped",
      samePlaces: r.moves.every(keepsPlace),
      sameOnOldData: r.moves.every((m) => samePresence(m, "old")),
      sameOnNewData: r.moves.every((m) => samePresence(m, "new")),
      moved: r.moves.map((m) => m.new.key),
    },
    description,
  );
  const placeOfLeaf = (p: Placed, old: Placed | undefined, neu: Placed | undefined): Place => ({
    subject: `${containerText(subject, p.container)}.${p.key}`,
    owners: [owners.old, owners.new, ...typeNames],
    loci: loci === undefined ? undefined : [...loci, ...typeNames],
    old: old?.member.loc,
    new: neu?.member.loc,
    positional: top.sides.positional === true,
  });
  for (const m of r.moves) {
    const place = placeOfLeaf(m.new, m.old, m.new);
    list.doc(place, m.old.member, m.new.member);
    compareMember(list, record, place, m.old.member, m.new.member, () => undefined);
  }
  for (const p of r.onlyOld)
    list.add(
      placeOfLeaf(p, p, undefined),
      {
        kind: "member-removed",
        facts: memberFacts(p.member, record, record.oldOwn, record.oldOverNew),
      },
      `${memberText(p.member)} removed`,
    );
  for (const p of r.onlyNew)
    list.add(
      placeOfLeaf(p, undefined, p),
      {
        kind: "member-added",
        facts: memberFacts(p.member, record, record.newOwn, record.newOverOld),
      },
      `${memberText(p.member)} added`,
    );
}

/** The conditions together, or undefined for none. */
function conjunction(conds: readonly Expr[]): Expr | undefined {
  return conds.reduce<Expr | undefined>(
    (all, c) => (all === undefined ? c : { kind: "binary", op: "&&", left: all, right: c, col: 0 }),
    undefined,
  );
}

/** The keys of every member outside groups, groups looked into, in layout order. */
function flatKeys(members: readonly Member[]): string[] {
  return members.flatMap((m, i) =>
    m.kind === "group" ? flatKeys(m.members) : [memberKey(members, i)],
  );
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
      // A nested word is one property, its object, left out only when absent.
      return m.nested === undefined
        ? m.flags.every((f) => f.defaultFalse)
        : m.cond !== undefined && m.nested.absent === "omit";
    case "bitfield":
      return false;
    default:
      return true;
  }
}
