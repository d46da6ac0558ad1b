/**
 * API rules: does every program written against the old generated module
 * still type-check against the new one? Such programs name the module's
 * exports, build values of its types with object literals, read their
 * properties into variables of the old property types, match exhaustively
 * on enum values and variant kinds, and call its functions (see
 * verify/api-probe.ts, which writes exactly such a program).
 */
import type { Change } from "../change.js";
import type { ApiVerdict } from "../verdict.js";

export interface ApiRuling {
  verdict: ApiVerdict;
  why: string;
}

const ok = (why: string): ApiRuling => ({ verdict: "compatible", why });
const breaking = (why: string): ApiRuling => ({ verdict: "breaking", why });

const NOT_IN_TYPES = "the declarations do not show it";

export function apiRule(c: Change): ApiRuling {
  switch (c.kind) {
    case "format-renamed":
      return breaking("the generated module has another file name, so imports of the old one fail");
    case "root-changed":
      return breaking("read, write, toString and the other root functions take another type");
    case "type-added":
      return ok("new exports only");
    case "type-removed":
      return breaking("the type and its converters are no longer exported");
    case "type-renamed":
      return breaking(
        "the type and its converters (sexpOfX, xOfSexp) are exported under new names",
      );
    case "type-kind-changed":
      return breaking("the type is declared as another kind of type");
    case "doc-changed":
      return ok("");
    case "enum-value-added":
      return breaking(
        "exhaustive matches (a switch ending in never, a Record over the enum) miss the new value",
      );
    case "enum-value-removed":
      return breaking("code naming the removed value no longer compiles");
    case "enum-value-renamed":
      return breaking(
        "code naming the old value no longer compiles, and exhaustive matches miss the new one",
      );
    case "enum-value-renumbered":
      return ok("the names are the same; only the exported stored value differs");
    case "enum-open-changed":
      return c.open
        ? breaking("the type gains { unknown }, which exhaustive matches miss")
        : breaking("the type loses { unknown }, so code handling it no longer compiles");
    case "order-changed":
      return ok(
        "the types are the same; compare ranks the constructors differently, so sorting may give another order",
      );
    case "enum-storage-changed":
      return c.baseKindChanged
        ? breaking(
            "the exported stored values (and any { unknown }) change between numbers and strings",
          )
        : ok("the type is the same; only the stored values' width changes");
    case "variant-added":
      return breaking("exhaustive matches on kind miss the new variant");
    case "kept-changed":
      if (!c.kept) return breaking(`code using the kept ${c.part} no longer compiles`);
      return c.part === "end marker"
        ? breaking("exhaustive matches on kind miss the kept end marker's variant")
        : ok("an optional property only; values without it are as before");
    case "variant-removed":
      return breaking("code building or matching the removed variant no longer compiles");
    case "variant-renamed":
      return breaking("code using the old kind no longer compiles");
    case "variant-tag-changed":
    case "framing-changed":
    case "byte-order-changed":
    case "size-changed":
    case "offset-changed":
    case "const-changed":
    case "computed-changed":
    case "validation-changed":
    case "default-changed":
    case "absent-changed":
    case "flag-default-changed":
    case "flag-moved":
    case "mask-moved":
    case "signedness-changed":
      return ok(NOT_IN_TYPES);
    case "member-added":
      return c.facts.hasProperty
        ? breaking("object literals written for the old type lack the new property")
        : ok("it gives the value no property");
    case "member-removed":
      return c.facts.hasProperty
        ? breaking("code reading or setting the property no longer compiles")
        : ok("it gave the value no property");
    case "member-renamed":
      return c.hasProperty
        ? breaking("code using the old property name no longer compiles")
        : ok("it gives the value no property");
    case "member-moved":
      return ok("properties are found by name");
    case "members-regrouped":
      return breaking(
        `the properties ${c.moved.join(", ")} are found under other groups, so code reaching them by the old path no longer compiles`,
      );
    case "role-changed":
      if (c.property.old === c.property.new) return ok("the property is the same");
      return c.property.old
        ? breaking("the value loses the property, so code reading or setting it no longer compiles")
        : breaking("object literals written for the old type lack the new property");
    case "width-changed":
      return c.tsTypeChanged
        ? breaking("the property changes between number and bigint")
        : ok("the property keeps its TypeScript type");
    case "type-changed":
      return c.hasProperty && c.tsTypeChanged
        ? breaking("the property has another TypeScript type")
        : ok("the property keeps its TypeScript type");
    case "condition-changed":
      if (!c.hasProperty || c.optionality === "kept") return ok("the property's type is the same");
      return c.optionality === "added"
        ? breaking("the property becomes T | undefined, which code expecting T rejects")
        : breaking("the property is no longer T | undefined, so literals giving undefined fail");
    case "group-renamed":
      return breaking("the group's interface and converters are exported under new names");
    case "flag-added":
      return breaking("object literals written for the old type lack the new boolean property");
    case "flag-removed":
    case "flag-renamed":
    case "unknown-bits-renamed":
      return breaking("code using the old property name no longer compiles");
    case "flags-nesting-changed":
      return breaking(
        c.nested
          ? "the bits are now properties of the word's object, not of the record"
          : "the bits are now properties of the record, not of the word's object",
      );
    case "mask-added":
      return ok("a new constant");
    case "mask-removed":
    case "mask-renamed":
      return breaking("code reading the old mask constant no longer compiles");
  }
}
