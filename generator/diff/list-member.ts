/**
 * Changes to one member present in both revisions: its type (width,
 * signedness, byte order, size, or another type altogether), condition,
 * default, absent style, checks, named bits, magic value and computed
 * offset. Groups are compared member by member through `nested`.
 */
import { exprText, type Expr } from "../expr.js";
import type {
  FieldType,
  FixedStringType,
  IntType,
  Member,
  Validation,
  ValueField,
} from "../model.js";
import { computedText, fixedMemberSize, isOptionalField, storedType } from "../model.js";
import type { KeptPart } from "./change.js";
import type { ChangeList, Place } from "./change-list.js";
import { holds, intRange, type Lookup, type Tri } from "./conditions.js";
import { defaultText, memberText, renamedExprText, typeText } from "./describe.js";
import { listBitfield } from "./list-bitfield.js";
import { listFlagBits, listMasks } from "./list-bits.js";
import type { RecordPair } from "./record-pair.js";
import { memberShape } from "./shape.js";
import { intText, sameNames, tsTypeOf } from "./shape.js";
import { switchDetails } from "./switch-cases.js";

/** Is a field's value a bigint? */
function isBigValue(f: ValueField): boolean {
  return f.type.kind === "int" && f.type.bits === 64;
}

/** Does a member give the value properties (and the S-expression fields)? */
export function hasProperty(m: Member): boolean {
  return m.kind === "value" || m.kind === "group" || m.kind === "flags" || m.kind === "bitfield";
}

/** A padding's `keep` or a string's `tail`: the property odd bytes are kept in, if any. */
function compareKept(
  list: ChangeList,
  place: Place,
  part: KeptPart,
  o: string | undefined,
  n: string | undefined,
): void {
  if (o === n) return;
  const what = part === "padding" ? "non-zero padding" : "non-zero bytes after the NUL";
  list.add(
    // The subject is the kept property (the old one when it is dropped).
    { ...place, subject: `${place.subject.replace(/[^.]*$/, "")}${n ?? o}` },
    { kind: "kept-changed", part, kept: n !== undefined },
    n === undefined
      ? `${what} refused (was kept in ${o})`
      : `${what} kept in ${n}${o === undefined ? "" : ` (was ${o})`}`,
  );
}

/** Where a positioned field is: from the start of its record, or of the input. */
function atText(m: ValueField): string {
  return `at ${m.at === undefined ? "" : exprText(m.at)} from the ${m.fromInput === true ? "input" : "record"}`;
}

/** Where a field is found: in sequence, or by a search from the end (`search: N`). */
function searchText(m: ValueField): string {
  return m.search === undefined
    ? "stored in sequence"
    : `found searching the last ${m.search.within} bytes`;
}

