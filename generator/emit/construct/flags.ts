/**
 * Flags words: each named bit a boolean property, the other bits kept as
 * one number (or bigint, for 64-bit words, read as two 32-bit halves).
 */
import type { FlagsField } from "../../model.js";
import { intSize } from "../../model.js";
import { hexLiteral, prop, rawName } from "../code.js";
import { intIsValid, intRange, LITTLE_ENDIAN, readInt, writeInt } from "../layout.js";
import type { SequenceReader } from "../read.js";
import type { CheckWalker, WriteWalker } from "../write.js";

/**
 * Code reading one 32-bit half of a 64-bit word at `at` (`at4` is four
 * bytes on): the high half comes first in a big-endian word. After a
 * `byte_order` member the order is known only at run time, so the place is
 * chosen there too.
 */
function halfAt(m: FlagsField, half: "hi" | "lo", at: string, at4: string): string {
  const [first, second] = half === "hi" ? [at4, at] : [at, at4];
  switch (m.type.endian) {
    case "little":
      return `view.getUint32(${first}, true)`;
    case "big":
      return `view.getUint32(${second})`;
    case "chosen":
      return `view.getUint32(${LITTLE_ENDIAN} ? ${first} : ${second}, ${LITTLE_ENDIAN})`;
  }
}

/**
 * Before a switch, the locals its cases read a flags word into: its bits
 * and unknown bits, or (nested) its object, typed as the merged word.
 */
export function declareCaseFlags(r: SequenceReader, merged: FlagsField): void {
  if (merged.nested !== undefined) {
    r.code.line(`let ${r.locals.field(merged.name)}: ${merged.nested.typeName};`);
    return;
  }
  for (const f of merged.flags) r.code.line(`let ${r.locals.field(f.name)}: boolean;`);
  const unknown = merged.type.bits === 64 ? "bigint" : "number";
  r.code.line(`let ${r.locals.field(merged.unknown)}: ${unknown};`);
}

/** A narrower word's unknown bits as the merged word holds them: a bigint when it is 64 bits. */
function widened(m: FlagsField, merged: FlagsField | undefined, code: string): string {
  return merged !== undefined && merged.type.bits === 64 && m.type.bits < 64
    ? `BigInt(${code})`
    : code;
}

/**
 * A flattened word: its bits and unknown bits into locals of their own
 * or, in a switch's case (`merged` given), into those declared before it.
 */
export function readFlags(r: SequenceReader, m: FlagsField, at: string, merged?: FlagsField): void {
  const bits = m.type.bits;
  const local = (name: string): string =>
    merged !== undefined ? r.locals.field(name) : `const ${r.locals.field(name)}`;
  if (bits === 64) {
    const hi = r.locals.fresh(`${m.name}_hi`);
    const lo = r.locals.fresh(`${m.name}_lo`);
    r.code.line(`const ${hi} = ${halfAt(m, "hi", at, r.cursor.at(4))};`);
    r.code.line(`const ${lo} = ${halfAt(m, "lo", at, r.cursor.at(4))};`);
    let hiMask = 0;
    let loMask = 0;
    for (const f of m.flags) {
      const word = f.bit >= 32 ? hi : lo;
      const mask = 2 ** (f.bit % 32);
      if (f.bit >= 32) hiMask += mask;
      else loMask += mask;
      r.code.line(`${local(f.name)} = (${word} & ${hexLiteral(mask, false)}) !== 0;`);
    }
    r.code.line(
      `${local(m.unknown)} = unknownBits64(${hi}, ${lo}, ${hexLiteral(hiMask, false)}, ${hexLiteral(loMask, false)});`,
    );
  } else {
    const word = r.locals.fresh(m.name);
    r.code.line(`const ${word} = ${readInt({ ...m.type, signed: false }, at)};`);
    let mask = 0;
    for (const f of m.flags) {
      mask += 2 ** f.bit;
      r.code.line(`${local(f.name)} = (${word} & ${hexLiteral(2 ** f.bit, false)}) !== 0;`);
    }
    r.code.line(
      `${local(m.unknown)} = ${widened(m, merged, `(${word} & ~${hexLiteral(mask, false)}) >>> 0`)};`,
    );
  }
  // The switch gives the properties of a word in its cases.
  if (merged === undefined)
    for (const name of [...m.flags.map((f) => f.name), m.unknown]) r.props.push(r.propOf(name));
  r.cursor.advance(intSize(m.type));
}

/**
 * A nested word: its object, `{ bit: boolean, ..., unknown }`, into `target`
 * (`const name` or, inside a condition or a switch's case, `name`). A word
 * of up to 32 bits stays in a local of its own, which expressions use. In
 * a case, `merged` is the switch's word, whose unknown bits may be wider.
 */
