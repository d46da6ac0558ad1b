/**
 * The types a value path passes through: `extensions[2].length` in a
 * Header passes through Header and Extension. Evidence found at a path is
 * attributed to the changes that touch one of these types. Paths come from
 * codec errors (`additional.header_length`), converter errors, and the
 * place where two printed S-expressions part, where a list entry shows as
 * its variant's name and a variant's fields by position
 * (`entries.Points[0].x`: the Points variant's only field, a list of
 * Point records, its first element's x).
 */
import type { FieldType, Member, Model, RecordDef, UnionDef, Variant } from "../../model.js";
import { unionKinds } from "../../model.js";
import { hexTag } from "../describe.js";

type Segment = string | number;

/**
 * The place of a union entry: the union and its tag, as the change lister
 * names the place of a variant (`Extension#0x23852875`); the fallback's
 * entries by the tag they hold.
 */
export function entryLocus(union: UnionDef, variant: Variant, entry: unknown): string {
  const held =
    typeof entry === "object" && entry !== null && variant.members.length > 0
      ? (entry as Record<string, unknown>)[variant.members[0].name]
      : undefined;
  const tag =
    variant.tag ??
    (typeof held === "number" ? Number(BigInt.asUintN(union.tag.bits, BigInt(held))) : undefined);
  return tag === undefined ? union.name : `${union.name}#${hexTag(tag)}`;
}

export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    segments.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return segments;
}

type State =
  | { kind: "members"; members: readonly Member[]; value: unknown }
  | {
      kind: "list";
      value: unknown;
      union: UnionDef;
    }
  | {
      kind: "array";
      value: unknown;
      element: RecordDef;
    }
  /** Inside an S-expression of a variant: its only field's value, or its fields by position. */
  | { kind: "args"; variant: Variant }
  | { kind: "end" };

/** Type names along `segments` of `value` (a root value of `model`, or undefined to follow types only). */
export function typesAlong(model: Model, value: unknown, segments: Segment[]): string[] {
  const types = [model.root.name];
  const property = (v: unknown, key: Segment): unknown =>
    typeof v === "object" && v !== null ? (v as Record<Segment, unknown>)[key] : undefined;
  /** The state inside a value of type `t` (pushing the types it names). */
  const enter = (t: FieldType, inner: unknown): State => {
    if (t.kind === "enum") types.push(t.enum.name);
    if (t.kind === "record") types.push(t.record.name);
    if (t.kind === "list") types.push(t.union.name);
    if (t.kind === "array") types.push(t.element.name);
    return t.kind === "record"
      ? { kind: "members", members: t.record.members, value: inner }
      : t.kind === "list"
        ? { kind: "list", union: t.union, value: inner }
        : t.kind === "array"
          ? { kind: "array", element: t.element, value: inner }
          : { kind: "end" };
  };
  let state: State = { kind: "members", members: model.root.members, value };
  const pending = [...segments];
  while (pending.length > 0) {
    const seg = pending.shift()!;
    if (state.kind === "end") break;
    if (state.kind === "args") {
      const fields = state.variant.members;
      // One field prints bare, so the segment already is inside it.
      if (fields.length === 1) {
        pending.unshift(seg);
        state = enter(fields[0].type, undefined);
        continue;
      }
      const field = typeof seg === "number" ? fields[seg] : undefined;
      state = field === undefined ? { kind: "end" } : enter(field.type, undefined);
      continue;
    }
    if (state.kind === "list" && typeof seg === "string") {
      const variant = unionKinds(state.union).find((v) => v.name === seg);
      if (variant === undefined) break;
      types.push(entryLocus(state.union, variant, undefined));
      state = { kind: "args", variant };
      continue;
    }
    if (state.kind === "list" || state.kind === "array") {
      if (typeof seg !== "number") break;
      const item = property(state.value, seg);
      if (state.kind === "array") {
        state = { kind: "members", members: state.element.members, value: item };
        continue;
      }
      const kind = property(item, "kind");
      const variant: Variant | undefined = unionKinds(state.union).find((v) => v.name === kind);
      if (variant !== undefined) types.push(entryLocus(state.union, variant, item));
      state =
        variant === undefined
          ? { kind: "end" }
          : { kind: "members", members: variant.members, value: item };
      continue;
    }
    const m: Member | undefined = state.members.find((x) => "name" in x && x.name === seg);
    if (m === undefined) continue; // e.g. a variant's name in an S-expression path
    const inner = property(state.value, seg);
    if (m.kind === "group") {
      types.push(m.typeName);
      state = { kind: "members", members: m.members, value: inner };
    } else if (m.kind === "value") {
      state = enter(m.type, inner);
    } else {
      state = { kind: "end" };
    }
  }
  return types;
}
