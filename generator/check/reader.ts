/**
 * Typed access to the located YAML tree. Every accessor records a problem
 * at the node's position instead of throwing, so one run reports them all.
 */
import type { Located, Position } from "../load.js";
import type { Loc } from "../model.js";
import type { Problem } from "../problem.js";

export type MapNode = Extract<Located, { kind: "map" }>;

export class Reader {
  readonly problems: Problem[] = [];

  report(at: Position, message: string): void {
    this.problems.push({
      file: at.file,
      line: at.line,
      col: at.col,
      path: at.path,
      message,
    });
  }

  loc(at: Position): Loc {
    return { file: at.file, line: at.line, col: at.col, path: at.path };
  }

  /** The node as a map whose keys are all among `allowed` (any keys if omitted), or undefined. */
  map(node: Located, what: string, allowed?: readonly string[]): MapNode | undefined {
    if (node.kind !== "map") {
      this.report(node.at, `${what} must be a map, got ${describe(node)}`);
      return undefined;
    }
    for (const entry of node.entries) {
      if (allowed !== undefined && !allowed.includes(entry.key)) {
        this.report(
          entry.keyAt,
          `unknown key "${entry.key}" in ${what}; expected one of: ${allowed.join(", ")}`,
        );
      }
    }
    return node;
  }

  /** The items of a sequence, or none, reporting nothing (for nodes already checked). */
  seqQuiet(node: Located | undefined): Located[] {
    return node?.kind === "seq" ? node.items : [];
  }

  get(map: MapNode, key: string): Located | undefined {
    return map.entries.find((e) => e.key === key)?.value;
  }

  required(map: MapNode, key: string, what: string): Located | undefined {
    const value = this.get(map, key);
    if (value === undefined) this.report(map.at, `${what} needs "${key}"`);
    return value;
  }

  string(node: Located | undefined, what: string): string | undefined {
    if (node === undefined) return undefined;
    if (node.kind === "scalar" && typeof node.value === "string") return node.value;
    // A number where a string is expected (e.g. `doc: 42`) is read as its text.
    if (node.kind === "scalar" && typeof node.value === "number") return String(node.value);
    // So are a null and a boolean written as words (`name: Null`, `name: true`), not left empty.
    if (node.kind === "scalar" && node.spelled !== undefined) return node.spelled;
    this.report(node.at, `${what} must be a string, got ${describe(node)}`);
    return undefined;
  }

  /** A non-negative integer, from a YAML number or a decimal/hex string (for values past 2^53). */
  integer(node: Located | undefined, what: string): bigint | undefined {
    if (node === undefined) return undefined;
    if (
      node.kind === "scalar" &&
      typeof node.value === "number" &&
      Number.isSafeInteger(node.value)
    ) {
      return BigInt(node.value);
    }
    if (
      node.kind === "scalar" &&
      typeof node.value === "string" &&
      /^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(node.value)
    ) {
      const negative = node.value.startsWith("-");
      const magnitude = BigInt(negative ? node.value.slice(1) : node.value);
      return negative ? -magnitude : magnitude;
    }
    this.report(node.at, `${what} must be an integer, got ${describe(node)}`);
    return undefined;
  }

  boolean(node: Located | undefined, what: string): boolean | undefined {
    if (node === undefined) return undefined;
    if (node.kind === "scalar" && typeof node.value === "boolean") return node.value;
    this.report(node.at, `${what} must be true or false, got ${describe(node)}`);
    return undefined;
  }

  seq(node: Located | undefined, what: string): Located[] {
    if (node === undefined) return [];
    if (node.kind === "seq") return node.items;
    this.report(node.at, `${what} must be a list, got ${describe(node)}`);
    return [];
  }
}

export function describe(node: Located): string {
  if (node.kind === "map") return "a map";
  if (node.kind === "seq") return "a list";
  if (node.value === null) return "nothing";
  return `${typeof node.value} ${JSON.stringify(node.value)}`;
}
