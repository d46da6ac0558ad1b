/**
 * Check: turn the located YAML tree into the model, reporting every problem
 * with file, line, column and schema path. Types are declared first and
 * filled in second, so records may refer to types written after them.
 */
import type { Located, Position } from "../load.js";
import type {
  Param,
  EnumDef,
  EnumValue,
  IntType,
  Member,
  Model,
  RecordDef,
  TypeDef,
  UnionDef,
  ValueField,
  Variant,
  VariantOrder,
} from "../model.js";
import { fixedTypeSize, searchedFirst } from "../model.js";
import { hashClash } from "../order.js";
import type { Problem } from "../problem.js";
import { fitsInt, intName, parseIntType } from "./int.js";
import { stringPad } from "./field.js";
import { headerOrder, tagValue, trailer } from "./framing.js";
import { NON_ZERO_MEMBERS, startsNonZero } from "./non-zero.js";
import { checkUnionKeep, unionEnd, unionPadding } from "./keep.js";
import { checkMembers, checkPayload, type Shared, type TypeTable } from "./members.js";
import { badConstructorName, badFieldName, badTypeName, FORMAT_NAME } from "./names.js";
import { Reader, type MapNode } from "./reader.js";

const TOP_KEYS = ["format", "doc", "endian", "root", "types"] as const;
const TYPE_KEYS = [
  "doc",
  "record",
  "params",
  "gaps",
  "enum",
  "open",
  "order",
  "values",
  "union",
  "variants",
] as const;

