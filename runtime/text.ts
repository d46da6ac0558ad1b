/**
 * Text stored in a byte region of known size: UTF-16 in either byte order
 * (VHD's parent name, VHDX's creator and locator entries), UTF-8 and ASCII.
 *
 * Decoding is exact or fails: a region that is not valid in its encoding
 * gives undefined (the generated `read` turns that into an error naming the
 * field), never U+FFFD, so every string read writes back to the same bytes.
 * Encoding is split into a length check, which also says whether the text
 * can be encoded at all, and a writer that allocates nothing (TextEncoder
 * would allocate an array per call).
 */
import { allAscii, getBytes, NATIVE_LATIN1 } from "./bytes.js";

/** Strings shorter than this many characters are built in a loop: a TextDecoder call costs more. */
const SHORT = 16;

/**
 * TextDecoder is in every browser and in Node; "utf-16be" may be missing
 * from a Node built without ICU, and then the loop below does the work.
 * `ignoreBOM` keeps a leading byte-order mark as U+FEFF rather than
 * dropping it, so it survives a round trip. The UTF-16 and ASCII decoders
 * only ever see bytes already checked here, so they need not be fatal.
 */
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf16leDecoder = decoderFor("utf-16le");
const utf16beDecoder = decoderFor("utf-16be");

function decoderFor(label: string): TextDecoder | undefined {
  try {
    return new TextDecoder(label, { ignoreBOM: true });
  } catch {
    return undefined;
  }
}

const Shared = (globalThis as { SharedArrayBuffer?: typeof SharedArrayBuffer }).SharedArrayBuffer;

/**
 * Bytes [from, to) as TextDecoder will take them. Browsers refuse a view of
 * a SharedArrayBuffer, so those bytes are copied first (`slice` gives an
 * unshared copy); any other buffer is viewed in place.
 */
function decodable(buf: Uint8Array, from: number, to: number): Uint8Array {
  return Shared !== undefined && buf.buffer instanceof Shared
    ? buf.slice(from, to)
    : buf.subarray(from, to);
}

// ---------------------------------------------------------------- UTF-16

/** The code unit at `i`. */
function unitAt(buf: Uint8Array, i: number, littleEndian: boolean): number {
  return littleEndian ? buf[i]! | (buf[i + 1]! << 8) : (buf[i]! << 8) | buf[i + 1]!;
}

/** True when [from, to) is whole code units with every surrogate paired. */
function wellFormedUtf16(
  buf: Uint8Array,
  from: number,
  to: number,
  littleEndian: boolean,
): boolean {
  if ((to - from) & 1) return false;
  for (let i = from; i < to; i += 2) {
    const u = unitAt(buf, i, littleEndian);
    if (u < 0xd800 || u > 0xdfff) continue;
    // A high surrogate followed by a low one; anything else is unpaired.
    if (u > 0xdbff || i + 2 >= to) return false;
    const next = unitAt(buf, i + 2, littleEndian);
    if (next < 0xdc00 || next > 0xdfff) return false;
    i += 2;
  }
  return true;
}

function decodeUtf16(
  buf: Uint8Array,
  from: number,
  to: number,
  littleEndian: boolean,
  decoder: TextDecoder | undefined,
): string | undefined {
  if (!wellFormedUtf16(buf, from, to, littleEndian)) return undefined;
  if (decoder !== undefined && to - from >= 2 * SHORT)
    return decoder.decode(decodable(buf, from, to));
  let text = "";
  for (let i = from; i < to; i += 2) text += String.fromCharCode(unitAt(buf, i, littleEndian));
  return text;
}

/** The text in UTF-16LE bytes [from, to), or undefined for an odd length or an unpaired surrogate. */
export function decodeUtf16le(buf: Uint8Array, from: number, to: number): string | undefined {
  return decodeUtf16(buf, from, to, true, utf16leDecoder);
}

/** The text in UTF-16BE bytes [from, to), or undefined for an odd length or an unpaired surrogate. */
export function decodeUtf16be(buf: Uint8Array, from: number, to: number): string | undefined {
  return decodeUtf16(buf, from, to, false, utf16beDecoder);
}

/** 2 bytes per UTF-16 code unit, or -1 when the text has an unpaired surrogate. */
function encodedLengthUtf16(text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff || i + 1 >= n) return -1;
    const next = text.charCodeAt(i + 1);
    if (next < 0xdc00 || next > 0xdfff) return -1;
    i++;
  }
  return 2 * n;
}

/** Bytes the text takes in UTF-16LE, or -1 when it has an unpaired surrogate. */
export function encodedLengthUtf16le(text: string): number {
  return encodedLengthUtf16(text);
}

