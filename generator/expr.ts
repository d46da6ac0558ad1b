/**
 * The schema's expression language, used by `if`, `size` and `valid`:
 * integer literals, names of earlier fields, parentheses, the operators
 *   ||  &&  == != < <= > >=  | &  << >>  + -  * / %  and unary ! -
 * with C's precedence, and C's choice `c ? a : b` below them all (right
 * associative). Expressions are parsed here once; emitters turn the tree
 * into TypeScript, so nothing is interpreted at run time.
 */

export type BinaryOp =
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "|"
  | "&"
  | "<<"
  | ">>"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%";

export type Expr =
  /** A literal; `name` when it was written as an enum value's name (`kind != Reserved`). */
  | { kind: "num"; value: bigint; col: number; name?: string }
  | { kind: "ref"; name: string; col: number }
  | { kind: "not" | "neg"; arg: Expr; col: number }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; col: number }
  /** `cond ? then : else`: `then` where the condition holds, else `else`; `col` is the `?`'s. */
  | { kind: "choose"; cond: Expr; then: Expr; else: Expr; col: number };

export interface ExprError {
  /** 0-based column within the expression text. */
  col: number;
  message: string;
}

const PRECEDENCE: Record<BinaryOp, number> = {
  "||": 1,
  "&&": 2,
  "|": 3,
  "&": 4,
  "==": 5,
  "!=": 5,
  "<": 6,
  "<=": 6,
  ">": 6,
  ">=": 6,
  "<<": 7,
  ">>": 7,
  "+": 8,
  "-": 8,
  "*": 9,
  "/": 9,
  "%": 9,
};

/** Operators whose result is a boolean rather than a number. */
export const BOOLEAN_OPS: ReadonlySet<BinaryOp> = new Set([
  "||",
  "&&",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
]);

interface Token {
  text: string;
  col: number;
}

const TOKEN =
  /\s*(0x[0-9a-fA-F_]+|[0-9][0-9_]*|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|\|\||&&|==|!=|<=|>=|<<|>>|[()<>|&+\-*/%!?:])/y;

function tokenize(text: string): Token[] | ExprError {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) {
      const col = start + (text.slice(start).length - text.slice(start).trimStart().length);
      return {
        col,
        message: `unexpected character ${JSON.stringify(text[col])}`,
      };
    }
    tokens.push({ text: m[1], col: TOKEN.lastIndex - m[1].length });
  }
  return tokens;
}

/** Parses an expression, or says where and why it cannot. */
export function parseExpr(text: string): Expr | ExprError {
  const tokenized = tokenize(text);
  if (!Array.isArray(tokenized)) return tokenized;
  const tokens: Token[] = tokenized;
  let i = 0;
  const fail = (message: string): ExprError => ({
    col: i < tokens.length ? tokens[i].col : text.length,
    message,
  });

  function primary(): Expr | ExprError {
    const t = tokens[i];
    if (t === undefined) return fail("expression ends too soon");
    i++;
    if (t.text === "(") {
      const inner = choose();
      if ("message" in inner) return inner;
      if (tokens[i]?.text !== ")") return fail("expected ')'");
      i++;
      return inner;
    }
    if (t.text === "!" || t.text === "-") {
      const arg = primary();
      if ("message" in arg) return arg;
      return { kind: t.text === "!" ? "not" : "neg", arg, col: t.col };
    }
    if (/^[0-9]/.test(t.text))
      return {
        kind: "num",
        value: BigInt(t.text.replace(/_/g, "")),
        col: t.col,
      };
    if (/^[A-Za-z_]/.test(t.text)) return { kind: "ref", name: t.text, col: t.col };
    i--;
    return fail(`unexpected ${JSON.stringify(t.text)}`);
  }

  function binary(minPrecedence: number): Expr | ExprError {
    let left = primary();
    if ("message" in left) return left;
    for (;;) {
      const t = tokens[i];
      if (t === undefined || !(t.text in PRECEDENCE)) return left;
      const op = t.text as BinaryOp;
      const precedence = PRECEDENCE[op];
      if (precedence <= minPrecedence) return left;
      i++;
      const right = binary(precedence);
      if ("message" in right) return right;
      left = { kind: "binary", op, left, right, col: t.col };
    }
  }

  /** `c ? a : b`, right associative: `a ? b : c ? d : e` is `a ? b : (c ? d : e)`. */
  function choose(): Expr | ExprError {
    const cond = binary(0);
    if ("message" in cond) return cond;
    const t = tokens[i];
    if (t?.text !== "?") return cond;
    i++;
    const then = choose();
    if ("message" in then) return then;
    if (tokens[i]?.text !== ":") return fail("expected ':' of `? :`");
    i++;
    const otherwise = choose();
    if ("message" in otherwise) return otherwise;
    return { kind: "choose", cond, then, else: otherwise, col: t.col };
  }

  const expr = choose();
  if ("message" in expr) return expr;
  if (i < tokens.length) return fail(`unexpected ${JSON.stringify(tokens[i].text)}`);
  return expr;
}

/** Names an expression refers to, with their columns. */
export function refsOf(e: Expr): { name: string; col: number }[] {
  switch (e.kind) {
    case "num":
      return [];
    case "ref":
      return [{ name: e.name, col: e.col }];
    case "not":
    case "neg":
      return refsOf(e.arg);
    case "binary":
      return [...refsOf(e.left), ...refsOf(e.right)];
    case "choose":
      return [...refsOf(e.cond), ...refsOf(e.then), ...refsOf(e.else)];
  }
}

/** The expression as schema text, for messages. */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case "num":
      return e.name ?? e.value.toString();
    case "ref":
      return e.name;
    case "not":
    case "neg": {
      // A unary operator binds tightest: `!(a == b)` keeps its parentheses.
      const arg =
        e.arg.kind === "binary" || e.arg.kind === "choose"
          ? `(${exprText(e.arg)})`
          : exprText(e.arg);
      return `${e.kind === "not" ? "!" : "-"}${arg}`;
    }
    case "binary": {
      // The operators group from the left, so a right operand of the same
      // precedence was written in parentheses: `a - (b - c)` keeps them.
      const wrap = (x: Expr, right: boolean): string =>
        x.kind === "choose" ||
        (x.kind === "binary" &&
          (PRECEDENCE[x.op] < PRECEDENCE[e.op] || (right && PRECEDENCE[x.op] === PRECEDENCE[e.op])))
          ? `(${exprText(x)})`
          : exprText(x);
      return `${wrap(e.left, false)} ${e.op} ${wrap(e.right, true)}`;
    }
    case "choose": {
      // Parentheses where a reader would otherwise have to know the grouping.
      const wrap = (x: Expr): string => (x.kind === "choose" ? `(${exprText(x)})` : exprText(x));
      return `${wrap(e.cond)} ? ${wrap(e.then)} : ${exprText(e.else)}`;
    }
  }
}
