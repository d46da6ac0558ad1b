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
  { doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const sizeNode = reader.get(node, "padding")!;
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
    doc,
    loc,
  };
}
