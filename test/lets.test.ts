/**
 * Lets and choices: `{ let: NAME, value: EXPR }` names a value worked out
 * from earlier fields, neither stored nor a property; `c ? a : b` chooses
 * between two numbers. Checked against bytes worked out by hand: a let
 * decides an array's count, a choice a byte string's size, and a bigint
 * let (from a 64-bit field) another count; and a let given as a parameter
 * that chooses a byte order, and a choice over a dotted name giving a position.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exprText, parseExpr, type Expr } from "../generator/expr.js";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: lets
endian: big
root: Packet
types:
  Item:
    record:
      - { name: v, type: u16 }
  Byte:
    record:
      - { name: b, type: u8 }
  Packet:
    record:
      - { name: kind, type: u8, doc: "1: a 4-byte name; otherwise two bytes an item, less one, and one" }
      - { name: total, type: u16, doc: "Bytes of the items, and 2" }
      - { let: items, value: total / 2 - 1, doc: How many items }
      - { let: twice, value: kind * 2 }
      - { let: unused, value: twice + 1, doc: "Used by nothing, so read does not work it out" }
      - { name: entries, type: "Item[]", count: items }
      - { name: name, type: bytes, size: "1 + (kind == 1 ? 3 : items * 2 - 1)" }
      - { name: flag, type: u8, if: items > 2, valid: [{ check: flag < items, message: must be below the item count }] }
      - { name: big, type: u64 }
      - { let: over, value: "big > 0x100000000 ? big - 0x100000000 : 0" }
      - { name: tail, type: "Byte[]", count: over }
`;

// A let gives a parameter (args), which chooses a byte order; a choice over a dotted name gives a position (at).
const PLACED = `
format: placed
endian: little
root: Top
types:
  Sub:
    params: [{ name: order, type: u8 }]
    record:
      - { byte_order: order, little: 2, big: 1 }
      - { name: x, type: u16 }
  Head:
    record:
      - { name: where, type: u8 }
  Top:
    record:
      - { name: head, type: Head }
      - { name: wide, type: u8 }
      - { let: order, value: "wide != 0 ? 2 : 1" }
      - { name: sub, type: Sub, args: { order: order } }
      - { name: far, type: u8, at: "head.where > 8 ? head.where : 8" }
`;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
}

let modules: SchemaModules;
let codec: Codec;
let placed: Codec;

beforeAll(async () => {
  modules = await generateSchemas([
    { name: "test/lets.yaml", text: SCHEMA },
    { name: "test/placed.yaml", text: PLACED },
  ]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
  placed = (await modules.load(modules.schemas[1]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

// total 8: items = 8 / 2 - 1 = 3; kind 1: the name is 1 + 3 = 4 bytes; items > 2, so flag is there;
// big = 2^32 + 2: over = 2, two Bytes.
const value = {
  kind: 1,
  total: 8,
  entries: [{ v: 1 }, { v: 2 }, { v: 3 }],
  name: "abcd",
  flag: 2,
  big: 0x100000002n,
  tail: [{ b: 7 }, { b: 8 }],
};
const bytes = [
  0x01, // kind
  0x00,
  0x08, // total
  0x00,
  0x01,
  0x00,
  0x02,
  0x00,
  0x03, // entries: items = 3 of them
  0x61,
  0x62,
  0x63,
  0x64, // name: 4 bytes
  0x02, // flag
  0x00,
  0x00,
  0x00,
  0x01,
  0x00,
  0x00,
  0x00,
  0x02, // big
  0x07,
  0x08, // tail: over = 2 of them
];

describe("lets and choices", () => {
  test("compile under the strictest settings, an unused let too", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("write: the let gives the count, the choice the size", () => {
    expect(codec.sizeof(value)).toBe(bytes.length);
    const buf = new Uint8Array(bytes.length);
    expect(codec.write(value, buf)).toBe(bytes.length);
    expect([...buf]).toEqual(bytes);
  });

  test("read: the lets are not properties of the value", () => {
    expect(codec.read(new Uint8Array(bytes))).toEqual({ value, end: bytes.length });
  });

  test("the choice's other side: kind 2 makes the name 1 + (3 * 2 - 1) = 6 bytes", () => {
    const other = { ...value, kind: 2, name: "abcdef" };
    const buf = new Uint8Array(codec.sizeof(other));
    expect(buf.length).toBe(bytes.length + 2);
    expect(codec.write(other, buf)).toBe(buf.length);
    expect([...buf.subarray(9, 15)]).toEqual([0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);
    expect(codec.read(buf)).toEqual({ value: other, end: buf.length });
  });

  test("write refuses a value that disagrees with a let, naming it, and leaves the buffer untouched", () => {
    const buf = new Uint8Array(bytes.length).fill(9);
    const short = codec.write({ ...value, entries: value.entries.slice(1) }, buf);
    expect(modules.isError(short) && short.message).toBe("entries: has 2 entries, but items is 3");
    const present = codec.write({ ...value, total: 6, entries: value.entries.slice(1) }, buf);
    expect(modules.isError(present) && present.message).toBe(
      "flag: must be absent unless items > 2",
    );
    const checked = codec.write({ ...value, flag: 3 }, buf);
    expect(modules.isError(checked) && checked.message).toBe(
      "flag: is 3: must be below the item count",
    );
    const tail = codec.write({ ...value, tail: [] }, buf);
    expect(modules.isError(tail) && tail.message).toBe("tail: has 0 entries, but over is 2");
    expect(buf.every((b) => b === 9)).toBe(true);
  });

  test("read works a let out from the bytes: a count from it that is negative is an error", () => {
    const bad = new Uint8Array(bytes);
    bad[2] = 0; // total 0: items = -1
    const error = codec.read(bad);
    expect(modules.isError(error) && error.message).toMatch(/^entries at byte 3: /);
    const checked = new Uint8Array(bytes);
    checked[13] = 3; // flag 3, not below items
    const refused = codec.read(checked);
    expect(modules.isError(refused) && refused.message).toBe(
      "flag at byte 13: is 3: must be below the item count",
    );
  });
});

describe("lets and choices in args, byte_order, at and dotted names", () => {
  test("wide 1: order 2, little-endian; where 10 puts far at byte 10", () => {
    const v = { head: { where: 10 }, wide: 1, sub: { x: 0x1234 }, far: 0x55 };
    const b = [10, 1, 0x34, 0x12, 0, 0, 0, 0, 0, 0, 0x55];
    expect(placed.sizeof(v)).toBe(b.length);
    const buf = new Uint8Array(b.length);
    expect(placed.write(v, buf)).toBe(b.length);
    expect([...buf]).toEqual(b);
    expect(placed.read(buf)).toEqual({ value: v, end: b.length });
  });

  test("wide 0: order 1, big-endian; where 3 is not past 8, so far is at byte 8", () => {
    const v = { head: { where: 3 }, wide: 0, sub: { x: 0x1234 }, far: 0x55 };
    const b = [3, 0, 0x12, 0x34, 0, 0, 0, 0, 0x55];
    expect(placed.sizeof(v)).toBe(b.length);
    const buf = new Uint8Array(b.length);
    expect(placed.write(v, buf)).toBe(b.length);
    expect([...buf]).toEqual(b);
    expect(placed.read(buf)).toEqual({ value: v, end: b.length });
  });
});

describe("the choice in the expression language", () => {
  const parsed = (text: string): Expr => {
    const e = parseExpr(text);
    if ("message" in e) throw new Error(e.message);
    return e;
  };

  test("binds looser than ||, and groups to the right", () => {
    const e = parsed("a || b ? 1 : c ? 2 : 3");
    expect(e.kind).toBe("choose");
    if (e.kind !== "choose") return;
    expect(e.cond).toMatchObject({ kind: "binary", op: "||" });
    expect(e.else).toMatchObject({ kind: "choose", cond: { kind: "ref", name: "c" } });
    expect(exprText(e)).toBe("a || b ? 1 : c ? 2 : 3");
  });

  test("prints with the parentheses its reading needs", () => {
    expect(exprText(parsed("(a ? b : c) ? 1 : 2"))).toBe("(a ? b : c) ? 1 : 2");
    expect(exprText(parsed("1 + (a ? 2 : 3)"))).toBe("1 + (a ? 2 : 3)");
    expect(exprText(parsed("a ? b ? 1 : 2 : 3"))).toBe("a ? (b ? 1 : 2) : 3");
    expect(exprText(parsed("!(a == b)"))).toBe("!(a == b)");
    // Operators group from the left: a right operand of the same precedence keeps its parentheses.
    expect(exprText(parsed("n - 33 - (1 - n % 2)"))).toBe("n - 33 - (1 - n % 2)");
    expect(exprText(parsed("(a - b) - c"))).toBe("a - b - c");
    expect(exprText(parsed("a / (b * c)"))).toBe("a / (b * c)");
  });

  test("says where the ':' is missing", () => {
    expect(parseExpr("a ? 1")).toEqual({ col: 5, message: "expected ':' of `? :`" });
  });
});
