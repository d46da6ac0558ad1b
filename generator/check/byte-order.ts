/**
 * `byte_order`: the byte order of the members after it, chosen at run time
 * by an expression over earlier fields or parameters (ELF's EI_DATA).
 */
import type { Member } from "../model.js";
import type { Context, MemberInfo } from "./context.js";
import type { MapNode } from "./reader.js";
import { checkExpr } from "./scope.js";
import { caseValue } from "./switch.js";

export function checkByteOrder(
  ctx: Context,
  node: MapNode,
  { doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const onNode = reader.get(node, "byte_order")!;
  const onText = reader.string(onNode, "byte_order");
  if (ctx.depth > 0) {
    reader.report(node.at, "byte_order is a top-level member of a record, not in a group or case");
    return undefined;
  }
  if (ctx.byteOrderAt !== undefined) {
    reader.report(
      node.at,
      `a record has at most one byte_order member (the first is at line ${ctx.byteOrderAt.line})`,
    );
    return undefined;
  }
  ctx.byteOrderAt = node.at;
  ctx.byteOrder = "chosen";
  if (onText === undefined) return undefined;
  const on = checkExpr(reader, onText, onNode, ctx.scope, "number", ctx.allNames, ctx.table);
  if (on === undefined) return undefined;
  const little = caseValue(
    ctx,
    on,
    reader.required(node, "little", "a byte_order member"),
    "little",
  );
  const big = caseValue(ctx, on, reader.required(node, "big", "a byte_order member"), "big");
  if (little === undefined || big === undefined) return undefined;
  if (little.value === big.value)
    reader.report(node.at, `little and big must differ; both are ${little.value}`);
  return {
    kind: "byteOrder",
    on,
    onText,
    little: little.value,
    big: big.value,
    littleName: little.name,
    bigName: big.name,
    doc,
    loc,
  };
}
