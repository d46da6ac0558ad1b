/**
 * What a schema expression can evaluate to over all the data one revision
 * can hold: each name a field of a record may have is given the range of
 * values it can take there (a constant for magic numbers and for computed
 * offsets that do not depend on the value), and expressions are evaluated
 * over those ranges. A condition then always holds, never holds, or may hold.
 */
import type { Expr } from "../expr.js";
import type { IntType, Member } from "../model.js";
import { fixedMemberSize } from "../model.js";

/** Whether a condition holds over every piece of data, none, or some. */
export type Tri = "always" | "never" | "maybe";

/** An inclusive range of integers. */
export interface Range {
  lo: bigint;
  hi: bigint;
}

/** The range of a name, or undefined when nothing is known about it. */
export type Lookup = (name: string) => Range | undefined;

export function intRange(t: IntType): Range {
  const bits = BigInt(t.bits);
  return t.signed
    ? { lo: -(1n << (bits - 1n)), hi: (1n << (bits - 1n)) - 1n }
    : { lo: 0n, hi: (1n << bits) - 1n };
}

const exact = (n: bigint): Range => ({ lo: n, hi: n });

/**
 * The range of every name the expressions of a record may use, over all the
 * data the record can hold. `members` are the record's (or payload's)
 * top-level members; groups are looked into, as expressions see their fields.
 */
export function dataRanges(members: readonly Member[]): Map<string, Range> {
  const ranges = new Map<string, Range>();
  const visit = (list: readonly Member[], present: readonly Member[]): void => {
    for (const m of list) {
      switch (m.kind) {
        case "const":
          ranges.set(m.name, exact(m.value));
          break;
        case "computed": {
          // A computed field is there only when the groups around it are.
          const at =
            m.of === "offset" ? topLevelOffsets(members, present).get(m.target) : undefined;
          ranges.set(
            m.name,
            checked(at === undefined ? intRange(m.type) : exact(BigInt(at)), m.name, m.valid),
          );
          break;
        }
        case "value":
          if (m.type.kind === "int") ranges.set(m.name, checked(intRange(m.type), m.name, m.valid));
          if (m.type.kind === "enum" && m.type.enum.base.kind === "int") {
            const values = m.type.enum.values.map((v) => BigInt(v.value));
            ranges.set(
              m.name,
              m.type.enum.open || values.length === 0
                ? intRange(m.type.enum.base)
                : {
                    lo: values.reduce((a, b) => (b < a ? b : a)),
                    hi: values.reduce((a, b) => (b > a ? b : a)),
                  },
            );
          }
          break;
        case "bitfield":
          for (const p of m.parts)
            ranges.set(
              p.name,
              checked({ lo: 0n, hi: (1n << BigInt(p.bits)) - 1n }, p.name, p.valid),
            );
          break;
        case "group":
          visit(m.members, [...present, m]);
          break;
        default:
          break;
      }
    }
  };
  visit(members, []);
  return ranges;
}

/**
 * A field's range over the data its codec accepts: narrowed by each of its
 * checks that compares it with a constant (`version >= 2`, `0 < n && n <= 8`).
 */
export function checked(r: Range, name: string, valid: readonly { check: Expr }[]): Range {
  return valid.reduce((acc, v) => narrow(acc, name, v.check), r);
}

function narrow(r: Range, name: string, e: Expr): Range {
  if (e.kind !== "binary") return r;
  if (e.op === "&&") return narrow(narrow(r, name, e.left), name, e.right);
  const flipped: Partial<Record<string, string>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
  let op: string = e.op;
  let bound: bigint;
  if (e.left.kind === "ref" && e.left.name === name && e.right.kind === "num")
    bound = e.right.value;
  else if (e.right.kind === "ref" && e.right.name === name && e.left.kind === "num") {
    bound = e.left.value;
    op = flipped[op] ?? op;
  } else return r;
  const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
  const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
  switch (op) {
    case "==":
      return bound >= r.lo && bound <= r.hi ? exact(bound) : r;
    case "!=":
      if (bound === r.lo && r.lo < r.hi) return { lo: r.lo + 1n, hi: r.hi };
      if (bound === r.hi && r.lo < r.hi) return { lo: r.lo, hi: r.hi - 1n };
      return r;
    case ">=":
      return { lo: max(r.lo, bound), hi: r.hi };
    case ">":
      return { lo: max(r.lo, bound + 1n), hi: r.hi };
    case "<=":
      return { lo: r.lo, hi: min(r.hi, bound) };
    case "<":
      return { lo: r.lo, hi: min(r.hi, bound - 1n) };
    default:
      return r;
  }
}

/**
 * Offsets of top-level named members that are at the same place in every
 * value in which the `present` groups are present.
 */
function topLevelOffsets(
  members: readonly Member[],
  present: readonly Member[],
): Map<string, number> {
  const offsets = new Map<string, number>();
  let at: number | undefined = 0;
  for (const m of members) {
    if (at !== undefined && "name" in m) offsets.set(m.name, at);
    const size = fixedMemberSize(present.includes(m) ? ({ ...m, cond: undefined } as Member) : m);
    at = at === undefined || size === undefined ? undefined : at + size;
  }
  return offsets;
}

