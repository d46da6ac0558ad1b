/**
 * Members that changed groups: a field moved into a group or out of one, a
 * group split in two or two merged, a run of fields gathered into a new
 * group. Matching level by level sees these as members removed and added;
 * here the members left over on each side are looked into, and a member
 * of the same name on both sides is one member moved. Members and groups
 * linked by such moves form one regrouping, reported as one change, whose
 * data verdict rests on the bytes alone: where each moved member is stored
 * and under which condition.
 */
import { exprText, type Expr } from "../expr.js";
import type { Member } from "../model.js";
import type { Pair } from "./match.js";
import { memberKey } from "./shape.js";

/** A sequence of members matched level by level (see record-pair.ts). */
export interface Sequence {
  pairs: Pair<Member>[];
  groups: Map<Pair<Member>, Sequence>;
}

/** A member outside any group, or inside groups: its container's path and the conditions over it. */
export interface Placed {
  member: Member;
  /** Its key (name, or a made-up name for padding). */
  key: string;
  /** Names of the groups around it, outermost first (empty at the top level). */
  container: string[];
  /** The interfaces of those groups. */
  types: string[];
  /** Conditions of the groups around it, and its own. */
  conds: Expr[];
}

export interface Move {
  old: Placed;
  new: Placed;
}

export interface Regroup {
  moves: Move[];
  /** Members left over (at any level) that take part: groups dissolved or formed, and moved members. */
  oldItems: Member[];
  newItems: Member[];
  /** Members inside those groups that the other revision lacks altogether. */
  onlyOld: Placed[];
  onlyNew: Placed[];
}

/** Every member the sequences' left-over items hold, each placed; `at` is the items' own container. */
function leftOvers(
  seq: Sequence,
  side: "old" | "new",
  at: { container: string[]; types: string[]; conds: Expr[] },
  into: { item: Member; placed: Placed[] }[],
): void {
  const members = seq.pairs.flatMap((p) => (p[side] === undefined ? [] : [p[side]]));
  seq.pairs.forEach((p) => {
    const mine = p[side];
    if (mine === undefined) return;
    const other = p[side === "old" ? "new" : "old"];
    const cond = "cond" in mine && mine.cond !== undefined ? [mine.cond] : [];
    if (other === undefined) {
      const placed: Placed[] = [];
      place(mine, memberKey(members, members.indexOf(mine)), at, placed);
      into.push({ item: mine, placed });
      return;
    }
    const inner = seq.groups.get(p);
    if (inner !== undefined && mine.kind === "group")
      leftOvers(
        inner,
        side,
        {
          container: [...at.container, mine.name],
          types: [...at.types, mine.typeName],
          conds: [...at.conds, ...cond],
        },
        into,
      );
  });
}

function place(
  m: Member,
  key: string,
  at: { container: string[]; types: string[]; conds: Expr[] },
  into: Placed[],
): void {
  const conds = "cond" in m && m.cond !== undefined ? [...at.conds, m.cond] : at.conds;
  if (m.kind !== "group") {
    into.push({ member: m, key, container: at.container, types: at.types, conds });
    return;
  }
  const inner = { container: [...at.container, m.name], types: [...at.types, m.typeName], conds };
  m.members.forEach((x, i) => place(x, memberKey(m.members, i), inner, into));
}

/** Finds the regroupings between two matched sequences. */
export function findRegroups(root: Sequence): Regroup[] {
  const olds: { item: Member; placed: Placed[] }[] = [];
  const news: { item: Member; placed: Placed[] }[] = [];
  const top = { container: [], types: [], conds: [] };
  leftOvers(root, "old", top, olds);
  leftOvers(root, "new", top, news);
  const byKey = (list: typeof olds): Map<string, { item: number; placed: Placed }> => {
    const map = new Map<string, { item: number; placed: Placed }>();
    list.forEach((x, item) =>
      x.placed.forEach((placed) => {
        // Padding is known by the named member before it, if there is one.
        if (!placed.key.startsWith("padding after ^")) map.set(placed.key, { item, placed });
      }),
    );
    return map;
  };
  const oldByKey = byKey(olds);
  const newByKey = byKey(news);

  // Items linked by a moved member belong to one regrouping: union-find over old (i) and new (n + i).
  const parent = [...olds.keys(), ...news.keys()].map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const moves: { move: Move; oldItem: number; newItem: number }[] = [];
  for (const [key, o] of oldByKey) {
    const n = newByKey.get(key);
    if (n === undefined) continue;
    moves.push({ move: { old: o.placed, new: n.placed }, oldItem: o.item, newItem: n.item });
    parent[find(o.item)] = find(olds.length + n.item);
  }
  const components = new Map<number, Regroup>();
  for (const m of moves) {
    const root = find(m.oldItem);
    let r = components.get(root);
    if (r === undefined) {
      r = { moves: [], oldItems: [], newItems: [], onlyOld: [], onlyNew: [] };
      components.set(root, r);
    }
    r.moves.push(m.move);
  }
  olds.forEach((x, i) => components.get(find(i))?.oldItems.push(x.item));
  news.forEach((x, i) => components.get(find(olds.length + i))?.newItems.push(x.item));
  for (const r of components.values()) {
    const movedOld = new Set(r.moves.map((m) => m.old.member));
    const movedNew = new Set(r.moves.map((m) => m.new.member));
    for (const x of olds)
      if (r.oldItems.includes(x.item))
        r.onlyOld.push(...x.placed.filter((p) => !movedOld.has(p.member)));
    for (const x of news)
      if (r.newItems.includes(x.item))
        r.onlyNew.push(...x.placed.filter((p) => !movedNew.has(p.member)));
  }
  return [...components.values()];
}

/** A container path as text: `Header` for the top, `Header.additional` inside a group. */
export function containerText(record: string, container: string[]): string {
  return [record, ...container].join(".");
}

/** The conditions over a placed member, as one expression text with names translated. */
export function condText(p: Placed, rename: (name: string) => string): string {
  return p.conds.map((c) => `(${exprText(renameRefs(c, rename))})`).join(" && ");
}

function renameRefs(e: Expr, rename: (name: string) => string): Expr {
  switch (e.kind) {
    case "num":
      return e;
    case "ref":
      return { ...e, name: rename(e.name) };
    case "not":
    case "neg":
      return { ...e, arg: renameRefs(e.arg, rename) };
    case "binary":
      return { ...e, left: renameRefs(e.left, rename), right: renameRefs(e.right, rename) };
    case "choose":
      return {
        ...e,
        cond: renameRefs(e.cond, rename),
        then: renameRefs(e.then, rename),
        else: renameRefs(e.else, rename),
      };
  }
}
