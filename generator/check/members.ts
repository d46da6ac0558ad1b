/**
 * Check the members of records and variant payloads. Each member's kind is
 * decided by its distinctive key (the KINDS list) and checked by that
 * kind's own module; this file only dispatches, and resolves what needs the
 * whole list (offset and length targets).
 */
import type { Located, Position } from "../load.js";
import type { IntType, Member, ValueField } from "../model.js";
import { checkBitfield } from "./bitfield.js";
import { checkChecksum } from "./checksum.js";
import { checkComputed, checkLengthTargets, checkOffsetTargets } from "./computed.js";
import { checkConstant } from "./constant.js";
import { declare, type Context, type MemberInfo, type Shared } from "./context.js";
import { checkField } from "./field.js";
import { checkFlags } from "./flags.js";
import { checkGroup } from "./group.js";
import { checkMagic } from "./magic.js";
import { checkPadding } from "./padding.js";
import type { MapNode, Reader } from "./reader.js";

export type { Shared, TypeTable } from "./context.js";

type Check = (ctx: Context, node: MapNode, info: MemberInfo) => Member | undefined;

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
  "bitfield",
  "keep",
  "tail",
  "text",
  "terminator",
  "end",
] as const;

/**
 * What kind of member a map is, decided by its first distinctive key in
 * this order; each kind allows only its own keys. A map with none of them
 * is a plain field. `named: false` kinds have no name to declare.
 */
const KINDS: readonly { key: string; allowed: readonly string[]; check: Check; named?: false }[] = [
  {
    key: "padding",
    allowed: ["padding", "name", "if", "doc", "keep"],
    check: checkPadding,
    named: false,
  },
  {
    key: "group",
    allowed: ["name", "group", "if", "at", "doc", "fields", "absent"],
    check: checkGroup,
  },
  { key: "magic", allowed: ["name", "magic", "doc"], check: checkMagic },
  {
    key: "checksum",
    allowed: ["name", "type", "checksum", "doc", "endian", "text", "size", "terminator"],
    check: checkChecksum,
  },
  { key: "const", allowed: ["name", "type", "const", "doc", "endian"], check: checkConstant },
  {
    key: "value",
    allowed: ["name", "type", "value", "valid", "doc", "endian"],
    check: checkComputed,
  },
  {
    key: "bitfield",
    allowed: ["name", "type", "bitfield", "doc", "endian"],
    check: checkBitfield,
  },
  {
    key: "flags",
    allowed: ["name", "type", "flags", "unknown", "if", "doc", "endian"],
    check: checkFlags,
  },
];
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
  "text",
  "terminator",
  "keep",
  "end",
];

function newContext(
  reader: Reader,
  shared: Shared,
  inPayload: boolean,
  used: Context["used"],
): Context {
  const ctx: Context = {
    ...shared,
    reader,
    scope: new Map(),
    allNames: new Set(),
    used,
    offsetTargets: [],
    lengthTargets: [],
    topIndex: 0,
    depth: 0,
    endsTopGroup: true,
    inPayload,
    sequence: (items) => checkSequence(ctx, items),
  };
  return ctx;
}

/** Checks the members of a record. */
export function checkMembers(reader: Reader, items: Located[], shared: Shared): Member[] {
  const ctx = newContext(reader, shared, false, new Map());
  ctx.allNames = collectNames(items);
  const members = checkSequence(ctx, items);
  checkOffsetTargets(ctx, items, members);
  return members;
}

/** Checks the fields of a union variant; the fallback's first field must hold the tag. */
export function checkPayload(
  reader: Reader,
  items: Located[],
  shared: Shared,
  variant: { at: Position; fallback: boolean; tagType: IntType },
): ValueField[] {
  const { fallback, tagType } = variant;
  const ctx = newContext(
    reader,
    shared,
    true,
    new Map([["kind", { file: "", line: 0, col: 0, path: "" }]]),
  );
  ctx.allNames = collectNames(items);
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
      if ((e.key === "fields" || e.key === "bitfield") && e.value.kind === "seq")
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
  checkLengthTargets(ctx.reader, members, ctx.lengthTargets);
  return members;
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
  if (kind?.named === false) return kind.check(ctx, node, { name: "", doc, loc, isLast });

  const nameNode = reader.required(node, "name", "a member");
  const name = reader.string(nameNode, "name");
  if (name === undefined || nameNode === undefined) return undefined;
  declare(ctx, name, nameNode.at);
  return (kind?.check ?? checkField)(ctx, node, { name, doc, loc, isLast });
}
