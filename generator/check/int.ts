/** Integer types as a schema writes them (`u8` ... `i64`), and the values they hold. */
import type { ByteOrder, IntType } from "../model.js";

const INT_TYPE = /^([ui])(8|16|32|64)$/;

export function parseIntType(text: string, endian: ByteOrder): IntType | undefined {
  const m = INT_TYPE.exec(text);
  if (m === null) return undefined;
  return {
    kind: "int",
    bits: Number(m[2]) as IntType["bits"],
    signed: m[1] === "i",
    endian,
  };
}

export function fitsInt(n: bigint, t: IntType): boolean {
  const bits = BigInt(t.bits);
  const min = t.signed ? -(1n << (bits - 1n)) : 0n;
  const max = t.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  return n >= min && n <= max;
}

export function intName(t: IntType): string {
  return `${t.signed ? "i" : "u"}${t.bits}`;
}
