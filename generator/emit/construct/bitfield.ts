/**
 * Bit fields: a word of 1 to 8 bytes split into unsigned parts. A word of up
 * to 4 bytes is one 32-bit number; a longer one is two, `lo` (bits 0-31) and
 * `hi`, so parts of up to 32 bits are read and written with 32-bit
 * operations and allocate nothing. Parts over 32 bits are bigints.
 */
import type { BitfieldMember, BitPart, IntType } from "../../model.js";
import { bigEndianShift, isBigPart } from "../../model.js";
import { hexLiteral, prop } from "../code.js";
import { intRef } from "../expr.js";
import { LITTLE_ENDIAN, readInt, writeInt, type Cursor } from "../layout.js";
import type { SequenceReader } from "../read.js";
import type { CheckWalker, WriteWalker } from "../write.js";

/** The unsigned integer type of a 1-, 2- or 4-byte word, read and written as any integer is. */
function wordType(bytes: number, little: boolean): IntType | undefined {
  if (bytes !== 1 && bytes !== 2 && bytes !== 4) return undefined;
  return {
    kind: "int",
    bits: (bytes * 8) as 8 | 16 | 32,
    signed: false,
    endian: little ? "little" : "big",
  };
}

/** The shift of byte `i` of a `bytes`-byte word. */
function byteShift(bytes: number, little: boolean, i: number): number {
  return 8 * (little ? i : bytes - 1 - i);
}

/** Code reading `bytes` (1 to 4) bytes at `at + offset` as an unsigned number. */
function wordAt(cursor: Cursor, bytes: number, little: boolean, offset: number): string {
  const at = (i: number): string => cursor.at(offset + i);
  const t = wordType(bytes, little);
  if (t !== undefined) return readInt(t, at(0));
  // Three bytes: no DataView getter, so the bytes are joined.
  const shifted = Array.from({ length: bytes }, (_, i) => {
    const shift = byteShift(bytes, little, i);
    return shift === 0 ? `buf[${at(i)}]!` : `(buf[${at(i)}]! << ${shift})`;
  });
  return `(${shifted.join(" | ")}) >>> 0`;
}

/** Code storing number `v` as `bytes` (1 to 4) bytes at `at + offset`. */
function putWordAt(
  cursor: Cursor,
  bytes: number,
  little: boolean,
  offset: number,
  v: string,
): string[] {
  const at = (i: number): string => cursor.at(offset + i);
  const t = wordType(bytes, little);
  if (t !== undefined) return [writeInt(t, at(0), v)];
  return Array.from({ length: bytes }, (_, i) => {
    const shift = byteShift(bytes, little, i);
    return `buf[${at(i)}] = ${shift === 0 ? v : `${v} >>> ${shift}`};`;
  });
}

/** The byte offsets and sizes of the `lo` and `hi` words within the stored word. */
function halves(m: BitfieldMember): { lo: [number, number]; hi: [number, number] | undefined } {
  if (m.bytes <= 4) return { lo: [0, m.bytes], hi: undefined };
  const little = m.endian === "little";
  return little
    ? { lo: [0, 4], hi: [4, m.bytes - 4] }
    : { lo: [m.bytes - 4, 4], hi: [0, m.bytes - 4] };
}

function mask(bits: number): string {
  return hexLiteral(2 ** bits - 1, false);
}

/** Code for a part of at most 32 bits, from the `lo` and `hi` locals. */
function partOf(p: BitPart, lo: string, hi: string): string {
  const end = p.shift + p.bits;
  if (end <= 32) {
    const shifted = p.shift === 0 ? lo : `(${lo} >>> ${p.shift})`;
    return p.bits === 32 ? `${lo} >>> 0` : `${shifted} & ${mask(p.bits)}`;
  }
  if (p.shift >= 32) {
    const shifted = p.shift === 32 ? hi : `(${hi} >>> ${p.shift - 32})`;
    return p.bits === 32 ? `${hi} >>> 0` : `${shifted} & ${mask(p.bits)}`;
  }
  // Across the two words: its low bits at the top of lo, the rest at the bottom of hi.
  const joined = `((${lo} >>> ${p.shift}) | (${hi} << ${32 - p.shift}))`;
  return p.bits === 32 ? `${joined} >>> 0` : `${joined} & ${mask(p.bits)}`;
}

