/**
 * How each kind of item is matched between revisions (see match.ts): types
 * by name or shape, enum values by name or stored value, variants by name
 * or tag, named bits by name or bit number. The change lister and the
 * verifier's value comparison use the same matchings.
 */
import type { EnumValue, FlagBit, Model, TypeDef, Variant } from "../model.js";
import { matchItems, type Pair } from "./match.js";
import { sameNames, typeShape, type TypeNames } from "./shape.js";
import { hexTag } from "./describe.js";

export function matchTypes(oldModel: Model, newModel: Model): Pair<TypeDef>[] {
  return matchItems(oldModel.types, newModel.types, {
    name: (t) => t.name,
    oldShape: (t) => typeShape(t, sameNames),
    newShape: (t) => typeShape(t, sameNames),
    positional: false,
  });
}

/** Old type names as the new revision spells them. */
export function typeRenames(pairs: Pair<TypeDef>[]): TypeNames {
  const renames = new Map<string, string>();
  for (const p of pairs)
    if (p.old !== undefined && p.new !== undefined) renames.set(p.old.name, p.new.name);
  return (name) => renames.get(name) ?? name;
}

export function valueText(value: number | string): string {
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

export function matchEnumValues(olds: EnumValue[], news: EnumValue[]): Pair<EnumValue>[] {
  return matchItems(olds, news, {
    name: (v) => v.name,
    oldShape: (v) => valueText(v.value),
    newShape: (v) => valueText(v.value),
    positional: false,
  });
}

export function tagText(v: Variant): string {
  return v.tag === undefined ? "any other tag" : hexTag(v.tag);
}

export function matchVariants(olds: Variant[], news: Variant[]): Pair<Variant>[] {
  return matchItems(olds, news, {
    name: (v) => v.name,
    oldShape: tagText,
    newShape: tagText,
    positional: false,
  });
}

export function matchBits(olds: FlagBit[], news: FlagBit[]): Pair<FlagBit>[] {
  return matchItems(olds, news, {
    name: (b) => b.name,
    oldShape: (b) => String(b.bit),
    newShape: (b) => String(b.bit),
    positional: false,
  });
}
