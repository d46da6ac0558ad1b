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

/** A call of the runtime predicate that holds when `v` is a valid value of integer type `t`. */
export function intIsValid(t: IntType, v: string): string {
  return `is${t.signed ? "I" : "U"}${t.bits}(${v})`;
}

/** "an integer from 0 to 255", for error messages. */
export function intRange(t: IntType): string {
  const bits = BigInt(t.bits);
  const min = t.signed ? -(1n << (bits - 1n)) : 0n;
  const max = t.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  return `${t.bits === 64 ? "a bigint" : "an integer"} from ${min} to ${max}`;
}

export { intSize };
