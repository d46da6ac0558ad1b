/**
 * Data rules: for each change, can the new codec read what the old codec
 * wrote (new readers), and can the old codec read what the new codec writes
 * (old readers)? Reading means succeeding and getting back what was written,
 * as far as both revisions can express it. The reasons are about bytes:
 * where they are, how many, and what each codec accepts.
 */
import type { Change, MemberFacts, VariantFacts } from "../change.js";
import { dataVerdict, swapDirections, type DataVerdict } from "../verdict.js";

export interface DataRuling {
  verdict: DataVerdict;
  why: string;
}

const ok = (why: string): DataRuling => ({ verdict: "compatible", why });
const both = (why: string): DataRuling => ({ verdict: "breaks both", why });
const oldReaders = (why: string): DataRuling => ({ verdict: "breaks old readers", why });
const newReaders = (why: string): DataRuling => ({ verdict: "breaks new readers", why });

export function dataRule(c: Change): DataRuling {
  switch (c.kind) {
    case "format-renamed":
    case "type-renamed":
    case "member-renamed":
    case "variant-renamed":
    case "enum-value-renamed":
    case "flag-renamed":
    case "group-renamed":
    case "unknown-bits-renamed":
      return ok("names are not stored");
    case "flags-nesting-changed":
      return ok("the same word is stored either way");
    case "doc-changed":
      return ok("");
    case "type-added":
    case "type-removed":
      return ok("a type is stored only where a field uses it, and such fields are listed");
    case "root-changed":
      return both("the root is another type, so the bytes are laid out differently");
    case "type-kind-changed":
      return both("values of the type are stored in another way");
    case "enum-value-added":
      return c.open
        ? ok("the open old codec reads the new value as { unknown } and writes it back as it was")
        : oldReaders("new data may hold the new value, which the closed old enum rejects");
    case "enum-value-removed":
      return c.open
        ? ok("the open new codec reads the old value as { unknown }")
        : newReaders("old data may hold the removed value, which the closed new enum rejects");
    case "enum-value-renumbered":
      return both(
        "the name is stored as another number: each codec misreads or rejects the other's",
      );
    case "enum-open-changed":
      return c.open
        ? oldReaders("the new codec may write unlisted values, which the closed old codec rejects")
        : newReaders("old data may hold unlisted values, which the closed new codec rejects");
    case "order-changed":
      return ok("the order compare uses is not stored");
    case "kept-changed":
      return c.kept
        ? ok(
            "the new codec reads what the old one read into the same values, and keeps the odd bytes the old one refused; it writes such bytes back only where it read them, in data the old codec refused already",
          )
        : newReaders("old data may hold odd bytes the old codec kept, which the new one refuses");
    case "enum-storage-changed":
      return both("the value is stored in another width or encoding");
    case "variant-added":
      return variantAdded(c.facts, "old", "new");
    case "variant-removed": {
      const r = variantAdded(c.facts, "new", "old");
      return { verdict: swapDirections(r.verdict), why: r.why };
    }
    case "variant-tag-changed":
      return both("the variant is stored under another tag");
    case "framing-changed":
      return both("every entry is framed differently");
    case "member-added":
      return memberAdded(c.facts, "old", "new");
    case "member-removed": {
      const r = memberAdded(c.facts, "new", "old");
      return { verdict: swapDirections(r.verdict), why: r.why };
    }
    case "member-moved":
      return both("the members are stored in another order");
    case "members-regrouped": {
      if (!c.samePlaces) return both("the moved members are stored at other places");
      if (c.sameOnOldData && c.sameOnNewData)
        return ok(
          "the same bytes in the same places, present in exactly the same data: groups are not stored, only how the value nests them changed",
        );
      const why = [
        c.sameOnOldData
          ? ""
          : "under the new groups' conditions, old data may hold the moved members where the new codec does not read them, or lack them where it does",
        c.sameOnNewData
          ? ""
          : "new data may hold them where the old codec does not expect them, or the other way round",
      ].filter((s) => s !== "");
      return { verdict: dataVerdict(!c.sameOnNewData, !c.sameOnOldData), why: why.join("; ") };
    }
    case "width-changed":
      return both("it takes another number of bytes, so what follows moves");
    case "signedness-changed":
      return c.hasProperty
        ? both(
            "the same bits read as another number past the signed range (−5 as 4294967291 in 32 bits, and back)",
          )
        : ok("the bits are the same, and no value shows them as a number");
    case "byte-order-changed":
      return both("each codec reads the other's bytes in reverse order");
    case "size-changed":
      return both("it takes another number of bytes, so what follows moves");
    case "type-changed":
      return both("it is stored as another type");
    case "role-changed": {
      if (!c.sameStorage) return both("it is stored as another type");
      const checked = (kind: string): string | undefined =>
        kind === "const"
          ? "checks the magic number"
          : kind === "computed"
            ? "checks the stored offset against its layout"
            : kind === "padding"
              ? "checks that the bytes are zero"
              : undefined;
      const oldCheck = checked(c.from);
      const newCheck = checked(c.to);
      const reasons = [
        newCheck === undefined
          ? ""
          : `the same bytes, but the new codec ${newCheck}, which old data need not pass`,
        oldCheck === undefined
          ? ""
          : `the same bytes, but the old codec ${oldCheck}, which new data need not pass`,
      ].filter((r) => r !== "");
      return {
        verdict: dataVerdict(oldCheck !== undefined, newCheck !== undefined),
        why: reasons.join("; ") || "the same bytes, read and written the same way",
      };
    }
    case "offset-changed":
      return both("it is stored at another byte");
    case "condition-changed": {
      const why = [
        c.sameOnOldData
          ? ""
          : "old data may hold it where the new condition says it is absent, or not hold it where it says present",
        c.sameOnNewData
          ? ""
          : "new data may hold it where the old condition says it is absent, or the other way round",
      ].filter((s) => s !== "");
      return {
        verdict: dataVerdict(!c.sameOnNewData, !c.sameOnOldData),
        why: why.length === 0 ? "both conditions select the same data" : why.join("; "),
      };
    }
    case "default-changed":
    case "absent-changed":
    case "flag-default-changed":
      return ok("defaults and absent styles apply only to S-expressions");
    case "const-changed":
      return both("each codec rejects the other's magic number");
    case "computed-changed":
      return both(
        "the stored offset points elsewhere, and each codec checks it against its own layout",
      );
    case "validation-changed":
      return {
        verdict: dataVerdict(c.oldReadersMayReject, c.newReadersMayReject),
        why:
          [
            c.newReadersMayReject ? "old data may fail a check the new codec adds" : "",
            c.oldReadersMayReject ? "new data may fail a check only the old codec makes" : "",
          ]
            .filter((s) => s !== "")
            .join("; ") || "every check added holds for all old data",
      };
    case "flag-added":
      return ok("the old codec keeps the bit among the unnamed bits, and writes it back");
    case "flag-removed":
      return ok("the new codec keeps the bit among the unnamed bits, and writes it back");
    case "flag-moved":
      return both("the flag is stored in another bit");
    case "mask-added":
    case "mask-removed":
    case "mask-renamed":
    case "mask-moved":
      return ok("masks are constants for code; the stored integer is the same");
  }
}