/** Bytes the text takes in UTF-16BE, or -1 when it has an unpaired surrogate. */
export function encodedLengthUtf16be(text: string): number {
  return encodedLengthUtf16(text);
}

/** Writes the text (checked with {@link encodedLengthUtf16le}) as UTF-16LE at `at`; returns the byte count. */
export function encodeUtf16le(buf: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    buf[at + 2 * i] = c & 0xff;
    buf[at + 2 * i + 1] = c >>> 8;
  }
  return 2 * text.length;
}

/** Writes the text (checked with {@link encodedLengthUtf16be}) as UTF-16BE at `at`; returns the byte count. */
export function encodeUtf16be(buf: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    buf[at + 2 * i] = c >>> 8;
    buf[at + 2 * i + 1] = c & 0xff;
  }
  return 2 * text.length;
}

/**
 * Offset of the first zero code unit in [from, to), stepping by 2 from
 * `from`, or `to`: the end of the text in a NUL-padded UTF-16 field. A
 * trailing odd byte is not a code unit. The byte order only decides which
 * byte is tested first: the low one, which is non-zero in most text, so
 * most units need one comparison.
 */
export function findNul16(
  buf: Uint8Array,
  from: number,
  to: number,
  littleEndian: boolean,
): number {
  const low = littleEndian ? 0 : 1;
  for (let i = from; i + 1 < to; i += 2) {
    if (buf[i + low] === 0 && buf[i + 1 - low] === 0) return i;
  }
  return to;
}

// ---------------------------------------------------------------- ASCII

/** The text of bytes [from, to), all below 0x80. */
function asciiText(buf: Uint8Array, from: number, to: number): string {
  if (to - from >= SHORT) {
    // ASCII reads the same as Latin-1: Node's native Latin-1 slice builds
    // the string without the view TextDecoder needs (garbage on every read).
    if (NATIVE_LATIN1) return getBytes(buf, from, to);
    // Every byte is valid UTF-8 here, so the decoder cannot throw.
    return utf8Decoder.decode(decodable(buf, from, to));
  }
  let text = "";
  for (let i = from; i < to; i++) text += String.fromCharCode(buf[i]!);
  return text;
}

/** The text in ASCII bytes [from, to), or undefined when a byte is 0x80 or more. */
export function decodeAscii(buf: Uint8Array, from: number, to: number): string | undefined {
  return allAscii(buf, from, to) ? asciiText(buf, from, to) : undefined;
}

/** Bytes the text takes in ASCII (one per character), or -1 when a character is U+0080 or above. */
export function encodedLengthAscii(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return -1;
  return text.length;
}

/** Writes the text (checked with {@link encodedLengthAscii}) at `at`; returns the byte count. */
export function encodeAscii(buf: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i);
  return text.length;
}

// ---------------------------------------------------------------- UTF-8

/**
 * The text in UTF-8 bytes [from, to), or undefined for any invalid
 * sequence: a stray continuation byte, a truncated or overlong sequence, a
 * surrogate code point or one above U+10FFFF (TextDecoder's fatal mode).
 */
export function decodeUtf8(buf: Uint8Array, from: number, to: number): string | undefined {
  if (allAscii(buf, from, to)) return asciiText(buf, from, to);
  try {
    return utf8Decoder.decode(decodable(buf, from, to));
  } catch {
    return undefined;
  }
}

/** Bytes the text takes in UTF-8, or -1 when it has an unpaired surrogate. */
export function encodedLengthUtf8(text: string): number {
  const n = text.length;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c < 0xd800 || c > 0xdfff) bytes += 3;
    else {
      // A surrogate pair is one code point above U+FFFF: four bytes.
      if (c > 0xdbff || i + 1 >= n) return -1;
      const next = text.charCodeAt(i + 1);
      if (next < 0xdc00 || next > 0xdfff) return -1;
      bytes += 4;
      i++;
    }
  }
  return bytes;
}

/** Writes the text (checked with {@link encodedLengthUtf8}) as UTF-8 at `at`; returns the byte count. */
export function encodeUtf8(buf: Uint8Array, at: number, text: string): number {
  let j = at;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      buf[j++] = c;
    } else if (c < 0x800) {
      buf[j++] = 0xc0 | (c >>> 6);
      buf[j++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdbff) {
      buf[j++] = 0xe0 | (c >>> 12);
      buf[j++] = 0x80 | ((c >>> 6) & 0x3f);
      buf[j++] = 0x80 | (c & 0x3f);
    } else {
      // High surrogate: join it with the low one that follows.
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      buf[j++] = 0xf0 | (c >>> 18);
      buf[j++] = 0x80 | ((c >>> 12) & 0x3f);
      buf[j++] = 0x80 | ((c >>> 6) & 0x3f);
      buf[j++] = 0x80 | (c & 0x3f);
    }
  }
  return j - at;
}
