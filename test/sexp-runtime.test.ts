import fc from "fast-check";
import { describe, expect, it, test } from "vitest";
import {
  escapeAtom,
  mustEscape,
  parseSexp,
  sexpEqual,
  toStringHum,
  toStringMach,
  type Sexp,
  type SexpLoc,
  type SexpLocations,
  type SexpSyntaxError,
} from "../runtime/sexp.js";
import { bool, ocamlInteger, option, rootAt, SexpError, type At } from "../runtime/sexp-convert.js";
import { vectorLines } from "./support/fixtures.js";

// ---------------------------------------------------------------- helpers

function parsed(text: string): { value: Sexp; locations: SexpLocations } {
  const result = parseSexp(text);
  if (!result.ok) throw new Error(`unexpected syntax error: ${result.error.message}`);
  return result;
}

function parseError(text: string): SexpSyntaxError {
  const result = parseSexp(text);
  if (result.ok) throw new Error(`expected a syntax error for ${JSON.stringify(text)}`);
  return result.error;
}

/** Where two strings first differ, with some context on each side. */
function firstDifference(actual: string, expected: string): string {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const from = Math.max(0, i - 40);
  const show = (s: string): string => JSON.stringify(s.slice(from, i + 40));
  return `first difference at char ${i}\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`;
}

/** Nesting depth, computed without recursion. */
function depth(sexp: Sexp): number {
  let max = 0;
  const pending: [Sexp, number][] = [[sexp, 0]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [s, d] = item;
    if (typeof s === "string") continue;
    max = Math.max(max, d + 1);
    for (const child of s) pending.push([child, d + 1]);
  }
  return max;
}

// ---------------------------------------------------------------- reference vectors

interface Vector {
  line: number;
  input: string;
  mach: string;
  hum: string;
}

function isVectorJson(x: unknown): x is Omit<Vector, "line"> {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.input === "string" && typeof o.mach === "string" && typeof o.hum === "string";
}

const vectors: Vector[] = vectorLines("sexp-header").map(({ line, json }) => {
  if (!isVectorJson(json)) throw new Error(`vector line ${line} is malformed`);
  return { line, input: json.input, mach: json.mach, hum: json.hum };
});

/** The first vector for which `check` reports a problem, labelled with its line number. */
function firstFailure(check: (v: Vector) => string | undefined): string | undefined {
  for (const v of vectors) {
    const problem = check(v);
    if (problem !== undefined) return `vector line ${v.line}: ${problem}`;
  }
  return undefined;
}

describe("Sexplib reference vectors", () => {
  it("has all 3000 vectors", () => {
    expect(vectors.length).toBe(3000);
  });

  it("encodes bytes >= 0x80 as \\DDD escapes, so every JSON string is plain ASCII", () => {
    // If this ever fails, the file started carrying raw bytes and the
    // comparisons below would need a latin1 reading of them.
    const nonAscii = firstFailure((v) =>
      [v.input, v.mach, v.hum].some((s) => /[^\x00-\x7f]/.test(s)) ? "non-ASCII" : undefined,
    );
    expect(nonAscii).toBeUndefined();
  });

  it("prints every input exactly as to_string_mach and to_string_hum", () => {
    const mismatch = firstFailure((v) => {
      const result = parseSexp(v.input);
      if (!result.ok) return `input does not parse: ${result.error.message}`;
      const mach = toStringMach(result.value);
      if (mach !== v.mach) return `mach ${firstDifference(mach, v.mach)}`;
      const hum = toStringHum(result.value);
      if (hum !== v.hum) return `hum ${firstDifference(hum, v.hum)}`;
      return undefined;
    });
    expect(mismatch).toBeUndefined();
  });

  it("reads the mach and hum forms back to the same value", () => {
    const mismatch = firstFailure((v) => {
      const input = parsed(v.input).value;
      for (const [name, text] of [
        ["mach", v.mach],
        ["hum", v.hum],
      ] as const) {
        const result = parseSexp(text);
        if (!result.ok) return `${name} does not parse: ${result.error.message}`;
        if (!sexpEqual(result.value, input)) return `${name} reads back differently`;
      }
      return undefined;
    });
    expect(mismatch).toBeUndefined();
  });
});

