import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeAscii,
  decodeUtf16be,
  decodeUtf16le,
  decodeUtf8,
  encodeAscii,
  encodedLengthAscii,
  encodedLengthUtf16be,
  encodedLengthUtf16le,
  encodedLengthUtf8,
  encodeUtf16be,
  encodeUtf16le,
  encodeUtf8,
  findNul16,
} from "../runtime/text.js";

// ---------------------------------------------------------------- references

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const fatalUtf16le = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true });

function reference(decoder: TextDecoder, bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The bytes with each pair swapped: UTF-16BE as UTF-16LE and back. */
function swapPairs(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i + 1 < out.length; i += 2) [out[i], out[i + 1]] = [bytes[i + 1]!, bytes[i]!];
  return out;
}

/** UTF-16LE bytes of a string, built from its code units. */
function utf16leOf(text: string): Uint8Array {
  const out = new Uint8Array(2 * text.length);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) & 0xff;
    out[2 * i + 1] = text.charCodeAt(i) >>> 8;
  }
  return out;
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** `bytes` placed at offset 3 of a larger buffer with non-zero bytes around it. */
function embedded(b: Uint8Array): { buf: Uint8Array; from: number; to: number } {
  const buf = new Uint8Array(b.length + 6).fill(0x41);
  buf.set(b, 3);
  return { buf, from: 3, to: 3 + b.length };
}

// Strings of every kind of code point: ASCII, BMP, astral (surrogate pairs), with NULs and BOMs.
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ unit: "binary-ascii", maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc
    .array(
      fc.constantFrom("\0", "\ufeff", "\u{1f600}", "\uffff", "\u0080", "\u07ff", "\u0800", "a"),
    )
    .map((parts) => parts.join("")),
);

/** Strings that may hold unpaired surrogates. */
const anyUnits = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })), {
    maxLength: 40,
  })
  .map((units) => String.fromCharCode(...units));

const isWellFormed = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
};

// ---------------------------------------------------------------- UTF-8

