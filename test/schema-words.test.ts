/**
 * Names YAML reads as something else: `Null`, `NULL`, `True`, `FALSE` (a
 * null and booleans to YAML's core schema) as enum values, variants and a
 * type, and `true`, `false`, `null` as field and flag names, written plainly
 * as keys and as `name:` values. The schema means the names it spells: the
 * module compiles under the strictest settings, and values round-trip with
 * those names. (Keys that cannot be names are golden errors:
 * test/schema-errors/key-words.yaml, key-not-word.yaml.)
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const SCHEMA = `format: words
root: Root
types:
  Answer:
    enum: u8
    values:
      Null: 0
      NULL: 1
      True: 2
      FALSE: { value: 3, doc: Off }
  Null:
    union: { tag: u8, length: u8, end: 0 }
    variants:
      - { name: Null, tag: 1, fields: [{ name: null, type: u8 }] }
      - { name: True, tag: 2, fields: [] }
  Root:
    record:
      - { name: answer, type: Answer }
      - { name: true, type: u8 }
      - name: bits
        type: u8
        flags:
          - { bit: 0, name: false }
          - { bit: 1, name: null }
        unknown: bits_unknown
      - { name: n, type: u8, if: true > 3 }
      - { name: list, type: "Null[]" }
`;

interface Codec {
  read(buf: Uint8Array): { value: unknown; end: number };
  write(value: unknown, buf: Uint8Array): number;
  sizeof(value: unknown): number;
  toMachineString(value: unknown): string;
  fromString(text: string): unknown;
}

let modules: SchemaModules;
beforeAll(async () => {
  modules = await generateSchemas([{ name: "words.yaml", text: SCHEMA }]);
}, 120_000);
afterAll(async () => {
  await modules?.remove();
});

describe("names YAML would read as null, booleans or numbers", () => {
  test("are the names they spell, and the module compiles under the strictest settings", () => {
    const { model } = modules.schemas[0]!;
    const answer = model.types.find((t) => t.name === "Answer");
    expect(answer?.kind === "enum" ? answer.values.map((v) => v.name) : []).toEqual([
      "Null",
      "NULL",
      "True",
      "FALSE",
    ]);
    expect(model.types.map((t) => t.name)).toContain("Null");
    expect(modules.typeErrors()).toEqual([]);
  }, 120_000);

  test("values with those names round-trip through bytes and S-expressions", async () => {
    const codec = (await modules.load(modules.schemas[0]!)) as unknown as Codec;
    const value = {
      answer: "FALSE",
      true: 7,
      false: true,
      null: false,
      bits_unknown: 0x80,
      n: 9,
      list: [{ kind: "Null", null: 5 }, { kind: "True" }],
    };
    const buf = new Uint8Array(codec.sizeof(value));
    expect(codec.write(value, buf)).toBe(buf.length);
    expect([...buf]).toEqual([3, 7, 0x81, 9, 1, 1, 5, 2, 0, 0, 0]);
    expect(codec.read(buf)).toEqual({ value, end: buf.length });
    const text = codec.toMachineString(value);
    expect(text).toContain("(answer FALSE)");
    expect(codec.fromString(text)).toEqual(value);
  });
});
