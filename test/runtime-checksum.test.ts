import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as zlib from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  crc32,
  crc32Bits,
  crc32c,
  crc32cBits,
  onesComplementSum32,
  onesComplementSum32Bits,
} from "../runtime/checksum.js";
import { describeWithQemu, qemuImg, qemuImgOrThrow, withTempDir } from "./support/qemu.js";

// ---------------------------------------------------------------- references

/** Bit-at-a-time reflected CRC: the definition, with no tables to get wrong. */
function bitwiseCrc(poly: number, bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ poly : crc >>> 1;
  }
  return ~crc >>> 0;
}

/** Node's zlib.crc32 (Node 20.15+), else the bitwise definition. */
const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
const referenceCrc32 = (bytes: Uint8Array): number =>
  zlibCrc32 !== undefined ? zlibCrc32(bytes) : bitwiseCrc(0xedb88320, bytes);
const referenceCrc32c = (bytes: Uint8Array): number => bitwiseCrc(0x82f63b78, bytes);

function referenceSum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum += byte;
  return ~sum >>> 0;
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Deterministic pseudo-random bytes (xorshift32), so a failure reproduces. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const algorithms = [
  { name: "crc32", fn: crc32, reference: referenceCrc32 },
  { name: "crc32c", fn: crc32c, reference: referenceCrc32c },
  { name: "onesComplementSum32", fn: onesComplementSum32, reference: referenceSum },
] as const;

// ---------------------------------------------------------------- published vectors

describe("the signed forms generated code calls", () => {
  it("crc32Bits, crc32cBits and onesComplementSum32Bits are the same 32 bits as the unsigned ones", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const from = bytes.length === 0 ? 0 : a % bytes.length;
        const zero = bytes.length === 0 ? 0 : b % bytes.length;
        expect(crc32Bits(bytes, from, bytes.length, zero, zero + 4) >>> 0).toBe(
          crc32(bytes, from, bytes.length, zero, zero + 4),
        );
        expect(crc32cBits(bytes, from, bytes.length) >>> 0).toBe(crc32c(bytes, from, bytes.length));
        expect(onesComplementSum32Bits(bytes, from, bytes.length, zero, zero + 4) >>> 0).toBe(
          onesComplementSum32(bytes, from, bytes.length, zero, zero + 4),
        );
        expect(Number.isInteger(crc32Bits(bytes, from, bytes.length))).toBe(true);
        expect(crc32Bits(bytes, from, bytes.length) | 0).toBe(crc32Bits(bytes, from, bytes.length));
      }),
    );
  });
});

describe("published check values", () => {
  const check = ascii("123456789");

  it('CRC-32 of "123456789" is 0xCBF43926', () => {
    expect(crc32(check, 0, 9)).toBe(0xcbf43926);
  });

  it('CRC-32C of "123456789" is 0xE3069283', () => {
    expect(crc32c(check, 0, 9)).toBe(0xe3069283);
  });

  it("the empty range gives 0 for both CRCs and 0xFFFFFFFF for the sum", () => {
    expect(crc32(check, 4, 4)).toBe(0);
    expect(crc32c(check, 4, 4)).toBe(0);
    expect(onesComplementSum32(check, 4, 4)).toBe(0xffffffff);
  });

  // RFC 3720 appendix B.4: CRC-32C over 32-byte iSCSI test patterns.
  const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);
  const rfc3720: [string, Uint8Array, number][] = [
    ["32 bytes of zeros", new Uint8Array(32), 0x8a9136aa],
    ["32 bytes of 0xFF", new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ["32 ascending bytes 0..31", ascending, 0x46dd794e],
    ["32 descending bytes 31..0", ascending.slice().reverse(), 0x113fdb5c],
  ];
  for (const [name, bytes, expected] of rfc3720) {
    it(`RFC 3720 B.4 CRC-32C: ${name}`, () => {
      expect(crc32c(bytes, 0, 32)).toBe(expected);
      // The same bytes at every misalignment inside a larger buffer.
      for (let at = 0; at < 8; at++) {
        const big = randomBytes(at + 32 + 5, 7 + at);
        big.set(bytes, at);
        expect(crc32c(big, at, at + 32)).toBe(expected);
      }
    });
  }

  it("the reference for CRC-32 agrees with the bitwise definition", () => {
    // Guards the test itself: zlib and the definition must agree.
    const bytes = randomBytes(1000, 99);
    expect(referenceCrc32(bytes)).toBe(bitwiseCrc(0xedb88320, bytes));
  });
});

