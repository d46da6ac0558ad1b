/**
 * Schema expressions as TypeScript. The checker has already made sure every
 * name exists and the types agree; here `==` becomes `===`, literals take
 * the type of the other operand (number or bigint) and number division
 * truncates like the integer division it stands for.
 */
import { exprText, type Expr } from "../expr.js";

export interface ExprRef {
  code: string;
  bigint: boolean;
  /**
   * For an unsigned 64-bit value: code giving its low 32 bits as a number
   * (reading the word again where the field is still in the buffer, else
   * the runtime's `low32`), so arithmetic on low bits needs no bigint.
   */
  low32?: string;
  /**
   * Set for a `let`: a value worked out from an expression, which may be
   * negative or the difference of huge values, so it is not rounded to a
   * number before the arithmetic around it (see {@link growsOnly}).
   */
  derived?: true;
}

/**
 * The reference to an integer value held by `code`; an unsigned 64-bit one
 * that is always there (`always`: not conditional, no `none`) gets its low
 * word through the runtime's `low32`, which allocates nothing.
 */
export function intRef(code: string, bits: number, signed: boolean, always = true): ExprRef {
  if (bits !== 64) return { code, bigint: false };
  return signed || !always
    ? { code, bigint: true }
    : { code, bigint: true, low32: `low32(${code})` };
}

export type Resolve = (name: string) => ExprRef;

/** Code for an offset, size or count as a number: a 64-bit one is converted (exactly up to 2^53, past any buffer). */
export function offsetExpr(e: Expr, resolve: Resolve): string {
  if (isBigInt(e, resolve)) {
    // `(512 - size % 512) % 512` of a 64-bit size: worked out on its low word.
    const low = lowWordExpr(e, resolve);
    if (low !== undefined) return `(${low})`;
  }
  if (isBigInt(e, resolve) && growsOnly(e, resolve)) {
    // Sums and products of fields and non-negative literals are worked out
    // in numbers, with no bigint allocated: exact below 2^53, and past any
    // buffer above it either way, so the bounds checks refuse the same values.
    const asNumber: Resolve = (name) => {
      const ref = resolve(name);
      return ref.bigint ? { code: `Number(${ref.code})`, bigint: false } : ref;
    };
    return `(${emitExpr(e, asNumber, false)})`;
  }
  const code = emitExpr(e, resolve);
  // Parenthesised, since it is added to offsets (`at + (n & 62)`).
  return isBigInt(e, resolve) ? `Number(${code})` : `(${code})`;
}

/**
 * Is `e` made of stored fields, non-negative literals, `+` and `*` only? Then
 * rounding a 64-bit field to a number cannot turn a huge value into a small
 * one (subtraction, division, `%` and masks could).
 */
function growsOnly(e: Expr, resolve: Resolve): boolean {
  switch (e.kind) {
    case "num":
      return e.value >= 0n;
    case "ref":
      return resolve(e.name).derived !== true;
    case "binary":
      return (
        (e.op === "+" || e.op === "*") && growsOnly(e.left, resolve) && growsOnly(e.right, resolve)
      );
    default:
      return false;
  }
}

function isBigInt(e: Expr, resolve: Resolve): boolean {
  switch (e.kind) {
    case "num":
      return false;
    case "ref":
      return resolve(e.name).bigint;
    case "not":
      return false;
    case "neg":
      return isBigInt(e.arg, resolve);
    case "binary":
      return isBigInt(e.left, resolve) || isBigInt(e.right, resolve);
    case "choose":
      return isBigInt(e.then, resolve) || isBigInt(e.else, resolve);
  }
}

export function emitExpr(e: Expr, resolve: Resolve, bigint = isBigInt(e, resolve)): string {
  switch (e.kind) {
    case "num": {
      const literal = bigint ? `${e.value}n` : e.value.toString();
      // An enum value's name is its stored number, named for the reader.
      return e.name === undefined ? literal : `${literal} /* ${e.name} */`;
    }
    case "ref":
      return resolve(e.name).code;
    case "not":
      return `!(${emitExpr(e.arg, resolve)})`;
    case "neg":
      return `-(${emitExpr(e.arg, resolve, bigint)})`;
    case "binary": {
      const lowBits = lowBitsTest(e, resolve);
      if (lowBits !== undefined) return lowBits;
      const operandsBig = isBigInt(e.left, resolve) || isBigInt(e.right, resolve);
      const l = emitExpr(e.left, resolve, operandsBig);
      const r = emitExpr(e.right, resolve, operandsBig);
      const op = e.op === "==" ? "===" : e.op === "!=" ? "!==" : e.op;
      if (e.op === "/" && !operandsBig) return `Math.trunc((${l}) / (${r}))`;
      return `(${l}) ${op} (${r})`;
    }
    case "choose": {
      // Parenthesised whole, since TypeScript's `?:` binds looser than anything around it.
      const code = `${emitExpr(e.cond, resolve)} ? ${emitExpr(e.then, resolve, bigint)} : ${emitExpr(e.else, resolve, bigint)}`;
      // A choice of literals has a literal type (`1 | 2`), which TypeScript
      // refuses to compare with other literals (`== 3`): it is widened.
      return literalChoice(e) ? `(${code} as ${bigint ? "bigint" : "number"})` : `(${code})`;
    }
  }
}

