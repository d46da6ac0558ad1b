/**
 * Flags: an integer whose named bits become boolean properties, the other
 * bits kept in an `unknown` property (of the record, or with `nested: true`
 * of the word's own object); and `bits`, which only documents an integer's
 * bits.
 */
import type { Located } from "../load.js";
import type { FlagBit, IntType, Member } from "../model.js";
import {
  absentStyle,
  condition,
  declare,
  intField,
  type Context,
  type MemberInfo,
} from "./context.js";
import { badFieldName } from "./names.js";
import type { MapNode } from "./reader.js";

export function checkFlags(
  ctx: Context,
  node: MapNode,
  { name, doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  // After a byte_order member the word takes the order chosen at run time.
  const type = intField(ctx, node, "a flags field");
  if (type !== undefined && type.signed)
    reader.report(reader.get(node, "type")!.at, "a flags word must be unsigned");
  const nestedNode = reader.get(node, "nested");
  const nested = reader.boolean(nestedNode, "nested") === true;
  // Nested, the bits are properties of the word's object: a namespace of their own.
  const flags = flagBits(ctx, reader.get(node, "flags"), type, !nested);
  const unknownNode = reader.required(node, "unknown", "a flags field");
  const unknown = reader.string(unknownNode, "unknown");
  if (unknown !== undefined && unknownNode !== undefined) {
    if (!nested) declare(ctx, unknown, unknownNode.at);
    else if (badFieldName(unknown) !== undefined)
      reader.report(unknownNode.at, badFieldName(unknown)!);
    else if (flags.some((f) => f.name === unknown))
      reader.report(unknownNode.at, `"${unknown}" is already the name of a bit of ${name}`);
  }
  const cond = condition(ctx, node);
  if (cond !== undefined && !nested) {
    // A flattened word's bits are properties of the record, with no object to leave out.
    reader.report(
      reader.get(node, "if")!.at,
      'a flags field cannot have an "if" unless it is nested (nested: true); or put it in a group with that "if"',
    );
  }
  const absent = nested ? absentStyle(ctx, node, cond !== undefined) : "option";
  if (!nested && reader.get(node, "absent") !== undefined)
    reader.report(reader.get(node, "absent")!.at, "absent applies only to members with an `if`");
  if (type === undefined || unknown === undefined) return undefined;
  ctx.scope.set(
    name,
    !nested
      ? {
          type: "number",
          unavailable:
            "a flags word's bits are separate properties; nest them (nested: true) to use the word, or test them with if on a group",
        }
      : cond !== undefined
        ? { type: "number", unavailable: "it is present only when its `if` holds" }
        : type.bits === 64
          ? {
              type: "bigint",
              unavailable:
                "a 64-bit flags word is not an integer in expressions (it would be made as a bigint on every read and write)",
            }
          : { type: "number" },
  );
  return {
    kind: "flags",
    name,
    type,
    flags,
    unknown,
    cond,
    doc,
    loc,
    ...(nested ? { nested: { typeName: `${ctx.owner}_${name}`, absent } } : {}),
  };
}

export function flagBits(
  ctx: Context,
  node: Located | undefined,
  type: IntType | undefined,
  declareNames: boolean,
): FlagBit[] {
  const { reader } = ctx;
  const bits: FlagBit[] = [];
  const seen = new Set<number>();
  const names = new Set<string>();
  for (const item of reader.seq(node, "flags")) {
    const m = reader.map(item, "a flag bit", ["bit", "name", "doc", "default"]);
    if (m === undefined) continue;
    const bit = reader.integer(reader.required(m, "bit", "a flag bit"), "bit");
    const nameNode = reader.required(m, "name", "a flag bit");
    const name = reader.string(nameNode, "name");
    if (bit === undefined || name === undefined || nameNode === undefined) continue;
    if (type !== undefined && (bit < 0n || bit >= BigInt(type.bits)))
      reader.report(m.at, `bit ${bit} is outside the ${type.bits}-bit word`);
    if (seen.has(Number(bit))) reader.report(m.at, `bit ${bit} is named twice`);
    seen.add(Number(bit));
    if (declareNames) declare(ctx, name, nameNode.at);
    else if (badFieldName(name) !== undefined) reader.report(nameNode.at, badFieldName(name)!);
    else if (names.has(name)) reader.report(nameNode.at, `bit name "${name}" is used twice`);
    names.add(name);
    const defaultNode = reader.get(m, "default");
    const defaultValue = reader.boolean(defaultNode, "default");
    if (defaultValue === true)
      reader.report(defaultNode!.at, "a flag bit's default can only be false");
    bits.push({
      bit: Number(bit),
      name,
      defaultFalse: defaultValue === false,
      doc: reader.string(reader.get(m, "doc"), "doc"),
      loc: reader.loc(m.at),
    });
  }
  return bits;
}
