/**
 * The list of changes being built while two revisions are compared, with
 * what every part of the comparison shares: both models, the translation
 * of old type names to new ones, and a shorthand for adding a change.
 */
import type { Doc, Loc, Model } from "../model.js";
import type { Change, ChangeDetail } from "./change.js";
import type { TypeNames } from "./shape.js";

/** Where a change is: its subject, the declarations it touches, and its places in each schema. */
export interface Place {
  subject: string;
  owners: string[];
  /** See {@link Change.loci}; the owners when not given. */
  loci?: string[];
  old: Loc | undefined;
  new: Loc | undefined;
  /** See {@link Change.positional}; false when not given. */
  positional?: boolean;
}

export class ChangeList {
  readonly changes: Change[] = [];

  constructor(
    readonly oldModel: Model,
    readonly newModel: Model,
    /** An old type name as the new revision spells it. */
    readonly typeNames: TypeNames,
  ) {}

  add(place: Place, detail: ChangeDetail, description: string): void {
    const { loci, positional, ...rest } = place;
    this.changes.push({
      ...detail,
      ...rest,
      positional: positional ?? false,
      owners: unique(place.owners),
      loci: unique(loci ?? place.owners),
      description,
      consequences: [],
    });
  }

  /** Adds a doc-only change if the documentation of a matched item differs. */
  doc(place: Place, old: Doc, neu: Doc): void {
    const before = normalise(old.doc);
    const after = normalise(neu.doc);
    if (before === after) return;
    const description =
      before === ""
        ? "documentation added"
        : after === ""
          ? "documentation removed"
          : "documentation changed";
    this.add(place, { kind: "doc-changed" }, description);
  }
}

function normalise(doc: string | undefined): string {
  return (doc ?? "").trim().replace(/\s+/g, " ");
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

/** A place with both sides. */
export function placeOf(
  subject: string,
  owners: string[],
  old: { loc: Loc } | undefined,
  neu: { loc: Loc } | undefined,
): Place {
  return { subject, owners, old: old?.loc, new: neu?.loc };
}
