// Printers matching Sexplib0's Sexp.to_string_mach and Sexp.to_string_hum
// (default indent 1, Format's default margin 78). Both walk the value with an
// explicit stack so that deep nesting cannot overflow the call stack.

import type { Sexp } from "./sexp.js";
import { Formatter } from "./sexp-format.js";

/** Sexplib0's default indentation of list contents in to_string_hum. */
const HUM_INDENT = 1;

/**
 * Sexplib0's must_escape: whether an atom has to be printed quoted. True for
 * the empty atom, for atoms containing whitespace, control bytes, bytes
 * >= 127, `"`, `(`, `)`, `;` or `\`, and for atoms containing `#|` or `|#`
 * (which would read as block-comment delimiters).
 */
export function mustEscape(atom: string): boolean {
  if (atom.length === 0) return true;
  for (let i = 0; i < atom.length; i++) {
    const c = atom.charCodeAt(i);
    if (c <= 32 || c >= 127) return true;
    switch (atom[i]) {
      case '"':
      case "(":
      case ")":
      case ";":
      case "\\":
        return true;
      case "#":
        if (atom[i - 1] === "|") return true;
        break;
      case "|":
        if (atom[i - 1] === "#") return true;
        break;
    }
  }
  return false;
}

/**
 * Sexplib0's escaped (OCaml's String.escaped rules): `"` `\` newline, tab,
 * CR and backspace get a backslash escape, other bytes outside ' '..'~' get
 * a three-digit decimal escape, everything else (including `'`) is kept.
 */
function escapeBytes(atom: string): string {
  let out = "";
  let kept = 0;
  for (let i = 0; i < atom.length; i++) {
    const c = atom.charCodeAt(i);
    if (c >= 32 && c <= 126 && c !== 34 && c !== 92) continue;
    out += atom.slice(kept, i) + escapeByte(c);
    kept = i + 1;
  }
  return kept === 0 ? atom : out + atom.slice(kept);
}

function escapeByte(c: number): string {
  switch (c) {
    case 34:
      return '\\"';
    case 92:
      return "\\\\";
    case 10:
      return "\\n";
    case 9:
      return "\\t";
    case 13:
      return "\\r";
    case 8:
      return "\\b";
  }
  if (c > 255) {
    throw new RangeError(`atom character U+${c.toString(16).padStart(4, "0")} is not a byte`);
  }
  return "\\" + String(c).padStart(3, "0");
}

/** Sexplib0's esc_str: the atom escaped and wrapped in double quotes. */
export function escapeAtom(atom: string): string {
  return `"${escapeBytes(atom)}"`;
}

/** How an atom appears in machine output: bare if possible, else quoted. */
function machAtom(atom: string): string {
  return mustEscape(atom) ? escapeAtom(atom) : atom;
}

/** A list being printed and the index of its next element. */
interface Frame {
  readonly list: readonly Sexp[];
  next: number;
}

/**
 * Sexplib.Sexp.to_string_mach: no whitespace except a single space between
 * two consecutive bare atoms (quoted atoms and parentheses delimit themselves).
 * Throws RangeError if an atom has a character above 255.
 */
export function toStringMach(sexp: Sexp): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  // Whether the last thing printed was a bare atom, which a following bare
  // atom must be separated from.
  let afterBareAtom = false;
  const visit = (s: Sexp): void => {
    if (typeof s === "string") {
      const printed = machAtom(s);
      const bare = printed === s;
      if (afterBareAtom && bare) out.push(" ");
      out.push(printed);
      afterBareAtom = bare;
    } else {
      out.push("(");
      afterBareAtom = false;
      stack.push({ list: s, next: 0 });
    }
  };
  visit(sexp);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.list.length) {
      visit(top.list[top.next++]!);
    } else {
      out.push(")");
      afterBareAtom = false;
      stack.pop();
    }
  }
  return out.join("");
}

/**
 * Sexplib.Sexp.to_string_hum with the default indent of 1: each non-empty
 * list is a Format box (pp_open_box 1) with a break hint between elements,
 * laid out by Format with margin 78. An atom without newlines printed on its
 * own skips Format, as Sexplib does. Throws RangeError if an atom has a
 * character above 255.
 */
export function toStringHum(sexp: Sexp): string {
  if (typeof sexp === "string" && !sexp.includes("\n")) return machAtom(sexp);
  const f = new Formatter();
  const stack: Frame[] = [];
  const visit = (s: Sexp): void => {
    if (typeof s === "string") {
      printHumAtom(f, s);
    } else if (s.length === 0) {
      f.printString("()");
    } else {
      f.openBox(HUM_INDENT);
      f.printString("(");
      stack.push({ list: s, next: 0 });
    }
  };
  visit(sexp);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.list.length) {
      if (top.next > 0) f.printSpace();
      visit(top.list[top.next++]!);
    } else {
      f.printString(")");
      f.closeBox();
      stack.pop();
    }
  }
  return f.flush();
}

/**
 * Sexplib0's pp_hum_maybe_esc_str. An escaped atom with a newline before its
 * last character is printed one line at a time in a box of indent 0: each
 * line ends with a backslash continuation and the next starts with `\n`, so
 * the lines align under the opening quote (hence its leading space).
 */
function printHumAtom(f: Formatter, atom: string): void {
  if (!mustEscape(atom)) {
    f.printString(atom);
    return;
  }
  const firstNewline = atom.indexOf("\n");
  if (firstNewline < 0 || firstNewline === atom.length - 1) {
    f.printString(escapeAtom(atom));
    return;
  }
  f.openBox(0);
  f.printString(' "');
  atom.split("\n").forEach((line, i) => {
    if (i > 0) {
      f.printString("\\");
      f.forceNewline();
      f.printString("\\n");
    }
    f.printString(escapeBytes(line));
  });
  f.printString('"');
  f.closeBox();
}
