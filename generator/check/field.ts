/**
 * Plain fields: a value of a type (integers, enums, records, bytes, strings,
 * text, UUIDs, arrays, lists), with its size, count, `if`, `at`, checks,
 * documented bits and default.
 */
import type { Expr } from "../expr.js";
import type { Located } from "../load.js";
import type {
  ArrayEnd,
  ByteSize,
  DefaultValue,
  FieldType,
  Member,
  RecordDef,
  Search,
  TextEncoding,
} from "../model.js";
import {
  absentStyle,
  condition,
  declare,
  fieldEndian,
  position,
  sizeExpression,
  validations,
  type Context,
  type MemberInfo,
} from "./context.js";
import { arrayBlock } from "./blocks.js";
import { flagBits } from "./flags.js";
import { fitsInt, intName, parseIntType } from "./int.js";
import { stringTail } from "./keep.js";
import type { MapNode, Reader } from "./reader.js";
import { checkExpr } from "./scope.js";
import { isTextNumber, numberText } from "./text-number.js";

const TEXT_ENCODINGS = ["ascii", "utf8", "utf16le", "utf16be"] as const;

/**
 * A fixed string's `pad`: `zero` (the default, NUL-padded) or `space`
 * (space-padded, as FAT's names and labels are); `{}` for zero.
 */
