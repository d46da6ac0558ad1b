/**
 * Check the members of records and variant payloads: what each is (value,
 * magic constant, computed, flags, padding, group), its type, and the
 * expressions it uses.
 */
import type { Located, Position } from "../load.js";
import type {
  ByteSize,
  DefaultValue,
  Endian,
  FieldType,
  FlagBit,
  IntType,
  Member,
  RecordDef,
  TypeDef,
  Validation,
  TextEncoding,
  ValueField,
  ChecksumAlgorithm,
} from "../model.js";
import { fitsInt, intName } from "./index.js";
import { paddingKeep, stringTail } from "./keep.js";
import { badFieldName, badTypeName } from "./names.js";
import type { MapNode, Reader } from "./reader.js";
import { checkExpr, type Scope } from "./scope.js";

export type TypeTable = Map<string, TypeDef>;

/** What the records and variants of one schema share while they are checked. */
export interface Shared {
  table: TypeTable;
  endian: Endian;
  /** Type names of groups, which become interfaces beside the types, with where each was given. */
  groupNames: Map<string, Position>;
  /**
   * `Record[]` fields, whose element size is checked once every record has
   * its members (the element may be declared after its use).
   */
  arrays: { element: RecordDef; at: Position }[];
}

const INT_TYPE = /^([ui])(8|16|32|64)$/;

const TEXT_ENCODINGS = ["ascii", "utf8", "utf16le", "utf16be"] as const;

const CHECKSUMS = ["crc32", "crc32c", "ones-complement-sum"] as const;

export function parseIntType(text: string, endian: Endian): IntType | undefined {
  const m = INT_TYPE.exec(text);
  if (m === null) return undefined;
  return {
    kind: "int",
    bits: Number(m[2]) as IntType["bits"],
    signed: m[1] === "i",
    endian,
  };
}

const MEMBER_KEYS = [
  "name",
  "type",
  "doc",
  "if",
  "const",
  "value",
  "valid",
  "flags",
  "unknown",
  "bits",
  "padding",
  "group",
  "fields",
  "size",
  "prefix",
  "endian",
  "tag",
  "default",
  "absent",
  "magic",
  "checksum",
  "count",
  "at",
  "encoding",
  "keep",
  "tail",
] as const;

/** What kind of member a map is, decided by its distinctive key. */
const KINDS = [
  { key: "padding", allowed: ["padding", "if", "doc", "keep"] },
  { key: "group", allowed: ["name", "group", "if", "at", "doc", "fields", "absent"] },
  { key: "magic", allowed: ["name", "magic", "doc"] },
  { key: "checksum", allowed: ["name", "type", "checksum", "doc", "endian"] },
  { key: "const", allowed: ["name", "type", "const", "doc", "endian"] },
  {
    key: "value",
    allowed: ["name", "type", "value", "valid", "doc", "endian"],
  },
  {
    key: "flags",
    allowed: ["name", "type", "flags", "unknown", "if", "doc", "endian"],
  },
] as const;
const VALUE_KEYS = [
  "name",
  "type",
  "doc",
  "if",
  "at",
  "count",
  "encoding",
  "valid",
  "bits",
  "size",
  "prefix",
  "endian",
  "tag",
  "default",
  "absent",
  "tail",
];

interface Context extends Shared {
  reader: Reader;
  scope: Scope;
  /** Every name declared anywhere in this record, to tell "later" from "unknown". */
  allNames: Set<string>;
  /** Names already used, with where. */
  used: Map<string, Position>;
  /** `offset(x)` targets to resolve once every member is known. */
  offsetTargets: {
    name: string;
    at: Position;
    from: number;
    inGroup: boolean;
    endsTopGroup: boolean;
  }[];
  /** Index of the top-level member being checked, and how deep in groups we are. */
  topIndex: number;
  depth: number;
  /**
   * Inside groups: whether the innermost group ends where the top-level one
   * does (each nested group is the last member of its parent). A computed
   * offset is checked on read where its group ends.
   */
  endsTopGroup: boolean;
  /** True inside a union variant, where the last field may fill the payload. */
  inPayload: boolean;
  /** The member checked just before, with its `if` text (for conditional padding). */
  previous?: {
    kind: Member["kind"];
    name: string;
    cond: unknown;
    condText: string | undefined;
  };
}

