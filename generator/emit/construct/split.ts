/**
 * Values stored in two halves (`high: F`) and values with a stored "absent"
 * (`none: N`). A split value's low half is read into a local where it is
 * stored; at its high half the two are joined into the property (a bigint
 * over 32 bits). Write takes the value apart again at each half; a bigint
 * goes through the runtime's 64-bit scratch word (`joinU64`, `low32`,
 * `high32`), so nothing but a value read is allocated.
 */
import type { HighMember, IntType, ValueField } from "../../model.js";
import { prop } from "../code.js";
import { readInt, writeInt } from "../layout.js";
import type { SequenceReader } from "../read.js";
import type { CheckWalker, WriteWalker } from "../write.js";

function literal(n: bigint, big: boolean): string {
  const text = n < 0n ? `(${n})` : n > 0xffffn ? `0x${n.toString(16)}` : String(n);
  return big ? `${text}n` : text;
}

/** Is the whole value of a split field a bigint? */
function isBig(m: ValueField): boolean {
  return m.type.kind === "int" && m.type.bits === 64;
}

/** Read: the property is undefined when the stored value `raw` is the `none` value. */
export function noneTest(raw: string, none: bigint, big: boolean): string {
  return `${raw} === ${literal(none, big)} ? undefined : ${raw}`;
}

/** Read, at the low half: its bits into a local, joined at the high half. */
export function readLow(r: SequenceReader, m: ValueField, lo: IntType, at: string): void {
  const local = r.locals.fresh(`${m.name}_lo`);
  r.code.line(`const ${local} = ${readInt(lo, at)};`);
  r.lows.set(m.name, local);
}

/** Read, at the high half: the whole value, `hi << shift | lo`, then its `none` test. */
export function readHigh(r: SequenceReader, m: HighMember, at: string): void {
  const low = m.low;
  const lo = r.lows.get(low.name)!;
  const hi = r.locals.field(m.name);
  r.code.line(`const ${hi} = ${readInt(m.type, at)};`);
  const big = isBig(low);
  // Halves of 32 bits are joined through the runtime's scratch word: only the result is allocated.
  const whole = !big
    ? `${hi} * ${2 ** m.shift} + ${lo}`
    : m.shift === 32
      ? `joinU64(${hi}, ${lo})`
      : `(BigInt(${hi}) << ${m.shift}n) | BigInt(${lo})`;
  const local = r.locals.field(low.name);
  if (low.none === undefined) r.code.line(`const ${local} = ${whole};`);
  else {
    const stored = r.locals.fresh(`${low.name}_stored`);
    r.code.line(`const ${stored} = ${whole};`);
    r.code.line(`const ${local} = ${noneTest(stored, low.none, big)};`);
  }
  if (big) r.bigints.add(low.name);
  // The low half's local is the joined value's low word.
  if (big && m.shift === 32 && low.none === undefined && low.cond === undefined)
    r.low32s.set(low.name, lo);
  r.cursor.advance(m.type.bits / 8);
}

/** Write, first pass: a present split value is an integer of the two halves' width. */
export function checkWhole(
  w: CheckWalker,
  m: ValueField & { split: NonNullable<ValueField["split"]> },
  acc: string,
  path: string,
): void {
  const big = isBig(m);
  const max = (1n << BigInt(m.split.bits)) - 1n;
  const valid = big
    ? `typeof ${acc} === "bigint" && ${acc} >= 0n && ${acc} <= ${literal(max, true)}`
    : `Number.isInteger(${acc}) && ${acc} >= 0 && ${acc} <= ${literal(max, false)}`;
  const what = `${big ? "a bigint" : "an integer"} from 0 to ${max} (${m.split.bits} bits: ${m.split.lo.bits} here, the rest in ${m.split.high})`;
  w.code.line(`if (!(${valid})) ${w.expected(path, what, acc)}`);
}

/** Write, first pass: a present value equal to the `none` value would read back as absent. */
export function checkNotNone(w: CheckWalker, m: ValueField, acc: string, path: string): void {
  if (m.none === undefined) return;
  const big = m.type.kind === "int" && m.type.bits === 64;
  w.code.line(
    `if (${acc} === ${literal(m.none, big)}) ${w.fail(path, `"is ${m.none}, the stored value that means absent: leave it undefined instead"`)}`,
  );
}

/** The stored value of an integer field with a `none` value: the value, or `none` when absent. */
export function storedValue(m: ValueField, acc: string): string {
  if (m.none === undefined) return acc;
  const big = m.type.kind === "int" && m.type.bits === 64;
  return `(${acc} ?? ${literal(m.none, big)})`;
}

/** Write, at the low half: the low bits of the value. */
export function writeLow(w: WriteWalker, m: ValueField, lo: IntType, acc: string): void {
  const v = storedValue(m, acc);
  // A bigint's halves come through the runtime's scratch word, allocating nothing.
  const part = !isBig(m)
    ? `${v} & ${literal((1n << BigInt(lo.bits)) - 1n, false)}`
    : lo.bits === 32
      ? `low32(${v})`
      : `low32(${v}) & ${literal((1n << BigInt(lo.bits)) - 1n, false)}`;
  w.code.line(writeInt(lo, w.cursor.at(), part));
}

/** Write, at the high half: the bits of the value above the low half's. */
export function writeHigh(w: WriteWalker, m: HighMember, obj: string): void {
  const v = storedValue(m.low, prop(obj, m.low.name));
  const part = !isBig(m.low)
    ? `${v} >>> ${m.shift}`
    : m.shift === 32
      ? `high32(${v})`
      : `Number(${v} >> ${m.shift}n)`;
  w.code.line(writeInt(m.type, w.cursor.at(), part));
  w.cursor.advance(m.type.bits / 8);
}