/**
 * A variant `has` has and `lacks` lacks; the verdict is for the variant
 * added (`lacks` = old) and is swapped by the caller for a removal.
 */
function variantAdded(f: VariantFacts, lacks: string, has: string): DataRuling {
  if (f.isFallback)
    return oldReaders(
      `${has} data may hold entries with tags the ${lacks} codec does not know, and the ${lacks} union has no fallback`,
    );
  if (!f.otherHasFallback)
    return oldReaders(
      `${has} data may hold entries with this tag, which the ${lacks} codec rejects: the ${lacks} union has no fallback`,
    );
  if (f.payloadTakesAnyBytes)
    return ok(
      `the ${lacks} codec keeps these entries in its fallback and writes them back as they were`,
    );
  return newReaders(
    `the ${lacks} codec keeps these entries in its fallback, but ${lacks} data may hold this tag with any payload there, and the ${has} codec rejects payloads that do not fit the variant`,
  );
}

/**
 * A member `has` has and `lacks` lacks; the verdict is for the member
 * added (`lacks` = old) and is swapped by the caller for a removal.
 */
function memberAdded(f: MemberFacts, lacks: string, has: string): DataRuling {
  if (f.inOwnData === "never" && f.inOtherData === "never")
    return ok("it is never stored: its condition never holds");
  // Readers with the member read its bytes wherever its condition holds over the other's data.
  const withBreak = f.inOtherData !== "never";
  // Readers without it do not expect its bytes, unless nothing they read follows them.
  const withoutBreak = f.inOwnData !== "never" && !f.atEnd;
  const reasons = [
    withBreak
      ? `${lacks} data lacks its bytes, which the ${has} codec reads${f.inOtherData === "maybe" ? " whenever its condition holds" : ""}`
      : `its condition never holds for ${lacks} data, so the ${has} codec does not look for it there`,
    withoutBreak
      ? `the ${lacks} codec does not expect its bytes in ${has} data so it rejects or misreads what follows`
      : f.atEnd && f.inOwnData !== "never"
        ? `nothing follows it, so the ${lacks} codec stops before its bytes`
        : "",
  ].filter((s) => s !== "");
  // Added: `with` readers are new readers, `without` are old readers.
  return { verdict: dataVerdict(withoutBreak, withBreak), why: reasons.join("; ") };
}
