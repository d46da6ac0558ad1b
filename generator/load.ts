/**
 * Load: read a YAML schema into a tree that remembers where every node was
 * written, so later stages can report `file:line:col`.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar } from "yaml";
import type { Problem } from "./problem.js";

/** A YAML node with its position and schema path. */
export type Located =
  | {
      kind: "map";
      entries: { key: string; keyAt: Position; value: Located }[];
      at: Position;
    }
  | { kind: "seq"; items: Located[]; at: Position }
  | {
      kind: "scalar";
      value: string | number | boolean | null;
      at: Position;
      /**
       * The column of the value's first character, when the value is written
       * on one line with every character standing for itself (plain, or
       * quoted without escapes); undefined otherwise. Expressions use it to
       * point into their text.
       */
      textCol?: number;
      /**
       * For a value YAML reads as a null, boolean or number: the text it was
       * written as (`Null`, `~`, `true`, `0x10`), for where a word is expected.
       */
      spelled?: string;
    };

export interface Position {
  file: string;
  line: number;
  col: number;
  path: string;
}

export interface Loaded {
  file: string;
  root: Located;
}

/**
 * How deep a schema may nest. Real schemas nest a few levels; the limit
 * keeps deeper text from exhausting the stack (YAML's own parser, then ours).
 */
export const MAX_DEPTH = 256;

const TOO_DEEP = `the document nests too deeply (a schema may nest at most ${MAX_DEPTH} levels)`;

/** A scalar key as written, for telling keys apart before positions are known. */
function keyText(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  if (typeof key.value === "string") return key.value;
  return key.source ?? String(key.value);
}

/** Parses YAML text. Syntax errors come back as problems; nothing throws. */
export function loadSchema(file: string, text: string): Loaded | { problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // Keys are the text they spell (see `spelled`), so `Null` and `NULL` are two keys.
    uniqueKeys: (a, b) => a === b || (keyText(a) ?? a) === (keyText(b) ?? b),
    intAsBigInt: false,
  });
  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return {
      file,
      line: pos.line,
      col: pos.col,
      path: "",
      // The YAML parser reports running out of stack as what it is to a program.
      message: /Maximum call stack size exceeded/.test(e.message)
        ? TOO_DEEP
        : e.message.split("\n")[0],
    };
  });
  if (problems.length > 0) return { problems };

  const position = (node: Node | null | undefined, path: string): Position => {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col, path };
  };

  /** See `textCol` in {@link Located}. */
  const textCol = (node: Node, value: string | number | boolean | null): number | undefined => {
    if (node.range === undefined || node.range === null || value === null) return undefined;
    const [start, end] = node.range;
    const raw = text.slice(start, end);
    const shown = String(value);
    const offset =
      raw === shown
        ? 0
        : raw.length === shown.length + 2 && raw.slice(1, -1) === shown && /^["']/.test(raw)
          ? 1
          : undefined;
    if (offset === undefined || raw.includes("\n")) return undefined;
    return lineCounter.linePos(start).col + offset;
  };

  /**
   * A scalar as the text it spells. YAML reads plain `Null`, `~`, `true`
   * and `1` as a null, a boolean and a number, but where a schema expects a
   * name or a word (every key, and values such as `name:`), they are that text.
   */
  const spelled = (node: Scalar): string | undefined => {
    if (typeof node.value === "string") return node.value;
    if (node.range === undefined || node.range === null) return undefined;
    return text.slice(node.range[0], node.range[1]);
  };

  function convert(node: unknown, path: string, depth = 0): Located | Problem {
    // No schema path: it would be hundreds of levels long.
    if (depth > MAX_DEPTH) return { ...position(node as Node, ""), message: TOO_DEEP };
    if (isMap(node)) {
      const entries: { key: string; keyAt: Position; value: Located }[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? spelled(keyNode) : undefined;
        if (key === undefined || key === "") {
          return {
            ...position(keyNode ?? node, path),
            message:
              keyNode === null || isScalar(keyNode)
                ? "a key is missing: every key is a name or a word"
                : "a key must be a name or a word, not a map or a list",
          };
        }
        const childPath = `${path}/${key}`;
        const value = convert(pair.value, childPath, depth + 1);
        if ("message" in value) return value;
        entries.push({ key, keyAt: position(keyNode, childPath), value });
      }
      return { kind: "map", entries, at: position(node, path) };
    }
    if (isSeq(node)) {
      const items: Located[] = [];
      for (const [index, item] of node.items.entries()) {
        const value = convert(item, `${path}/${index}`, depth + 1);
        if ("message" in value) return value;
        items.push(value);
      }
      return { kind: "seq", items, at: position(node, path) };
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === "number" && !Number.isFinite(v)) {
        const raw =
          node.range === undefined || node.range === null
            ? String(v)
            : text.slice(node.range[0], node.range[1]);
        return {
          ...position(node, path),
          message: `${raw} is out of range: numbers in a schema must be finite`,
        };
      }
      if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
        const scalar: Located = {
          kind: "scalar",
          value: v,
          at: position(node, path),
          textCol: textCol(node, v),
        };
        // `name: Null` is a name to the schema, whatever YAML makes of it.
        if (typeof v !== "string") {
          const text = spelled(node);
          if (text !== undefined && text !== "") scalar.spelled = text;
        }
        return scalar;
      }
      return { ...position(node, path), message: "unsupported YAML value" };
    }
    if (node === null || node === undefined) {
      return { kind: "scalar", value: null, at: position(null, path) };
    }
    return {
      ...position(node as Node, path),
      message: "aliases and tags are not supported in schemas",
    };
  }

  const root = convert(doc.contents, "");
  if ("message" in root) return { problems: [root] };
  return { file, root };
}
