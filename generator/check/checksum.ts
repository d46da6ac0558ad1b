/**
 * Checksums over the whole record or group they are in (`checksum: crc32c`),
 * or over the bytes before the field (`covers: before`), computed on write
 * and verified on read; stored as a binary integer, or as text (`text:
 * octal`, tar's header checksum).
 */
import type { ChecksumAlgorithm, Member } from "../model.js";
import { declare, intField, type Context, type MemberInfo } from "./context.js";
import { checkExpr } from "./scope.js";
import type { MapNode } from "./reader.js";
import { isTextNumber, numberText } from "./text-number.js";

const CHECKSUMS = ["crc32", "crc32c", "crc32c-raw", "ones-complement-sum", "byte-sum"] as const;
const COVERS = ["record", "before"] as const;

export function checkChecksum(
  ctx: Context,
  node: MapNode,
  { name, doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  // After a byte_order member it is stored in the order chosen at run time.
  const type = intField(ctx, node, "a checksum");
  const algoNode = reader.get(node, "checksum")!;
  const algorithm = reader.string(algoNode, "checksum");
  const asText = isTextNumber(ctx, node);
  if (algorithm !== undefined && !(CHECKSUMS as readonly string[]).includes(algorithm))
    reader.report(
      algoNode.at,
      `checksum must be one of ${CHECKSUMS.join(", ")}, got "${algorithm}"`,
    );
  else if (type !== undefined && (type.bits !== 32 || type.signed))
    reader.report(reader.get(node, "type")!.at, `a ${algorithm} checksum is a u32`);
  if (!asText)
    for (const key of ["size", "terminator"])
      if (reader.get(node, key) !== undefined)
        reader.report(reader.get(node, key)!.at, `"${key}" applies to a checksum stored as text`);
  const text = asText && type !== undefined ? numberText(ctx, node, type) : undefined;
  if (ctx.inPayload)
    reader.report(node.at, "a checksum covers its record or group, so it cannot be in a variant");
  const coversNode = reader.get(node, "covers");
  const covers = reader.string(coversNode, "covers") ?? "record";
  if (!(COVERS as readonly string[]).includes(covers))
    reader.report(coversNode!.at, `covers must be one of ${COVERS.join(", ")}, got "${covers}"`);
  const whenNode = reader.get(node, "when");
  const whenText = reader.string(whenNode, "when");
  const when =
    whenText === undefined || whenNode === undefined
      ? undefined
      : checkExpr(reader, whenText, whenNode, ctx.scope, "boolean", ctx.allNames, ctx.table);
  if (ctx.depth > 0 && (covers === "before" || whenNode !== undefined))
    reader.report(
      (whenNode ?? coversNode)!.at,
      "covers: before and when are for a record's top-level checksums, not a group's",
    );
  if (asText && whenNode !== undefined)
    reader.report(whenNode.at, "when applies to a checksum stored as a binary integer");
  const keepNode = reader.get(node, "keep");
  const keep = reader.string(keepNode, "keep");
  if (keep !== undefined && keepNode !== undefined) {
    if (whenNode === undefined)
      reader.report(
        keepNode.at,
        "keep on a checksum keeps its bytes while it is not a checksum, so it needs `when`",
      );
    else declare(ctx, keep, keepNode.at);
  }
  if (type === undefined || algorithm === undefined || (asText && text === undefined))
    return undefined;
  ctx.scope.set(name, {
    type: "number",
    unavailable: "a checksum is computed over its whole record or group, after everything else",
  });
  return {
    kind: "checksum",
    name,
    type,
    algorithm: algorithm as ChecksumAlgorithm,
    covers: covers === "before" ? "before" : "record",
    when,
    keep: whenNode === undefined ? undefined : keep,
    text,
    doc,
    loc,
  };
}
