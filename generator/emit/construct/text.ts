/**
 * Text fields: a string in an encoding, NUL-padded within a size in bytes.
 * Read decodes strictly (an invalid sequence is an error, never a
 * replacement character) and requires zeros after the terminator; write
 * encodes without allocating and fills the rest with zeros.
 */
import type { FieldType, TextEncoding, ValueField } from "../../model.js";
import { fixedTypeSize } from "../../model.js";
import { exprText } from "../../expr.js";
import { templateText } from "../code.js";
import { offsetExpr } from "../expr.js";
import type { SequenceReader } from "../read.js";
import type { CheckWalker, WriteWalker } from "../write.js";

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

/** Text NUL-padded within its size: decoded strictly, with zeros after the terminator. */
export function readText(
  r: SequenceReader,
  m: ValueField,
  t: Extract<FieldType, { kind: "text" }>,
  at: string,
  target: string,
  path: string,
): void {
  const fixed = fixedTypeSize(t);
  let end: string;
  if (fixed === undefined) {
    const n = r.locals.fresh(`${m.name}_size`);
    r.refuseZeroDivisions([t.size], r.prefix + m.name, at);
    r.code.line(`const ${n} = ${offsetExpr(t.size, r.resolve)};`);
    r.code.line(
      `if (!(${n} >= 0 && ${r.limit} - (${at}) >= ${n})) return truncated(${path}, ${at}, ${n}, ${r.limit});`,
    );
    if (t.encoding.startsWith("utf16"))
      r.code.line(
        `if (${n} % 2 !== 0) return new CodecError(${path}, ${at}, \`its size \${${n}} is odd; ${ENCODING_NAME[t.encoding]} takes two bytes a unit\`);`,
      );
    end = r.locals.fresh(`${m.name}_end`);
    r.code.line(`const ${end} = ${at} + ${n};`);
  } else {
    end = r.cursor.at(fixed);
  }
  let stop: string;
  if (r.unpadded.has(m.name)) {
    const nul = r.locals.fresh(`${m.name}_nul`);
    r.code.line(`const ${nul} = ${textEnd(t, at, end)};`);
    r.code.line(
      `if (${nul} !== ${end}) return new CodecError(${path}, ${nul}, "has a NUL, but its size is computed from its text, so it has no padding");`,
    );
    stop = end;
  } else {
    stop = r.locals.fresh(`${m.name}_stop`);
    const bad = r.locals.fresh("nonZero");
    r.code.line(`const ${stop} = ${textEnd(t, at, end)};`);
    r.code.line(`const ${bad} = findNonZero(buf, ${stop}, ${end});`);
    r.code.line(
      `if (${bad} !== -1) return new CodecError(${path}, ${bad}, "bytes after the terminating NUL must be zero");`,
    );
  }
  // Decoded straight into the field's local; the check narrows it to a string.
  r.code.line(`${target} = ${decodeText(t, at, stop)};`);
  r.code.line(
    `if (${r.locals.field(m.name)} === undefined) return new CodecError(${path}, ${at}, "is not valid ${ENCODING_NAME[t.encoding]}");`,
  );
  if (fixed === undefined) {
    r.code.line(`pos = ${end};`);
    r.cursor.base = "pos";
    r.cursor.offset = 0;
  } else {
    r.cursor.advance(fixed);
  }
}

/** Write: the encoded text, then zeros to the end of its size. */
export function writeText(w: WriteWalker, m: ValueField, t: Text, acc: string): void {
  const at = w.cursor.at();
  const fixed = fixedTypeSize(t);
  const written = w.locals.fresh(`${m.name}_bytes`);
  w.code.line(`const ${written} = ${encodeText(t, at, acc)};`);
  if (fixed !== undefined) {
    w.code.line(`buf.fill(0, ${at} + ${written}, ${w.cursor.at(fixed)});`);
    w.cursor.advance(fixed);
    return;
  }
  const size = offsetExpr(t.size, w.resolve);
  w.code.line(`buf.fill(0, ${at} + ${written}, ${at} + ${size});`);
  w.settleAfter(size);
}

/** Write, first pass: a string with no NUL (which would end it early) that the encoding can encode. */
export function checkTextValue(w: CheckWalker, t: Text, acc: string, path: string): void {
  w.code.line(
    `if (typeof ${acc} !== "string" || ${acc}.includes("\\0") || ${encodedLength(t, acc)} < 0) {`,
  );
  w.code.line(
    `  ${w.expected(path, `a string without NUL that ${ENCODING_NAME[t.encoding]} can encode`, acc)}`,
  );
  w.code.line("}");
}

/** Write, second pass: the encoded text fits the size its field has. */
export function checkTextRoom(
  w: CheckWalker,
  m: ValueField,
  t: Text,
  acc: string,
  path: string,
): void {
  w.refuseZeroDivisions([t.size], path);
  const room = offsetExpr(t.size, w.resolve);
  const length = w.locals.fresh(`${m.name}_length`);
  w.code.line(`const ${length} = ${encodedLength(t, acc)};`);
  w.code.line(
    `if (${length} > (${room})) ${w.fail(path, `\`takes \${${length}} bytes in ${ENCODING_NAME[t.encoding]}, but its field holds ${templateText(exprText(t.size))} = \${${room}}\``)}`,
  );
}
