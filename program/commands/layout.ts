/**
 * `binschema decode --layout`: a decoded value as a format's specification
 * lays it out. One line per member in byte order — offset, size, name
 * (indented under its record, array or list entry), type, value — beside a
 * hex dump of the member's bytes; bytes no member covers (between the parts
 * of a record with positioned members) are shown as gaps. The spans come
 * from the codec itself (a module generated with `trace`, see
 * runtime/trace.ts), so they are the bytes the codec read.
 */
import type { LayoutNode } from "../../runtime/trace.js";

/** Bytes of hex shown on one line; longer members show the first of them and their size. */
const HEX_BYTES = 16;
/** Characters of a value shown; longer ones are cut with an ellipsis. */
const VALUE_CHARS = 48;

/** One line of the table before it is aligned into columns. */
interface Row {
  start: number;
  size: number;
  field: string;
  type: string;
  value: string;
  hex: string;
}

function hexOf(buf: Uint8Array, start: number, end: number): string {
  const shown = Array.from(buf.subarray(start, Math.min(end, start + HEX_BYTES)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join(" ");
  return end - start > HEX_BYTES ? `${shown} …` : shown;
}

/** A byte string or text as a quoted literal: printable ASCII as it is, anything else escaped. */
function quoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xff) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A leaf value for a reader: numbers in decimal (and hex when large), strings quoted. */
export function shownValue(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number" || typeof v === "bigint") {
    const big = BigInt(v);
    const abs = big < 0n ? -big : big;
    return abs > 9n ? `${big} (${big < 0n ? "-" : ""}0x${abs.toString(16)})` : String(big);
  }
  if (typeof v === "boolean") return String(v);
  if (typeof v === "string") return quoted(v);
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("unknown" in o && Object.keys(o).length === 1) return `unknown ${shownValue(o["unknown"])}`;
    // Flags: the names of the bits that are set, and any other bits.
    const entries = Object.entries(o);
    if (
      entries.every(
        ([, x]) => typeof x === "boolean" || typeof x === "number" || typeof x === "bigint",
      )
    ) {
      const set = entries.filter(([, x]) => x === true).map(([k]) => k);
      const other = entries.find(([, x]) => typeof x !== "boolean");
      if (other !== undefined && BigInt(other[1] as number | bigint) !== 0n)
        set.push(`${other[0]}=${shownValue(other[1])}`);
      return set.length === 0 ? "(none set)" : set.join(" | ");
    }
  }
  return "";
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The rows of `nodes` (siblings, within [from, to)), in byte order, with gaps between them. */
function rowsOf(
  nodes: readonly LayoutNode[],
  buf: Uint8Array,
  base: number,
  depth: number,
  from: number,
  to: number,
): Row[] {
  const rows: Row[] = [];
  const indent = "  ".repeat(depth);
  const gap = (start: number, end: number): void => {
    rows.push({
      start: start + base,
      size: end - start,
      field: `${indent}(gap)`,
      type: "not part of any member",
      value: "",
      hex: hexOf(buf, start, end),
    });
  };
  // An absent conditional member takes no bytes and has no value: it is not shown.
  const present = nodes.filter((n) => n.end > n.start || n.value !== undefined);
  const ordered = present
    .map((node, index) => ({ node, index }))
    .sort((a, b) => a.node.start - b.node.start || a.index - b.index)
    .map((x) => x.node);
  let cursor = from;
  for (const node of ordered) {
    if (node.start > cursor) gap(cursor, node.start);
    const composite = node.children.length > 0;
    rows.push({
      start: node.start + base,
      size: node.end - node.start,
      field: `${indent}${node.name}`,
      type: node.type,
      value: composite ? "" : cut(shownValue(node.value), VALUE_CHARS),
      hex: composite ? "" : hexOf(buf, node.start, node.end),
    });
    if (composite) rows.push(...rowsOf(node.children, buf, base, depth + 1, node.start, node.end));
    cursor = Math.max(cursor, node.end);
  }
  if (to > cursor) gap(cursor, to);
  return rows;
}

/**
 * The layout table of a decoded value: `nodes` are the spans of a read of
 * `buf` (which starts at byte `base` of the file) that ended at `end`.
 */
export function layoutLines(
  nodes: readonly LayoutNode[],
  buf: Uint8Array,
  base: number,
  end: number,
): string[] {
  const rows = rowsOf(nodes, buf, base, 0, 0, end);
  const digits = Math.max(4, (base + end).toString(16).length);
  const offsetText = (n: number): string => `0x${n.toString(16).padStart(digits, "0")}`;
  const header: Row = {
    start: 0,
    size: 0,
    field: "field",
    type: "type",
    value: "value",
    hex: "bytes",
  };
  const width = (pick: (r: Row) => string, max: number): number =>
    Math.min(max, Math.max(...[header, ...rows].map((r) => pick(r).length)));
  const fieldWidth = width((r) => r.field, 48);
  const typeWidth = width((r) => r.type, 40);
  const valueWidth = width((r) => r.value, VALUE_CHARS);
  const sizeWidth = width((r) => String(r.size), 10);
  const line = (offset: string, size: string, r: Row): string =>
    [
      offset.padEnd(digits + 2),
      size.padStart(sizeWidth),
      cut(r.field, fieldWidth).padEnd(fieldWidth),
      cut(r.type, typeWidth).padEnd(typeWidth),
      r.value.padEnd(valueWidth),
      r.hex,
    ]
      .join("  ")
      .trimEnd();
  return [
    line("offset", "size", header),
    ...rows.map((r) => line(offsetText(r.start), String(r.size), r)),
  ];
}