export function stringPad(reader: Reader, node: Located | undefined): { pad?: "space" } {
  if (node === undefined) return {};
  const text = reader.string(node, "pad");
  if (text === "space") return { pad: "space" };
  if (text !== undefined && text !== "zero")
    reader.report(node.at, `pad must be zero (NUL padding) or space, not "${text}"`);
  return {};
}

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
  const strideNode = reader.get(node, "stride");
  const blockNode = reader.get(node, "block");
  const argsNode = reader.get(node, "args");
  const terminatorNode = reader.get(node, "terminator");
  const isTag = reader.boolean(reader.get(node, "tag"), "tag") ?? false;
  const fills = (what: string): boolean => {
    // At a record's top level, size-less bytes run to the end of the input
    // (or up to a searched record right after them); checkRestPlacement
    // checks where they stand once the whole list is known.
    if (
      what === "bytes" &&
      !ctx.inPayload &&
      ctx.depth === 0 &&
      cond === undefined &&
      at === undefined
    )
      return true;
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
  const base256 = reader.get(node, "base256");
  if (base256 !== undefined && !isTextNumber(ctx, node))
    reader.report(base256.at, "base256 is a form of a number stored as text (text: octal)");
  if (int !== undefined && isTextNumber(ctx, node)) {
    const spelling = numberText(ctx, node, int);
    if (spelling === undefined) return undefined;
    type = { kind: "textInt", int, spelling };
  } else if (int !== undefined) {
    type = int;
  } else if (typeText === "bytes") {
    let size: ByteSize = { kind: "fill" };
    const sizings = [sizeNode, prefixNode, terminatorNode].filter((n) => n !== undefined);
    if (sizings.length > 1)
      reader.report(node.at, "give at most one of size, prefix and terminator");
    if (sizeNode !== undefined) {
      // A size that does not parse is reported; it stays a size, not bytes to the end.
      const parsed = sizeExpression(ctx, sizeNode, "size") ?? { kind: "num", value: 0n, col: 0 };
      size = { kind: "expr", expr: parsed };
    } else if (prefixNode !== undefined) {
      const text = reader.string(prefixNode, "prefix");
      const length = text === undefined ? undefined : parseIntType(text, endian);
      const bad = length === undefined || length.signed || length.bits === 64;
      if (bad) reader.report(prefixNode.at, `prefix must be u8, u16 or u32, not "${text}"`);
      // A bad prefix is reported; it stays a prefix, not bytes to the end.
      size = {
        kind: "prefix",
        length: bad ? { kind: "int", bits: 8, signed: false, endian } : length,
      };
    } else if (terminatorNode !== undefined) {
      const byte = reader.integer(terminatorNode, "terminator");
      const bad = byte === undefined || byte < 0n || byte > 255n;
      if (bad && byte !== undefined)
        reader.report(terminatorNode.at, `terminator must be a byte, 0 to 255, not ${byte}`);
      // A bad terminator is reported; it stays a terminator, not bytes to the end.
      size = { kind: "terminated", byte: bad ? 0 : Number(byte) };
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
    const pad = stringPad(reader, reader.get(node, "pad"));
    type = { kind: "fixedString", size: Number(size ?? 1n), ...pad };
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
      if (def.params.length > 0)
        reader.report(
          endNode.at,
          `${def.name} has parameters; an array ended by zeros takes records without`,
        );
      if (end !== undefined) {
        type = { kind: "array", element: def, count: undefined, args: [], stride: undefined, end };
        ctx.terminated.push({ element: def, size: end.size, at: endNode.at });
      }
    } else if (
      array &&
      def.kind === "record" &&
      sizeNode !== undefined &&
      countNode === undefined
    ) {
      // Records of any size filling exactly `size` bytes.
      const bytes = sizeExpression(ctx, sizeNode, "size");
      const args = recordArgs(ctx, node, def);
      const block = blockNode === undefined ? undefined : arrayBlock(ctx, blockNode, def);
      if (bytes !== undefined)
        type = {
          kind: "array",
          element: def,
          count: undefined,
          args,
          stride: undefined,
          bytes,
          ...(block === undefined ? {} : { block }),
        };
    } else if (array && def.kind === "record" && countNode !== undefined) {
      const count = sizeExpression(ctx, countNode, "count");
      const stride =
        strideNode === undefined ? undefined : sizeExpression(ctx, strideNode, "stride");
      const args = recordArgs(ctx, node, def);
      if (count !== undefined) type = { kind: "array", element: def, count, args, stride };
    } else if (array && def.kind === "record") {
      ctx.arrays.push({ element: def, at: typeNode.at });
      const args = recordArgs(ctx, node, def);
      if (fills(`${refName}[]`))
        type = { kind: "array", element: def, count: undefined, args, stride: undefined };
    } else if (array)
      reader.report(
        typeNode.at,
        `${refName} is an enum; arrays hold records and lists hold unions`,
      );
    else if (def.kind === "enum") type = { kind: "enum", enum: def, endian };
    else if (def.kind === "record")
      type = { kind: "record", record: def, args: recordArgs(ctx, node, def) };
    else reader.report(typeNode.at, `a union is stored as a list: write "${refName}[]"`);
  }
  if (type === undefined) return undefined;
  for (const [key, n] of [
    ["size", sizeNode],
    ["prefix", prefixNode],
    ["terminator", terminatorNode],
  ] as const) {
    const alsoFor =
      key === "size"
        ? type.kind === "fixedString" ||
          type.kind === "text" ||
          type.kind === "textInt" ||
          (type.kind === "array" && type.bytes !== undefined)
        : key === "terminator" && type.kind === "textInt";
    if (n !== undefined && type.kind !== "bytes" && !alsoFor) {
      const which =
        key === "size"
          ? "bytes, string, text and text number fields, and arrays without a count or end"
          : key === "terminator"
            ? "bytes fields and numbers stored as text"
            : "bytes fields";
      reader.report(n.at, `"${key}" applies to ${which} only`);
    }
  }
  if (strideNode !== undefined && !(type.kind === "array" && type.count !== undefined))
    reader.report(strideNode.at, `"stride" applies to arrays with a count only`);
  if (blockNode !== undefined && !(type.kind === "array" && type.bytes !== undefined))
    reader.report(blockNode.at, `"block" applies to arrays sized in bytes (size, no count) only`);
  if (argsNode !== undefined && type.kind !== "array" && type.kind !== "record")
    reader.report(argsNode.at, `"args" applies to records and arrays of records only`);
  if (countNode !== undefined && type.kind !== "array")
    reader.report(countNode.at, `"count" applies to arrays of records only`);
  const padNode = reader.get(node, "pad");
  if (padNode !== undefined && type.kind !== "fixedString")
    reader.report(
      padNode.at,
      `"pad" applies to string fields only (and string enums, in their base)`,
    );
  if (encodingNode !== undefined && type.kind !== "text")
    reader.report(encodingNode.at, `"encoding" applies to text fields only`);
  if (endNode !== undefined && type.kind !== "array")
    reader.report(endNode.at, `"end" applies to arrays of records only`);
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
  const enumOf = type.kind === "enum" ? { enum: type.enum } : {};
  if (usable) ctx.scope.set(name, { type: scalar, ...enumOf });
  // A record's integer fields are named through it: `end.cd_offset`.
  if (type.kind === "record")
    ctx.scope.set(name, {
      type: "number",
      held: { record: type.record, nodes: ctx.recordNodes, table: ctx.table, reader },
      ...(cond === undefined ? {} : { unavailable: "it is present only when its `if` holds" }),
    });
  const validNode = reader.get(node, "valid");
  // An integer enum is checked as its stored number, as expressions see it.
  const numeric =
    type.kind === "int" ||
    type.kind === "textInt" ||
    (type.kind === "enum" && type.enum.base.kind === "int");
  if (validNode !== undefined && !numeric)
    reader.report(validNode.at, "valid applies to integer and integer enum fields only");
  const valid = validations(ctx, node);
  if (usable && cond !== undefined) {
    ctx.scope.set(name, {
      type: scalar,
      ...enumOf,
      unavailable: "it is present only when its `if` holds",
    });
  }
  const high = ctx.highTargets.get(name);
  const none = noneValue(ctx, node, type, high !== undefined, cond !== undefined);
  if (none !== undefined)
    ctx.scope.set(name, {
      type: scalar,
      unavailable: "it is absent when it holds its `none` value",
    });
  // Its high half comes later: until then only the low bits are known.
  if (high !== undefined)
    ctx.scope.set(name, {
      type: scalar,
      unavailable: `its high half, ${high}, is stored later; the value can be used after it`,
    });
  const absent = absentStyle(ctx, node, cond !== undefined || none !== undefined);
  const search = searchOf(ctx, node, type, cond !== undefined || at !== undefined);
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
    search,
    split: undefined,
    none,
    ...(fromInput(ctx, node, at !== undefined) ? { fromInput: true as const } : {}),
    doc,
    loc,
  };
}

