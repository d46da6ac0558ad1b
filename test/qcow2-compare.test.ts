/**
 * `compare` orders headers as the OCaml library's `compare` (OCaml's
 * polymorphic compare) does: checked in sign on every pair in
 * compare-header.jsonl, and on the facts that differ from schema order.
 */
import { describe, expect, test } from "vitest";
import { compare, equal, fromString, type Header } from "../generated/qcow2.js";
import { SexpError } from "../runtime/sexp-convert.js";
import { fixtureHeader, vectorLines } from "./support/fixtures.js";

interface ComparePair {
  line: number;
  a: string;
  b: string;
  sign: number;
}

const pairs: ComparePair[] = vectorLines("compare-header").map(({ line, json }) => {
  const v = json as { a: unknown; b: unknown; sign: unknown };
  if (typeof v.a !== "string" || typeof v.b !== "string" || typeof v.sign !== "number")
    throw new Error(`compare-header.jsonl line ${line} is malformed`);
  return { line, a: v.a, b: v.b, sign: v.sign };
});

function parsed(text: string, where: string): Header {
  const h = fromString(text);
  if (h instanceof SexpError) throw new Error(`${where}: ${h.message}`);
  return h;
}

describe("the OCaml library's compare vectors", () => {
  test("there are 2,000 pairs, with every sign", () => {
    expect(pairs.length).toBe(2000);
    expect(new Set(pairs.map((p) => p.sign))).toEqual(new Set([-1, 0, 1]));
  });

  test("compare has OCaml's sign on every pair, both ways round, and equal agrees", () => {
    const wrong: string[] = [];
    for (const p of pairs) {
      const a = parsed(p.a, `line ${p.line} a`);
      const b = parsed(p.b, `line ${p.line} b`);
      const [ab, ba] = [Math.sign(compare(a, b)), Math.sign(compare(b, a))];
      if (ab !== p.sign || ba !== -p.sign || equal(a, b) !== (p.sign === 0))
        wrong.push(`line ${p.line}: OCaml ${p.sign}, compare(a, b) ${ab}, compare(b, a) ${ba}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("constructors sort by OCaml's hash of their name, not in schema order", () => {
  const h = fixtureHeader("v3-default");
  const additional = h.additional!;
  const withFeatures = (...names: ("Dirty" | "Corrupt" | "Lazy_refcounts")[]): Header[] =>
    names.map((feature) => ({
      ...h,
      extensions: [
        { kind: "Feature_name_table", features: [{ ty: "Incompatible", bit: 0, feature }] },
      ],
    }));

  test("crypt_method Aes before None; version One < Two < Three (their hashes agree with schema order)", () => {
    expect(compare({ ...h, crypt_method: "Aes" }, { ...h, crypt_method: "None" })).toBeLessThan(0);
    const versions = (["Three", "One", "Two"] as const).map((version) => ({ ...h, version }));
    expect([...versions].sort(compare).map((x) => x.version)).toEqual(["One", "Two", "Three"]);
  });

  test("feature names Dirty < Lazy_refcounts < Corrupt < (Unknown name)", () => {
    const [dirty, lazy, corrupt] = withFeatures("Dirty", "Lazy_refcounts", "Corrupt");
    expect(compare(dirty, lazy)).toBeLessThan(0);
    expect(compare(lazy, corrupt)).toBeLessThan(0);
    const unknown: Header = {
      ...h,
      extensions: [
        {
          kind: "Feature_name_table",
          features: [{ ty: "Incompatible", bit: 0, feature: { unknown: "" } }],
        },
      ],
    };
    expect(compare(corrupt, unknown)).toBeLessThan(0);
  });

  test("extensions: Backing_file < Feature_name_table < Unknown, as their hashes say", () => {
    const backing: Header = { ...h, extensions: [{ kind: "Backing_file", format: "z" }] };
    const table: Header = { ...h, extensions: [{ kind: "Feature_name_table", features: [] }] };
    const unknown: Header = { ...h, extensions: [{ kind: "Unknown", type: 1, data: "" }] };
    expect(compare(backing, table)).toBeLessThan(0);
    expect(compare(table, unknown)).toBeLessThan(0);
  });

  test("records field by field, options None first, lists as a prefix first", () => {
    expect(compare({ ...h, additional: undefined }, h)).toBeLessThan(0);
    expect(compare({ ...h, version: "Two", size: 0n }, { ...h, version: "Three" })).toBeLessThan(0);
    expect(compare({ ...h, additional: { ...additional, dirty: true } }, h)).toBeGreaterThan(0);
    const one: Header = { ...h, extensions: [{ kind: "Backing_file", format: "a" }] };
    const two: Header = {
      ...h,
      extensions: [...one.extensions, { kind: "Backing_file", format: "" }],
    };
    expect(compare(one, two)).toBeLessThan(0);
    expect(compare({ ...h, extensions: [] }, one)).toBeLessThan(0);
  });
});
