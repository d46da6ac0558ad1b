/**
 * Members laid out in the byte order a `byte_order` member chooses at run
 * time, as ELF's are in the file's own order: flags words of 16, 32 and 64
 * bits, flattened and nested; constants; and a checksum. Checked in both
 * orders against bytes worked out by hand, in read, write, sizeof and
 * S-expressions.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  expectRoundTrip,
  generateSchemas,
  loadRootCodec,
  type RootCodec,
  type SchemaModules,
} from "./support/schema-modules.js";

const SCHEMA = `
format: orderflags
endian: big
root: Header
types:
  Header:
    record:
      - { name: data, type: u8 }
      - { byte_order: data, little: 1, big: 2 }
      - name: mode
        type: u16
        flags: [{ bit: 0, name: x }, { bit: 9, name: high_bit }]
        unknown: mode_unknown
      - name: perms
        type: u32
        nested: true
        flags: [{ bit: 1, name: w }, { bit: 31, name: top }]
        unknown: rest
      - name: wide
        type: u64
        flags: [{ bit: 2, name: exec }, { bit: 40, name: far }, { bit: 63, name: last }]
        unknown: wide_unknown
      - name: huge
        type: u64
        nested: true
        flags: [{ bit: 0, name: lo }, { bit: 33, name: hi }]
        unknown: other
`;

const CONSTANTS = `
format: orderconst
endian: big
root: Header
types:
  Header:
    record:
      - { name: data, type: u8 }
      - { byte_order: data, little: 1, big: 2 }
      - { name: version, type: u32, const: 1 }
      - { name: wide, type: u64, const: 0x010203040506 }
      - { name: body, type: u16 }
      - { name: crc, type: u32, checksum: crc32, covers: before }
`;

// Bit field words, whose parts run from the first byte: up from bit 0 in a
// little-endian input, down from the top bit in a big-endian one.
const BITS = `
format: orderbits
endian: big
root: Header
types:
  Header:
    record:
      - { name: data, type: u8 }
      - { byte_order: data, little: 1, big: 2 }
      - name: date
        type: u16
        bitfield: [{ name: day, bits: 5 }, { name: month, bits: 4 }, { name: year, bits: 7 }]
      - { name: word, type: u32, bitfield: [{ name: low, bits: 12 }, { name: high, bits: 20 }] }
      - { name: byte, type: u8, bitfield: [{ name: top, bits: 3 }, { name: rest, bits: 5 }] }
`;

// Words of 3, 5 and 8 bytes, read in two halves or joined from bytes, with parts over 32 bits.
const WIDE = `
format: orderwide
endian: little
root: Rec
types:
  Rec:
    record:
      - { name: data, type: u8 }
      - { byte_order: data, little: 1, big: 2 }
      - name: addr
        type: u24
        bitfield: [{ name: page, bits: 6 }, { name: offset, bits: 10 }, { name: flags, bits: 8 }]
      - { name: info, type: u64, bitfield: [{ name: rtype, bits: 32 }, { name: sym, bits: 32 }] }
      - { name: stamp, type: u40, bitfield: [{ name: ticks, bits: 36 }, { name: kind, bits: 4 }] }
      - name: split
        type: u64
        bitfield: [{ name: a, bits: 20 }, { name: b, bits: 24 }, { name: c, bits: 20 }]
`;

let modules: SchemaModules;
let codec: RootCodec;
let constants: RootCodec;
let bits: RootCodec;
let wide: RootCodec;

beforeAll(async () => {
  modules = await generateSchemas([
    { name: "test/orderflags.yaml", text: SCHEMA },
    { name: "test/orderconst.yaml", text: CONSTANTS },
    { name: "test/orderbits.yaml", text: BITS },
    { name: "test/orderwide.yaml", text: WIDE },
  ]);
  wide = await loadRootCodec(modules, modules.schemas[3]!);
  codec = await loadRootCodec(modules, modules.schemas[0]!);
  constants = await loadRootCodec(modules, modules.schemas[1]!);
  bits = await loadRootCodec(modules, modules.schemas[2]!);
}, 120_000);

/** CRC-32 (zlib's) bit by bit: a reference apart from the runtime's tables. */
function crc32(bytes: readonly number[]): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A 32-bit value's bytes, little- or big-endian. */
const u32 = (v: number, little: boolean): number[] => {
  const be = [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return little ? be.reverse() : be;
};

afterAll(async () => {
  await modules?.remove();
});

const value = (data: number): Record<string, unknown> => ({
  data,
  x: true,
  high_bit: true,
  mode_unknown: 0x10, // word 0x0211
  perms: { w: true, top: true, rest: 0xff0000 }, // word 0x80ff0002
  exec: true,
  far: true,
  last: false,
  wide_unknown: 0x2_0000_0100n, // word 0x0000_0102_0000_0104
  huge: { lo: false, hi: true, other: 0x8000_0000_0000_0010n }, // word 0x8000_0002_0000_0010
});

const CASES = [
  {
    name: "little-endian (data 1)",
    value: value(1),
    bytes: [
      1, 0x11, 0x02, 0x02, 0x00, 0xff, 0x80, 0x04, 0x01, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x10,
      0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x80,
    ],
  },
  {
    name: "big-endian (data 2)",
    value: value(2),
    bytes: [
      2, 0x02, 0x11, 0x80, 0xff, 0x00, 0x02, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x01, 0x04, 0x80,
      0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x10,
    ],
  },
];

describe("flags words in a byte order chosen at run time", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test.each(CASES)("$name: read, sizeof, write and S-expressions agree", ({ value, bytes }) => {
    expectRoundTrip(codec, value, bytes);
  });

  test("write refuses unknown bits that have a name, in either order, leaving the buffer untouched", () => {
    for (const data of [1, 2]) {
      const buf = new Uint8Array(32).fill(7);
      const named = codec.write({ ...value(data), wide_unknown: 1n << 40n }, buf);
      expect(modules.isError(named) && named.message).toBe(
        "wide_unknown: sets a bit that has a name; set its boolean property instead",
      );
      const nested = codec.write(
        { ...value(data), huge: { lo: false, hi: false, other: 1n } },
        buf,
      );
      expect(modules.isError(nested) && nested.message).toBe(
        "huge.other: sets a bit that has a name; set its boolean property instead",
      );
      expect(buf.every((b) => b === 7)).toBe(true);
    }
  });

  test("read refuses a byte order that is neither, naming the field", () => {
    const bytes = new Uint8Array(CASES[0]!.bytes);
    bytes[0] = 3;
    const error = codec.read(bytes);
    expect(modules.isError(error) && error.message).toBe(
      "data at byte 0: is 3: the byte order must be 1 (little-endian) or 2 (big-endian)",
    );
  });
});

