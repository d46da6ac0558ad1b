/**
 * Computed fields: `value: offset(F)`, `value: size(F)` or `value: count(F)`.
 * The field is absent from the value; `write` works it out from the member
 * it names, so a length or an entry count can never disagree with what it
 * describes.
 *
 * - `offset(F)`: F is a later member at the record's top level (from inside a
 *   group, the member right after the group); `read` checks F starts there.
 * - `size(F)` / `count(F)`: F is a later sibling (same record or group), not
 *   conditional, whose `size:` or `count:` is exactly this field's name, so
 *   `read` needs no second check: the field is what sizes F. A text sized so
 *   fills its bytes exactly (no NUL padding), or it could not be written
 *   back as it was read.
 */
import type { Expr } from "../expr.js";
import type { Position } from "../load.js";
import type { ComputedField, ComputedOf, Member } from "../model.js";
import type { Reader } from "./reader.js";

/** The parts of `offset(F)`, or a message saying what is wrong with the text. */
export function parseComputed(text: string): { of: ComputedOf; target: string } | string {
  const m = /^\s*(offset|size|count)\(\s*([a-z_][a-z0-9_]*)\s*\)\s*$/.exec(text);
  if (m === null)
    return `a computed value must be offset(FIELD), size(FIELD) or count(FIELD) of a later field; got "${text}"`;
  return { of: m[1] as ComputedOf, target: m[2]! };
}

/** A `size(F)` or `count(F)` waiting for the rest of its member list. */
export interface PendingLength {
  field: ComputedField;
  at: Position;
}

/**
 * Checks each `size(F)` / `count(F)` among `members` (one member list) against
 * its target, which must be a later sibling sized or counted by the field.
 */
export function checkLengthTargets(
  reader: Reader,
  members: readonly Member[],
  pending: readonly PendingLength[],
): void {
  for (const { field, at } of pending) {
    const from = members.indexOf(field);
    if (from === -1) continue;
    const index = members.findIndex((m) => "name" in m && m.name === field.target);
    const call = `${field.of}(${field.target})`;
    const target = members[index];
    if (target === undefined) {
      reader.report(
        at,
        `${call}: "${field.target}" is not a member of the same record or group as ${field.name}`,
      );
      continue;
    }
    if (index < from) {
      reader.report(at, `${call}: "${field.target}" must come after this field`);
      continue;
    }
    const problem = lengthProblem(field, target);
    if (problem !== undefined) reader.report(at, `${call}: ${problem}`);
  }
}

/** Why `target` cannot be sized or counted by `field`, if it cannot. */
function lengthProblem(field: ComputedField, target: Member): string | undefined {
  if (target.kind !== "value")
    return `"${field.target}" is not a plain field, so it has no ${field.of}`;
  if (target.cond !== undefined)
    return `"${field.target}" is conditional, so its ${field.of} is not always there to compute`;
  const t = target.type;
  const governs = (e: Expr | undefined): boolean => e?.kind === "ref" && e.name === field.name;
  if (field.of === "count") {
    if (t.kind !== "array") return `"${field.target}" is not an array (Type[]) with a count`;
    if (!governs(t.count)) return `"${field.target}" must have \`count: ${field.name}\``;
    return undefined;
  }
  if (t.kind === "bytes" && t.size.kind === "expr") {
    if (!governs(t.size.expr)) return `"${field.target}" must have \`size: ${field.name}\``;
    return undefined;
  }
  if (t.kind === "text") {
    if (!governs(t.size)) return `"${field.target}" must have \`size: ${field.name}\``;
    return undefined;
  }
  return `"${field.target}" must be bytes or text with \`size: ${field.name}\``;
}
