/**
 * Text fields: a string in an encoding, NUL-padded within a size in bytes.
 * Read decodes strictly (an invalid sequence is an error, never a
 * replacement character) and requires zeros after the terminator; write
 * encodes without allocating and fills the rest with zeros.
 */
import type { FieldType, TextEncoding } from "../../model.js";

type Text = Extract<FieldType, { kind: "text" }>;

const SUFFIX: Record<TextEncoding, string> = {
  ascii: "Ascii",
  utf8: "Utf8",
  utf16le: "Utf16le",
  utf16be: "Utf16be",
};

export const ENCODING_NAME: Record<TextEncoding, string> = {
  ascii: "ASCII",
  utf8: "UTF-8",
  utf16le: "UTF-16LE",
  utf16be: "UTF-16BE",
};

/** Code for where the text in [from, to) ends: the first NUL code unit, or `to`. */
export function textEnd(t: Text, from: string, to: string): string {
  return t.encoding.startsWith("utf16")
    ? `findNul16(buf, ${from}, ${to}, ${t.encoding === "utf16le"})`
    : `findNul(buf, ${from}, ${to})`;
}

/** Code decoding bytes [from, to): the string, or undefined if they are not valid. */
export function decodeText(t: Text, from: string, to: string): string {
  return `decode${SUFFIX[t.encoding]}(buf, ${from}, ${to})`;
}

/** Code for the bytes `acc` takes, or -1 if it cannot be encoded. */
export function encodedLength(t: Text, acc: string): string {
  return `encodedLength${SUFFIX[t.encoding]}(${acc})`;
}

/** Code writing `acc` at `at`; its value is the number of bytes written. */
export function encodeText(t: Text, at: string, acc: string): string {
  return `encode${SUFFIX[t.encoding]}(buf, ${at}, ${acc})`;
}
