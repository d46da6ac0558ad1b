/**
 * A program written against a generated module's declarations, using them
 * the ways the API axis promises to keep working (see rules/api.ts): it
 * names every export, builds a value of every record, group and variant
 * with an object literal, reads every property into a variable of its
 * declared type, matches exhaustively on every enum and union, reads every
 * exported stored value and mask, and calls every function. Each line is
 * tagged with the types it depends on, so that a type error in it can be
 * laid at the door of the changes touching those types.
 */
import type { FieldType, FlagBit, Member, Model, UnionDef, EnumDef } from "../../model.js";
import { isOptionalField, unionKinds } from "../../model.js";

export interface Probe {
  text: string;
  /** The types each line (1-based) depends on. */
  tags: Map<number, string[]>;
}

/** Tag for the module itself (its file name). */
export const MODULE_TAG = "(module)";

const lower = (name: string): string => name[0].toLowerCase() + name.slice(1);

class Lines {
  readonly lines: string[] = [];
  readonly tags = new Map<number, string[]>();

  add(text: string, tags: string[]): void {
    this.lines.push(text);
    this.tags.set(this.lines.length, tags);
  }
}

/** The TypeScript type of a field, its named types, with the module's namespace. */
function tsType(t: FieldType): { text: string; types: string[] } {
  switch (t.kind) {
    case "int":
      return { text: t.bits === 64 ? "bigint" : "number", types: [] };
    case "textInt":
      return { text: t.int.bits === 64 ? "bigint" : "number", types: [] };
    case "enum":
      return { text: `m.${t.enum.name}`, types: [t.enum.name] };
    case "record":
      return { text: `m.${t.record.name}`, types: [t.record.name] };
    case "bytes":
    case "fixedString":
    case "uuid":
    case "text":
      return { text: "string", types: [] };
    case "array":
      return { text: `m.${t.element.name}[]`, types: [t.element.name] };
    case "list":
      return { text: `m.${t.union.name}[]`, types: [t.union.name] };
  }
}

interface Property {
  name: string;
  type: string;
  types: string[];
}

/** The properties members give a value, as the types emitter declares them. */
function properties(members: readonly Member[]): Property[] {
  const result: Property[] = [];
  for (const m of members) {
    if (m.kind === "value") {
      const t = tsType(m.type);
      result.push({
        name: m.name,
        type: t.text + (isOptionalField(m) ? " | undefined" : ""),
        types: t.types,
      });
    } else if (m.kind === "group") {
      result.push({
        name: m.name,
        type: `m.${m.typeName}${m.cond === undefined ? "" : " | undefined"}`,
        types: [m.typeName],
      });
    } else if (m.kind === "bitfield") {
      for (const p of m.parts)
        result.push({ name: p.name, type: p.bits > 32 ? "bigint" : "number", types: [] });
    } else if (m.kind === "flags" && m.nested !== undefined) {
      result.push({
        name: m.name,
        type: `m.${m.nested.typeName}${m.cond === undefined ? "" : " | undefined"}`,
        types: [m.nested.typeName],
      });
    } else if (m.kind === "switch") {
      // Its merged fields, flags words, then fields some cases have (possibly undefined), as declared.
      result.push(...properties([...m.fields, ...m.flags, ...m.only]));
    } else if (m.kind === "flags") {
      for (const f of m.flags) result.push({ name: f.name, type: "boolean", types: [] });
      result.push({ name: m.unknown, type: m.type.bits === 64 ? "bigint" : "number", types: [] });
    }
  }
  return result;
}

const key = (name: string): string => JSON.stringify(name);

/** The optional properties holding a record's kept odd bytes (`keep`, `tail`). */
function keptProperties(members: readonly Member[]): string[] {
  return members.flatMap((m) =>
    m.kind === "padding" && m.keep !== undefined
      ? [m.keep]
      : m.kind === "value" && m.tail !== undefined
        ? [m.tail]
        : [],
  );
}

