/**
 * Expression checking: every name must be an earlier integer field that is
 * always there when the expression runs, and the operand types must agree
 * (64-bit fields are bigints, narrower ones numbers; literals adapt).
 */
import { BOOLEAN_OPS, parseExpr, type BinaryOp, type Expr } from "../expr.js";
import type { Located } from "../load.js";
import type { EnumDef, TypeDef } from "../model.js";
import { dottedEntry, type HeldRecord } from "./dotted.js";
import type { Reader } from "./reader.js";

export type ExprType = "number" | "bigint" | "boolean" | "literal";

/** A name an expression may use. */
export interface ScopeEntry {
  type: "number" | "bigint";
  /** For an enum field or parameter: its enum, whose value names `when` and `byte_order` may use. */
  enum?: EnumDef;
  /** Set when the name may be absent here; the text says why. */
  unavailable?: string;
  /** For a record-typed field: the record, whose integer fields are named `field.x`. */
  held?: HeldRecord;
}

export type Scope = Map<string, ScopeEntry>;

/**
 * Parses and type-checks `text`, the value of `node`; reports each problem at
 * its column in the expression when the text stands as written in the file,
 * else at the node.
 */
export function checkExpr(
  reader: Reader,
  text: string,
  node: Located,
  scope: Scope,
  /** `offset`: a number of any width (sizes, counts, positions); `number`: at most 32 bits. */
  want: "boolean" | "number" | "offset",
  laterNames: ReadonlySet<string>,
  /** The schema's types, to say which enum a misplaced value name belongs to. */
  types?: ReadonlyMap<string, TypeDef>,
  /** Given, it is told the expression's type (a `let` takes it). */
  typed?: { type?: ExprType },
): Expr | undefined {
  const parsedText = parseExpr(text);
  const textCol = node.kind === "scalar" ? node.textCol : undefined;
  const report = (col: number, message: string): void =>
    reader.report(
      { ...node.at, col: textCol === undefined ? node.at.col : textCol + col },
      `in "${text}": ${message}`,
    );
  if ("message" in parsedText) {
    report(parsedText.col, parsedText.message);
    return undefined;
  }
  let ok = true;
  const parsed = enumNames(parsedText, scope, types, (col, message) => {
    ok = false;
    report(col, message);
  });
  const typeOf = (e: Expr): ExprType | undefined => {
    switch (e.kind) {
      case "num":
        return "literal";
      case "ref": {
        const fail = (message: string): undefined => {
          ok = false;
          report(e.col, message);
          return undefined;
        };
        const [head = e.name, ...path] = e.name.split(".");
        const entry = scope.get(head);
        if (entry === undefined) {
          if (path.length === 0 && isValueName(e.name))
            return fail(
              `"${e.name}" is an enum value's name: compare an enum field or parameter with it (kind == ${e.name})`,
            );
          const why = laterNames.has(head)
            ? "is defined later; an expression can only use earlier fields"
            : "is not a field here";
          return fail(`"${head}" ${why}`);
        }
        if (entry.unavailable !== undefined)
          return fail(`"${head}" cannot be used here: ${entry.unavailable}`);
        if (entry.held === undefined)
          return path.length === 0
            ? entry.type
            : fail(`"${head}" is not a record, so "${e.name}" names nothing`);
        if (path.length === 0)
          return fail(
            `"${head}" is a record; an expression names one of its integer fields, as ${head}.field`,
          );
        const inner = dottedEntry(entry.held, path);
        return typeof inner === "string" ? fail(inner) : inner.type;
      }
      case "not": {
        const t = typeOf(e.arg);
        if (t !== undefined && t !== "boolean") {
          ok = false;
          report(e.col, "! needs a condition, not a number");
        }
        return "boolean";
      }
      case "neg": {
        const t = typeOf(e.arg);
        if (t === "boolean") {
          ok = false;
          report(e.col, "- needs a number, not a condition");
        }
        return t;
      }
      case "binary": {
        const l = typeOf(e.left);
        const r = typeOf(e.right);
        if (l === undefined || r === undefined) return undefined;
        const logical = e.op === "||" || e.op === "&&";
        if (logical) {
          if (l !== "boolean" || r !== "boolean") {
            ok = false;
            report(e.col, `${e.op} needs conditions on both sides`);
          }
          return "boolean";
        }
        if (l === "boolean" || r === "boolean") {
          ok = false;
          report(e.col, `${e.op} needs numbers on both sides, not conditions`);
          return undefined;
        }
        if (l !== "literal" && r !== "literal" && l !== r) {
          ok = false;
          report(e.col, `${e.op} mixes a 64-bit field (bigint) with a narrower one (number)`);
          return undefined;
        }
        if (BOOLEAN_OPS.has(e.op)) return "boolean";
        return l === "literal" ? r : l;
      }
      case "choose": {
        // As for `if`: the test is a condition, and the choices are numbers of one kind.
        const c = typeOf(e.cond);
        const a = typeOf(e.then);
        const b = typeOf(e.else);
        if (c !== undefined && c !== "boolean") {
          ok = false;
          report(e.col, "? needs a condition (a comparison) before it, not a number");
        }
        if (a === undefined || b === undefined) return undefined;
        if (a === "boolean" || b === "boolean") {
          ok = false;
          report(e.col, "? : chooses between numbers, not conditions (use && and || for those)");
          return undefined;
        }
        if (a !== "literal" && b !== "literal" && a !== b) {
          ok = false;
          report(e.col, "? : mixes a 64-bit field (bigint) with a narrower one (number)");
          return undefined;
        }
        return a === "literal" ? b : a;
      }
    }
  };
  const type = typeOf(parsed);
  if (!ok || type === undefined) return undefined;
  const isBoolean = type === "boolean";
  if (want === "boolean" && !isBoolean) {
    report(0, "must be a condition (a comparison), not a number");
    return undefined;
  }
  if (want === "offset" && isBoolean) {
    report(0, "must be a number, not a condition");
    return undefined;
  }
  if (want === "number" && (isBoolean || type === "bigint")) {
    report(
      0,
      isBoolean ? "must be a number, not a condition" : "a size must use fields of at most 32 bits",
    );
    return undefined;
  }
  if (typed !== undefined) typed.type = type;
  return parsed;
}

