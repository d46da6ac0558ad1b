/**
 * Fuzzing the generated qcow2 decoder with damaged real headers and random
 * bytes. Whatever the input, `read` must not throw, and must return either
 *
 * - a CodecError with a string path, an integer byte offset inside the input
 *   (between the read offset and the buffer length) and a non-empty message,
 * - or a header that `write` accepts and encodes back to exactly the bytes it
 *   was read from (the encoding is canonical: read refuses nonzero padding,
 *   garbage after NULs and the like), and that reads back to the same value.
 *
 * Deterministic: exhaustive loops over the fixtures, then fast-check with a
 * fixed seed. The number of inputs tried is printed once at the end.
 */
import { isDeepStrictEqual } from "node:util";
import fc, { type Arbitrary } from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { read, sizeof, write, type Header } from "../generated/qcow2.js";
import { CodecError } from "../runtime/codec.js";
import { KNOWN_EXTENSION_TAGS, arbHeader } from "./arbitrary/qcow2.js";
import { FIXTURES } from "./support/fixtures.js";

const SEED = 0x0f022;

// ---------------------------------------------------------------- the oracle

const tally = { inputs: 0, decoded: 0, errors: 0 };
/** Per group of inputs: how many were read, and how many of them decoded. */
const byGroup = new Map<string, { inputs: number; decoded: number }>();

afterAll(() => {
  const groups = [...byGroup]
    .map(([group, n]) => `${group} ${n.inputs} (${n.decoded} decoded)`)
    .join(", ");
  console.info(
    `qcow2 fuzz: read ${tally.inputs} inputs (${tally.decoded} decoded and re-written, ` +
      `${tally.errors} CodecErrors): ${groups}`,
  );
});

/**
 * Byte strings of lengths spread evenly over [0, max]. (`fc.uint8Array`'s
 * default size keeps arrays to a handful of bytes, far short of a header.)
 */
function arbBytes(max: number): Arbitrary<Uint8Array> {
  return fc
    .integer({ min: 0, max })
    .chain((length) => fc.uint8Array({ minLength: length, maxLength: length }));
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * Reads `buf` at `at` and checks the outcome as the file comment describes.
 * Throws an Error naming the input (`what()`) on any violation. Returns
 * whether the input decoded.
 */
function checkRead(group: string, buf: Uint8Array, at: number, what: () => string): boolean {
  tally.inputs++;
  const counts = byGroup.get(group) ?? { inputs: 0, decoded: 0 };
  byGroup.set(group, counts);
  counts.inputs++;
  const fail = (problem: string): never => {
    throw new Error(`${problem}\n  input: ${what()} (read at ${at}, ${buf.length} bytes)`);
  };

  let result: ReturnType<typeof read>;
  try {
    result = read(buf, at);
  } catch (e) {
    return fail(`read threw ${String(e)}`);
  }

  if (result instanceof CodecError) {
    tally.errors++;
    if (typeof result.path !== "string") fail(`error path ${String(result.path)} is not a string`);
    const offset = result.offset;
    if (offset === undefined || !Number.isInteger(offset) || offset < at || offset > buf.length) {
      fail(
        `error offset ${String(offset)} is not a byte in [${at}, ${buf.length}]: ${result.message}`,
      );
    }
    if (typeof result.reason !== "string" || result.reason === "") fail("empty error reason");
    if (result.message === "") fail("empty error message");
    return false;
  }

  tally.decoded++;
  counts.decoded++;
  const { value, end } = result;
  if (!Number.isInteger(end) || end < at + 8 || end > buf.length) {
    fail(`end ${end} is not in [${at + 8}, ${buf.length}]`);
  }
  const size = sizeof(value);
  const out = new Uint8Array(size);
  const wrote = write(value, out);
  if (wrote instanceof CodecError)
    return fail(`write refused what read returned: ${wrote.message}`);
  if (wrote !== size) fail(`write returned ${wrote}, sizeof says ${size}`);
  if (size !== end - at || !Buffer.from(out).equals(buf.subarray(at, end))) {
    fail(
      `re-encoding differs from the bytes read:\n  wrote ${hexOf(out)}\n  read  ${hexOf(buf.subarray(at, end))}`,
    );
  }
  const again = read(out);
  if (again instanceof CodecError)
    return fail(`re-reading the re-encoding failed: ${again.message}`);
  if (again.end !== size || !isDeepStrictEqual(again.value, value)) {
    fail("re-reading the re-encoding gave a different value");
  }
  return true;
}

// ---------------------------------------------------------------- real headers, exhaustively

describe("damaged real headers", () => {
  it.each(FIXTURES)("$name: every prefix", ({ name, bytes }) => {
    const whole = read(bytes);
    if (whole instanceof CodecError) throw new Error(`fixture does not decode: ${whole.message}`);
    for (let n = 0; n <= bytes.length; n++) {
      const ok = checkRead("prefixes", bytes.subarray(0, n), 0, () => `${name} cut to ${n} bytes`);
      // The header needs every byte up to its end marker, and no more.
      expect(ok, `${name} cut to ${n} bytes`).toBe(n >= whole.end);
    }
  });

  it.each(FIXTURES)("$name: every single-bit flip in the first 600 bytes", ({ name, bytes }) => {
    const buf = bytes.slice();
    for (let i = 0; i < Math.min(buf.length, 600); i++) {
      for (let bit = 0; bit < 8; bit++) {
        buf[i] ^= 1 << bit;
        checkRead("bit flips", buf, 0, () => `${name} with bit ${bit} of byte ${i} flipped`);
        buf[i] ^= 1 << bit;
      }
    }
    expect(buf).toEqual(bytes);
  });

  // Both layouts, and the extension kinds with fixed-size payloads.
  it.each(["v3-default", "v2-backing", "bitmaps", "luks"])(
    "%s: every value of every byte",
    (name) => {
      const bytes = FIXTURES.find((f) => f.name === name)?.bytes;
      if (bytes === undefined) throw new Error(`no fixture ${name}`);
      const buf = bytes.slice();
      for (let i = 0; i < buf.length; i++) {
        for (let v = 0; v < 256; v++) {
          if (v === bytes[i]) continue;
          buf[i] = v;
          checkRead("byte values", buf, 0, () => `${name} with byte ${i} set to ${v}`);
        }
        buf[i] = bytes[i];
      }
    },
  );
});

// ---------------------------------------------------------------- random inputs

/** One change to a byte string. Positions are taken modulo the current length. */
type Edit =
  | { kind: "set"; at: number; byte: number }
  | { kind: "flip"; at: number; bit: number }
  | { kind: "u32"; at: number; value: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number }
  | { kind: "truncate"; at: number };

/** u32s that mean something somewhere in a qcow2 header. */
const INTERESTING_U32 = [
  0,
  1,
  2,
  3,
  4,
  7,
  8,
  47,
  48,
  96,
  100,
  104,
  108,
  112,
  120,
  128,
  384,
  0x7fffffff,
  0x80000000,
  0xfffffff8,
  0xffffffff,
  0x514649fb,
  ...Object.values(KNOWN_EXTENSION_TAGS).map((tag) => tag >>> 0),
];

const arbEdit: Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("set"), at: fc.nat(), byte: fc.integer({ min: 0, max: 0xff }) }),
  fc.record({ kind: fc.constant("flip"), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("u32"), at: fc.nat(), value: fc.constantFrom(...INTERESTING_U32) }),
  fc.record({
    kind: fc.constant("insert"),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant("delete"), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant("truncate"), at: fc.nat() }),
);

