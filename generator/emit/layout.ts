/**
 * Layout facts the read and write emitters share: runs of fixed-size
 * members (one bounds check each), cursor arithmetic, and how to read and
 * write one integer.
 */
import type { IntType, Member } from "../model.js";
import { fixedMemberSize } from "../model.js";

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

/** Code that reads an integer at `at`, through the function's `view` (a DataView over `buf`). */
export function readInt(t: IntType, at: string): string {
  const little = littleArg(t);
  switch (t.bits) {
    case 8:
      return t.signed ? `view.getInt8(${at})` : `buf[${at}]!`;
    case 16:
    case 32:
      return `view.get${t.signed ? "Int" : "Uint"}${t.bits}(${at}${little})`;
    case 64:
      return t.endian === "chosen"
        ? `${t.signed ? "i" : "u"}64(view, ${at}, ${LITTLE_ENDIAN})`
        : `${t.signed ? "i" : "u"}64${t.endian === "little" ? "le" : "be"}(view, ${at})`;
  }
}

/**
 * The local holding a byte order chosen at run time (`byte_order`): true
 * for little-endian. No field can be named so (field names have no capitals).
 */
export const LITTLE_ENDIAN = "littleEndian";

/**
 * Drops the byte order a `byte_order` member sets from a function's lines
 * where no member after it uses it (all have an `endian` of their own, or
 * none is an integer); the member's check of the value stays.
 */
export function dropUnusedByteOrder(lines: string[]): void {
  const at = lines.findIndex((line) => line.startsWith(`const ${LITTLE_ENDIAN} = `));
  const used = new RegExp(`\\b${LITTLE_ENDIAN}\\b`);
  if (at >= 0 && !lines.some((line, i) => i !== at && used.test(line))) lines.splice(at, 1);
}

/** The local holding a record parameter (no field name ends in a capitalised word). */
export function paramLocal(name: string): string {
  return `${name}Param`;
}

/** DataView's byte-order argument for an integer of type `t`. */
function littleArg(t: IntType): string {
  return t.endian === "chosen" ? `, ${LITTLE_ENDIAN}` : t.endian === "little" ? ", true" : "";
}

/** Statement that writes integer `value` at `at`, through the function's `view`. */
export function writeInt(t: IntType, at: string, value: string): string {
  const little = littleArg(t);
  switch (t.bits) {
    case 8:
      return `buf[${at}] = ${value};`;
    case 16:
    case 32:
      return `view.set${t.signed ? "Int" : "Uint"}${t.bits}(${at}, ${value}${little});`;
    case 64:
      return t.endian === "chosen"
        ? `set64(view, ${at}, ${value}, ${LITTLE_ENDIAN});`
        : `set64${t.endian === "little" ? "le" : "be"}(view, ${at}, ${value});`;
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

/** A function body that uses `view` gets it first: a DataView over `buf`, cached by the runtime. */
export function withView(body: string): string {
  return /\bview\b/.test(body) ? `const view = viewOf(buf);\n${body}` : body;
}
