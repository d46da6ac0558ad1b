/**
 * Random values of a model's root type, driven by the model alone: every
 * integer width, enum (with `{ unknown }` values for open ones), byte
 * string, record, array, union variant and optional member. Conditions are
 * decided from the fields already drawn where they can be, and at random
 * where they depend on computed offsets; values the codec then refuses to
 * write are drawn again by the caller. Hints steer unknown enum values and
 * fallback tags towards values the other revision knows, where the two
 * revisions differ.
 */
import type { Expr } from "../../expr.js";
import type {
  ComputedField,
  EnumDef,
  IntType,
  Member,
  Model,
  NumberText,
  Param,
  SwitchCase,
  TextEncoding,
  UnionDef,
  ValueField,
} from "../../model.js";
import {
  END_LENGTH_FIELD,
  fixedRecordSize,
  fixedTypeSize,
  textNumberMax,
  UNION_PADDING_PROPERTY,
} from "../../model.js";
import { checked, holds, intRange, range, type Range } from "../conditions.js";
import type { Rng } from "./prng.js";

/**
 * Stored values another revision knows and this one does not, by type name
 * (enum values, union tags); and, under `default FIELD`, the defaults the
 * other revision gives a field, so that values often equal them.
 */
export type Hints = Map<string, (number | string)[]>;

export const defaultHint = (field: string): string => `default ${field}`;

export type Obj = Record<string, unknown>;

/** The payload bytes `fields` take in `obj`, when simple to tell (else undefined). */
function payloadLength(fields: readonly ValueField[], obj: Obj): number | undefined {
  let total = 0;
  for (const m of fields) {
    const fixed = fixedTypeSize(m.type);
    const value = obj[m.name];
    if (fixed !== undefined) total += fixed;
    else if (m.type.kind === "bytes" && typeof value === "string")
      total +=
        value.length +
        (m.type.size.kind === "prefix"
          ? m.type.size.length.bits / 8
          : m.type.size.kind === "terminated"
            ? 1
            : 0);
    else if (m.type.kind === "array" && Array.isArray(value)) {
      const element = fixedRecordSize(m.type.element.members);
      if (element === undefined) return undefined;
      total += element * value.length;
    } else return undefined;
  }
  return total;
}

/**
 * Under `lone kept PART`: a part where the new revision keeps odd bytes and
 * the old one does not (see {@link keptParts}). Such bytes come only from
 * data that held them, which the old revision refused to read in the first
 * place, so new values sent to it leave them out.
 */
export const loneKeptHint = (part: string): string => `lone kept ${part}`;

/** The parts where a model keeps odd bytes: `Union end`, `Union padding`, and kept property names. */
export function keptParts(model: Model): Set<string> {
  const parts = new Set<string>();
  const members = (list: readonly Member[]): void => {
    for (const m of list) {
      if (m.kind === "padding" && m.keep !== undefined) parts.add(m.keep);
      if (m.kind === "value" && m.tail !== undefined) parts.add(m.tail);
      if (m.kind === "group") members(m.members);
    }
  };
  for (const def of model.types) {
    if (def.kind === "record") members(def.members);
    if (def.kind === "union" && def.endKept !== undefined) parts.add(`${def.name} end`);
    if (def.kind === "union" && def.paddingKept) parts.add(`${def.name} padding`);
  }
  return parts;
}

export function randomRoot(model: Model, rng: Rng, hints: Hints): Obj {
  return new Draw(rng, hints).record(model.root.members);
}

class Draw {
  constructor(
    readonly rng: Rng,
    readonly hints: Hints,
  ) {}

  /**
   * A record's value; `args` are its parameters' expressions over `outer`,
   * the enclosing record's raw values, and give the parameters' values
   * where they are decided.
   */
  record(
    members: readonly Member[],
    params: readonly Param[] = [],
    args: readonly Expr[] = [],
    outer = new Map<string, bigint>(),
  ): Obj {
    const obj: Obj = {};
    const env = new Map<string, bigint>();
    for (const [i, p] of params.entries()) {
      const arg = args[i];
      const v = arg === undefined ? undefined : this.decided(arg, outer);
      if (v !== undefined) env.set(p.name, BigInt(v));
    }
    this.members(members, obj, env);
    return obj;
  }

