/** Checksums over the whole record (`checksum: crc32c`), computed on write and verified on read. */
import type { ChecksumAlgorithm, Member } from "../model.js";
import { intField, type Context, type MemberInfo } from "./context.js";
import type { MapNode } from "./reader.js";

const CHECKSUMS = ["crc32", "crc32c", "ones-complement-sum"] as const;

export function checkChecksum(
  ctx: Context,
  node: MapNode,
  { name, doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const type = intField(ctx, node, "a checksum", true);
  const algoNode = reader.get(node, "checksum")!;
  const algorithm = reader.string(algoNode, "checksum");
  if (algorithm !== undefined && !(CHECKSUMS as readonly string[]).includes(algorithm))
    reader.report(
      algoNode.at,
      `checksum must be one of ${CHECKSUMS.join(", ")}, got "${algorithm}"`,
    );
  else if (type !== undefined && (type.bits !== 32 || type.signed))
    reader.report(reader.get(node, "type")!.at, `a ${algorithm} checksum is a u32`);
  if (ctx.depth > 0 || ctx.inPayload)
    reader.report(
      node.at,
      "a checksum covers its record, so it must be a top-level member of a record",
    );
  if (type === undefined || algorithm === undefined) return undefined;
  ctx.scope.set(name, {
    type: "number",
    unavailable: "a checksum is computed over its whole record, after everything else",
  });
  return { kind: "checksum", name, type, algorithm: algorithm as ChecksumAlgorithm, doc, loc };
}
