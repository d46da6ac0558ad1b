/**
 * Nested flags words (`nested: true`, issue 15, item 7): the word is one
 * property holding an object of its bits and its unknown bits, so bit names
 * have a namespace of their own (a bit and a field may both be `extra`), the
 * word is its stored integer in expressions, and it may have an `if`. The
 * bytes below are worked out by hand from the schema.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: nestedflags
endian: little
root: Top
types:
  Top:
    record:
      - name: mode
        type: u16
        nested: true
        flags:
          - { bit: 0, name: x }
          - { bit: 1, name: w }
          - { bit: 2, name: extra, default: false }
        unknown: other
      - { name: extra, type: u8, if: (mode & 4) != 0 }
      - name: big
        type: u64
        nested: true
        flags: [{ bit: 0, name: a }, { bit: 40, name: b }]
        unknown: rest
      - name: opt
        type: u8
        nested: true
        if: mode != 0
        absent: omit
        flags: [{ bit: 7, name: top }]
        unknown: low
      - name: g
        group: G
        fields:
          - { name: inner, type: u8, nested: true, flags: [{ bit: 0, name: on }], unknown: unknown }
`;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
  compare(a: unknown, b: unknown): number;
  toString(value: unknown): string;
  fromString(text: string): unknown;
}

let modules: SchemaModules;
let codec: Codec;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/nestedflags.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const message = (r: unknown): string =>
  typeof r === "object" && r !== null && "message" in r ? String(r.message) : "";

// mode 0x0105 (x, extra, other 0x100); extra 42, there because bit 2 of mode is set;
// big 0x8000010000000001 (a, b at bit 40, rest bit 63); opt 0x81 (top, low 1),
// there because mode != 0; g.inner 0x03 (on, unknown 2).
const BYTES = [0x05, 0x01, 42, 0x01, 0, 0, 0, 0, 0x01, 0, 0x80, 0x81, 0x03];
const VALUE = {
  mode: { x: true, w: false, extra: true, other: 0x100 },
  extra: 42,
  big: { a: true, b: true, rest: 0x8000000000000000n },
  opt: { top: true, low: 1 },
  g: { inner: { on: true, unknown: 2 } },
};

test("read gives each word as an object of its bits, and the word decides what follows", () => {
  expect(codec.read(Uint8Array.from(BYTES))).toEqual({ value: VALUE, end: 13 });
  // mode 0: no extra, no opt.
  expect(codec.read(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))).toEqual({
    value: {
      mode: { x: false, w: false, extra: false, other: 0 },
      big: { a: false, b: false, rest: 0n },
      g: { inner: { on: false, unknown: 0 } },
    },
    end: 11,
  });
});

test("write gives the bytes back, and refuses unknown bits that have a name", () => {
  const buf = new Uint8Array(13).fill(0xa5);
  expect(codec.sizeof(VALUE)).toBe(13);
  expect(codec.write(VALUE, buf)).toBe(13);
  expect([...buf]).toEqual(BYTES);
  const untouched = new Uint8Array(13).fill(0xa5);
  const named = { ...VALUE, mode: { ...VALUE.mode, other: 0x104 } };
  expect(message(codec.write(named, untouched))).toBe(
    "mode.other: sets a bit that has a name; set its boolean property instead",
  );
  const bigNamed = { ...VALUE, big: { ...VALUE.big, rest: 1n << 40n } };
  expect(message(codec.write(bigNamed, untouched))).toBe(
    "big.rest: sets a bit that has a name; set its boolean property instead",
  );
  expect(message(codec.write({ ...VALUE, g: { inner: { on: 1, unknown: 0 } } }, untouched))).toBe(
    "g.inner.on: expected true or false, got 1",
  );
  // The word's conditions are checked on the word written: bit 2 clear, so no extra.
  const noExtra = { ...VALUE, mode: { ...VALUE.mode, extra: false } };
  expect(message(codec.write(noExtra, untouched))).toBe(
    "extra: must be absent unless (mode & 4) != 0",
  );
  const { opt: _opt, ...withoutOpt } = VALUE;
  expect(message(codec.write(withoutOpt, untouched))).toBe("opt: is required when mode != 0");
  expect([...untouched]).toEqual(new Array(13).fill(0xa5));
});

test("S-expressions nest the bits; compare orders them bit by bit", () => {
  const text = codec.toString(VALUE);
  expect(text).toContain("(mode ((x true) (w false) (extra true) (other 256)))");
  expect(text).toContain("(opt ((top true) (low 1)))");
  expect(text).toContain("(g ((inner ((on true) (unknown 2)))))");
  expect(codec.fromString(text)).toEqual(VALUE);
  const w = { ...VALUE, mode: { ...VALUE.mode, w: true } };
  expect(codec.compare(VALUE, w)).toBeLessThan(0);
  expect(codec.compare(w, VALUE)).toBeGreaterThan(0);
  expect(codec.compare(VALUE, structuredClone(VALUE))).toBe(0);
});
