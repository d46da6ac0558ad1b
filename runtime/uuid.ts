/**
 * 16-byte UUIDs as canonical text, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`
 * in lowercase: the form people paste and compare, and (lowercase only) one
 * value for each 16 bytes, so reading and writing round-trip exactly.
 *
 * Two byte layouts exist. RFC 4122 stores the bytes in text order (VHD's
 * unique id as QEMU writes it, most network formats). Microsoft's GUID
 * stores the first three groups as little-endian integers (Data1 u32,
 * Data2 u16, Data3 u16) and the last eight bytes in order (VHDX, VDI, GPT
 * partition tables): the bytes 66 77 C2 2D 23 F6 00 42 ... read as the
 * GUID 2dc27766-f623-4200-....
 */

/**
 * ASCII codes of the two hex digits of each byte value, lowercase. Each
 * table is one declaration (no statement fills it afterwards), so a module
 * that inlines the runtime copies it whole.
 */
const HIGH_DIGIT = Uint8Array.from({ length: 256 }, (_, n) =>
  "0123456789abcdef".charCodeAt(n >> 4),
);
const LOW_DIGIT = Uint8Array.from({ length: 256 }, (_, n) => "0123456789abcdef".charCodeAt(n & 15));

/** Offset of the two digits of byte k (in text order) within the canonical text. */
const DIGITS_AT = Uint8Array.of(0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34);

/** For byte k of the text, its offset in a stored GUID: the first three groups reversed. */
const GUID_ORDER = Uint8Array.of(3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15);

const DASH = 0x2d;

/**
 * The text of 16 bytes given in text order. One String.fromCharCode call
 * builds the string flat in one step: joining 2-character pieces costs
 * about five times as much, because V8 makes a rope it later flattens.
 */
function text(
  b0: number,
  b1: number,
  b2: number,
  b3: number,
  b4: number,
  b5: number,
  b6: number,
  b7: number,
  b8: number,
  b9: number,
  b10: number,
  b11: number,
  b12: number,
  b13: number,
  b14: number,
  b15: number,
): string {
  const h = HIGH_DIGIT;
  const l = LOW_DIGIT;
  // prettier-ignore
  return String.fromCharCode(
    h[b0]!, l[b0]!, h[b1]!, l[b1]!, h[b2]!, l[b2]!, h[b3]!, l[b3]!, DASH,
    h[b4]!, l[b4]!, h[b5]!, l[b5]!, DASH,
    h[b6]!, l[b6]!, h[b7]!, l[b7]!, DASH,
    h[b8]!, l[b8]!, h[b9]!, l[b9]!, DASH,
    h[b10]!, l[b10]!, h[b11]!, l[b11]!, h[b12]!, l[b12]!,
    h[b13]!, l[b13]!, h[b14]!, l[b14]!, h[b15]!, l[b15]!,
  );
}

/** The UUID in bytes [at, at + 16), RFC 4122 order (bytes in text order). */
export function getUuid(buf: Uint8Array, at: number): string {
  // prettier-ignore
  return text(
    buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!,
    buf[at + 4]!, buf[at + 5]!, buf[at + 6]!, buf[at + 7]!,
    buf[at + 8]!, buf[at + 9]!, buf[at + 10]!, buf[at + 11]!,
    buf[at + 12]!, buf[at + 13]!, buf[at + 14]!, buf[at + 15]!,
  );
}

/** The GUID in bytes [at, at + 16), Microsoft layout (first three groups little-endian). */
export function getGuid(buf: Uint8Array, at: number): string {
  // prettier-ignore
  return text(
    buf[at + 3]!, buf[at + 2]!, buf[at + 1]!, buf[at]!,
    buf[at + 5]!, buf[at + 4]!, buf[at + 7]!, buf[at + 6]!,
    buf[at + 8]!, buf[at + 9]!, buf[at + 10]!, buf[at + 11]!,
    buf[at + 12]!, buf[at + 13]!, buf[at + 14]!, buf[at + 15]!,
  );
}

/** The value of a lowercase hex digit (the caller has checked the text with {@link isUuid}). */
function digit(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x57;
}

/** Byte k (in text order) of canonical UUID text. */
function byteOf(text: string, k: number): number {
  const i = DIGITS_AT[k]!;
  return (digit(text.charCodeAt(i)) << 4) | digit(text.charCodeAt(i + 1));
}

/**
 * Writes canonical UUID text as 16 bytes at `at`, RFC 4122 order. The
 * caller has checked it with {@link isUuid}; allocates nothing.
 */
export function setUuid(buf: Uint8Array, at: number, text: string): void {
  for (let k = 0; k < 16; k++) buf[at + k] = byteOf(text, k);
}

/** Writes canonical GUID text as 16 bytes at `at`, Microsoft layout; as {@link setUuid}. */
export function setGuid(buf: Uint8Array, at: number, text: string): void {
  for (let k = 0; k < 16; k++) buf[at + GUID_ORDER[k]!] = byteOf(text, k);
}

/** What each of the 36 characters must be: 1 a hex digit, 2 a dash. */
const SHAPE = Uint8Array.from({ length: 36 }, (_, i) =>
  i === 8 || i === 13 || i === 18 || i === 23 ? 2 : 1,
);
/** What each ASCII character is: 1 a lowercase hex digit, 2 a dash, 0 neither. */
const CLASS = Uint8Array.from({ length: 128 }, (_, c) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) ? 1 : c === DASH ? 2 : 0,
);

/**
 * True for canonical text only: 36 characters, dashes at 8, 13, 18 and 23,
 * lowercase hex digits elsewhere. Uppercase, braces and missing dashes are
 * refused so that each 16 bytes has exactly one value. One table lookup per
 * character (about twice as fast as comparing ranges).
 */
export function isUuid(v: unknown): v is string {
  if (typeof v !== "string" || v.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x80 || CLASS[c] !== SHAPE[i]) return false;
  }
  return true;
}
