/**
 * Every benchmark case: an operation on an input by an implementation, as a
 * closure that does one operation (what is timed), and a check that the
 * closure's result is right (run before any timing, and by
 * test/bench.test.ts). Decoders are checked by normalising their output to
 * the generated codec's `Header` and comparing with the reference decode;
 * encoders by comparing the bytes they write with the input's.
 */
import {
  fromString,
  read,
  sizeof,
  toMachineString,
  toString,
  write,
  type Header,
} from "../generated/qcow2.js";
import { CodecError } from "../runtime/codec.js";
import { SexpError } from "../runtime/sexp-convert.js";
import * as handWritten from "./baseline.js";
import { expectEqual, sameBytes as sameBytesAs } from "./expect.js";
import { formatCases } from "./formats.js";
import { realInputs, scalingInputs, type BenchInput, type Input } from "./inputs.js";
import * as lean from "./lean.js";
import * as binaryParser from "./peers/binary-parser.js";
import * as kaitai from "./peers/kaitai.js";
import * as restructure from "./peers/restructure.js";

export const OPERATIONS = [
  "decode",
  "encode",
  "sizeof",
  "print-machine",
  "print-human",
  "parse-machine",
  "parse-human",
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const IMPLEMENTATIONS = [
  "generated",
  "hand-written",
  "lean",
  "binary-parser",
  "kaitai",
  "restructure",
] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

/** The implementation every ratio is relative to. */
export const BASELINE: Implementation = "hand-written";

export interface Case {
  readonly op: Operation;
  readonly input: BenchInput;
  readonly impl: Implementation;
  /** One operation; returns its result so that nothing can be optimised away. */
  readonly run: () => unknown;
  /** Runs the operation once and throws, saying what differs, unless its result is right. */
  readonly check: () => void;
}

function sameBytes(what: string, buf: Uint8Array, end: unknown, input: Input): void {
  sameBytesAs(what, buf, end, input.bytes, input.end);
}

/** A Decoded result or a CodecError as the value and end, throwing on the error. */
function unwrap(what: string, result: unknown): { value: Header; end: number } {
  if (result instanceof CodecError) throw new Error(`${what}: ${result.message}`);
  if (typeof result !== "object" || result === null || !("value" in result) || !("end" in result))
    throw new Error(`${what}: not a decoded value`);
  const { value, end } = result as { value: Header; end: unknown };
  if (typeof end !== "number") throw new Error(`${what}: end is not a number`);
  return { value, end };
}

interface Decoder {
  readonly impl: Implementation;
  readonly decode: (buf: Uint8Array) => unknown;
  /** The decoder's output as a Header, checking what else it reports (the end offset). */
  readonly normalise: (output: unknown, input: Input, what: string) => Header;
}

const DECODERS: readonly Decoder[] = [
  {
    impl: "generated",
    decode: (buf) => read(buf),
    normalise(output, input, what) {
      const { value, end } = unwrap(what, output);
      expectEqual(`${what} end`, end, input.end);
      return value;
    },
  },
  {
    impl: "hand-written",
    decode: (buf) => handWritten.read(buf),
    normalise(output, input, what) {
      const { value, end } = unwrap(what, output);
      expectEqual(`${what} end`, end, input.end);
      return value;
    },
  },
  {
    // Checked against what it should make of the input (names as plain
    // strings, no padding checks), and by that the reference decode.
    impl: "lean",
    decode: (buf) => lean.read(buf),
    normalise(output, input, what) {
      if (output instanceof CodecError) throw new Error(`${what}: ${output.message}`);
      const { value, end } = output as { value: lean.LeanHeader; end: number };
      expectEqual(`${what} end`, end, input.end);
      expectEqual(what, value, lean.leanView(input.header));
      return input.header;
    },
  },
  { impl: "binary-parser", decode: binaryParser.decode, normalise: binaryParser.normalise },
  { impl: "kaitai", decode: kaitai.decode, normalise: kaitai.normalise },
  { impl: "restructure", decode: restructure.decode, normalise: restructure.normalise },
];

/** Which cases to build, by name (`decode v2 kaitai`): a child process builds only its own. */
export type Wanted = (name: string) => boolean;

const everything: Wanted = () => true;

function decodeCases(input: Input, wanted: Wanted): Case[] {
  const chosen = DECODERS.filter((d) => wanted(`decode ${input.name} ${d.impl}`));
  return chosen.map(({ impl, decode, normalise }) => {
    const what = `decode ${input.name} by ${impl}`;
    const bytes = input.bytes;
    return {
      op: "decode",
      input,
      impl,
      run: () => decode(bytes),
      check: () => expectEqual(what, normalise(decode(bytes), input, what), input.header),
    };
  });
}

function encodeCases(input: Input, wanted: Wanted): Case[] {
  const header = input.header;
  const cases: Case[] = [];
  const want = (impl: Implementation): boolean => wanted(`encode ${input.name} ${impl}`);
  const encoder = (impl: Implementation, encode: (out: Uint8Array) => unknown): Case => {
    // Encoders write into a buffer as large as the input's (1 MiB for the large ones).
    const out = new Uint8Array(input.bytes.length);
    const what = `encode ${input.name} by ${impl}`;
    return {
      op: "encode",
      input,
      impl,
      run: () => encode(out),
      check: () => {
        out.fill(0xa5);
        sameBytes(what, out, encode(out), input);
      },
    };
  };
  if (want("generated")) cases.push(encoder("generated", (out) => write(header, out)));
  if (want("hand-written"))
    cases.push(encoder("hand-written", (out) => handWritten.write(header, out)));
  if (want("restructure")) {
    // restructure writes values of its own shape: encode what it decoded.
    const own = restructure.decode(input.bytes);
    cases.push(encoder("restructure", (out) => restructure.encode(own, out)));
  }
  return cases;
}

function sizeofCases(input: Input, wanted: Wanted): Case[] {
  const header = input.header;
  const restructureSizeof = (): (() => number) => {
    const own = restructure.decode(input.bytes);
    return () => restructure.sizeof(own);
  };
  const sizers: readonly [Implementation, () => () => number][] = [
    ["generated", () => () => sizeof(header)],
    ["hand-written", () => () => handWritten.sizeof(header)],
    ["restructure", restructureSizeof],
  ];
  const chosen = sizers.filter(([impl]) => wanted(`sizeof ${input.name} ${impl}`));
  return chosen.map(([impl, make]): Case => {
    const run = make();
    return {
      op: "sizeof",
      input,
      impl,
      run,
      check: () => expectEqual(`sizeof ${input.name} by ${impl}`, run(), input.end),
    };
  });
}

function sexpCases(input: Input, wanted: Wanted): Case[] {
  const header = input.header;
  const machine = toMachineString(header);
  const human = toString(header);
  const parse = (text: string, what: string): Header => {
    const parsed = fromString(text);
    if (parsed instanceof SexpError) throw new Error(`${what}: ${parsed.message}`);
    return parsed;
  };
  const sexp = (op: Operation, run: () => unknown, check: (what: string) => void): Case => ({
    op,
    input,
    impl: "generated",
    run,
    check: () => check(`${op} ${input.name}`),
  });
  const all = [
    sexp(
      "print-machine",
      () => toMachineString(header),
      (what) => expectEqual(what, parse(toMachineString(header), what), header),
    ),
    sexp(
      "print-human",
      () => toString(header),
      (what) => expectEqual(what, parse(toString(header), what), header),
    ),
    sexp(
      "parse-machine",
      () => fromString(machine),
      (what) => expectEqual(what, parse(machine, what), header),
    ),
    sexp(
      "parse-human",
      () => fromString(human),
      (what) => expectEqual(what, parse(human, what), header),
    ),
  ];
  return all.filter((c) => wanted(`${c.op} ${input.name} ${c.impl}`));
}

/** Every case: qcow2's, real inputs first, grouped by operation and input; then the other formats'. */
export function buildCases(wanted: Wanted = everything): Case[] {
  const cases: Case[] = [];
  const real = realInputs();
  const scaling = scalingInputs();
  for (const input of real) cases.push(...decodeCases(input, wanted));
  for (const input of real) cases.push(...encodeCases(input, wanted));
  for (const input of real) cases.push(...sizeofCases(input, wanted));
  for (const input of real) cases.push(...sexpCases(input, wanted));
  for (const input of scaling) cases.push(...decodeCases(input, wanted));
  for (const input of scaling) cases.push(...encodeCases(input, wanted));
  cases.push(...formatCases(wanted));
  return cases;
}

/**
 * Checks every case (each implementation decodes every input to the same
 * values; every encoder writes the input's bytes). Throws on the first wrong one.
 */
export function verify(cases: readonly Case[]): void {
  for (const c of cases) c.check();
}
