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
import type { Located } from "../load.js";
import type { ComputedField, ComputedOf, Member } from "../model.js";
import { isPositioned } from "../model.js";
import { intField, validations, type Context, type MemberInfo } from "./context.js";
import type { MapNode } from "./reader.js";
import type { Reader } from "./reader.js";

/** The parts of `offset(F)`, or a message saying what is wrong with the text. */
export function parseComputed(text: string): { of: ComputedOf; target: string } | string {
  const m = /^\s*(offset|end|size|count)\(\s*([a-z_][a-z0-9_]*)\s*\)\s*$/.exec(text);
  if (m === null)
    return `a computed value must be offset(FIELD), end(FIELD), size(FIELD) or count(FIELD) of a later field; got "${text}"`;
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
  if (t.kind === "array" && t.bytes !== undefined) {
    // Its size is the sum of its records' sizes.
    if (!governs(t.bytes)) return `"${field.target}" must have \`size: ${field.name}\``;
    // Packed in blocks, its size may end in zeros a sum would not count.
    if (t.block !== undefined)
      return `"${field.target}" is packed in blocks, so its size is stored as given, not computed`;
    return undefined;
  }
  return `"${field.target}" must be bytes, text or an array of records with \`size: ${field.name}\``;
}

export function checkComputed(
  ctx: Context,
  node: MapNode,
  { name, doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const type = intField(ctx, node, "a computed field");
  const valueNode = reader.get(node, "value")!;
  const text = reader.string(valueNode, "value");
  const parsed = text === undefined ? undefined : parseComputed(text);
  if (typeof parsed === "string") reader.report(valueNode.at, parsed);
  if (type === undefined || parsed === undefined || typeof parsed === "string") return undefined;
  if (type.bits === 64)
    reader.report(node.at, `a computed ${parsed.of} must be at most 32 bits wide`);
  if (parsed.of === "offset" || parsed.of === "end")
    ctx.offsetTargets.push({
      of: parsed.of,
      name: parsed.target,
      at: valueNode.at,
      from: ctx.topIndex,
      inGroup: ctx.depth > 0,
      endsTopGroup: ctx.endsTopGroup,
    });
  ctx.scope.set(name, { type: "number" });
  const field: ComputedField = {
    kind: "computed",
    name,
    type,
    of: parsed.of,
    target: parsed.target,
    valid: validations(ctx, node),
    doc,
    loc,
  };
  if (parsed.of === "size" || parsed.of === "count")
    ctx.lengthTargets.push({ field, at: valueNode.at });
  return field;
}

/** Checks each `offset(F)` and `end(F)` of a record once all its members are known: F is a later top-level member. */
export function checkOffsetTargets(
  ctx: Context,
  items: Located[],
  members: readonly Member[],
): void {
  const { reader } = ctx;
  for (const target of ctx.offsetTargets) {
    const index = items.findIndex((item) => nameOf(item) === target.name);
    const call = `${target.of}(${target.name})`;
    const member = members.find((m) => "name" in m && m.kind !== "let" && m.name === target.name);
    // A let is no place in the layout, so it has no offset.
    if (member === undefined) {
      reader.report(
        target.at,
        `${call}: "${target.name}" is not a member of this record at its top level`,
      );
    } else if (index <= target.from) {
      reader.report(target.at, `${call}: "${target.name}" must come after this field`);
    } else if (
      target.of === "end" &&
      (isPositioned(member) || ("cond" in member && member.cond !== undefined))
    ) {
      reader.report(
        target.at,
        `${call}: "${target.name}" must be stored in sequence, always: its end is where the next member starts`,
      );
    } else if (target.of === "end" && target.inGroup) {
      reader.report(
        target.at,
        `${call}: a record's end is worked out at its top level, not in a group`,
      );
    } else if (target.inGroup && index !== target.from + 1) {
      reader.report(
        target.at,
        `${call}: from inside a group, "${target.name}" must be the member right after the group`,
      );
    } else if (target.inGroup && !target.endsTopGroup) {
      reader.report(
        target.at,
        `${call}: a group inside a group that holds offset(...) must be the last member of its group`,
      );
    }
  }
}

function nameOf(item: Located): unknown {
  if (item.kind !== "map") return undefined;
  const name = item.entries.find((e) => e.key === "name")?.value;
  return name?.kind === "scalar" ? name.value : undefined;
}