/** Whether a boolean expression always, never or sometimes holds. */
export function holds(e: Expr, lookup: Lookup): Tri {
  switch (e.kind) {
    case "not": {
      const inner = holds(e.arg, lookup);
      return inner === "always" ? "never" : inner === "never" ? "always" : "maybe";
    }
    case "binary":
      break;
    default: {
      // A number used as a truth value: true unless zero.
      const r = range(e, lookup);
      return compare("!=", r, exact(0n));
    }
  }
  if (e.op === "&&" || e.op === "||") {
    const l = holds(e.left, lookup);
    const r = holds(e.right, lookup);
    if (e.op === "&&") {
      if (l === "never" || r === "never") return "never";
      return l === "always" && r === "always" ? "always" : "maybe";
    }
    if (l === "always" || r === "always") return "always";
    return l === "never" && r === "never" ? "never" : "maybe";
  }
  if (["==", "!=", "<", "<=", ">", ">="].includes(e.op))
    return compare(e.op, range(e.left, lookup), range(e.right, lookup));
  return compare("!=", range(e, lookup), exact(0n));
}

function compare(op: string, a: Range | undefined, b: Range | undefined): Tri {
  if (a === undefined || b === undefined) return "maybe";
  const test = (always: boolean, never: boolean): Tri =>
    always ? "always" : never ? "never" : "maybe";
  switch (op) {
    case "==":
      return test(a.lo === a.hi && b.lo === b.hi && a.lo === b.lo, a.hi < b.lo || b.hi < a.lo);
    case "!=":
      return test(a.hi < b.lo || b.hi < a.lo, a.lo === a.hi && b.lo === b.hi && a.lo === b.lo);
    case "<":
      return test(a.hi < b.lo, a.lo >= b.hi);
    case "<=":
      return test(a.hi <= b.lo, a.lo > b.hi);
    case ">":
      return test(a.lo > b.hi, a.hi <= b.lo);
    default:
      return test(a.lo >= b.hi, a.hi < b.lo);
  }
}

/** The range of a numeric expression, or undefined when it cannot be bounded. */
export function range(e: Expr, lookup: Lookup): Range | undefined {
  switch (e.kind) {
    case "num":
      return exact(e.value);
    case "ref":
      return lookup(e.name);
    case "neg": {
      const r = range(e.arg, lookup);
      return r === undefined ? undefined : { lo: -r.hi, hi: -r.lo };
    }
    case "not":
      return { lo: 0n, hi: 1n };
    case "choose": {
      // The choice the condition makes, or either where it may go both ways.
      const test = holds(e.cond, lookup);
      if (test === "always") return range(e.then, lookup);
      if (test === "never") return range(e.else, lookup);
      const a = range(e.then, lookup);
      const b = range(e.else, lookup);
      if (a === undefined || b === undefined) return undefined;
      return { lo: a.lo < b.lo ? a.lo : b.lo, hi: a.hi > b.hi ? a.hi : b.hi };
    }
    case "binary":
      break;
  }
  const l = range(e.left, lookup);
  const r = range(e.right, lookup);
  if (l === undefined || r === undefined) return undefined;
  switch (e.op) {
    case "+":
      return { lo: l.lo + r.lo, hi: l.hi + r.hi };
    case "-":
      return { lo: l.lo - r.hi, hi: l.hi - r.lo };
    case "*": {
      const products = [l.lo * r.lo, l.lo * r.hi, l.hi * r.lo, l.hi * r.hi];
      return {
        lo: products.reduce((a, b) => (b < a ? b : a)),
        hi: products.reduce((a, b) => (b > a ? b : a)),
      };
    }
    default:
      break;
  }
  if (l.lo === l.hi && r.lo === r.hi) {
    const value = exactOp(e.op, l.lo, r.lo);
    return value === undefined ? undefined : exact(value);
  }
  if (e.op === "%" && l.lo >= 0n && r.lo === r.hi && r.lo > 0n) return { lo: 0n, hi: r.lo - 1n };
  if (e.op === "&" && l.lo >= 0n && r.lo >= 0n) return { lo: 0n, hi: l.hi < r.hi ? l.hi : r.hi };
  if (["==", "!=", "<", "<=", ">", ">=", "&&", "||"].includes(e.op)) return { lo: 0n, hi: 1n };
  return undefined;
}

/** Integer operators on exact values, truncating like the generated code. */
function exactOp(op: string, a: bigint, b: bigint): bigint | undefined {
  switch (op) {
    case "/":
      return b === 0n ? undefined : a / b;
    case "%":
      return b === 0n ? undefined : a % b;
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "<<":
      return b < 0n || b > 64n ? undefined : a << b;
    case ">>":
      return b < 0n || b > 64n ? undefined : a >> b;
    default:
      return undefined;
  }
}
