/**
 * Plain fields: a value of a type (integers, enums, records, bytes, strings,
 * text, UUIDs, arrays, lists), with its size, count, `if`, `at`, checks,
 * documented bits and default.
 */
import type { Located } from "../load.js";
import type {
  ArrayEnd,
  ByteSize,
  DefaultValue,
  FieldType,
  Member,
  TextEncoding,
} from "../model.js";
import {
  condition,
  declare,
  fieldEndian,
  position,
  sizeExpression,
  validations,
  type Context,
  type MemberInfo,
} from "./context.js";
import { flagBits } from "./flags.js";
import { fitsInt, intName, parseIntType } from "./int.js";
import { stringTail } from "./keep.js";
import type { MapNode } from "./reader.js";
import { isTextNumber, numberText } from "./text-number.js";

const TEXT_ENCODINGS = ["ascii", "utf8", "utf16le", "utf16be"] as const;

export function checkField(
  ctx: Context,
  node: MapNode,
  { name, doc, loc, isLast }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const typeNode = reader.required(node, "type", `field ${name}`);
  const typeText = reader.string(typeNode, "type");
  if (typeText === undefined || typeNode === undefined) return undefined;
  const endian = fieldEndian(ctx, node);
  const cond = condition(ctx, node);
  const at = position(ctx, node);
  const sizeNode = reader.get(node, "size");
  const countNode = reader.get(node, "count");
  const encodingNode = reader.get(node, "encoding");
  const prefixNode = reader.get(node, "prefix");
  const isTag = reader.boolean(reader.get(node, "tag"), "tag") ?? false;
  const fills = (what: string): boolean => {
    if (!ctx.inPayload || !isLast) {
      reader.report(
        typeNode.at,
        `${what} with no size fills the rest of a variant's payload, so it must be a variant's last field`,
      );
      return false;
    }
    return true;
  };

  let type: FieldType | undefined;
  const int = parseIntType(typeText, endian);
  const endNode = reader.get(node, "end");
  if (int !== undefined && isTextNumber(ctx, node)) {
    const spelling = numberText(ctx, node, int);
    if (spelling === undefined) return undefined;
    type = { kind: "textInt", int, spelling };
  } else if (int !== undefined) {
    type = int;
  } else if (typeText === "bytes") {
    let size: ByteSize = { kind: "fill" };
    if (sizeNode !== undefined && prefixNode !== undefined)
      reader.report(node.at, "give either size or prefix, not both");
    if (sizeNode !== undefined) {
      const parsed = sizeExpression(ctx, sizeNode, "size");
      if (parsed !== undefined) size = { kind: "expr", expr: parsed };
    } else if (prefixNode !== undefined) {
      const text = reader.string(prefixNode, "prefix");
      const length = text === undefined ? undefined : parseIntType(text, endian);
      if (length === undefined || length.signed || length.bits === 64)
        reader.report(prefixNode.at, `prefix must be u8, u16 or u32, not "${text}"`);
      else size = { kind: "prefix", length };
    } else {
      fills("bytes");
    }
    type = { kind: "bytes", size };
  } else if (typeText === "uuid" || typeText === "guid") {
    type = { kind: "uuid", layout: typeText === "guid" ? "guid" : "rfc4122" };
  } else if (typeText === "text") {
    const encoding = reader.string(reader.required(node, "encoding", "a text field"), "encoding");
    if (encoding !== undefined && !(TEXT_ENCODINGS as readonly string[]).includes(encoding))
      reader.report(
        encodingNode!.at,
        `encoding must be one of ${TEXT_ENCODINGS.join(", ")}, got "${encoding}"`,
      );
    const sizeGiven = reader.required(node, "size", "a text field");
    const size = sizeGiven === undefined ? undefined : sizeExpression(ctx, sizeGiven, "size");
    if (size?.kind === "num" && (size.value < 1n || size.value > 1n << 30n))
      reader.report(sizeGiven!.at, "a text size must be between 1 and 2^30 bytes");
    if (size?.kind === "num" && encoding?.startsWith("utf16") && size.value % 2n !== 0n)
      reader.report(sizeGiven!.at, "a UTF-16 text takes an even number of bytes");
    if (size !== undefined && encoding !== undefined)
      type = { kind: "text", encoding: encoding as TextEncoding, size };
  } else if (typeText === "string") {
    const size = reader.integer(reader.required(node, "size", "a fixed string"), "size");
    if (size !== undefined && (size < 1n || size > 65536n))
      reader.report(sizeNode!.at, "a fixed string size must be between 1 and 65536");
    type = { kind: "fixedString", size: Number(size ?? 1n) };
  } else {
    const array = typeText.endsWith("[]");
    const refName = array ? typeText.slice(0, -2) : typeText;
    const def = ctx.table.get(refName);
    if (def === undefined) {
      reader.report(
        typeNode.at,
        `unknown type "${refName}"; expected u8 ... i64, bytes, string, text, uuid, guid or a type of this schema`,
      );
      return undefined;
    }
    if (array && def.kind === "union") type = { kind: "list", union: def };
    else if (array && def.kind === "record" && endNode !== undefined) {
      if (countNode !== undefined)
        reader.report(countNode.at, "give either count or end, not both");
      const end = arrayEnd(ctx, endNode);
      if (end !== undefined) {
        type = { kind: "array", element: def, count: undefined, end };
        ctx.terminated.push({ element: def, size: end.size, at: endNode.at });
      }
    } else if (array && def.kind === "record" && countNode !== undefined) {
      const count = sizeExpression(ctx, countNode, "count");
      if (count !== undefined) type = { kind: "array", element: def, count };
    } else if (array && def.kind === "record") {
      ctx.arrays.push({ element: def, at: typeNode.at });
      if (fills(`${refName}[]`)) type = { kind: "array", element: def, count: undefined };
    } else if (array)
      reader.report(
        typeNode.at,
        `${refName} is an enum; arrays hold records and lists hold unions`,
      );
    else if (def.kind === "enum") type = { kind: "enum", enum: def, endian };
    else if (def.kind === "record") type = { kind: "record", record: def };
    else reader.report(typeNode.at, `a union is stored as a list: write "${refName}[]"`);
  }
  if (type === undefined) return undefined;
  for (const [key, n] of [
    ["size", sizeNode],
    ["prefix", prefixNode],
  ] as const) {
    if (
      n !== undefined &&
      type.kind !== "bytes" &&
      !(
        key === "size" &&
        (type.kind === "fixedString" || type.kind === "text" || type.kind === "textInt")
      )
    ) {
      reader.report(
        n.at,
        `"${key}" applies to bytes${key === "size" ? ", string, text and text number" : ""} fields only`,
      );
    }
  }
  if (countNode !== undefined && type.kind !== "array")
    reader.report(countNode.at, `"count" applies to arrays of records only`);
  if (encodingNode !== undefined && type.kind !== "text")
    reader.report(encodingNode.at, `"encoding" applies to text fields only`);
  if (endNode !== undefined && type.kind !== "array")
    reader.report(endNode.at, `"end" applies to arrays of records only`);
  const termNode = reader.get(node, "terminator");
  if (termNode !== undefined && type.kind !== "textInt")
    reader.report(termNode.at, `"terminator" applies to numbers stored as text only`);
  if (isTag && type.kind !== "int") reader.report(node.at, "a tag field must be an integer");
  const bitsNode = reader.get(node, "bits");
  const bits =
    bitsNode === undefined
      ? []
      : flagBits(ctx, bitsNode, type.kind === "int" ? type : undefined, false);
  if (bitsNode !== undefined && type.kind !== "int")
    reader.report(bitsNode.at, "bits apply to integer fields only");

  const usable =
    type.kind === "int" ||
    type.kind === "textInt" ||
    (type.kind === "enum" && type.enum.base.kind === "int");
  const scalar =
    (type.kind === "int" && type.bits === 64) || (type.kind === "textInt" && type.int.bits === 64)
      ? "bigint"
      : "number";
  // A field's own checks run only when it is there, so they may use it.
  if (usable) ctx.scope.set(name, { type: scalar });
  const validNode = reader.get(node, "valid");
  if (validNode !== undefined && type.kind !== "int" && type.kind !== "textInt")
    reader.report(validNode.at, "valid applies to integer fields only");
  const valid = validations(ctx, node);
  if (usable && cond !== undefined) {
    ctx.scope.set(name, {
      type: scalar,
      unavailable: "it is present only when its `if` holds",
    });
  }
  const absent = absentStyle(ctx, node, cond !== undefined);
  const restricted = ctx.inPayload || cond !== undefined || at !== undefined;
  const tail =
    stringTail(reader, node, type, restricted, (tailName, tailAt) =>
      declare(ctx, tailName, tailAt),
    ) ?? spellingKeep(ctx, node, type, restricted);
  return {
    kind: "value",
    name,
    type,
    cond,
    at,
    valid,
    bits,
    isTag,
    default: defaultOf(ctx, node, type),
    absent,
    tail,
    doc,
    loc,
  };
}