/** Checks the members of a record. */
export function checkMembers(reader: Reader, items: Located[], shared: Shared): Member[] {
  const ctx: Context = {
    ...shared,
    reader,
    scope: new Map(),
    allNames: collectNames(items),
    used: new Map(),
    offsetTargets: [],
    topIndex: 0,
    depth: 0,
    endsTopGroup: true,
    inPayload: false,
  };
  const members = checkSequence(ctx, items);
  for (const target of ctx.offsetTargets) {
    const index = items.findIndex((item) => nameOf(item) === target.name);
    if (!members.some((m) => "name" in m && m.name === target.name)) {
      reader.report(
        target.at,
        `offset(${target.name}): "${target.name}" is not a member of this record at its top level`,
      );
    } else if (index <= target.from) {
      reader.report(
        target.at,
        `offset(${target.name}): "${target.name}" must come after this field`,
      );
    } else if (target.inGroup && index !== target.from + 1) {
      reader.report(
        target.at,
        `offset(${target.name}): from inside a group, "${target.name}" must be the member right after the group`,
      );
    } else if (target.inGroup && !target.endsTopGroup) {
      reader.report(
        target.at,
        `offset(${target.name}): a group inside a group that holds offset(...) must be the last member of its group`,
      );
    }
  }
  return members;
}

function nameOf(item: Located): unknown {
  if (item.kind !== "map") return undefined;
  const name = item.entries.find((e) => e.key === "name")?.value;
  return name?.kind === "scalar" ? name.value : undefined;
}

/** Checks the fields of a union variant; the fallback's first field must hold the tag. */
export function checkPayload(
  reader: Reader,
  items: Located[],
  shared: Shared,
  variant: { at: Position; fallback: boolean; tagType: IntType },
): ValueField[] {
  const { fallback, tagType } = variant;
  const ctx: Context = {
    ...shared,
    reader,
    scope: new Map(),
    allNames: collectNames(items),
    used: new Map([["kind", { file: "", line: 0, col: 0, path: "" }]]),
    offsetTargets: [],
    topIndex: 0,
    depth: 0,
    endsTopGroup: true,
    inPayload: true,
  };
  const members = checkSequence(ctx, items);
  const fields: ValueField[] = [];
  for (const [index, m] of members.entries()) {
    if (m.kind !== "value") {
      reader.report(
        items[index].at,
        "a variant's fields are plain fields (no constants, flags, padding or groups)",
      );
      continue;
    }
    if (m.isTag && (!fallback || index !== 0))
      reader.report(
        items[index].at,
        "only the first field of the fallback variant can hold the tag",
      );
    fields.push(m);
  }
  if (fallback && (fields.length === 0 || !fields[0].isTag)) {
    reader.report(
      items[0]?.at ?? variant.at,
      "the fallback variant's first field must have `tag: true`, to keep the unknown tag",
    );
  }
  if (
    fallback &&
    fields[0]?.isTag &&
    fields[0].type.kind === "int" &&
    fields[0].type.bits !== tagType.bits
  ) {
    reader.report(
      items[0].at,
      `the tag field must be ${tagType.bits} bits wide, like the union's tag`,
    );
  }
  return fields;
}

function collectNames(items: Located[]): Set<string> {
  const names = new Set<string>();
  for (const item of items) {
    if (item.kind !== "map") continue;
    for (const e of item.entries) {
      if (e.key === "name" && e.value.kind === "scalar") names.add(String(e.value.value));
      if (e.key === "fields" && e.value.kind === "seq")
        for (const n of collectNames(e.value.items)) names.add(n);
    }
  }
  return names;
}

function checkSequence(ctx: Context, items: Located[]): Member[] {
  const members: Member[] = [];
  for (const [index, item] of items.entries()) {
    if (ctx.depth === 0) ctx.topIndex = index;
    const member = checkMember(ctx, item, index === items.length - 1);
    if (member !== undefined) members.push(member);
    const ifText =
      item.kind === "map" ? ctx.reader.string(ctx.reader.get(item, "if"), "if") : undefined;
    ctx.previous =
      member === undefined
        ? undefined
        : {
            kind: member.kind,
            name: "name" in member ? member.name : "",
            cond: "cond" in member ? member.cond : undefined,
            condText: ifText,
          };
  }
  return members;
}

function declare(ctx: Context, name: string, at: Position): void {
  const bad = badFieldName(name);
  if (bad !== undefined) ctx.reader.report(at, bad);
  const previous = ctx.used.get(name);
  if (previous !== undefined) {
    const where =
      previous.line > 0
        ? ` (first at line ${previous.line})`
        : " (reserved for the union's discriminant)";
    ctx.reader.report(at, `"${name}" is defined twice${where}`);
  } else {
    ctx.used.set(name, at);
  }
}