describe("UTF-8", () => {
  it("encodes as TextEncoder does, writes nothing past the count, and decodes back", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(anyText, fc.nat(5), (text, at) => {
        const expected = encoder.encode(text);
        expect(encodedLengthUtf8(text)).toBe(expected.length);
        const buf = new Uint8Array(at + expected.length + 4).fill(0xee);
        expect(encodeUtf8(buf, at, text)).toBe(expected.length);
        expect(buf.subarray(at, at + expected.length)).toEqual(expected);
        expect(buf.subarray(0, at).every((b) => b === 0xee)).toBe(true);
        expect(buf.subarray(at + expected.length).every((b) => b === 0xee)).toBe(true);
        expect(decodeUtf8(buf, at, at + expected.length)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it("decodes random bytes exactly as a fatal TextDecoder does", () => {
    // Bytes drawn mostly from the interesting ranges so that valid multi-byte
    // sequences, near misses and ASCII all occur often.
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.integer({ min: 0xc0, max: 0xff }),
      fc.constantFrom(0xe0, 0xed, 0xf0, 0xf4, 0x9f, 0xa0, 0x8f, 0x90),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 40 }), (list) => {
        const { buf, from, to } = embedded(Uint8Array.from(list));
        expect(decodeUtf8(buf, from, to)).toBe(reference(fatalUtf8, Uint8Array.from(list)));
      }),
      { numRuns: 5000 },
    );
  });

  const invalid: [string, Uint8Array][] = [
    ["a stray continuation byte", bytes(0x41, 0x80)],
    ["a lead byte at the end", bytes(0x41, 0xc3)],
    ["a lead byte before a non-continuation", bytes(0xc3, 0x41)],
    ["a truncated 3-byte sequence", bytes(0xe2, 0x82)],
    ["a truncated 4-byte sequence", bytes(0xf0, 0x9f, 0x98)],
    ["an overlong 2-byte NUL (C0 80)", bytes(0xc0, 0x80)],
    ["an overlong 2-byte sequence (C1 BF)", bytes(0xc1, 0xbf)],
    ["an overlong 3-byte sequence (E0 80 AF)", bytes(0xe0, 0x80, 0xaf)],
    ["an overlong 3-byte sequence (E0 9F BF)", bytes(0xe0, 0x9f, 0xbf)],
    ["an overlong 4-byte sequence (F0 8F BF BF)", bytes(0xf0, 0x8f, 0xbf, 0xbf)],
    ["a high surrogate code point (ED A0 80)", bytes(0xed, 0xa0, 0x80)],
    ["a low surrogate code point (ED BF BF)", bytes(0xed, 0xbf, 0xbf)],
    ["an encoded surrogate pair (CESU-8)", bytes(0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80)],
    ["a code point above U+10FFFF (F4 90 80 80)", bytes(0xf4, 0x90, 0x80, 0x80)],
    ["a 5-byte lead (F8)", bytes(0xf8, 0x88, 0x80, 0x80, 0x80)],
    ["byte F5", bytes(0xf5, 0x80, 0x80, 0x80)],
    ["byte FE", bytes(0xfe)],
    ["byte FF", bytes(0xff)],
    ["an invalid byte after 20 ASCII ones", bytes(...new Array<number>(20).fill(0x61), 0xff)],
  ];
  for (const [name, b] of invalid) {
    it(`rejects ${name}`, () => {
      const { buf, from, to } = embedded(b);
      expect(decodeUtf8(buf, from, to)).toBeUndefined();
    });
  }

  const valid: [string, Uint8Array, string][] = [
    ["the smallest 2-byte sequence", bytes(0xc2, 0x80), "\u0080"],
    ["the smallest 3-byte sequence", bytes(0xe0, 0xa0, 0x80), "\u0800"],
    ["the last code point before the surrogates", bytes(0xed, 0x9f, 0xbf), "\ud7ff"],
    ["the first code point after the surrogates", bytes(0xee, 0x80, 0x80), "\ue000"],
    ["the smallest 4-byte sequence", bytes(0xf0, 0x90, 0x80, 0x80), "\u{10000}"],
    ["the largest code point", bytes(0xf4, 0x8f, 0xbf, 0xbf), "\u{10ffff}"],
    ["a byte-order mark, kept", bytes(0xef, 0xbb, 0xbf, 0x41), "\ufeffA"],
    ["NUL", bytes(0x00), "\0"],
    ["nothing", bytes(), ""],
  ];
  for (const [name, b, text] of valid) {
    it(`accepts ${name}`, () => {
      const { buf, from, to } = embedded(b);
      expect(decodeUtf8(buf, from, to)).toBe(text);
    });
  }

  it("keeps a byte-order mark at the start of a long text too", () => {
    const text = `\ufeff${"x".repeat(100)}\u00e9`;
    const { buf, from, to } = embedded(new TextEncoder().encode(text));
    expect(decodeUtf8(buf, from, to)).toBe(text);
  });

  it("cannot encode a string with an unpaired surrogate", () => {
    for (const text of [
      "\ud800",
      "a\udc00",
      "\ud800a",
      "\udc00\ud800",
      "\ud83d\ud83d",
      "x\ud83d",
    ]) {
      expect(encodedLengthUtf8(text), JSON.stringify(text)).toBe(-1);
    }
    fc.assert(
      fc.property(anyUnits, (text) => {
        const n = encodedLengthUtf8(text);
        if (isWellFormed(text)) expect(n).toBe(new TextEncoder().encode(text).length);
        else expect(n).toBe(-1);
      }),
    );
  });
});

// ---------------------------------------------------------------- UTF-16

const utf16 = [
  {
    name: "UTF-16LE",
    le: true,
    decode: decodeUtf16le,
    encode: encodeUtf16le,
    length: encodedLengthUtf16le,
  },
  {
    name: "UTF-16BE",
    le: false,
    decode: decodeUtf16be,
    encode: encodeUtf16be,
    length: encodedLengthUtf16be,
  },
] as const;