export function writeProbe(model: Model, importPath: string): Probe {
  const out = new Lines();
  const root = model.root.name;
  out.add(`// Written against the declarations of ${model.file}.`, []);
  out.add(`import * as m from ${key(importPath)};`, [MODULE_TAG]);
  out.add('import { CodecError } from "../runtime/codec.js";', []);
  out.add('import { SexpError } from "../runtime/sexp-convert.js";', []);
  out.add('import type { Sexp } from "../runtime/sexp.js";', []);
  out.add("declare function value<T>(): T;", []);
  out.add("export const uses: unknown[] = [CodecError, SexpError];", []);

  const converters = (name: string): void => {
    out.add(`uses.push(m.sexpOf${name}(value<m.${name}>()) satisfies Sexp);`, [name]);
    out.add(`uses.push(m.${lower(name)}OfSexp(value<Sexp>()) satisfies m.${name} | SexpError);`, [
      name,
    ]);
  };

  const record = (name: string, members: readonly Member[], owner: string): void => {
    const props = properties(members);
    out.add(`export function read_${name}(v: m.${name}): void {`, [name]);
    for (const p of props)
      out.add(`  uses.push(v[${key(p.name)}] satisfies ${p.type});`, [name, ...p.types]);
    // Kept odd bytes are optional properties: read, never required in a literal.
    for (const kept of keptProperties(members))
      out.add(`  uses.push(v[${key(kept)}] satisfies string | undefined);`, [name]);
    out.add("}", [name]);
    out.add(`uses.push({`, [name]);
    for (const p of props) out.add(`  ${key(p.name)}: value<${p.type}>(),`, [name, ...p.types]);
    out.add(`} satisfies m.${name});`, [name]);
    converters(name);
    for (const m of members) {
      if (m.kind === "value" && m.bits.length > 0)
        masks(`${owner}_${m.name}_bits`, m.bits, m.type, name);
      if (m.kind === "group") record(m.typeName, m.members, m.typeName);
    }
  };

  const masks = (constant: string, bits: FlagBit[], t: FieldType, owner: string): void => {
    const type = t.kind === "int" && t.bits === 64 ? "bigint" : "number";
    for (const b of bits) out.add(`uses.push(m.${constant}.${b.name} satisfies ${type});`, [owner]);
  };

  const enumProbe = (def: EnumDef): void => {
    const name = def.name;
    const raw = def.base.kind === "int" ? "number" : "string";
    out.add(`export function match_${name}(e: m.${name}): void {`, [name]);
    if (def.open)
      out.add(`  if (typeof e === "object") return void (e.unknown satisfies ${raw});`, [name]);
    out.add("  switch (e) {", [name]);
    for (const v of def.values) out.add(`    case ${key(v.name)}:`, [name]);
    out.add("      return;", [name]);
    out.add("    default:", [name]);
    out.add("      uses.push(e satisfies never);", [name]);
    out.add("  }", [name]);
    out.add("}", [name]);
    out.add(
      `uses.push([${def.values.map((v) => key(v.name)).join(", ")}] satisfies m.${name}[]);`,
      [name],
    );
    for (const v of def.values) out.add(`uses.push(m.${name}.${v.name} satisfies ${raw});`, [name]);
    if (def.open) out.add(`uses.push({ unknown: value<${raw}>() } satisfies m.${name});`, [name]);
    converters(name);
  };

  const unionProbe = (def: UnionDef): void => {
    const name = def.name;
    out.add(`export function match_${name}(u: m.${name}): void {`, [name]);
    // Switching on a destructured kind narrows `u` in each case, and `kind` to never after them.
    out.add("  const { kind } = u;", [name]);
    out.add("  switch (kind) {", [name]);
    // Every kind an entry can be, the kept end marker's too.
    for (const v of unionKinds(def)) {
      out.add(`    case ${key(v.name)}:`, [name]);
      for (const p of properties(v.members))
        out.add(`      uses.push(u[${key(p.name)}] satisfies ${p.type});`, [name, ...p.types]);
      out.add("      return;", [name]);
    }
    out.add("    default:", [name]);
    out.add("      uses.push(kind satisfies never);", [name]);
    out.add("  }", [name]);
    out.add("}", [name]);
    for (const v of unionKinds(def)) {
      out.add(`uses.push({`, [name]);
      out.add(`  kind: ${key(v.name)},`, [name]);
      for (const p of properties(v.members))
        out.add(`  ${key(p.name)}: value<${p.type}>(),`, [name, ...p.types]);
      out.add(`} satisfies m.${name});`, [name]);
    }
    converters(name);
  };

  for (const def of model.types) {
    if (def.kind === "enum") enumProbe(def);
    if (def.kind === "record") record(def.name, def.members, def.name);
    if (def.kind === "union") unionProbe(def);
  }

  const r = [root];
  out.add(`export function root_functions(h: m.${root}, buf: Uint8Array): void {`, r);
  out.add("  const decoded = m.read(buf);", r);
  out.add(
    `  if (!(decoded instanceof CodecError)) uses.push(decoded.value satisfies m.${root}, decoded.end satisfies number);`,
    r,
  );
  out.add(
    "  uses.push(m.read(buf, 0), m.write(h, buf) satisfies number | CodecError, m.write(h, buf, 0));",
    r,
  );
  out.add("  uses.push(m.sizeof(h) satisfies number, m.compare(h, h) satisfies number);", r);
  out.add("  uses.push(m.equal(h, h) satisfies boolean, m.toString(h) satisfies string);", r);
  out.add(
    `  uses.push(m.toMachineString(h) satisfies string, m.fromString("") satisfies m.${root} | SexpError);`,
    r,
  );
  out.add("}", r);
  return { text: `${out.lines.join("\n")}\n`, tags: out.tags };
}