  /** The value of a switch's selector read ahead that picks the case for `when` (the default's: any other). */
  private aheadSelector(
    f: ValueField,
    cases: readonly SwitchCase[],
    when: number | undefined,
    env: Map<string, bigint>,
  ): number {
    if (when !== undefined) return when;
    const taken = new Set(cases.map((c) => c.when));
    for (let i = 0; i < 16; i++) {
      const v = Number(this.field(f, env));
      if (!taken.has(v)) return v;
    }
    // The draws keep to a few values (0, 1, the largest): the first free one.
    let v = 0;
    while (taken.has(v)) v++;
    return v;
  }

  /** Draws `members` into `obj`; `env` holds the raw values conditions and sizes may use. */
  private members(members: readonly Member[], obj: Obj, env: Map<string, bigint>): void {
    const chosen = selectors(members);
    for (const m of members) {
      if (m.kind === "value" && chosen.has(m.name) && this.rng.chance(0.9)) {
        obj[m.name] = this.selector(m, chosen.get(m.name)!, env);
        continue;
      }
      switch (m.kind) {
        case "switch": {
          // The case the selector picks (the default when no other is for it), or any when it
          // is not known: its fields fit their widths.
          const on = range(m.on, (name) => {
            const v = env.get(name);
            return v === undefined ? undefined : { lo: v, hi: v };
          });
          const known = on !== undefined && on.lo === on.hi ? on.lo : undefined;
          const picked =
            (known === undefined
              ? undefined
              : (m.cases.find((c) => c.when !== undefined && BigInt(c.when) === known) ??
                m.cases.find((c) => c.when === undefined))) ?? this.rng.pick(m.cases);
          for (const f of picked.members) {
            if (f.kind === "let") {
              // The case's value of the let, known once the fields it uses are drawn.
              const r = range(f.value, (name) => {
                const v = env.get(name);
                return v === undefined ? undefined : { lo: v, hi: v };
              });
              if (r !== undefined && r.lo === r.hi) env.set(f.name, r.lo);
            }
            if (f.kind === "flags") {
              // At the case's width; a 64-bit merged word's unknown bits are a bigint.
              this.members([f], obj, env);
              const word = m.flags.find((w) => w.name === f.name);
              const holder = f.nested === undefined ? obj : (obj[f.name] as Obj);
              if (word !== undefined && word.type.bits === 64 && f.type.bits < 64)
                holder[f.unknown] = BigInt(holder[f.unknown] as number);
              continue;
            }
            if (f.kind !== "value") continue;
            // A selector read ahead is the field the case stores: the case's value, or for
            // the default one a value no other case is for.
            if (m.ahead !== undefined && m.on.kind === "ref" && f.name === m.on.name) {
              const v = this.aheadSelector(f, m.cases, picked.when, env);
              obj[f.name] = v;
              env.set(f.name, BigInt(v));
              continue;
            }
            const v = this.field(f, env);
            const merged = m.fields.find((x) => x.name === f.name)?.type;
            obj[f.name] =
              merged?.kind === "int" && merged.bits === 64 && typeof v === "number" ? BigInt(v) : v;
          }
          break;
        }
        case "const":
          env.set(m.name, m.value);
          break;
        case "let": {
          // Known once the fields it uses are drawn, as the codec works it out.
          const r = range(m.value, (name) => {
            const v = env.get(name);
            return v === undefined ? undefined : { lo: v, hi: v };
          });
          if (r !== undefined && r.lo === r.hi) env.set(m.name, r.lo);
          break;
        }
        case "bitfield":
          for (const p of m.parts) {
            const v = this.rng.pick([0n, 1n, (1n << BigInt(p.bits)) - 1n, this.rng.bits(p.bits)]);
            obj[p.name] = p.bits > 32 ? v : Number(v);
            env.set(p.name, v);
          }
          break;
        case "flags": {
          if (m.nested !== undefined) {
            // Its object, when present; expressions see the stored word.
            if (this.present(m.cond, env)) {
              const inner: Obj = {};
              this.members([{ ...m, nested: undefined, cond: undefined }], inner, env);
              obj[m.name] = inner;
              env.set(
                m.name,
                m.flags.reduce(
                  (w, f) => (inner[f.name] === true ? w | (1n << BigInt(f.bit)) : w),
                  BigInt(inner[m.unknown] as number | bigint),
                ),
              );
            } else obj[m.name] = undefined;
            break;
          }
          for (const f of m.flags) obj[f.name] = this.rng.chance(0.5);
          let unknown = this.rng.chance(0.5) ? 0n : this.rng.bits(m.type.bits);
          for (const f of m.flags) unknown &= ~(1n << BigInt(f.bit));
          obj[m.unknown] = m.type.bits === 64 ? unknown : Number(unknown);
          break;
        }
        case "group":
          if (this.present(m.cond, env)) {
            const inner: Obj = {};
            this.members(m.members, inner, env);
            obj[m.name] = inner;
          } else {
            obj[m.name] = undefined;
          }
          break;
        case "value": {
          obj[m.name] = this.present(m.cond, env) ? this.field(m, env) : undefined;
          // A computed size or count of this field is known once it is drawn.
          const length = members.find(
            (c): c is ComputedField =>
              c.kind === "computed" && (c.of === "size" || c.of === "count") && c.target === m.name,
          );
          const stored = length === undefined ? undefined : lengthOf(m, obj[m.name]);
          if (length !== undefined && stored !== undefined) env.set(length.name, stored);
          if (m.tail !== undefined && this.keeps(m.tail)) {
            if (m.type.kind === "textInt") this.spelling(m.type.spelling, m.tail, obj[m.name], obj);
            else this.tail(m, m.tail, obj);
          }
          break;
        }
        case "padding":
          if (m.rest !== undefined) obj[m.rest] = this.rng.pick([0, 1, 512, this.rng.below(600)]);
          // Kept padding is there only when the padding is (conditional padding follows a field).
          if (m.keep !== undefined && (m.follows === undefined || obj[m.follows] !== undefined))
            if (this.keeps(m.keep) && this.rng.chance(0.3)) obj[m.keep] = this.odd(m.size);
          break;
        default:
          break;
      }
    }
  }

