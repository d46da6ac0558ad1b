/** Groups: members stored inline, gathered into one property, optionally behind an `if` or at an `at`. */
import type { Member } from "../model.js";
import { absentStyle, condition, position, type Context, type MemberInfo } from "./context.js";
import { badTypeName } from "./names.js";
import type { MapNode } from "./reader.js";

export function checkGroup(
  ctx: Context,
  node: MapNode,
  { name, doc, loc, isLast }: MemberInfo,
): Member {
  const { reader } = ctx;
  const typeNode = reader.get(node, "group");
  const given = reader.string(typeNode, "group");
  const typeName = given ?? "Group";
  if (typeNode !== undefined && given !== undefined) {
    // The group's type becomes an interface beside the schema's types.
    const previous = ctx.groupNames.get(given);
    const bad =
      badTypeName(given) ??
      (ctx.table.has(given)
        ? `"${given}" is already the name of a type; a group needs a type name of its own`
        : previous !== undefined
          ? `"${given}" already names the group at line ${previous.line}`
          : undefined);
    if (bad !== undefined) reader.report(typeNode.at, bad);
    else ctx.groupNames.set(given, typeNode.at);
  }
  const cond = condition(ctx, node);
  const at = position(ctx, node);
  const before = new Set(ctx.scope.keys());
  const outer = ctx.endsTopGroup;
  ctx.endsTopGroup = ctx.depth === 0 || (outer && isLast);
  ctx.depth++;
  const owner = ctx.owner;
  ctx.owner = typeName;
  const members = ctx.sequence(reader.seq(reader.required(node, "fields", "a group"), "fields"));
  ctx.owner = owner;
  ctx.depth--;
  ctx.endsTopGroup = outer;
  if (cond !== undefined) {
    for (const key of ctx.scope.keys()) {
      if (!before.has(key))
        ctx.scope.set(key, {
          ...ctx.scope.get(key)!,
          unavailable: `it is in the group "${name}", which is not always present`,
        });
    }
  }
  return {
    kind: "group",
    name,
    typeName,
    cond,
    at,
    members,
    absent: absentStyle(ctx, node, cond !== undefined),
    doc,
    loc,
  };
}