/** `end: { zeros: N }`: an array read up to N zero bytes. */
function arrayEnd(ctx: Context, node: Located): ArrayEnd | undefined {
  const m = ctx.reader.map(node, "an array end", ["zeros"]);
  if (m === undefined) return undefined;
  const size = ctx.reader.integer(ctx.reader.required(m, "zeros", "an array end"), "zeros");
  if (size === undefined) return undefined;
  if (size < 1n || size > 65536n) {
    ctx.reader.report(m.at, "an array's end of zeros takes 1 to 65536 bytes");
    return undefined;
  }
  return { kind: "zeros", size: Number(size) };
}

/** `keep: NAME` on a number stored as text: the property its other spellings are kept in. */
function spellingKeep(
  ctx: Context,
  node: MapNode,
  type: FieldType,
  restricted: boolean,
): string | undefined {
  const keepNode = ctx.reader.get(node, "keep");
  const name = ctx.reader.string(keepNode, "keep");
  if (name === undefined || keepNode === undefined) return undefined;
  if (type.kind !== "textInt") {
    ctx.reader.report(keepNode.at, "keep on a field applies to numbers stored as text");
    return undefined;
  }
  if (restricted) {
    ctx.reader.report(
      keepNode.at,
      "keep applies to a record's plain fields (no `if` or `at`; a variant's fields print by position)",
    );
    return undefined;
  }
  declare(ctx, name, keepNode.at);
  return name;
}