for (const { name, le, decode, encode, length } of utf16) {
  /** The bytes of a string in this byte order. */
  const encoded = (text: string): Uint8Array => (le ? utf16leOf(text) : swapPairs(utf16leOf(text)));

  describe(name, () => {
    it("round-trips random strings, astral characters included, and agrees with TextDecoder", () => {
      fc.assert(
        fc.property(anyText, fc.nat(5), (text, at) => {
          expect(length(text)).toBe(2 * text.length);
          const buf = new Uint8Array(at + 2 * text.length + 4).fill(0xee);
          expect(encode(buf, at, text)).toBe(2 * text.length);
          const written = buf.subarray(at, at + 2 * text.length);
          expect(written).toEqual(encoded(text));
          expect(buf.subarray(0, at).every((b) => b === 0xee)).toBe(true);
          expect(buf.subarray(at + 2 * text.length).every((b) => b === 0xee)).toBe(true);
          expect(decode(buf, at, at + 2 * text.length)).toBe(text);
          const asLe = le ? written : swapPairs(written);
          expect(reference(fatalUtf16le, asLe)).toBe(text);
        }),
        { numRuns: 1000 },
      );
    });

    it("decodes random bytes exactly as a fatal TextDecoder does", () => {
      const unit = fc.oneof(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        fc.integer({ min: 0, max: 0x7f }),
      );
      fc.assert(
        fc.property(fc.array(unit, { maxLength: 40 }), fc.boolean(), (units, oddTail) => {
          const le16 = utf16leOf(String.fromCharCode(...units));
          const withTail = oddTail ? Uint8Array.of(...le16, 0x41) : le16;
          const { buf, from, to } = embedded(le ? withTail : swapPairs(withTail));
          expect(decode(buf, from, to)).toBe(reference(fatalUtf16le, withTail));
        }),
        { numRuns: 3000 },
      );
    });

    const invalid: [string, string | Uint8Array][] = [
      ["an odd length", Uint8Array.of(0x41)],
      ["an odd length after whole units", Uint8Array.of(...encoded("abc"), 0x41)],
      ["a high surrogate at the end", "ab\ud83d"],
      ["a low surrogate alone", "a\ude00b"],
      ["a low surrogate first", "\ude00\ud83d"],
      ["two high surrogates", "\ud83d\ud83d\ude00"],
      ["a high surrogate before a non-surrogate", "\ud83dA"],
      ["a lone surrogate in a long text", `${"x".repeat(50)}\udfff${"y".repeat(50)}`],
    ];
    for (const [what, input] of invalid) {
      it(`rejects ${what}`, () => {
        const { buf, from, to } = embedded(typeof input === "string" ? encoded(input) : input);
        expect(decode(buf, from, to)).toBeUndefined();
        if (typeof input === "string") expect(length(input)).toBe(-1);
      });
    }

    it("keeps a byte-order mark, short or long", () => {
      for (const text of ["\ufeffA", `\ufeff${"long text ".repeat(10)}`, "\ufffe"]) {
        const { buf, from, to } = embedded(encoded(text));
        expect(decode(buf, from, to)).toBe(text);
      }
    });

    it("cannot encode exactly the strings with an unpaired surrogate", () => {
      fc.assert(
        fc.property(anyUnits, (text) => {
          expect(length(text)).toBe(isWellFormed(text) ? 2 * text.length : -1);
        }),
      );
    });
  });
}

