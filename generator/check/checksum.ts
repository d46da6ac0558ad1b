/**
 * Checksums over the whole record or group they are in (`checksum: crc32c`),
 * computed on write and verified on read; stored as a binary integer, or as
 * text (`text: octal`, tar's header checksum).
 */
import type { ChecksumAlgorithm, Member } from "../model.js";
import { intField, type Context, type MemberInfo } from "./context.js";
import type { MapNode } from "./reader.js";
import { isTextNumber, numberText } from "./text-number.js";

const CHECKSUMS = ["crc32", "crc32c", "ones-complement-sum", "byte-sum"] as const;

export function checkChecksum(
  ctx: Context,
  node: MapNode,
  { name, doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
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
    text,
    doc,
    loc,
  };
}
