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
import type { Member, Model } from "../model.js";

/** Keys of model objects that lead to other types or to locations, not to a record's own expressions. */
const ELSEWHERE = new Set(["record", "element", "union", "enum", "loc"]);

/** The model with its lets written into their uses (a copy; `model` is left as it is). */
export function inlineLets(model: Model): Model {
  const hasLets = model.types.some(
    (t) => t.kind === "record" && t.members.some((m) => m.kind === "let"),
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
    else result.push(replaceRefs(m, lets, seen) as Member);
  }
  return result;
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
