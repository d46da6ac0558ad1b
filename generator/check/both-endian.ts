/**
 * `endian: both` on an integer field: stored little-endian, then again
 * big-endian (ISO 9660's "both-byte orders", 7.2.3 and 7.3.3), so readers of
 * either order find it. The field is checked as a little-endian one and a
 * second member, its big-endian copy, follows it; the value has one
 * property.
 */
import type { Member } from "../model.js";
import type { MapNode, Reader } from "./reader.js";

/** Is the member `endian: both`? */
export function isBothEndian(reader: Reader, node: MapNode): boolean {
  const e = reader.get(node, "endian");
  return e?.kind === "scalar" && e.value === "both";
}

/** The node as a little-endian field, for the field's own checks. */
export function asLittleEndian(node: MapNode): MapNode {
  return {
    ...node,
    entries: node.entries.map((e) =>
      e.key === "endian" && e.value.kind === "scalar"
        ? { ...e, value: { ...e.value, value: "little" } }
        : e,
    ),
  };
}

/** The field and its big-endian copy, or the field alone (with a located error) when it cannot have one. */
export function withCopy(reader: Reader, node: MapNode, field: Member | undefined): Member[] {
  if (field === undefined) return [];
  const at = reader.get(node, "endian")!.at;
  if (field.kind !== "value" || field.type.kind !== "int" || field.type.bits === 8) {
    reader.report(at, "endian: both is for integer fields of 16, 32 or 64 bits (u16 ... i64)");
    return [field];
  }
  const why =
    field.cond !== undefined
      ? "an `if`"
      : field.at !== undefined
        ? "an `at`"
        : field.split !== undefined
          ? "a high half"
          : field.none !== undefined
            ? "a `none` value"
            : field.bits.length > 0
              ? "`bits`"
              : undefined;
  if (why !== undefined) {
    reader.report(
      at,
      `endian: both is for a field stored in sequence, always: this one has ${why}`,
    );
    return [field];
  }
  return [
    field,
    {
      kind: "mirror",
      of: field.name,
      type: { ...field.type, endian: "big" },
      doc: undefined,
      loc: field.loc,
    },
  ];
}
