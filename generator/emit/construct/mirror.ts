/**
 * Integers stored in both byte orders (`endian: both`, as ISO 9660 stores
 * its sizes and block numbers): the little-endian field, then this
 * big-endian copy. Read compares the copy with the field just read, so a
 * byte string whose copies disagree is an error naming the copy's byte
 * (there is no one value it could read to); write stores the value twice.
 */
import type { MirrorMember } from "../../model.js";
import { str } from "../code.js";
import { readInt, writeInt } from "../layout.js";

/** Statements reading the copy at `at` and comparing it with `field`, the local the field was read into. */
export function readMirror(
  m: MirrorMember,
  local: string,
  field: string,
  at: string,
  path: string,
): string[] {
  return [
    `const ${local} = ${readInt(m.type, at)};`,
    `if (${local} !== ${field}) return new CodecError(${str(path)}, ${at}, \`the big-endian copy is \${${local}}, but the little-endian one is \${${field}}\`);`,
  ];
}

/** The statement writing the copy of `value` (the field's property) at `at`. */
export function writeMirror(m: MirrorMember, value: string, at: string): string {
  return writeInt(m.type, at, value);
}
