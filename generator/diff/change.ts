/**
 * A change between two revisions of a schema: what changed (a kind and the
 * facts its verdict depends on), where it is in each revision, and a
 * sentence describing it. Verdicts are given to changes by the rules in
 * rules/, not here.
 */
import type { Member, Loc } from "../model.js";
import type { Tri } from "./conditions.js";

/** Facts about a member that one revision has and the other lacks. */
export interface MemberFacts {
  member: Member["kind"];
  /** Does a value have properties for it (fields, groups, flag words)? */
  hasProperty: boolean;
  /** Are its bytes stored in data of the revision that has it: always, never or sometimes? */
  inOwnData: Tri;
  /**
   * Would data of the revision without it have to hold its bytes for the
   * revision with it to read that data (its condition over that data)?
   */
  inOtherData: Tri;
  /** Nothing is stored after it in the root record: a reader without it stops before its bytes. */
  atEnd: boolean;
  /** May an S-expression leave it out (a default, `absent: omit`, or flags all defaulting to false)? */
  mayBeLeftOut: boolean;
}

/** Facts about a variant one revision has and the other lacks. */
export interface VariantFacts {
  isFallback: boolean;
  /** Does the other revision's union have a fallback, which takes this variant's tag? */
  otherHasFallback: boolean;
  /** Does this variant's payload read from any bytes (a single bytes field filling it)? */
  payloadTakesAnyBytes: boolean;
}

/** The places odd bytes can be kept: a union's end marker length and padding, padding, a string's tail. */
export type KeptPart = "end marker" | "entry padding" | "padding" | "string tail";

export type ChangeDetail =
  | { kind: "format-renamed" }
  | { kind: "root-changed" }
  | { kind: "type-added" }
  | { kind: "type-removed" }
  | { kind: "type-renamed" }
  | { kind: "type-kind-changed" }
  | { kind: "doc-changed" }
  | { kind: "enum-value-added"; open: boolean }
  | { kind: "enum-value-removed"; open: boolean }
  | { kind: "enum-value-renamed" }
  | { kind: "enum-value-renumbered" }
  | { kind: "enum-open-changed"; open: boolean }
  /** An enum's or union's `order` (how compare ranks its constructors) changed. */
  | { kind: "order-changed" }
  | {
      kind: "enum-storage-changed";
      /** Between an integer and a string: the exported stored values change type. */
      baseKindChanged: boolean;
      /** Open on both sides, and some old `(Unknown n)` no longer parses. */
      textNarrowed: boolean;
    }
  | { kind: "variant-added"; facts: VariantFacts }
  | { kind: "variant-removed"; facts: VariantFacts }
  | { kind: "variant-renamed" }
  | { kind: "variant-tag-changed" }
  | { kind: "framing-changed" }
  | {
      /**
       * A `keep` construct added or removed (see generator/check/keep.ts):
       * odd bytes the specification says are zero are kept in the value, or
       * refused as before.
       */
      kind: "kept-changed";
      part: KeptPart;
      kept: boolean;
    }
  | { kind: "member-added"; facts: MemberFacts }
  | { kind: "member-removed"; facts: MemberFacts }
  | { kind: "member-renamed"; hasProperty: boolean }
  | {
      /** Members moved into, out of or between groups (see regroup.ts). */
      kind: "members-regrouped";
      /** Does every moved member keep its place among the bytes? */
      samePlaces: boolean;
      /** Are the moved members present in exactly the same old (new) data under both revisions' conditions? */
      sameOnOldData: boolean;
      sameOnNewData: boolean;
      moved: string[];
    }
  | {
      kind: "member-moved";
      /** Did the order of the fields an S-expression prints change? */
      printOrderChanged: boolean;
    }
  | { kind: "width-changed"; hasProperty: boolean; tsTypeChanged: boolean; rangeKept: boolean }
  | { kind: "signedness-changed"; hasProperty: boolean }
  | { kind: "byte-order-changed" }
  | { kind: "size-changed" }
  | { kind: "type-changed"; hasProperty: boolean; tsTypeChanged: boolean }
  | {
      /**
       * The same bytes, playing another part: a plain field becomes a magic
       * number, a computed offset or padding, or the other way round.
       */
      kind: "role-changed";
      from: Member["kind"];
      to: Member["kind"];
      /** Do both store an integer of the same width, signedness and byte order (or padding its size)? */
      sameStorage: boolean;
      /** Which revisions give the value a property for it. */
      property: { old: boolean; new: boolean };
    }
  | { kind: "offset-changed" }
  | {
      kind: "condition-changed";
      hasProperty: boolean;
      /** Is the member present in exactly the same old data under both conditions? */
      sameOnOldData: boolean;
      sameOnNewData: boolean;
      /** `kept` when both revisions have a condition, else which one added or dropped it. */
      optionality: "kept" | "added" | "removed";
      /** How the conditional side prints the member when it is absent. */
      absent: "option" | "omit";
    }
  | { kind: "default-changed"; before: boolean; after: boolean }
  | { kind: "absent-changed" }
  | { kind: "const-changed" }
  | { kind: "computed-changed" }
  | { kind: "validation-changed"; newReadersMayReject: boolean; oldReadersMayReject: boolean }
  | { kind: "group-renamed" }
  | { kind: "flag-added"; defaultFalse: boolean }
  | { kind: "flag-removed" }
  | { kind: "flag-renamed" }
  | { kind: "flag-moved" }
  | { kind: "flag-default-changed"; defaultFalse: boolean }
  | { kind: "unknown-bits-renamed" }
  /** A flags word's bits moved between the record's properties and the word's own object. */
  | { kind: "flags-nesting-changed"; nested: boolean }
  | { kind: "mask-added" }
  | { kind: "mask-removed" }
  | { kind: "mask-renamed" }
  | { kind: "mask-moved" };

export type ChangeKind = ChangeDetail["kind"];

export type Change = ChangeDetail & {
  /** What changed, as a path: `CryptMethod.Luks`, `Header.additional.compression_type`. */
  subject: string;
  /** One sentence on what changed, with the old and new values. */
  description: string;
  /** Where the changed thing is written in the old schema, if it is there. */
  old: Loc | undefined;
  /** Where it is written in the new schema, if it is there. */
  new: Loc | undefined;
  /**
   * The generated declarations the change touches (types and group
   * interfaces), by old and new name: verification attributes type errors
   * in old code to changes through them.
   */
  owners: string[];
  /**
   * The most specific places the change is about: the declarations it
   * touches, or for a variant the union and its tag (`Extension#0x23852875`).
   * Verification lays data and text evidence found at a place to the
   * changes about it.
   */
  loci: string[];
  /**
   * What else the change brings about, reported with it rather than as
   * changes of their own: the members after a widened field that move, the
   * fields a schema-wide byte order change reaches.
   */
  consequences: string[];
  /**
   * Is the changed member printed by position, without its name (a union
   * variant's payload prints as `(Warn (code text))`)?
   */
  positional: boolean;
};
