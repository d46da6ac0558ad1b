/**
 * Does a value of one revision stand for the same thing as a value of the
 * other? Members are matched as the change lister matches them (by name,
 * or renamed); integers of the same width compare by their bits, enum
 * values by name or stored value, flag words by their bits and their named
 * bits by name, and a union entry one revision keeps in its fallback by its
 * tag. Members only one revision has are not compared.
 */
import type { EnumDef, FieldType, Member, Model, UnionDef } from "../../model.js";
import { unionKinds } from "../../model.js";
import { matchEnumValues, matchTypes, matchVariants, matchBits, typeRenames } from "../matchers.js";
import { pairRecord, type RecordPair, type SequencePairs } from "../record-pair.js";
import type { TypeNames } from "../shape.js";
import { entryLocus } from "./type-path.js";

/** Where two values part: the value path, and the types (both revisions' names) along it. */
export interface Mismatch {
  path: string;
  types: string[];
  reason: string;
}

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

/** An integer property as a bigint (-1n for anything else, which no stored value is read as). */
const big = (x: unknown): bigint =>
  typeof x === "number" || typeof x === "bigint" ? BigInt(x) : -1n;

export class Correspondence {
  private readonly typeNames: TypeNames;
  private readonly pairs = new Map<readonly Member[], RecordPair>();

  constructor(
    private readonly oldModel: Model,
    private readonly newModel: Model,
    /**
     * `bytes` for data, where a flag stands for its bit; `names` for text,
     * where it stands for its name (`(secret true)` means the same flag
     * wherever the bit is).
     */
    private readonly by: "bytes" | "names" = "bytes",
  ) {
    this.typeNames = typeRenames(matchTypes(oldModel, newModel));
  }

  /** Compares a root value of the old revision with a root value of the new. */
  compareRoots(a: unknown, b: unknown): Mismatch | undefined {
    const types = [this.oldModel.root.name, this.newModel.root.name];
    return this.record(this.oldModel.root.members, this.newModel.root.members, a, b, "", types);
  }

  private record(
    olds: readonly Member[],
    news: readonly Member[],
    a: unknown,
    b: unknown,
    path: string,
    types: string[],
  ): Mismatch | undefined {
    if (!isObj(a) || !isObj(b)) return { path, types, reason: "not a record" };
    let record = this.pairs.get(olds);
    if (record === undefined) {
      record = pairRecord(olds, news, this.typeNames, false);
      this.pairs.set(olds, record);
    }
    return this.sequence(record.root, a, b, path, types) ?? this.moved(record, a, b, path, types);
  }

  /** Members moved between groups: each compared where each revision keeps it. */
  private moved(
    record: RecordPair,
    a: Obj,
    b: Obj,
    path: string,
    types: string[],
  ): Mismatch | undefined {
    const inside = (obj: Obj, container: string[]): Obj | undefined =>
      container.reduce<Obj | undefined>((o, name) => {
        const inner = o?.[name];
        return isObj(inner) ? inner : undefined;
      }, obj);
    for (const r of record.regroups)
      for (const m of r.moves) {
        const o = m.old.member;
        const n = m.new.member;
        if (o.kind !== "value" || n.kind !== "value") continue;
        const where = [...m.new.container, n.name].join(".");
        const x = inside(a, m.old.container)?.[o.name];
        const y = inside(b, m.new.container)?.[n.name];
        const found = this.field(o.type, n.type, x, y, path === "" ? where : `${path}.${where}`, [
          ...types,
          ...m.old.types,
          ...m.new.types,
        ]);
        if (found !== undefined) return found;
      }
    return undefined;
  }

