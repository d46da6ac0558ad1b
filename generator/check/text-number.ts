/**
 * Integers stored as ASCII digits (`text: octal`, `size: 12`): tar's sizes,
 * times and header checksum. The spelling `write` makes is zero-filled
 * digits then `terminator` (a NUL by default), or with `base256: true`
 * GNU tar's binary form for values the digits cannot hold; `keep: NAME` on
 * a plain field keeps any other spelling read there.
 */
import { numberDigits, type IntType, type NumberText } from "../model.js";
import type { Context } from "./context.js";
import type { MapNode } from "./reader.js";

const BASES = { octal: 8, decimal: 10, hex: 16 } as const;

/** Is `node` a text-encoded number (it has `text:`)? */
export function isTextNumber(ctx: Context, node: MapNode): boolean {
  return ctx.reader.get(node, "text") !== undefined;
}

/**
 * The spelling of a text-encoded number of type `int`: its base, size and
 * terminator, checked; undefined (reported) when they are wrong.
 */
export function numberText(ctx: Context, node: MapNode, int: IntType): NumberText | undefined {
  const { reader } = ctx;
  const baseNode = reader.get(node, "text")!;
  const baseText = reader.string(baseNode, "text");
  const base = baseText === undefined ? undefined : BASES[baseText as keyof typeof BASES];
  if (baseText !== undefined && base === undefined)
    reader.report(baseNode.at, `text must be octal, decimal or hex, got "${baseText}"`);
  const sizeNode = reader.required(node, "size", "a number stored as text");
  const size = reader.integer(sizeNode, "size");
  if (size !== undefined && (size < 1n || size > 64n)) {
    reader.report(sizeNode!.at, "a number stored as text takes 1 to 64 bytes");
    return undefined;
  }
  const termNode = reader.get(node, "terminator");
  const terminator = termNode === undefined ? "\0" : reader.string(termNode, "terminator");
  if (terminator !== undefined && !/^[\0 ]*$/.test(terminator)) {
    reader.report(termNode!.at, "a terminator is made of NULs and spaces");
    return undefined;
  }
  if (int.signed) {
    reader.report(reader.get(node, "type")!.at, "a number stored as text is unsigned (u8 ... u64)");
    return undefined;
  }
  if (base === undefined || size === undefined || terminator === undefined) return undefined;
  const base256Node = reader.get(node, "base256");
  const base256 = base256Node === undefined ? undefined : reader.boolean(base256Node, "base256");
  if (base256 === true && base !== 8) {
    reader.report(base256Node!.at, "base256 is GNU tar's form for octal numbers (text: octal)");
    return undefined;
  }
  if (base256 === true && size !== undefined && size < 2n) {
    reader.report(base256Node!.at, "base256 needs a field of 2 bytes or more");
    return undefined;
  }
  const spelling: NumberText = {
    base,
    size: Number(size),
    terminator,
    ...(base256 === true ? { base256: true as const } : {}),
  };
  if (numberDigits(spelling) < 1) {
    reader.report(termNode!.at, "the terminator leaves no room for a digit");
    return undefined;
  }
  return spelling;
}