describe("constants and a checksum in a byte order chosen at run time", () => {
  const CONST_CASES = [1, 2].map((data) => {
    const little = data === 1;
    const wide = [0, 0, 1, 2, 3, 4, 5, 6];
    const before = [
      data,
      ...u32(1, little),
      ...(little ? [...wide].reverse() : wide),
      ...(little ? [0x34, 0x12] : [0x12, 0x34]),
    ];
    return {
      name: little ? "little-endian (data 1)" : "big-endian (data 2)",
      value: { data, body: 0x1234 },
      bytes: [...before, ...u32(crc32(before), little)],
    };
  });

  test.each(CONST_CASES)(
    "$name: read, sizeof, write and S-expressions agree",
    ({ value, bytes }) => {
      expectRoundTrip(constants, value, bytes);
    },
  );

  test("read refuses a constant or checksum stored in the other order, naming it", () => {
    const [little, big] = CONST_CASES;
    // The big-endian file's bytes under a little-endian flag: version reads as 0x01000000.
    const swapped = [1, ...big!.bytes.slice(1)];
    const version = constants.read(new Uint8Array(swapped));
    expect(modules.isError(version) && version.message).toBe(
      "version at byte 1: expected 0x1, got 0x01000000",
    );
    const crc = [...little!.bytes];
    crc.splice(15, 4, ...u32(crc32(little!.bytes.slice(0, 15)), false));
    const error = constants.read(new Uint8Array(crc));
    expect(modules.isError(error) && error.message).toMatch(/^crc at byte 15: is 0x/);
  });

  test("a truncated input is truncated, whatever order its constants are in", () => {
    const error = constants.read(new Uint8Array(CONST_CASES[0]!.bytes.slice(0, 7)));
    expect(modules.isError(error) && error.message).toMatch(/^wide at byte 5: truncated/);
  });
});