export function compareMember(
  list: ChangeList,
  record: RecordPair,
  place: Place,
  o: Member,
  n: Member,
  nested: () => void,
): void {
  if (o.kind !== n.kind) {
    const storage = [storageOf(o), storageOf(n)];
    if (storage[0] !== undefined && storage[1] !== undefined) {
      list.add(
        place,
        {
          kind: "role-changed",
          from: o.kind,
          to: n.kind,
          // Padding is zeros of a size: any integer of that size stores them.
          sameStorage:
            storage[0] === storage[1] ||
            ((o.kind === "padding" || n.kind === "padding") &&
              fixedMemberSize(o) === fixedMemberSize(n)),
          property: { old: hasProperty(o), new: hasProperty(n) },
        },
        `was a ${memberText(o)}, now a ${memberText(n)}`,
      );
      return;
    }
    list.add(
      place,
      { kind: "type-changed", hasProperty: hasProperty(o) || hasProperty(n), tsTypeChanged: true },
      `was a ${memberText(o)}, now a ${memberText(n)}`,
    );
    return;
  }
  switch (o.kind) {
    case "byteOrder":
    case "switch": {
      // Not compared part by part yet: any change to a run-time choice is
      // reported as one change of type, which breaks data; code and text
      // break only where the properties it declares change type.
      const [before, after] = [memberShape(o, sameNames), memberShape(n, sameNames)];
      const declared = (m: Member, names: typeof sameNames): string =>
        m.kind === "switch"
          ? [
              ...m.fields.map((f) => `${f.name}: ${tsTypeOf(f.type, names)}`),
              ...m.flags.flatMap((w) => {
                const bits = [
                  ...w.flags.map((f) => `${f.name}: boolean`),
                  `${w.unknown}: ${w.type.bits === 64 ? "bigint" : "number"}`,
                ];
                return w.nested === undefined ? bits : [`${w.name}: { ${bits.join("; ")} }`];
              }),
              ...m.only.map(
                (f) =>
                  `${f.name}: ${tsTypeOf(f.type, names)}${f.cond === undefined ? "" : " | undefined"}`,
              ),
            ].join("; ")
          : "";
      if (before !== after)
        list.add(
          place,
          {
            kind: "type-changed",
            hasProperty: o.kind === "switch",
            tsTypeChanged: declared(o, list.typeNames) !== declared(n, sameNames),
          },
          `${memberText(o)} changed${switchDetails(o, n)}`,
        );
      return;
    }
    case "value": {
      const m = n as ValueField;
      const storage = (f: ValueField): string =>
        `${f.split === undefined ? "one piece" : `low ${f.split.lo.bits} of ${f.split.bits} bits here, the rest in ${f.split.high}`}${f.none === undefined ? "" : `, ${f.none} meaning absent`}`;
      if (storage(o) !== storage(m))
        list.add(
          place,
          {
            kind: "type-changed",
            hasProperty: true,
            tsTypeChanged:
              isOptionalField(o) !== isOptionalField(m) || isBigValue(o) !== isBigValue(m),
          },
          `stored as ${storage(o)} → ${storage(m)}`,
        );
      // What the field's own bytes hold (a split value's low half), compared as before.
      compareFieldType(list, place, storedType(o), storedType(m));
      compareCondition(list, record, place, o, m);
      compareKept(list, place, "string tail", o.tail, m.tail);
      if (o.search !== undefined && m.search !== undefined && o.search.within !== m.search.within)
        // A wider search finds records further from the end, which the narrower one misses.
        list.add(
          place,
          {
            kind: "validation-changed",
            newReadersMayReject: m.search.within < o.search.within,
            oldReadersMayReject: m.search.within > o.search.within,
          },
          `${searchText(o)} → ${searchText(m)}`,
        );
      else if ((o.search === undefined) !== (m.search === undefined))
        list.add(place, { kind: "offset-changed" }, `${searchText(o)} → ${searchText(m)}`);
      // A position counted from the input's start rather than the record's (`from: input`) is elsewhere.
      if (
        o.at !== undefined &&
        m.at !== undefined &&
        (o.fromInput === true) !== (m.fromInput === true)
      )
        list.add(place, { kind: "offset-changed" }, `${atText(o)} → ${atText(m)}`);
      if (defaultText(o.default) !== defaultText(m.default))
        list.add(
          place,
          {
            kind: "default-changed",
            before: o.default !== undefined,
            after: m.default !== undefined,
          },
          `default ${defaultText(o.default)} → ${defaultText(m.default)}`,
        );
      compareAbsent(list, place, o, m);
      compareChecks(list, record, place, o.valid, m.valid);
      listMasks(list, place, m.name, o.bits, m.bits);
      return;
    }
    case "const": {
      const m = n as typeof o;
      compareInt(list, place, o.type, m.type, false);
      if (o.value !== m.value)
        list.add(
          place,
          { kind: "const-changed" },
          `magic number 0x${o.value.toString(16)} → 0x${m.value.toString(16)}`,
        );
      return;
    }
    case "computed": {
      const m = n as typeof o;
      compareInt(list, place, o.type, m.type, false);
      const target = record.oldToNew.get(o.target) ?? o.target;
      if (target !== m.target || o.of !== m.of)
        list.add(
          place,
          { kind: "computed-changed" },
          `computed as ${computedText(o)} → ${computedText(m)}`,
        );
      compareChecks(list, record, place, o.valid, m.valid);
      return;
    }
    case "flags": {
      const m = n as typeof o;
      compareInt(list, place, o.type, m.type, true);
      listFlagBits(list, place, m.name, o.flags, m.flags);
      if (o.unknown !== m.unknown)
        list.add(
          { ...place, subject: `${place.subject}.${m.unknown}` },
          { kind: "unknown-bits-renamed" },
          `property for the unnamed bits of ${m.name} renamed from ${o.unknown} to ${m.unknown}`,
        );
      if ((o.nested === undefined) !== (m.nested === undefined))
        list.add(
          place,
          { kind: "flags-nesting-changed", nested: m.nested !== undefined },
          m.nested !== undefined
            ? `the bits of ${m.name} nested in its own object`
            : `the bits of ${m.name} flattened into the record`,
        );
      // A nested word's `if` is a group's: its object is present or absent.
      const asGroup = (x: typeof o) =>
        ({ kind: "group", cond: x.cond, absent: x.nested?.absent ?? "option" }) as const;
      compareCondition(list, record, place, asGroup(o), asGroup(m));
      compareAbsent(list, place, asGroup(o), asGroup(m));
      return;
    }
    case "bitfield":
      listBitfield(list, place, o, n as typeof o, (at, p, q) =>
        compareChecks(list, record, at, p.valid, q.valid),
      );
      return;
    case "padding": {
      const m = n as typeof o;
      if (o.size !== m.size)
        list.add(place, { kind: "size-changed" }, `padding ${o.size} → ${m.size} bytes`);
      compareCondition(list, record, place, o, m);
      compareKept(list, place, "padding", o.keep, m.keep);
      return;
    }
    case "group": {
      const m = n as typeof o;
      if (o.typeName !== m.typeName)
        list.add(
          place,
          { kind: "group-renamed" },
          `group interface renamed from ${o.typeName} to ${m.typeName}`,
        );
      compareCondition(list, record, place, o, m);
      compareAbsent(list, place, o, m);
      nested();
      return;
    }
  }
}

