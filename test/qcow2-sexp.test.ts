import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  compare,
  fromString,
  headerOfSexp,
  read,
  write,
  sexpOfHeader,
  toMachineString,
  toString,
  type Header,
} from "../generated/qcow2.js";
import { CodecError } from "../runtime/codec.js";
import { parseSexp } from "../runtime/sexp.js";
import { SexpError } from "../runtime/sexp-convert.js";
import { vectorLines } from "./support/fixtures.js";

interface Vector {
  input: string;
  mach: string;
  hum: string;
}

// The OCaml library's own output for 3,000 random headers (test/fixtures/vectors/).
const vectors: Vector[] = vectorLines("sexp-header").map(({ json }) => json as Vector);

function parseHeader(text: string): Header {
  const h = fromString(text);
  if (h instanceof SexpError) throw new Error(h.message);
  return h;
}

describe("the OCaml library's S-expression vectors", () => {
  test("there are 3,000 of them", () => expect(vectors.length).toBe(3000));

  test("every input prints exactly as to_string_mach and to_string_hum", () => {
    let checked = 0;
    for (const [index, v] of vectors.entries()) {
      const h = parseHeader(v.input);
      const where = `vector line ${index + 1}`;
      expect(toMachineString(h), where).toBe(v.mach);
      expect(toString(h), where).toBe(v.hum);
      checked++;
    }
    expect(checked).toBe(3000);
  });

  test("both printed forms parse back to the same value", () => {
    for (const [index, v] of vectors.entries()) {
      const h = parseHeader(v.input);
      expect(compare(parseHeader(v.mach), h), `line ${index + 1} mach`).toBe(0);
      expect(compare(parseHeader(v.hum), h), `line ${index + 1} hum`).toBe(0);
    }
  });
});

interface Spelling {
  line: number;
  input: string;
  /** OCaml's to_string_mach of what t_of_sexp made of the input; null where it raised. */
  mach: string | null;
}

// 2,000 respelled header texts and what the OCaml library's t_of_sexp made of each.
const spellings: Spelling[] = vectorLines("sexp-spellings").map(({ line, json }) => {
  const v = json as { input: unknown; mach: unknown };
  if (typeof v.input !== "string" || (typeof v.mach !== "string" && v.mach !== null))
    throw new Error(`sexp-spellings.jsonl line ${line} is malformed`);
  return { line, input: v.input, mach: v.mach };
});

describe("fromString accepts exactly the spellings t_of_sexp accepts", () => {
  test("there are 2,000, some refused by OCaml and most accepted", () => {
    expect(spellings.length).toBe(2000);
    expect(spellings.filter((s) => s.mach === null).length).toBeGreaterThan(100);
    expect(spellings.filter((s) => s.mach !== null).length).toBeGreaterThan(1000);
  });

  test("every line: refused where OCaml refuses, else the same value (printed as OCaml prints it)", () => {
    const wrong: string[] = [];
    for (const s of spellings) {
      const h = fromString(s.input);
      const ours = h instanceof SexpError ? null : toMachineString(h);
      if (ours !== s.mach)
        wrong.push(
          `line ${s.line}: OCaml ${s.mach === null ? "refuses" : "accepts"}, fromString ${
            h instanceof SexpError ? `refuses: ${h.message}` : `gives ${ours}`
          }`,
        );
    }
    expect(wrong).toEqual([]);
  });

  const v3 = () => vectors.find((v) => v.mach.includes("(lazy_refcounts"))!.mach;
  test.each([
    ["(Some (...)) for an option", (t: string) => t.replace("(additional(", "(additional(Some")],
    ["(some ...) for an option", (t: string) => t.replace("(additional(", "(additional(some")],
    ["True and False for booleans", (t: string) => t.replace("(dirty false)", "(dirty False)")],
    [
      "hexadecimal, underscores and + for integers",
      (t: string) =>
        t.replace(
          /\(l1_size (\d+)\)/,
          (_m, n: string) => `(l1_size +0x${Number(n).toString(16)}_)`,
        ),
    ],
  ])("%s", (_what, respell) => {
    const text = respell(v3());
    expect(text).not.toBe(v3());
    expect(toMachineString(parseHeader(text))).toBe(v3());
  });

  test("None and none for an absent option", () => {
    const v2 = vectors.find((v) => v.mach.includes("(additional())"))!.mach;
    for (const absent of ["None", "none"])
      expect(
        toMachineString(parseHeader(v2.replace("(additional())", `(additional ${absent})`))),
      ).toBe(v2);
  });

  test("a feature's bit is any OCaml int; write then refuses what a byte cannot hold", () => {
    const text = vectors.find((v) => v.mach.includes("(feature Dirty)"))!.mach;
    for (const bit of ["-1", "300", "4611686018427387903"]) {
      const respelled = text.replace(/\(bit \d+\)(\(feature Dirty\))/, `(bit ${bit})$1`);
      const h = fromString(respelled);
      if (bit.length > 16) {
        // An OCaml int, but more than a number holds exactly: refused rather than rounded.
        expect((h as SexpError).message).toMatch(/beyond 2\^53/);
        continue;
      }
      expect(toMachineString(parseHeader(respelled))).toBe(respelled);
      expect(write(parseHeader(respelled), new Uint8Array(4096))).toBeInstanceOf(CodecError);
    }
    // Beyond OCaml's int (2^62 - 1) it is refused as OCaml refuses it.
    const tooBig = text.replace(/\(bit \d+\)(\(feature Dirty\))/, "(bit 4611686018427387904)$1");
    expect((fromString(tooBig) as SexpError).message).toMatch(/expected an OCaml int/);
  });
});