// ---------------------------------------------------------------- equality

describe("sexpEqual", () => {
  it("compares structurally", () => {
    expect(sexpEqual(["a", ["b", []]], ["a", ["b", []]])).toBe(true);
    expect(sexpEqual("a", "a")).toBe(true);
    expect(sexpEqual("a", "b")).toBe(false);
    expect(sexpEqual("a", ["a"])).toBe(false);
    expect(sexpEqual([], "")).toBe(false);
    expect(sexpEqual(["a"], ["a", "a"])).toBe(false);
    expect(sexpEqual([["a"], "b"], [["c"], "b"])).toBe(false);
  });
});

// ---------------------------------------------------------------- printers

describe("escaping", () => {
  it.each([
    ["", true],
    ["abc", false],
    ["-12.5e3", false],
    ["#", false],
    ["|", false],
    ["a#b|c", false],
    ["'quoted'", false],
    ["a b", true],
    ["a#|b", true],
    ["a|#b", true],
    ["#;", true],
    ["x;", true],
    ["(", true],
    ['"', true],
    ["\\", true],
    ["\x7f", true],
    ["\x80", true],
    ["\x00", true],
    ["\x0b", true],
  ])("mustEscape(%j) is %s", (atom, expected) => {
    expect(mustEscape(atom)).toBe(expected);
  });

  it("escapes like OCaml's String.escaped, in decimal, keeping single quotes", () => {
    expect(escapeAtom("")).toBe('""');
    expect(escapeAtom("a b")).toBe('"a b"');
    expect(escapeAtom('"\\\n\t\r\b')).toBe('"\\"\\\\\\n\\t\\r\\b"');
    expect(escapeAtom("'\x00\x07\x1f\x7f\x80\xff")).toBe('"\'\\000\\007\\031\\127\\128\\255"');
  });

  it("rejects characters that are not bytes", () => {
    expect(() => toStringMach("\u0100")).toThrow(RangeError);
    expect(() => toStringHum(["x", "a\u20acb"])).toThrow(RangeError);
  });
});

describe("toStringMach", () => {
  it("separates only consecutive bare atoms", () => {
    expect(toStringMach(["a", "b", "c d", "e", [], ["f"], "g", "", "h"])).toBe(
      '(a b"c d"e()(f)g""h)',
    );
  });

  it("prints a lone atom bare or quoted", () => {
    expect(toStringMach("abc")).toBe("abc");
    expect(toStringMach("a\nb")).toBe('"a\\nb"');
    expect(toStringMach([])).toBe("()");
  });
});

describe("toStringHum", () => {
  // Expected texts below were printed by OCaml's Sexplib.Sexp.to_string_hum.
  it("puts spaces between list elements", () => {
    expect(
      toStringHum([
        "a",
        "b c",
        "",
        "\\\\",
        "x\ty",
        "#a",
        "a#b",
        "|a|",
        "a#|b",
        "#;",
        "\x7f\x80\xff\x00",
      ]),
    ).toBe('(a "b c" "" "\\\\\\\\" "x\\ty" #a a#b |a| "a#|b" "#;" "\\127\\128\\255\\000")');
  });

  it("prints a lone atom without newlines like mach, even past the margin", () => {
    const long = "x".repeat(100);
    expect(toStringHum(long)).toBe(long);
    expect(toStringHum("a b")).toBe('"a b"');
  });

  it("prints a newline-terminated one-line atom on one line", () => {
    expect(toStringHum("a\n")).toBe('"a\\n"');
  });

  it("prints multi-line atoms line by line, aligned under a leading space", () => {
    expect(toStringHum("a\nb")).toBe(' "a\\\n\\nb"');
    expect(toStringHum(["line1\nline2", "x"])).toBe('( "line1\\\n \\nline2" x)');
    expect(toStringHum(["key", "\n\n"])).toBe('(key  "\\\n     \\n\\\n     \\n")');
    expect(toStringHum(["a".repeat(69), "first line\nsecond line", "zzz"])).toBe(
      `(${"a".repeat(69)}\n  "first line\\\n \\nsecond line" zzz)`,
    );
  });

  it("breaks lines in compacting boxes indented by one", () => {
    const wide = "a".repeat(26);
    let sexp: Sexp = [wide, "x"];
    for (let i = 0; i < 9; i++) sexp = [wide, sexp];
    expect(toStringHum([sexp])).toBe(
      [
        `((${wide}`,
        ...Array.from({ length: 7 }, (_, i) => `${" ".repeat(i + 2)}(${wide}`),
        `         (${wide} (${wide} x)))))))))))`,
      ].join("\n"),
    );
  });

  it("opens boxes beyond column 68 only where the enclosing box fits", () => {
    const wide = "a".repeat(70);
    expect(toStringHum([wide, ["b"]])).toBe(`(${wide} (b))`);
    expect(toStringHum([wide, ["b", "c", "d"]])).toBe(`(${wide}\n (b c d))`);
  });

  it("does not indent beyond Format's max_indent of 68", () => {
    let sexp: Sexp = "abcdefghijklmnopqrstuvwxyz".split("");
    for (let i = 0; i < 69; i++) sexp = [sexp];
    expect(toStringHum(sexp)).toBe(
      [
        `${"(".repeat(70)}a b c d`,
        `${" ".repeat(68)}e f g h i`,
        `${" ".repeat(68)}j k l m n`,
        `${" ".repeat(68)}o p q r s`,
        `${" ".repeat(68)}t u v w x`,
        `${" ".repeat(68)}y z${")".repeat(70)}`,
      ].join("\n"),
    );
  });
});