  private present(cond: ValueField["cond"], env: Map<string, bigint>): boolean {
    if (cond === undefined) return true;
    const known = (name: string): Range | undefined => {
      const v = env.get(name);
      return v === undefined ? undefined : { lo: v, hi: v };
    };
    const decided = holds(cond, known);
    return decided === "maybe" ? this.rng.chance(0.5) : decided === "always";
  }

  private field(m: ValueField, env: Map<string, bigint>): unknown {
    const t = m.type;
    switch (t.kind) {
      case "int": {
        if (m.split !== undefined || m.none !== undefined) return this.wholeOrNone(m, t, env);
        const other = this.hints.get(defaultHint(m.name)) ?? [];
        const d =
          m.default?.kind === "int" && this.rng.chance(0.3)
            ? m.default.value
            : other.length > 0 && this.rng.chance(0.3)
              ? BigInt(this.rng.pick(other))
              : m.valid.length > 0 && this.rng.chance(0.4)
                ? this.bound(t, m)
                : this.int(t);
        env.set(m.name, d);
        return t.bits === 64 ? d : Number(d);
      }
      case "enum": {
        const d = m.default;
        if (d?.kind === "enum" && this.rng.chance(0.3)) {
          const raw = t.enum.values.find((v) => v.name === d.name)?.value;
          if (typeof raw === "number") env.set(m.name, BigInt(raw));
          return d.name;
        }
        const value = this.enumValue(t.enum);
        const raw =
          typeof value === "string"
            ? t.enum.values.find((v) => v.name === value)?.value
            : value.unknown;
        if (typeof raw === "number") env.set(m.name, BigInt(raw));
        return value;
      }
      case "bytes": {
        if (t.size.kind === "expr") {
          const size = range(t.size.expr, (name) => {
            const v = env.get(name);
            return v === undefined ? undefined : { lo: v, hi: v };
          });
          if (size !== undefined && size.lo === size.hi) return this.bytes(Number(size.lo), 0);
        }
        if (m.default?.kind === "bytes" && this.rng.chance(0.3)) return m.default.value;
        const max = t.size.kind === "prefix" ? 2 ** t.size.length.bits - 1 : 64;
        const drawn = this.bytes(Math.min(this.length(), max), 0);
        // Terminated bytes cannot hold their terminator.
        return t.size.kind === "terminated"
          ? drawn.split(String.fromCharCode(t.size.byte)).join("")
          : drawn;
      }
      case "fixedString": {
        const drawn = this.bytes(this.rng.below(t.size + 1), 1);
        // A space-padded value never ends in a space: the padding would take it.
        return t.pad === "space" ? drawn.replace(/ +$/, "") : drawn;
      }
      case "textInt": {
        const max = textNumberMax(t.int, t.spelling);
        const d = this.rng.pick([0n, 1n, max, this.rng.bits(t.int.bits) % (max + 1n)]);
        env.set(m.name, d);
        return t.int.bits === 64 ? d : Number(d);
      }
      case "record":
        return this.record(t.record.members, t.record.params, t.args, env);
      case "array": {
        const count = t.count === undefined ? undefined : this.decided(t.count, env);
        return Array.from({ length: count ?? this.rng.below(4) }, () =>
          this.record(t.element.members, t.element.params, t.args, env),
        );
      }
      case "uuid": {
        const hex = Array.from({ length: 32 }, () => this.rng.below(16).toString(16)).join("");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      }
      case "text": {
        // A size computed from the text itself leaves the length free.
        const room = this.decided(t.size, env) ?? (t.size.kind === "ref" ? 16 : 0);
        const pool =
          t.encoding === "ascii" ? "az09 ~" : t.encoding === "utf8" ? "aé€😀" : "aé€😀\uffff";
        let text = "";
        for (let n = this.rng.below(room + 1); n > 0; n--) {
          const c = [...pool][this.rng.below([...pool].length)]!;
          if (textBytes(t.encoding, text + c) <= room) text += c;
        }
        return text;
      }
      case "list": {
        // A list that ends on a `last` entry has one, at its end, and no other.
        const lasts = t.union.variants.filter((v) => v.last);
        const inner = { ...t.union, variants: t.union.variants.filter((v) => !v.last) };
        const count = inner.variants.length === 0 ? 0 : this.rng.below(4);
        const list = Array.from({ length: count }, () => this.entry(inner));
        if (lasts.length > 0)
          list.push(this.entry({ ...t.union, variants: [this.rng.pick(lasts)] }));
        // Now and then an end marker with a length, kept as the last entry.
        if (
          t.union.endKept !== undefined &&
          this.keeps(`${t.union.name} end`) &&
          this.rng.chance(0.3)
        ) {
          const length =
            1 + Number(this.rng.bits(t.union.length.bits) % BigInt(2 ** t.union.length.bits - 1));
          list.push({ kind: t.union.endKept.name, [END_LENGTH_FIELD]: length });
        }
        return list;
      }
    }
  }