/** Checks a loaded schema; returns the model, or every problem found. */
export function checkSchema(file: string, root: Located): Model | { problems: Problem[] } {
  const reader = new Reader();
  const top = reader.map(root, "the schema", TOP_KEYS);
  if (top === undefined) return { problems: reader.problems };

  const format = reader.string(reader.required(top, "format", "the schema"), "format");
  if (format !== undefined && !FORMAT_NAME.test(format)) {
    reader.report(
      reader.get(top, "format")!.at,
      `format "${format}" must match ${FORMAT_NAME.source} (it names the generated file)`,
    );
  }
  const doc = reader.string(reader.get(top, "doc"), "doc");
  const endianNode = reader.get(top, "endian");
  const endianText = reader.string(endianNode, "endian") ?? "big";
  if (endianText !== "big" && endianText !== "little") {
    reader.report(endianNode!.at, `endian must be "big" or "little", got "${endianText}"`);
  }
  const endian = endianText === "little" ? "little" : "big";

  // Pass 1: declare every type so references can be resolved in any order.
  const typesNode = reader.required(top, "types", "the schema");
  const typesMap = typesNode === undefined ? undefined : reader.map(typesNode, "types");
  const declared: { def: TypeDef; node: MapNode }[] = [];
  const table: TypeTable = new Map();
  for (const entry of typesMap?.entries ?? []) {
    const node = reader.map(entry.value, `type ${entry.key}`, TYPE_KEYS);
    if (node === undefined) continue;
    const bad = badTypeName(entry.key);
    if (bad !== undefined) reader.report(entry.keyAt, bad);
    const def = declareType(reader, entry.key, node);
    if (def === undefined) continue;
    declared.push({ def, node });
    table.set(entry.key, def);
  }
  if (typesMap !== undefined && typesMap.entries.length === 0)
    reader.report(typesMap.at, "types is empty");

  // Pass 2: fill in members, variants and values.
  const recordNodes: Shared["recordNodes"] = new Map();
  for (const { def, node } of declared) if (def.kind === "record") recordNodes.set(def.name, node);
  const shared: Shared = {
    table,
    recordNodes,
    endian,
    groupNames: new Map(),
    arrays: [],
    searches: [],
    terminated: [],
    blocked: [],
  };
  // Parameters first: a record's fields pass arguments to records declared after it.
  for (const { def, node } of declared)
    if (def.kind === "record") def.params = checkParams(reader, node, table);
  for (const { def, node } of declared) {
    if (def.kind === "record") {
      def.members = checkMembers(
        reader,
        reader.seq(reader.get(node, "record"), "record"),
        shared,
        def.name,
        def.params,
        def.gaps,
      );
    }
    if (def.kind === "enum") def.values = checkEnumValues(reader, def, node);
    if (def.kind === "union") checkUnion(reader, def, node, shared);
  }

  // Pass 3: sizes, now that every record has its members.
  const infinite = checkRecordCycles(
    reader,
    declared.flatMap((d) => (d.def.kind === "record" ? [d.def] : [])),
  );
  for (const { element, at } of shared.arrays) {
    if (infinite.has(element)) continue;
    const size = fixedTypeSize({ kind: "record", record: element, args: [] });
    if (size === undefined)
      reader.report(at, `${element.name}[] needs ${element.name} to have a fixed size`);
    else if (size === 0)
      reader.report(at, `${element.name}[] needs ${element.name} to take at least one byte`);
  }

  checkSearches(reader, shared.searches);
  checkRestRecords(
    reader,
    declared.map((d) => d.def),
  );
  // sizeof of an array of records with parameters takes the room from its stride,
  // since a size worked out record by record would need a closure per call.
  for (const { def, node } of declared) {
    if (def.kind !== "record") continue;
    const items = reader.seqQuiet(reader.get(node, "record"));
    def.members.forEach((m) => {
      // A stride given as a number must leave room for the record it holds.
      if (m.kind === "value" && m.type.kind === "array" && m.type.stride?.kind === "num") {
        const size = infinite.has(m.type.element)
          ? undefined
          : fixedTypeSize({ kind: "record", record: m.type.element, args: [] });
        const stride = m.type.stride.value;
        if (size !== undefined && stride < BigInt(size)) {
          const item = items.find(
            (i) =>
              i.kind === "map" &&
              reader.get(i, "name")?.kind === "scalar" &&
              String((reader.get(i, "name") as { value: unknown }).value) === m.name,
          );
          const strideNode = item?.kind === "map" ? reader.get(item, "stride") : undefined;
          reader.report(
            (strideNode ?? item ?? node).at,
            `${m.name}: a stride of ${stride} bytes is less than the ${size} bytes of ${/^[AEIOU]/.test(m.type.element.name) ? "an" : "a"} ${m.type.element.name}`,
          );
        }
      }
      if (
        m.kind === "value" &&
        m.type.kind === "array" &&
        m.type.args.length > 0 &&
        m.type.stride === undefined &&
        m.type.bytes === undefined &&
        !infinite.has(m.type.element) &&
        fixedTypeSize({ kind: "record", record: m.type.element, args: [] }) === undefined
      ) {
        const at = items.find(
          (i) =>
            i.kind === "map" &&
            reader.get(i, "name")?.kind === "scalar" &&
            String((reader.get(i, "name") as { value: unknown }).value) === m.name,
        )?.at;
        reader.report(
          at ?? node.at,
          `${m.name}: ${m.type.element.name} has parameters and no fixed size, so an array of it needs a stride (or a size in bytes)`,
        );
      }
    });
  }
  for (const { element, size, at } of shared.terminated) {
    if (infinite.has(element)) continue;
    if (!startsNonZero(element.members, size))
      reader.report(
        at,
        `an array ended by ${size} zero bytes needs ${element.name} to hold, within its first ${size} bytes, a member that is never all zero (${NON_ZERO_MEMBERS}), so that no entry reads as the end`,
      );
  }
  for (const { element, at } of shared.blocked) {
    if (infinite.has(element)) continue;
    if (!startsNonZero(element.members, Infinity))
      reader.report(
        at,
        `records packed in blocks are told from the zeros that end each block by a member that is never all zero, at a fixed offset: ${element.name} needs one (${NON_ZERO_MEMBERS})`,
      );
  }

  const rootNode = reader.required(top, "root", "the schema");
  const rootName = reader.string(rootNode, "root");
  const rootDef = rootName === undefined ? undefined : table.get(rootName);
  if (rootNode !== undefined && rootName !== undefined && rootDef?.kind !== "record") {
    reader.report(
      rootNode.at,
      rootDef === undefined
        ? `root "${rootName}" is not a type of this schema`
        : `root "${rootName}" must be a record`,
    );
  }

  if (rootDef?.kind === "record" && rootDef.params.length > 0)
    reader.report(
      rootNode!.at,
      `root "${rootName}" has parameters; the root is read on its own, so it can have none`,
    );

  if (reader.problems.length > 0 || format === undefined || rootDef?.kind !== "record") {
    return { problems: reader.problems };
  }
  return {
    file,
    format,
    doc,
    endian,
    root: rootDef,
    types: declared.map((d) => d.def),
  };
}

