/**
 * Checksums that formats store beside the bytes they protect: CRC-32 (zlib,
 * PNG, gzip), CRC-32C (VHDX, iSCSI; ext4 stores its complement, the raw
 * register) and VHD's one's complement of the byte sum. Each covers bytes [from, to) of a buffer and takes the bytes in
 * [zeroFrom, zeroTo) as zero (usually the checksum field itself), so `read`
 * can verify and `write` can fill in a checksum without copying or editing
 * the buffer. Plain TypeScript over Uint8Array: the same code runs in
 * browsers and Node, and allocates nothing.
 */
import { wordsOf } from "./bytes.js";

/**
 * Slicing-by-16 tables for a reflected CRC with polynomial `poly`: sixteen
 * 256-entry tables in one array. Table 0 is the classic byte-at-a-time
 * table; table k gives the effect of a byte followed by k zero bytes, so 16
 * bytes are folded in with 16 independent lookups instead of 16 dependent
 * steps. Built once at module load (16 KiB per CRC), which keeps the source
 * free of literal tables.
 */
function slicingTables(poly: number): Uint32Array {
  const t = new Uint32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 16; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

const CRC32 = slicingTables(0xedb88320);
const CRC32C = slicingTables(0x82f63b78);

/** True on little-endian hosts (all common ones), where a 32-bit word load gives bytes in CRC order. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// The 16-byte loops below read whole aligned words, four per step. There
// is one loop per CRC, each naming its own module-level table: V8 then
// knows the table's length and drops the bounds checks, where one loop
// taking the table as an argument measured about a third slower.

/** Folds words [j, end) (a multiple of 4) into the running CRC-32. */
function blocksCrc32(crc: number, w: Int32Array, j: number, end: number): number {
  const t = CRC32;
  for (; j < end; j += 4) {
    const a = crc ^ w[j]!;
    const b = w[j + 1]!;
    const c = w[j + 2]!;
    const d = w[j + 3]!;
    crc =
      t[3840 + (a & 0xff)]! ^
      t[3584 + ((a >>> 8) & 0xff)]! ^
      t[3328 + ((a >>> 16) & 0xff)]! ^
      t[3072 + (a >>> 24)]! ^
      t[2816 + (b & 0xff)]! ^
      t[2560 + ((b >>> 8) & 0xff)]! ^
      t[2304 + ((b >>> 16) & 0xff)]! ^
      t[2048 + (b >>> 24)]! ^
      t[1792 + (c & 0xff)]! ^
      t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^
      t[1024 + (c >>> 24)]! ^
      t[768 + (d & 0xff)]! ^
      t[512 + ((d >>> 8) & 0xff)]! ^
      t[256 + ((d >>> 16) & 0xff)]! ^
      t[d >>> 24]!;
  }
  return crc;
}

/** Folds words [j, end) (a multiple of 4) into the running CRC-32C. */
function blocksCrc32c(crc: number, w: Int32Array, j: number, end: number): number {
  const t = CRC32C;
  for (; j < end; j += 4) {
    const a = crc ^ w[j]!;
    const b = w[j + 1]!;
    const c = w[j + 2]!;
    const d = w[j + 3]!;
    crc =
      t[3840 + (a & 0xff)]! ^
      t[3584 + ((a >>> 8) & 0xff)]! ^
      t[3328 + ((a >>> 16) & 0xff)]! ^
      t[3072 + (a >>> 24)]! ^
      t[2816 + (b & 0xff)]! ^
      t[2560 + ((b >>> 8) & 0xff)]! ^
      t[2304 + ((b >>> 16) & 0xff)]! ^
      t[2048 + (b >>> 24)]! ^
      t[1792 + (c & 0xff)]! ^
      t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^
      t[1024 + (c >>> 24)]! ^
      t[768 + (d & 0xff)]! ^
      t[512 + ((d >>> 8) & 0xff)]! ^
      t[256 + ((d >>> 16) & 0xff)]! ^
      t[d >>> 24]!;
  }
  return crc;
}

/** Feeds bytes [from, to) into the running CRC one at a time. */
function bytes(t: Uint32Array, crc: number, buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/**
 * Feeds bytes [from, to) into the running (pre-inverted) CRC: single bytes
 * up to a 4-byte boundary of the underlying buffer, so any start offset
 * works, then 16-byte blocks of aligned words, then the tail.
 */
function update(t: Uint32Array, crc: number, buf: Uint8Array, from: number, to: number): number {
  if (!LITTLE_ENDIAN_HOST || to - from < 32) return bytes(t, crc, buf, from, to);
  const { words: w, base } = wordsOf(buf);
  const head = from + ((4 - ((base + from) & 3)) & 3);
  crc = bytes(t, crc, buf, from, head);
  const j = (base + head) >>> 2;
  const end = j + ((to - head) >>> 4) * 4;
  crc = t === CRC32 ? blocksCrc32(crc, w, j, end) : blocksCrc32c(crc, w, j, end);
  return bytes(t, crc, buf, head + (end - j) * 4, to);
}

/** Feeds `n` zero bytes into the running CRC; `n` is a field's size, so a byte loop is enough. */
function updateZeros(t: Uint32Array, crc: number, n: number): number {
  for (let i = 0; i < n; i++) crc = t[crc & 0xff]! ^ (crc >>> 8);
  return crc;
}

/**
 * The CRC of [from, to) with [zeroFrom, zeroTo) taken as zero, as a signed
 * 32-bit integer. The zeroed range is clipped to the covered one (an empty
 * or reversed range zeroes nothing), so a caller never has to special-case
 * a field at an edge. Signed: see {@link crc32Bits}.
 */
function crcZeroing(
  t: Uint32Array,
  buf: Uint8Array,
  from: number,
  to: number,
  zeroFrom: number,
  zeroTo: number,
): number {
  const z0 = Math.min(Math.max(zeroFrom, from), to);
  const z1 = Math.min(Math.max(zeroTo, z0), to);
  let crc = update(t, 0xffffffff, buf, from, z0);
  crc = updateZeros(t, crc, z1 - z0);
  crc = update(t, crc, buf, z1, to);
  return ~crc;
}

/**
 * CRC-32 (IEEE 802.3; reflected, polynomial 0xEDB88320, initial value and
 * final xor 0xFFFFFFFF: zlib's `crc32`) of bytes [from, to), with the bytes
 * in [zeroFrom, zeroTo) taken as zero. Unsigned.
 */
export function crc32(
  buf: Uint8Array,
  from: number,
  to: number,
  zeroFrom: number = to,
  zeroTo: number = to,
): number {
  return crcZeroing(CRC32, buf, from, to, zeroFrom, zeroTo) >>> 0;
}

/**
 * {@link crc32}'s 32 bits as a signed integer, which generated code makes
 * unsigned itself (`crc32Bits(...) >>> 0`): a result of 2^31 and above
 * returned by a call that is not inlined is boxed, which allocates.
 */
export function crc32Bits(
  buf: Uint8Array,
  from: number,
  to: number,
  zeroFrom: number = to,
  zeroTo: number = to,
): number {
  return crcZeroing(CRC32, buf, from, to, zeroFrom, zeroTo);
}

/**
 * CRC-32C (Castagnoli; reflected, polynomial 0x82F63B78, initial value and
 * final xor 0xFFFFFFFF), as VHDX and iSCSI store it, of bytes
 * [from, to) with the bytes in [zeroFrom, zeroTo) taken as zero. Unsigned.
 */
export function crc32c(
  buf: Uint8Array,
  from: number,
  to: number,
  zeroFrom: number = to,
  zeroTo: number = to,
): number {
  return crcZeroing(CRC32C, buf, from, to, zeroFrom, zeroTo) >>> 0;
}

/** {@link crc32c}'s 32 bits as a signed integer (see {@link crc32Bits}). */
export function crc32cBits(
  buf: Uint8Array,
  from: number,
  to: number,
  zeroFrom: number = to,
  zeroTo: number = to,
): number {
  return crcZeroing(CRC32C, buf, from, to, zeroFrom, zeroTo);
}

/**
 * VHD's checksum: the one's complement of the 32-bit sum of bytes
 * [from, to), the bytes in [zeroFrom, zeroTo) counting as zero. Unsigned.
 */
export function onesComplementSum32(
  buf: Uint8Array,
  from: number,
  to: number,
  zeroFrom: number = to,
  zeroTo: number = to,
): number {
  return onesComplementSum32Bits(buf, from, to, zeroFrom, zeroTo) >>> 0;
}

/** {@link onesComplementSum32}'s 32 bits as a signed integer (see {@link crc32Bits}). */
export function onesComplementSum32Bits(
  buf: Uint8Array,
  from: number,
  to: number,
  zeroFrom: number = to,
  zeroTo: number = to,
): number {
  const z0 = Math.min(Math.max(zeroFrom, from), to);
  const z1 = Math.min(Math.max(zeroTo, z0), to);
  return ~(byteSum(buf, from, z0) + byteSum(buf, z1, to));
}

/**
 * The sum of bytes [from, to) modulo 2^32, kept in int32 range so the loops
 * stay on small integers: single bytes up to a 4-byte boundary, then whole
 * words (byte order does not matter to a sum), then the tail.
 */
function byteSum(buf: Uint8Array, from: number, to: number): number {
  if (to - from < 32) return byteSumBytes(buf, from, to);
  const { words, base } = wordsOf(buf);
  const head = from + ((4 - ((base + from) & 3)) & 3);
  const j = (base + head) >>> 2;
  const end = j + ((to - head) >>> 2);
  const sum = byteSumBytes(buf, from, head) + wordByteSum(words, j, end);
  return (sum + byteSumBytes(buf, head + (end - j) * 4, to)) | 0;
}

function byteSumBytes(buf: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum = (sum + buf[i]!) | 0;
  return sum;
}

/**
 * The sum of the bytes of words [j, end): a word's even and odd bytes are
 * added as two 16-bit lanes each, four bytes for two adds, and the lanes
 * are folded into the total every 256 words, before one can overflow
 * (256 × 255 < 2^16). About four times the byte loop's speed.
 */
function wordByteSum(w: Int32Array, j: number, end: number): number {
  let total = 0;
  while (j < end) {
    const stop = Math.min(end, j + 256);
    let even = 0;
    let odd = 0;
    for (; j < stop; j++) {
      const x = w[j]!;
      even = (even + (x & 0x00ff00ff)) | 0;
      odd = (odd + ((x >>> 8) & 0x00ff00ff)) | 0;
    }
    total = (total + (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16)) | 0;
  }
  return total;
}

/**
 * The unsigned sum of bytes [from, to) modulo 2^32, the bytes in
 * [blankFrom, blankTo) each counting as `blank` (0, or 0x20 for tar's
 * header checksum, which counts its own field as spaces).
 */
export function sumOfBytes(
  buf: Uint8Array,
  from: number,
  to: number,
  blankFrom: number = to,
  blankTo: number = to,
  blank: number = 0,
): number {
  const z0 = Math.min(Math.max(blankFrom, from), to);
  const z1 = Math.min(Math.max(blankTo, z0), to);
  return (byteSum(buf, from, z0) + blank * (z1 - z0) + byteSum(buf, z1, to)) >>> 0;
}