function condition(ctx: Context, node: MapNode): ValueField["cond"] {
  const ifNode = ctx.reader.get(node, "if");
  const text = ctx.reader.string(ifNode, "if");
  if (text === undefined || ifNode === undefined) return undefined;
  return checkExpr(ctx.reader, text, ifNode, ctx.scope, "boolean", ctx.allNames);
}

/**
 * A member's `at`: its byte offset from the start of the enclosing record,
 * an expression over earlier fields (64-bit ones too).
 */
function position(ctx: Context, node: MapNode): ValueField["at"] {
  const atNode = ctx.reader.get(node, "at");
  const text = ctx.reader.string(atNode, "at");
  if (text === undefined || atNode === undefined) return undefined;
  if (ctx.inPayload) {
    ctx.reader.report(
      atNode.at,
      "a variant's fields are stored in sequence; `at` is for record members",
    );
    return undefined;
  }
  return checkExpr(ctx.reader, text, atNode, ctx.scope, "offset", ctx.allNames);
}

/** A size or count: an expression over earlier fields, of any width. */
function sizeExpression(ctx: Context, node: Located, key: string): ValueField["cond"] {
  const text = ctx.reader.string(node, key);
  return text === undefined
    ? undefined
    : checkExpr(ctx.reader, text, node, ctx.scope, "offset", ctx.allNames);
}

function validations(ctx: Context, node: MapNode): Validation[] {
  const result: Validation[] = [];
  for (const item of ctx.reader.seq(ctx.reader.get(node, "valid"), "valid")) {
    const m = ctx.reader.map(item, "a validation", ["check", "message"]);
    if (m === undefined) continue;
    const checkNode = ctx.reader.required(m, "check", "a validation");
    const text = ctx.reader.string(checkNode, "check");
    const message = ctx.reader.string(ctx.reader.required(m, "message", "a validation"), "message");
    if (text === undefined || checkNode === undefined || message === undefined) continue;
    const check = checkExpr(ctx.reader, text, checkNode, ctx.scope, "boolean", ctx.allNames);
    if (check !== undefined) result.push({ check, message, loc: ctx.reader.loc(m.at) });
  }
  return result;
}

function fieldEndian(ctx: Context, node: MapNode): Endian {
  const e = ctx.reader.get(node, "endian");
  const text = ctx.reader.string(e, "endian");
  if (text === undefined) return ctx.endian;
  if (text !== "big" && text !== "little") {
    ctx.reader.report(e!.at, `endian must be "big" or "little", got "${text}"`);
    return ctx.endian;
  }
  return text;
}

function intField(ctx: Context, node: MapNode, what: string): IntType | undefined {
  const typeNode = ctx.reader.required(node, "type", what);
  const text = ctx.reader.string(typeNode, "type");
  if (text === undefined) return undefined;
  const t = parseIntType(text, fieldEndian(ctx, node));
  if (t === undefined)
    ctx.reader.report(
      typeNode!.at,
      `${what} must have an integer type (u8 ... i64), not "${text}"`,
    );
  return t;
}