/**
 * A record's `params`: integers (of at most 32 bits) or integer enums that
 * the record's expressions may use, given by the record that holds it.
 */
function checkParams(reader: Reader, node: MapNode, table: TypeTable): Param[] {
  const params: Param[] = [];
  for (const item of reader.seq(reader.get(node, "params"), "params")) {
    const m = reader.map(item, "a parameter", ["name", "type", "doc"]);
    if (m === undefined) continue;
    const nameNode = reader.required(m, "name", "a parameter");
    const name = reader.string(nameNode, "name");
    const typeNode = reader.required(m, "type", "a parameter");
    const typeText = reader.string(typeNode, "type");
    if (name === undefined || typeText === undefined) continue;
    const bad = badFieldName(name);
    if (bad !== undefined) reader.report(nameNode!.at, bad);
    if (params.some((p) => p.name === name))
      reader.report(nameNode!.at, `parameter "${name}" is given twice`);
    const int = parseIntType(typeText, "big");
    const def = table.get(typeText);
    let type: Param["type"] | undefined;
    if (int !== undefined && int.bits <= 32) type = int;
    else if (def?.kind === "enum" && def.base.kind === "int") type = def;
    if (type === undefined) {
      reader.report(
        typeNode!.at,
        `a parameter is an integer of at most 32 bits or an integer enum, not "${typeText}"`,
      );
      continue;
    }
    const doc = reader.string(reader.get(m, "doc"), "doc");
    params.push({ name, type, doc, loc: reader.loc(m.at) });
  }
  return params;
}

function declareType(reader: Reader, name: string, node: MapNode): TypeDef | undefined {
  const kinds = (["record", "enum", "union"] as const).filter(
    (k) => reader.get(node, k) !== undefined,
  );
  if (kinds.length !== 1) {
    reader.report(node.at, `type ${name} must have exactly one of "record", "enum" or "union"`);
    return undefined;
  }
  const doc = reader.string(reader.get(node, "doc"), "doc");
  const loc = reader.loc(node.at);
  const allowedBy = {
    record: ["doc", "record", "params", "gaps"],
    enum: ["doc", "enum", "open", "order", "values"],
    union: ["doc", "union", "order", "variants"],
  };
  for (const entry of node.entries) {
    if (!allowedBy[kinds[0]].includes(entry.key)) {
      reader.report(entry.keyAt, `"${entry.key}" does not belong in a ${kinds[0]} type`);
    }
  }
  switch (kinds[0]) {
    case "record":
      const gapsNode = reader.get(node, "gaps");
      const gaps = reader.string(gapsNode, "gaps") ?? "zero";
      if (gaps !== "zero" && gaps !== "untouched")
        reader.report(gapsNode!.at, `gaps must be "zero" or "untouched", got "${gaps}"`);
      return {
        kind: "record",
        name,
        doc,
        loc,
        members: [],
        params: [],
        gaps: gaps === "untouched" ? "untouched" : "zero",
      };
    case "enum": {
      const baseNode = reader.get(node, "enum")!;
      const base = enumBase(reader, baseNode);
      if (base === undefined) return undefined;
      const open = reader.boolean(reader.get(node, "open"), "open") ?? false;
      return {
        kind: "enum",
        name,
        doc,
        loc,
        base,
        open,
        order: variantOrder(reader, node),
        values: [],
      };
    }
    case "union":
      return {
        kind: "union",
        name,
        doc,
        loc,
        order: variantOrder(reader, node),
        variants: [],
        fallback: undefined,
        lengthFirst: false,
        align: 1,
        trailer: undefined,
        end: 0,
        endKept: undefined,
        paddingKept: false,
        tag: { kind: "int", bits: 32, signed: false, endian: "big" },
        length: { kind: "int", bits: 32, signed: false, endian: "big" },
      };
  }
}

