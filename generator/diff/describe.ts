/**
 * Short texts for change descriptions: field types as the schema writes
 * them, members, defaults, and expressions with their names translated to
 * the other revision.
 */
import { exprText, type Expr } from "../expr.js";
import type { DefaultValue, FieldType, Member } from "../model.js";
import { computedText, numberTextName } from "../model.js";
import { intText } from "./shape.js";

export function typeText(t: FieldType): string {
  switch (t.kind) {
    case "int":
      return intText(t);
    case "enum":
      return t.enum.name;
    case "record":
      return t.record.name;
    case "bytes":
      return t.size.kind === "expr"
        ? `bytes of size ${exprText(t.size.expr)}`
        : t.size.kind === "prefix"
          ? `bytes after a ${intText(t.size.length)} length`
          : t.size.kind === "terminated"
            ? `bytes ended by ${t.size.byte}`
            : "bytes filling the payload";
    case "fixedString":
      return `${t.size}-byte ${t.pad === "space" ? "space-padded " : ""}string`;
    case "array":
      if (t.bytes !== undefined)
        return `${t.element.name}[] in ${exprText(t.bytes)} bytes${t.block === undefined ? "" : ` of ${exprText(t.block)}-byte blocks`}`;
      return t.count === undefined
        ? `${t.element.name}[]`
        : `${t.element.name}[${exprText(t.count)}]`;
    case "list":
      return `${t.union.name}[]`;
    case "uuid":
      return t.layout === "guid" ? "GUID" : "UUID";
    case "text":
      return `${t.encoding} text of ${exprText(t.size)} bytes`;
    case "textInt":
      return `${intText(t.int)} as ${numberTextName(t.spelling)}`;
  }
}

/** `field compression_type (CompressionType, if header_length > 104)` and the like. */
export function memberText(m: Member): string {
  const cond = "cond" in m && m.cond !== undefined ? `, if ${exprText(m.cond)}` : "";
  switch (m.kind) {
    case "value": {
      const split = m.split === undefined ? "" : `, low ${m.split.lo.bits} of ${m.split.bits} bits`;
      const none = m.none === undefined ? "" : `, none ${m.none}`;
      return `field ${m.name} (${typeText(m.type)}${split}${none}${cond})`;
    }
    case "high":
      return `high half ${m.name} (${intText(m.type)} of ${m.low.name})`;
    case "mirror":
      return `big-endian copy of ${m.of} (${intText(m.type)})`;
    case "const":
      return `magic number ${m.name} (${intText(m.type)} 0x${m.value.toString(16)})`;
    case "magic":
      return `magic ${m.name} (${JSON.stringify(m.value)})`;
    case "checksum":
      return `checksum ${m.name} (${m.text === undefined ? intText(m.type) : numberTextName(m.text)} ${m.algorithm}${m.covers === "before" ? " of the bytes before it" : ""})`;
    case "computed":
      return `computed field ${m.name} (${intText(m.type)} ${computedText(m)})`;
    case "bitfield":
      return `bit field ${m.name} (u${m.bytes * 8} ${m.endian}: ${m.parts.map((p) => `${p.name} ${p.bits}`).join(", ")})`;
    case "flags":
      return `${m.nested === undefined ? "flags word" : "nested flags word"} ${m.name} (${intText(m.type)}: ${m.flags.map((f) => f.name).join(", ")})`;
    case "byteOrder":
      return `byte order chosen by ${m.onText}`;
    case "switch":
      return `layout chosen by ${m.onText} (${m.cases.map((c) => c.whenName).join(", ")})`;
    case "padding":
      if (m.sizeExpr !== undefined) return `padding of ${exprText(m.sizeExpr)} bytes`;
      if (m.rest !== undefined) return `padding to the end (${m.rest})`;
      return `${m.size} byte${m.size === 1 ? "" : "s"} of padding${cond.replace(", ", " ")}`;
    case "group":
      return `group ${m.name} (${m.typeName}${cond})`;
    case "let":
      return `let ${m.name} (${exprText(m.value)})`;
  }
}

export function defaultText(d: DefaultValue | undefined): string {
  if (d === undefined) return "none";
  switch (d.kind) {
    case "int":
      return d.value.toString();
    case "enum":
      return d.name;
    case "bytes":
      return JSON.stringify(d.value);
  }
}

/** An expression with its names renamed, as schema text. */
export function renamedExprText(e: Expr, rename: (name: string) => string): string {
  return exprText(renameExpr(e, rename));
}

function renameExpr(e: Expr, rename: (name: string) => string): Expr {
  switch (e.kind) {
    case "num":
      return e;
    case "ref":
      return { ...e, name: rename(e.name) };
    case "not":
    case "neg":
      return { ...e, arg: renameExpr(e.arg, rename) };
    case "binary":
      return { ...e, left: renameExpr(e.left, rename), right: renameExpr(e.right, rename) };
    case "choose":
      return {
        ...e,
        cond: renameExpr(e.cond, rename),
        then: renameExpr(e.then, rename),
        else: renameExpr(e.else, rename),
      };
  }
}

export function hexTag(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
