/**
 * Text rules: does every S-expression the old converters print still parse
 * with the new converters to the same value, and print back the same?
 * S-expressions show record fields by name (in any order when parsed),
 * union variants' fields by position (`(Warn (3 hello))`), enum and variant
 * names, and numbers in decimal; they leave out fields at their defaults and
 * absent fields printed with `omit`. Text that parses to the same value but
 * prints back otherwise is `prints differently`. Whether a parsed value
 * could also be written is a data question, not a text one.
 */
import type { Change } from "../change.js";
import type { TextVerdict } from "../verdict.js";

export interface TextRuling {
  verdict: TextVerdict;
  why: string;
}

const ok = (why: string): TextRuling => ({ verdict: "compatible", why });
const breaking = (why: string): TextRuling => ({ verdict: "breaking", why });
const printsDifferently = (why: string): TextRuling => ({ verdict: "prints differently", why });
const BY_POSITION = "a variant's fields print by position, without their names";

const NOT_IN_TEXT = "S-expressions do not show it";

export function textRule(c: Change): TextRuling {
  if (c.positional) {
    const ruling = positionalRule(c);
    if (ruling !== undefined) return ruling;
  }
  switch (c.kind) {
    case "kept-changed":
      return c.kept
        ? ok(
            "old text has no kept parts, and parses and prints the same; kept parts print only when odd",
          )
        : breaking("text holding kept parts no longer parses");
    case "format-renamed":
    case "type-added":
    case "type-removed":
    case "type-renamed":
    case "group-renamed":
    case "enum-value-renumbered":
    case "variant-tag-changed":
    case "framing-changed":
    case "byte-order-changed":
    case "size-changed":
    case "offset-changed":
    case "const-changed":
    case "computed-changed":
    case "validation-changed":
    case "flag-moved":
    case "mask-added":
    case "mask-removed":
    case "mask-renamed":
    case "mask-moved":
      return ok(NOT_IN_TEXT);
    case "doc-changed":
      return ok("");
    case "root-changed":
    case "type-kind-changed":
      return breaking("values print in another form");
    case "enum-value-added":
      return c.open
        ? ok(
            "old text never holds the new name; an old (Unknown n) with its value still parses and prints the same, though the new codec writes it only as the name",
          )
        : ok("old text never holds the new name");
    case "enum-value-removed":
      return breaking("old text may hold the removed name, which no longer parses");
    case "flags-nesting-changed":
      return breaking("old text has the bits at the other level, which no longer parses");
    case "enum-value-renamed":
    case "variant-renamed":
    case "flag-renamed":
    case "unknown-bits-renamed":
    case "member-renamed":
      return c.kind === "member-renamed" && !c.hasProperty
        ? ok(NOT_IN_TEXT)
        : breaking("old text holds the old name, which no longer parses");
    case "enum-open-changed":
      return c.open
        ? ok("old text holds only names the new enum still lists")
        : breaking("old text may hold (Unknown n), which the closed enum no longer parses");
    case "order-changed":
      return ok("S-expressions print and parse the same");
    case "enum-storage-changed":
      return c.textNarrowed
        ? breaking("old text may hold (Unknown n) values the new storage cannot parse")
        : ok("every old value still parses and prints the same");
    case "variant-added":
      return ok("old text never holds the new variant");
    case "variant-removed":
      return breaking("old text may hold the removed variant, which no longer parses");
    case "member-added":
      if (!c.facts.hasProperty) return ok(NOT_IN_TEXT);
      return c.facts.mayBeLeftOut
        ? ok(
            "old text lacks it, which the new converters read as its default or as absent, and print the same",
          )
        : breaking("old text lacks it, and the new converters require it");
    case "member-removed":
      return c.facts.hasProperty
        ? breaking("old text may hold it, and the new converters reject it as an unknown field")
        : ok(NOT_IN_TEXT);
    case "member-moved":
      return c.printOrderChanged
        ? printsDifferently(
            "fields are parsed in any order but print in another, so old text prints back differently",
          )
        : ok("the fields print in the same order");
    case "width-changed":
      if (!c.hasProperty) return ok(NOT_IN_TEXT);
      return c.rangeKept
        ? ok("every old value fits the new type and prints the same")
        : breaking("old text may hold numbers outside the new range, which no longer parse");
    case "signedness-changed":
      return c.hasProperty
        ? breaking(
            "old text may hold numbers outside the new range (negative, or past the signed range)",
          )
        : ok(NOT_IN_TEXT);
    case "type-changed":
      return c.hasProperty && c.tsTypeChanged
        ? breaking("the value prints in another form")
        : ok("the value prints in the same form");
    case "members-regrouped":
      return breaking(
        "old text nests the moved fields as the old groups did, which the new converters reject",
      );
    case "role-changed":
      if (c.property.old === c.property.new) return ok("it prints the same");
      return c.property.old
        ? breaking("old text holds the field, which the new converters reject as unknown")
        : breaking("old text lacks the field, and the new converters require it");
    case "condition-changed":
      if (!c.hasProperty) return ok(NOT_IN_TEXT);
      if (c.optionality === "kept") return ok("conditions are not printed");
      if (c.optionality === "added")
        return c.absent === "omit"
          ? ok("old text always holds the field, which still parses and prints the same")
          : breaking("old text holds the bare value, and the new converters expect () or (value)");
      return breaking(
        "old text holds () or (value), or leaves the field out; the new converters require the bare value",
      );
    case "default-changed":
      if (!c.before)
        return printsDifferently(
          "old text always gives the field; it parses the same, but a value equal to the new default is left out when printed back",
        );
      return c.after
        ? breaking(
            "old text that leaves the field out meant the old default, and now reads as the new one",
          )
        : breaking("old text may leave the field out, and the new converters require it");
    case "flag-default-changed":
      return c.defaultFalse
        ? printsDifferently(
            "old text always gives the flag; it parses the same, but a false flag is left out when printed back",
          )
        : breaking("old text may leave the flag out, and the new converters require it");
    case "absent-changed":
      return breaking("an absent field prints as () in one revision and not at all in the other");
    case "flag-added":
      return c.defaultFalse
        ? ok(
            "old text lacks the new flag, which the new converters read as false and leave out again",
          )
        : breaking("old text lacks the new flag, and the new converters require it");
    case "flag-removed":
      return breaking(
        "old text holds the flag, and the new converters reject it as an unknown field",
      );
  }
}

/**
 * Changes to the fields of a variant's payload, which print by position:
 * names do not matter, defaults and `absent: omit` do not apply, and the
 * number and order of the fields do. Undefined where the general rule holds.
 */
function positionalRule(c: Change): TextRuling | undefined {
  switch (c.kind) {
    case "member-renamed":
    case "default-changed":
      return ok(BY_POSITION);
    case "member-added":
      return c.facts.hasProperty
        ? breaking(`${BY_POSITION}; old text has one value fewer, which the new converters reject`)
        : ok(NOT_IN_TEXT);
    case "member-removed":
      return c.facts.hasProperty
        ? breaking(`${BY_POSITION}; old text has one value more, which the new converters reject`)
        : ok(NOT_IN_TEXT);
    case "member-moved":
      return c.printOrderChanged
        ? breaking(`${BY_POSITION}; old text gives them in the old order, read now as other fields`)
        : ok("the fields print in the same order");
    default:
      return undefined;
  }
}