/** A type's `order`: `declared` (the default) or `hash`. */
function variantOrder(reader: Reader, node: MapNode): VariantOrder {
  const orderNode = reader.get(node, "order");
  const text = reader.string(orderNode, "order") ?? "declared";
  if (text === "declared" || text === "hash") return text;
  reader.report(orderNode!.at, `order must be "declared" or "hash", got "${text}"`);
  return "declared";
}

/** Under `order: hash`, two names with one OCaml hash would compare equal (OCaml rejects them too). */
function checkHashes(
  reader: Reader,
  order: VariantOrder,
  names: readonly { name: string; at: Position }[],
): void {
  if (order !== "hash") return;
  const clash = hashClash(names.map((n) => n.name));
  const at = names.find((n) => n.name === clash?.name)?.at;
  if (clash !== undefined && at !== undefined)
    reader.report(
      at,
      `${clash.name} has the same OCaml hash as ${clash.earlier}, so order: hash cannot tell them apart`,
    );
}

function enumBase(reader: Reader, node: Located): EnumDef["base"] | undefined {
  if (node.kind === "map") {
    const m = reader.map(node, "a string enum base", ["string", "pad"]);
    const size =
      m === undefined
        ? undefined
        : reader.integer(reader.required(m, "string", "a string enum base"), "string size");
    if (size === undefined) return undefined;
    if (size < 1n || size > 65536n) {
      reader.report(node.at, "a fixed string size must be between 1 and 65536");
      return undefined;
    }
    return { kind: "fixedString", size: Number(size), ...stringPad(reader, reader.get(m!, "pad")) };
  }
  const text = reader.string(node, "enum");
  if (text === undefined) return undefined;
  const int = parseIntType(text, "big");
  if (int === undefined || int.bits === 64) {
    reader.report(
      node.at,
      `an enum is stored as u8, u16, u32, i8, i16, i32 or { string: SIZE }, not "${text}"`,
    );
    return undefined;
  }
  return int;
}

function checkEnumValues(reader: Reader, def: EnumDef, node: MapNode): EnumValue[] {
  const valuesNode = reader.required(node, "values", `enum ${def.name}`);
  const map = valuesNode === undefined ? undefined : reader.map(valuesNode, "values");
  const values: EnumValue[] = [];
  const seen = new Map<number | string, string>();
  for (const entry of map?.entries ?? []) {
    if (def.open && entry.key === "Unknown") {
      // S-expressions print an open enum's unknown values as (Unknown value).
      reader.report(
        entry.keyAt,
        "an open enum cannot name a value Unknown: (Unknown value) stands for values it does not list",
      );
    }
    const bad = badConstructorName(entry.key);
    if (bad !== undefined) reader.report(entry.keyAt, bad);
    let valueNode: Located | undefined = entry.value;
    let doc: string | undefined;
    if (entry.value.kind === "map") {
      const m = reader.map(entry.value, `enum value ${entry.key}`, ["value", "doc"])!;
      valueNode = reader.required(m, "value", `enum value ${entry.key}`);
      doc = reader.string(reader.get(m, "doc"), "doc");
    }
    if (valueNode === undefined) continue;
    const value = enumValue(reader, def, valueNode);
    if (value === undefined) continue;
    const previous = seen.get(value);
    if (previous !== undefined) {
      reader.report(valueNode.at, `${entry.key} has the same value as ${previous}`);
      continue;
    }
    seen.set(value, entry.key);
    values.push({ name: entry.key, value, doc, loc: reader.loc(entry.keyAt) });
  }
  if (map !== undefined && values.length === 0 && reader.problems.length === 0)
    reader.report(map.at, `enum ${def.name} has no values`);
  checkHashes(
    reader,
    def.order,
    (map?.entries ?? []).map((e) => ({ name: e.key, at: e.keyAt })),
  );
  return values;
}

