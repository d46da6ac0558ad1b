/** Constants (magic numbers): an integer checked on read and written on write. */
import type { Member } from "../model.js";
import { intField, type Context, type MemberInfo } from "./context.js";
import { fitsInt, intName } from "./int.js";
import type { MapNode } from "./reader.js";

export function checkConstant(
  ctx: Context,
  node: MapNode,
  { name, doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  // After a byte_order member it takes the order chosen at run time.
  const type = intField(ctx, node, "a constant");
  const value = reader.integer(reader.get(node, "const"), "const");
  if (type === undefined || value === undefined) return undefined;
  if (!fitsInt(value, type))
    reader.report(reader.get(node, "const")!.at, `${value} does not fit in ${intName(type)}`);
  ctx.scope.set(name, { type: type.bits === 64 ? "bigint" : "number" });
  return { kind: "const", name, type, value, doc, loc };
}
