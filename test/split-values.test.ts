/**
 * Values stored in two halves (`high: F`), stored "absent" values
 * (`none: N`) and checksums that apply only while a condition holds,
 * checked against bytes worked out by hand: a 64-bit count in two u32
 * halves far apart, a 40-bit time in a u32 and a u8 with 0 meaning
 * "never", a 32-bit value in two u16s (a number), an i16 whose -1 means
 * "no limit", and a CRC-32C register (without its final inversion) over
 * the bytes before it.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: halves
endian: little
root: Entry
types:
  Entry:
    record:
      - { name: flags, type: u8 }
      - { name: count, type: u32 }
      - { name: time, type: u32, none: 0 }
      - { name: small, type: u16 }
      - { name: limit, type: i16, none: -1 }
      - { name: count_hi, type: u32, high: count }
      - { name: time_hi, type: u8, high: time }
      - { name: small_hi, type: u16, high: small }
      - { name: data, type: bytes, size: small }
      - name: sum
        type: u32
        checksum: crc32c-raw
        covers: before
        when: (flags & 1) == 1
        keep: sum_unused
`;

interface Codec {
  read(
    buf: Uint8Array,
    at?: number,
  ): { value: Record<string, unknown>; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
  toString(value: unknown): string;
  fromString(text: string): unknown;
  compare(a: unknown, b: unknown): number;
}

let modules: SchemaModules;
let codec: Codec;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/halves.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

/** CRC-32C register (reflected 0x82F63B78, initial all ones, no final inversion), bit by bit. */
function crc32cRaw(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return crc >>> 0;
}

// flags 1; count lo 0x89abcdef; time lo 0x5f5e1000; small lo 0x0003; limit -1;
// count hi 0x00000123; time hi 0x01; small hi 0x0000; 3 bytes of data; checksum.
const BODY = [
  0x01, 0xef, 0xcd, 0xab, 0x89, 0x00, 0x10, 0x5e, 0x5f, 0x03, 0x00, 0xff, 0xff, 0x23, 0x01, 0x00,
  0x00, 0x01, 0x00, 0x00, 0x61, 0x62, 0x63,
];
function withSum(body: number[]): Uint8Array {
  const bytes = new Uint8Array(body.length + 4);
  bytes.set(body);
  new DataView(bytes.buffer).setUint32(
    body.length,
    crc32cRaw(bytes.subarray(0, body.length)),
    true,
  );
  return bytes;
}

function readOk(bytes: Uint8Array): Record<string, unknown> {
  const r = codec.read(bytes);
  if ("message" in r) throw new Error(r.message);
  return r.value;
}

