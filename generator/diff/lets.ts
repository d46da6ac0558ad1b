/**
 * Lets as the diff sees them: through what uses them. A let is not stored
 * and is not a property, so what it changes is the layout of the members
 * whose expressions use it. Each use is replaced by the let's expression
 * (itself with earlier lets replaced) and the let is dropped, so a changed
 * let is reported as the conditions, sizes, counts and positions it
 * changes, judged as those are; and a schema that names an expression with
 * a let, or writes it out again, has the same layout either way.
 */
import type { Expr } from "../expr.js";
import { caseLets, caseLetValue, type Member, type Model, type SwitchMember } from "../model.js";

/** Keys of model objects that lead to other types or to locations, not to a record's own expressions. */
const ELSEWHERE = new Set(["record", "element", "union", "enum", "loc"]);

/** The model with its lets written into their uses (a copy; `model` is left as it is). */
export function inlineLets(model: Model): Model {
  const hasLets = model.types.some(
    (t) =>
      t.kind === "record" &&
      t.members.some((m) => m.kind === "let" || (m.kind === "switch" && caseLets(m).length > 0)),
  );
  if (!hasLets) return model;
  // A structured clone keeps the types' references to each other (root among them).
  const copy = structuredClone(model);
  for (const def of copy.types) if (def.kind === "record") def.members = inlineMembers(def.members);
  return copy;
}

function inlineMembers(members: readonly Member[]): Member[] {
  const lets = new Map<string, Expr>();
  const seen = new Set<object>();
  const result: Member[] = [];
  for (const m of members) {
    if (m.kind === "let") lets.set(m.name, replaceRefs(m.value, lets, seen) as Expr);
    else if (m.kind === "switch") result.push(inlineSwitch(m, lets, seen));
    else result.push(replaceRefs(m, lets, seen) as Member);
  }
  return result;
}

/**
 * A switch with its cases' lets written into their uses: in each case, the
 * members after a let use its expression; after the switch, a let every case
 * gives is the choice over the cases of what each gives (added to `lets`).
 */
function inlineSwitch(m: SwitchMember, lets: Map<string, Expr>, seen: Set<object>): SwitchMember {
  for (const k of m.cases) {
    const inCase = new Map(lets);
    k.members = k.members.map((x) => {
      if (x.kind !== "let") return replaceRefs(x, inCase, seen) as Member;
      x.value = replaceRefs(x.value, inCase, seen) as Expr;
      inCase.set(x.name, x.value);
      return x;
    });
  }
  const inlined = replaceRefs(m, lets, seen) as SwitchMember;
  for (const l of caseLets(inlined)) lets.set(l.name, caseLetValue(inlined, l.name));
  for (const k of inlined.cases) k.members = k.members.filter((x) => x.kind !== "let");
  return inlined;
}

/** Replaces, in place, each name of a let under `node` by the let's expression. */
function replaceRefs(node: unknown, lets: ReadonlyMap<string, Expr>, seen: Set<object>): unknown {
  if (typeof node !== "object" || node === null) return node;
  const o = node as Record<string, unknown>;
  if (o.kind === "ref" && typeof o.name === "string") return lets.get(o.name) ?? node;
  if (seen.has(node)) return node;
  seen.add(node);
  if (Array.isArray(node)) {
    node.forEach((x, i) => (node[i] = replaceRefs(x, lets, seen)));
    return node;
  }
  for (const [key, value] of Object.entries(o))
    if (!ELSEWHERE.has(key)) o[key] = replaceRefs(value, lets, seen);
  return node;
}
