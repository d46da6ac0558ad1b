/**
 * The S-expression reader on deep nesting (no recursion, locations found
 * lazily but exactly), and the element locations it reports where `#;`
 * discards lists. BINSCHEMA_DEEP_LEVELS sets the depth (CI: 10^6; the long
 * run: 10^7). Speed is measured by `npm run bench:nesting`, not here.
 */
import { expect, test } from "vitest";
import { parseSexp } from "../runtime/sexp-parse.js";
import type { Sexp } from "../runtime/sexp.js";

const LEVELS = Number(process.env.BINSCHEMA_DEEP_LEVELS ?? "1000000");

const loc = (line: number, col: number, offset: number) => ({ line, col, offset });

test(`${LEVELS} nested lists parse, with the innermost's location`, () => {
  const text = `${"(".repeat(LEVELS)}x${")".repeat(LEVELS)}`;
  const r = parseSexp(text);
  if (!r.ok) throw new Error(r.error.message);
  let node: Sexp = r.value;
  let depth = 0;
  const lists: (readonly Sexp[])[] = [];
  let wide = 0;
  while (typeof node !== "string") {
    if (node.length !== 1) wide++;
    lists.push(node);
    depth++;
    node = node[0] as Sexp;
  }
  expect(wide).toBe(0);
  expect(depth).toBe(LEVELS);
  expect(node).toBe("x");
  expect(r.locations.root).toEqual(loc(1, 1, 0));
  expect(r.locations.children.get(lists[0]!)).toEqual([loc(1, 2, 1)]);
  expect(r.locations.children.get(lists[LEVELS - 1]!)).toEqual([loc(1, LEVELS + 1, LEVELS)]);
});

test(`an unclosed list ${LEVELS} deep is reported where it opens`, () => {
  const text = `${"(".repeat(LEVELS)}\n${")".repeat(LEVELS - 1)}`;
  const r = parseSexp(text);
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.error.message).toBe("line 1, col 1: unbalanced parenthesis: '(' with no matching ')'");
  }
});

test("locations skip what #; discards, lists inside it included", () => {
  const text = '(a #;(b (c) "d")\n (e\n  f) #; g (h))';
  const r = parseSexp(text);
  if (!r.ok) throw new Error(r.error.message);
  expect(r.value).toEqual(["a", ["e", "f"], ["h"]]);
  const root = r.value as readonly Sexp[];
  expect(r.locations.children.get(root)).toEqual([loc(1, 2, 1), loc(2, 2, 18), loc(3, 11, 31)]);
  expect(r.locations.children.get(root[1] as readonly Sexp[])).toEqual([
    loc(2, 3, 19),
    loc(3, 3, 23),
  ]);
  expect(r.locations.children.get(root[2] as readonly Sexp[])).toEqual([loc(3, 12, 32)]);

  const top = parseSexp("#;(x (y)) ((z) #;(q) w)");
  if (!top.ok) throw new Error(top.error.message);
  expect(top.value).toEqual([["z"], "w"]);
  expect(top.locations.root).toEqual(loc(1, 11, 10));
  const [z] = top.value as readonly Sexp[];
  expect(top.locations.children.get(top.value as readonly Sexp[])).toEqual([
    loc(1, 12, 11),
    loc(1, 22, 21),
  ]);
  expect(top.locations.children.get(z as readonly Sexp[])).toEqual([loc(1, 13, 12)]);
});

test("locations count lines inside quoted atoms and block comments", () => {
  const text = '("a\nb" #| x\n y |# c\n  (d))';
  const r = parseSexp(text);
  if (!r.ok) throw new Error(r.error.message);
  const root = r.value as readonly Sexp[];
  expect(root).toEqual(["a\nb", "c", ["d"]]);
  expect(r.locations.children.get(root)).toEqual([loc(1, 2, 1), loc(3, 7, 18), loc(4, 3, 22)]);
  expect(r.locations.children.get(root[2] as readonly Sexp[])).toEqual([loc(4, 4, 23)]);
});
