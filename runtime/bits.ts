/**
 * Bit field parts wider than 32 bits, which generated code keeps as bigints.
 * A word of more than 4 bytes is handled as two unsigned 32-bit halves,
 * `lo` (bits 0-31) and `hi` (the bits above).
 */

/** The `bits`-wide part starting at bit `shift` of the word `hi:lo`. */
export function bitsOf64(hi: number, lo: number, shift: number, bits: number): bigint {
  return BigInt.asUintN(bits, ((BigInt(hi) << 32n) | BigInt(lo)) >> BigInt(shift));
}

/** What part `v`, placed at bit `shift`, contributes to the low 32 bits of the word. */
export function bitsLo64(v: bigint, shift: number): number {
  return Number(BigInt.asUintN(32, v << BigInt(shift)));
}

/** What part `v`, placed at bit `shift`, contributes to the bits above 32 of the word. */
export function bitsHi64(v: bigint, shift: number): number {
  return Number(BigInt.asUintN(32, (v << BigInt(shift)) >> 32n));
}
