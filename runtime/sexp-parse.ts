// A reader for exactly one S-expression, accepting the same language as
// Sexplib's Sexp.of_string (which runs Parsexp's automaton). It scans the
// text once, keeps open lists on an explicit stack, and records where every
// element starts so later conversions can point at the offending element.
// Deep nesting stays linear and cheap: the elements of all open lists share
// one stack, and a list's array is cut from it at its exact size when the
// list closes; where elements start is kept as offsets, and turned into
// line/column locations, list by list, only when first asked for (a map
// entry and location objects per list made a million nested lists take
// seconds).

import type { Sexp, SexpLoc } from "./sexp.js";

/** Where each parsed element starts. */
export interface SexpLocations {
  /** The location of the whole S-expression. */
  root: SexpLoc;
  /**
   * For each parsed list, the location of each of its elements, index for
   * index (worked out for all lists on the first call).
   */
  children: { get(list: readonly Sexp[]): readonly SexpLoc[] | undefined };
}

/** A syntax error; `message` starts with "line L, col C: ". */
export interface SexpSyntaxError {
  loc: SexpLoc;
  message: string;
}

/** The outcome of {@link parseSexp}. */
export type SexpParseResult =
  { ok: true; value: Sexp; locations: SexpLocations } | { ok: false; error: SexpSyntaxError };

/**
 * Parse text holding exactly one S-expression, optionally surrounded by
 * whitespace and comments. Characters are bytes, so text read from a file
 * should be decoded as latin1; a character above 255 in an atom is an error.
 * Never throws; runs in linear time with no recursion.
 */
export function parseSexp(text: string): SexpParseResult {
  try {
    return new Reader(text).read();
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: e.error };
    throw e;
  }
}

/** Thrown inside the reader to abandon the parse; never escapes parseSexp. */
class SyntaxFailure extends Error {
  constructor(readonly error: SexpSyntaxError) {
    super(error.message);
  }
}

const TAB = 9;
const LF = 10;
const FF = 12;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const LPAREN = 40;
const RPAREN = 41;
const SEMI = 59;
const BACKSLASH = 92;
const PIPE = 124;

/** Whitespace between tokens. Vertical tab is not included: Sexplib reads it as an atom character. */
function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === FF;
}

/** Characters that end an unquoted atom without being part of it. */
function endsUnquotedAtom(c: number): boolean {
  return (
    isBlank(c) || c === LF || c === CR || c === LPAREN || c === RPAREN || c === QUOTE || c === SEMI
  );
}

