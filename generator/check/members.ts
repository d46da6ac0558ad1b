/**
 * Check the members of records and variant payloads. Each member's kind is
 * decided by its distinctive key (the KINDS list) and checked by that
 * kind's own module; this file only dispatches, and resolves what needs the
 * whole list (offset and length targets).
 */
import type { Located, Position } from "../load.js";
import type { IntType, Member, Param, ValueField } from "../model.js";
import { isPositioned } from "../model.js";
import { asLittleEndian, isBothEndian, withCopy } from "./both-endian.js";
import { checkByteOrder } from "./byte-order.js";
import { checkSwitch } from "./switch.js";
import { checkBitfield } from "./bitfield.js";
import { checkChecksum } from "./checksum.js";
import { checkComputed, checkLengthTargets, checkOffsetTargets } from "./computed.js";
import { checkConstant } from "./constant.js";
import { declare, type Context, type MemberInfo, type Shared } from "./context.js";
import { checkField } from "./field.js";
import { checkFlags } from "./flags.js";
import { checkGroup } from "./group.js";
import { checkHigh, highTargets } from "./high.js";
import { checkLet } from "./let.js";
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
  "nested",
  "bits",
  "padding",
  "group",
  "fields",
  "size",
  "prefix",
  "terminator",
  "pad",
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
  "search",
  "from",
  "high",
  "none",
  "covers",
  "when",
  "args",
  "stride",
  "block",
  "byte_order",
  "little",
  "big",
  "switch",
  "cases",
  "text",
  "base256",
  "end",
  "let",
] as const;

/**
 * What kind of member a map is, decided by its first distinctive key in
 * this order; each kind allows only its own keys. A map with none of them
 * is a plain field. `named: false` kinds have no `name` to declare (a let
 * declares the name it gives under `let` itself).
 */
const KINDS: readonly { key: string; allowed: readonly string[]; check: Check; named?: false }[] = [
  {
    key: "padding",
    allowed: ["padding", "name", "if", "doc", "keep"],
    check: checkPadding,
    named: false,
  },
  {
    key: "byte_order",
    allowed: ["byte_order", "little", "big", "doc"],
    check: checkByteOrder,
    named: false,
  },
  { key: "switch", allowed: ["switch", "cases", "doc"], check: checkSwitch, named: false },
  {
    key: "group",
    allowed: ["name", "group", "if", "at", "doc", "fields", "absent"],
    check: checkGroup,
  },
  { key: "magic", allowed: ["name", "magic", "doc"], check: checkMagic },
  {
    key: "checksum",
    allowed: [
      "name",
      "type",
      "checksum",
      "covers",
      "when",
      "keep",
      "doc",
      "endian",
      "text",
      "size",
      "terminator",
    ],
    check: checkChecksum,
  },
  { key: "const", allowed: ["name", "type", "const", "doc", "endian"], check: checkConstant },
  // Before `value`, which a let has too: `let` is what tells them apart.
  { key: "let", allowed: ["let", "value", "doc"], check: checkLet, named: false },
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
    allowed: ["name", "type", "flags", "unknown", "nested", "if", "absent", "doc", "endian"],
    check: checkFlags,
  },
  { key: "high", allowed: ["name", "type", "high", "doc", "endian"], check: checkHigh },
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
  "terminator",
  "pad",
  "endian",
  "tag",
  "default",
  "absent",
  "tail",
  "search",
  "from",
  "none",
  "args",
  "stride",
  "block",
  "text",
  "base256",
  "keep",
  "end",
];

function newContext(
  reader: Reader,
  shared: Shared,
  inPayload: boolean,
  used: Context["used"],
  owner: string,
): Context {
  const ctx: Context = {
    ...shared,
    owner,
    byteOrder: shared.endian,
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
    siblings: [],
    highTargets: new Map(),
    sequence: (items) => checkSequence(ctx, items),
  };
  return ctx;
}

