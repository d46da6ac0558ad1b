/**
 * The runtime's byte scans (runtime/bytes.ts), which go a 32-bit word at a
 * time over long ranges: the same answers as a byte loop for every start
 * alignment, view offset, range length and position of the byte sought;
 * and the 64-bit halves split and joined through its scratch word.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allAscii, findNonZero, findNul, high32, joinU64, low32 } from "../runtime/bytes.js";

function refNonZero(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return i;
  return -1;
}

function refNul(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (buf[i] === 0) return i;
  return end;
}

function refAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

describe("word-at-a-time scans agree with byte loops", () => {
  // A view at byte offset 0..3 of its buffer, ranges of every length to 80
  // at starts 0..7, and the one byte that differs at every place in and
  // just outside the range.
  it("for a single marked byte anywhere, at any alignment", () => {
    for (let viewOffset = 0; viewOffset < 4; viewOffset++) {
      const backing = new Uint8Array(100 + viewOffset);
      const buf = backing.subarray(viewOffset);
      for (let start = 0; start < 8; start++)
        for (let length = 0; length <= 80; length++) {
          const end = start + length;
          for (let mark = start - 1; mark <= end; mark++) {
            for (const [fill, marker] of [
              [0x00, 0x01],
              [0x41, 0x00],
              [0x7f, 0x80],
            ] as const) {
              buf.fill(fill);
              if (mark >= 0) buf[mark] = marker;
              const what = `view +${viewOffset}, [${start}, ${end}), mark at ${mark}`;
              expect(findNonZero(buf, start, end), what).toBe(refNonZero(buf, start, end));
              expect(findNul(buf, start, end), what).toBe(refNul(buf, start, end));
              expect(allAscii(buf, start, end), what).toBe(refAscii(buf, start, end));
            }
          }
        }
    }
  });

  it("for random bytes, ranges and view offsets", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 400 }),
        fc.nat(7),
        fc.nat(400),
        fc.nat(400),
        fc.constantFrom(0x00, 0x01, 0x80),
        (bytes, viewOffset, a, b, sparse) => {
          const backing = new Uint8Array(bytes.length + viewOffset);
          const buf = backing.subarray(viewOffset);
          // Mostly one value, so that the scans run long before they stop.
          for (let i = 0; i < bytes.length; i++) buf[i] = bytes[i]! < 250 ? sparse : bytes[i]!;
          const start = Math.min(a, b, buf.length);
          const end = Math.min(Math.max(a, b), buf.length);
          expect(findNonZero(buf, start, end)).toBe(refNonZero(buf, start, end));
          expect(findNul(buf, start, end)).toBe(refNul(buf, start, end));
          expect(allAscii(buf, start, end)).toBe(refAscii(buf, start, end));
        },
      ),
    );
  });

  it("after the same buffer grows (a resizable ArrayBuffer)", () => {
    const Resizable = ArrayBuffer as unknown as new (
      n: number,
      o: { maxByteLength: number },
    ) => ArrayBuffer & { resize(n: number): void };
    const buffer = new Resizable(64, { maxByteLength: 256 });
    const buf = new Uint8Array(buffer);
    expect(findNonZero(buf, 0, buf.length)).toBe(-1);
    buffer.resize(256);
    buf[200] = 1;
    expect(findNonZero(buf, 0, buf.length)).toBe(200);
  });
});

describe("64-bit halves through the scratch word", () => {
  const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
  it("low32 and high32 are the value's 32-bit halves; joinU64 puts them back", () => {
    fc.assert(
      fc.property(u64, (v) => {
        expect(low32(v)).toBe(Number(v & 0xffffffffn));
        expect(high32(v)).toBe(Number(v >> 32n));
        expect(joinU64(high32(v), low32(v))).toBe(v);
      }),
    );
    for (const v of [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 64n - 1n]) {
      expect(joinU64(Number(v >> 32n), Number(v & 0xffffffffn))).toBe(v);
      expect(low32(v) + high32(v) * 2 ** 32).toBe(Number(v));
    }
  });
  it("low32 of a negative value is its two's complement's low word", () => {
    expect(low32(-1n)).toBe(0xffffffff);
    expect(low32(-(2n ** 32n) - 2n)).toBe(0xfffffffe);
  });
});
