/**
 * What a member's checker works in: the schema-wide tables, the names in
 * scope, and the helpers every kind of member uses (its name, `if`, `at`,
 * sizes, checks, byte order and integer type).
 */
import type { Located, Position } from "../load.js";
import type {
  ByteOrder,
  Endian,
  IntType,
  Loc,
  Member,
  RecordDef,
  Search,
  TypeDef,
  Validation,
  ValueField,
} from "../model.js";
import type { PendingLength } from "./computed.js";
import type { RecordNodes } from "./dotted.js";
import { parseIntType } from "./int.js";
import { badFieldName } from "./names.js";
import type { MapNode, Reader } from "./reader.js";
import { checkExpr, type Scope } from "./scope.js";

export type TypeTable = Map<string, TypeDef>;

/** What the records and variants of one schema share while they are checked. */
export interface Shared {
  table: TypeTable;
  /** Each record's schema node, where a dotted name (`end.cd_offset`) finds its field. */
  recordNodes: RecordNodes;
  endian: Endian;
  /** Type names of groups, which become interfaces beside the types, with where each was given. */
  groupNames: Map<string, Position>;
  /**
   * `Record[]` fields, whose element size is checked once every record has
   * its members (the element may be declared after its use).
   */
  arrays: { element: RecordDef; at: Position }[];
  /** Searched fields, whose signature is their record's first member (known once every record is). */
  searches: { search: Search; record: RecordDef; at: Position }[];
  /**
   * Arrays ended by `size` zero bytes, whose element is checked (once every
   * record has its members) to hold bytes that are never all zero within
   * that many bytes of its start, so no element can read as the end.
   */
  terminated: { element: RecordDef; size: number; at: Position }[];
  /** Arrays packed in blocks (`block:`), whose element must likewise never be all zeros. */
  blocked: { element: RecordDef; at: Position }[];
}

export interface Context extends Shared {
  reader: Reader;
  /** The record's (or, inside a group, the group's) type name: nested flags words name their types after it. */
  owner: string;
  /**
   * The byte order of members without an `endian` of their own: the
   * schema's, or `chosen` after a `byte_order` member.
   */
  byteOrder: ByteOrder;
  /** The record's `byte_order` member, once seen (a record has at most one). */
  byteOrderAt?: Position;
  scope: Scope;
  /** Every name declared anywhere in this record, to tell "later" from "unknown". */
  allNames: Set<string>;
  /** Names already used, with where. */
  used: Map<string, Position>;
  /** `offset(x)` targets to resolve once every member is known. */
  offsetTargets: {
    of: "offset" | "end";
    name: string;
    at: Position;
    from: number;
    inGroup: boolean;
    endsTopGroup: boolean;
  }[];
  /** `size(x)` / `count(x)` targets, resolved when their member list is complete. */
  lengthTargets: PendingLength[];
  /** Index of the top-level member being checked, and how deep in groups we are. */
  topIndex: number;
  depth: number;
  /**
   * Inside groups: whether the innermost group ends where the top-level one
   * does (each nested group is the last member of its parent). A computed
   * offset is checked on read where its group ends.
   */
  endsTopGroup: boolean;
  /** Checks a nested member list (a group's fields) in this context. */
  sequence: (items: Located[]) => Member[];
  /** True inside a union variant, where the last field may fill the payload. */
  inPayload: boolean;
  /** True in a switch case's fields, where a let gives the case's value of a name every case gives. */
  inCase?: boolean;
  /** The members of the list being checked, so far (a high half finds its low half there). */
  siblings: Member[];
  /** Fields of this list that a later `high:` member completes, with that member's name. */
  highTargets: Map<string, string>;
  /** The member checked just before, with its `if` text (for conditional padding). */
  previous?: {
    kind: Member["kind"];
    name: string;
    cond: unknown;
    condText: string | undefined;
  };
}

/** What the dispatcher hands each kind's checker, besides the member's map. */
export interface MemberInfo {
  /** The member's name; empty for padding, which has none. */
  name: string;
  doc: string | undefined;
  loc: Loc;
  /** Is it the last member of its list (a variant's payload may end in a filler)? */
  isLast: boolean;
}

export function declare(ctx: Context, name: string, at: Position): void {
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

export function condition(ctx: Context, node: MapNode): ValueField["cond"] {
  const ifNode = ctx.reader.get(node, "if");
  const text = ctx.reader.string(ifNode, "if");
  if (text === undefined || ifNode === undefined) return undefined;
  return checkExpr(ctx.reader, text, ifNode, ctx.scope, "boolean", ctx.allNames, ctx.table);
}

/**
 * A member's `at`: its byte offset from the start of the enclosing record,
 * an expression over earlier fields (64-bit ones too).
 */
export function position(ctx: Context, node: MapNode): ValueField["at"] {
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
  return checkExpr(ctx.reader, text, atNode, ctx.scope, "offset", ctx.allNames, ctx.table);
}

/** A size or count: an expression over earlier fields, of any width. */
export function sizeExpression(ctx: Context, node: Located, key: string): ValueField["cond"] {
  const text = ctx.reader.string(node, key);
  return text === undefined
    ? undefined
    : checkExpr(ctx.reader, text, node, ctx.scope, "offset", ctx.allNames, ctx.table);
}

export function validations(ctx: Context, node: MapNode): Validation[] {
  const result: Validation[] = [];
  for (const item of ctx.reader.seq(ctx.reader.get(node, "valid"), "valid")) {
    const m = ctx.reader.map(item, "a validation", ["check", "message"]);
    if (m === undefined) continue;
    const checkNode = ctx.reader.required(m, "check", "a validation");
    const text = ctx.reader.string(checkNode, "check");
    const message = ctx.reader.string(ctx.reader.required(m, "message", "a validation"), "message");
    if (text === undefined || checkNode === undefined || message === undefined) continue;
    const check = checkExpr(
      ctx.reader,
      text,
      checkNode,
      ctx.scope,
      "boolean",
      ctx.allNames,
      ctx.table,
    );
    if (check !== undefined) result.push({ check, message, loc: ctx.reader.loc(m.at) });
  }
  return result;
}

/**
 * A member's byte order: its own `endian`, else the record's, which after
 * a `byte_order` member is `chosen` at run time.
 */
export function fieldEndian(ctx: Context, node: MapNode): ByteOrder {
  const e = ctx.reader.get(node, "endian");
  const text = ctx.reader.string(e, "endian");
  if (text === undefined) return ctx.byteOrder;
  if (text !== "big" && text !== "little") {
    ctx.reader.report(e!.at, `endian must be "big" or "little", got "${text}"`);
    return ctx.endian;
  }
  return text;
}

export function intField(ctx: Context, node: MapNode, what: string): IntType | undefined {
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

/** A conditional member's `absent`: how it prints in S-expressions when absent. */
export function absentStyle(ctx: Context, node: MapNode, conditional: boolean): "option" | "omit" {
  const n = ctx.reader.get(node, "absent");
  const text = ctx.reader.string(n, "absent");
  if (text === undefined) return "option";
  if (!conditional) ctx.reader.report(n!.at, "absent applies only to members with an `if`");
  if (text !== "option" && text !== "omit")
    ctx.reader.report(n!.at, `absent must be "option" or "omit", got "${text}"`);
  return text === "omit" ? "omit" : "option";
}
