/**
 * S-expression forms of the values that are not byte strings: an atom is a
 * byte string, so text goes in as its UTF-8 bytes (as an OCaml string would
 * hold it) and a UUID as its canonical text.
 */
import { atom, fail, SexpError, type At } from "./sexp-convert.js";
import { decodeUtf8 } from "./text.js";
import { isUuid } from "./uuid.js";

/** The atom of a text: its UTF-8 bytes, one character a byte. */
export function utf8Atom(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out += String.fromCharCode(c);
    else if (c < 0x800) out += String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000)
      out += String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else
      out += String.fromCharCode(
        0xf0 | (c >> 18),
        0x80 | ((c >> 12) & 0x3f),
        0x80 | ((c >> 6) & 0x3f),
        0x80 | (c & 0x3f),
      );
  }
  return out;
}

/** A text from an atom holding its UTF-8 bytes; invalid UTF-8 is an error, not a replacement. */
export function textAtom(at: At): string | SexpError {
  const bytes = atom(at);
  if (bytes instanceof SexpError) return bytes;
  const codes = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) codes[i] = bytes.charCodeAt(i);
  return (
    decodeUtf8(codes, 0, codes.length) ??
    fail(at, "expected text as UTF-8 bytes, got bytes that are not valid UTF-8")
  );
}

/** A UUID atom: canonical lowercase text. */
export function uuidAtom(at: At): string | SexpError {
  const text = atom(at);
  if (text instanceof SexpError || isUuid(text)) return text;
  return fail(at, `expected a UUID in lowercase canonical text, got ${JSON.stringify(text)}`);
}