export function readNestedFlags(
  r: SequenceReader,
  m: FlagsField,
  at: string,
  target: string,
  assign: boolean,
  merged?: FlagsField,
): void {
  const entries: string[] = [];
  if (m.type.bits === 64) {
    const hi = r.locals.fresh(`${m.name}_hi`);
    const lo = r.locals.fresh(`${m.name}_lo`);
    r.code.line(`const ${hi} = ${halfAt(m, "hi", at, r.cursor.at(4))};`);
    r.code.line(`const ${lo} = ${halfAt(m, "lo", at, r.cursor.at(4))};`);
    let hiMask = 0;
    let loMask = 0;
    for (const f of m.flags) {
      const word = f.bit >= 32 ? hi : lo;
      if (f.bit >= 32) hiMask += 2 ** (f.bit - 32);
      else loMask += 2 ** f.bit;
      entries.push(`${f.name}: (${word} & ${hexLiteral(2 ** (f.bit % 32), false)}) !== 0`);
    }
    entries.push(
      `${m.unknown}: unknownBits64(${hi}, ${lo}, ${hexLiteral(hiMask, false)}, ${hexLiteral(loMask, false)})`,
    );
  } else {
    const raw = r.locals.field(rawName(m.name));
    r.code.line(`const ${raw} = ${readInt({ ...m.type, signed: false }, at)};`);
    let mask = 0;
    for (const f of m.flags) {
      mask += 2 ** f.bit;
      entries.push(`${f.name}: (${raw} & ${hexLiteral(2 ** f.bit, false)}) !== 0`);
    }
    entries.push(
      `${m.unknown}: ${widened(m, merged, `(${raw} & ~${hexLiteral(mask, false)}) >>> 0`)}`,
    );
  }
  r.code.line(`${target} = { ${entries.join(", ")} };`);
  if (!assign) r.props.push(r.propOf(m.name));
  r.cursor.advance(intSize(m.type));
}

/**
 * Write: the unknown bits with each named bit set from its boolean.
 * `narrow`: the unknown bits are a bigint (a switch's 64-bit merged word),
 * checked to fit this narrower word.
 */
export function writeFlags(
  w: WriteWalker,
  m: FlagsField,
  obj: string,
  at: string,
  narrow = false,
): void {
  const unknown = narrow ? `Number(${prop(obj, m.unknown)})` : prop(obj, m.unknown);
  if (m.type.bits === 64) {
    w.code.line(writeInt(m.type, at, unknown));
    for (const f of m.flags) {
      const byte = Math.floor(f.bit / 8);
      const index =
        m.type.endian === "chosen"
          ? `${LITTLE_ENDIAN} ? ${w.cursor.at(byte)} : ${w.cursor.at(7 - byte)}`
          : w.cursor.at(m.type.endian === "little" ? byte : 7 - byte);
      w.code.line(
        `if (${prop(obj, f.name)}) buf[${index}]! |= ${hexLiteral(1 << (f.bit % 8), false)};`,
      );
    }
  } else {
    const bits = m.flags.map(
      (f) => `(${prop(obj, f.name)} ? ${hexLiteral(2 ** f.bit, false)} : 0)`,
    );
    w.code.line(writeInt(m.type, at, `(${[unknown, ...bits].join(" | ")}) >>> 0`));
  }
  w.cursor.advance(intSize(m.type));
}

/**
 * Write, first pass, in a switch's case: the unknown bits of the merged
 * word `merged` (already checked as such) fit this case's narrower word.
 */
export function checkCaseFlagsWidth(
  w: CheckWalker,
  m: FlagsField,
  merged: FlagsField,
  obj: string,
  prefix: string,
  selected: string,
): void {
  const bits = m.type.bits;
  if (bits === merged.type.bits) return;
  const holder = m.nested === undefined ? obj : prop(obj, m.name);
  const path = m.nested === undefined ? prefix + m.unknown : `${prefix}${m.name}.${m.unknown}`;
  const acc = prop(holder, m.unknown);
  const max = 2 ** bits - 1;
  const fits =
    merged.type.bits === 64
      ? `BigInt.asUintN(${bits}, ${acc}) === ${acc}`
      : `${acc} <= ${hexLiteral(max, false)}`;
  const what = `${merged.type.bits === 64 ? "a bigint" : "an integer"} from 0 to ${max} (${selected}: ${bits === 8 ? "an" : "a"} ${bits}-bit word)`;
  w.code.line(`if (!(${fits})) ${w.expected(path, what, acc)}`);
}

/** Write, first pass: every bit a boolean, and the unknown bits clear of the named ones. */
export function checkFlagsValue(w: CheckWalker, m: FlagsField, obj: string, prefix: string): void {
  for (const f of m.flags) {
    const acc = prop(obj, f.name);
    w.code.line(
      `if (typeof ${acc} !== "boolean") ${w.expected(prefix + f.name, "true or false", acc)}`,
    );
  }
  const acc = prop(obj, m.unknown);
  const path = prefix + m.unknown;
  const unsigned = { ...m.type, signed: false };
  w.code.line(`if (!${intIsValid(unsigned, acc)}) ${w.expected(path, intRange(unsigned), acc)}`);
  let hi = 0;
  let lo = 0;
  for (const f of m.flags) {
    if (f.bit >= 32) hi += 2 ** (f.bit - 32);
    else lo += 2 ** f.bit;
  }
  const clear =
    m.type.bits === 64
      ? `bitsClear64(${acc}, ${hexLiteral(hi, false)}, ${hexLiteral(lo, false)})`
      : `(${acc} & ${hexLiteral(lo, false)}) === 0`;
  w.code.line(
    `if (!(${clear})) ${w.fail(path, `"sets a bit that has a name; set its boolean property instead"`)}`,
  );
}

/**
 * The stored word of a nested word of up to 32 bits, from its object `acc`,
 * for expressions that use it: the unknown bits with the named ones set.
 */
export function nestedFlagsWord(m: FlagsField, acc: string): string {
  const bits = m.flags.map((f) => `(${prop(acc, f.name)} ? ${hexLiteral(2 ** f.bit, false)} : 0)`);
  return `((${[prop(acc, m.unknown), ...bits].join(" | ")}) >>> 0)`;
}