describe("split values", () => {
  test("read joins each value's halves; none values read as undefined", () => {
    const v = readOk(withSum(BODY));
    expect(v).toEqual({
      flags: 1,
      count: 0x123_89abcdefn,
      time: 0x01_5f5e1000n,
      small: 3,
      limit: undefined,
      data: "abc",
    });
  });

  test("write splits them again, byte for byte", () => {
    const bytes = withSum(BODY);
    const out = new Uint8Array(bytes.length).fill(0xee);
    expect(codec.write(readOk(bytes), out)).toBe(bytes.length);
    expect([...out]).toEqual([...bytes]);
  });

  test("a value too wide for its halves is a write error naming it; the buffer is untouched", () => {
    const v = readOk(withSum(BODY));
    const out = new Uint8Array(31).fill(0xee);
    for (const [field, bad, reason] of [
      [
        "count",
        1n << 64n,
        "a bigint from 0 to 18446744073709551615 (64 bits: 32 here, the rest in count_hi)",
      ],
      [
        "time",
        1n << 40n,
        "a bigint from 0 to 1099511627775 (40 bits: 32 here, the rest in time_hi)",
      ],
      [
        "small",
        2 ** 32,
        "an integer from 0 to 4294967295 (32 bits: 16 here, the rest in small_hi)",
      ],
    ] as const) {
      const r = codec.write({ ...v, [field]: bad }, out);
      expect(r).toMatchObject({ message: expect.stringContaining(`${field}: expected ${reason}`) });
      expect(out.every((b) => b === 0xee)).toBe(true);
    }
  });

  test("the largest value of 40 bits fills both halves", () => {
    const v = { ...readOk(withSum(BODY)), time: (1n << 40n) - 1n };
    const out = new Uint8Array(27);
    expect(codec.write(v, out)).toBe(27);
    expect([...out.subarray(5, 9)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(out[17]).toBe(0xff);
    expect(readOk(out).time).toBe((1n << 40n) - 1n);
  });
});

describe("none values", () => {
  test("undefined writes the none value; a present value must not be it", () => {
    const v = readOk(withSum(BODY));
    const out = new Uint8Array(27);
    expect(codec.write({ ...v, time: undefined, limit: 7 }, out)).toBe(27);
    expect([...out.subarray(5, 9)]).toEqual([0, 0, 0, 0]);
    expect(out[17]).toBe(0);
    expect([...out.subarray(11, 13)]).toEqual([7, 0]);
    expect(readOk(out)).toMatchObject({ time: undefined, limit: 7 });
    expect(codec.write({ ...v, limit: -1 }, out)).toMatchObject({
      message: "limit: is -1, the stored value that means absent: leave it undefined instead",
    });
    expect(codec.write({ ...v, time: 0n }, out)).toMatchObject({
      message: "time: is 0, the stored value that means absent: leave it undefined instead",
    });
  });

  test("a high half alone is not absent: time 2^32 stores lo 0 and hi 1", () => {
    const v = { ...readOk(withSum(BODY)), time: 1n << 32n };
    const out = new Uint8Array(27);
    expect(codec.write(v, out)).toBe(27);
    expect([...out.subarray(5, 9)]).toEqual([0, 0, 0, 0]);
    expect(out[17]).toBe(1);
    expect(readOk(out).time).toBe(1n << 32n);
  });

  test("S-expressions print absent as (), and compare puts absent first", () => {
    const v = readOk(withSum(BODY));
    const text = codec.toString(v);
    expect(text).toContain("(limit ())");
    expect(text).toContain("(time (5894967296))");
    expect(codec.fromString(text)).toEqual(v);
    expect(codec.compare({ ...v, limit: undefined }, { ...v, limit: -5 })).toBeLessThan(0);
    expect(codec.compare({ ...v, limit: 3 }, { ...v, limit: -5 })).toBeGreaterThan(0);
  });
});

describe("a checksum that applies only while its condition holds", () => {
  test("is the CRC-32C register over the bytes before it, and a wrong one is an error", () => {
    const bytes = withSum(BODY);
    bytes[23] = bytes[23]! ^ 1;
    const r = codec.read(bytes);
    expect(r).toMatchObject({
      message: expect.stringMatching(
        /^sum at byte 23: is 0x[0-9a-f]{8}, but the crc32c-raw of bytes 0 to 23 is 0x[0-9a-f]{8}$/,
      ),
    });
  });

  test("while it does not apply, zero bytes read as nothing and others are kept", () => {
    const body = [0x00, ...BODY.slice(1)];
    const zero = new Uint8Array([...body, 0, 0, 0, 0]);
    const v = readOk(zero);
    expect(v.sum_unused).toBeUndefined();
    expect("sum_unused" in v).toBe(false);
    const stale = new Uint8Array([...body, 0x12, 0, 0x34, 0]);
    const kept = readOk(stale);
    expect(kept.sum_unused).toBe("\x12\x00\x34\x00");
    const out = new Uint8Array(27);
    expect(codec.write(kept, out)).toBe(27);
    expect([...out]).toEqual([...stale]);
    expect(codec.toString(kept)).toContain('(sum_unused "\\018\\0004\\000")');
    // Kept bytes while the checksum applies could not have been read.
    expect(codec.write({ ...kept, flags: 1 }, out)).toMatchObject({
      message:
        "sum_unused: is set, but sum is a checksum here ((flags & 1) == 1), so it keeps nothing",
    });
  });
});
