/**
 * Small building blocks shared by the emitters: a line collector for
 * function bodies, safe literals, doc comments and local variable names.
 */

/** Collects the statements of a function body. */
export class Code {
  readonly lines: string[] = [];

  line(text: string): this {
    this.lines.push(text);
    return this;
  }

  /** `head {` body `}`. */
  block(head: string, body: (code: Code) => void): this {
    this.lines.push(`${head} {`);
    body(this);
    this.lines.push("}");
    return this;
  }

  text(): string {
    return this.lines.join("\n");
  }
}

/**
 * Drops `pos = at;` where it is the first use of `pos` in a function's
 * lines (after its `let pos = at;`, if declared), where it changes nothing.
 */
export function dropNoOpPos(lines: string[]): void {
  const first = lines.findIndex((line) => line !== "let pos = at;" && /\bpos\b/.test(line));
  if (first >= 0 && lines[first] === "pos = at;") lines.splice(first, 1);
}

/** A string literal that means exactly `text`, whatever it contains. */
export function str(text: string): string {
  return JSON.stringify(text);
}

/** Text for a doc comment: `*\/` cannot end the comment early, and each line stays a comment line. */
export function docText(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  return text.trim().replace(/\*\//g, "*\\/").replace(/\r\n?/g, "\n");
}

/** Words that cannot name a local variable in strict-mode TypeScript. */
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval undefined " +
    "as any boolean constructor declare get module require number set string symbol type from of bigint never unknown object"
  ).split(" "),
);

/**
 * Local variable names for one generated function. Field names become locals
 * as they are, unless they are reserved words or clash with the function's
 * own variables, in which case they get a `_` suffix.
 */
export class Locals {
  private readonly taken: Set<string>;
  private readonly byField = new Map<string, string>();

  constructor(internal: readonly string[]) {
    this.taken = new Set(internal);
  }

  /** The local holding a field's value. */
  field(name: string): string {
    let local = this.byField.get(name);
    if (local === undefined) {
      local = this.fresh(name);
      this.byField.set(name, local);
    }
    return local;
  }

  has(name: string): boolean {
    return this.byField.has(name);
  }

  /** Makes `local` the local holding `name` (a record parameter's, which the function takes). */
  bind(name: string, local: string): void {
    this.taken.add(local);
    this.byField.set(name, local);
  }

  /** A new local name based on `base`. */
  fresh(base: string): string {
    let name = base;
    while (RESERVED.has(name) || this.taken.has(name)) name += "_";
    this.taken.add(name);
    return name;
  }
}

/** A property access that is valid whatever the property name is. */
export function prop(object: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${object}.${name}` : `${object}[${str(name)}]`;
}

/** A numeric literal; hexadecimal for magic numbers and masks. */
export function hexLiteral(n: number | bigint, bigint: boolean): string {
  const text = n < 0 ? `-0x${(-BigInt(n)).toString(16)}` : `0x${n.toString(16)}`;
  return bigint ? `${text}n` : text;
}

/** Text for inside a template literal: backslashes, backticks and `${` stay literal, and a CR stays a CR. */
export function templateText(text: string): string {
  return text.replace(/[\\`$]/g, (c) => `\\${c}`).replace(/\r/g, "\\r");
}

/** "a" or "an" before a name. */
export function article(name: string): string {
  return /^[AEIOUaeiou]/.test(name) ? "an" : "a";
}

/** The local holding a field's stored integer, where its value is something else (an enum's name, a nested flags word's object). */
export function rawName(name: string): string {
  return `${name}_raw`;
}
