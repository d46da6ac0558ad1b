/**
 * Changes to an enum both revisions have: how it is stored, whether it is
 * open, and its values (matched by name; a value renamed keeps its stored
 * value).
 */
import type { EnumDef } from "../model.js";
import { placeOf, type ChangeList } from "./change-list.js";
import { intRange } from "./conditions.js";
import { matchEnumValues, valueText } from "./matchers.js";
import { intText } from "./shape.js";

const baseText = (def: EnumDef): string =>
  def.base.kind === "int"
    ? intText(def.base)
    : `${def.base.size}-byte ${def.base.pad === "space" ? "space-padded " : ""}string`;

export function listEnum(list: ChangeList, o: EnumDef, n: EnumDef): void {
  const owners = [o.name, n.name];
  const place = placeOf(n.name, owners, o, n);
  if (baseText(o) !== baseText(n) || o.base.kind !== n.base.kind) {
    const kindsDiffer = o.base.kind !== n.base.kind;
    let narrowed = kindsDiffer;
    if (o.base.kind === "int" && n.base.kind === "int") {
      const before = intRange(o.base);
      const after = intRange(n.base);
      narrowed = after.lo > before.lo || after.hi < before.hi;
    }
    list.add(
      place,
      {
        kind: "enum-storage-changed",
        baseKindChanged: kindsDiffer,
        textNarrowed: o.open && n.open && narrowed,
      },
      `stored as ${baseText(o)} → ${baseText(n)}`,
    );
  }
  if (o.open !== n.open)
    list.add(
      place,
      { kind: "enum-open-changed", open: n.open },
      n.open
        ? "now open: unknown values are kept as { unknown }"
        : "now closed: unknown values are read errors",
    );

  if (o.order !== n.order)
    list.add(place, { kind: "order-changed" }, `compare order ${o.order} → ${n.order}`);

  for (const p of matchEnumValues(o.values, n.values)) {
    const value = (p.new ?? p.old)!;
    const at = placeOf(`${n.name}.${value.name}`, owners, p.old, p.new);
    const closedOrOpen = (open: boolean): string => (open ? "open" : "closed");
    if (p.old === undefined) {
      list.add(
        at,
        { kind: "enum-value-added", open: o.open },
        `value ${value.name} = ${valueText(value.value)} added to the ${closedOrOpen(o.open)} enum`,
      );
    } else if (p.new === undefined) {
      list.add(
        at,
        { kind: "enum-value-removed", open: n.open },
        `value ${value.name} = ${valueText(value.value)} removed from the ${closedOrOpen(n.open)} enum`,
      );
    } else {
      if (p.renamed)
        list.add(
          at,
          { kind: "enum-value-renamed" },
          `value ${valueText(value.value)} renamed from ${p.old.name} to ${p.new.name}`,
        );
      if (valueText(p.old.value) !== valueText(p.new.value))
        list.add(
          at,
          { kind: "enum-value-renumbered" },
          `${p.new.name} stored as ${valueText(p.old.value)} → ${valueText(p.new.value)}`,
        );
      list.doc(at, p.old, p.new);
    }
  }
}
