/**
 * Combinations the random-schema property test (random-schemas.test.ts)
 * found generated wrongly, each as a minimal schema: all compile under the
 * strictest settings together, and each is checked against bytes worked out
 * by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

/** A computed offset after a switch on a parameter: its size depends on the parameter. */
const OFFSET_AFTER_SWITCH = `
format: offset_after_switch
endian: big
root: Root
types:
  Inner:
    params:
      - { name: width, type: u8 }
    record:
      - { name: off, type: u16, value: offset(after) }
      - switch: width
        cases:
          - when: 1
            fields:
              - { name: a, type: u16 }
          - when: 2
            fields:
              - { name: a, type: u32 }
      - { name: after, type: u8 }
  Root:
    record:
      - { name: width, type: u8 }
      - { name: inner, type: Inner, args: { width: width } }
`;

/** Signed fields whose widths differ by case: a negative value fits the narrow case too. */
const SIGNED_SWITCH = `
format: signed_switch
endian: little
root: Root
types:
  Root:
    record:
      - { name: kind, type: u8 }
      - switch: kind
        cases:
          - when: 1
            fields:
              - { name: wide, type: i16 }
              - { name: narrow, type: i8 }
          - when: 2
            fields:
              - { name: narrow, type: i16 }
              - { name: wide, type: i64 }
`;

/** A byte order no integer after it uses: all have an endian of their own. */
const UNUSED_BYTE_ORDER = `
format: unused_byte_order
endian: big
root: Root
types:
  Root:
    record:
      - { name: order, type: u8 }
      - { byte_order: order, little: 1, big: 2 }
      - { name: sig, magic: "OK" }
      - { name: n, type: u16, endian: little }
`;

/** A strided array of a literal count (compared with zero in the generated checks). */
const LITERAL_COUNT_STRIDE = `
format: literal_count_stride
endian: big
root: Root
types:
  Pair:
    record:
      - { name: a, type: u8 }
  Root:
    record:
      - { name: pairs, type: "Pair[]", count: 2, stride: 3 }
`;

/** A closed enum a switch stores, and a selector compared again after its byte order and switch. */
const RETESTED_SELECTOR = `
format: retested_selector
endian: big
root: Root
types:
  Kind:
    enum: u8
    values: { A: 1, B: 2 }
  Root:
    record:
      - { name: sel, type: u8 }
      - { byte_order: sel, little: 1, big: 2 }
      - switch: sel
        cases:
          - when: 1
            fields:
              - { name: kind, type: Kind }
              - { name: n, type: u16 }
          - when: 2
            fields:
              - { name: n, type: u32 }
              - { name: kind, type: Kind }
          - when: 3
            fields:
              - { name: n, type: u8 }
              - { name: kind, type: Kind }
      - { name: extra, type: u8, if: "sel == 3 || sel == 200" }
`;

/** Kept union padding where no payload ever needs padding: no entry has the property. */
const KEPT_PADDING_NEVER_NEEDED = `
format: kept_padding_never_needed
endian: big
root: Root
types:
  Chunk:
    union:
      tag: u8
      length: u32
      header: [length, tag]
      align: 4
      end: 0
      padding: keep
    variants:
      - { name: Empty, tag: 1, fields: [] }
  Root:
    record:
      - { name: chunks, type: "Chunk[]" }
`;

interface Codec {
  read(
    buf: Uint8Array,
    at?: number,
  ): { value: Record<string, unknown>; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
}

let modules: SchemaModules;
const codecs = new Map<string, Codec>();

beforeAll(async () => {
  const schemas = {
    OFFSET_AFTER_SWITCH,
    SIGNED_SWITCH,
    UNUSED_BYTE_ORDER,
    LITERAL_COUNT_STRIDE,
    RETESTED_SELECTOR,
    KEPT_PADDING_NEVER_NEEDED,
  };
  modules = await generateSchemas(
    Object.entries(schemas).map(([name, text]) => ({
      name: `test/${name.toLowerCase()}.yaml`,
      text,
    })),
  );
  for (const [i, name] of Object.keys(schemas).entries())
    codecs.set(name, (await modules.load(modules.schemas[i]!)) as unknown as Codec);
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

/** Writes `value`, expects `hex`, and reads it back to `value`. */
function roundTrip(codec: Codec, value: Record<string, unknown>, hex: string): void {
  const bytes = Uint8Array.from(hex.split(" ").map((b) => parseInt(b, 16)));
  expect(codec.sizeof(value)).toBe(bytes.length);
  const buf = new Uint8Array(bytes.length);
  expect(codec.write(value, buf)).toBe(bytes.length);
  expect(buf).toEqual(bytes);
  expect(codec.read(bytes)).toEqual({ value, end: bytes.length });
}

describe("run-time layouts", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("a computed offset after a switch on a parameter counts the selected case", () => {
    const codec = codecs.get("OFFSET_AFTER_SWITCH")!;
    roundTrip(codec, { width: 1, inner: { a: 5, after: 7 } }, "01 00 04 00 05 07");
    roundTrip(codec, { width: 2, inner: { a: 5, after: 7 } }, "02 00 06 00 00 00 05 07");
    // The narrow case checks the narrow width, as a number.
    expect(codec.write({ width: 1, inner: { a: 65536, after: 7 } }, new Uint8Array(8))).toEqual(
      expect.objectContaining({ message: expect.stringContaining("from 0 to 65535 (width is 1)") }),
    );
  });

  test("a negative value fits a narrower signed case of a wider field", () => {
    const codec = codecs.get("SIGNED_SWITCH")!;
    roundTrip(codec, { kind: 1, wide: -2n, narrow: -3 }, "01 fe ff fd");
    roundTrip(codec, { kind: 2, wide: -2n, narrow: -3 }, "02 fd ff fe ff ff ff ff ff ff ff");
    expect(codec.write({ kind: 1, wide: -32769n, narrow: 0 }, new Uint8Array(8))).toEqual(
      expect.objectContaining({
        message: expect.stringContaining("a bigint from -32768 to 32767 (kind is 1)"),
      }),
    );
  });

  test("a byte order no integer uses is still checked", () => {
    const codec = codecs.get("UNUSED_BYTE_ORDER")!;
    roundTrip(codec, { order: 2, n: 0x102 }, "02 4f 4b 02 01");
    expect(codec.read(Uint8Array.of(3, 0x4f, 0x4b, 2, 1))).toEqual(
      expect.objectContaining({ message: expect.stringContaining("the byte order must be 1") }),
    );
  });

  test("a strided array of a literal count", () => {
    const codec = codecs.get("LITERAL_COUNT_STRIDE")!;
    roundTrip(codec, { pairs: [{ a: 1 }, { a: 2 }] }, "01 00 00 02 00 00");
  });

  test("a selector tested again after its byte order and switch", () => {
    const codec = codecs.get("RETESTED_SELECTOR")!;
    roundTrip(codec, { sel: 1, kind: "B", n: 0x102, extra: undefined }, "01 02 02 01");
    roundTrip(codec, { sel: 2, n: 0x1020304, kind: "A", extra: undefined }, "02 01 02 03 04 01");
    expect(codec.read(Uint8Array.of(1, 3, 2, 1))).toEqual(
      expect.objectContaining({ message: expect.stringContaining("3 is not a Kind") }),
    );
  });

  test("kept union padding no entry can need", () => {
    const codec = codecs.get("KEPT_PADDING_NEVER_NEEDED")!;
    roundTrip(codec, { chunks: [{ kind: "Empty" }] }, "00 00 00 00 01 00 00 00 00 00");
  });
});
