/**
 * Arrays sized in bytes (`type: "Entry[]", size: EXPR`): records of any
 * size back to back, filling exactly that many bytes, as ISO 9660's path
 * table fills `path_table_size`. Checked against bytes worked out by hand:
 * read stops where the bytes end and refuses an entry that runs past them;
 * write refuses entries whose sizes do not add up, leaving the buffer
 * untouched.
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
format: sized
endian: little
root: Table
types:
  Entry:
    params: [{ name: order, type: u8 }]
    record:
      - { byte_order: order, little: 1, big: 2 }
      - { name: name_length, type: u8, value: size(name) }
      - { name: parent, type: u16 }
      - { name: name, type: bytes, size: name_length }
      - { padding: name_length % 2 }
  Table:
    record:
      - { name: total, type: u16 }
      - { name: entries, type: "Entry[]", size: total, args: { order: 2 } }
      - { name: tail, type: u8 }
`;

// The size computed from the entries (`value: size(F)`), as a TLV list's length is.
const COMPUTED = `
format: computed
endian: big
root: Message
types:
  Option:
    record:
      - { name: kind, type: u8 }
      - { name: length, type: u8, value: size(data) }
      - { name: data, type: bytes, size: length }
  Message:
    record:
      - { name: options_length, type: u16, value: size(options) }
      - { name: options, type: "Option[]", size: options_length }
      - { name: payload, type: bytes }
`;

// size(F) of records with parameters, the argument a field between the size and the array.
const WITH_ARGS = `
format: withargs
endian: little
root: Table
types:
  Entry:
    params: [{ name: order, type: u8 }]
    record:
      - { byte_order: order, little: 1, big: 2 }
      - { name: name_length, type: u8, value: size(name) }
      - { name: parent, type: u16 }
      - { name: name, type: bytes, size: name_length }
      - { padding: name_length % 2 }
  Table:
    record:
      - { name: total, type: u16, value: size(entries) }
      - { name: order, type: u8 }
      - { name: entries, type: "Entry[]", size: total, args: { order: order } }
`;

let modules: SchemaModules;
let codec: RootCodec;
let computed: RootCodec;
let withArgs: RootCodec;

beforeAll(async () => {
  modules = await generateSchemas([
    { name: "test/sized.yaml", text: SCHEMA },
    { name: "test/computed.yaml", text: COMPUTED },
    { name: "test/withargs.yaml", text: WITH_ARGS },
  ]);
  codec = await loadRootCodec(modules, modules.schemas[0]!);
  computed = await loadRootCodec(modules, modules.schemas[1]!);
  withArgs = await loadRootCodec(modules, modules.schemas[2]!);
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const value = {
  total: 10,
  entries: [
    { parent: 1, name: "A" },
    { parent: 1, name: "BC" },
  ],
  tail: 0x99,
};
// total 10 (little-endian), then two big-endian entries: a 1-byte name and its pad byte, a 2-byte name.
const bytes = [10, 0, 1, 0, 1, 0x41, 0, 2, 0, 1, 0x42, 0x43, 0x99];

describe("arrays sized in bytes", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("read, sizeof, write and S-expressions agree", () => {
    expectRoundTrip(codec, value, bytes);
    // No entries in no bytes.
    expect(codec.read(new Uint8Array([0, 0, 7]))).toEqual({
      value: { total: 0, entries: [], tail: 7 },
      end: 3,
    });
  });

  test("read refuses an entry that runs past the size, naming it", () => {
    const short = [...bytes];
    short[0] = 9; // the second entry's last name byte is past the 9 bytes
    const error = codec.read(new Uint8Array(short));
    expect(modules.isError(error) && error.message).toMatch(
      /^entries\[1\]\.name at byte 10: truncated/,
    );
    const past = codec.read(new Uint8Array([20, 0, 1, 0, 1, 0x41, 0]));
    expect(modules.isError(past) && past.message).toMatch(/^entries at byte 2: truncated/);
  });

  test("write refuses entries whose sizes do not add up to the size, leaving the buffer untouched", () => {
    const buf = new Uint8Array(32).fill(7);
    const error = codec.write({ ...value, total: 12 }, buf);
    expect(modules.isError(error) && error.message).toBe(
      "entries: takes 10 bytes, but total is 12",
    );
    const more = codec.write(
      { ...value, entries: [...value.entries, { parent: 2, name: "D" }] },
      buf,
    );
    expect(modules.isError(more) && more.message).toBe("entries: takes 15 bytes, but total is 10");
    expect(buf.every((b) => b === 7)).toBe(true);
  });
});

describe("arrays sized in bytes by a computed size(F)", () => {
  const message = {
    options: [
      { kind: 1, data: "ab" },
      { kind: 7, data: "" },
    ],
    payload: "xyz",
  };
  // options_length 6 (big-endian), then kind, length, data for each option, then the payload.
  const stored = [0, 6, 1, 2, 0x61, 0x62, 7, 0, 0x78, 0x79, 0x7a];

  test("write stores the entries' size, and read reads them by it", () => {
    expect(computed.sizeof(message)).toBe(stored.length);
    const buf = new Uint8Array(stored.length);
    expect(computed.write(message, buf)).toBe(stored.length);
    expect([...buf]).toEqual(stored);
    expect(computed.read(new Uint8Array(stored))).toEqual({ value: message, end: stored.length });
  });

  test("a stored size that ends inside an entry is a read error naming it", () => {
    const cut = [...stored];
    cut[1] = 5;
    const error = computed.read(new Uint8Array(cut));
    expect(modules.isError(error) && error.message).toMatch(
      /^options\[1\]\.length at byte 7: truncated/,
    );
  });
});

describe("a computed size(F) of records with parameters", () => {
  const table = (order: number): unknown => ({
    order,
    entries: [
      { parent: 0x0102, name: "A" },
      { parent: 3, name: "BC" },
    ],
  });
  // total 10 (little-endian), the order, then the entries in that order: 5 bytes each.
  const CASES = [
    { order: 1, stored: [10, 0, 1, 1, 0x02, 0x01, 0x41, 0, 2, 3, 0, 0x42, 0x43] },
    { order: 2, stored: [10, 0, 2, 1, 0x01, 0x02, 0x41, 0, 2, 0, 3, 0x42, 0x43] },
  ];

  test.each(CASES)(
    "order $order: write stores the entries' size, measured with their arguments",
    ({ order, stored }) => {
      const value = table(order);
      expect(withArgs.sizeof(value)).toBe(stored.length);
      const buf = new Uint8Array(stored.length);
      expect(withArgs.write(value, buf)).toBe(stored.length);
      expect([...buf]).toEqual(stored);
      expect(withArgs.read(new Uint8Array(stored))).toEqual({ value, end: stored.length });
    },
  );

  test("the module measures them with a loop of its own, not a closure", () => {
    const text = modules.schemas[2]!.text;
    expect(text).toContain(
      "function sizeofEachEntry(list: readonly Entry[], orderParam: number): number",
    );
    expect(text).toContain("sizeofEachEntry(value.entries, value.order)");
  });
});