// ---------------------------------------------------------------- against references

describe("agreement with reference implementations", () => {
  // Lengths around every path: byte loop (< 32), the aligned 16-byte blocks
  // and their tails; offsets into a subarray whose own byteOffset is odd, so
  // no word in the underlying buffer lines up with the range by accident.
  const lengths = [0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 100, 255];
  lengths.push(256, 511, 512, 513, 1000, 4095, 4096, 4097, 65535, 65536, 65537);
  const backing = randomBytes(70_000, 12345);
  const buf = backing.subarray(3);

  for (const { name, fn, reference } of algorithms) {
    it(`${name}: every length at offsets 0..7`, () => {
      for (const n of lengths) {
        for (let at = 0; at < 8; at++) {
          const expected = reference(buf.slice(at, at + n));
          expect(fn(buf, at, at + n), `${name} of ${n} bytes at ${at}`).toBe(expected);
        }
      }
    });

    it(`${name}: random buffers, lengths and offsets`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 0, maxLength: 3000 }),
          fc.nat(40),
          fc.nat(40),
          (bytes, lead, tail) => {
            // Place the bytes at `lead` inside a fresh buffer and a subarray of it.
            const outer = new Uint8Array(lead + bytes.length + tail + 7);
            const view = outer.subarray(lead % 7);
            const at = lead - (lead % 7);
            view.set(bytes, at);
            expect(fn(view, at, at + bytes.length)).toBe(reference(bytes));
          },
        ),
        { numRuns: 300 },
      );
    });

    it(`${name}: a zeroed range is the same as computing on a copy with it zeroed`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 600 }),
          fc.nat(),
          fc.nat(),
          fc.nat(),
          fc.nat(),
          (bytes, a, b, c, d) => {
            const n = bytes.length;
            const [from, to] = [a % (n + 1), b % (n + 1)].sort((x, y) => x - y) as [number, number];
            const zeroFrom = from + (c % (to - from + 1));
            const zeroTo = zeroFrom + (d % (to - zeroFrom + 1));
            const before = bytes.slice();
            const copy = bytes.slice(from, to);
            copy.fill(0, zeroFrom - from, zeroTo - from);
            expect(fn(bytes, from, to, zeroFrom, zeroTo)).toBe(reference(copy));
            expect(bytes).toEqual(before); // the buffer is not modified
          },
        ),
        { numRuns: 300 },
      );
    });

    it(`${name}: a zeroed range past the covered bytes is clipped to them`, () => {
      const bytes = randomBytes(200, 5);
      const zeroedTail = bytes.slice(10, 100).fill(0, 80);
      expect(fn(bytes, 10, 100, 90, 150)).toBe(reference(zeroedTail));
      expect(fn(bytes, 10, 100, 150, 160)).toBe(reference(bytes.slice(10, 100)));
      expect(fn(bytes, 10, 100, 0, 20)).toBe(reference(bytes.slice(10, 100).fill(0, 0, 10)));
    });
  }

  it("onesComplementSum32 wraps the sum at 32 bits", () => {
    // (2^24 + 1) bytes of 0xFF sum to more than 2^32.
    const n = (1 << 24) + 1;
    const bytes = new Uint8Array(n).fill(0xff);
    const sum = (n * 255) % 2 ** 32;
    expect(onesComplementSum32(bytes, 0, n)).toBe(~sum >>> 0);
  });
});

// ---------------------------------------------------------------- real images

const u32be = (b: Uint8Array, at: number): number =>
  new DataView(b.buffer, b.byteOffset).getUint32(at, false);
const u32le = (b: Uint8Array, at: number): number =>
  new DataView(b.buffer, b.byteOffset).getUint32(at, true);

