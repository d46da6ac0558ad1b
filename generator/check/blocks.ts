/**
 * `block: N` on an array sized in bytes: its records are packed into
 * N-byte blocks, none crossing from one block to the next, and each block's
 * bytes after its last record are zero (ISO 9660's directories fill
 * 2048-byte sectors this way). The element is checked later, once every
 * record has its members, to hold a member that is never all zero, so that
 * a block's zeros can never be read as a record.
 */
import type { Expr } from "../expr.js";
import type { Located } from "../load.js";
import type { RecordDef } from "../model.js";
import { sizeExpression, type Context } from "./context.js";

export function arrayBlock(ctx: Context, node: Located, element: RecordDef): Expr | undefined {
  const block = sizeExpression(ctx, node, "block");
  if (block?.kind === "num" && (block.value < 1n || block.value > 1n << 30n))
    ctx.reader.report(node.at, "a block takes 1 to 2^30 bytes");
  ctx.blocked.push({ element, at: node.at });
  return block;
}