describe("real images print and parse back", () => {
  test.each(["v2", "v3-default", "backing", "zstd", "bitmaps", "luks", "data-file-raw"])(
    "%s",
    (name) => {
      const result = read(new Uint8Array(readFileSync(`test/fixtures/qcow2/${name}.bin`)));
      if (result instanceof CodecError) throw new Error(result.message);
      const h = result.value;
      expect(compare(parseHeader(toString(h)), h)).toBe(0);
      expect(compare(parseHeader(toMachineString(h)), h)).toBe(0);
    },
  );

  test("a QEMU 5+ header shows compression_type; the seed's fields print as the seed prints them", () => {
    const result = read(new Uint8Array(readFileSync("test/fixtures/qcow2/v3-default.bin")));
    if (result instanceof CodecError) throw new Error(result.message);
    const text = toString(result.value);
    expect(text).toContain("(compression_type Zlib)");
    expect(text).toContain("(dirty false) (corrupt false) (lazy_refcounts false)");
    // Newer fields at their defaults are left out, as ppx_sexp_conv's drop-default does.
    expect(text).not.toContain("external_data_file");
    expect(text).not.toContain("incompatible_unknown");
  });
});

describe("bad text gets an error naming what and where", () => {
  const good = vectors[0].mach;
  const cases: [string, string, RegExp][] = [
    ["unbalanced parentheses", good.slice(0, -1), /^line 1, col 1: /],
    [
      "an unknown field",
      good.replace("(size ", "(sise "),
      /line 1, col \d+: sise: unknown field sise/,
    ],
    [
      "a duplicated field",
      good.replace("(size 0)", "(size 0)(size 0)"),
      /size: field size is given twice/,
    ],
    ["a missing field without default", good.replace("(size 0)", ""), /missing field size/],
    [
      "an unknown variant",
      good.replace("(crypt_method Aes)", "(crypt_method Des)"),
      /crypt_method: expected one of None, Aes, Luks/,
    ],
    [
      "a non-number",
      good.replace("(l1_size 228)", "(l1_size abc)"),
      /l1_size: expected an int32, got "abc"/,
    ],
    [
      "a number out of range",
      good.replace("(l1_size 228)", "(l1_size 2147483648)"),
      /l1_size: expected an int32, got "2147483648"/,
    ],
  ];
  test.each(cases)("%s", (_what, text, message) => {
    const result = fromString(text);
    expect(result).toBeInstanceOf(SexpError);
    expect((result as SexpError).message).toMatch(message);
  });

  test("errors carry the line and column of the offending element", () => {
    const text = vectors[0].hum.replace("(l1_size 228)", "(l1_size x)");
    const result = fromString(text) as SexpError;
    const line = text.split("\n").findIndex((l) => l.includes("(l1_size x)"));
    expect(result.loc?.line).toBe(line + 1);
    expect(text.split("\n")[line].slice(result.loc!.col - 1)).toMatch(/^x\)/);
  });

  test("converting an S-expression value without text works too, without locations", () => {
    const parsed = parseSexp(vectors[1].input);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const h = headerOfSexp(parsed.value);
    expect(h).not.toBeInstanceOf(SexpError);
    expect(toMachineString(h as Header)).toBe(vectors[1].mach);
    expect(sexpOfHeader(h as Header)).toEqual(parsed.value);
  });
});

describe("values the text can hold that no header can store", () => {
  test("a named bit given among a flags word's unknown bits parses, prints back, and write refuses it", () => {
    const v3 = vectors.find((v) => v.mach.includes("(lazy_refcounts"))!.mach;
    const text = v3.replace("(lazy_refcounts", "(incompatible_unknown 4)(lazy_refcounts");
    const h = parseHeader(text);
    expect(h.additional?.incompatible_unknown).toBe(4n);
    expect(h.additional?.external_data_file).toBe(false);
    expect(toMachineString(h)).toBe(text);
    expect(write(h, new Uint8Array(4096))).toBeInstanceOf(CodecError);
  });

  test("a listed feature name given as Unknown, or one longer than 46 bytes, parses and prints back", () => {
    const v3 = vectors.find((v) => v.mach.includes("(feature Dirty)"))!.mach;
    for (const name of ["dirty bit", "x".repeat(47)]) {
      const text = v3.replace("(feature Dirty)", `(feature(Unknown"${name}"))`);
      const h = parseHeader(text);
      const table = h.extensions.find((e) => e.kind === "Feature_name_table");
      expect(table?.kind === "Feature_name_table" && table.features[0].feature).toEqual({
        unknown: name,
      });
      expect(compare(parseHeader(toMachineString(h)), h)).toBe(0);
      // ... and write refuses it instead of storing something that reads back differently.
      const out = new Uint8Array(4096);
      expect(write(h, out)).toBeInstanceOf(CodecError);
    }
  });
});