  private sequence(
    seq: SequencePairs,
    a: Obj,
    b: Obj,
    path: string,
    types: string[],
  ): Mismatch | undefined {
    const at = (name: string): string => (path === "" ? name : `${path}.${name}`);
    for (const p of seq.pairs) {
      const o = p.old;
      const n = p.new;
      if (o === undefined || n === undefined) continue;
      let found: Mismatch | undefined;
      if (o.kind === "value" && n.kind === "value") {
        found = this.field(o.type, n.type, a[o.name], b[n.name], at(n.name), types);
      } else if (o.kind === "group" && n.kind === "group") {
        const x = a[o.name];
        const y = b[n.name];
        const inner = seq.groups.get(p)!;
        if ((x === undefined) !== (y === undefined))
          found = { path: at(n.name), types, reason: absentInOne(x) };
        else if (isObj(x) && isObj(y))
          found = this.sequence(inner, x, y, at(n.name), [...types, o.typeName, n.typeName]);
      } else if (o.kind === "bitfield" && n.kind === "bitfield") {
        for (const q of n.parts) {
          const p = o.parts.find((x) => x.name === q.name);
          if (found !== undefined || p === undefined) continue;
          if (big(a[p.name]) !== big(b[q.name]))
            found = {
              path: at(q.name),
              types,
              reason: `${String(a[p.name])} and ${String(b[q.name])}`,
            };
        }
      } else if (o.kind === "flags" && n.kind === "flags") {
        // A nested word's bits are in its object; flattened, in the record.
        const oa = o.nested === undefined ? a : a[o.name];
        const nb = n.nested === undefined ? b : b[n.name];
        if ((oa === undefined) !== (nb === undefined))
          found = { path: at(n.name), types, reason: absentInOne(oa) };
        else if (isObj(oa) && isObj(nb)) found = this.flags(o, n, oa, nb, at, types);
      }
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The first difference of two flags words' values, by bytes or by names. */
  private flags(
    o: Extract<Member, { kind: "flags" }>,
    n: Extract<Member, { kind: "flags" }>,
    a: Obj,
    b: Obj,
    at: (name: string) => string,
    types: string[],
  ): Mismatch | undefined {
    const word = (obj: Obj, m: typeof o): bigint =>
      m.flags.reduce(
        (w, f) => (obj[f.name] === true ? w | (1n << BigInt(f.bit)) : w),
        big(obj[m.unknown]),
      );
    if (this.by === "names" && big(a[o.unknown]) !== big(b[n.unknown]))
      return {
        path: at(n.unknown),
        types,
        reason: `unnamed bits differ: ${String(a[o.unknown])} and ${String(b[n.unknown])}`,
      };
    if (this.by === "bytes" && word(a, o) !== word(b, n))
      return {
        path: at(n.name),
        types,
        reason: `flag words differ: ${word(a, o)} and ${word(b, n)}`,
      };
    for (const bit of matchBits(o.flags, n.flags)) {
      if (bit.old === undefined || bit.new === undefined) continue;
      if (a[bit.old.name] !== b[bit.new.name])
        return {
          path: at(bit.new.name),
          types,
          reason: `${String(a[bit.old.name])} and ${String(b[bit.new.name])}`,
        };
    }
    return undefined;
  }

  private field(
    ot: FieldType,
    nt: FieldType,
    x: unknown,
    y: unknown,
    path: string,
    types: string[],
  ): Mismatch | undefined {
    if (x === undefined || y === undefined)
      return x === y ? undefined : { path, types, reason: absentInOne(x) };
    const differ = (reason: string): Mismatch => ({ path, types, reason });
    // Integers stand for the same thing when they are the same number, not merely the same bits.
    if (ot.kind === "int" && nt.kind === "int")
      return big(x) === big(y) ? undefined : differ(`${String(x)} and ${String(y)}`);
    if (ot.kind === "enum" && nt.kind === "enum") {
      const named = [...types, ot.enum.name, nt.enum.name];
      return this.enumValue(ot.enum, nt.enum, x, y)
        ? undefined
        : { path, types: named, reason: `${JSON.stringify(x)} and ${JSON.stringify(y)}` };
    }
    if (ot.kind === "record" && nt.kind === "record")
      return this.record(ot.record.members, nt.record.members, x, y, path, [
        ...types,
        ot.record.name,
        nt.record.name,
      ]);
    const strings = (t: FieldType): boolean => t.kind === "bytes" || t.kind === "fixedString";
    if (strings(ot) && strings(nt)) return x === y ? undefined : differ("the bytes differ");
    if (
      (ot.kind === "array" && nt.kind === "array") ||
      (ot.kind === "list" && nt.kind === "list")
    ) {
      const inner = (t: FieldType): string =>
        t.kind === "array" ? t.element.name : t.kind === "list" ? t.union.name : "";
      if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length)
        return {
          path,
          types: [...types, inner(ot), inner(nt)],
          reason: "the lists have different lengths",
        };
      for (let i = 0; i < x.length; i++) {
        const found =
          ot.kind === "array" && nt.kind === "array"
            ? this.record(ot.element.members, nt.element.members, x[i], y[i], `${path}[${i}]`, [
                ...types,
                ot.element.name,
                nt.element.name,
              ])
            : ot.kind === "list" && nt.kind === "list"
              ? this.entry(ot.union, nt.union, x[i], y[i], `${path}[${i}]`, [
                  ...types,
                  ot.union.name,
                  nt.union.name,
                ])
              : undefined;
        if (found !== undefined) return found;
      }
      return undefined;
    }
    return differ("stored as different types");
  }

  private enumValue(o: EnumDef, n: EnumDef, x: unknown, y: unknown): boolean {
    const stored = (def: EnumDef, v: unknown): number | string | undefined =>
      typeof v === "string"
        ? def.values.find((e) => e.name === v)?.value
        : isObj(v)
          ? (v.unknown as number | string)
          : undefined;
    if (typeof x === "string" && typeof y === "string") {
      const pair = matchEnumValues(o.values, n.values).find((p) => p.old?.name === x);
      return pair?.new?.name === y;
    }
    return stored(o, x) === stored(n, y);
  }

  private entry(
    o: UnionDef,
    n: UnionDef,
    x: unknown,
    y: unknown,
    path: string,
    types: string[],
  ): Mismatch | undefined {
    if (!isObj(x) || !isObj(y)) return { path, types, reason: "not a union entry" };
    const ov = unionKinds(o).find((v) => v.name === x.kind);
    const nv = unionKinds(n).find((v) => v.name === y.kind);
    const differ = (reason: string): Mismatch => ({ path, types, reason });
    if (ov === undefined || nv === undefined) return differ("unknown kind");
    // A kept end marker corresponds only to the other's kept end marker.
    if (ov === o.endKept || nv === n.endKept)
      return ov === o.endKept && nv === n.endKept
        ? this.record(ov.members, nv.members, x, y, path, types)
        : differ(`${ov.name} and ${nv.name}`);
    const tagOf = (entry: Obj, fallback: typeof ov): bigint =>
      BigInt.asUintN(o.tag.bits, big(entry[fallback.members[0].name]));
    types = [...types, entryLocus(o, ov, x), entryLocus(n, nv, y)];
    const pairs = matchVariants(o.variants, n.variants);
    if (pairs.some((p) => p.old === ov && p.new === nv))
      return this.record(ov.members, nv.members, x, y, path, types);
    // A tagged variant both revisions have must be read as itself, not as the other's fallback.
    const known = (v: typeof ov, side: "old" | "new"): boolean =>
      v.tag !== undefined &&
      pairs.some((p) => p[side] === v && p.old !== undefined && p.new !== undefined);
    if (known(ov, "old") || known(nv, "new"))
      return differ(`read as ${nv.name}, written as ${ov.name}`);
    if (ov.tag === undefined && nv.tag !== undefined)
      return tagOf(x, ov) === BigInt(nv.tag) ? undefined : differ(`${ov.name} and ${nv.name}`);
    if (nv.tag === undefined && ov.tag !== undefined)
      return tagOf(y, nv) === BigInt(ov.tag) ? undefined : differ(`${ov.name} and ${nv.name}`);
    return differ(`read as ${nv.name}, written as ${ov.name}`);
  }
}

function absentInOne(x: unknown): string {
  return x === undefined
    ? "absent in the old value, present in the new"
    : "present in the old value, absent in the new";
}
