/**
 * Helpers for generated S-expression converters, accepting what
 * ppx_sexp_conv's generated `t_of_sexp` (with sexplib0's defaults) accepts:
 * records are lists of `(field value)` pairs in any order; options `()`,
 * `None`, `none`, `(x)`, `(Some x)` or `(some x)`; booleans `true`, `True`,
 * `false`, `False`; variants `Name` or `(Name arg)`; integers in OCaml's
 * `of_string` syntax. Errors are values naming the field path and, for
 * parsed text, the line and column.
 */
import type { Sexp, SexpLoc } from "./sexp.js";
import { parseSexp, type SexpLocations } from "./sexp-parse.js";

/** Why an S-expression is not a value of the expected type. */
export class SexpError {
  constructor(
    /** Field path of the offending element, e.g. `additional.refcount_order`. */
    readonly path: string,
    /** Where it starts in the parsed text, if the S-expression came from text. */
    readonly loc: SexpLoc | undefined,
    readonly reason: string,
  ) {}

  /** `line 3, col 7: additional.refcount_order: expected an int32, got "x"`. */
  get message(): string {
    const where = this.loc === undefined ? "" : `line ${this.loc.line}, col ${this.loc.col}: `;
    return `${where}${this.path === "" ? "" : `${this.path}: `}${this.reason}`;
  }

  toString(): string {
    return this.message;
  }
}

/** An element being converted: the node, where it sits, and its field path. */
export interface At {
  readonly node: Sexp;
  readonly path: string;
  readonly parent: readonly Sexp[] | undefined;
  readonly index: number;
  readonly locations: SexpLocations | undefined;
}

/** The root of a conversion. */
export function rootAt(node: Sexp, locations?: SexpLocations): At {
  return { node, path: "", parent: undefined, index: 0, locations };
}

function childAt(at: At, list: readonly Sexp[], index: number, path: string): At {
  return { node: list[index]!, path, parent: list, index, locations: at.locations };
}

function locate(at: At): SexpLoc | undefined {
  if (at.locations === undefined) return undefined;
  if (at.parent === undefined) return at.locations.root;
  return at.locations.children.get(at.parent)?.[at.index];
}

export function fail(at: At, reason: string): SexpError {
  return new SexpError(at.path, locate(at), reason);
}

