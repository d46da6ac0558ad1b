/**
 * The kept end marker (`end: { tag, keep: End }`): an end marker with a
 * non-zero length reads as a last list entry `{ kind: "End", length }`, and
 * is written back from it; a list without one ends with a marker of length
 * 0. Its other parts (print, parse, compare) are those of a variant with one
 * field.
 */
import type { UnionDef, Variant } from "../../model.js";
import { END_LENGTH_FIELD, headerSize, lengthOffset, tagOffset } from "../../model.js";
import { hexLiteral, str } from "../code.js";
import { writeInt } from "../layout.js";

type Kept = UnionDef & { endKept: Variant; end: number };

export function keepsEnd(def: UnionDef): def is Kept {
  return def.endKept !== undefined && def.end !== undefined;
}

/** In the entry reader, at an end marker whose `length` is not zero: the kept entry. */
export function readKeptEnd(def: Kept): string[] {
  return [
    `parsedEnd = at + ${headerSize(def)};`,
    `return { kind: ${str(def.endKept.name)}, ${END_LENGTH_FIELD}: length };`,
  ];
}

/** In the list reader, after pushing `entry`: the kept end marker ends the list. */
export function endsList(def: Kept): string {
  return `if (entry.kind === ${str(def.endKept.name)}) break;`;
}

/** In the entry checker: the length must not be zero (that is the plain end marker). */
export function checkKeptEnd(): string {
  const acc = `e.${END_LENGTH_FIELD}`;
  return `if (${acc} === 0) return new CodecError(${str(END_LENGTH_FIELD)}, undefined, "is 0; a list ends with a length-0 end marker without an entry for it");`;
}

/** In the list checker: the kept end marker only as the last entry. */
export function checkKeptEndLast(def: Kept, acc: string, path: string): string {
  return `if (${acc}[i]!.kind === ${str(def.endKept.name)} && i !== ${acc}.length - 1) return new CodecError(\`${path}[\${i}]\`, undefined, "an ${def.endKept.name} entry (an end marker with a length) can only be the last");`;
}

/** At the start of the entry writer: the kept end marker is its tag and length. */
export function writeKeptEnd(def: Kept): string[] {
  const header = headerSize(def);
  const plus = (n: number): string => (n === 0 ? "at" : `at + ${n}`);
  return [
    `if (e.kind === ${str(def.endKept.name)}) {`,
    `  ${writeInt(def.tag, plus(tagOffset(def)), hexLiteral(def.end, false))}`,
    `  ${writeInt(def.length, plus(lengthOffset(def)), `e.${END_LENGTH_FIELD}`)}`,
    `  return at + ${header};`,
    "}",
  ];
}

/** Is the list `acc` missing its end marker (it does not end with the kept one)? */
export function needsEndMarker(def: Kept, acc: string): string {
  return `${acc}.length === 0 || ${acc}[${acc}.length - 1]!.kind !== ${str(def.endKept.name)}`;
}
