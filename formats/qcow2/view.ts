/**
 * Showing a decoded header region: as an S-expression (the codec's, with
 * unknown extensions' payloads in hex and the backing file name added), as
 * JSON (64-bit values as strings, names decoded as UTF-8, opaque bytes in
 * hex), and the difference between two headers as a line diff of their
 * human S-expressions.
 */
import { sexpOfExtension, sexpOfHeader, type Header } from "../../generated/qcow2.js";
import { toStringHum, type Sexp } from "../../runtime/sexp.js";
import { byteStringText } from "./image.js";
import { diffHunks, lineDiff, type DiffLine } from "../../program/line-diff.js";

/** Bytes (a byte string) as lower-case hex without separators. */
export function hexOf(bytes: string): string {
  return Buffer.from(bytes, "latin1").toString("hex");
}

/** A type tag as `0x%08x`. */
function tagHex(tag: number): string {
  return `0x${(tag >>> 0).toString(16).padStart(8, "0")}`;
}

/**
 * The header's S-expression as the codec prints it, except that an unknown
 * extension shows its type and payload in hex, and a last field
 * `backing_file` holds the backing file name when there is one.
 */
export function inspectSexp(h: Header, backingName: string | undefined): Sexp {
  const extensions = h.extensions.map((e): Sexp =>
    e.kind === "Unknown"
      ? [
          "Unknown",
          [
            ["type", tagHex(e.type)],
            ["length", String(e.data.length)],
            ["data", hexOf(e.data)],
            // Odd padding the codec keeps, in hex like the payload.
            ...(e.padding === undefined ? [] : [["padding", hexOf(e.padding)]]),
          ],
        ]
      : sexpOfExtension(e),
  );
  const fields = (sexpOfHeader(h) as readonly Sexp[]).map((pair) =>
    Array.isArray(pair) && pair[0] === "extensions" ? ["extensions", extensions] : pair,
  );
  return backingName === undefined ? fields : [...fields, ["backing_file", backingName]];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Any decoded value as JSON: bigints as strings, byte strings decoded as UTF-8. */
function jsonOf(v: unknown): Json {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return byteStringText(v);
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map(jsonOf);
  if (typeof v === "object") {
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(v)) out[key] = jsonOf(value);
    return out;
  }
  return String(v);
}

/** Where the parts of a header region lie, for the JSON view. */
export interface RegionLayout {
  /** Offset of the first extension (header_length; 72 for version 2). */
  readonly header_length: number;
  /** Offset just after the end marker. */
  readonly end: number;
  readonly cluster_size: number | undefined;
  readonly bytes_read: number;
}

/**
 * The header as JSON: every field of the decoded value (64-bit values as
 * decimal strings), unknown extensions as type and hex payload,
 * `header_extra` in hex, and the backing file name.
 */
export function inspectJson(
  file: string,
  h: Header,
  backingName: string | undefined,
  layout: RegionLayout,
): Json {
  const header = jsonOf(h) as { [key: string]: Json };
  header.extensions = h.extensions.map((e) =>
    e.kind === "Unknown"
      ? {
          kind: "Unknown",
          type: e.type >>> 0,
          type_hex: tagHex(e.type),
          length: e.data.length,
          data_hex: hexOf(e.data),
          ...(e.padding === undefined ? {} : { padding_hex: hexOf(e.padding) }),
        }
      : jsonOf(e),
  );
  const extra = h.additional?.header_extra;
  if (extra !== undefined && header.additional !== null && typeof header.additional === "object") {
    (header.additional as { [key: string]: Json }).header_extra = hexOf(extra);
  }
  return {
    file,
    header,
    backing_file: backingName === undefined ? null : byteStringText(backingName),
    layout: { ...layout, cluster_size: layout.cluster_size ?? null },
  };
}

export { diffHunks, lineDiff, type DiffLine };

/** Two headers (with their backing file names) as {@link inspectSexp} prints them, diffed line by line. */
export function headerDiff(
  before: Header,
  after: Header,
  backingName: string | undefined,
): DiffLine[] {
  return lineDiff(
    toStringHum(inspectSexp(before, backingName)),
    toStringHum(inspectSexp(after, backingName)),
  );
}