/** The unsigned type of a word in the byte order chosen at run time, read whole (1, 2 or 4 bytes). */
function chosenWord(m: BitfieldMember): IntType {
  return { kind: "int", bits: (m.bytes * 8) as 8 | 16 | 32, signed: false, endian: "chosen" };
}

/** A part's shift in a word of the order chosen at run time: either order's, picked there. */
function chosenShift(m: BitfieldMember, p: BitPart): string {
  const big = bigEndianShift(m, p);
  return p.shift === big ? String(p.shift) : `(${LITTLE_ENDIAN} ? ${p.shift} : ${big})`;
}

/**
 * A word of 3 or 5 to 8 bytes in the order chosen at run time: the same
 * word in each fixed order (the parts' shifts the little-endian ones, or
 * their big-endian counterparts), for code that picks one at run time.
 */
function fixedOrders(m: BitfieldMember): { little: BitfieldMember; big: BitfieldMember } {
  return {
    little: { ...m, endian: "little" },
    big: {
      ...m,
      endian: "big",
      parts: m.parts.map((p) => ({ ...p, shift: bigEndianShift(m, p) })),
    },
  };
}

/** Is the word read whole in the chosen order (1, 2 or 4 bytes, one DataView call)? */
function chosenWhole(m: BitfieldMember): boolean {
  return m.endian === "chosen" && (m.bytes === 1 || m.bytes === 2 || m.bytes === 4);
}

/** Read: the word, then each part as a property. */
export function readBitfield(r: SequenceReader, m: BitfieldMember, at: string): void {
  if (m.endian === "chosen" && !chosenWhole(m)) {
    // Declared here, worked out by whichever order the input has.
    for (const p of m.parts)
      r.code.line(`let ${r.locals.field(p.name)}: ${isBigPart(p) ? "bigint" : "number"};`);
    const { little, big } = fixedOrders(m);
    r.code.block(`if (${LITTLE_ENDIAN})`, () => readParts(r, little));
    r.code.block("else", () => readParts(r, big));
  } else if (m.endian === "chosen") {
    const word = r.locals.fresh(`${m.name}_word`);
    r.code.line(`const ${word} = ${readInt(chosenWord(m), at)};`);
    for (const p of m.parts) {
      const value =
        p.bits === 32 ? `${word} >>> 0` : `(${word} >>> ${chosenShift(m, p)}) & ${mask(p.bits)}`;
      r.code.line(`const ${r.locals.field(p.name)} = ${value};`);
    }
  } else readParts(r, m, "const ");
  // The parts read, each is checked and becomes a property.
  for (const p of m.parts) {
    const local = r.locals.field(p.name);
    if (isBigPart(p)) {
      r.bigints.add(p.name);
      r.unsignedLow(p.name, local);
    }
    r.validations(p.valid, r.prefix + p.name, local, at);
    r.props.push(r.propOf(p.name));
  }
  r.cursor.advance(m.bytes);
}

/** The word of a fixed byte order in its halves, and each part into its local (`declare` them, or assign). */
function readParts(r: SequenceReader, m: BitfieldMember, declare = ""): void {
  const little = m.endian === "little";
  const { lo, hi } = halves(m);
  const loWord = r.locals.fresh(`${m.name}_lo`);
  r.code.line(`const ${loWord} = ${wordAt(r.cursor, lo[1], little, lo[0])};`);
  let hiWord = "0";
  if (hi !== undefined) {
    hiWord = r.locals.fresh(`${m.name}_hi`);
    r.code.line(`const ${hiWord} = ${wordAt(r.cursor, hi[1], little, hi[0])};`);
  }
  for (const p of m.parts) {
    const local = r.locals.field(p.name);
    const value = isBigPart(p)
      ? `bitsOf64(${hiWord}, ${loWord}, ${p.shift}, ${p.bits})`
      : partOf(p, loWord, hiWord);
    r.code.line(`${declare}${local} = ${value};`);
  }
}

