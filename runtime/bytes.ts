/**
 * Byte-level helpers for generated codecs: a cached DataView per array,
 * 64-bit values joined and split without allocating, and byte strings (one
 * character per byte) read and written in one step.
 */

let lastArray: Uint8Array = new Uint8Array(0);
let lastView = new DataView(lastArray.buffer);
let otherArray: Uint8Array = lastArray;
let otherView = lastView;

/**
 * A DataView over exactly `buf`, reused while the same array comes back:
 * building one costs about as much as decoding a small header, and
 * comparing the array is cheaper than reading its `buffer`. DataView loads
 * and stores are compiled inline, so generated code reads fields with
 * `view.getUint32(at + 4)` like careful hand-written code. Two arrays are
 * remembered, so code going back and forth between two (an input and a
 * scratch buffer, a source and a destination) builds no view either.
 */
export function viewOf(buf: Uint8Array): DataView {
  if (buf === lastArray) return lastView;
  if (buf === otherArray) {
    otherArray = lastArray;
    const view = otherView;
    otherView = lastView;
    lastArray = buf;
    lastView = view;
    return view;
  }
  otherArray = lastArray;
  otherView = lastView;
  lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  lastArray = buf;
  return lastView;
}

/** Ranges at least this long are scanned a 32-bit word at a time (shorter: a byte loop is as fast). */
const WORD_SCAN = 32;

/** The buffer under an array as 32-bit words, and the byte where the array starts in that buffer. */
export interface Words {
  words: Int32Array<ArrayBufferLike>;
  /** `buf.byteOffset` of the array the words were made for. */
  base: number;
}

let wordsArray: Uint8Array = new Uint8Array(0);
const lastWords: Words = { words: new Int32Array(0), base: 0 };

/**
 * The whole buffer under `buf` as 32-bit words in host byte order, reused
 * while the same array comes back (as {@link viewOf} is), so that scans and
 * checksums a word at a time allocate nothing. Comparing the array is much
 * cheaper than reading its `buffer` and `byteOffset` (about 150 ns a call,
 * measured on 46-byte scans). Rebuilt when the words no longer cover the
 * array, which also covers a resizable buffer that grew.
 */
export function wordsOf(buf: Uint8Array): Words {
  if (buf !== wordsArray || (lastWords.base + buf.length) >>> 2 > lastWords.words.length) {
    const buffer = buf.buffer;
    lastWords.words = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    lastWords.base = buf.byteOffset;
    wordsArray = buf;
  }
  return lastWords;
}

// 64-bit values go through one shared 8-byte scratch seen as halves and as a
// whole, so joining or splitting them allocates nothing but the result.
const scratchI64 = new BigInt64Array(1);
const scratchU64 = new BigUint64Array(scratchI64.buffer);
const scratch32 = new Uint32Array(scratchI64.buffer);
/** Which 32-bit half of the scratch holds the high bits, in this machine's byte order. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** A signed 64-bit value from its halves; zero, the common case, allocates nothing. */
function joinI64(hi: number, lo: number): bigint {
  if (hi === 0 && lo === 0) return 0n;
  scratch32[HI] = hi;
  scratch32[LO] = lo;
  return scratchI64[0]!;
}

/** An unsigned 64-bit value from its 32-bit halves; allocates only the result (zero not even that). */
export function joinU64(hi: number, lo: number): bigint {
  if (hi === 0 && lo === 0) return 0n;
  scratch32[HI] = hi;
  scratch32[LO] = lo;
  return scratchU64[0]!;
}

/**
 * The low 32 bits of a 64-bit value (of its two's complement if negative),
 * as an unsigned number: `Number(BigInt.asUintN(32, v))` with no bigint
 * allocated.
 */
export function low32(v: bigint): number {
  scratchU64[0] = v;
  return scratch32[LO]!;
}

/** Bits 32 to 63 of a 64-bit value, as an unsigned number: `Number(v >> 32n)` for one below 2^64, with no bigint allocated. */
export function high32(v: bigint): number {
  scratchU64[0] = v;
  return scratch32[HI]!;
}

export function i64be(view: DataView, at: number): bigint {
  return joinI64(view.getUint32(at), view.getUint32(at + 4));
}

export function u64be(view: DataView, at: number): bigint {
  return joinU64(view.getUint32(at), view.getUint32(at + 4));
}

export function i64le(view: DataView, at: number): bigint {
  return joinI64(view.getUint32(at + 4, true), view.getUint32(at, true));
}

export function u64le(view: DataView, at: number): bigint {
  return joinU64(view.getUint32(at + 4, true), view.getUint32(at, true));
}

/** An unsigned 64-bit integer in a byte order chosen at run time. */
export function u64(view: DataView, at: number, littleEndian: boolean): bigint {
  return littleEndian ? u64le(view, at) : u64be(view, at);
}

/** A signed 64-bit integer in a byte order chosen at run time. */
export function i64(view: DataView, at: number, littleEndian: boolean): bigint {
  return littleEndian ? i64le(view, at) : i64be(view, at);
}

/** Writes a 64-bit value in a byte order chosen at run time. */
export function set64(view: DataView, at: number, v: bigint, littleEndian: boolean): void {
  if (littleEndian) set64le(view, at, v);
  else set64be(view, at, v);
}

