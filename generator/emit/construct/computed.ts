/**
 * Computed fields (`value: offset(F) | size(F) | count(F)`): the code for
 * what `write` stores. An offset is the size of the members before F, which
 * each emitter works out in its own terms; a size or count is read off F in
 * the value being written.
 */
import type { ComputedField, Member } from "../../model.js";
import { prop } from "../code.js";
import { emitExpr, type Resolve } from "../expr.js";
import { encodedLength } from "./text.js";

/**
 * Code for a `size(F)` or `count(F)` field: F's byte length or entry count
 * in `obj`; `resolve` gives the arguments of an array of records with
 * parameters.
 */
export function lengthOf(
  m: ComputedField,
  siblings: readonly Member[],
  obj: string,
  resolve: Resolve,
): string {
  const target = siblings.find((x) => x.kind === "value" && x.name === m.target);
  const acc = prop(obj, m.target);
  // Text takes as many bytes as it encodes to, an array sized in bytes its
  // records' sizes; bytes and other arrays have a length.
  if (target?.kind === "value" && target.type.kind === "text")
    return encodedLength(target.type, acc);
  if (target?.kind === "value" && target.type.kind === "array" && target.type.bytes !== undefined) {
    const { element, args } = target.type;
    return element.params.length === 0
      ? `sizeofEach(${acc}, sizeof${element.name})`
      : `sizeofEach${element.name}(${acc}${args.map((a) => `, ${emitExpr(a, resolve)}`).join("")})`;
  }
  return `${acc}.length`;
}

/** What the field holds, in words, for error messages and layout pages. */
export function computedMeaning(m: ComputedField): string {
  switch (m.of) {
    case "offset":
      return `the offset of ${m.target}`;
    case "end":
      return `the offset just past ${m.target}`;
    case "size":
      return `the size of ${m.target} in bytes`;
    case "count":
      return `the number of entries in ${m.target}`;
  }
}
