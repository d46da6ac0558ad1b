/**
 * The generator against schemas it has never seen: random schemas covering
 * the language (test/arbitrary/schema.ts), each generated, compiled under
 * the strictest common TypeScript settings, and run on random values and on
 * mutations of what it wrote. For every schema and value:
 *
 * - `write` writes exactly `sizeof(value)` bytes, at any offset;
 * - `read` gives the value back, ending where `write` ended;
 * - a buffer one byte short is refused and left untouched;
 * - the S-expression text parses back to the value;
 * - `read` never throws on mutated bytes, and whatever it accepts writes
 *   back to exactly the bytes it read (over a copy of them where a record
 *   leaves the bytes between its positioned members untouched);
 * - over the schemas drawn, every construct of the language appears.
 *
 * BINSCHEMA_RANDOM_SCHEMAS=N runs N schemas (default 120) and
 * BINSCHEMA_RANDOM_SEED=S starts at seed S, for longer runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomRoot } from "../generator/diff/verify/random-value.js";
import { Rng } from "../generator/diff/verify/prng.js";
import type { Model } from "../generator/model.js";
import { randomSchema } from "./arbitrary/schema.js";
import { generateSchemas, type SchemaModules } from "./support/schema-modules.js";

const COUNT = Number(process.env.BINSCHEMA_RANDOM_SCHEMAS ?? 120);
const FIRST_SEED = Number(process.env.BINSCHEMA_RANDOM_SEED ?? 1);
const VALUES = 25;
const MUTATIONS = 20;

interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number };
  write(value: unknown, buf: Uint8Array, at?: number): number;
  sizeof(value: unknown): number;
  equal(a: unknown, b: unknown): boolean;
  toMachineString(value: unknown): string;
  fromString(text: string): unknown;
}

let modules: SchemaModules;
const seeds = Array.from({ length: COUNT }, (_, i) => FIRST_SEED + i);

beforeAll(async () => {
  modules = await generateSchemas(seeds.map(randomSchema));
}, 600_000);

afterAll(async () => {
  await modules?.remove();
});

describe(`${COUNT} random schemas`, () => {
  test("every generated module compiles under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  }, 600_000);

  test("round-trips random values and survives mutated input", async () => {
    let written = 0;
    let accepted = 0;
    for (const [index, schema] of modules.schemas.entries()) {
      const seed = seeds[index]!;
      const codec = (await modules.load(schema)) as unknown as Codec;
      const rng = new Rng(seed * 7919);
      const untouched = schema.model.types.some(
        (t) => t.kind === "record" && t.gaps === "untouched",
      );
      let wroteOne = false;
      for (let n = 0; n < VALUES * 4 && !(wroteOne && n >= VALUES); n++) {
        const where = `seed ${seed} (${schema.source.name}), value ${n}`;
        const value = randomRoot(schema.model, rng, new Map());
        const size = codec.sizeof(value);
        const at = rng.below(4);
        // A root whose bytes run to the end of the input is read to the end, so nothing may follow it.
        const after = rng.below(3);
        const buf = new Uint8Array(at + size + (endsAtInput(schema.model) ? 0 : after)).fill(0xa5);
        const end = codec.write(value, buf, at);
        // Some random values break a rule of the schema (a size, a condition); those are refused.
        if (modules.isError(end)) continue;
        wroteOne = true;
        written++;
        expect(end, where).toBe(at + size);
        // Padding to the end makes the root run to the end of its input: pass just the value's bytes.
        const input = runsToEnd(schema.model) ? buf.subarray(0, end) : buf;
        const back = codec.read(input, at);
        if (modules.isError(back))
          throw new Error(`${where}: ${back.message}\n${schema.source.text}`);
        expect(back.end, where).toBe(end);
        expect(back.value, where).toEqual(value);
        expect(codec.equal(back.value, value), where).toBe(true);

        if (size > 0) {
          const short = new Uint8Array(at + size - 1).fill(0x5a);
          expect(codec.write(value, short, at), where).toSatisfy(modules.isError);
          expect(
            short.every((b) => b === 0x5a),
            `${where}: a refused write changed the buffer`,
          ).toBe(true);
        }

        const text = codec.toMachineString(value);
        const parsed = codec.fromString(text);
        if (modules.isError(parsed)) throw new Error(`${where}: ${text}: ${parsed.message}`);
        expect(codec.equal(parsed, value), `${where}: ${text}`).toBe(true);

        const stored = buf.slice(at, end);
        for (let k = 0; k < MUTATIONS; k++) {
          const mutated = mutate(stored, rng);
          const result = codec.read(mutated);
          if (modules.isError(result)) continue;
          accepted++;
          const again = new Uint8Array(codec.sizeof(result.value));
          // Gaps left untouched are written back only over the bytes they were read from.
          if (untouched) again.set(mutated.subarray(0, again.length));
          const wrote = codec.write(result.value, again);
          if (modules.isError(wrote))
            throw new Error(`${where}: read accepts bytes it cannot write: ${wrote.message}`);
          expect(again, `${where}: mutation ${k} does not write back as read`).toEqual(
            mutated.slice(0, result.end),
          );
        }
      }
      expect(
        wroteOne,
        `seed ${seed}: no random value could be written\n${schema.source.text}`,
      ).toBe(true);
    }
    // The run must have exercised something on both paths.
    expect(written).toBeGreaterThan(COUNT * VALUES * 0.5);
    expect(accepted).toBeGreaterThan(0);
  }, 600_000);
});

/**
 * The constructs every run must draw, as the schema text spells them; each
 * at least this share of the schemas' count (so 120 schemas draw each a few
 * times at least).
 */
