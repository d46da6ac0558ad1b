/**
 * A union framing's general parts beyond tag, length and padding: the
 * order of the header (`header: [length, tag]`), a checksum trailer after
 * each payload (`trailer: { name: crc, type: u32, checksum: crc32, covers:
 * [tag, payload] }`), and tags written as the text of their bytes
 * (`tag: IHDR`), as PNG needs.
 */
import type { Located } from "../load.js";
import type { ChecksumAlgorithm, Endian, FramePart, IntType, Trailer } from "../model.js";
import { intSize } from "../model.js";
import { intName, parseIntType } from "./int.js";
import { badFieldName } from "./names.js";
import type { MapNode, Reader } from "./reader.js";

const CHECKSUMS = ["crc32", "crc32c", "ones-complement-sum"] as const;
const PARTS = ["tag", "length", "payload"] as const;
const TRAILER_KEYS = ["name", "type", "checksum", "covers", "endian", "doc"] as const;

/** `header`: `[tag, length]` (the default) or `[length, tag]`; true when the length is first. */
export function headerOrder(reader: Reader, framing: MapNode): boolean {
  const node = reader.get(framing, "header");
  if (node === undefined) return false;
  const items = reader.seq(node, "header").map((item) => reader.string(item, "header"));
  const text = items.join(", ");
  if (text === "tag, length") return false;
  if (text === "length, tag") return true;
  reader.report(node.at, `header must be [tag, length] or [length, tag], got [${text}]`);
  return false;
}

/**
 * A tag: an integer, or a string of as many characters as the tag has
 * bytes, standing for those bytes in storage order (`IHDR` is 0x49484452
 * in a big-endian u32).
 */
export function tagValue(
  reader: Reader,
  node: Located | undefined,
  tag: IntType,
  what: string,
): bigint | undefined {
  if (
    node?.kind !== "scalar" ||
    typeof node.value !== "string" ||
    /^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(node.value)
  )
    return reader.integer(node, what);
  const text = node.value;
  if (text.length !== intSize(tag) || !/^[\x00-\xff]*$/.test(text)) {
    reader.report(
      node.at,
      `${what} "${text}" must be an integer, or ${intSize(tag)} characters (U+0000 to U+00FF) for the bytes of the ${intName(tag)} tag`,
    );
    return undefined;
  }
  const bytes = [...text].map((c) => BigInt(c.charCodeAt(0)));
  if (tag.endian === "little") bytes.reverse();
  return bytes.reduce((n, b) => (n << 8n) | b, 0n);
}

/** `trailer`: a checksum stored after each payload. */
export function trailer(
  reader: Reader,
  framing: MapNode,
  endian: Endian,
  lengthFirst: boolean,
): Trailer | undefined {
  const node = reader.get(framing, "trailer");
  if (node === undefined) return undefined;
  const map = reader.map(node, "a trailer", TRAILER_KEYS);
  if (map === undefined) return undefined;
  const name = reader.string(reader.required(map, "name", "a trailer"), "name");
  if (name !== undefined) {
    const bad = badFieldName(name);
    if (bad !== undefined) reader.report(reader.get(map, "name")!.at, bad);
  }
  const endianNode = reader.get(map, "endian");
  const endianText = reader.string(endianNode, "endian") ?? endian;
  if (endianText !== "big" && endianText !== "little")
    reader.report(endianNode!.at, `endian must be "big" or "little", got "${endianText}"`);
  const typeNode = reader.required(map, "type", "a trailer");
  const typeText = reader.string(typeNode, "type");
  const type =
    typeText === undefined
      ? undefined
      : parseIntType(typeText, endianText === "little" ? "little" : "big");
  if (typeText !== undefined && (type === undefined || type.bits !== 32 || type.signed))
    reader.report(typeNode!.at, `a checksum trailer is a u32, not "${typeText}"`);
  const algoNode = reader.required(map, "checksum", "a trailer");
  const algorithm = reader.string(algoNode, "checksum");
  if (algorithm !== undefined && !(CHECKSUMS as readonly string[]).includes(algorithm))
    reader.report(
      algoNode!.at,
      `checksum must be one of ${CHECKSUMS.join(", ")}, got "${algorithm}"`,
    );
  const order: FramePart[] = lengthFirst
    ? ["length", "tag", "payload"]
    : ["tag", "length", "payload"];
  const covers = coveredParts(reader, reader.get(map, "covers"), order);
  if (name === undefined || type === undefined || type.bits !== 32 || type.signed) return undefined;
  if (algorithm === undefined || !(CHECKSUMS as readonly string[]).includes(algorithm))
    return undefined;
  return {
    name,
    type,
    algorithm: algorithm as ChecksumAlgorithm,
    covers: covers ?? order,
    doc: reader.string(reader.get(map, "doc"), "doc"),
    loc: reader.loc(map.at),
  };
}

/** A trailer's `covers`: consecutive parts of the entry, in storage order; all of them if absent. */
function coveredParts(
  reader: Reader,
  node: Located | undefined,
  order: FramePart[],
): FramePart[] | undefined {
  if (node === undefined) return undefined;
  const names = reader.seq(node, "covers").map((item) => reader.string(item, "covers"));
  const parts: FramePart[] = [];
  for (const name of names) {
    if (name === undefined) return undefined;
    if (!(PARTS as readonly string[]).includes(name)) {
      reader.report(
        node.at,
        `covers lists parts of an entry (tag, length, payload), not "${name}"`,
      );
      return undefined;
    }
    parts.push(name as FramePart);
  }
  const first = order.indexOf(parts[0] ?? "tag");
  const consecutive = parts.length > 0 && parts.every((p, i) => order.indexOf(p) === first + i);
  if (!consecutive) {
    reader.report(
      node.at,
      `covers must list consecutive parts of an entry in storage order (${order.join(", ")}), got [${names.join(", ")}]`,
    );
    return undefined;
  }
  return parts;
}
