/**
 * Integers stored as ASCII digits, as tar stores sizes, times and its
 * header checksum: in base 8, 10 or 16, in a field of fixed size. Writers
 * differ in how they spell one (GNU tar and Python write `0000644\0`,
 * libarchive `000644 \0`, old tars `  644 \0`), so reading accepts leading
 * spaces, digits, then NULs and spaces to the end of the field, and a
 * codec tells the one canonical spelling (zero-filled digits, then the
 * field's terminator) from the rest. Values above 2^53 are not read.
 */

/** The value of digit byte `c` in `base`, or -1. */
function digitValue(c: number, base: number): number {
  const d =
    c >= 0x30 && c <= 0x39
      ? c - 0x30
      : c >= 0x61 && c <= 0x66
        ? c - 0x57
        : c >= 0x41 && c <= 0x46
          ? c - 0x37
          : -1;
  return d < base ? d : -1;
}

/**
 * The number spelt in bytes [at, end): spaces, digits in `base`, then NULs
 * and spaces only; no digits at all reads as 0. -1 if the bytes are not
 * such a spelling, -2 if the number exceeds 2^53.
 */
export function parseTextNumber(buf: Uint8Array, at: number, end: number, base: number): number {
  let i = at;
  while (i < end && buf[i] === 0x20) i++;
  let value = 0;
  for (; i < end; i++) {
    const d = digitValue(buf[i]!, base);
    if (d < 0) break;
    value = value * base + d;
    if (value > Number.MAX_SAFE_INTEGER) return -2;
  }
  for (; i < end; i++) if (buf[i] !== 0 && buf[i] !== 0x20) return -1;
  return value;
}

/** {@link parseTextNumber} over a byte string (a kept spelling), for checks before a write. */
export function parseTextNumberText(text: string, base: number): number {
  let i = 0;
  const end = text.length;
  while (i < end && text.charCodeAt(i) === 0x20) i++;
  let value = 0;
  for (; i < end; i++) {
    const d = digitValue(text.charCodeAt(i), base);
    if (d < 0) break;
    value = value * base + d;
    if (value > Number.MAX_SAFE_INTEGER) return -2;
  }
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0 && c !== 0x20) return -1;
  }
  return value;
}

/**
 * Do bytes [at, end) hold `value` spelt canonically: digits in `base`
 * (lowercase), zero-filled to fill the field but for `terminator`, then
 * `terminator`?
 */
export function isCanonicalNumber(
  buf: Uint8Array,
  at: number,
  end: number,
  base: number,
  value: number,
  terminator: string,
): boolean {
  const digitsEnd = end - terminator.length;
  for (let k = 0; k < terminator.length; k++)
    if (buf[digitsEnd + k] !== terminator.charCodeAt(k)) return false;
  let v = value;
  for (let i = digitsEnd - 1; i >= at; i--) {
    const d = v % base;
    if (buf[i] !== (d < 10 ? 0x30 + d : 0x57 + d)) return false;
    v = (v - d) / base;
  }
  return v === 0;
}

/** {@link isCanonicalNumber} over a byte string. */
export function isCanonicalNumberText(
  text: string,
  base: number,
  value: number,
  terminator: string,
): boolean {
  const digitsEnd = text.length - terminator.length;
  if (digitsEnd < 0) return false;
  for (let k = 0; k < terminator.length; k++)
    if (text.charCodeAt(digitsEnd + k) !== terminator.charCodeAt(k)) return false;
  let v = value;
  for (let i = digitsEnd - 1; i >= 0; i--) {
    const d = v % base;
    if (text.charCodeAt(i) !== (d < 10 ? 0x30 + d : 0x57 + d)) return false;
    v = (v - d) / base;
  }
  return v === 0;
}

/**
 * Writes `value` canonically into [at, end): zero-filled digits then
 * `terminator`. The caller has checked that it fits.
 */
export function writeTextNumber(
  buf: Uint8Array,
  at: number,
  end: number,
  base: number,
  value: number,
  terminator: string,
): void {
  const digitsEnd = end - terminator.length;
  let v = value;
  for (let i = digitsEnd - 1; i >= at; i--) {
    const d = v % base;
    buf[i] = d < 10 ? 0x30 + d : 0x57 + d;
    v = (v - d) / base;
  }
  for (let k = 0; k < terminator.length; k++) buf[digitsEnd + k] = terminator.charCodeAt(k);
}

/**
 * GNU tar's base-256 numbers, for values too large for a field's octal
 * digits (a uid above 2097151, a size of 8 GiB or more): byte 0x80, then
 * the value big-endian in the other bytes. The value in bytes
 * [at + 1, end), or -2 if it exceeds 2^53.
 */
export function parseBase256(buf: Uint8Array, at: number, end: number): number {
  let value = 0;
  for (let i = at + 1; i < end; i++) {
    value = value * 256 + buf[i]!;
    if (value > Number.MAX_SAFE_INTEGER) return -2;
  }
  return value;
}

/** {@link parseBase256} over a byte string (a kept spelling). */
export function parseBase256Text(text: string): number {
  let value = 0;
  for (let i = 1; i < text.length; i++) {
    value = value * 256 + text.charCodeAt(i);
    if (value > Number.MAX_SAFE_INTEGER) return -2;
  }
  return value;
}

/** Writes `value` in base-256 into [at, end): 0x80, then big-endian. The caller has checked that it fits. */
export function writeBase256(buf: Uint8Array, at: number, end: number, value: number): void {
  buf[at] = 0x80;
  let v = value;
  for (let i = end - 1; i > at; i--) {
    const b = v % 256;
    buf[i] = b;
    v = (v - b) / 256;
  }
}