function applyEdits(bytes: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let buf = bytes.slice();
  for (const edit of edits) {
    if (buf.length === 0) break;
    const at = edit.at % buf.length;
    switch (edit.kind) {
      case "set":
        buf[at] = edit.byte;
        break;
      case "flip":
        buf[at] ^= 1 << edit.bit;
        break;
      case "u32": {
        // Aligned, as most qcow2 fields are.
        const aligned = at - (at % 4);
        if (aligned + 4 <= buf.length) new DataView(buf.buffer).setUint32(aligned, edit.value);
        break;
      }
      case "insert":
        buf = Uint8Array.from([...buf.subarray(0, at), ...edit.bytes, ...buf.subarray(at)]);
        break;
      case "delete":
        buf = Uint8Array.from([...buf.subarray(0, at), ...buf.subarray(at + edit.count)]);
        break;
      case "truncate":
        buf = buf.slice(0, at);
        break;
    }
  }
  return buf;
}

/** `bytes` between unrelated bytes, to be read at `before.length`. */
function embedded(before: Uint8Array, bytes: Uint8Array, after: Uint8Array): Uint8Array {
  const buf = new Uint8Array(before.length + bytes.length + after.length);
  buf.set(before);
  buf.set(bytes, before.length);
  buf.set(after, before.length + bytes.length);
  return buf;
}

function encoded(h: Header): Uint8Array {
  const out = new Uint8Array(sizeof(h));
  const wrote = write(h, out);
  if (wrote instanceof CodecError)
    throw new Error(`arbHeader made an invalid header: ${wrote.message}`);
  return out;
}

describe("random inputs (fast-check, fixed seed)", () => {
  it("random byte strings", () => {
    fc.assert(
      fc.property(arbBytes(600), (bytes) => {
        checkRead("random bytes", bytes, 0, () => hexOf(bytes));
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it("random, mostly zero, bytes after a valid magic and version", () => {
    // Seven bytes in eight zero, so that types are often the end marker and
    // lengths small: some of these decode.
    const body = fc.array(
      fc.oneof({ arbitrary: fc.constant(0), weight: 7 }, fc.integer({ min: 0, max: 0xff })),
      { maxLength: 600, size: "max" },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), body, (version, body) => {
        const bytes = new Uint8Array(8 + body.length);
        new DataView(bytes.buffer).setUint32(0, 0x514649fb);
        new DataView(bytes.buffer).setUint32(4, version);
        bytes.set(body, 8);
        checkRead("random after magic", bytes, 0, () => hexOf(bytes));
      }),
      { seed: SEED, numRuns: 10_000 },
    );
  });

  it("random edits of real headers, at random offsets", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(arbEdit, { minLength: 1, maxLength: 6 }),
        fc.uint8Array({ maxLength: 16 }),
        fc.uint8Array({ maxLength: 16 }),
        ({ name, bytes }, edits, before, after) => {
          const buf = embedded(before, applyEdits(bytes, edits), after);
          checkRead("edited fixtures", buf, before.length, () => `${name} edited: ${hexOf(buf)}`);
        },
      ),
      { seed: SEED, numRuns: 10_000 },
    );
  });

  it("random edits of encoded random headers", () => {
    // Reaches what the fixtures lack: Unknown extensions, odd payload lengths,
    // header_extra, version One, unknown feature names.
    fc.assert(
      fc.property(arbHeader(), fc.array(arbEdit, { maxLength: 4 }), (h, edits) => {
        const buf = applyEdits(encoded(h), edits);
        checkRead("edited random headers", buf, 0, () => hexOf(buf));
      }),
      { seed: SEED, numRuns: 10_000 },
    );
  });
});