// ---------------------------------------------------------------- reader

describe("parseSexp: accepted syntax", () => {
  it.each<[string, string, Sexp]>([
    ["blanks: space, tab, form feed, LF, CRLF", " \t\f(a\r\n b)\n", ["a", "b"]],
    ["vertical tab is an atom character", "x\vy", "x\vy"],
    ["line comments", '; first\n(a ; ( " \n b) ; last', ["a", "b"]],
    ["block comments", "(a #| ( |# b)", ["a", "b"]],
    ["nested block comments", "(a #| 1 #| 2 |# 1 |# b)", ["a", "b"]],
    ["quoted strings in block comments", '(a #| "|#" |# b)', ["a", "b"]],
    ["empty block comment", "(#||# a)", ["a"]],
    ["block comment spanning lines", "#|\n\n|#\na", "a"],
    ["datum comment on an atom", "(a #;b c)", ["a", "c"]],
    ["datum comment on a list", "(a #; (b (c)) d)", ["a", "d"]],
    ["stacked datum comments", "#;#;a b c", "c"],
    ["datum comments emptying a list", "(#;#;a b)", []],
    ["datum comment before the value", "#;(x) y", "y"],
    ["datum comment after the value", "y #;(x)", "y"],
    ["block comment between #; and its datum", "(a #;#|c|# b c)", ["a", "c"]],
    ["simple escapes", '"\\n\\t\\b\\r\\"\\\\\\\'"', "\n\t\b\r\"\\'"],
    ["decimal and hex escapes", '"\\065\\x41\\x6a\\x6A\\255\\000"', "AAjj\xff\x00"],
    ["unknown escapes keep the backslash", '"\\q\\ \\("', "\\q\\ \\("],
    ["backslash-newline skips following blanks", '"a\\\n  \t b"', "ab"],
    ["backslash-CRLF skips following blanks", '"a\\\r\n  b"', "ab"],
    ["backslash before a lone CR is dropped", '"a\\\rb"', "a\rb"],
    ["raw newlines and CRs in quoted atoms", '"a\nb\rc"', "a\nb\rc"],
    ["raw bytes >= 0x80 in atoms", '(\x80\xff "\xe9")', ["\x80\xff", "\xe9"]],
    ["backslash in an unquoted atom is literal", "a\\b", "a\\b"],
    ["# and | in unquoted atoms", "(#a|b#c # | a# |a)", ["#a|b#c", "#", "|", "a#", "|a"]],
    ["quotes and parens end unquoted atoms", '(a"b"c(d)e)', ["a", "b", "c", ["d"], "e"]],
    ["';' ends an unquoted atom and starts a comment", "(a#;b\n)", ["a#"]],
    ["empty list and empty atom", '(() "")', [[], ""]],
    ["comments may contain non-byte characters", '; \u2603\n#| \u2603 "\u2603" |# a', "a"],
  ])("%s", (_, text, expected) => {
    expect(parsed(text).value).toEqual(expected);
  });
});