/**
 * What a member stores, for members that can trade roles (a plain integer,
 * a magic number, a computed offset, padding): an integer's width,
 * signedness and byte order, or a count of bytes. Undefined for others.
 */
function storageOf(m: Member): string | undefined {
  const int = (t: IntType): string => `${intText(t)} ${t.bits === 8 ? "" : t.endian}`;
  switch (m.kind) {
    case "value":
      return m.type.kind === "int" &&
        m.cond === undefined &&
        m.split === undefined &&
        m.none === undefined
        ? int(m.type)
        : undefined;
    case "const":
    case "computed":
      return int(m.type);
    case "padding":
      return m.cond === undefined ? `${m.size} bytes` : undefined;
    default:
      return undefined;
  }
}

/** Width, signedness and byte order of an integer. */
function compareInt(
  list: ChangeList,
  place: Place,
  o: IntType,
  n: IntType,
  property: boolean,
): void {
  if (o.bits !== n.bits) {
    const oldRange = intRange(o);
    const newRange = intRange(n);
    list.add(
      place,
      {
        kind: "width-changed",
        hasProperty: property,
        tsTypeChanged: property && (o.bits === 64) !== (n.bits === 64),
        rangeKept: newRange.lo <= oldRange.lo && newRange.hi >= oldRange.hi,
      },
      `${intText(o)} → ${intText(n)} (${o.bits / 8} → ${n.bits / 8} bytes)`,
    );
  } else if (o.signed !== n.signed) {
    list.add(
      place,
      { kind: "signedness-changed", hasProperty: property },
      `${intText(o)} → ${intText(n)}`,
    );
  }
  if (o.endian !== n.endian && o.bits > 8 && n.bits > 8)
    list.add(place, { kind: "byte-order-changed" }, `${o.endian}-endian → ${n.endian}-endian`);
}

function compareFieldType(list: ChangeList, place: Place, o: FieldType, n: FieldType): void {
  const changed = (): void =>
    list.add(
      place,
      {
        kind: "type-changed",
        hasProperty: true,
        tsTypeChanged: tsTypeOf(o, list.typeNames) !== tsTypeOf(n, sameNames),
      },
      `type ${typeText(o)} → ${typeText(n)}`,
    );
  if (o.kind === "int" && n.kind === "int") return compareInt(list, place, o, n, true);
  if (o.kind === "enum" && n.kind === "enum") {
    if (list.typeNames(o.enum.name) !== n.enum.name) return changed();
    const base = n.enum.base;
    if (o.endian !== n.endian && base.kind === "int" && base.bits > 8)
      list.add(place, { kind: "byte-order-changed" }, `${o.endian}-endian → ${n.endian}-endian`);
    return;
  }
  if (o.kind === "record" && n.kind === "record") {
    if (list.typeNames(o.record.name) !== n.record.name) changed();
    return;
  }
  if (o.kind === "array" && n.kind === "array") {
    if (list.typeNames(o.element.name) !== n.element.name) return changed();
    // How many entries, and how far apart: an expression (a let's, through it) that changes moves what follows.
    const spacing = (t: typeof o): string =>
      `${t.count === undefined ? "" : exprText(t.count)} ${t.stride === undefined ? "" : exprText(t.stride)} ${t.bytes === undefined ? "" : exprText(t.bytes)} ${t.block === undefined ? "" : exprText(t.block)}`;
    if (spacing(o) !== spacing(n))
      list.add(place, { kind: "size-changed" }, `${typeText(o)} → ${typeText(n)}`);
    return;
  }
  if (o.kind === "list" && n.kind === "list") {
    if (list.typeNames(o.union.name) !== n.union.name) changed();
    return;
  }
  if (o.kind === "fixedString" && n.kind === "fixedString") {
    if (o.size !== n.size)
      list.add(place, { kind: "size-changed" }, `string of ${o.size} → ${n.size} bytes`);
    else if (o.pad !== n.pad)
      list.add(
        place,
        { kind: "type-changed", hasProperty: true, tsTypeChanged: false },
        `${padText(o)} → ${padText(n)} string of ${n.size} bytes`,
      );
    return;
  }
  if (o.kind === "bytes" && n.kind === "bytes") {
    if (typeText(o) !== typeText(n))
      list.add(place, { kind: "size-changed" }, `${typeText(o)} → ${typeText(n)}`);
    return;
  }
  changed();
}