function enumValue(reader: Reader, def: EnumDef, node: Located): number | string | undefined {
  if (def.base.kind === "fixedString") {
    const text = node.kind === "scalar" && typeof node.value === "string" ? node.value : undefined;
    if (text === undefined) {
      reader.report(node.at, `a value of the string enum ${def.name} must be a string`);
      return undefined;
    }
    if (!/^[\x01-\xff]*$/.test(text) || text.length === 0) {
      reader.report(
        node.at,
        "a string enum value must be 1 or more bytes (characters U+0001 to U+00FF), without NUL",
      );
      return undefined;
    }
    if (text.length > def.base.size) {
      reader.report(
        node.at,
        `"${text}" is ${text.length} bytes, longer than the ${def.base.size}-byte string`,
      );
      return undefined;
    }
    if (def.base.pad === "space" && text.endsWith(" ")) {
      reader.report(
        node.at,
        `"${text}" ends in a space; a space-padded string's value is its text without the padding`,
      );
      return undefined;
    }
    return text;
  }
  const n = reader.integer(node, "an enum value");
  if (n === undefined) return undefined;
  if (!fitsInt(n, def.base)) {
    reader.report(node.at, `${n} does not fit in ${intName(def.base)}`);
    return undefined;
  }
  return Number(n);
}

const UNION_KEYS = ["tag", "length", "header", "align", "trailer", "end", "padding"] as const;
const VARIANT_KEYS = ["name", "tag", "doc", "fallback", "last", "fields"] as const;