/** `#|` or `|#`, as two adjacent characters. */
function isCommentDelimiter(first: number, second: number): boolean {
  return (first === HASH && second === PIPE) || (first === PIPE && second === HASH);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (isDigit(c)) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The single-character escapes of quoted atoms; any other escaped character keeps its backslash. */
const SIMPLE_ESCAPES: ReadonlyMap<number, string> = new Map([
  [110, "\n"],
  [116, "\t"],
  [98, "\b"],
  [114, "\r"],
  [BACKSLASH, "\\"],
  [39, "'"],
  [QUOTE, '"'],
]);

/** A `#;` still waiting for the S-expression it discards, at list depth `depth`. */
interface DatumComment {
  readonly depth: number;
  readonly loc: SexpLoc;
}

class Reader {
  private pos = 0;
  private line = 1;
  /** Offset of the first character of the current line. */
  private bol = 0;
  /**
   * Each list whose closing parenthesis has not been read yet, as three
   * numbers: its offset, where its elements start on `values`, and how many
   * lists had closed when it opened (to drop a `#;`-discarded one's).
   */
  private readonly open: number[] = [];
  /** How many lists are open. */
  private depth = 0;
  /** The elements read so far of all open lists, innermost last, and where each starts. */
  private readonly values: Sexp[] = [];
  private readonly valueOffsets: number[] = [];
  /**
   * How many of `values` and `valueOffsets` are in use. The arrays never
   * shrink: emptying one (length = 0) drops its storage, and nesting would
   * then allocate it anew at every level.
   */
  private top = 0;
  private readonly datumComments: DatumComment[] = [];
  /** Where each closed list's elements start, lists in the order they closed. */
  private readonly closedOffsets: number[] = [];
  /** For each closed list, where its offsets end in `closedOffsets`. */
  private readonly closedEnds: number[] = [];
  private lines: LineTable | undefined;
  private root: { value: Sexp; loc: SexpLoc } | undefined;

  constructor(private readonly text: string) {}

  read(): SexpParseResult {
    while (this.pos < this.text.length) this.readToken();
    return this.finish();
  }

  private readToken(): void {
    const c = this.text.charCodeAt(this.pos);
    if (c === LPAREN) this.openList();
    else if (c === RPAREN) this.closeList();
    else if (isBlank(c)) this.pos++;
    else if (c === LF) this.newline();
    else if (c === CR) this.crlf();
    else if (c === SEMI) this.skipLineComment();
    else if (c === QUOTE) this.quotedAtom();
    else if (c === HASH) this.hash();
    else this.unquotedAtom();
  }

  private finish(): SexpParseResult {
    const unclosed = this.open[3 * (this.depth - 1)];
    if (this.depth > 0 && unclosed !== undefined) {
      this.fail(this.locOf(unclosed), "unbalanced parenthesis: '(' with no matching ')'");
    }
    const comment = this.datumComments[this.datumComments.length - 1];
    if (comment !== undefined) {
      this.fail(comment.loc, "'#;' is not followed by an S-expression");
    }
    if (this.root === undefined) {
      this.fail(this.here(), "no S-expression found in input");
    }
    const { value, loc } = this.root;
    const children = new LazyChildren(value, this.closedOffsets, this.closedEnds, (at) =>
      this.locOf(at),
    );
    return { ok: true, value, locations: { root: loc, children } };
  }

  /** The location of any offset (found from a table of line starts, made when first needed). */
  private locOf(at: number): SexpLoc {
    this.lines ??= new LineTable(this.text);
    return this.lines.locOf(at);
  }

  /** The location of offset `at`, which must be on the current line. */
  private locAt(at: number): SexpLoc {
    return { line: this.line, col: at - this.bol + 1, offset: at };
  }

  private here(): SexpLoc {
    return this.locAt(this.pos);
  }

  private fail(loc: SexpLoc, what: string): never {
    const message = `line ${loc.line}, col ${loc.col}: ${what}`;
    throw new SyntaxFailure({ loc, message });
  }

  /** Step over the line feed at `pos`. */
  private newline(): void {
    this.pos++;
    this.line++;
    this.bol = this.pos;
  }

  /** Outside atoms and block comments, a carriage return must start a CRLF pair. */
  private crlf(): void {
    if (this.text.charCodeAt(this.pos + 1) !== LF) {
      this.fail(this.here(), "carriage return not followed by a line feed");
    }
    this.pos++;
    this.newline();
  }

  /** Skip to the end of the line, leaving the line break itself to be read. */
  private skipLineComment(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === LF || c === CR) return;
      this.pos++;
    }
  }

  /** `#|` starts a block comment, `#;` a datum comment, anything else an atom. */
  private hash(): void {
    const next = this.text.charCodeAt(this.pos + 1);
    if (next === PIPE) {
      this.skipBlockComment();
    } else if (next === SEMI) {
      this.datumComments.push({ depth: this.depth, loc: this.here() });
      this.pos += 2;
    } else {
      this.unquotedAtom();
    }
  }

  /** Sexplib reads a single text as a single S-expression: a second one is an error. */
  private startSexp(at: number): void {
    if (this.root !== undefined && this.datumComments.length === 0) {
      this.fail(this.locAt(at), "S-expression followed by data");
    }
  }

  /**
   * File a complete S-expression starting at offset `at`: discarded by a
   * pending `#;` at its depth (returning false), else added.
   */
  private addSexp(value: Sexp, at: number): boolean {
    const depth = this.depth;
    const comment = this.datumComments[this.datumComments.length - 1];
    if (comment !== undefined) {
      if (comment.depth > depth) {
        this.fail(comment.loc, "'#;' is not followed by an S-expression");
      }
      if (comment.depth === depth) {
        this.datumComments.pop();
        return false;
      }
    }
    if (depth === 0) {
      this.root = { value, loc: this.locOf(at) };
    } else {
      this.values[this.top] = value;
      this.valueOffsets[this.top] = at;
      this.top++;
    }
    return true;
  }

  private openList(): void {
    this.startSexp(this.pos);
    this.open.push(this.pos, this.top, this.closedEnds.length);
    this.depth++;
    this.pos++;
  }

  private closeList(): void {
    if (this.depth === 0) {
      this.fail(this.here(), "unbalanced parenthesis: ')' with no matching '('");
    }
    this.pos++;
    this.depth--;
    const closedBefore = this.open.pop() as number;
    const start = this.open.pop() as number;
    const at = this.open.pop() as number;
    const items = this.values.slice(start, this.top);
    for (let i = start; i < this.top; i++) this.closedOffsets.push(this.valueOffsets[i] as number);
    this.closedEnds.push(this.closedOffsets.length);
    this.top = start;
    if (!this.addSexp(items, at)) {
      // Discarded by `#;`: so are the lists inside it.
      this.closedEnds.length = closedBefore;
      this.closedOffsets.length = this.closedEnds[closedBefore - 1] ?? 0;
    }
  }

  /**
   * An unquoted atom runs up to whitespace, a parenthesis, a quote or `;`.
   * It may contain `#` and `|` but not `#|` or `|#`, which Sexplib rejects
   * rather than guess whether a comment delimiter was meant.
   */
  private unquotedAtom(): void {
    const t = this.text;
    const start = this.pos;
    this.startSexp(start);
    let i = start;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (endsUnquotedAtom(c)) break;
      if (c > 255) this.failNotByte(this.locAt(i), c);
      if (i > start && isCommentDelimiter(t.charCodeAt(i - 1), c)) {
        const what =
          i - 1 === start
            ? "'|#' outside of a block comment"
            : `comment delimiter '${t.slice(i - 1, i + 1)}' inside an unquoted atom`;
        this.fail(this.locAt(i - 1), what);
      }
    }
    this.pos = i;
    this.addSexp(t.slice(start, i), start);
  }

  private failNotByte(loc: SexpLoc, c: number): never {
    const hex = c.toString(16).toUpperCase().padStart(4, "0");
    this.fail(loc, `character U+${hex} in an atom: atoms are bytes (0..255)`);
  }

  private quotedAtom(): void {
    const start = this.pos;
    const loc = this.here();
    this.startSexp(start);
    this.pos++;
    const parts: string[] = [];
    this.scanQuoted(parts, () => this.fail(loc, "unterminated quoted atom"));
    this.addSexp(parts.join(""), start);
  }

  /**
   * Scan the body of a quoted string up to and including its closing quote,
   * starting just after the opening one. Decoded text goes to `sink`; block
   * comments pass none, as their quoted strings are only checked. `atEof`
   * reports running out of text.
   */
  private scanQuoted(sink: string[] | undefined, atEof: () => never): void {
    const t = this.text;
    let kept = this.pos;
    const keep = (): void => {
      sink?.push(t.slice(kept, this.pos));
    };
    for (;;) {
      if (this.pos >= t.length) atEof();
      const c = t.charCodeAt(this.pos);
      if (c === QUOTE) {
        keep();
        this.pos++;
        return;
      }
      if (c === BACKSLASH) {
        keep();
        this.escape(sink, atEof);
        kept = this.pos;
      } else if (c === LF) {
        this.newline();
      } else {
        if (c > 255 && sink !== undefined) this.failNotByte(this.here(), c);
        this.pos++;
      }
    }
  }

  /** Decode the escape sequence whose backslash is at `pos`. */
  private escape(sink: string[] | undefined, atEof: () => never): void {
    const t = this.text;
    const loc = this.here();
    this.pos++;
    if (this.pos >= t.length) atEof();
    const c = t.charCodeAt(this.pos);
    if (c === LF) {
      this.newline();
      this.skipIndentation();
    } else if (c === CR) {
      this.backslashCr(sink, atEof);
    } else if (c === 120 /* x */) {
      // Decoded even without a sink: escapes in block comments must be valid too.
      const byte = this.hexEscape(loc, atEof);
      sink?.push(String.fromCharCode(byte));
    } else if (isDigit(c)) {
      const byte = this.decimalEscape(loc, atEof);
      sink?.push(String.fromCharCode(byte));
    } else {
      if (c > 255 && sink !== undefined) this.failNotByte(this.here(), c);
      sink?.push(SIMPLE_ESCAPES.get(c) ?? "\\" + t[this.pos]);
      this.pos++;
    }
  }

  /** Continuation lines may be indented: blanks after backslash-newline are dropped. */
  private skipIndentation(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== SPACE && c !== TAB) return;
      this.pos++;
    }
  }

  /**
   * Backslash-CRLF is a continuation like backslash-newline. A backslash
   * before a lone CR is dropped and the CR kept (Parsexp's behaviour).
   */
  private backslashCr(sink: string[] | undefined, atEof: () => never): void {
    this.pos++;
    if (this.pos >= this.text.length) atEof();
    if (this.text.charCodeAt(this.pos) === LF) {
      this.newline();
      this.skipIndentation();
    } else {
      sink?.push("\r");
    }
  }

  /** `\xHH`, with `pos` on the `x`: exactly two hexadecimal digits. */
  private hexEscape(loc: SexpLoc, atEof: () => never): number {
    let value = 0;
    for (let k = 1; k <= 2; k++) {
      if (this.pos + k >= this.text.length) atEof();
      const digit = hexValue(this.text.charCodeAt(this.pos + k));
      if (digit < 0) {
        this.fail(loc, "escape '\\x' must be followed by two hexadecimal digits");
      }
      value = value * 16 + digit;
    }
    this.pos += 3;
    return value;
  }

  /** `\DDD`, with `pos` on the first digit: exactly three decimal digits, at most 255. */
  private decimalEscape(loc: SexpLoc, atEof: () => never): number {
    let value = 0;
    for (let k = 0; k < 3; k++) {
      if (this.pos + k >= this.text.length) atEof();
      const c = this.text.charCodeAt(this.pos + k);
      if (!isDigit(c)) {
        this.fail(loc, "decimal escape must have exactly three digits ('\\DDD')");
      }
      value = value * 10 + (c - 48);
    }
    if (value > 255) {
      this.fail(loc, `decimal escape '\\${value}' is out of range (0..255)`);
    }
    this.pos += 3;
    return value;
  }

  /**
   * Skip a block comment, `#|` to `|#`, nesting. Quoted strings inside are
   * scanned as strings (a `|#` in them does not end the comment), and their
   * escapes must be valid, as in Sexplib.
   */
  private skipBlockComment(): void {
    const t = this.text;
    const opened: SexpLoc[] = [this.here()];
    this.pos += 2;
    const unterminated = (): never =>
      this.fail(opened[opened.length - 1]!, "unterminated block comment");
    while (opened.length > 0) {
      if (this.pos >= t.length) unterminated();
      const c = t.charCodeAt(this.pos);
      const next = t.charCodeAt(this.pos + 1);
      if (c === HASH && next === PIPE) {
        opened.push(this.here());
        this.pos += 2;
      } else if (c === PIPE && next === HASH) {
        opened.pop();
        this.pos += 2;
      } else if (c === QUOTE) {
        this.pos++;
        this.scanQuoted(undefined, unterminated);
      } else if (c === LF) {
        this.newline();
      } else {
        this.pos++;
      }
    }
  }
}

