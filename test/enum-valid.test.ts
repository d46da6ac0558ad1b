/**
 * `valid` on an integer enum field (issue 15, item 7b): the check sees the
 * stored number, so a schema can allow only some of an enum's values; read
 * refuses the others at their byte, and write refuses them with the buffer
 * untouched, though both know the name. Expressions name the values
 * (`kind != Reserved`, `if: kind == Large`, a parameter `k != Small`), each
 * the stored number it stands for.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: enumvalid
endian: little
root: Top
types:
  Kind:
    enum: u16
    open: true
    values: { None: 0, Small: 1, Large: 2, Reserved: 3 }
  Top:
    record:
      - { name: n, type: u8 }
      - name: kind
        type: Kind
        valid:
          - { check: kind != Reserved, message: "Reserved (3) is not written by any version" }
          - { check: kind < 100 || n == 0, message: "values from 100 only with n = 0" }
      - { name: extra, type: u16, if: kind == Large }
      - { name: tail, type: Tail, args: { k: kind } }
  Tail:
    params: [{ name: k, type: Kind }]
    record:
      - { name: size_byte, type: u8, if: Small != k && k <= Large }
`;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
}

let modules: SchemaModules;
let codec: Codec;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/enumvalid.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const message = (r: unknown): string =>
  typeof r === "object" && r !== null && "message" in r ? String(r.message) : "";

test("read accepts the allowed values and refuses the others at their byte", () => {
  // n = 7, kind = Large (2, u16 little-endian), extra = 0x1234 (kind == Large),
  // tail.size_byte = 9 (k is Large: not Small, and at most Large).
  expect(codec.read(Uint8Array.of(7, 2, 0, 0x34, 0x12, 9))).toEqual({
    value: { n: 7, kind: "Large", extra: 0x1234, tail: { size_byte: 9 } },
    end: 6,
  });
  // kind = Small: no extra, no size_byte.
  expect(codec.read(Uint8Array.of(7, 1, 0))).toEqual({
    value: { n: 7, kind: "Small", tail: {} },
    end: 3,
  });
  expect(message(codec.read(Uint8Array.of(7, 3, 0)))).toBe(
    "kind at byte 1: is 3: Reserved (3) is not written by any version",
  );
  // An unknown value of an open enum is checked as its number too.
  expect(codec.read(Uint8Array.of(0, 200, 0))).toEqual({
    value: { n: 0, kind: { unknown: 200 }, tail: {} },
    end: 3,
  });
  expect(message(codec.read(Uint8Array.of(1, 200, 0)))).toBe(
    "kind at byte 1: is 200: values from 100 only with n = 0",
  );
});

test("write refuses a value the checks exclude and leaves the buffer untouched", () => {
  const buf = new Uint8Array(3).fill(0xa5);
  expect(message(codec.write({ n: 1, kind: "Reserved", tail: {} }, buf))).toBe(
    'kind: is "Reserved": Reserved (3) is not written by any version',
  );
  expect(message(codec.write({ n: 1, kind: { unknown: 200 }, tail: {} }, buf))).toContain(
    "values from 100 only with n = 0",
  );
  expect([...buf]).toEqual([0xa5, 0xa5, 0xa5]);
  expect(codec.write({ n: 0, kind: { unknown: 200 }, tail: {} }, buf)).toBe(3);
  expect([...buf]).toEqual([0, 200, 0]);
});

test("write stores the fields an enum name's condition asks for, and requires them", () => {
  const buf = new Uint8Array(6).fill(0xa5);
  expect(message(codec.write({ n: 7, kind: "Large", tail: { size_byte: 9 } }, buf))).toBe(
    "extra: is required when kind == Large",
  );
  expect(message(codec.write({ n: 7, kind: "Small", tail: { size_byte: 9 } }, buf))).toBe(
    "tail.size_byte: must be absent unless Small != k && k <= Large",
  );
  expect([...buf]).toEqual([0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5]);
  expect(codec.write({ n: 7, kind: "Large", extra: 0x1234, tail: { size_byte: 9 } }, buf)).toBe(6);
  expect([...buf]).toEqual([7, 2, 0, 0x34, 0x12, 9]);
});