/** A short rendering of a node for messages. */
function shown(node: Sexp): string {
  if (typeof node === "string")
    return JSON.stringify(node.length > 30 ? `${node.slice(0, 30)}...` : node);
  return node.length === 0 ? "()" : "a list";
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

/** The elements of a list, each with its own location and path `path[i]`. */
export function elements(at: At): At[] | SexpError {
  if (typeof at.node === "string") return fail(at, `expected a list, got ${shown(at.node)}`);
  const list = at.node;
  return list.map((_, i) => childAt(at, list, i, `${at.path}[${i}]`));
}

/** The `(name value)` pairs of a record, by name; rejects unknown and repeated fields. */
export function recordFields(at: At, names: readonly string[]): Map<string, At> | SexpError {
  if (typeof at.node === "string")
    return fail(at, `expected a record (a list of (field value) pairs), got ${shown(at.node)}`);
  const fields = new Map<string, At>();
  const list = at.node;
  for (let i = 0; i < list.length; i++) {
    const pair = list[i]!;
    const pairAt = childAt(at, list, i, at.path);
    if (typeof pair === "string" || pair.length !== 2 || typeof pair[0] !== "string") {
      return fail(pairAt, `expected a (field value) pair, got ${shown(pair)}`);
    }
    const name = pair[0];
    const nameAt = childAt(pairAt, pair, 0, join(at.path, name));
    if (!names.includes(name))
      return fail(nameAt, `unknown field ${name}; expected one of: ${names.join(", ")}`);
    if (fields.has(name)) return fail(nameAt, `field ${name} is given twice`);
    fields.set(name, childAt(pairAt, pair, 1, join(at.path, name)));
  }
  return fields;
}

/** A field that has no default: missing is an error at the record. */
export function required(fields: Map<string, At>, record: At, name: string): At | SexpError {
  return fields.get(name) ?? fail(record, `missing field ${name}`);
}

export function atom(at: At): string | SexpError {
  return typeof at.node === "string"
    ? at.node
    : fail(at, `expected an atom, got ${shown(at.node)}`);
}

/** sexplib's `bool_of_sexp`: `true` or `True`, `false` or `False`. */
export function bool(at: At): boolean | SexpError {
  if (at.node === "true" || at.node === "True") return true;
  if (at.node === "false" || at.node === "False") return false;
  return fail(at, `expected true or false, got ${shown(at.node)}`);
}

const INTEGER_SYNTAX =
  /^([+-]?)(?:0[xX]([0-9a-fA-F][0-9a-fA-F_]*)|0[oO]([0-7][0-7_]*)|0[bB]([01][01_]*)|0[uU]([0-9][0-9_]*)|([0-9][0-9_]*))$/;

/**
 * The parts of an integer in OCaml's `of_string` syntax: an optional `-` or
 * `+`, then decimal digits, or `0x`, `0o`, `0b` or `0u` (unsigned decimal)
 * and digits, with `_` anywhere after the first digit.
 */
function integerParts(
  text: string,
): { negative: boolean; decimal: boolean; magnitude: bigint } | undefined {
  const m = INTEGER_SYNTAX.exec(text);
  if (m === null) return undefined;
  const [radix, digits] =
    m[2] !== undefined
      ? ["0x", m[2]]
      : m[3] !== undefined
        ? ["0o", m[3]]
        : m[4] !== undefined
          ? ["0b", m[4]]
          : ["", m[5] ?? m[6] ?? ""];
  return {
    negative: m[1] === "-",
    decimal: m[6] !== undefined,
    magnitude: BigInt(`${radix}${digits.replace(/_/g, "")}`),
  };
}

/**
 * An integer as OCaml's `Int32.of_string`, `int_of_string` and
 * `Int64.of_string` read it (`bits` 32, 63 and 64). Decimal must fit the
 * signed range; the other forms may use the whole unsigned range and wrap,
 * sign included, to a signed value (`0xFFFFFFFF` is -1 and `-0xFFFFFFFF` is
 * 1 in an int32), as OCaml's parser does.
 */
export function ocamlInteger(text: string, bits: 32 | 63 | 64): bigint | undefined {
  const p = integerParts(text);
  if (p === undefined) return undefined;
  const width = BigInt(bits);
  if (p.decimal) {
    const half = 1n << (width - 1n);
    if (p.negative ? p.magnitude > half : p.magnitude >= half) return undefined;
    return p.negative ? -p.magnitude : p.magnitude;
  }
  if (p.magnitude >= 1n << width) return undefined;
  return BigInt.asIntN(bits, p.negative ? -p.magnitude : p.magnitude);
}

/** An unsigned integer of `bits` bits (no OCaml type): the same syntax, in range, no wrapping. */
function unsignedInteger(text: string, bits: number): bigint | undefined {
  const p = integerParts(text);
  if (p === undefined) return undefined;
  const value = p.negative ? -p.magnitude : p.magnitude;
  return value >= 0n && value < 1n << BigInt(bits) ? value : undefined;
}

function intName(bits: number, signed: boolean): string {
  if (bits <= 16) return "OCaml int";
  return bits === 64 ? (signed ? "int64" : "uint64") : signed ? "int32" : "uint32";
}

/**
 * An integer of at most 32 bits. An 8- or 16-bit field is an OCaml `int`
 * (63 bits) in S-expressions, as the OCaml library types such fields; any
 * such int within what a number holds exactly (2^53) is accepted, and
 * `write` refuses what the field cannot store. A 32-bit field is an `int32`.
 */
export function int(at: At, bits: number, signed: boolean): number | SexpError {
  const text = typeof at.node === "string" ? at.node : undefined;
  const value =
    text === undefined
      ? undefined
      : bits <= 16
        ? ocamlInteger(text, 63)
        : signed
          ? ocamlInteger(text, 32)
          : unsignedInteger(text, bits);
  if (value === undefined)
    return fail(at, `expected an ${intName(bits, signed)}, got ${shown(at.node)}`);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    return fail(at, `${value} is an OCaml int, but beyond 2^53 a number cannot hold it exactly`);
  return Number(value);
}

/** A bit field part of `bits` (1 to 32) bits: an integer from 0 to 2^bits - 1. */
export function uintBits(at: At, bits: number): number | SexpError {
  const value = typeof at.node === "string" ? unsignedInteger(at.node, bits) : undefined;
  return value === undefined
    ? fail(at, `expected an integer from 0 to ${2 ** bits - 1}, got ${shown(at.node)}`)
    : Number(value);
}

/** A bit field part of `bits` (33 to 64) bits, as a bigint. */
export function uintBits64(at: At, bits: number): bigint | SexpError {
  const value = typeof at.node === "string" ? unsignedInteger(at.node, bits) : undefined;
  return value === undefined
    ? fail(at, `expected an integer from 0 to ${(1n << BigInt(bits)) - 1n}, got ${shown(at.node)}`)
    : value;
}

/** A 64-bit integer: an OCaml `int64` if signed. */
export function int64(at: At, signed: boolean): bigint | SexpError {
  const text = typeof at.node === "string" ? at.node : undefined;
  const value =
    text === undefined ? undefined : signed ? ocamlInteger(text, 64) : unsignedInteger(text, 64);
  return value === undefined
    ? fail(at, `expected an ${intName(64, signed)}, got ${shown(at.node)}`)
    : value;
}

/**
 * sexplib's `option_of_sexp` (with its default, reading the old format too):
 * `()`, `None` or `none` is absent; `(x)`, then `(Some x)` or `(some x)`, is
 * x. `(Some)` is therefore the value `Some`, as in OCaml.
 */
export function option(at: At): At | undefined | SexpError {
  const node = at.node;
  if (node === "None" || node === "none") return undefined;
  if (typeof node !== "string") {
    if (node.length === 0) return undefined;
    if (node.length === 1) return childAt(at, node, 0, at.path);
    if (node.length === 2 && (node[0] === "Some" || node[0] === "some"))
      return childAt(at, node, 1, at.path);
  }
  return fail(at, `expected (), None, (value) or (Some value), got ${shown(node)}`);
}

/** A variant: `Name` or `(Name arg)`. */
export function variant(at: At): { name: string; arg: At | undefined } | SexpError {
  if (typeof at.node === "string") return { name: at.node, arg: undefined };
  const list = at.node;
  if (list.length === 2 && typeof list[0] === "string")
    return { name: list[0], arg: childAt(at, list, 1, at.path) };
  return fail(at, `expected a constructor or (Constructor argument), got ${shown(list)}`);
}

/**
 * A variant that may carry a kept part after its argument:
 * `Name`, `(Name arg)` or `(Name arg (key value))`.
 */
export function keptVariant(
  at: At,
  key: string,
): { name: string; arg: At | undefined; kept: At | undefined } | SexpError {
  const list = at.node;
  if (typeof list !== "string" && list.length === 3 && typeof list[0] === "string") {
    const extra = list[2]!;
    if (typeof extra === "string" || extra.length !== 2 || extra[0] !== key)
      return fail(
        childAt(at, list, 2, join(at.path, key)),
        `expected (${key} value) after the argument`,
      );
    return {
      name: list[0],
      arg: childAt(at, list, 1, at.path),
      kept: childAt(at, extra, 1, join(at.path, key)),
    };
  }
  const plain = variant(at);
  return plain instanceof SexpError ? plain : { ...plain, kept: undefined };
}

/** The `n` elements of a tuple `(a b ...)`. */
export function tuple(at: At, n: number): At[] | SexpError {
  const items = elements(at);
  if (items instanceof SexpError) return items;
  return items.length === n
    ? items
    : fail(at, `expected a list of ${n} elements, got ${items.length}`);
}

/** Parses text and converts it with `convert`; syntax errors become SexpErrors too. */
export function fromText<T>(text: string, convert: (at: At) => T | SexpError): T | SexpError {
  const parsed = parseSexp(text);
  if (!parsed.ok)
    return new SexpError(
      "",
      parsed.error.loc,
      parsed.error.message.replace(/^line \d+, col \d+: /, ""),
    );
  return convert(rootAt(parsed.value, parsed.locations));
}

/** The same element under a named path, for a variant's named argument. */
export function named(at: At, name: string): At {
  return { ...at, path: join(at.path, name) };
}

/** A list whose elements all convert with `convert`. */
export function listOf<T>(at: At, convert: (at: At) => T | SexpError): T[] | SexpError {
  const items = elements(at);
  if (items instanceof SexpError) return items;
  const values: T[] = [];
  for (const item of items) {
    const value = convert(item);
    if (value instanceof SexpError) return value;
    values.push(value);
  }
  return values;
}

/** An option `()` / `(x)` converting its content with `convert`. */
export function optionOf<T>(at: At, convert: (at: At) => T | SexpError): T | undefined | SexpError {
  const inner = option(at);
  if (inner === undefined || inner instanceof SexpError) return inner;
  return convert(inner);
}

/** A record field that must be there. */
export function requiredField<T>(
  fields: Map<string, At>,
  record: At,
  name: string,
  convert: (at: At) => T | SexpError,
): T | SexpError {
  const at = fields.get(name);
  return at === undefined ? fail(record, `missing field ${name}`) : convert(at);
}

/** A record field that may be left out: missing means `fallback` (a default, or undefined). */
export function optionalField<T, D>(
  fields: Map<string, At>,
  name: string,
  convert: (at: At) => T | SexpError,
  fallback: D,
): T | D | SexpError {
  const at = fields.get(name);
  return at === undefined ? fallback : convert(at);
}