  /** A field a `byte_order` or `switch` tests: one of the values they are for. */
  private selector(m: ValueField, values: readonly number[], env: Map<string, bigint>): unknown {
    const raw = this.rng.pick(values);
    env.set(m.name, BigInt(raw));
    if (m.type.kind === "enum") {
      const name = m.type.enum.values.find((v) => v.value === raw)?.name;
      return name ?? { unknown: raw };
    }
    return m.type.kind === "int" && m.type.bits === 64 ? BigInt(raw) : raw;
  }

  /** The value of a size or count expression when the fields it uses are drawn, else undefined. */
  private decided(e: Expr, env: Map<string, bigint>): number | undefined {
    const r = range(e, (name) => {
      const v = env.get(name);
      return v === undefined ? undefined : { lo: v, hi: v };
    });
    return r !== undefined && r.lo === r.hi && r.lo >= 0n ? Number(r.lo) : undefined;
  }

  /**
   * A value at an edge of what the field's checks accept (or just past
   * one, which the codec refuses and the caller draws again), where a
   * tightened or loosened check shows.
   */
  private bound(t: IntType, m: ValueField): bigint {
    const full = intRange(t);
    const r = checked(full, m.name, m.valid);
    const edges = [r.lo, r.hi, r.lo - 1n, r.hi + 1n, r.lo + 1n, r.hi - 1n].filter(
      (v) => v >= full.lo && v <= full.hi,
    );
    return edges.length > 0 ? this.rng.pick(edges) : this.int(t);
  }