describe("bit fields in a byte order chosen at run time", () => {
  const value = (data: number): unknown => ({
    data,
    day: 17,
    month: 9,
    year: 45,
    low: 0xabc,
    high: 0x12345,
    top: 5,
    rest: 0x11,
  });
  const BIT_CASES = [
    {
      // date 17 | 9 << 5 | 45 << 9 = 0x5b31; word 0xabc | 0x12345 << 12; byte 5 | 0x11 << 3.
      name: "little-endian (data 1): parts up from bit 0",
      value: value(1),
      bytes: [1, 0x31, 0x5b, 0xbc, 0x5a, 0x34, 0x12, 0x8d],
    },
    {
      // date 17 << 11 | 9 << 7 | 45 = 0x8cad; word 0xabc << 20 | 0x12345; byte 5 << 5 | 0x11.
      name: "big-endian (data 2): parts down from the top bit",
      value: value(2),
      bytes: [2, 0x8c, 0xad, 0xab, 0xc1, 0x23, 0x45, 0xb1],
    },
  ];

  test.each(BIT_CASES)("$name: read, sizeof, write and S-expressions agree", ({ value, bytes }) => {
    expectRoundTrip(bits, value, bytes);
  });

  test("write refuses a part too wide for its bits, leaving the buffer untouched", () => {
    const buf = new Uint8Array(16).fill(7);
    const error = bits.write({ ...(value(2) as object), month: 16 }, buf);
    expect(modules.isError(error) && error.message).toBe(
      "month: expected an integer from 0 to 15, got 16",
    );
    expect(buf.every((b) => b === 7)).toBe(true);
  });
});

describe("bit field words of any width in a byte order chosen at run time", () => {
  /**
   * A word's bytes from its parts, worked out apart from the codec: parts up
   * from bit 0 of a little-endian word, down from the top bit of a big-endian one.
   */
  function word(bytes: number, parts: [number, bigint][], little: boolean): number[] {
    let v = 0n;
    let next = 0;
    for (const [width, part] of parts) {
      const shift = little ? next : bytes * 8 - next - width;
      v |= part << BigInt(shift);
      next += width;
    }
    const out = Array.from({ length: bytes }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    return little ? out : out.reverse();
  }
  const value = (data: number): unknown => ({
    data,
    page: 0x2a,
    offset: 0x3c5,
    flags: 0x81,
    rtype: 0x12345678,
    sym: 0xfedcba98,
    ticks: 0xa12345678n,
    kind: 0xc,
    a: 0x12345,
    b: 0xabcdef,
    c: 0xfedcb,
  });
  const stored = (little: boolean): number[] => [
    little ? 1 : 2,
    ...word(
      3,
      [
        [6, 0x2an],
        [10, 0x3c5n],
        [8, 0x81n],
      ],
      little,
    ),
    ...word(
      8,
      [
        [32, 0x12345678n],
        [32, 0xfedcba98n],
      ],
      little,
    ),
    ...word(
      5,
      [
        [36, 0xa12345678n],
        [4, 0xcn],
      ],
      little,
    ),
    ...word(
      8,
      [
        [20, 0x12345n],
        [24, 0xabcdefn],
        [20, 0xfedcbn],
      ],
      little,
    ),
  ];

  test("the reference agrees with a word worked out by hand", () => {
    // page 0x2a | offset 0x3c5 << 6 | flags 0x81 << 16 = 0x81f16a, stored 6a f1 81.
    expect(
      word(
        3,
        [
          [6, 0x2an],
          [10, 0x3c5n],
          [8, 0x81n],
        ],
        true,
      ),
    ).toEqual([0x6a, 0xf1, 0x81]);
    // page << 18 | offset << 8 | flags = 0xabc581, stored ab c5 81.
    expect(
      word(
        3,
        [
          [6, 0x2an],
          [10, 0x3c5n],
          [8, 0x81n],
        ],
        false,
      ),
    ).toEqual([0xab, 0xc5, 0x81]);
  });

  test.each([
    { order: "little-endian", little: true },
    { order: "big-endian", little: false },
  ])("$order: read, sizeof, write and S-expressions agree", ({ little }) => {
    expectRoundTrip(wide, value(little ? 1 : 2), stored(little));
  });

  test("write refuses a part too wide for its bits in either order, leaving the buffer untouched", () => {
    const buf = new Uint8Array(32).fill(7);
    for (const data of [1, 2]) {
      const error = wide.write({ ...(value(data) as object), ticks: 1n << 36n }, buf);
      expect(modules.isError(error) && error.message).toBe(
        "ticks: expected an integer from 0 to 68719476735 (a bigint), got 68719476736n",
      );
    }
    expect(buf.every((b) => b === 7)).toBe(true);
  });
});