describe("findNul16", () => {
  it("finds the first zero code unit, stepping by 2 from `from`", () => {
    for (const le of [true, false]) {
      const b = le ? utf16leOf("ab\0cd") : swapPairs(utf16leOf("ab\0cd"));
      const { buf, from, to } = embedded(b);
      expect(findNul16(buf, from, to, le)).toBe(from + 4);
    }
  });

  it("does not take a unit with one zero byte, or zeros straddling two units, as NUL", () => {
    // Units 0x0100 and 0x0001 in either order; the zero bytes at 1..2 straddle units.
    const b = Uint8Array.of(0x01, 0x00, 0x00, 0x01, 0x41, 0x00);
    for (const le of [true, false]) {
      expect(findNul16(b, 0, 6, le)).toBe(6);
    }
    // Counting from an odd start, the same zeros form a unit.
    expect(findNul16(b, 1, 6, true)).toBe(1);
  });

  it("gives `to` when there is no NUL, ignores a trailing odd byte, and handles empty ranges", () => {
    const b = Uint8Array.of(0x41, 0x00, 0x42, 0x00, 0x00);
    expect(findNul16(b, 0, 5, true)).toBe(5);
    expect(findNul16(b, 0, 4, true)).toBe(4);
    expect(findNul16(b, 2, 2, true)).toBe(2);
    expect(findNul16(new Uint8Array(4), 0, 4, false)).toBe(0);
  });

  it("agrees with a scan of decoded code units", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { maxLength: 30 }),
        fc.boolean(),
        (units, le) => {
          const le16 = utf16leOf(String.fromCharCode(...units));
          const { buf, from, to } = embedded(le ? le16 : swapPairs(le16));
          const k = units.indexOf(0);
          expect(findNul16(buf, from, to, le)).toBe(k < 0 ? to : from + 2 * k);
        },
      ),
    );
  });
});

// ---------------------------------------------------------------- ASCII

describe("ASCII", () => {
  it("accepts every byte up to 0x7F and rejects every byte from 0x80", () => {
    for (let b = 0; b < 256; b++) {
      const { buf, from, to } = embedded(Uint8Array.of(0x61, b, 0x62));
      expect(decodeAscii(buf, from, to)).toBe(b < 0x80 ? `a${String.fromCharCode(b)}b` : undefined);
      const text = String.fromCharCode(b);
      expect(encodedLengthAscii(text)).toBe(b < 0x80 ? 1 : -1);
    }
  });

  it("rejects characters beyond one byte, astral ones included", () => {
    for (const text of ["\u0100", "caf\u00e9", "\u{1f600}", "\ud800", "\uffff"]) {
      expect(encodedLengthAscii(text)).toBe(-1);
    }
  });

  it("round-trips random ASCII text, short and long", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii", maxLength: 200 }), fc.nat(5), (text, at) => {
        expect(encodedLengthAscii(text)).toBe(text.length);
        const buf = new Uint8Array(at + text.length + 4).fill(0xee);
        expect(encodeAscii(buf, at, text)).toBe(text.length);
        expect(buf.subarray(at + text.length).every((b) => b === 0xee)).toBe(true);
        expect(buf.subarray(at, at + text.length)).toEqual(new TextEncoder().encode(text));
        expect(decodeAscii(buf, at, at + text.length)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects a high byte at the end of a long text", () => {
    const b = Uint8Array.of(...new Array<number>(100).fill(0x61), 0x80);
    expect(decodeAscii(b, 0, b.length)).toBeUndefined();
    expect(decodeAscii(b, 0, b.length - 1)).toBe("a".repeat(100));
  });
});

describe("bytes in a SharedArrayBuffer", () => {
  it("decode as from an ordinary buffer (browsers' TextDecoder refuses shared views)", () => {
    const text = `${"shared memory ".repeat(8)}\u00e9\u{1f600}`;
    const utf8 = new TextEncoder().encode(text);
    const le16 = utf16leOf(text);
    const shared = new Uint8Array(new SharedArrayBuffer(1024));
    shared.set(utf8, 1);
    expect(decodeUtf8(shared, 1, 1 + utf8.length)).toBe(text);
    shared.set(le16, 1);
    expect(decodeUtf16le(shared, 1, 1 + le16.length)).toBe(text);
    shared.set(swapPairs(le16), 1);
    expect(decodeUtf16be(shared, 1, 1 + le16.length)).toBe(text);
    const ascii = "plain ascii text ".repeat(5);
    encodeAscii(shared, 3, ascii);
    expect(decodeAscii(shared, 3, 3 + ascii.length)).toBe(ascii);
  });
});