describe("parseSexp: locations", () => {
  const loc = (line: number, col: number, offset: number): SexpLoc => ({ line, col, offset });

  it("records the start of the root and of every list element", () => {
    const text = '(a\n  (b "c d")\n #;skipped e)';
    const { value, locations } = parsed(text);
    expect(value).toEqual(["a", ["b", "c d"], "e"]);
    expect(locations.root).toEqual(loc(1, 1, 0));
    const root = value as readonly Sexp[];
    expect(locations.children.get(root)).toEqual([loc(1, 2, 1), loc(2, 3, 5), loc(3, 12, 26)]);
    const inner = root[1] as readonly Sexp[];
    expect(locations.children.get(inner)).toEqual([loc(2, 4, 6), loc(2, 6, 8)]);
  });

  it("counts lines inside quoted atoms and block comments", () => {
    const { value, locations } = parsed('  ("a\\\n b\nc" #| \n |# d)');
    expect(value).toEqual(["ab\nc", "d"]);
    expect(locations.root).toEqual(loc(1, 3, 2));
    expect(locations.children.get(value as readonly Sexp[])).toEqual([loc(1, 4, 3), loc(4, 5, 21)]);
  });

  it("gives each empty list its own entry", () => {
    const { value, locations } = parsed("(() ())");
    const [first, second] = value as readonly (readonly Sexp[])[];
    expect(first).not.toBe(second);
    expect(locations.children.get(first)).toEqual([]);
    expect(locations.children.get(second)).toEqual([]);
  });
});

describe("parseSexp: syntax errors", () => {
  it.each<[string, string, number, number, string]>([
    ["unexpected ')'", "(a))", 1, 4, "unbalanced parenthesis: ')' with no matching '('"],
    [
      "unclosed '(' (innermost)",
      "((a)\n (b",
      2,
      2,
      "unbalanced parenthesis: '(' with no matching ')'",
    ],
    [
      "unclosed '(' (outer)",
      "(a\n (b c)",
      1,
      1,
      "unbalanced parenthesis: '(' with no matching ')'",
    ],
    ["unterminated quoted atom", '(x\n  "abc)', 2, 3, "unterminated quoted atom"],
    ["input ends inside an escape", '"a\\x4', 1, 1, "unterminated quoted atom"],
    ["bad hex escape", '"a\\x4g"', 1, 3, "escape '\\x' must be followed by two hexadecimal digits"],
    [
      "short decimal escape",
      '"\\25x"',
      1,
      2,
      "decimal escape must have exactly three digits ('\\DDD')",
    ],
    [
      "decimal escape above 255",
      '"\\256"',
      1,
      2,
      "decimal escape '\\256' is out of range (0..255)",
    ],
    [
      "bad escape in a block comment",
      '#| "\\x4g" |# a',
      1,
      5,
      "escape '\\x' must be followed by two hexadecimal digits",
    ],
    [
      "out-of-range escape in a block comment",
      '#|\n"\\300" |# a',
      2,
      2,
      "decimal escape '\\300' is out of range (0..255)",
    ],
    ["unterminated block comment", "#| a\n #| b", 2, 2, "unterminated block comment"],
    ["unterminated string in a block comment", '#| "a |# b', 1, 1, "unterminated block comment"],
    ["second S-expression", "(a) b", 1, 5, "S-expression followed by data"],
    ["atom glued to a list", "(a)b", 1, 4, "S-expression followed by data"],
    ["empty input", "", 1, 1, "no S-expression found in input"],
    ["only comments", "  ; nothing\n#| here |#", 2, 11, "no S-expression found in input"],
    ["'#;' before ')'", "(a #;)", 1, 4, "'#;' is not followed by an S-expression"],
    [
      "'#;' cut off by ')' cannot skip a later datum",
      "((a #;) (b))",
      1,
      5,
      "'#;' is not followed by an S-expression",
    ],
    ["'#;' at the end", "a\n#;", 2, 1, "'#;' is not followed by an S-expression"],
    ["'|#' outside a comment", "|#", 1, 1, "'|#' outside of a block comment"],
    ["'|#' inside an atom", "a|#", 1, 2, "comment delimiter '|#' inside an unquoted atom"],
    ["'#|' inside an atom", "(a#|b)", 1, 3, "comment delimiter '#|' inside an unquoted atom"],
    ["'#|' after '#' in an atom", "##|", 1, 2, "comment delimiter '#|' inside an unquoted atom"],
    ["lone carriage return", "(a\rb)", 1, 3, "carriage return not followed by a line feed"],
    [
      "non-byte character in an unquoted atom",
      "(a\u0100)",
      1,
      3,
      "character U+0100 in an atom: atoms are bytes (0..255)",
    ],
    [
      "non-byte character in a quoted atom",
      '"x\u20ac"',
      1,
      3,
      "character U+20AC in an atom: atoms are bytes (0..255)",
    ],
    [
      "non-byte character after a backslash",
      '"\\\u20ac"',
      1,
      3,
      "character U+20AC in an atom: atoms are bytes (0..255)",
    ],
  ])("%s", (_, text, line, col, what) => {
    const error = parseError(text);
    expect(error.loc.line).toBe(line);
    expect(error.loc.col).toBe(col);
    expect(error.message).toBe(`line ${line}, col ${col}: ${what}`);
  });

  it("reports the offset with the line and column", () => {
    expect(parseError("(a\n  ))").loc).toEqual({ line: 2, col: 4, offset: 6 });
  });
});

