/**
 * Expression checking: every name must be an earlier integer field that is
 * always there when the expression runs, and the operand types must agree
 * (64-bit fields are bigints, narrower ones numbers; literals adapt).
 */
import { BOOLEAN_OPS, parseExpr, type Expr } from "../expr.js";
import type { Located } from "../load.js";
import type { EnumDef } from "../model.js";
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
): Expr | undefined {
  const parsed = parseExpr(text);
  const textCol = node.kind === "scalar" ? node.textCol : undefined;
  const report = (col: number, message: string): void =>
    reader.report(
      { ...node.at, col: textCol === undefined ? node.at.col : textCol + col },
      `in "${text}": ${message}`,
    );
  if ("message" in parsed) {
    report(parsed.col, parsed.message);
    return undefined;
  }
  let ok = true;
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
  return parsed;
}