/**
 * `from: input` on a field with `at`: the position counts from the start
 * of the input, not of the record, and the field takes no room in its
 * record (a pointer). `from: record` is the default.
 */
function fromInput(ctx: Context, node: MapNode, placed: boolean): boolean {
  const n = ctx.reader.get(node, "from");
  const text = ctx.reader.string(n, "from");
  if (n === undefined || text === undefined) return false;
  if (text !== "input" && text !== "record") {
    ctx.reader.report(n.at, `from must be "input" or "record", not "${text}"`);
    return false;
  }
  if (!placed) {
    ctx.reader.report(n.at, "`from` says where an `at` counts from, so it needs an `at`");
    return false;
  }
  return text === "input";
}

/**
 * `search: N`: the record is found by searching the last N bytes of the
 * input backwards for its signature. The signature (its first member) is
 * filled in once every record has its members (see checkSearches).
 */
function searchOf(
  ctx: Context,
  node: MapNode,
  type: FieldType,
  placed: boolean,
): Search | undefined {
  const n = ctx.reader.get(node, "search");
  if (n === undefined) return undefined;
  const within = ctx.reader.integer(n, "search");
  if (within === undefined) return undefined;
  if (type.kind !== "record") {
    ctx.reader.report(n.at, "search finds a record: the field's type must be a record");
    return undefined;
  }
  if (ctx.inPayload || ctx.depth > 0 || placed) {
    ctx.reader.report(
      n.at,
      "a searched record is found from the end of the input, so it is a record's last top-level member, without `if` or `at`",
    );
    return undefined;
  }
  if (within < 1n || within > MAX_SEARCH) {
    ctx.reader.report(n.at, `search looks at 1 to ${MAX_SEARCH} bytes from the end, not ${within}`);
    return undefined;
  }
  const search: Search = { within: Number(within), signature: "" };
  ctx.searches.push({ search, record: type.record, at: n.at });
  return search;
}

/** The most bytes a search may look at: write checks a record in a scratch buffer this large. */
const MAX_SEARCH = 1n << 24n;

/**
 * A field's `none`: the stored integer meaning "absent". For a value with a
 * high half it is checked against the whole value's width there.
 */
function noneValue(
  ctx: Context,
  node: MapNode,
  type: FieldType,
  split: boolean,
  conditional: boolean,
): bigint | undefined {
  const n = ctx.reader.get(node, "none");
  if (n === undefined) return undefined;
  const value = ctx.reader.integer(n, "none");
  if (value === undefined) return undefined;
  if (type.kind !== "int") {
    ctx.reader.report(n.at, "none applies to integer fields only");
    return undefined;
  }
  if (ctx.inPayload) {
    ctx.reader.report(n.at, "none is for a record's fields; a variant's fields are always there");
    return undefined;
  }
  const clash = conditional
    ? "an `if`"
    : ctx.reader.get(node, "valid") !== undefined
      ? "`valid` checks"
      : ctx.reader.get(node, "default") !== undefined
        ? "a `default`"
        : undefined;
  if (clash !== undefined) {
    ctx.reader.report(
      n.at,
      `a field with none cannot also have ${clash}: its value is already undefined when it holds ${value}`,
    );
    return undefined;
  }
  if (!split && !fitsInt(value, type)) {
    ctx.reader.report(n.at, `none: ${value} does not fit in ${intName(type)}`);
    return undefined;
  }
  return value;
}

/**
 * The arguments of a record-typed field: one expression (of at most 32 bits)
 * per parameter of the record, by name.
 */
function recordArgs(ctx: Context, node: MapNode, def: RecordDef): Expr[] {
  const { reader } = ctx;
  const argsNode = reader.get(node, "args");
  const given =
    argsNode === undefined
      ? undefined
      : reader.map(
          argsNode,
          "args",
          def.params.map((p) => p.name),
        );
  const args: Expr[] = [];
  for (const p of def.params) {
    const n = given === undefined ? undefined : reader.get(given, p.name);
    if (n === undefined) {
      reader.report(
        (argsNode ?? node).at,
        `${def.name} has the parameter "${p.name}"; give it in args: { ${p.name}: ... }`,
      );
      continue;
    }
    const text = n.kind === "scalar" ? String(n.value) : undefined;
    const e =
      text === undefined
        ? undefined
        : checkExpr(reader, text, n, ctx.scope, "number", ctx.allNames, ctx.table);
    if (e !== undefined) args.push(e);
  }
  if (argsNode !== undefined && def.params.length === 0)
    reader.report(argsNode.at, `${def.name} has no parameters`);
  return args;
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
      type.pad === "space" &&
      value.endsWith(" ")
    ) {
      ctx.reader.report(
        n.at,
        `default "${value}" ends in a space; a space-padded string's value is its text without the padding`,
      );
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