describeWithQemu("checksums of images made by qemu-img", () => {
  it("VHD footer: one's complement byte sum with the checksum field (64..68) zeroed", () => {
    withTempDir((dir) => {
      const path = join(dir, "x.vhd");
      qemuImgOrThrow(["create", "-q", "-f", "vpc", path, "10M"]);
      const image = new Uint8Array(readFileSync(path));
      const footer = image.length - 512;
      expect(new TextDecoder().decode(image.subarray(footer, footer + 8))).toBe("conectix");
      const stored = u32be(image, footer + 64);
      expect(onesComplementSum32(image, footer, footer + 512, footer + 64, footer + 68)).toBe(
        stored,
      );
      // A dynamic VHD repeats the footer at byte 0 and has a dynamic header
      // ("cxsparse", checksum at 36) at the footer's data offset.
      expect(onesComplementSum32(image, 0, 512, 64, 68)).toBe(u32be(image, 64));
      const dynamic = Number(new DataView(image.buffer).getBigUint64(footer + 16, false));
      expect(new TextDecoder().decode(image.subarray(dynamic, dynamic + 8))).toBe("cxsparse");
      expect(onesComplementSum32(image, dynamic, dynamic + 1024, dynamic + 36, dynamic + 40)).toBe(
        u32be(image, dynamic + 36),
      );
      // One flipped bit changes the sum.
      image[footer + 100] ^= 0x10;
      expect(onesComplementSum32(image, footer, footer + 512, footer + 64, footer + 68)).not.toBe(
        stored,
      );
    });
  });

  it("VHDX headers and region tables: CRC-32C with the checksum field (4..8) zeroed", () => {
    withTempDir((dir) => {
      const path = join(dir, "x.vhdx");
      qemuImgOrThrow(["create", "-q", "-f", "vhdx", path, "10M"]);
      const image = new Uint8Array(readFileSync(path));
      expect(new TextDecoder().decode(image.subarray(0, 8))).toBe("vhdxfile");
      // Two headers (4 KiB at 64 and 128 KiB), two region tables (64 KiB at 192 and 256 KiB).
      const parts: [string, number, number][] = [
        ["head", 64 * 1024, 4096],
        ["head", 128 * 1024, 4096],
        ["regi", 192 * 1024, 65536],
        ["regi", 256 * 1024, 65536],
      ];
      for (const [signature, at, size] of parts) {
        expect(new TextDecoder().decode(image.subarray(at, at + 4))).toBe(signature);
        const stored = u32le(image, at + 4);
        expect(crc32c(image, at, at + size, at + 4, at + 8), `${signature} at ${at}`).toBe(stored);
        // The reference on a zeroed copy agrees, and a flipped bit is caught.
        const copy = image.slice(at, at + size);
        copy.fill(0, 4, 8);
        expect(referenceCrc32c(copy)).toBe(stored);
        copy[size - 1] ^= 1;
        expect(crc32c(copy, 0, size)).not.toBe(stored);
      }
    });
  });

  it("a VHD footer edited and re-summed is accepted by qemu-img; not re-summed, it is refused", () => {
    withTempDir((dir) => {
      const path = join(dir, "x.vhd");
      qemuImgOrThrow(["create", "-q", "-f", "vpc", path, "10M"]);
      const image = new Uint8Array(readFileSync(path));
      // Change the creator application (bytes 28..32) in both footer copies.
      for (const footer of [0, image.length - 512]) image.set(ascii("test"), footer + 28);
      writeFileSync(path, image);
      const refused = qemuImg(["info", path]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/checksum/i);
      for (const footer of [0, image.length - 512]) {
        const sum = onesComplementSum32(image, footer, footer + 512, footer + 64, footer + 68);
        new DataView(image.buffer).setUint32(footer + 64, sum, false);
      }
      writeFileSync(path, image);
      expect(qemuImg(["info", path]).status).toBe(0);
    });
  });

  it("VHDX headers edited and re-checksummed are accepted by qemu-img; not, they are refused", () => {
    withTempDir((dir) => {
      const path = join(dir, "x.vhdx");
      qemuImgOrThrow(["create", "-q", "-f", "vhdx", path, "10M"]);
      const image = new Uint8Array(readFileSync(path));
      const view = new DataView(image.buffer);
      // Raise both headers' sequence numbers (bytes 8..16), keeping their order.
      for (const at of [64 * 1024, 128 * 1024]) {
        view.setBigUint64(at + 8, view.getBigUint64(at + 8, true) + 10n, true);
      }
      writeFileSync(path, image);
      const refused = qemuImg(["info", path]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/no valid vhdx header/i);
      for (const at of [64 * 1024, 128 * 1024]) {
        view.setUint32(at + 4, crc32c(image, at, at + 4096, at + 4, at + 8), true);
      }
      writeFileSync(path, image);
      expect(qemuImg(["info", path]).status).toBe(0);
      expect(qemuImg(["check", path]).status).toBe(0);
    });
  });
});