type Conditional = { cond: Expr | undefined; kind: Member["kind"] } & (
  { kind: "value" | "group"; absent: "option" | "omit" } | { kind: "padding" }
);

/** A member's `if`: where it is stored, and whether its property is optional. */
function compareCondition(
  list: ChangeList,
  record: RecordPair,
  place: Place,
  o: Conditional,
  n: Conditional,
): void {
  const toNew = (name: string): string => record.oldToNew.get(name) ?? name;
  const oldText = o.cond === undefined ? undefined : renamedExprText(o.cond, toNew);
  const newText = n.cond === undefined ? undefined : renamedExprText(n.cond, (x) => x);
  if (oldText === newText) return;
  const presence = (cond: Expr | undefined, lookup: Lookup): Tri =>
    cond === undefined ? "always" : holds(cond, lookup);
  const same = (a: Tri, b: Tri): boolean => a === b && a !== "maybe";
  const conditional = n.cond !== undefined ? n : o;
  list.add(
    place,
    {
      kind: "condition-changed",
      hasProperty: n.kind !== "padding",
      sameOnOldData: same(presence(o.cond, record.oldOwn), presence(n.cond, record.newOverOld)),
      sameOnNewData: same(presence(o.cond, record.oldOverNew), presence(n.cond, record.newOwn)),
      optionality:
        o.cond !== undefined && n.cond !== undefined
          ? "kept"
          : n.cond !== undefined
            ? "added"
            : "removed",
      absent: conditional.kind === "padding" ? "option" : conditional.absent,
    },
    `condition ${oldText === undefined ? "none" : `\`${oldText}\``} → ${newText === undefined ? "none" : `\`${newText}\``}`,
  );
}

function compareAbsent(
  list: ChangeList,
  place: Place,
  o: { cond: Expr | undefined; absent: "option" | "omit" },
  n: { cond: Expr | undefined; absent: "option" | "omit" },
): void {
  if (o.cond === undefined || n.cond === undefined || o.absent === n.absent) return;
  list.add(
    place,
    { kind: "absent-changed" },
    `printed when absent as ${o.absent === "option" ? "()" : "nothing"} → ${n.absent === "option" ? "()" : "nothing"}`,
  );
}

/** `valid:` checks, compared by their text. */
function compareChecks(
  list: ChangeList,
  record: RecordPair,
  place: Place,
  olds: Validation[],
  news: Validation[],
): void {
  const toNew = (name: string): string => record.oldToNew.get(name) ?? name;
  const oldTexts = olds.map((v) => renamedExprText(v.check, toNew));
  const newTexts = news.map((v) => renamedExprText(v.check, (x) => x));
  const added = news.filter((_, i) => !oldTexts.includes(newTexts[i]));
  const removed = olds.filter((_, i) => !newTexts.includes(oldTexts[i]));
  const messages = olds.map((v) => v.message).join("|") !== news.map((v) => v.message).join("|");
  if (added.length === 0 && removed.length === 0 && !messages) return;
  const parts =
    added.length === 1 && removed.length === 1
      ? [
          `check \`${oldTexts[olds.indexOf(removed[0])]}\` → \`${newTexts[news.indexOf(added[0])]}\``,
        ]
      : [
          ...added.map((v) => `check \`${renamedExprText(v.check, (x) => x)}\` added`),
          ...removed.map((v) => `check \`${renamedExprText(v.check, (x) => x)}\` removed`),
        ];
  list.add(
    { ...place, new: news[0]?.loc ?? place.new },
    {
      kind: "validation-changed",
      newReadersMayReject: added.some((v) => holds(v.check, record.newOverOld) !== "always"),
      oldReadersMayReject: removed.some((v) => holds(v.check, record.oldOverNew) !== "always"),
    },
    parts.length > 0 ? parts.join("; ") : "check messages changed",
  );
}

const padText = (t: FixedStringType): string => (t.pad === "space" ? "space-padded" : "NUL-padded");
