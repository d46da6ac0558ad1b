/**
 * What the hand-written codecs of bench/handwritten/ share, written for
 * speed as a careful programmer would, independent of the runtime the
 * generated codecs use: a cached DataView, little-endian 64-bit fields as
 * bigint through a scratch BigUint64Array, byte strings through Node's
 * latin1 slice, GUID text through a table of hex pairs.
 */
let view: DataView = new DataView(new ArrayBuffer(8));
let viewArray: Uint8Array = new Uint8Array(0);

/** A DataView over exactly `buf`'s bytes, kept while the same array comes back. */
export function viewOf(buf: Uint8Array): DataView {
  if (buf !== viewArray) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    viewArray = buf;
  }
  return view;
}

const scratch = new BigUint64Array(1);
const scratch32 = new Uint32Array(scratch.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = 1 - LO;

/** An unsigned little-endian 64-bit field; a zero is the literal 0n, allocating nothing. */
export function readU64le(d: DataView, o: number): bigint {
  const lo = d.getUint32(o, true);
  const hi = d.getUint32(o + 4, true);
  if ((lo | hi) === 0) return 0n;
  scratch32[LO] = lo;
  scratch32[HI] = hi;
  return scratch[0]!;
}

/** An unsigned big-endian 64-bit field; a zero is the literal 0n. */
export function readU64be(d: DataView, o: number): bigint {
  const hi = d.getUint32(o);
  const lo = d.getUint32(o + 4);
  if ((lo | hi) === 0) return 0n;
  scratch32[LO] = lo;
  scratch32[HI] = hi;
  return scratch[0]!;
}

export function writeU64be(d: DataView, o: number, v: bigint): void {
  scratch[0] = v;
  d.setUint32(o, scratch32[HI]!);
  d.setUint32(o + 4, scratch32[LO]!);
}

export function writeU64le(d: DataView, o: number, v: bigint): void {
  scratch[0] = v;
  d.setUint32(o, scratch32[LO]!, true);
  d.setUint32(o + 4, scratch32[HI]!, true);
}

/** The low 32 bits of a 64-bit value, through the scratch, so a divisibility check allocates nothing. */
export function low32(v: bigint): number {
  scratch[0] = v;
  return scratch32[LO]!;
}

export function isU32(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

export function isU64(v: unknown): v is bigint {
  return typeof v === "bigint" && v >= 0n && v <= 0xffffffffffffffffn;
}

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
type Latin1Write = (this: Uint8Array, text: string, offset: number, length: number) => number;
const nodeBuffer = (
  globalThis as { Buffer?: { prototype: { latin1Slice?: Latin1Slice; latin1Write?: Latin1Write } } }
).Buffer?.prototype;
const latin1Slice = nodeBuffer?.latin1Slice;
const latin1Write = nodeBuffer?.latin1Write;

/** Bytes [start, end) as a string of char codes 0-255. */
export function bytesToString(buf: Uint8Array, start: number, end: number): string {
  if (start === end) return "";
  if (latin1Slice !== undefined && end - start > 16) return latin1Slice.call(buf, start, end);
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(buf[i]!);
  return text;
}

/** Writes a string of char codes 0-255 as bytes at `at`. */
export function stringToBytes(buf: Uint8Array, at: number, text: string): void {
  if (latin1Write !== undefined && text.length > 16) latin1Write.call(buf, text, at, text.length);
  else for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i);
}

export function isByteString(v: unknown): v is string {
  if (typeof v !== "string") return false;
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0xff) return false;
  return true;
}

/** The index of the first NUL in [from, to), or `to`. */
export function findNul(buf: Uint8Array, from: number, to: number): number {
  const i = buf.indexOf(0, from);
  return i === -1 || i > to ? to : i;
}

/** The sum of bytes [from, to) (below 2^32: these are header sectors), four bytes a step. */
export function byteSum(b: Uint8Array, from: number, to: number): number {
  let sum = 0;
  let i = from;
  for (; i + 4 <= to; i += 4) sum += b[i]! + b[i + 1]! + b[i + 2]! + b[i + 3]!;
  for (; i < to; i++) sum += b[i]!;
  return sum;
}

let wordsBuffer: ArrayBufferLike = new ArrayBuffer(0);
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** The index of the first non-zero byte in [from, to), or -1: a word at a time past 32 bytes. */
export function firstNonZero(buf: Uint8Array, from: number, to: number): number {
  let i = from;
  if (to - from >= 32) {
    for (; (buf.byteOffset + i) & 3; i++) if (buf[i] !== 0) return i;
    if (buf.buffer !== wordsBuffer || words.length * 4 < buf.buffer.byteLength) {
      wordsBuffer = buf.buffer;
      words = new Int32Array(wordsBuffer, 0, wordsBuffer.byteLength >>> 2);
    }
    const w = words;
    const end = (buf.byteOffset + to) >>> 2;
    let j = (buf.byteOffset + i) >>> 2;
    while (j < end && w[j] === 0) j++;
    i = j * 4 - buf.byteOffset;
  }
  for (; i < to; i++) if (buf[i] !== 0) return i;
  return -1;
}

