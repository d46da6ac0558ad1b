/**
 * Sizes worked out on the low word of a 64-bit field (generator/emit/expr.ts,
 * `lowWordExpr`): `(8 - n % 8) % 8` of a u64 is number arithmetic on n's low
 * 32 bits, exact for every u64, including those past 2^53 where `Number(n)`
 * would round the low bits away. Checked against bytes worked out by hand,
 * for a field in a record held by a field (`head.n`) and one after a
 * member of varying size (`m`), both through the runtime's `low32`.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `
format: lowword
endian: little
root: Entry
types:
  Head:
    record:
      - { name: n, type: u64 }
  Entry:
    record:
      - { name: head, type: Head }
      - { padding: "(8 - head.n % 8) % 8" }
      - { name: m, type: u64 }
      - { padding: "m & 3" }
`;

interface Codec {
  read(buf: Uint8Array): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array): number | { message: string };
  sizeof(value: unknown): number;
}

let modules: SchemaModules;
let codec: Codec;
let source: string;

beforeAll(async () => {
  modules = await generateSchemas([{ name: "test/lowword.yaml", text: SCHEMA }]);
  codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
  source = modules.schemas[0]!.text;
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

function u64le(v: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
}

describe("sizes on a 64-bit field's low word", () => {
  // n, then (8 - n % 8) % 8 zeros, m, then m & 3 zeros.
  const cases: [bigint, number, bigint, number][] = [
    [0n, 0, 0n, 0],
    [2n ** 53n + 3n, 5, 2n ** 53n + 1n, 1],
    [2n ** 64n - 1n, 1, 2n ** 64n - 1n, 3],
    [2n ** 60n + 8n, 0, 2n ** 40n + 2n, 2],
  ];
  test.each(cases)("n = %s: %i zeros; m = %s: %i zeros", (n, pad, m, pad2) => {
    const bytes = new Uint8Array([
      ...u64le(n),
      ...new Array<number>(pad).fill(0),
      ...u64le(m),
      ...new Array<number>(pad2).fill(0),
    ]);
    const r = codec.read(bytes);
    if ("message" in r) throw new Error(r.message);
    expect(r).toEqual({ value: { head: { n }, m }, end: bytes.length });
    expect(codec.sizeof(r.value)).toBe(bytes.length);
    const out = new Uint8Array(bytes.length).fill(0xee);
    expect(codec.write(r.value, out)).toBe(bytes.length);
    expect([...out]).toEqual([...bytes]);
    // One byte short of the padding is an error, not a misread.
    expect(codec.read(bytes.subarray(0, bytes.length - 1))).toHaveProperty("message");
  });

  test("the generated code does no bigint arithmetic for them", () => {
    expect(source).toContain("low32(");
    expect(source).not.toMatch(/%\s*8n|&\s*3n/);
  });
});
