/**
 * Padding: zero bytes, checked on read and written on write. A number of
 * bytes, or an expression over earlier fields (zeros up to a table's fixed
 * size); conditional padding follows a field with the same `if`. `keep: NAME`
 * keeps non-zero bytes read there in an optional property (see keep.ts).
 */
import type { Member } from "../model.js";
import { condition, declare, sizeExpression, type Context, type MemberInfo } from "./context.js";
import { paddingKeep } from "./keep.js";
import type { MapNode } from "./reader.js";

export function checkPadding(
  ctx: Context,
  node: MapNode,
  { doc, loc, isLast }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const sizeNode = reader.get(node, "padding")!;
  const nameNode = reader.get(node, "name");
  if (sizeNode.kind === "scalar" && sizeNode.value === "rest")
    return restPadding(ctx, node, doc, loc, isLast);
  if (nameNode !== undefined)
    reader.report(nameNode.at, "only padding to the end (`padding: rest`) has a name");
  // A number of bytes, or an expression over earlier fields (zeros up to a table's fixed size).
  const isExpr = sizeNode.kind === "scalar" && typeof sizeNode.value === "string";
  const sizeExpr = isExpr ? sizeExpression(ctx, sizeNode, "padding") : undefined;
  const size = isExpr ? undefined : reader.integer(sizeNode, "padding");
  if (size !== undefined && (size < 1n || size > 65536n))
    reader.report(node.at, "padding must be between 1 and 65536 bytes");
  const cond = condition(ctx, node);
  if (isExpr && cond !== undefined)
    reader.report(
      node.at,
      "padding of a computed size cannot have an `if`; make its size 0 instead",
    );
  const ifText = reader.string(reader.get(node, "if"), "if");
  const before = ctx.previous;
  const follows =
    cond === undefined
      ? undefined
      : before?.kind === "value" && before.cond !== undefined && before.condText === ifText
        ? before.name
        : undefined;
  if (cond !== undefined && follows === undefined) {
    reader.report(
      node.at,
      "conditional padding must follow a field with the same `if`; it is present exactly when that field is",
    );
  }
  const keep = paddingKeep(reader, node, !isExpr, (name, at) => declare(ctx, name, at));
  return {
    kind: "padding",
    size: Number(size ?? 0n),
    sizeExpr,
    cond,
    follows,
    keep,
    rest: undefined,
    doc,
    loc,
  };
}

/**
 * `padding: rest`: zero bytes to the end of the input (or of the enclosing
 * payload), how many in the property `name`. It must be the last member of
 * its record, at the top level.
 */
function restPadding(
  ctx: Context,
  node: MapNode,
  doc: string | undefined,
  loc: MemberInfo["loc"],
  isLast: boolean,
): Member | undefined {
  const { reader } = ctx;
  const nameNode = reader.required(node, "name", "padding to the end");
  const name = reader.string(nameNode, "name");
  for (const key of ["if", "keep"])
    if (reader.get(node, key) !== undefined)
      reader.report(reader.get(node, key)!.at, `padding to the end cannot have \`${key}\``);
  if (ctx.depth > 0 || ctx.inPayload || !isLast)
    reader.report(
      node.at,
      "padding to the end must be the last member of a record, at its top level",
    );
  if (name === undefined || nameNode === undefined) return undefined;
  declare(ctx, name, nameNode.at);
  return {
    kind: "padding",
    size: 0,
    sizeExpr: undefined,
    cond: undefined,
    follows: undefined,
    keep: undefined,
    rest: name,
    doc,
    loc,
  };
}
