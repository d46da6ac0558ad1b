/**
 * What changed inside a switch, case by case, for the message of its one
 * change: the selector, cases added or removed, and in each case the
 * members added, removed or changed. The verdicts stay those of one change
 * of the switch's type (a switch is not yet compared member by member).
 */
import type { Member, SwitchCase, SwitchMember } from "../model.js";
import { memberShape, sameNames } from "./shape.js";

/** `: in case 1, note changed` for a switch, what changed in it; nothing for a byte order. */
export function switchDetails(o: Member, n: Member): string {
  if (o.kind !== "switch" || n.kind !== "switch") return "";
  const changes = switchCaseChanges(o, n);
  return changes.length === 0 ? "" : `: ${changes.join("; ")}`;
}

/** `in case 1, note changed; in the default case, more added`, or nothing to say. */
function switchCaseChanges(o: SwitchMember, n: SwitchMember): string[] {
  const out: string[] = [];
  if (o.onText !== n.onText) out.push(`the selector ${o.onText} → ${n.onText}`);
  const key = (k: SwitchCase): string | number => k.when ?? "default";
  const label = (k: SwitchCase): string =>
    k.when === undefined ? "the default case" : `case ${k.whenName}`;
  const newCases = new Map(n.cases.map((k) => [key(k), k]));
  const oldKeys = new Set(o.cases.map(key));
  for (const k of o.cases) {
    const m = newCases.get(key(k));
    if (m === undefined) {
      out.push(`${label(k)} removed`);
      continue;
    }
    const parts = memberChanges(k.members, m.members);
    if (parts.length > 0) out.push(`in ${label(k)}, ${parts.join(", ")}`);
  }
  for (const k of n.cases) if (!oldKeys.has(key(k))) out.push(`${label(k)} added`);
  return out;
}

/** A case's member as its case holds it: a field only some cases have carries their test, which the case says. */
function inCase(m: Member): Member {
  return m.kind === "value" ? { ...m, cond: undefined } : m;
}

function memberChanges(oldMembers: readonly Member[], newMembers: readonly Member[]): string[] {
  const olds = oldMembers.map(inCase);
  const news = newMembers.map(inCase);
  const named = (list: readonly Member[]): Map<string, Member> =>
    new Map(list.flatMap((x) => ("name" in x ? [[x.name, x] as const] : [])));
  const before = named(olds);
  const after = named(news);
  const parts: string[] = [];
  for (const [name, x] of before) {
    const y = after.get(name);
    if (y === undefined) parts.push(`${name} removed`);
    else if (memberShape(x, sameNames) !== memberShape(y, sameNames)) parts.push(`${name} changed`);
  }
  for (const name of after.keys()) if (!before.has(name)) parts.push(`${name} added`);
  // Padding has no name: a change there, or in the order, is a change of the layout.
  const shapes = (list: readonly Member[]): string =>
    list.map((x) => memberShape(x, sameNames)).join("\n");
  if (parts.length === 0 && shapes(olds) !== shapes(news)) parts.push("its layout changed");
  return parts;
}
