/**
 * `let: NAME` with `value: EXPR`: a value worked out from earlier fields
 * (FAT's cluster count from seven BPB fields), not stored and not a
 * property. Later expressions use NAME like an earlier field, so an
 * expression written once decides several layouts.
 */
import type { Member } from "../model.js";
import { declare, type Context, type MemberInfo } from "./context.js";
import type { MapNode } from "./reader.js";
import { checkExpr, type ExprType } from "./scope.js";

export function checkLet(
  ctx: Context,
  node: MapNode,
  { doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const nameNode = reader.get(node, "let")!;
  const name = reader.string(nameNode, "let");
  if (name === undefined) return undefined;
  // Its name is a field's: a local of the generated functions, beside the properties.
  declare(ctx, name, nameNode.at);
  if (ctx.depth > 0 && !(ctx.inCase === true && ctx.depth === 1)) {
    reader.report(node.at, "a let is a member of a record or of a switch case, not of a group");
    return undefined;
  }
  const valueNode = reader.required(node, "value", "a let");
  const text = reader.string(valueNode, "value");
  if (text === undefined || valueNode === undefined) return undefined;
  const typed: { type?: ExprType } = {};
  const own = !ctx.scope.has(name);
  if (own) ctx.scope.set(name, { type: "number", unavailable: "a let cannot use itself" });
  const value = checkExpr(
    reader,
    text,
    valueNode,
    ctx.scope,
    "offset",
    ctx.allNames,
    ctx.table,
    typed,
  );
  const bigint = typed.type === "bigint";
  // Declared even when its expression is wrong, so later uses are not reported too.
  if (own) ctx.scope.set(name, { type: bigint ? "bigint" : "number" });
  if (value === undefined) return undefined;
  return { kind: "let", name, value, bigint, doc, loc };
}