  /** Edge values and random ones, as a bigint. */
  /** A split value fits its halves' width; a value with `none` is sometimes absent, never `none`. */
  private wholeOrNone(m: ValueField, t: IntType, env: Map<string, bigint>): unknown {
    if (m.none !== undefined && this.rng.chance(0.3)) return undefined;
    let d =
      m.split === undefined
        ? this.int(t)
        : this.rng.pick([0n, (1n << BigInt(m.split.bits)) - 1n, this.rng.bits(m.split.bits)]);
    if (d === m.none) d = m.none === 0n ? 1n : 0n;
    // Expressions after the high half use the whole value (a value with `none`, never).
    if (m.none === undefined) env.set(m.name, d);
    return t.bits === 64 ? d : Number(d);
  }

  private int(t: IntType): bigint {
    const bits = BigInt(t.bits);
    const min = t.signed ? -(1n << (bits - 1n)) : 0n;
    const max = t.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    const raw = this.rng.bits(t.bits);
    const full = t.signed && raw > max ? raw - (1n << bits) : raw;
    return this.rng.pick([
      0n,
      1n,
      min,
      max,
      full,
      full,
      BigInt(this.rng.below(256)),
      t.signed ? -1n : 2n,
    ]);
  }

  private enumValue(def: EnumDef): string | { unknown: number | string } {
    const names = def.values.map((v) => v.name);
    if (!def.open || this.rng.chance(0.7)) return this.rng.pick(names);
    const known = new Set<number | string>(def.values.map((v) => v.value));
    const hinted = (this.hints.get(def.name) ?? []).filter((h) => !known.has(h));
    if (hinted.length > 0 && this.rng.chance(0.5)) return { unknown: this.rng.pick(hinted) };
    // A few tries: a small enum may leave no value unlisted.
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw: number | string =
        def.base.kind === "int"
          ? Number(this.int(def.base))
          : this.bytes(1 + this.rng.below(Math.min(def.base.size, 12)), 1);
      const spaced = def.base.kind === "fixedString" && def.base.pad === "space";
      if (spaced && typeof raw === "string" && raw.endsWith(" ")) continue;
      if (!known.has(raw)) return { unknown: raw };
    }
    return this.rng.pick(names);
  }

  /** An entry, now and then with kept padding after its payload (where it needs padding). */
  private entry(union: UnionDef): Obj {
    const e = this.plainEntry(union);
    if (!union.paddingKept || !this.keeps(`${union.name} padding`) || !this.rng.chance(0.3))
      return e;
    const v = union.variants.find((x) => x.name === e.kind)!;
    const length = payloadLength(v.tag === undefined ? v.members.slice(1) : v.members, e);
    const room = length === undefined ? 0 : (union.align - (length % union.align)) % union.align;
    return room === 0 ? e : { ...e, [UNION_PADDING_PROPERTY]: this.odd(room) };
  }

  /** May values hold odd bytes in this kept part (see {@link loneKeptHint})? */
  private keeps(part: string): boolean {
    return !this.hints.has(loneKeptHint(part));
  }

  /** Bytes kept after a string's NUL: up to the room left, ending with a non-zero byte. */
  private tail(m: ValueField, name: string, obj: Obj): void {
    const t = m.type;
    const size =
      t.kind === "enum" && t.enum.base.kind === "fixedString"
        ? t.enum.base.size
        : t.kind === "fixedString"
          ? t.size
          : 0;
    const value = obj[m.name];
    const text =
      typeof value === "string"
        ? t.kind === "enum"
          ? t.enum.values.find((v) => v.name === value)?.value
          : value
        : typeof value === "object" && value !== null && "unknown" in value
          ? (value as { unknown: unknown }).unknown
          : undefined;
    if (typeof text !== "string") return;
    const room = size - text.length - 1;
    if (room < 1 || !this.rng.chance(0.3)) return;
    const n = 1 + this.rng.below(room);
    obj[name] = this.bytes(n - 1, 0) + this.bytes(1, 1);
  }

  /** `n` kept bytes, not all zero. */
  /**
   * Now and then a spelling of a text number other than the canonical one:
   * its digits unfilled, then NULs (as GNU tar leaves an empty field).
   */
  private spelling(s: NumberText, name: string, value: unknown, obj: Obj): void {
    if (!this.rng.chance(0.4) || (typeof value !== "number" && typeof value !== "bigint")) return;
    const digits = value.toString(s.base);
    const text = digits.padEnd(s.size, "\0");
    const canonical = digits.padStart(s.size - s.terminator.length, "0") + s.terminator;
    if (text !== canonical) obj[name] = text;
  }

  private odd(n: number): string {
    const bytes = this.bytes(n, 0);
    return /[^\0]/.test(bytes) ? bytes : `${bytes.slice(0, -1)}\x01`;
  }

  private plainEntry(union: UnionDef): Obj {
    const v = this.rng.pick(union.variants);
    if (v.tag !== undefined) return { kind: v.name, ...this.record(v.members) };
    const tagField = v.members[0];
    const tagType = tagField.type.kind === "int" ? tagField.type : union.tag;
    const known = new Set<number | string>([
      ...(union.end === undefined ? [] : [union.end]),
      ...union.variants.flatMap((x) => (x.tag === undefined ? [] : [x.tag])),
    ]);
    const hinted = (this.hints.get(union.name) ?? []).filter((h) => !known.has(h));
    let tag: number | undefined;
    if (hinted.length > 0 && this.rng.chance(0.5)) tag = Number(this.rng.pick(hinted));
    // A few tries: a narrow tag may leave no value unused.
    for (let attempt = 0; tag === undefined && attempt < 20; attempt++) {
      const drawn = Number(this.rng.bits(union.tag.bits));
      if (!known.has(drawn)) tag = drawn;
    }
    if (tag === undefined)
      return this.plainEntry({ ...union, variants: union.variants.filter((x) => x !== v) });
    const half = 2 ** (tagType.bits - 1);
    const stored = tagType.signed && tag >= half ? tag - 2 * half : tag;
    return { kind: v.name, [tagField.name]: stored, ...this.record(v.members.slice(1)) };
  }

  /** A payload length: often small, often a multiple of 8. */
  private length(): number {
    return this.rng.chance(0.5) ? this.rng.below(17) : 8 * this.rng.below(4);
  }

  /** A byte string of `n` characters with codes from `lowest` to 255. */
  private bytes(n: number, lowest: number): string {
    let text = "";
    for (let i = 0; i < n; i++) text += String.fromCharCode(lowest + this.rng.below(256 - lowest));
    return text;
  }
}

