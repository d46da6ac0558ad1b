/** Magic strings (`magic: "conectix"`): bytes checked on read and written on write. */
import type { Member } from "../model.js";
import type { Context, MemberInfo } from "./context.js";
import type { MapNode } from "./reader.js";

export function checkMagic(
  ctx: Context,
  node: MapNode,
  { name, doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const valueNode = reader.get(node, "magic")!;
  const value = reader.string(valueNode, "magic");
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > 65536 || !/^[\x00-\xff]*$/.test(value)) {
    reader.report(
      valueNode.at,
      "a magic string holds 1 to 65536 bytes, each a character U+0000 to U+00FF",
    );
    return undefined;
  }
  return { kind: "magic", name, value, doc, loc };
}