const CONSTRUCTS: [string, RegExp, number][] = [
  ["byte_order", /byte_order: /, 0.1],
  ["byte_order over enum names", /byte_order: \w+, little: V\d/, 0.02],
  ["switch", /- switch: /, 0.1],
  ["switch with enum when", /when: V\d/, 0.02],
  ["record params", /^    params:/m, 0.1],
  ["args", /args: \{/, 0.1],
  ["array stride", /stride: /, 0.1],
  ["gaps: untouched", /gaps: untouched/, 0.05],
  ["high", /high: /, 0.1],
  ["none", /none: /, 0.1],
  ["text numbers", /text: (octal|decimal|hex), size/, 0.1],
  ["text number terminator", /text: \w+, size: \d+, terminator/, 0.05],
  ["text number keep", /text: \w+, size: \d+(, terminator: "[^"]*")?, keep: /, 0.02],
  ["byte-sum", /checksum: byte-sum/, 0.1],
  ["text checksum", /checksum: byte-sum, text: /, 0.05],
  ["end: { zeros }", /end: \{ zeros: /, 0.1],
  ["padding: rest", /padding: rest/, 0.05],
  ["union header [length, tag]", /header: \[length, tag\]/, 0.1],
  ["union trailer", /trailer: /, 0.05],
  ["last: true", /last: true/, 0.05],
  ["search", /search: \d+/, 0.05],
  ["valid on enum fields", /type: E\d+, valid: /, 0.05],
  ["bit fields", /bitfield: /, 0.1],
  ["let", /\{ let: /, 0.1],
  ["bigint let", /\{ let: \w+, value: "wide/, 0.02],
  ["choice", / \? /, 0.1],
  ["let in a switch case", /^ {14}- \{ let: clet/m, 0.02],
  ["array sized in bytes", /type: "\w+\[\]", size: len/, 0.02],
  ["array packed in blocks", /size: klen, block: /, 0.05],
  ["switch read ahead", /- switch: ahead\d+/, 0.05],
  ["end(F)", /value: end\(after\d+\)/, 0.03],
  [
    "bit field of 3 or 5-8 bytes in the chosen order",
    /byte_order: [\s\S]*type: u(24|40|48|56|64), bitfield/,
    0.02,
  ],
  ["endian: both in a switch case", /^ {14}- \{ name: alt\d+, type: \w+, endian: both/m, 0.02],
  ["default case", /- default: true/, 0.05],
];

// A short run (a few seeds, to look into one) is not expected to draw everything.
test.runIf(COUNT >= 100)("the schemas drawn cover every construct", () => {
  const texts = seeds.map((seed) => randomSchema(seed).text);
  const missing = CONSTRUCTS.map(([name, pattern, share]) => {
    const n = texts.filter((t) => pattern.test(t)).length;
    return n >= Math.max(1, Math.floor(share * COUNT)) ? undefined : `${name}: ${n} of ${COUNT}`;
  }).filter((x) => x !== undefined);
  expect(missing).toEqual([]);
});

/** Does the root end in bytes with no size, which run to the end of the input? */
function endsAtInput(model: Model): boolean {
  return model.root.members.some(
    (m) => m.kind === "value" && m.type.kind === "bytes" && m.type.size.kind === "fill",
  );
}

/** A copy of `bytes` with a few bytes changed, cut short or extended. */
function mutate(bytes: Uint8Array, rng: Rng): Uint8Array {
  const kind = rng.below(4);
  if (kind === 0 && bytes.length > 0) return bytes.slice(0, rng.below(bytes.length));
  if (kind === 1) {
    const longer = new Uint8Array(bytes.length + 1 + rng.below(8));
    longer.set(bytes);
    for (let i = bytes.length; i < longer.length; i++) longer[i] = rng.below(256);
    return longer;
  }
  const copy = bytes.slice();
  for (let i = 0, n = 1 + rng.below(3); i < n && copy.length > 0; i++) {
    const at = rng.below(copy.length);
    copy[at] = kind === 2 ? copy[at]! ^ (1 << rng.below(8)) : rng.below(256);
  }
  return copy;
}

/** Does the root record end with padding to the end of its input (`padding: rest`)? */
function runsToEnd(model: Model): boolean {
  const last = model.root.members[model.root.members.length - 1];
  return last?.kind === "padding" && last.rest !== undefined;
}