export function absentStyle(ctx: Context, node: MapNode, conditional: boolean): "option" | "omit" {
  const n = ctx.reader.get(node, "absent");
  const text = ctx.reader.string(n, "absent");
  if (text === undefined) return "option";
  if (!conditional) ctx.reader.report(n!.at, "absent applies only to members with an `if`");
  if (text !== "option" && text !== "omit")
    ctx.reader.report(n!.at, `absent must be "option" or "omit", got "${text}"`);
  return text === "omit" ? "omit" : "option";
}

/** A field's `default`, checked against its type. */
function defaultOf(ctx: Context, node: MapNode, type: FieldType): DefaultValue | undefined {
  const n = ctx.reader.get(node, "default");
  if (n === undefined) return undefined;
  if (type.kind === "int") {
    const value = ctx.reader.integer(n, "default");
    if (value === undefined) return undefined;
    if (!fitsInt(value, type)) {
      ctx.reader.report(n.at, `default ${value} does not fit in ${intName(type)}`);
      return undefined;
    }
    return { kind: "int", value };
  }
  if (type.kind === "enum") {
    const name = ctx.reader.string(n, "default");
    if (name !== undefined && !type.enum.values.some((v) => v.name === name)) {
      ctx.reader.report(n.at, `default "${name}" is not a value of ${type.enum.name}`);
      return undefined;
    }
    return name === undefined ? undefined : { kind: "enum", name };
  }
  if (type.kind === "bytes" || type.kind === "fixedString") {
    const value = ctx.reader.string(n, "default");
    if (value !== undefined && !/^[\x00-\xff]*$/.test(value)) {
      ctx.reader.report(n.at, "a byte string default may only hold characters U+0000 to U+00FF");
      return undefined;
    }
    if (
      value !== undefined &&
      type.kind === "fixedString" &&
      (value.length > type.size || value.includes("\0"))
    ) {
      ctx.reader.report(
        n.at,
        `default "${value}" is not a value of a ${type.size}-byte string (at most ${type.size} bytes, no NUL)`,
      );
      return undefined;
    }
    return value === undefined ? undefined : { kind: "bytes", value };
  }
  ctx.reader.report(n.at, `a ${type.kind} field cannot have a default`);
  return undefined;
}
