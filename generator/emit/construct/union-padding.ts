/**
 * Union padding kept (`padding: keep` in a union's framing): the padding
 * after a payload is read into the entry's optional `padding` property when
 * any byte of it is not zero, and written back from it; an entry without it
 * is padded with zeros. Only variants whose payload can need padding have
 * the property.
 */
import type { UnionDef, Variant } from "../../model.js";
import { fixedRecordSize, UNION_PADDING_PROPERTY } from "../../model.js";
import type { Code } from "../code.js";
import type { KeptValue } from "./padding-keep.js";

const P = UNION_PADDING_PROPERTY;

/** Does an entry of this kind have the optional `padding` property? */
export function hasPaddingProperty(def: UnionDef, v: Variant): boolean {
  if (!def.paddingKept || v === def.endKept) return false;
  const size = fixedRecordSize(v.tag === undefined ? v.members.slice(1) : v.members);
  return size === undefined || size % def.align !== 0;
}

/** Has any kind of entry the optional `padding` property? */
export function keepsPaddingProperty(def: UnionDef): boolean {
  return def.variants.some((v) => hasPaddingProperty(def, v));
}

export function unionPaddingProperty(def: UnionDef): {
  name: string;
  type: string;
  docs: string[];
  hasQuestionToken: boolean;
} {
  return {
    name: P,
    type: "string",
    hasQuestionToken: true,
    docs: [
      `The padding after the payload (up to a multiple of ${def.align}), one character per byte, present only when some byte is not zero.`,
    ],
  };
}

/**
 * The end of a variant reader that keeps its padding: `limit` is the end of
 * the payload and `padded` the end of its padding. Declares where a non-zero
 * byte is, and gives the kept property for the value.
 */
export function readKeptPadding(code: Code, nonZero: string): KeptValue {
  code.line(`const ${nonZero} = findNonZero(buf, limit, padded);`);
  return { name: P, present: `${nonZero} !== -1`, value: "getBytes(buf, limit, padded)" };
}

/** Statement refusing kept padding that does not fit the entry (`length` is its payload size). */
export function checkKeptPadding(def: UnionDef): string {
  return `if ("${P}" in e && e.${P} !== undefined) { const why = keptBytesProblem(e.${P}, (${def.align} - (length % ${def.align})) % ${def.align}); if (why !== undefined) return new CodecError("${P}", undefined, why); }`;
}

/** Statement writing the padding from `pos` to `padded`. */
export function writeKeptPadding(): string {
  return `if ("${P}" in e && e.${P} !== undefined) setBytes(buf, pos, e.${P}); else buf.fill(0, pos, padded);`;
}

/** Statements comparing the kept padding of `a` and `b`, absent first. */
export function compareKeptPadding(): string[] {
  return [`c = compareOptions(a.${P}, b.${P}, compareScalars);`, "if (c !== 0) return c;"];
}

/** The S-expression `(Name arg)` of entry `e`, or `(Name arg (padding "…"))` when it keeps padding. */
export function printKeptPadding(name: string, arg: string): string {
  return `e.${P} === undefined ? [${name}, ${arg}] : [${name}, ${arg}, ["${P}", e.${P}]]`;
}
