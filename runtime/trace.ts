/**
 * The byte layout of one decoded value, as a tree of spans. Only a module
 * generated with `trace` calls these (`binschema decode --layout` does):
 * its read functions open a span before each member and close it, with the
 * member's name, type, byte range and value, once the member is read, so
 * the ranges are the ones the codec itself used.
 */

/** One member of a decoded value: where its bytes are, and what they decoded to. */
export interface LayoutNode {
  /** The member's name, `[3]` for an array or list element. */
  name: string;
  /** What the bytes are, e.g. `u32`, `Version (u32)`, `crc32 checksum (u32)`. */
  type: string;
  /** Absolute byte offsets in the buffer read: [start, end). */
  start: number;
  end: number;
  /** The decoded value (for constants, checksums and computed fields, the stored number). */
  value: unknown;
  children: LayoutNode[];
}

/** The children of every open span, innermost last; the first holds the top-level spans. */
const openSpans: LayoutNode[][] = [[]];

/** Forgets any earlier trace: a read that failed may have left spans open. */
export function traceStart(): void {
  openSpans.length = 0;
  openSpans.push([]);
}

/** Opens a span: what is closed until the matching {@link traceClose} becomes its children. */
export function traceOpen(): void {
  openSpans.push([]);
}

/** Closes the innermost open span as the member `name`. */
export function traceClose(
  name: string,
  type: string,
  start: number,
  end: number,
  value: unknown,
): void {
  const children = openSpans.length > 1 ? openSpans.pop()! : [];
  openSpans[openSpans.length - 1]!.push({ name, type, start, end, value, children });
}

/** A span without children. */
export function traceLeaf(
  name: string,
  type: string,
  start: number,
  end: number,
  value: unknown,
): void {
  openSpans[openSpans.length - 1]!.push({ name, type, start, end, value, children: [] });
}

/** The top-level spans of the trace since {@link traceStart}. */
export function traceTake(): LayoutNode[] {
  const top = openSpans[0] ?? [];
  traceStart();
  return top;
}

/** Where the trace stands: how many spans are open, and how many the innermost holds. */
export interface TraceMark {
  depth: number;
  count: number;
}

/** The trace as it stands, to go back to with {@link traceRewind}. */
export function traceMark(): TraceMark {
  return { depth: openSpans.length, count: openSpans[openSpans.length - 1]?.length ?? 0 };
}

/** Forgets every span since `mark`: a search tried a candidate that was not the match. */
export function traceRewind(mark: TraceMark): void {
  openSpans.length = mark.depth;
  const innermost = openSpans[mark.depth - 1];
  if (innermost !== undefined) innermost.length = mark.count;
}
