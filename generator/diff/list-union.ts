/**
 * Changes to a union both revisions have: its framing (tag and length
 * widths, alignment, end marker) and its variants, matched by name; a
 * variant renamed keeps its tag. Payloads are compared as records.
 */
import type { UnionDef, Variant } from "../model.js";
import type { VariantFacts } from "./change.js";
import { placeOf, type ChangeList } from "./change-list.js";
import { hexTag } from "./describe.js";
import { listRecord } from "./list-members.js";
import { matchVariants, tagText } from "./matchers.js";
import { intText } from "./shape.js";

/** Where evidence about a variant is found: its tag, or the whole union for the fallback. */
export function variantLocus(union: UnionDef, v: Variant): string {
  return v.tag === undefined ? union.name : `${union.name}#${hexTag(v.tag)}`;
}

/** A single byte has no byte order, so an 8-bit tag or length shows none. */
const framingText = (u: UnionDef, endian = true): string => {
  const int = (t: UnionDef["tag"]): string =>
    endian && t.bits > 8 ? `${intText(t)} ${t.endian}` : intText(t);
  const header = u.lengthFirst
    ? `length ${int(u.length)}, tag ${int(u.tag)}`
    : `tag ${int(u.tag)}, length ${int(u.length)}`;
  const t = u.trailer;
  const trailer =
    t === undefined ? "" : `, trailer ${t.algorithm} ${int(t.type)} over ${t.covers.join("+")}`;
  const end =
    u.end === undefined
      ? `ends on ${u.variants
          .filter((v) => v.last)
          .map((v) => v.name)
          .join(" or ")}`
      : `end ${u.end}`;
  return `${header}, align ${u.align}${trailer}, ${end}`;
};

/** The fields a variant's payload holds (a fallback's first field holds the tag instead). */
function payloadOf(v: Variant): Variant["members"] {
  return v.tag === undefined ? v.members.slice(1) : v.members;
}

function variantFacts(v: Variant, other: UnionDef): VariantFacts {
  const payload = payloadOf(v);
  const only = payload[0];
  return {
    isFallback: v.tag === undefined,
    otherHasFallback: other.fallback !== undefined,
    payloadTakesAnyBytes:
      payload.length === 1 &&
      only.type.kind === "bytes" &&
      only.type.size.kind === "fill" &&
      only.cond === undefined &&
      only.valid.length === 0,
  };
}

export function listUnion(list: ChangeList, o: UnionDef, n: UnionDef): void {
  const owners = [o.name, n.name];
  if (framingText(o, false) !== framingText(n, false))
    list.add(
      placeOf(n.name, owners, o, n),
      { kind: "framing-changed" },
      `framing ${framingText(o)} → ${framingText(n)}`,
    );
  else if (framingText(o) !== framingText(n))
    list.add(
      placeOf(n.name, owners, o, n),
      { kind: "byte-order-changed" },
      `entry tags and lengths ${framingText(o)} → ${framingText(n)}`,
    );
  const endName = (u: UnionDef): string | undefined => u.endKept?.name;
  if (endName(o) !== endName(n)) {
    const kept = n.endKept !== undefined;
    list.add(
      placeOf(n.name, owners, o, n),
      { kind: "kept-changed", part: "end marker", kept },
      kept
        ? `an end marker with a non-zero length is kept as a last ${endName(n)} entry${o.endKept === undefined ? "" : ` (was ${endName(o)})`}`
        : `an end marker with a non-zero length is refused (was kept as ${endName(o)})`,
    );
  }
  if (o.paddingKept !== n.paddingKept)
    list.add(
      placeOf(n.name, owners, o, n),
      { kind: "kept-changed", part: "entry padding", kept: n.paddingKept },
      n.paddingKept
        ? "non-zero padding after a payload is kept in the entry's padding"
        : "non-zero padding after a payload is refused (was kept)",
    );
  if (o.order !== n.order)
    list.add(
      placeOf(n.name, owners, o, n),
      { kind: "order-changed" },
      `compare order ${o.order} → ${n.order}`,
    );
  for (const p of matchVariants(o.variants, n.variants)) {
    const variant = (p.new ?? p.old)!;
    const subject = `${n.name}.${variant.name}`;
    const at = {
      ...placeOf(subject, owners, p.old, p.new),
      loci: [
        ...(p.old === undefined ? [] : [variantLocus(o, p.old)]),
        ...(p.new === undefined ? [] : [variantLocus(n, p.new)]),
      ],
    };
    if (p.old === undefined) {
      list.add(
        at,
        { kind: "variant-added", facts: variantFacts(variant, o) },
        `variant ${variant.name} (${tagText(variant)}) added`,
      );
    } else if (p.new === undefined) {
      list.add(
        at,
        { kind: "variant-removed", facts: variantFacts(variant, n) },
        `variant ${variant.name} (${tagText(variant)}) removed`,
      );
    } else {
      if (p.renamed)
        list.add(
          at,
          { kind: "variant-renamed" },
          `variant ${tagText(p.new)} renamed from ${p.old.name} to ${p.new.name}`,
        );
      if (tagText(p.old) !== tagText(p.new))
        list.add(
          at,
          { kind: "variant-tag-changed" },
          `${p.new.name}: tag ${tagText(p.old)} → ${tagText(p.new)}`,
        );
      list.doc(at, p.old, p.new);
      listRecord(list, {
        subject,
        owners: { old: o.name, new: n.name },
        loci: at.loci,
        old: p.old.members,
        new: p.new.members,
        isRoot: false,
        positional: true,
      });
    }
  }
}