/** Field names are lower_snake_case, so a capitalised name can only be an enum value's. */
function isValueName(name: string): boolean {
  return /^[A-Z]/.test(name);
}

/**
 * Replaces each enum value's name compared with an enum field or parameter
 * (`kind != Reserved`, either way round) by that value's stored number,
 * keeping the name for messages; reports a name the enum has not, and a
 * name compared with anything but an enum field. Other value names are
 * left for the type check to report.
 */
function enumNames(
  e: Expr,
  scope: Scope,
  types: ReadonlyMap<string, TypeDef> | undefined,
  report: (col: number, message: string) => void,
): Expr {
  switch (e.kind) {
    case "num":
    case "ref":
      return e;
    case "not":
    case "neg":
      return { ...e, arg: enumNames(e.arg, scope, types, report) };
    case "choose":
      return {
        ...e,
        cond: enumNames(e.cond, scope, types, report),
        then: enumNames(e.then, scope, types, report),
        else: enumNames(e.else, scope, types, report),
      };
    case "binary": {
      const named = (x: Expr): x is Extract<Expr, { kind: "ref" }> =>
        x.kind === "ref" && isValueName(x.name) && !scope.has(x.name);
      const valueSide = named(e.right) ? e.right : named(e.left) ? e.left : undefined;
      if (valueSide === undefined)
        return {
          ...e,
          left: enumNames(e.left, scope, types, report),
          right: enumNames(e.right, scope, types, report),
        };
      const other = valueSide === e.right ? e.left : e.right;
      const value = enumValue(valueSide, other, e.op, scope, types, report);
      return valueSide === e.right ? { ...e, right: value } : { ...e, left: value };
    }
  }
}

function enumValue(
  name: Extract<Expr, { kind: "ref" }>,
  other: Expr,
  op: BinaryOp,
  scope: Scope,
  types: ReadonlyMap<string, TypeDef> | undefined,
  report: (col: number, message: string) => void,
): Expr {
  // On a problem (reported here, or on the other side by the type check), a
  // literal in its place keeps the name from being reported twice.
  const failed: Expr = { kind: "num", value: 0n, col: name.col };
  if (!BOOLEAN_OPS.has(op) || op === "&&" || op === "||") {
    report(
      name.col,
      `"${name.name}" is an enum value's name: it can only be compared (==, !=, <, <=, >, >=), as its stored number`,
    );
    return failed;
  }
  const entry = other.kind === "ref" ? scope.get(other.name) : undefined;
  const def = entry?.enum;
  if (other.kind !== "ref" || entry === undefined) {
    // An unknown field on the other side is reported by the type check.
    if (other.kind !== "ref")
      report(
        name.col,
        `"${name.name}" is an enum value's name: it can only be compared with an enum field or parameter, not with ${other.kind === "num" ? "a number" : "an expression"}`,
      );
    return failed;
  }
  if (def === undefined) {
    report(
      name.col,
      `"${name.name}" is an enum value's name, but "${other.name}" is not an enum field or parameter`,
    );
    return failed;
  }
  const v = def.values.find((x) => x.name === name.name);
  if (v === undefined || typeof v.value !== "number") {
    const owners = [...(types?.values() ?? [])]
      .filter((t) => t.kind === "enum" && t !== def && t.values.some((x) => x.name === name.name))
      .map((t) => t.name);
    const elsewhere = owners.length > 0 ? ` (it is a value of ${owners.join(", ")})` : "";
    report(
      name.col,
      `"${name.name}" is not a value of ${def.name}, the type of "${other.name}"${elsewhere}; expected one of ${def.values.map((x) => x.name).join(", ")}`,
    );
    return failed;
  }
  return { kind: "num", value: BigInt(v.value), col: name.col, name: name.name };
}
