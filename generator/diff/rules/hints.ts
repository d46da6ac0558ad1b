/**
 * What to do about a breaking change, where a schema change can avoid or
 * soften the break: a short instruction in the schema's own terms. Changes
 * that break nothing, or whose break no schema edit avoids, get none.
 */
import type { Change } from "../change.js";
import type { Verdict } from "../verdict.js";

export function hintFor(c: Change, v: Verdict): string | undefined {
  const data = v.data !== "compatible";
  const text = v.text === "breaking";
  switch (c.kind) {
    case "member-added":
      if (data && c.facts.inOtherData !== "never")
        return "put it behind `if:` on a field old data cannot have (`if: version >= N`), or add it at the end";
      if (data)
        return c.facts.atEnd ? undefined : "add it at the end, where old codecs stop reading";
      if (text && c.facts.hasProperty && !c.positional)
        return "give the new field a `default` (or, if conditional, `absent: omit`)";
      return undefined;
    case "member-removed":
      if (data)
        return "keep its bytes: turn the field into padding of its size, or keep it under another name";
      if (text) return "keep the field";
      return undefined;
    case "flags-nesting-changed":
      return "keep the word flattened (or nested) as it was";
    case "member-renamed":
    case "enum-value-renamed":
    case "variant-renamed":
    case "flag-renamed":
    case "unknown-bits-renamed":
    case "group-renamed":
    case "type-renamed":
      return v.api === "breaking" || text ? "keep the old name" : undefined;
    case "members-regrouped":
      return "keep the members in their old groups; a group is only a name for part of the value";
    case "enum-value-added":
      return !c.open && data
        ? "make the enum `open: true` so that codecs keep values they do not know (helps codecs from then on)"
        : undefined;
    case "variant-tag-changed":
      return "keep the old tag";
    case "enum-value-renumbered":
      return "keep the old stored value";
    case "enum-value-removed":
      return data || text ? "keep the value, documented as obsolete" : undefined;
    case "variant-added":
      return data && !c.facts.otherHasFallback
        ? "add a fallback variant, so that codecs keep entries they do not know (helps codecs from then on)"
        : data
          ? "give the variant a payload of `bytes` filling it, or parse its fields from such a payload"
          : undefined;
    case "variant-removed":
      return data || text ? "keep the variant, documented as obsolete" : undefined;
    case "condition-changed":
      if (c.optionality === "added" && text && c.absent === "option")
        return "use `absent: omit`, so that old text giving the field still parses";
      return undefined;
    case "default-changed":
      return text ? "keep the old default" : undefined;
    case "flag-added":
      return text ? "give the flag `default: false`" : undefined;
    case "signedness-changed":
    case "width-changed":
    case "byte-order-changed":
      return data
        ? "keep the old storage; add a new field for the new one behind `if: version >= N`"
        : undefined;
    case "validation-changed":
      return c.newReadersMayReject
        ? "keep the check old data passes; reject the new cases when writing, or behind `if: version >= N`"
        : undefined;
    case "role-changed":
      return data ? "keep it a plain field for the versions that stored it freely" : undefined;
    default:
      return undefined;
  }
}
