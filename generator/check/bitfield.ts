/**
 * Bit fields: a word of 1 to 8 bytes (`type: u16`, or u24, u40, u48, u56)
 * split into unsigned parts of any width, listed in storage order:
 *
 *   - { name: date, type: u16, endian: little, bitfield: [{ name: day, bits: 5 }, ...] }
 *
 * The parts must fill the word, so that every bit read is kept and written
 * back. Each part is a property, usable in later expressions.
 */
import type { BitPart, Member } from "../model.js";
import { declare, fieldEndian, validations, type Context, type MemberInfo } from "./context.js";
import type { MapNode } from "./reader.js";

const WORD = /^u(8|16|24|32|40|48|56|64)$/;

export function checkBitfield(
  ctx: Context,
  node: MapNode,
  { name, doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const typeNode = reader.required(node, "type", "a bit field word");
  const typeText = reader.string(typeNode, "type");
  const word = typeText === undefined ? undefined : WORD.exec(typeText);
  if (typeText !== undefined && (word === null || word === undefined))
    reader.report(
      typeNode!.at,
      `a bit field word is an unsigned integer of whole bytes (u8, u16, u24, u32, u40, u48, u56 or u64), not "${typeText}"`,
    );
  const wordBits = word ? Number(word[1]) : undefined;
  const endian = fieldEndian(ctx, node);
  // No `if` (the member's keys leave it out): a conditional word belongs in a group.
  ctx.scope.set(name, {
    type: "number",
    unavailable: "a bit field word's parts are separate properties; use them by name",
  });

  const listNode = reader.get(node, "bitfield")!;
  const parts: BitPart[] = [];
  let used = 0;
  const pending: { part: BitPart; node: MapNode }[] = [];
  for (const item of reader.seq(listNode, "bitfield")) {
    const m = reader.map(item, "a bit field part", ["name", "bits", "doc", "valid"]);
    if (m === undefined) continue;
    const nameNode = reader.required(m, "name", "a bit field part");
    const partName = reader.string(nameNode, "name");
    const bitsNode = reader.required(m, "bits", "a bit field part");
    const bits = reader.integer(bitsNode, "bits");
    if (partName === undefined || nameNode === undefined || bits === undefined) continue;
    declare(ctx, partName, nameNode.at);
    if (bits < 1n || bits > 64n) {
      reader.report(bitsNode!.at, `a part is 1 to 64 bits wide, not ${bits}`);
      continue;
    }
    const part: BitPart = {
      name: partName,
      bits: Number(bits),
      shift: 0,
      valid: [],
      doc: reader.string(reader.get(m, "doc"), "doc"),
      loc: reader.loc(m.at),
    };
    used += part.bits;
    parts.push(part);
    pending.push({ part, node: m });
  }
  if (parts.length === 0) reader.report(listNode.at, "a bit field needs at least one part");
  if (wordBits !== undefined && parts.length > 0 && used !== wordBits)
    reader.report(
      listNode.at,
      `the parts take ${used} of the word's ${wordBits} bits; they must fill it (name unused bits too, as a reserved part), so that every bit is kept`,
    );
  if (wordBits === undefined || used !== wordBits) return undefined;

  // Storage order: the first part starts in the first byte. In an order
  // chosen at run time the shifts are the little-endian ones (see BitfieldMember).
  let next = 0;
  for (const part of parts) {
    part.shift = endian === "big" ? wordBits - next - part.bits : next;
    next += part.bits;
  }
  // Each part is in scope for the checks of the parts after it, and for later members.
  for (const { part, node: m } of pending) {
    ctx.scope.set(part.name, { type: part.bits > 32 ? "bigint" : "number" });
    part.valid = validations(ctx, m);
  }
  return { kind: "bitfield", name, bytes: wordBits / 8, endian, parts, doc, loc };
}
