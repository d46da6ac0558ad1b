/**
 * A union framing's checksum trailer (PNG's CRC-32 after each chunk, over
 * its type and data): stored right after the payload, computed on write
 * over the parts it covers, verified on read. It is not in the value, so an
 * edited entry gets a new checksum.
 */
import type { Trailer, UnionDef } from "../../model.js";
import { headerSize, intSize, lengthOffset, tagOffset } from "../../model.js";
import { str } from "../code.js";
import { readInt, writeInt } from "../layout.js";
import { checksumCall } from "./checksum.js";

type WithTrailer = UnionDef & { trailer: Trailer };

export function hasTrailer(def: UnionDef): def is WithTrailer {
  return def.trailer !== undefined;
}

/**
 * The byte range the trailer covers, for an entry at `at` whose payload
 * ends at `payloadEnd`: from its first covered part to the end of its last.
 */
function covered(def: WithTrailer, at: string, payloadEnd: string): { from: string; to: string } {
  const parts = def.trailer.covers;
  const start = (p: string): number =>
    p === "tag" ? tagOffset(def) : p === "length" ? lengthOffset(def) : headerSize(def);
  const end = (p: string): string =>
    p === "payload"
      ? payloadEnd
      : `${at} + ${start(p) + intSize(p === "tag" ? def.tag : def.length)}`;
  return { from: `${at} + ${start(parts[0]!)}`, to: end(parts[parts.length - 1]!) };
}

function computeTrailer(def: WithTrailer, at: string, payloadEnd: string, bits = false): string {
  const { from, to } = covered(def, at, payloadEnd);
  return checksumCall(def.trailer.algorithm, `buf, ${from}, ${to}`, bits);
}

/**
 * Read: the trailer stored at `payloadEnd` (already known to be inside the
 * input) against the one computed over the bytes it covers.
 */
export function verifyTrailer(def: WithTrailer, at: string, payloadEnd: string): string[] {
  const t = def.trailer;
  const { from, to } = covered(def, at, payloadEnd);
  return [
    `const storedCheck = ${readInt(t.type, payloadEnd)};`,
    `const computedCheck = ${computeTrailer(def, at, payloadEnd)};`,
    `if (storedCheck !== computedCheck) return new CodecError(${str(t.name)}, ${payloadEnd}, \`is \${hex(storedCheck, 8)}, but the ${t.algorithm} of bytes \${${from}} to \${${to}} is \${hex(computedCheck, 8)}\`);`,
  ];
}

/** Write: the trailer at `payloadEnd`, over the bytes already written. */
export function writeTrailer(def: WithTrailer, at: string, payloadEnd: string): string {
  return writeInt(def.trailer.type, payloadEnd, computeTrailer(def, at, payloadEnd, true));
}

/** How the layout page and doc comments describe the trailer. */
export function trailerText(def: UnionDef): string {
  const t = def.trailer;
  if (t === undefined) return "";
  return `a ${t.type.bits / 8}-byte ${t.algorithm} \`${t.name}\` over the ${t.covers.join(" and ")}`;
}