/**
 * The fields of `members` that a `byte_order` or `switch` tests, directly
 * or through a record's parameter given by the field, with the values they
 * are for, so that drawn values mostly pick a byte order and a case.
 */
function selectors(members: readonly Member[]): Map<string, number[]> {
  const found = new Map<string, number[]>();
  const add = (on: Expr, values: readonly number[]): void => {
    if (on.kind !== "ref") return;
    found.set(on.name, [...new Set([...(found.get(on.name) ?? []), ...values])]);
  };
  for (const m of members) {
    if (m.kind === "byteOrder") add(m.on, [m.little, m.big]);
    if (m.kind === "switch")
      add(
        m.on,
        m.cases.flatMap((c) => (c.when === undefined ? [] : [c.when])),
      );
    if (m.kind !== "value") continue;
    const def =
      m.type.kind === "record"
        ? m.type.record
        : m.type.kind === "array"
          ? m.type.element
          : undefined;
    if (def === undefined || m.type.kind === "list") continue;
    const args = (m.type as { args: Expr[] }).args;
    const inner = selectors(def.members);
    for (const [i, p] of def.params.entries()) {
      const values = inner.get(p.name);
      if (values !== undefined && args[i] !== undefined) add(args[i], values);
    }
  }
  return found;
}

/** The byte size or entry count a computed `size(F)` / `count(F)` field stores for F's value. */
function lengthOf(m: ValueField, value: unknown): bigint | undefined {
  // An array sized in bytes stores its records' sizes, which only the codec knows.
  if (m.type.kind === "array" && m.type.bytes !== undefined) return undefined;
  if (Array.isArray(value)) return BigInt(value.length);
  if (typeof value !== "string") return 0n;
  return BigInt(m.type.kind === "text" ? textBytes(m.type.encoding, value) : value.length);
}

/** The bytes `text` takes in `encoding`. */
function textBytes(encoding: TextEncoding, text: string): number {
  if (encoding === "utf8") return new TextEncoder().encode(text).length;
  return encoding === "ascii" ? text.length : text.length * 2;
}