/** Write, first pass: each part an integer that fits its bits. */
export function checkBitfieldParts(
  w: CheckWalker,
  m: BitfieldMember,
  obj: string,
  prefix: string,
): void {
  for (const p of m.parts) {
    const acc = prop(obj, p.name);
    const max = 2n ** BigInt(p.bits) - 1n;
    const valid = isBigPart(p)
      ? `typeof ${acc} === "bigint" && ${acc} >= 0n && ${acc} <= ${hexLiteral(max, true)}`
      : `Number.isInteger(${acc}) && ${acc} >= 0 && ${acc} <= ${hexLiteral(max, false)}`;
    const what = `an integer from 0 to ${max}${isBigPart(p) ? " (a bigint)" : ""}`;
    w.code.line(`if (!(${valid})) ${w.expected(prefix + p.name, what, acc)}`);
    w.refs.set(p.name, intRef(acc, isBigPart(p) ? 64 : 32, false));
  }
}

/** Write, second pass: each part's own checks. */
export function checkBitfieldRules(
  w: CheckWalker,
  m: BitfieldMember,
  obj: string,
  prefix: string,
): void {
  for (const p of m.parts)
    w.validations(p.valid, prefix + p.name, `is \${describe(${prop(obj, p.name)})}`);
}

/** Write: the parts shifted into place, then the word in its byte order. */
export function writeBitfield(w: WriteWalker, m: BitfieldMember, obj: string): void {
  if (m.endian === "chosen" && !chosenWhole(m)) {
    const { little, big } = fixedOrders(m);
    w.code.block(`if (${LITTLE_ENDIAN})`, () => putParts(w, little, obj));
    w.code.block("else", () => putParts(w, big, obj));
    w.cursor.advance(m.bytes);
    return;
  }
  if (m.endian === "chosen") {
    const terms = m.parts.map((p) =>
      p.bits === 32 ? prop(obj, p.name) : `(${prop(obj, p.name)} << ${chosenShift(m, p)})`,
    );
    w.code.line(writeInt(chosenWord(m), w.cursor.at(), `(${terms.join(" | ")}) >>> 0`));
    w.cursor.advance(m.bytes);
    return;
  }
  putParts(w, m, obj);
  w.cursor.advance(m.bytes);
}

/** The parts of a word of a fixed byte order, shifted into its halves and stored. */
function putParts(w: WriteWalker, m: BitfieldMember, obj: string): void {
  const little = m.endian === "little";
  const { lo, hi } = halves(m);
  const loTerms: string[] = [];
  const hiTerms: string[] = [];
  for (const p of m.parts) {
    const acc = prop(obj, p.name);
    const end = p.shift + p.bits;
    if (isBigPart(p)) {
      if (p.shift < 32) loTerms.push(`bitsLo64(${acc}, ${p.shift})`);
      if (end > 32) hiTerms.push(`bitsHi64(${acc}, ${p.shift})`);
      continue;
    }
    if (end <= 32) loTerms.push(p.shift === 0 ? acc : `(${acc} << ${p.shift})`);
    else if (p.shift >= 32) hiTerms.push(p.shift === 32 ? acc : `(${acc} << ${p.shift - 32})`);
    else {
      loTerms.push(`(${acc} << ${p.shift})`);
      hiTerms.push(`(${acc} >>> ${32 - p.shift})`);
    }
  }
  const word = (terms: string[]): string =>
    terms.length === 0 ? "0" : `(${terms.join(" | ")}) >>> 0`;
  const loWord = w.locals.fresh(`${m.name}_lo`);
  w.code.line(`const ${loWord} = ${word(loTerms)};`);
  for (const line of putWordAt(w.cursor, lo[1], little, lo[0], loWord)) w.code.line(line);
  if (hi !== undefined) {
    const hiWord = w.locals.fresh(`${m.name}_hi`);
    w.code.line(`const ${hiWord} = ${word(hiTerms)};`);
    for (const line of putWordAt(w.cursor, hi[1], little, hi[0], hiWord)) w.code.line(line);
  }
}

/** How a part is stored, for documentation: `bits 0-4 of date (u16 little-endian)`. */
export function partPlace(m: BitfieldMember, p: BitPart): string {
  const range = (shift: number): string =>
    p.bits === 1 ? `bit ${shift}` : `bits ${shift}-${shift + p.bits - 1}`;
  if (m.endian === "chosen")
    return `${range(p.shift)} of ${m.name} (u${m.bytes * 8}) in a little-endian input, ${range(bigEndianShift(m, p))} in a big-endian one`;
  const order = m.bytes === 1 ? "" : ` ${m.endian}-endian`;
  return `${range(p.shift)} of ${m.name} (u${m.bytes * 8}${order})`;
}