// ---------------------------------------------------------------- robustness

describe("parseSexp: size limits", () => {
  const n = 1_000_000;

  it("reads and prints 1,000,000 nested lists without overflowing the stack", () => {
    const text = "(".repeat(n) + ")".repeat(n);
    const { value } = parsed(text);
    expect(depth(value)).toBe(n);
    expect(toStringMach(value)).toBe(text);
    // Nothing to break inside: Format keeps everything on one line.
    expect(toStringHum(value)).toBe(text);
    let expected: Sexp = [];
    for (let i = 1; i < n; i++) expected = [expected];
    expect(sexpEqual(value, expected)).toBe(true);
    expect(sexpEqual(value, [expected])).toBe(false);
  }, 60_000);

  it("reports an unclosed paren among 1,000,000", () => {
    expect(parseError("(".repeat(n)).loc).toEqual({ line: 1, col: n, offset: n - 1 });
  });

  it("handles 10 MB of input in linear time", () => {
    // Every vector input is a list, so the mach form of the list of them
    // is their mach forms concatenated inside one pair of parentheses.
    const copies: Vector[] = [];
    let size = 0;
    while (size < 10_000_000) {
      for (const v of vectors) {
        copies.push(v);
        size += v.input.length + 1;
      }
    }
    const text = `(${copies.map((v) => v.input).join("\n")})`;
    const start = performance.now();
    const { value } = parsed(text);
    const mach = toStringMach(value);
    const hum = toStringHum(value);
    const elapsed = performance.now() - start;
    expect((value as readonly Sexp[]).length).toBe(copies.length);
    expect(mach === `(${copies.map((v) => v.mach).join("")})`).toBe(true);
    expect(hum.length).toBeGreaterThan(mach.length);
    expect(elapsed).toBeLessThan(20_000);
  }, 60_000);

  it("reads a 10 MB quoted atom", () => {
    const body = "ab\\n\\x41\\065".repeat(1_000_000);
    const { value } = parsed(`"${body}"`);
    expect(value).toBe("ab\nAA".repeat(1_000_000));
  });
});

// ---------------------------------------------------------------- properties

/** Bytes that matter to the syntax, plus any byte at all. */
const byteChar = fc.oneof(
  fc.constantFrom(" ", '"', ";", "#", "|", "(", ")", "\\", "\n", "\r", "\t", "'", "x"),
  fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
);

const atomArb = fc.oneof(
  fc.string({ unit: byteChar, maxLength: 8 }),
  fc.string({ unit: byteChar, minLength: 60, maxLength: 120 }),
);

const sexpArb: fc.Arbitrary<Sexp> = fc.letrec<{ sexp: Sexp }>((tie) => ({
  sexp: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atomArb,
    fc.array(tie("sexp"), { maxLength: 6 }),
  ),
})).sexp;

