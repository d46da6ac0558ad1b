/**
 * Shapes: short texts describing what a type or member is apart from its
 * name and documentation, so that an item removed and an item added with
 * the same shape can be recognised as one item renamed. Names of other
 * types are translated to the new revision's names first, so that a field
 * of a renamed type keeps its shape.
 */
import { exprText } from "../expr.js";
import {
  computedText,
  isPositioned,
  numberTextName,
  type ByteSize,
  type FieldType,
  type IntType,
  type Member,
  type TypeDef,
} from "../model.js";

/** Maps a type name of the revision being described to the new revision's name. */
export type TypeNames = (name: string) => string;

export const sameNames: TypeNames = (name) => name;

export function intText(t: IntType): string {
  return `${t.signed ? "i" : "u"}${t.bits}`;
}

function sizeShape(size: ByteSize): string {
  switch (size.kind) {
    case "expr":
      return `size ${exprText(size.expr)}`;
    case "prefix":
      return `prefix ${intText(size.length)} ${size.length.endian}`;
    case "terminated":
      return `terminator ${size.byte}`;
    case "fill":
      return "fill";
  }
}

export function fieldTypeShape(t: FieldType, names: TypeNames): string {
  switch (t.kind) {
    case "int":
      return `${intText(t)} ${t.endian}`;
    case "enum":
      return `enum ${names(t.enum.name)} ${t.endian}`;
    case "record":
      return `record ${names(t.record.name)}`;
    case "bytes":
      return `bytes ${sizeShape(t.size)}`;
    case "fixedString":
      return `string ${t.size}${t.pad === "space" ? " space" : ""}`;
    case "array":
      return `${names(t.element.name)}[${t.count === undefined ? "" : exprText(t.count)}]${t.end === undefined ? "" : ` end zeros ${t.end.size}`}`;
    case "list":
      return `${names(t.union.name)}[]`;
    case "uuid":
      return t.layout;
    case "text":
      return `text ${t.encoding} ${exprText(t.size)}`;
    case "textInt":
      return `${intText(t.int)} ${numberTextName(t.spelling)}`;
  }
}

export function memberShape(m: Member, names: TypeNames): string {
  const cond = "cond" in m && m.cond !== undefined ? ` if ${exprText(m.cond)}` : "";
  const at = isPositioned(m)
    ? ` at ${exprText(m.at)}${m.kind === "value" && m.fromInput === true ? " of the input" : ""}`
    : "";
  switch (m.kind) {
    case "value": {
      const split = m.split === undefined ? "" : ` low ${intText(m.split.lo)} of ${m.split.bits}`;
      const none = m.none === undefined ? "" : ` none ${m.none}`;
      return `value ${fieldTypeShape(m.type, names)}${split}${none}${cond}${at}`;
    }
    case "high":
      return `high ${intText(m.type)} of ${m.low.name}`;
    case "mirror":
      return `mirror ${intText(m.type)} of ${m.of}`;
    case "const":
      return `const ${intText(m.type)} ${m.value}`;
    case "magic":
      return `magic ${JSON.stringify(m.value)}`;
    case "checksum":
      return `checksum ${m.text === undefined ? intText(m.type) : numberTextName(m.text)} ${m.algorithm}${m.covers === "before" ? " before" : ""}`;
    case "computed":
      return `computed ${intText(m.type)} ${computedText(m)}`;
    case "bitfield":
      return `bitfield u${m.bytes * 8} ${m.endian} ${m.parts.map((p) => `${p.shift}+${p.bits}:${p.name}`).join(",")}`;
    case "flags":
      return `flags${m.nested === undefined ? "" : " nested"} ${intText(m.type)} ${m.flags.map((f) => `${f.bit}:${f.name}`).join(",")}`;
    case "byteOrder":
      return `byte_order ${exprText(m.on)} ${m.little} ${m.big}`;
    case "switch":
      return `switch ${exprText(m.on)} ${m.cases.map((c) => `${c.when ?? "default"}:[${c.members.map((x) => memberShape(x, names)).join(";")}]`).join(" ")}`;
    case "padding":
      return `padding ${m.rest !== undefined ? `rest ${m.rest}` : m.sizeExpr === undefined ? m.size : exprText(m.sizeExpr)}${cond}`;
    case "group":
      return `group (${m.members.map((x) => memberShape(x, names)).join("; ")})${cond}${at}`;
    case "let":
      return `let ${exprText(m.value)}`;
  }
}

/** The shape of a whole type, with the names of its members and values but not its own. */
export function typeShape(def: TypeDef, names: TypeNames): string {
  switch (def.kind) {
    case "enum": {
      const base = def.base.kind === "int" ? intText(def.base) : `string ${def.base.size}`;
      const values = def.values.map((v) => `${v.name}=${JSON.stringify(v.value)}`);
      return `enum ${base}${def.open ? " open" : ""} ${values.join(",")}`;
    }
    case "record":
      return `record ${def.members.map((m) => `${"name" in m ? m.name : ""}:${memberShape(m, names)}`).join("; ")}`;
    case "union":
      return `union ${def.variants.map((v) => `${v.name}=${v.tag ?? "*"}`).join(",")}`;
  }
}

/** The member's name, or a name for padding made from the named member before it. */
export function memberKey(members: readonly Member[], index: number): string {
  const m = members[index];
  if ("name" in m) return m.name;
  if (m.kind === "switch") return `switch on ${m.onText}`;
  if (m.kind === "byteOrder") return "byte_order";
  if (m.kind === "mirror") return `${m.of} (big-endian copy)`;
  let before = "^";
  let run = 0;
  for (let k = index - 1; k >= 0; k--) {
    const p = members[k];
    if ("name" in p) {
      before = p.name;
      break;
    }
    run++;
  }
  return `padding after ${before}${run > 0 ? ` #${run + 1}` : ""}`;
}

/** The TypeScript type of a field's value, as the generated module declares it. */
export function tsTypeOf(t: FieldType, names: TypeNames): string {
  switch (t.kind) {
    case "int":
      return t.bits === 64 ? "bigint" : "number";
    case "textInt":
      return t.int.bits === 64 ? "bigint" : "number";
    case "enum":
      return names(t.enum.name);
    case "record":
      return names(t.record.name);
    case "bytes":
    case "fixedString":
    case "uuid":
    case "text":
      return "string";
    case "array":
      return `${names(t.element.name)}[]`;
    case "list":
      return `${names(t.union.name)}[]`;
  }
}