function checkMember(ctx: Context, item: Located, isLast: boolean): Member | undefined {
  const { reader } = ctx;
  if (item.kind !== "map") {
    reader.report(item.at, "a member must be a map");
    return undefined;
  }
  const kind = KINDS.find((k) => reader.get(item, k.key) !== undefined);
  const allowed: readonly string[] = kind?.allowed ?? VALUE_KEYS;
  const node = reader.map(
    item,
    kind === undefined ? "a field" : `a ${kind.key} member`,
    MEMBER_KEYS,
  )!;
  for (const e of node.entries) {
    if (MEMBER_KEYS.includes(e.key as (typeof MEMBER_KEYS)[number]) && !allowed.includes(e.key)) {
      reader.report(
        e.keyAt,
        `"${e.key}" does not belong in ${kind === undefined ? "a field" : `a ${kind.key} member`}; expected one of: ${allowed.join(", ")}`,
      );
    }
  }
  const doc = reader.string(reader.get(node, "doc"), "doc");
  const loc = reader.loc(node.at);

  if (kind?.key === "padding") {
    const sizeNode = reader.get(node, "padding")!;
    // A number of bytes, or an expression over earlier fields (zeros up to a table's fixed size).
    const isExpr = sizeNode.kind === "scalar" && typeof sizeNode.value === "string";
    const sizeExpr = isExpr ? sizeExpression(ctx, sizeNode, "padding") : undefined;
    const size = isExpr ? undefined : reader.integer(sizeNode, "padding");
    if (size !== undefined && (size < 1n || size > 65536n))
      reader.report(node.at, "padding must be between 1 and 65536 bytes");
    const cond = condition(ctx, node);
    if (isExpr && cond !== undefined)
      reader.report(
        node.at,
        "padding of a computed size cannot have an `if`; make its size 0 instead",
      );
    const ifText = reader.string(reader.get(node, "if"), "if");
    const before = ctx.previous;
    const follows =
      cond === undefined
        ? undefined
        : before?.kind === "value" && before.cond !== undefined && before.condText === ifText
          ? before.name
          : undefined;
    if (cond !== undefined && follows === undefined) {
      reader.report(
        node.at,
        "conditional padding must follow a field with the same `if`; it is present exactly when that field is",
      );
    }
    const keep = paddingKeep(reader, node, !isExpr, (name, at) => declare(ctx, name, at));
    return {
      kind: "padding",
      size: Number(size ?? 0n),
      sizeExpr,
      cond,
      follows,
      keep,
      doc,
      loc,
    };
  }

  const nameNode = reader.required(node, "name", "a member");
  const name = reader.string(nameNode, "name");
  if (name === undefined || nameNode === undefined) return undefined;
  declare(ctx, name, nameNode.at);

  switch (kind?.key) {
    case "group":
      return checkGroup(ctx, node, name, doc, loc, isLast);
    case "magic": {
      const valueNode = reader.get(node, "magic")!;
      const value = reader.string(valueNode, "magic");
      if (value === undefined) return undefined;
      if (value.length === 0 || value.length > 65536 || !/^[\x00-\xff]*$/.test(value)) {
        reader.report(
          valueNode.at,
          "a magic string holds 1 to 65536 bytes, each a character U+0000 to U+00FF",
        );
        return undefined;
      }
      return { kind: "magic", name, value, doc, loc };
    }
    case "checksum": {
      const type = intField(ctx, node, "a checksum");
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
    case "const": {
      const type = intField(ctx, node, "a constant");
      const value = reader.integer(reader.get(node, "const"), "const");
      if (type === undefined || value === undefined) return undefined;
      if (!fitsInt(value, type))
        reader.report(reader.get(node, "const")!.at, `${value} does not fit in ${intName(type)}`);
      ctx.scope.set(name, { type: type.bits === 64 ? "bigint" : "number" });
      return { kind: "const", name, type, value, doc, loc };
    }
    case "value": {
      const type = intField(ctx, node, "a computed field");
      const valueNode = reader.get(node, "value")!;
      const text = reader.string(valueNode, "value");
      const m = text === undefined ? null : /^\s*offset\(\s*([a-z_][a-z0-9_]*)\s*\)\s*$/.exec(text);
      if (text !== undefined && m === null)
        reader.report(
          valueNode.at,
          `a computed value must be offset(FIELD), the byte offset of a later field; got "${text}"`,
        );
      if (type === undefined || m === null) return undefined;
      if (type.bits === 64)
        reader.report(node.at, "a computed offset must be at most 32 bits wide");
      ctx.offsetTargets.push({
        name: m[1],
        at: valueNode.at,
        from: ctx.topIndex,
        inGroup: ctx.depth > 0,
        endsTopGroup: ctx.endsTopGroup,
      });
      ctx.scope.set(name, { type: "number" });
      return {
        kind: "computed",
        name,
        type,
        offsetOf: m[1],
        valid: validations(ctx, node),
        doc,
        loc,
      };
    }
    case "flags":
      return checkFlags(ctx, node, name, doc, loc);
    default:
      return checkValue(ctx, node, name, doc, loc, isLast);
  }
}

function checkGroup(
  ctx: Context,
  node: MapNode,
  name: string,
  doc: string | undefined,
  loc: ValueField["loc"],
  isLast: boolean,
): Member {
  const { reader } = ctx;
  const typeNode = reader.get(node, "group");
  const given = reader.string(typeNode, "group");
  const typeName = given ?? "Group";
  if (typeNode !== undefined && given !== undefined) {
    // The group's type becomes an interface beside the schema's types.
    const previous = ctx.groupNames.get(given);
    const bad =
      badTypeName(given) ??
      (ctx.table.has(given)
        ? `"${given}" is already the name of a type; a group needs a type name of its own`
        : previous !== undefined
          ? `"${given}" already names the group at line ${previous.line}`
          : undefined);
    if (bad !== undefined) reader.report(typeNode.at, bad);
    else ctx.groupNames.set(given, typeNode.at);
  }
  const cond = condition(ctx, node);
  const at = position(ctx, node);
  const before = new Set(ctx.scope.keys());
  const outer = ctx.endsTopGroup;
  ctx.endsTopGroup = ctx.depth === 0 || (outer && isLast);
  ctx.depth++;
  const members = checkSequence(
    ctx,
    reader.seq(reader.required(node, "fields", "a group"), "fields"),
  );
  ctx.depth--;
  ctx.endsTopGroup = outer;
  if (cond !== undefined) {
    for (const key of ctx.scope.keys()) {
      if (!before.has(key))
        ctx.scope.set(key, {
          ...ctx.scope.get(key)!,
          unavailable: `it is in the group "${name}", which is not always present`,
        });
    }
  }
  return {
    kind: "group",
    name,
    typeName,
    cond,
    at,
    members,
    absent: absentStyle(ctx, node, cond !== undefined),
    doc,
    loc,
  };
}

function checkFlags(
  ctx: Context,
  node: MapNode,
  name: string,
  doc: string | undefined,
  loc: ValueField["loc"],
): Member | undefined {
  const { reader } = ctx;
  const type = intField(ctx, node, "a flags field");
  if (type !== undefined && type.signed)
    reader.report(reader.get(node, "type")!.at, "a flags word must be unsigned");
  const flags = flagBits(ctx, reader.get(node, "flags"), type, true);
  const unknownNode = reader.required(node, "unknown", "a flags field");
  const unknown = reader.string(unknownNode, "unknown");
  if (unknown !== undefined && unknownNode !== undefined) declare(ctx, unknown, unknownNode.at);
  const cond = condition(ctx, node);
  if (cond !== undefined) {
    // The read, write and sizeof emitters have no code for a conditional flags word.
    reader.report(
      reader.get(node, "if")!.at,
      'a flags field cannot have an "if"; put it in a group with that "if"',
    );
  }
  if (type === undefined || unknown === undefined) return undefined;
  ctx.scope.set(name, {
    type: "number",
    unavailable:
      "a flags word's bits are separate properties; test them with if on a group instead",
  });
  return { kind: "flags", name, type, flags, unknown, cond, doc, loc };
}

function flagBits(
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

function checkValue(
  ctx: Context,
  node: MapNode,
  name: string,
  doc: string | undefined,
  loc: ValueField["loc"],
  isLast: boolean,
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
  if (int !== undefined) {
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
    else if (array && def.kind === "record" && countNode !== undefined) {
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
      !(key === "size" && (type.kind === "fixedString" || type.kind === "text"))
    ) {
      reader.report(
        n.at,
        `"${key}" applies to bytes${key === "size" ? ", string and text" : ""} fields only`,
      );
    }
  }
  if (countNode !== undefined && type.kind !== "array")
    reader.report(countNode.at, `"count" applies to arrays of records only`);
  if (encodingNode !== undefined && type.kind !== "text")
    reader.report(encodingNode.at, `"encoding" applies to text fields only`);
  if (isTag && type.kind !== "int") reader.report(node.at, "a tag field must be an integer");
  const bitsNode = reader.get(node, "bits");
  const bits =
    bitsNode === undefined
      ? []
      : flagBits(ctx, bitsNode, type.kind === "int" ? type : undefined, false);
  if (bitsNode !== undefined && type.kind !== "int")
    reader.report(bitsNode.at, "bits apply to integer fields only");

  const usable = type.kind === "int" || (type.kind === "enum" && type.enum.base.kind === "int");
  const scalar = type.kind === "int" && type.bits === 64 ? "bigint" : "number";
  // A field's own checks run only when it is there, so they may use it.
  if (usable) ctx.scope.set(name, { type: scalar });
  const validNode = reader.get(node, "valid");
  if (validNode !== undefined && type.kind !== "int")
    reader.report(validNode.at, "valid applies to integer fields only");
  const valid = validations(ctx, node);
  if (usable && cond !== undefined) {
    ctx.scope.set(name, {
      type: scalar,
      unavailable: "it is present only when its `if` holds",
    });
  }
  const absent = absentStyle(ctx, node, cond !== undefined);
  const tail = stringTail(
    reader,
    node,
    type,
    ctx.inPayload || cond !== undefined || at !== undefined,
    (tailName, tailAt) => declare(ctx, tailName, tailAt),
  );
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

function absentStyle(ctx: Context, node: MapNode, conditional: boolean): "option" | "omit" {
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