function checkUnion(reader: Reader, def: UnionDef, node: MapNode, shared: Shared): void {
  const { endian } = shared;
  const framing = reader.map(reader.get(node, "union")!, "union framing", UNION_KEYS);
  if (framing !== undefined) {
    const int = (key: string): IntType | undefined => {
      const n = reader.required(framing, key, "union framing");
      const text = reader.string(n, key);
      if (text === undefined) return undefined;
      const t = parseIntType(text, endian);
      if (t === undefined || t.signed || t.bits === 64) {
        reader.report(n!.at, `${key} must be u8, u16 or u32, not "${text}"`);
        return undefined;
      }
      return t;
    };
    def.tag = int("tag") ?? def.tag;
    def.length = int("length") ?? def.length;
    const align = reader.integer(reader.get(framing, "align"), "align") ?? 1n;
    if (align < 1n || align > 4096n)
      reader.report(reader.get(framing, "align")!.at, "align must be between 1 and 4096");
    def.align = Number(align);
    def.lengthFirst = headerOrder(reader, framing);
    def.trailer = trailer(reader, framing, endian, def.lengthFirst);
    if (def.trailer !== undefined && def.align > 1)
      reader.report(
        reader.get(framing, "trailer")!.at,
        "a trailer cannot follow padded payloads (align above 1)",
      );
    const endNode = reader.get(framing, "end");
    const { end, kept } =
      endNode === undefined
        ? { end: undefined, kept: undefined }
        : unionEnd(reader, endNode, def, (n) => tagValue(reader, n, def.tag, "end"));
    if (end !== undefined && !fitsInt(end, def.tag))
      reader.report(endNode!.at, `end ${end} does not fit in the tag`);
    def.end = endNode === undefined ? undefined : Number(end ?? 0n);
    def.endKept = kept;
    if (kept !== undefined && def.trailer !== undefined)
      reader.report(
        endNode!.at,
        "an end marker kept with its length has no trailer to verify; keep applies to unions without a trailer",
      );
    def.paddingKept = unionPadding(reader, framing);
  }

  const variantsNode = reader.required(node, "variants", `union ${def.name}`);
  const tags = new Map<number, string>();
  const names = new Set<string>();
  const named: { name: string; at: Position }[] = [];
  const variantFields: { name: string; fields: Located[] }[] = [];
  for (const item of reader.seq(variantsNode, "variants")) {
    const v = reader.map(item, "a variant", VARIANT_KEYS);
    if (v === undefined) continue;
    const name = reader.string(reader.required(v, "name", "a variant"), "name");
    if (name === undefined) continue;
    const bad = badConstructorName(name);
    if (bad !== undefined) reader.report(reader.get(v, "name")!.at, bad);
    if (names.has(name))
      reader.report(reader.get(v, "name")!.at, `variant ${name} is defined twice`);
    names.add(name);
    named.push({ name, at: reader.get(v, "name")!.at });
    const fallback = reader.boolean(reader.get(v, "fallback"), "fallback") ?? false;
    const last = reader.boolean(reader.get(v, "last"), "last") ?? false;
    const tagNode = reader.get(v, "tag");
    let tag: number | undefined;
    if (fallback) {
      if (tagNode !== undefined)
        reader.report(
          tagNode.at,
          "the fallback variant has no tag of its own; it takes every unknown tag",
        );
      if (def.fallback !== undefined)
        reader.report(
          v.at,
          `union ${def.name} already has a fallback variant, ${def.fallback.name}`,
        );
    } else {
      if (tagNode === undefined) reader.report(v.at, `variant ${name} needs "tag"`);
      const t = tagValue(reader, tagNode, def.tag, "tag");
      if (t !== undefined) {
        if (!fitsInt(t, def.tag))
          reader.report(tagNode!.at, `tag ${t} does not fit in ${intName(def.tag)}`);
        else if (def.end !== undefined && Number(t) === def.end)
          reader.report(tagNode!.at, `tag ${t} is the end marker`);
        else if (tags.has(Number(t)))
          reader.report(tagNode!.at, `tag ${t} is already used by ${tags.get(Number(t))}`);
        else tags.set(Number(t), name);
        tag = Number(t);
      }
    }
    const fieldNodes = reader.seq(reader.get(v, "fields"), "fields");
    variantFields.push({ name, fields: fieldNodes });
    const members = checkPayload(reader, fieldNodes, shared, {
      at: v.at,
      fallback,
      tagType: def.tag,
    });
    const variant: Variant = {
      name,
      tag,
      members,
      last,
      doc: reader.string(reader.get(v, "doc"), "doc"),
      loc: reader.loc(v.at),
    };
    def.variants.push(variant);
    if (fallback) def.fallback ??= variant;
  }
  if (def.variants.length === 0) reader.report(node.at, `union ${def.name} has no variants`);
  if (framing !== undefined) checkListEnd(reader, def, framing);
  if (def.endKept !== undefined)
    named.push({ name: def.endKept.name, at: endKeepAt(reader, framing) });
  checkUnionKeep(reader, def, framing, variantFields);
  checkHashes(reader, def.order, named);
}

/** A list ends either on the framing's `end` tag or on an entry of a `last` variant, not both. */
function checkListEnd(reader: Reader, def: UnionDef, framing: MapNode): void {
  const lasts = def.variants.filter((v) => v.last);
  if (def.end === undefined && lasts.length === 0)
    reader.report(
      framing.at,
      `union ${def.name} needs "end" (the tag that ends a list) or a variant with "last: true" (an entry that ends it)`,
    );
  if (def.end !== undefined && lasts.length > 0)
    reader.report(
      reader.get(framing, "end")!.at,
      `a list of ${def.name} ends on its ${lasts[0]!.name} entry (last: true), so it has no end tag`,
    );
}

/** Where a union framing's `end: { keep }` is written. */
function endKeepAt(reader: Reader, framing: MapNode | undefined): Position {
  const end = framing === undefined ? undefined : reader.get(framing, "end");
  return (end?.kind === "map" ? reader.get(end, "keep") : undefined)?.at ?? end!.at;
}

/**
 * Reports each record that contains itself through fields that are always
 * there (its size would be infinite, and computing it would never end), and
 * returns every record whose size is infinite.
 */
