/**
 * Dotted names in expressions (`end.cd_offset`): a field of the record an
 * earlier record-typed field holds. The record may be declared after the
 * one being checked, before its members are, so its field is looked up in
 * the schema text: a top-level plain integer field that is always there.
 */
import type { RecordDef, TypeDef } from "../model.js";
import { parseIntType } from "./int.js";
import type { MapNode, Reader } from "./reader.js";
import type { ScopeEntry } from "./scope.js";

/** Keys that make a member something other than a plain field (see members.ts). */
const NOT_PLAIN = [
  "byte_order",
  "switch",
  "padding",
  "group",
  "magic",
  "checksum",
  "const",
  "value",
  "bitfield",
  "flags",
  "high",
];

const KIND_WORDS: Record<string, string> = {
  value: "a computed value",
  const: "a constant",
  magic: "a magic string",
  checksum: "a checksum",
  group: "a group",
  bitfield: "a bit field",
  flags: "a flags word",
  high: "a high half",
  padding: "padding",
};

/** The schema node of each record, by name, for looking up dotted names. */
export type RecordNodes = Map<string, MapNode>;

/** The record a scope entry's field holds, and how to find that record's fields. */
export interface HeldRecord {
  record: RecordDef;
  nodes: RecordNodes;
  table: ReadonlyMap<string, TypeDef>;
  reader: Reader;
}

/**
 * The entry for `path` (`cd_offset`, or `a.b` further down) in the record
 * `held` holds, or why it cannot be used.
 */
export function dottedEntry(held: HeldRecord, path: string[]): ScopeEntry | string {
  const { record, nodes, reader } = held;
  const [name, ...rest] = path;
  const node = nodes.get(record.name);
  const items = node === undefined ? [] : reader.seqQuiet(reader.get(node, "record"));
  const item = items.find(
    (i): i is MapNode =>
      i.kind === "map" &&
      i.entries.some(
        (e) => e.key === "name" && e.value.kind === "scalar" && String(e.value.value) === name,
      ),
  );
  const what = `${record.name} has no field "${name}" at its top level`;
  if (item === undefined || name === undefined) return what;
  const key = item.entries.find((e) => NOT_PLAIN.includes(e.key))?.key;
  if (key !== undefined)
    return `${record.name}.${name} is ${KIND_WORDS[key] ?? `a ${key} member`}, not a plain field (an expression can use a plain integer field of a record)`;
  for (const other of items)
    if (other.kind === "map" && text(reader, other, "high") === name)
      return `${record.name}.${name} is stored in two halves`;
  for (const k of ["if", "none", "at"])
    if (reader.get(item, k) !== undefined)
      return `${record.name}.${name} has \`${k}\`, so it may not be there`;
  const type = text(reader, item, "type");
  if (type === undefined) return what;
  if (rest.length > 0) {
    const inner = held.table.get(type);
    if (inner?.kind !== "record") return `${record.name}.${name} is not a record`;
    return dottedEntry({ ...held, record: inner }, rest);
  }
  const int = parseIntType(type, "big");
  if (int === undefined)
    return `${record.name}.${name} is not an integer (an expression can use only integer fields)`;
  return { type: int.bits === 64 ? "bigint" : "number" };
}

function text(reader: Reader, node: MapNode, key: string): string | undefined {
  const v = reader.get(node, key);
  return v?.kind === "scalar" ? String(v.value) : undefined;
}
