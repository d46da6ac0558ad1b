// S-expressions compatible with OCaml's Sexplib: the shared representation,
// structural equality, and re-exports of the reader and the printers.

/** An S-expression: an atom is a string whose characters are bytes (char codes 0..255); a list is an array. */
export type Sexp = string | readonly Sexp[];

/** A position in S-expression text: 1-based line and column, 0-based char offset. */
export interface SexpLoc {
  line: number;
  col: number;
  offset: number;
}

/**
 * Structural equality of two S-expressions. Iterative, so arbitrarily deep
 * values cannot overflow the call stack.
 */
export function sexpEqual(a: Sexp, b: Sexp): boolean {
  const pending: [Sexp, Sexp][] = [[a, b]];
  for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
    const [x, y] = pair;
    if (x === y) continue;
    if (typeof x === "string" || typeof y === "string") return false;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) pending.push([x[i]!, y[i]!]);
  }
  return true;
}

export {
  parseSexp,
  type SexpLocations,
  type SexpParseResult,
  type SexpSyntaxError,
} from "./sexp-parse.js";
export { escapeAtom, mustEscape, toStringHum, toStringMach } from "./sexp-print.js";