function checkRecordCycles(reader: Reader, records: RecordDef[]): Set<RecordDef> {
  const state = new Map<RecordDef, "visiting" | "done">();
  const infinite = new Set<RecordDef>();
  const path: string[] = [];
  const visit = (record: RecordDef): boolean => {
    if (state.get(record) === "done") return infinite.has(record);
    state.set(record, "visiting");
    path.push(record.name);
    let result = false;
    for (const { field, inner } of inlineRecords(record.members)) {
      if (state.get(inner) === "visiting") {
        const cycle = [...path.slice(path.indexOf(inner.name)), inner.name].join(" -> ");
        reader.report(
          field.loc,
          `field "${field.name}" makes ${inner.name} contain itself (${cycle}), so its size would be infinite; give the field an "if"`,
        );
        result = true;
      } else if (visit(inner)) {
        result = true;
      }
    }
    path.pop();
    state.set(record, "done");
    if (result) infinite.add(record);
    return result;
  };
  for (const record of records) visit(record);
  return infinite;
}

/**
 * A searched record's signature is its first member, a magic string or a
 * constant (in its stored byte order), so that the search can tell the
 * candidates at a glance.
 */
function checkSearches(reader: Reader, searches: Shared["searches"]): void {
  for (const { search, record, at } of searches) {
    const first = record.members[0];
    if (first?.kind === "magic") search.signature = first.value;
    else if (first?.kind === "const") search.signature = storedBytes(first.value, first.type);
    else {
      reader.report(
        at,
        `a searched record starts with its signature, but ${record.name}'s first member is not a magic string or a constant`,
      );
      continue;
    }
    if (search.within < search.signature.length)
      reader.report(
        at,
        `the search must look at least at the ${search.signature.length} bytes of ${record.name}'s signature`,
      );
  }
}

/** An integer's bytes as stored, one character a byte. */
function storedBytes(value: bigint, type: IntType): string {
  const n = type.bits / 8;
  const unsigned = BigInt.asUintN(type.bits, value);
  const bytes = Array.from({ length: n }, (_, i) =>
    String.fromCharCode(Number((unsigned >> BigInt(8 * i)) & 0xffn)),
  );
  return (type.endian === "little" ? bytes : bytes.reverse()).join("");
}

/**
 * A record whose last bytes run to the end of the input is read on its own
 * (the root, or an entry point), never as a field of another record: the
 * members after it would have no bytes left.
 */
function checkRestRecords(reader: Reader, defs: readonly TypeDef[]): void {
  const endsAtInput = new Set(
    defs.filter(
      (d): d is RecordDef =>
        d.kind === "record" &&
        (searchedFirst(d) !== undefined ||
          d.members.some(
            (m) => m.kind === "value" && m.type.kind === "bytes" && m.type.size.kind === "fill",
          )),
    ),
  );
  const visit = (members: readonly Member[]): void => {
    for (const m of members) {
      if (m.kind === "group") visit(m.members);
      if (m.kind !== "value") continue;
      const inner =
        m.type.kind === "record"
          ? m.type.record
          : m.type.kind === "array"
            ? m.type.element
            : undefined;
      if (inner !== undefined && endsAtInput.has(inner))
        reader.report(
          m.loc,
          `${inner.name} runs to the end of the input (${searchedFirst(inner) === undefined ? "its bytes with no size" : "it is found from there"}), so it is read on its own, not as a field`,
        );
    }
  };
  for (const d of defs) {
    if (d.kind === "record") visit(d.members);
    if (d.kind === "union") for (const v of d.variants) visit(v.members);
  }
}

/** Record-typed fields stored inline whenever `members` are (not behind an `if`). */
function inlineRecords(members: readonly Member[]): { field: ValueField; inner: RecordDef }[] {
  return members.flatMap((m) => {
    if (m.kind === "value" && m.cond === undefined && m.type.kind === "record")
      return [{ field: m, inner: m.type.record }];
    if (m.kind === "group" && m.cond === undefined) return inlineRecords(m.members);
    return [];
  });
}
