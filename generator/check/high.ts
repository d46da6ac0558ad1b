/**
 * Values stored in two halves far apart, as ext4 stores its 64-bit block
 * counts (`s_blocks_count_lo` at byte 4, `s_blocks_count_hi` at byte 0x150):
 *
 *   - { name: blocks_count, type: u32 }
 *   ...
 *   - { name: blocks_count_hi, type: u32, high: blocks_count }
 *
 * The earlier field's property becomes the whole value (a bigint when it is
 * over 32 bits wide), and the later member holds its high bits; it has no
 * property of its own. The low field must be an unsigned integer of at most
 * 32 bits in the same record or group, always stored in sequence.
 */
import type { Located } from "../load.js";
import type { IntType, Member, ValueField } from "../model.js";
import { fieldEndian, type Context, type MemberInfo } from "./context.js";
import { parseIntType } from "./int.js";
import type { MapNode } from "./reader.js";

/** The names `high:` members of this list complete, by the name of each high member. */
export function highTargets(ctx: Context, items: readonly Located[]): Map<string, string> {
  const targets = new Map<string, string>();
  for (const item of items) {
    if (item.kind !== "map") continue;
    const low = ctx.reader.get(item, "high");
    const name = ctx.reader.get(item, "name");
    if (low?.kind === "scalar" && name?.kind === "scalar")
      targets.set(String(low.value), String(name.value));
  }
  return targets;
}

/** Why a field cannot be a low half, or undefined if it can. */
function notALowHalf(m: ValueField): string | undefined {
  if (m.type.kind !== "int" || m.type.signed || m.type.bits === 64)
    return "an unsigned integer of at most 32 bits (u8, u16 or u32)";
  if (m.cond !== undefined) return "always stored (no `if`)";
  if (m.at !== undefined) return "stored in sequence (no `at`)";
  if (m.valid.length > 0)
    return "without `valid` checks (its value is whole only at the high half)";
  if (m.default !== undefined) return "without a `default`";
  if (m.bits.length > 0) return "without `bits`";
  return undefined;
}

export function checkHigh(
  ctx: Context,
  node: MapNode,
  { name, doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const typeNode = reader.required(node, "type", "a high half");
  const typeText = reader.string(typeNode, "type");
  const type = typeText === undefined ? undefined : parseIntType(typeText, fieldEndian(ctx, node));
  if (typeText !== undefined && (type === undefined || type.signed || type.bits === 64))
    reader.report(typeNode!.at, `a high half is u8, u16 or u32, not "${typeText}"`);
  ctx.scope.set(name, {
    type: "number",
    unavailable: "it is the high half of a value; use the value by its name",
  });
  const lowNode = reader.get(node, "high")!;
  const lowName = reader.string(lowNode, "high");
  if (lowName === undefined) return undefined;
  const low = ctx.siblings.find((m): m is ValueField => m.kind === "value" && m.name === lowName);
  if (low === undefined) {
    reader.report(
      lowNode.at,
      `high: "${lowName}" is not an earlier field of this ${ctx.depth > 0 ? "group" : "record"}; a high half completes a plain field written before it, at the same level`,
    );
    return undefined;
  }
  const why = notALowHalf(low);
  if (why !== undefined) {
    reader.report(lowNode.at, `high: "${lowName}" must be ${why} to have a high half`);
    return undefined;
  }
  if (low.split !== undefined) {
    reader.report(lowNode.at, `"${lowName}" already has a high half, ${low.split.high}`);
    return undefined;
  }
  const lo = low.type as IntType;
  if (type === undefined || type.signed || type.bits === 64) {
    // Reported above; the low half alone stays usable, so nothing else is blamed.
    ctx.scope.set(lowName, { type: "number" });
    return undefined;
  }
  const bits = lo.bits + type.bits;
  const whole: IntType = {
    kind: "int",
    bits: bits <= 16 ? 16 : bits <= 32 ? 32 : 64,
    signed: false,
    endian: lo.endian,
  };
  if (low.none !== undefined && (low.none < 0n || low.none >= 1n << BigInt(bits))) {
    reader.report(
      lowNode.at,
      `"${lowName}" has none: ${low.none}, which is not a value of its ${bits} bits (0 to 2^${bits} - 1)`,
    );
    return undefined;
  }
  // The value is whole from here on: later expressions may use it.
  low.split = { lo, high: name, bits };
  low.type = whole;
  ctx.scope.set(lowName, {
    type: whole.bits === 64 ? "bigint" : "number",
    ...(low.none === undefined
      ? {}
      : { unavailable: "it is absent when it holds its `none` value" }),
  });
  return { kind: "high", name, type, low, shift: lo.bits, doc, loc };
}
