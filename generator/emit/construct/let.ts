/**
 * Lets (`let: cluster_count`, `value: EXPR`): a value worked out from
 * earlier fields, neither stored nor a property. `read` works it out once,
 * into a local, where it stands among the members; `write` and `sizeof`
 * have the whole value, so there a use of the let is its expression over
 * the value's fields, worked out the same way.
 */
import { exprText } from "../../expr.js";
import type { LetMember, Member } from "../../model.js";
import { emitExpr, type ExprRef, type Resolve } from "../expr.js";
import type { SequenceReader } from "../read.js";

/** Keys of model objects that lead to other types or to locations, not to the record's expressions. */
const ELSEWHERE = new Set(["record", "element", "union", "enum", "loc"]);

/** Does any expression under `node` name `name`? */
function mentions(node: unknown, name: string): boolean {
  if (typeof node !== "object" || node === null) return false;
  if (Array.isArray(node)) return node.some((x) => mentions(x, name));
  const o = node as Record<string, unknown>;
  if (o.kind === "ref" && o.name === name) return true;
  return Object.entries(o).some(([key, value]) => !ELSEWHERE.has(key) && mentions(value, name));
}

/**
 * Is the let used: by a member's expression, or by a later let that is? A
 * let nothing uses is not worked out by `read` (its local would be unused).
 */
function isUsed(m: LetMember, members: readonly Member[]): boolean {
  const after = members.slice(members.indexOf(m) + 1);
  return after.some((x) =>
    x.kind === "let" ? mentions(x.value, m.name) && isUsed(x, members) : mentions(x, m.name),
  );
}

/** Reads a let: its expression over the locals read so far, into a local of its own. */
export function readLet(r: SequenceReader, m: LetMember, members: readonly Member[]): void {
  // Traced, it is shown with the members, so it is worked out even when unused.
  if (!r.trace && !isUsed(m, members)) return;
  const local = r.locals.field(m.name);
  r.code.line(`const ${local} = ${emitExpr(m.value, r.resolve)};`);
  r.lets.set(m.name, { code: local, bigint: m.bigint, derived: true });
}

/** A use of the let where the whole value is at hand (write, sizeof): its expression, inline. */
export function letRef(m: LetMember, resolve: Resolve): ExprRef {
  return { code: `(${emitExpr(m.value, resolve)})`, bigint: m.bigint, derived: true };
}

/** What a let holds, for the layout page and `layout` traces. */
export function letMeaning(m: LetMember): string {
  return `${m.bigint ? "bigint" : "number"}, not stored: \`${exprText(m.value)}\``;
}
