/**
 * Layout facts the read and write emitters share: runs of fixed-size
 * members (one bounds check each), cursor arithmetic, and how to read and
 * write one integer.
 */
import type { IntType, Member } from "../model.js";
import { fixedMemberSize, intSize } from "../model.js";

/**
 * Where the next member starts: `base + offset`, with `base` a variable
 * (`at` or `pos`) and `offset` a constant, so straight-line code can use
 * literal offsets.
 */
export class Cursor {
  constructor(
    public base: string,
    public offset = 0,
  ) {}

  /** The expression for the current position, plus `extra` bytes. */
  at(extra = 0): string {
    const k = this.offset + extra;
    return k === 0 ? this.base : `${this.base} + ${k}`;
  }

  advance(bytes: number): void {
    this.offset += bytes;
  }
}

/** Size of the run of always-present fixed-size members starting at `index`, or 0. */
export function fixedRunSize(members: readonly Member[], index: number): number {
  let total = 0;
  for (let i = index; i < members.length; i++) {
    const size = fixedMemberSize(members[i]);
    if (size === undefined) break;
    total += size;
  }
  return total;
}

/** Does member `index` start a new run (the previous one is not fixed-size)? */
export function startsRun(members: readonly Member[], index: number): boolean {
  return (
    fixedMemberSize(members[index]) !== undefined &&
    (index === 0 || fixedMemberSize(members[index - 1]) === undefined)
  );
}

/** Code that reads an integer at `at`. */
export function readInt(t: IntType, at: string): string {
  const little = t.endian === "little" ? "true" : "false";
  switch (t.bits) {
    case 8:
      return t.signed ? `(buf[${at}] << 24) >> 24` : `buf[${at}]`;
    case 16:
      return `${t.signed ? "getI16" : "getU16"}(buf, ${at}, ${little})`;
    case 32:
      return `${t.signed ? "getI32" : "getU32"}(buf, ${at}, ${little})`;
    case 64:
      return `${t.signed ? "getI64" : "getU64"}(buf, ${at}, ${little})`;
  }
}

/** Statement that writes integer `value` at `at`. */
export function writeInt(t: IntType, at: string, value: string): string {
  const little = t.endian === "little" ? "true" : "false";
  switch (t.bits) {
    case 8:
      return `buf[${at}] = ${value};`;
    case 16:
      return `setU16(buf, ${at}, ${value}, ${little});`;
    case 32:
      return `setU32(buf, ${at}, ${value}, ${little});`;
    case 64:
      return `set64(buf, ${at}, ${value}, ${little});`;
  }
}

/** Range check for an integer value, as a condition that holds when it is valid. */
export function intIsValid(t: IntType, v: string): string {
  if (t.bits === 64) {
    return t.signed
      ? `typeof ${v} === "bigint" && ${v} >= I64_MIN && ${v} <= I64_MAX`
      : `typeof ${v} === "bigint" && ${v} >= 0n && ${v} <= U64_MAX`;
  }
  // The typeof test keeps bigints away from the bit operators (which would
  // throw); the bit tricks reject non-integers, NaN and out-of-range values.
  const number = `typeof ${v} === "number" && `;
  switch (`${t.signed ? "i" : "u"}${t.bits}`) {
    case "u8":
      return `${number}(${v} & 0xff) === ${v}`;
    case "i8":
      return `${number}(${v} << 24) >> 24 === ${v}`;
    case "u16":
      return `${number}(${v} & 0xffff) === ${v}`;
    case "i16":
      return `${number}(${v} << 16) >> 16 === ${v}`;
    case "u32":
      return `${number}${v} >>> 0 === ${v}`;
    default:
      return `${number}(${v} | 0) === ${v}`;
  }
}

/** "an integer from 0 to 255", for error messages. */
export function intRange(t: IntType): string {
  const bits = BigInt(t.bits);
  const min = t.signed ? -(1n << (bits - 1n)) : 0n;
  const max = t.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  return `${t.bits === 64 ? "a bigint" : "an integer"} from ${min} to ${max}`;
}

export { intSize };
