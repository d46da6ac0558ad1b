/**
 * Flags words in switch cases, as ELF's p_flags and sh_flags: a word every
 * case has, naming the same bits, is one property (flattened: the same
 * properties) whatever the case; each case stores it at its own width, in
 * the byte order chosen at run time, and the merged word takes the widest
 * (a 64-bit one's unknown bits are a bigint in every case). Checked
 * against bytes worked out by hand, in read, write, sizeof and
 * S-expressions, with write's width checks per case.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  expectRoundTrip,
  generateSchemas,
  loadRootCodec,
  type RootCodec,
  type SchemaModules,
} from "./support/schema-modules.js";

const BITS = "[{ bit: 0, name: x }, { bit: 1, name: w }, { bit: 2, name: r }]";
const ATTRS = "[{ bit: 0, name: write }, { bit: 1, name: alloc }, { bit: 31, name: top }]";

const SCHEMA = `
format: caseflags
endian: little
root: Entry
types:
  Entry:
    record:
      - { name: class, type: u8 }
      - { name: data, type: u8 }
      - { byte_order: data, little: 1, big: 2 }
      - switch: class
        cases:
          - when: 1
            fields:
              - { name: flags, type: u32, flags: ${BITS}, unknown: flags_unknown }
              - { name: attrs, type: u32, nested: true, flags: ${ATTRS}, unknown: other }
              - { name: size, type: u32 }
          - when: 2
            fields:
              - { name: size, type: u64 }
              - { name: flags, type: u16, flags: ${BITS}, unknown: flags_unknown }
              - { name: attrs, type: u64, nested: true, flags: ${ATTRS}, unknown: other }
      - { name: tail, type: u8 }
`;

let modules: SchemaModules;
let codec: RootCodec;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/caseflags.yaml", text: SCHEMA }]);
  codec = await loadRootCodec(modules, modules.schemas[0]!);
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const CASES = [
  {
    name: "class 1, little-endian: 32-bit words, the nested one's unknown bits widened",
    value: {
      class: 1,
      data: 1,
      x: true,
      w: false,
      r: true,
      flags_unknown: 0x100, // word 0x105
      attrs: { write: true, alloc: false, top: true, other: 0x10n }, // word 0x80000011
      size: 0x01020304n,
      tail: 0x99,
    },
    bytes: [1, 1, 0x05, 0x01, 0, 0, 0x11, 0, 0, 0x80, 0x04, 0x03, 0x02, 0x01, 0x99],
  },
  {
    name: "class 2, big-endian: a 16-bit flattened word and a 64-bit nested one",
    value: {
      class: 2,
      data: 2,
      size: 0x1_0000_0002n,
      x: false,
      w: true,
      r: false,
      flags_unknown: 0x8000, // word 0x8002
      attrs: { write: false, alloc: true, top: false, other: 0x8000_0000_0000_0100n }, // word 0x8000_0000_0000_0102
      tail: 0x42,
    },
    bytes: [2, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x80, 0x02, 0x80, 0, 0, 0, 0, 0, 0x01, 0x02, 0x42],
  },
];

describe("flags words in switch cases", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("the merged words are typed by their widest case", () => {
    const text = modules.schemas[0]!.text;
    expect(text).toMatch(/flags_unknown: number;/);
    expect(text).toMatch(/attrs: Entry_attrs;/);
    expect(text).toMatch(/export interface Entry_attrs \{[^}]*other: bigint;/s);
  });

  test.each(CASES)("$name: read, sizeof, write and S-expressions agree", ({ value, bytes }) => {
    expectRoundTrip(codec, value, bytes);
  });

  test("write checks unknown bits against the selected case's width, leaving the buffer untouched", () => {
    const [one, two] = CASES;
    const buf = new Uint8Array(32).fill(7);
    const wide = codec.write(
      { ...one!.value, attrs: { ...one!.value.attrs, other: 1n << 40n } },
      buf,
    );
    expect(modules.isError(wide) && wide.message).toBe(
      "attrs.other: expected a bigint from 0 to 4294967295 (class is 1: a 32-bit word), got 1099511627776n",
    );
    const narrow = codec.write({ ...two!.value, flags_unknown: 0x10000 }, buf);
    expect(modules.isError(narrow) && narrow.message).toBe(
      "flags_unknown: expected an integer from 0 to 65535 (class is 2: a 16-bit word), got 65536",
    );
    const named = codec.write({ ...two!.value, flags_unknown: 4 }, buf);
    expect(modules.isError(named) && named.message).toBe(
      "flags_unknown: sets a bit that has a name; set its boolean property instead",
    );
    expect(buf.every((b) => b === 7)).toBe(true);
  });

  test("read refuses a class no case is for, at the selector's own offset", () => {
    const bytes = new Uint8Array(CASES[0]!.bytes);
    bytes[0] = 3;
    const error = codec.read(bytes);
    expect(modules.isError(error) && error.message).toBe(
      "class at byte 0: is 3, which no layout is for (expected 1 or 2)",
    );
  });
});
