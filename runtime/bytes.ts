/**
 * Byte-level helpers for generated codecs. They work on plain Uint8Arrays
 * with index arithmetic: building a DataView per call costs as much as
 * decoding a small header. 64-bit values go through one shared scratch
 * buffer so writing them allocates nothing.
 */

const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);

export function getU16(buf: Uint8Array, at: number, little: boolean): number {
  return little ? buf[at] | (buf[at + 1] << 8) : (buf[at] << 8) | buf[at + 1];
}

export function getI16(buf: Uint8Array, at: number, little: boolean): number {
  return (getU16(buf, at, little) << 16) >> 16;
}

export function getI32(buf: Uint8Array, at: number, little: boolean): number {
  return little
    ? buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)
    : (buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
}

export function getU32(buf: Uint8Array, at: number, little: boolean): number {
  return getI32(buf, at, little) >>> 0;
}

/** Two's-complement 2^32, to join 32-bit halves. */
const TWO_32 = 4294967296;
/** Below this magnitude a high half times 2^32 plus a low half is exact in a double. */
const EXACT_HIGH = 0x200000;

export function getI64(buf: Uint8Array, at: number, little: boolean): bigint {
  const hi = getI32(buf, little ? at + 4 : at, little);
  const lo = getU32(buf, little ? at : at + 4, little);
  // One BigInt allocation for values under 2^53, the common case.
  if (hi > -EXACT_HIGH && hi < EXACT_HIGH) return BigInt(hi * TWO_32 + lo);
  return copyToScratch(buf, at).getBigInt64(0, little);
}

export function getU64(buf: Uint8Array, at: number, little: boolean): bigint {
  const hi = getU32(buf, little ? at + 4 : at, little);
  const lo = getU32(buf, little ? at : at + 4, little);
  if (hi < EXACT_HIGH) return BigInt(hi * TWO_32 + lo);
  return copyToScratch(buf, at).getBigUint64(0, little);
}

function copyToScratch(buf: Uint8Array, at: number): DataView {
  for (let i = 0; i < 8; i++) scratch[i] = buf[at + i];
  return scratchView;
}

export function setU16(
  buf: Uint8Array,
  at: number,
  v: number,
  little: boolean,
): void {
  buf[little ? at : at + 1] = v;
  buf[little ? at + 1 : at] = v >>> 8;
}

export function setU32(
  buf: Uint8Array,
  at: number,
  v: number,
  little: boolean,
): void {
  if (little) {
    buf[at] = v;
    buf[at + 1] = v >>> 8;
    buf[at + 2] = v >>> 16;
    buf[at + 3] = v >>> 24;
  } else {
    buf[at] = v >>> 24;
    buf[at + 1] = v >>> 16;
    buf[at + 2] = v >>> 8;
    buf[at + 3] = v;
  }
}

/** Writes a 64-bit value (signed or unsigned: the bits are the same). */
export function set64(
  buf: Uint8Array,
  at: number,
  v: bigint,
  little: boolean,
): void {
  scratchView.setBigUint64(0, v, little);
  for (let i = 0; i < 8; i++) buf[at + i] = scratch[i];
}

export const I64_MIN = -(2n ** 63n);
export const I64_MAX = 2n ** 63n - 1n;
export const U64_MAX = 2n ** 64n - 1n;

/**
 * The bits of a 64-bit word, given as halves, outside the masks of named
 * bits. Allocates only when some such bit is set.
 */
export function unknownBits64(
  hi: number,
  lo: number,
  namedHi: number,
  namedLo: number,
): bigint {
  const h = (hi & ~namedHi) >>> 0;
  const l = (lo & ~namedLo) >>> 0;
  if (h === 0 && l === 0) return 0n;
  return h < EXACT_HIGH
    ? BigInt(h * TWO_32 + l)
    : (BigInt(h) << 32n) | BigInt(l);
}

/** True when `v` has none of the bits in the masks (high and low halves) set. Allocates nothing. */
export function bitsClear64(
  v: bigint,
  maskHi: number,
  maskLo: number,
): boolean {
  scratchView.setBigUint64(0, v, true);
  return (
    (scratchView.getUint32(4, true) & maskHi) === 0 &&
    (scratchView.getUint32(0, true) & maskLo) === 0
  );
}

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
type Latin1Write = (
  this: Uint8Array,
  text: string,
  offset: number,
  length: number,
) => number;
interface NodeBufferPrototype {
  latin1Slice?: Latin1Slice;
  latin1Write?: Latin1Write;
}
const nodeBuffer = (
  globalThis as { Buffer?: { prototype: NodeBufferPrototype } }
).Buffer?.prototype;
/** Node's native latin1 conversions work on any Uint8Array and build the string in one step. */
const latin1Slice = nodeBuffer?.latin1Slice;
const latin1Write = nodeBuffer?.latin1Write;
const CHUNK = 4096;

/**
 * Bytes as a string of char codes 0-255, one per byte, so any byte string
 * (NUL, bytes >= 0x80) survives exactly. TextDecoder's "latin1" is really
 * windows-1252 and would not.
 */
export function getBytes(buf: Uint8Array, start: number, end: number): string {
  if (start === end) return "";
  if (latin1Slice !== undefined) return latin1Slice.call(buf, start, end);
  let text = "";
  for (let i = start; i < end; i += CHUNK) {
    text += String.fromCharCode.apply(
      null,
      Array.from(buf.subarray(i, Math.min(end, i + CHUNK))),
    );
  }
  return text;
}

/** Writes a byte string (see {@link getBytes}); the caller has checked it with {@link isByteString}. */
export function setBytes(buf: Uint8Array, at: number, text: string): void {
  if (latin1Write !== undefined && text.length > 16) {
    latin1Write.call(buf, text, at, text.length);
    return;
  }
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i);
}

/** True when every character is a byte (U+0000 to U+00FF). */
export function isByteString(text: unknown): text is string {
  if (typeof text !== "string") return false;
  for (let i = 0; i < text.length; i++)
    if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Index of the first NUL in [start, end), or end. */
export function findNul(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (buf[i] === 0) return i;
  return end;
}

/** Index of the first non-zero byte in [start, end), or -1. */
export function findNonZero(
  buf: Uint8Array,
  start: number,
  end: number,
): number {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return i;
  return -1;
}
