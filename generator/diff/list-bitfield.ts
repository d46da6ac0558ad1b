/**
 * Changes to a bit field word: its size and byte order, and each part's
 * place, width and checks. Parts are matched by name; an unmatched old and
 * new part on the same bits is a rename.
 */
import type { BitfieldMember, BitPart } from "../model.js";
import type { ChangeList, Place } from "./change-list.js";

function bitsText(p: BitPart): string {
  return p.bits === 1 ? `bit ${p.shift}` : `bits ${p.shift}-${p.shift + p.bits - 1}`;
}

export function listBitfield(
  list: ChangeList,
  place: Place,
  o: BitfieldMember,
  n: BitfieldMember,
  checks: (place: Place, o: BitPart, n: BitPart) => void,
): void {
  if (o.bytes !== n.bytes) {
    list.add(place, { kind: "size-changed" }, `bit field word u${o.bytes * 8} → u${n.bytes * 8}`);
    return;
  }
  if (o.endian !== n.endian && o.bytes > 1)
    list.add(place, { kind: "byte-order-changed" }, `${o.endian}-endian → ${n.endian}-endian`);
  const at = (p: BitPart | undefined, q: BitPart | undefined): Place => ({
    ...place,
    subject: `${place.subject}.${(q ?? p)!.name}`,
    old: p?.loc ?? place.old,
    new: q?.loc ?? place.new,
  });
  const unmatchedOld = o.parts.filter((p) => !n.parts.some((q) => q.name === p.name));
  const unmatchedNew = n.parts.filter((p) => !o.parts.some((q) => q.name === p.name));
  for (const q of n.parts) {
    const p = o.parts.find((x) => x.name === q.name);
    if (p === undefined) continue;
    if (p.bits !== q.bits)
      list.add(
        at(p, q),
        {
          kind: "width-changed",
          hasProperty: true,
          tsTypeChanged: p.bits > 32 !== q.bits > 32,
          rangeKept: q.bits >= p.bits,
        },
        `${p.bits} → ${q.bits} bits`,
      );
    else if (p.shift !== q.shift)
      list.add(
        at(p, q),
        { kind: "offset-changed" },
        `${bitsText(p)} → ${bitsText(q)} of ${n.name}`,
      );
    checks(at(p, q), p, q);
  }
  // S-expressions print the parts in the order listed.
  const common = (parts: BitPart[], other: BitPart[]): string =>
    parts
      .filter((p) => other.some((q) => q.name === p.name))
      .map((p) => p.name)
      .join(", ");
  const before = common(o.parts, n.parts);
  const after = common(n.parts, o.parts);
  if (before !== after)
    list.add(
      place,
      { kind: "member-moved", printOrderChanged: true },
      `parts listed ${before} → ${after}`,
    );
  for (const q of unmatchedNew) {
    const p = unmatchedOld.find((x) => x.shift === q.shift && x.bits === q.bits);
    if (p !== undefined) {
      list.add(
        at(p, q),
        { kind: "member-renamed", hasProperty: true },
        `part ${p.name} renamed to ${q.name}`,
      );
      continue;
    }
    list.add(
      at(undefined, q),
      { kind: "member-added", facts: partFacts() },
      `part ${q.name} (${bitsText(q)}) added`,
    );
  }
  for (const p of unmatchedOld) {
    if (unmatchedNew.some((q) => q.shift === p.shift && q.bits === p.bits)) continue;
    list.add(
      at(p, undefined),
      { kind: "member-removed", facts: partFacts() },
      `part ${p.name} (${bitsText(p)}) removed`,
    );
  }
}

/** A part's bits are in every word of both revisions; only its meaning comes and goes. */
function partFacts(): {
  member: "bitfield";
  hasProperty: true;
  inOwnData: "always";
  inOtherData: "always";
  atEnd: false;
  mayBeLeftOut: false;
} {
  return {
    member: "bitfield",
    hasProperty: true,
    inOwnData: "always",
    inOtherData: "always",
    atEnd: false,
    mayBeLeftOut: false,
  };
}