/**
 * A bigint division or remainder in `e` whose divisor may be zero, which
 * would throw a RangeError where a number one gives Infinity or NaN: the
 * code that is true when it would (taking `&&`, `||` and `?:` into account,
 * which skip what they do not evaluate) and the division as schema text.
 * The emitters test these first and refuse the value, naming the division.
 */
export interface ZeroDivision {
  test: string;
  text: string;
}

export function zeroDivisions(
  e: Expr,
  resolve: Resolve,
  nonZero: ReadonlySet<string> = new Set(),
): ZeroDivision[] {
  // What is evaluated only where `cond` is `truth` knows its non-zero facts too.
  const within = (cond: Expr, truth: boolean, inner: Expr): ZeroDivision[] => {
    const known = new Set([...nonZero, ...nonZeroWhere(cond, truth)]);
    const found = zeroDivisions(inner, resolve, known);
    // Code is made only for what is found: making it counts as a use of the lets it names.
    if (found.length === 0) return [];
    const code = emitExpr(cond, resolve);
    return found.map((z) => ({
      test: `${truth ? `(${code})` : `!(${code})`} && ${z.test}`,
      text: z.text,
    }));
  };
  switch (e.kind) {
    case "num":
    case "ref":
      return [];
    case "not":
    case "neg":
      return zeroDivisions(e.arg, resolve, nonZero);
    case "choose":
      return [
        ...zeroDivisions(e.cond, resolve, nonZero),
        ...within(e.cond, true, e.then),
        ...within(e.cond, false, e.else),
      ];
    case "binary": {
      if (lowBitsTest(e, resolve) !== undefined) return [];
      const left = zeroDivisions(e.left, resolve, nonZero);
      if (e.op === "&&" || e.op === "||")
        return [...left, ...within(e.left, e.op === "&&", e.right)];
      const both = [...left, ...zeroDivisions(e.right, resolve, nonZero)];
      const big = isBigInt(e.left, resolve) || isBigInt(e.right, resolve);
      const literal = e.right.kind === "num" && e.right.value !== 0n;
      if (!big || literal || (e.op !== "/" && e.op !== "%") || nonZero.has(exprText(e.right)))
        return both;
      return [...both, { test: `(${emitExpr(e.right, resolve, true)}) === 0n`, text: exprText(e) }];
    }
  }
}

/**
 * The statements refusing the bigint divisions by zero in `exprs`, tested
 * before they are worked out: `refuse(reason)` is how the emitter fails
 * (`return new CodecError(path, at, reason);`).
 */
export function zeroDivisionRefusals(
  exprs: readonly Expr[],
  resolve: Resolve,
  refuse: (reason: string) => string,
): string[] {
  return exprs.flatMap((e) =>
    zeroDivisions(e, resolve).map(
      (z) => `if (${z.test}) ${refuse(JSON.stringify(`${z.text} divides by zero`))}`,
    ),
  );
}

/**
 * Expressions (as schema text) known not to be zero where `cond` is `truth`:
 * `b != 0`, `b > 0` and `0 < b` true, `b == 0` false, and those joined by
 * `&&` (true) or `||` (false). A divisor guarded so needs no test.
 */
function nonZeroWhere(cond: Expr, truth: boolean): string[] {
  if (cond.kind === "not") return nonZeroWhere(cond.arg, !truth);
  if (cond.kind !== "binary") return [];
  if ((cond.op === "&&" && truth) || (cond.op === "||" && !truth))
    return [...nonZeroWhere(cond.left, truth), ...nonZeroWhere(cond.right, truth)];
  const zero = (x: Expr): boolean => x.kind === "num" && x.value === 0n;
  const other = zero(cond.right) ? cond.left : zero(cond.left) ? cond.right : undefined;
  if (other === undefined) return [];
  const holds =
    (cond.op === "!=" && truth) ||
    (cond.op === "==" && !truth) ||
    (truth && cond.op === ">" && zero(cond.right)) ||
    (truth && cond.op === "<" && zero(cond.left));
  return holds ? [exprText(other)] : [];
}

/** Is `e` a choice between literals (or choices between literals)? */
function literalChoice(e: Expr): boolean {
  const literal = (x: Expr): boolean => x.kind === "num" || literalChoice(x);
  return e.kind === "choose" && literal(e.then) && literal(e.else);
}

