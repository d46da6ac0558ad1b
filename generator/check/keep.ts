/**
 * The `keep` constructs: places where a format's readers (QEMU, for qcow2)
 * accept bytes the specification says are zero, and a codec that refused
 * them could not read or write back such data. Each keeps the odd bytes in
 * an optional property, present only when they are odd, so ordinary values
 * do not change:
 *
 * - `end: { tag: 0, keep: End }` in a union's framing: an end marker with a
 *   non-zero length reads as a last entry `{ kind: "End", length }`;
 * - `padding: keep` in a union's framing: non-zero padding after a payload
 *   is kept in the entry's `padding`;
 * - `keep: name` on a padding member: its bytes, when not all zero;
 * - `tail: name` on a fixed-size string (or string enum) field: the bytes
 *   after the terminating NUL, when not all zero.
 */
import type { Located } from "../load.js";
import type { FieldType, UnionDef, ValueField, Variant } from "../model.js";
import { END_LENGTH_FIELD, UNION_PADDING_PROPERTY } from "../model.js";
import { badConstructorName, badFieldName } from "./names.js";
import type { MapNode, Reader } from "./reader.js";

/**
 * A union framing's `end`: the end tag, and the variant an end marker with a
 * non-zero length reads as when the schema keeps it.
 */
export function unionEnd(
  reader: Reader,
  node: Located | undefined,
  def: UnionDef,
  tagValue: (node: Located | undefined) => bigint | undefined,
): { end: bigint | undefined; kept: Variant | undefined } {
  if (node?.kind !== "map") return { end: tagValue(node), kept: undefined };
  const map = reader.map(node, "an end marker", ["tag", "keep", "doc"])!;
  const end = tagValue(reader.required(map, "tag", "an end marker"));
  const keepNode = reader.required(map, "keep", "an end marker");
  const name = reader.string(keepNode, "keep");
  if (name === undefined || keepNode === undefined) return { end, kept: undefined };
  const bad = badConstructorName(name);
  if (bad !== undefined) reader.report(keepNode.at, bad);
  const loc = reader.loc(keepNode.at);
  const doc =
    reader.string(reader.get(map, "doc"), "doc") ??
    "An end marker with a non-zero length, kept as the list's last entry; an end marker of length 0 has no entry.";
  const length: ValueField = {
    kind: "value",
    name: END_LENGTH_FIELD,
    type: def.length,
    cond: undefined,
    at: undefined,
    valid: [],
    bits: [],
    isTag: false,
    default: undefined,
    absent: "option",
    tail: undefined,
    search: undefined,
    split: undefined,
    none: undefined,
    doc: "The end marker's length (not zero)",
    loc,
  };
  return { end, kept: { name, tag: Number(end ?? 0n), members: [length], last: true, doc, loc } };
}

/** A union framing's `padding`: `zero` (the default; other bytes are an error) or `keep`. */
export function unionPadding(reader: Reader, framing: MapNode): boolean {
  const node = reader.get(framing, "padding");
  const text = reader.string(node, "padding");
  if (text === undefined || text === "zero") return false;
  if (text !== "keep") reader.report(node!.at, `padding must be "zero" or "keep", got "${text}"`);
  return text === "keep";
}

/** Problems of a union's kept parts once its variants are known. */
export function checkUnionKeep(
  reader: Reader,
  def: UnionDef,
  framing: MapNode | undefined,
  variantNodes: { name: string; fields: Located[] }[],
): void {
  const end = def.endKept;
  if (end !== undefined && def.variants.some((v) => v.name === end.name)) {
    const at = (reader.get(reader.get(framing!, "end") as MapNode, "keep") ?? framing!).at;
    reader.report(
      at,
      `${end.name} is already a variant; the kept end marker needs a name of its own`,
    );
  }
  if (!def.paddingKept) return;
  const paddingAt = reader.get(framing!, "padding")!.at;
  if (def.align === 1) reader.report(paddingAt, "padding: keep needs an align above 1");
  for (const v of variantNodes) {
    for (const field of v.fields) {
      if (field.kind !== "map") continue;
      const nameNode = reader.get(field, "name");
      if (nameNode?.kind === "scalar" && nameNode.value === UNION_PADDING_PROPERTY)
        reader.report(
          nameNode.at,
          `variant ${v.name} has a field "${UNION_PADDING_PROPERTY}", the property padding: keep keeps padding in`,
        );
    }
  }
}

/** A padding member's `keep`: the property its bytes are kept in when not all zero. */
export function paddingKeep(
  reader: Reader,
  node: MapNode,
  sized: boolean,
  declare: (name: string, at: Located["at"]) => void,
): string | undefined {
  const keepNode = reader.get(node, "keep");
  const name = reader.string(keepNode, "keep");
  if (name === undefined || keepNode === undefined) return undefined;
  if (!sized) {
    reader.report(keepNode.at, "keep applies to padding of a fixed number of bytes");
    return undefined;
  }
  declare(name, keepNode.at);
  return name;
}

/** A field's `tail`: the property the bytes after a fixed string's NUL are kept in. */
export function stringTail(
  reader: Reader,
  node: MapNode,
  type: FieldType,
  placed: boolean,
  declare: (name: string, at: Located["at"]) => void,
): string | undefined {
  const tailNode = reader.get(node, "tail");
  const name = reader.string(tailNode, "tail");
  if (name === undefined || tailNode === undefined) return undefined;
  if (placed) {
    reader.report(
      tailNode.at,
      "tail applies to a record's plain fields (no `if` or `at`; a variant's fields print by position)",
    );
    return undefined;
  }
  const isString =
    type.kind === "fixedString" || (type.kind === "enum" && type.enum.base.kind === "fixedString");
  if (!isString) {
    reader.report(tailNode.at, "tail applies to fixed-size string fields (string, string enums)");
    return undefined;
  }
  const base = type.kind === "enum" ? type.enum.base : type;
  if (base.kind === "fixedString" && base.pad === "space") {
    reader.report(
      tailNode.at,
      "tail keeps the bytes after a NUL; a space-padded string has no NUL, so nothing to keep",
    );
    return undefined;
  }
  const bad = badFieldName(name);
  if (bad !== undefined) {
    reader.report(tailNode.at, bad);
    return undefined;
  }
  declare(name, tailNode.at);
  return name;
}