/** Writes a 64-bit value (signed or unsigned: the bits are the same). */
export function set64be(view: DataView, at: number, v: bigint): void {
  scratchU64[0] = v;
  view.setUint32(at, scratch32[HI]!);
  view.setUint32(at + 4, scratch32[LO]!);
}

export function set64le(view: DataView, at: number, v: bigint): void {
  scratchU64[0] = v;
  view.setUint32(at, scratch32[LO]!, true);
  view.setUint32(at + 4, scratch32[HI]!, true);
}

export const I64_MIN: bigint = -(2n ** 63n);
export const I64_MAX: bigint = 2n ** 63n - 1n;
export const U64_MAX: bigint = 2n ** 64n - 1n;

/**
 * The bits of a 64-bit word, given as halves, outside the masks of named
 * bits. Allocates only when some such bit is set.
 */
export function unknownBits64(hi: number, lo: number, namedHi: number, namedLo: number): bigint {
  return joinU64((hi & ~namedHi) >>> 0, (lo & ~namedLo) >>> 0);
}

/** True when `v` has none of the bits in the masks (high and low halves) set. Allocates nothing. */
export function bitsClear64(v: bigint, maskHi: number, maskLo: number): boolean {
  scratchU64[0] = v;
  return (scratch32[HI]! & maskHi) === 0 && (scratch32[LO]! & maskLo) === 0;
}

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
type Latin1Write = (this: Uint8Array, text: string, offset: number, length: number) => number;
interface NodeBufferPrototype {
  latin1Slice?: Latin1Slice;
  latin1Write?: Latin1Write;
}
const nodeBuffer = (globalThis as { Buffer?: { prototype: NodeBufferPrototype } }).Buffer
  ?.prototype;
/** Node's native latin1 conversions work on any Uint8Array and build the string in one step. */
const latin1Slice = nodeBuffer?.latin1Slice;
const latin1Write = nodeBuffer?.latin1Write;

/** True where {@link getBytes} builds a string in one native call (Node), not in a loop. */
export const NATIVE_LATIN1: boolean = latin1Slice !== undefined;
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
    text += String.fromCharCode.apply(null, Array.from(buf.subarray(i, Math.min(end, i + CHUNK))));
  }
  return text;
}

/**
 * Writes a byte string (see {@link getBytes}); the caller has checked it
 * with {@link isByteString}. Short strings (names, formats) are copied in a
 * loop: the call into Node's native writer costs more than it saves below
 * about 64 bytes.
 */
export function setBytes(buf: Uint8Array, at: number, text: string): void {
  if (latin1Write !== undefined && text.length > 64) {
    latin1Write.call(buf, text, at, text.length);
    return;
  }
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i);
}

/** True when every character is a byte (U+0000 to U+00FF). */
export function isByteString(text: unknown): text is string {
  if (typeof text !== "string") return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Index of the first NUL in [start, end), or end. */
export function findNul(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  if (end - start >= WORD_SCAN) {
    const { words: w, base } = wordsOf(buf);
    for (; (base + i) & 3; i++) if (buf[i] === 0) return i;
    const stop = (base + end) >>> 2;
    let j = (base + i) >>> 2;
    // A word has a zero byte exactly when this is non-zero (the classic test).
    for (; j < stop; j++) {
      const x = w[j]!;
      if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
    }
    i = j * 4 - base;
  }
  for (; i < end; i++) if (buf[i] === 0) return i;
  return end;
}

/**
 * Where the text of a space-padded string in [start, end) ends: just after
 * its last byte that is not a space (start when all are spaces).
 */
export function spacePaddedEnd(buf: Uint8Array, start: number, end: number): number {
  let i = end;
  while (i > start && buf[i - 1] === 0x20) i--;
  return i;
}

/** Index of the first non-zero byte in [start, end), or -1. */
/** The index of the first `byte` in [start, end), or -1 (a terminator after variable-length bytes). */
export function findByte(buf: Uint8Array, start: number, end: number, byte: number): number {
  for (let i = start; i < end; i++) if (buf[i] === byte) return i;
  return -1;
}

export function findNonZero(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  if (end - start >= WORD_SCAN) {
    const { words: w, base } = wordsOf(buf);
    for (; (base + i) & 3; i++) if (buf[i] !== 0) return i;
    const stop = (base + end) >>> 2;
    let j = (base + i) >>> 2;
    while (j < stop && w[j] === 0) j++;
    i = j * 4 - base;
  }
  for (; i < end; i++) if (buf[i] !== 0) return i;
  return -1;
}

/**
 * True when every byte in [start, end) is below 0x80: for text fields, which
 * take a fast path when they are plain ASCII.
 */
export function allAscii(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  if (end - start >= WORD_SCAN) {
    const { words: w, base } = wordsOf(buf);
    for (; (base + i) & 3; i++) if (buf[i]! >= 0x80) return false;
    const stop = (base + end) >>> 2;
    for (let j = (base + i) >>> 2; j < stop; j++) if ((w[j]! & 0x80808080) !== 0) return false;
    i = stop * 4 - base;
  }
  for (; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

/** True when bytes [start, end) are exactly the byte string `text`; allocates nothing. */
export function bytesEqual(buf: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[start + i] !== text.charCodeAt(i)) return false;
  return true;
}