/** Checks the members of a record. */
export function checkMembers(
  reader: Reader,
  items: Located[],
  shared: Shared,
  owner: string,
  params: readonly Param[] = [],
  gaps: "zero" | "untouched" = "zero",
): Member[] {
  const ctx = newContext(reader, shared, false, new Map(), owner);
  ctx.allNames = collectNames(items);
  // Parameters are names like earlier fields, always there.
  for (const p of params) {
    declare(ctx, p.name, p.loc);
    ctx.scope.set(p.name, {
      type: "number",
      ...(p.type.kind === "enum" ? { enum: p.type } : {}),
    });
  }
  const members = checkSequence(ctx, items);
  checkOffsetTargets(ctx, items, members);
  checkRestPlacement(reader, members, gaps);
  return members;
}

/**
 * Size-less bytes at a record's top level run to the end of the input, so
 * they are its last member, or are followed only by a searched record,
 * which they run up to. A searched record is found that way, or, in a
 * record with `gaps: untouched`, first with only positioned parts after it
 * (the bytes before it are gaps, where the parts it points at lie).
 */
function checkRestPlacement(reader: Reader, members: Member[], gaps: "zero" | "untouched"): void {
  const first = members[0];
  if (
    first?.kind === "value" &&
    first.search !== undefined &&
    gaps === "untouched" &&
    members.slice(1).every((m) => isPositioned(m) || m.kind === "let")
  )
    return;
  members.forEach((m, i) => {
    if (m.kind !== "value") return;
    const next = members[i + 1];
    const searched = next?.kind === "value" && next.search !== undefined;
    if (isRest(m) && !(i === members.length - 1 || (searched && i === members.length - 2)))
      reader.report(
        m.loc,
        "bytes with no size run to the end of the input, so they must be the record's last member, or be followed only by a searched record",
      );
    if (m.search !== undefined && !(i === members.length - 1 && i > 0 && isRest(members[i - 1]!)))
      reader.report(
        m.loc,
        "a searched record must be its record's last member, right after bytes with no size that run up to where it is found, or, in a record with `gaps: untouched`, its first with only members at an `at` after it",
      );
  });
}

function isRest(m: Member): boolean {
  return m.kind === "value" && m.type.kind === "bytes" && m.type.size.kind === "fill";
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
    // A variant holds plain fields only, so no flags word is named after it.
    "",
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
      if ((e.key === "name" || e.key === "let") && e.value.kind === "scalar")
        names.add(String(e.value.value));
      if ((e.key === "fields" || e.key === "bitfield") && e.value.kind === "seq")
        for (const n of collectNames(e.value.items)) names.add(n);
      if (e.key === "cases" && e.value.kind === "seq")
        for (const c of e.value.items)
          for (const n of collectNames(c.kind === "map" ? [c] : [])) names.add(n);
    }
  }
  return names;
}

function checkSequence(ctx: Context, items: Located[]): Member[] {
  const members: Member[] = [];
  const outer = { siblings: ctx.siblings, highTargets: ctx.highTargets };
  const targets = highTargets(ctx, items);
  for (const [index, item] of items.entries()) {
    if (ctx.depth === 0) ctx.topIndex = index;
    ctx.siblings = members;
    ctx.highTargets = targets;
    const checked = checkMember(ctx, item, index === items.length - 1);
    members.push(...checked);
    const member = checked[0];
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
  ctx.siblings = outer.siblings;
  ctx.highTargets = outer.highTargets;
  checkLengthTargets(ctx.reader, members, ctx.lengthTargets);
  return members;
}

/** The member an item of a list of members is (two for a both-endian field), or none when it is wrong. */
function checkMember(ctx: Context, item: Located, isLast: boolean): Member[] {
  const { reader } = ctx;
  if (item.kind !== "map") {
    reader.report(item.at, "a member must be a map");
    return [];
  }
  if (isBothEndian(reader, item))
    return withCopy(reader, item, checkOneMember(ctx, asLittleEndian(item), isLast));
  const member = checkOneMember(ctx, item, isLast);
  return member === undefined ? [] : [member];
}

function checkOneMember(ctx: Context, item: MapNode, isLast: boolean): Member | undefined {
  const { reader } = ctx;
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