describe("round trips", () => {
  it("reads back what toStringMach and toStringHum print", () => {
    fc.assert(
      fc.property(sexpArb, (sexp) => {
        for (const text of [toStringMach(sexp), toStringHum(sexp)]) {
          const result = parseSexp(text);
          if (!result.ok) throw new Error(`${JSON.stringify(text)}: ${result.error.message}`);
          expect(result.value).toEqual(sexp);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary text, and what it reads prints back to the same value", () => {
    const textChar = fc.oneof(
      byteChar,
      fc.constantFrom("#|", "|#", "#;", "\\x4", "\\25", "\\\n ", "\f", "\v", "\u20ac"),
    );
    fc.assert(
      fc.property(fc.string({ unit: textChar, maxLength: 30 }), (text) => {
        const result = parseSexp(text);
        if (result.ok) expect(parsed(toStringMach(result.value)).value).toEqual(result.value);
        else expect(result.error.message).toMatch(/^line \d+, col \d+: /);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("ocamlInteger reads integers as OCaml's of_string does", () => {
  test.each([
    // text, bits, value (undefined: OCaml raises Failure)
    ["0", 32, 0n],
    ["-0", 32, 0n],
    ["+17", 32, 17n],
    ["1_000_", 32, 1000n],
    ["2147483647", 32, 2147483647n],
    ["2147483648", 32, undefined],
    ["-2147483648", 32, -2147483648n],
    ["-2147483649", 32, undefined],
    ["0xFFFFFFFF", 32, -1n],
    ["-0xFFFFFFFF", 32, 1n],
    ["0x100000000", 32, undefined],
    ["0u4294967295", 32, -1n],
    ["0o17", 32, 15n],
    ["0b101", 32, 5n],
    ["0x_1", 32, undefined],
    ["_1", 32, undefined],
    ["0b2", 32, undefined],
    ["1e3", 32, undefined],
    ["", 32, undefined],
    ["-", 32, undefined],
    ["+-1", 32, undefined],
    [" 1", 32, undefined],
    ["4611686018427387903", 63, 4611686018427387903n],
    ["4611686018427387904", 63, undefined],
    ["-4611686018427387904", 63, -4611686018427387904n],
    ["0x7FFFFFFFFFFFFFFF", 63, -1n],
    ["0x4000000000000000", 63, -4611686018427387904n],
    ["0x8000000000000000", 63, undefined],
    ["9223372036854775807", 64, 9223372036854775807n],
    ["9223372036854775808", 64, undefined],
    ["-9223372036854775808", 64, -9223372036854775808n],
    ["0xFFFFFFFFFFFFFFFF", 64, -1n],
    ["0x10000000000000000", 64, undefined],
  ] as const)("%s as %i bits", (text, bits, value) => {
    expect(ocamlInteger(text, bits)).toBe(value);
  });
});

describe("option and bool accept sexplib's spellings", () => {
  const at = (text: string): At => {
    const result = parseSexp(text);
    if (!result.ok) throw new Error(result.error.message);
    return rootAt(result.value, result.locations);
  };
  const absentOrAtom = (text: string): string | undefined | "error" => {
    const inner = option(at(text));
    if (inner instanceof SexpError) return "error";
    return inner === undefined ? undefined : JSON.stringify(inner.node);
  };
  test.each([
    ["()", undefined],
    ["None", undefined],
    ["none", undefined],
    ["(x)", '"x"'],
    ["(Some x)", '"x"'],
    ["(some x)", '"x"'],
    // A one-element list is (x) before it is (Some x), so this is the value Some.
    ["(Some)", '"Some"'],
    ["((Some x))", '["Some","x"]'],
    ["(SOME x)", "error"],
    ["(Some x y)", "error"],
    ["NONE", "error"],
    ["x", "error"],
  ] as const)("%s", (text, expected) => expect(absentOrAtom(text)).toBe(expected));

  test.each([
    ["true", true],
    ["True", true],
    ["false", false],
    ["False", false],
    ["TRUE", "error"],
    ["(true)", "error"],
  ] as const)("bool %s", (text, expected) => {
    const value = bool(at(text));
    expect(value instanceof SexpError ? "error" : value).toBe(expected);
  });
});
