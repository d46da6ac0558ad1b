/**
 * A switch whose selector is a field the cases hold, read ahead (VFAT's
 * attribute byte at byte 11, after names the two layouts store
 * differently): read picks the case by the byte where every case has it,
 * write by the value's property, which the case then stores. Checked against
 * bytes worked out by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  expectRoundTrip,
  generateSchemas,
  loadRootCodec,
  type RootCodec,
  type SchemaModules,
} from "./support/schema-modules.js";

// Entries of 4 bytes up to a zero one: a part (kind 0x0f at byte 3) or a label.
const SCHEMA = `
format: ahead
endian: big
root: Dir
types:
  Dir:
    record:
      - { name: entries, type: "Entry[]", end: { zeros: 4 } }
  Entry:
    record:
      - switch: kind
        cases:
          - when: 0x0f
            fields:
              - { name: seq, type: u8 }
              - { name: part, type: bytes, size: 2 }
              - { name: kind, type: u8 }
          - default: true
            fields:
              - { name: label, type: string, size: 3, pad: space }
              - { name: kind, type: u8 }
`;

// A 16-bit selector after a 2-byte field, and no default case.
const NO_DEFAULT = `
format: nodefault
endian: little
root: Msg
types:
  Msg:
    record:
      - switch: code
        cases:
          - when: 1
            fields: [{ name: a, type: u16 }, { name: code, type: u16 }, { name: x, type: u8 }]
          - when: 0x0102
            fields: [{ name: b, type: i16 }, { name: code, type: u16 }]
`;

let modules: SchemaModules;
let dir: RootCodec;
let msg: RootCodec;

beforeAll(async () => {
  modules = await generateSchemas([
    { name: "test/ahead.yaml", text: SCHEMA },
    { name: "test/nodefault.yaml", text: NO_DEFAULT },
  ]);
  dir = await loadRootCodec(modules, modules.schemas[0]!);
  msg = await loadRootCodec(modules, modules.schemas[1]!);
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const part = { kind: 0x0f, seq: 0x41, part: "hi", label: undefined };
const label = { kind: 0x20, seq: undefined, part: undefined, label: "AB" };
// The part: seq, "hi", kind 0x0f; the label: "AB " space-padded, kind 0x20; then four zeros.
const bytes = [0x41, 0x68, 0x69, 0x0f, 0x41, 0x42, 0x20, 0x20, 0, 0, 0, 0];

function error(r: unknown): string | false {
  return modules.isError(r) && r.message;
}

describe("a switch read ahead", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("read picks each entry's case by its byte 3; sizeof, write and S-expressions agree", () => {
    expectRoundTrip(dir, { entries: [part, label] }, bytes);
    expectRoundTrip(msg, { a: 7, code: 1, x: 9, b: undefined }, [7, 0, 1, 0, 9]);
    expectRoundTrip(msg, { a: undefined, code: 0x0102, x: undefined, b: -2 }, [0xfe, 0xff, 2, 1]);
  });

  test("write picks the case by the property, and refuses properties of another case", () => {
    const buf = new Uint8Array(12).fill(7);
    // kind 0x0f is a part: a label's property must be absent, the part's there.
    expect(error(dir.write({ entries: [{ ...label, kind: 0x0f }] }, buf))).toBe(
      "entries[0].label: must be absent when kind is 15",
    );
    expect(error(dir.write({ entries: [{ ...part, kind: 0x10 }] }, buf))).toBe(
      "entries[0].seq: must be absent when kind is 16",
    );
    expect(error(msg.write({ a: 7, code: 3, x: 9, b: undefined }, buf))).toBe(
      "code: is 3, which no layout is for (expected 1 or 258)",
    );
    expect(buf.every((b) => b === 7)).toBe(true);
  });

  test("read: a selector no case is for, and input that ends before it, name the selector; the byte alone picks the case", () => {
    // The selector at bytes 2-3 (little-endian 3): no case, pointing at byte 2.
    expect(error(msg.read(new Uint8Array([7, 0, 3, 0, 9])))).toBe(
      "code at byte 2: is 3, which no layout is for (expected 1 or 258)",
    );
    expect(error(msg.read(new Uint8Array([7, 0, 1])))).toBe(
      "code at byte 0: truncated: needs 4 bytes, only 3 left",
    );
    // The same first three bytes with 0x0f after them read as a part instead.
    const other = [...bytes];
    other[7] = 0x0f;
    expect(dir.read(new Uint8Array(other))).toEqual({
      value: { entries: [part, { kind: 0x0f, seq: 0x41, part: "B ", label: undefined }] },
      end: 12,
    });
  });
});
