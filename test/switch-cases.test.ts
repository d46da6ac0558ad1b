/**
 * `switch` cases with fields of their own, and a default case. Checked
 * against bytes worked out by hand: an integer every case has is one
 * property of the widest width that later members use; a field only some
 * cases have is a property present exactly when one of them is selected
 * (checked on write, with each case's own `valid`); the default case takes
 * any value no other case is for.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: choice
endian: little
root: Msg
types:
  Kind:
    enum: u8
    open: true
    values: { Ping: 1, Data: 2, Pair: 3 }
  Msg:
    record:
      - { name: kind, type: Kind }
      - switch: kind
        cases:
          - when: Ping
            fields:
              - { name: id, type: u16 }
              - { name: stamp, type: u32 }
          - when: Data
            fields:
              - { name: id, type: u32 }
              - name: length
                type: u8
                valid: [{ check: length <= 4, message: at most 4 in a Data message }]
              - { name: label, type: string, size: 4 }
          - when: Pair
            fields:
              - { name: id, type: u8 }
              - { name: length, type: u8 }
              - { name: label, type: string, size: 4 }
          - default: true
            fields: [{ name: id, type: u8 }, { padding: 1 }]
      - { name: extra, type: u8, if: id >= 7 }
`;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
  toString(value: unknown): string;
  fromString(text: string): unknown;
  compare(a: unknown, b: unknown): number;
}

let modules: SchemaModules;
let codec: Codec;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/choice.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const absent = { stamp: undefined, length: undefined, label: undefined, extra: undefined };
/** Each case: its bytes, and the value they hold. */
const CASES = [
  {
    name: "Ping: a u16 id and a stamp",
    bytes: [0x01, 0x05, 0x00, 0x78, 0x56, 0x34, 0x12],
    value: { ...absent, kind: "Ping", id: 5, stamp: 0x12345678 },
  },
  {
    name: "Data: a u32 id (7, so the extra byte follows), a length and a label",
    bytes: [0x02, 0x07, 0x00, 0x00, 0x00, 0x03, 0x61, 0x62, 0x63, 0x00, 0xee],
    value: { ...absent, kind: "Data", id: 7, length: 3, label: "abc", extra: 0xee },
  },
  {
    name: "Pair: a u8 id, and the length and label Data has too",
    bytes: [0x03, 0x09, 0x05, 0x78, 0x79, 0x00, 0x00, 0x11],
    value: { ...absent, kind: "Pair", id: 9, length: 5, label: "xy", extra: 0x11 },
  },
  {
    name: "any other kind: the default case, a u8 id and a zero byte",
    bytes: [0x2a, 0x01, 0x00],
    value: { ...absent, kind: { unknown: 42 }, id: 1 },
  },
] as const;

describe("switch cases with fields of their own", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  for (const c of CASES) {
    test(`${c.name}: reads, sizes and writes back byte for byte`, () => {
      const read = codec.read(new Uint8Array(c.bytes));
      expect(read).toEqual({ value: c.value, end: c.bytes.length });
      expect(codec.sizeof(c.value)).toBe(c.bytes.length);
      const buf = new Uint8Array(c.bytes.length);
      expect(codec.write(c.value, buf)).toBe(c.bytes.length);
      expect([...buf]).toEqual(c.bytes);
      const text = codec.toString(c.value);
      expect(codec.compare(codec.fromString(text), c.value)).toBe(0);
    });
  }

  test("read refuses a case's bytes cut short, and a default case's padding that is not zero", () => {
    const cut = codec.read(new Uint8Array([0x01, 0x05, 0x00, 0x78]));
    expect(modules.isError(cut) && cut.message).toBe(
      "stamp at byte 3: truncated: needs 4 bytes, only 1 left",
    );
    const padded = codec.read(new Uint8Array([0x2a, 0x01, 0x01]));
    expect(modules.isError(padded) && padded.message).toBe(
      "padding at byte 2: expected zero padding, got 0x01",
    );
  });

  test("write refuses a field the selected case lacks or needs, or that breaks its own check", () => {
    const [ping, data, pair, other] = CASES.map((c) => c.value);
    const buf = new Uint8Array(16).fill(7);
    for (const [bad, message] of [
      [{ ...data, stamp: 1 }, "stamp: must be absent when kind is Data"],
      [{ ...ping, stamp: undefined }, "stamp: is required when kind is Ping"],
      [{ ...other, label: "a" }, "label: must be absent when kind is 42"],
      [{ ...data, length: 5 }, "length: is 5: at most 4 in a Data message"],
      [{ ...ping, id: 65536 }, "id: expected an integer from 0 to 65535 (kind is Ping), got 65536"],
      [{ ...pair, label: "abcde" }, /^label: expected/],
    ] as const) {
      const r = codec.write(bad, buf);
      if (typeof message === "string") expect(modules.isError(r) && r.message).toBe(message);
      else expect(modules.isError(r) && r.message).toMatch(message);
    }
    expect(buf.every((b) => b === 7)).toBe(true);
  });
});
