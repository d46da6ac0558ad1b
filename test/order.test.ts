/**
 * generator/order.ts: the constructor order compare uses, and the code the
 * compare emitter makes of it.
 */
import { describe, expect, test } from "vitest";
import { generate } from "../generator/generate.js";
import { constructorRanks, hashClash, ocamlVariantHash } from "../generator/order.js";

describe("ocamlVariantHash is OCaml's hash of a polymorphic variant name", () => {
  test.each([
    // Small enough to work out by hand: 65; 223 * 65 + 66.
    ["A", 65],
    ["AB", 14561],
    // The qcow library's names, as the compare vectors confirm (test/qcow2-compare.test.ts).
    ["None", 870530776],
    ["Aes", 3255023],
    ["Dirty", -318914574],
    ["Corrupt", 857522093],
    ["Lazy_refcounts", 835699628],
  ])("%s is %i", (name, hash) => expect(ocamlVariantHash(name)).toBe(hash));

  test("is a signed 31-bit integer", () => {
    for (const name of ["Incompatible", "Backing_file", "Feature_name_table", "Z".repeat(40)]) {
      const h = ocamlVariantHash(name);
      expect(Number.isInteger(h) && h >= -(2 ** 30) && h < 2 ** 30).toBe(true);
    }
  });

  test("hashClash finds two names with one hash", () => {
    expect(hashClash(["Vhf_nx_3", "Other", "VbCXn4t6"])).toEqual({
      name: "VbCXn4t6",
      earlier: "Vhf_nx_3",
    });
    expect(hashClash(["None", "Aes"])).toBeUndefined();
  });
});

describe("constructorRanks", () => {
  const cs = [
    { name: "None", hasArguments: false },
    { name: "Wrapped", hasArguments: true },
    { name: "Aes", hasArguments: false },
  ];
  test("declared: constructors without arguments first, each group in schema order", () => {
    expect(constructorRanks(cs, "declared")).toEqual([0, 2, 1]);
  });
  test("hash: constructors without arguments first, each group by hash", () => {
    expect(constructorRanks(cs, "hash")).toEqual([1, 2, 0]);
  });
});

describe("the emitted compare follows the type's order", () => {
  const schema = (order: string): string => `
format: t
root: Top
types:
  Colour: { enum: u8, order: ${order}, values: { None: 0, Aes: 1 } }
  Item:
    union: { tag: u8, length: u8, end: 0 }
    order: ${order}
    variants:
      - { name: Data, tag: 1, fields: [{ name: data, type: bytes }] }
      - { name: Empty, tag: 2, fields: [] }
  Top:
    record:
      - { name: colour, type: Colour }
      - { name: items, type: "Item[]" }
`;
  test.each([
    ["declared", "None", 0, "Aes", 1],
    ["hash", "None", 1, "Aes", 0],
  ])("order: %s", async (order, first, firstRank, second, secondRank) => {
    const result = await generate("t.yaml", schema(order));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const text = result.files[0].text;
    expect(text).toContain(`case "${first}":\n      return ${firstRank};`);
    expect(text).toContain(`case "${second}":\n      return ${secondRank};`);
    // The field-less variant comes first under either order.
    expect(text).toContain('ItemRank: Record<Item["kind"], number> = { Data: 1, Empty: 0 }');
  });
});