const LOW_31 = 1n << 31n;
const LOW_32 = 1n << 32n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * `e` as number arithmetic, when each 64-bit field in it is taken
 * `F % 2^n` (n up to 32) or `F & c` (c below 2^31) of an unsigned F whose
 * low word is at hand (`ExprRef.low32`): those parts lie below 2^32 and
 * depend only on that word, so the whole is exact in numbers (as the
 * number fields' arithmetic is) with no bigint allocated. Else undefined.
 */
function lowWordExpr(e: Expr, resolve: Resolve): string | undefined {
  switch (e.kind) {
    case "num":
      return e.value >= -SAFE && e.value <= SAFE ? emitExpr(e, resolve, false) : undefined;
    case "ref": {
      const ref = resolve(e.name);
      return ref.bigint ? undefined : ref.code;
    }
    case "not":
    case "neg": {
      const arg = lowWordExpr(e.arg, resolve);
      return arg === undefined ? undefined : `${e.kind === "not" ? "!" : "-"}(${arg})`;
    }
    case "binary": {
      const part = lowWordPart(e, resolve);
      if (part !== undefined) return part;
      const l = lowWordExpr(e.left, resolve);
      const r = lowWordExpr(e.right, resolve);
      if (l === undefined || r === undefined) return undefined;
      const op = e.op === "==" ? "===" : e.op === "!=" ? "!==" : e.op;
      return e.op === "/" ? `Math.trunc((${l}) / (${r}))` : `(${l}) ${op} (${r})`;
    }
  }
}

/** `F % 2^n` (n ≤ 32) or `F & c` (0 ≤ c < 2^31) of a 64-bit F with `low32`: code on that word, else undefined. */
function lowWordPart(e: Expr & { kind: "binary" }, resolve: Resolve): string | undefined {
  const [field, c] =
    e.right.kind === "num"
      ? [e.left, e.right.value]
      : e.op === "&" && e.left.kind === "num"
        ? [e.right, e.left.value]
        : [];
  if (field?.kind !== "ref" || c === undefined) return undefined;
  const low = resolve(field.name).low32;
  if (low === undefined) return undefined;
  if (e.op === "%" && c > 0n && c <= LOW_32 && (c & (c - 1n)) === 0n) return `(${low} % ${c})`;
  if (e.op === "&" && c >= 0n && c < LOW_31) return `(${low} & ${c})`;
  return undefined;
}

/**
 * `F & c == k` and `F % 2^n == k` on an unsigned 64-bit field F whose low
 * word can be read again (`ExprRef.low32`): they depend only on F's low 31
 * bits when c and k are below 2^31, so they are tested on that word, with no
 * bigint `%` or `&` (each allocates a bigint). Anything else: undefined.
 */
function lowBitsTest(e: Expr & { kind: "binary" }, resolve: Resolve): string | undefined {
  if (e.op !== "==" && e.op !== "!=") return undefined;
  const [test, k] =
    e.right.kind === "num"
      ? [e.left, e.right.value]
      : e.left.kind === "num"
        ? [e.right, e.left.value]
        : [];
  if (test?.kind !== "binary" || k === undefined || k < 0n || k >= LOW_31) return undefined;
  const [field, c] =
    test.right.kind === "num"
      ? [test.left, test.right.value]
      : test.op === "&" && test.left.kind === "num"
        ? [test.right, test.left.value]
        : [];
  if (field?.kind !== "ref" || c === undefined || c <= 0n || c > LOW_31) return undefined;
  const low = resolve(field.name).low32;
  if (low === undefined) return undefined;
  let mask: bigint;
  if (test.op === "&" && c < LOW_31) mask = c;
  else if (test.op === "%" && (c & (c - 1n)) === 0n && k < c) mask = c - 1n;
  else return undefined;
  return `(${low} & ${mask}) ${e.op === "==" ? "===" : "!=="} ${k}`;
}

/** Keys of model objects that lead to other types' definitions or to locations, not to a record's own expressions. */
const ELSEWHERE = new Set(["record", "element", "union", "enum", "loc"]);

/**
 * How many times `members` test `name` for equality: `==` or `!=` in an
 * expression, a `byte_order` or a `switch` on it.
 */
function equalityTests(node: unknown, name: string): number {
  if (typeof node !== "object" || node === null) return 0;
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + equalityTests(x, name), 0);
  const o = node as Record<string, unknown>;
  const isName = (e: unknown): boolean =>
    typeof e === "object" &&
    e !== null &&
    (e as Expr).kind === "ref" &&
    (e as { name: string }).name === name;
  let n =
    ((o.kind === "byteOrder" || o.kind === "switch") && isName(o.on)) ||
    (o.kind === "binary" && (o.op === "==" || o.op === "!=") && (isName(o.left) || isName(o.right)))
      ? 1
      : 0;
  for (const [key, value] of Object.entries(o))
    if (!ELSEWHERE.has(key)) n += equalityTests(value, name);
  return n;
}

/**
 * Code for the value a `byte_order` or `switch` tests. Its test narrows a
 * local (or parameter) to the values it accepts, so where the record tests
 * the same name for other values too (a condition, another switch), those
 * tests would compare types that cannot overlap, which the compiler refuses:
 * there it is tested as a plain number.
 */
export function selectorCode(on: Expr, code: string, members: readonly unknown[]): string {
  return on.kind === "ref" && equalityTests(members, on.name) > 1 ? `(${code} as number)` : code;
}