/** True when every byte of [from, to) is below 0x80. */
export function allAscii(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 bytes [from, to) as text, or undefined when they are not valid UTF-8. */
export function decodeUtf8(buf: Uint8Array, from: number, to: number): string | undefined {
  if (allAscii(buf, from, to)) return bytesToString(buf, from, to);
  try {
    return utf8.decode(buf.subarray(from, to));
  } catch {
    return undefined;
  }
}

/** Bytes `text` takes in UTF-8, or -1 when it has an unpaired surrogate. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c < 0xd800 || c > 0xdfff) n += 3;
    else {
      const d = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) return -1;
      n += 4;
      i++;
    }
  }
  return n;
}

const encoder = new TextEncoder();

/** Writes `text` (checked with {@link utf8Length}) as UTF-8 at `at`; returns the byte count. */
export function writeUtf8(buf: Uint8Array, at: number, text: string, length: number): number {
  if (length === text.length) stringToBytes(buf, at, text);
  else encoder.encodeInto(text, buf.subarray(at, at + length));
  return length;
}

const HEX = "0123456789abcdef";
const HIGH = Uint8Array.from({ length: 256 }, (_, n) => HEX.charCodeAt(n >> 4));
const LOW = Uint8Array.from({ length: 256 }, (_, n) => HEX.charCodeAt(n & 15));
const DASH = 0x2d;

/**
 * A Microsoft GUID (first three groups little-endian) at `at`, as lowercase
 * canonical text: one flat string from 36 char codes (concatenating hex
 * pairs would build a rope of 20 pieces, kept three times larger).
 */
export function readGuid(b: Uint8Array, o: number): string {
  const h = HIGH;
  const l = LOW;
  const b0 = b[o + 3]!,
    b1 = b[o + 2]!,
    b2 = b[o + 1]!,
    b3 = b[o]!;
  const b4 = b[o + 5]!,
    b5 = b[o + 4]!,
    b6 = b[o + 7]!,
    b7 = b[o + 6]!;
  const b8 = b[o + 8]!,
    b9 = b[o + 9]!,
    b10 = b[o + 10]!,
    b11 = b[o + 11]!;
  const b12 = b[o + 12]!,
    b13 = b[o + 13]!,
    b14 = b[o + 14]!,
    b15 = b[o + 15]!;
  // prettier-ignore
  return String.fromCharCode(
    h[b0]!, l[b0]!, h[b1]!, l[b1]!, h[b2]!, l[b2]!, h[b3]!, l[b3]!, DASH,
    h[b4]!, l[b4]!, h[b5]!, l[b5]!, DASH, h[b6]!, l[b6]!, h[b7]!, l[b7]!, DASH,
    h[b8]!, l[b8]!, h[b9]!, l[b9]!, DASH, h[b10]!, l[b10]!, h[b11]!, l[b11]!,
    h[b12]!, l[b12]!, h[b13]!, l[b13]!, h[b14]!, l[b14]!, h[b15]!, l[b15]!,
  );
}

/** A UUID stored in its text order (RFC 4122), as lowercase canonical text. */
export function readUuid(b: Uint8Array, o: number): string {
  const h = HIGH;
  const l = LOW;
  const b0 = b[o]!,
    b1 = b[o + 1]!,
    b2 = b[o + 2]!,
    b3 = b[o + 3]!;
  const b4 = b[o + 4]!,
    b5 = b[o + 5]!,
    b6 = b[o + 6]!,
    b7 = b[o + 7]!;
  const b8 = b[o + 8]!,
    b9 = b[o + 9]!,
    b10 = b[o + 10]!,
    b11 = b[o + 11]!;
  const b12 = b[o + 12]!,
    b13 = b[o + 13]!,
    b14 = b[o + 14]!,
    b15 = b[o + 15]!;
  // prettier-ignore
  return String.fromCharCode(
    h[b0]!, l[b0]!, h[b1]!, l[b1]!, h[b2]!, l[b2]!, h[b3]!, l[b3]!, DASH,
    h[b4]!, l[b4]!, h[b5]!, l[b5]!, DASH, h[b6]!, l[b6]!, h[b7]!, l[b7]!, DASH,
    h[b8]!, l[b8]!, h[b9]!, l[b9]!, DASH, h[b10]!, l[b10]!, h[b11]!, l[b11]!,
    h[b12]!, l[b12]!, h[b13]!, l[b13]!, h[b14]!, l[b14]!, h[b15]!, l[b15]!,
  );
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(v: unknown): v is string {
  return typeof v === "string" && UUID_TEXT.test(v);
}

function nibble(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x57;
}

/** Text position of the two digits of byte k of a canonical UUID. */
const DIGITS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** Where byte k of the text goes in a Microsoft GUID. */
const GUID_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

/** Writes canonical UUID text (checked with {@link isUuid}) in text order at `at`. */
export function writeUuid(b: Uint8Array, o: number, text: string): void {
  for (let k = 0; k < 16; k++) {
    const i = DIGITS[k]!;
    b[o + k] = (nibble(text.charCodeAt(i)) << 4) | nibble(text.charCodeAt(i + 1));
  }
}

/** Writes canonical UUID text (checked with {@link isUuid}) as a Microsoft GUID at `at`. */
export function writeGuid(b: Uint8Array, o: number, text: string): void {
  for (let k = 0; k < 16; k++) {
    const i = DIGITS[k]!;
    b[o + GUID_ORDER[k]!] = (nibble(text.charCodeAt(i)) << 4) | nibble(text.charCodeAt(i + 1));
  }
}
