/**
 * Computed fields (`value: offset(F) | size(F) | count(F)`): the code for
 * what `write` stores. An offset is the size of the members before F, which
 * each emitter works out in its own terms; a size or count is read off F in
 * the value being written.
 */
import type { ComputedField, Member } from "../../model.js";
import { prop } from "../code.js";
import { encodedLength } from "./text.js";

/** Code for a `size(F)` or `count(F)` field: F's byte length or entry count in `obj`. */
export function lengthOf(m: ComputedField, siblings: readonly Member[], obj: string): string {
  const target = siblings.find((x) => x.kind === "value" && x.name === m.target);
  const acc = prop(obj, m.target);
  // Text takes as many bytes as it encodes to, an array sized in bytes its
  // records' sizes; bytes and other arrays have a length.
  if (target?.kind === "value" && target.type.kind === "text")
    return encodedLength(target.type, acc);
  if (target?.kind === "value" && target.type.kind === "array" && target.type.bytes !== undefined)
    return `sizeofEach(${acc}, sizeof${target.type.element.name})`;
  return `${acc}.length`;
}

/** What the field holds, in words, for error messages and layout pages. */
export function computedMeaning(m: ComputedField): string {
  switch (m.of) {
    case "offset":
      return `the offset of ${m.target}`;
    case "size":
      return `the size of ${m.target} in bytes`;
    case "count":
      return `the number of entries in ${m.target}`;
  }
}