/** Offsets to line/column locations: lines end at line feeds (as the reader counts them). */
class LineTable {
  /** The offset of the first character of each line. */
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) {
      this.starts.push(at + 1);
    }
  }

  locOf(offset: number): SexpLoc {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - (this.starts[low] as number) + 1, offset };
  }
}

/**
 * The locations of each list's elements, worked out on the first call: the
 * lists closed in post-order, so a post-order walk of the value meets them
 * in the order their element offsets were recorded.
 */
class LazyChildren {
  private map: WeakMap<readonly Sexp[], readonly SexpLoc[]> | undefined;

  constructor(
    private readonly root: Sexp,
    private readonly offsets: readonly number[],
    private readonly ends: readonly number[],
    private readonly locOf: (offset: number) => SexpLoc,
  ) {}

  get(list: readonly Sexp[]): readonly SexpLoc[] | undefined {
    this.map ??= this.build();
    return this.map.get(list);
  }

  private build(): WeakMap<readonly Sexp[], readonly SexpLoc[]> {
    const map = new WeakMap<readonly Sexp[], readonly SexpLoc[]>();
    if (typeof this.root === "string") return map;
    let closed = 0;
    // Each entry: a list and how many of its elements have been walked.
    const stack: Array<{ list: readonly Sexp[]; next: number }> = [{ list: this.root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { list: readonly Sexp[]; next: number };
      const child = top.list[top.next];
      if (child !== undefined) {
        top.next++;
        if (typeof child !== "string") stack.push({ list: child, next: 0 });
        continue;
      }
      stack.pop();
      const from = closed === 0 ? 0 : (this.ends[closed - 1] as number);
      const to = this.ends[closed] as number;
      const locs: SexpLoc[] = [];
      for (let i = from; i < to; i++) locs.push(this.locOf(this.offsets[i] as number));
      map.set(top.list, locs);
      closed++;
    }
    return map;
  }
}
