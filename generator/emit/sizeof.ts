/**
 * Emit sizeof functions, and the size expressions the write emitter uses
 * for computed offsets and payload lengths. Sizes come from the value alone,
 * so computing one allocates nothing.
 */
import type { SourceFile } from "ts-morph";
import type { Member, Model, PaddingMember, RecordDef, UnionDef, ValueField } from "../model.js";
import { fixedMemberSize, fixedRecordSize, fixedTypeSize, intSize } from "../model.js";
import { Code, prop, str } from "./code.js";

/** A sum of a constant and code terms, folded as it is built. */
class Sum {
  constant = 0;
  readonly terms: string[] = [];

  add(size: number | string): void {
    if (typeof size === "number") this.constant += size;
    else this.terms.push(size);
  }

  text(): string {
    const parts =
      this.constant === 0 && this.terms.length > 0
        ? this.terms
        : [String(this.constant), ...this.terms];
    return parts.join(" + ");
  }
}

/** Code for the size of a value field whose value is `acc` (already known to be present). */
export function valueSize(m: ValueField, acc: string): number | string {
  const fixed = fixedTypeSize(m.type);
  if (fixed !== undefined) return fixed;
  const t = m.type;
  switch (t.kind) {
    case "bytes":
      return t.size.kind === "prefix"
        ? `${intSize(t.size.length)} + ${acc}.length`
        : `${acc}.length`;
    case "array":
      return `${acc}.length * ${fixedRecordSize(t.element.members)}`;
    case "list":
      return `sizeof${t.union.name}List(${acc})`;
    case "record":
      return `sizeof${t.record.name}(${acc})`;
    default:
      throw new Error(`no size for ${t.kind}`);
  }
}

/** Code for the size of `members` of the value `obj` (group members are read through their group). */
export function membersSize(members: readonly Member[], obj: string): string {
  const sum = new Sum();
  for (const m of members) sum.add(memberSize(m, obj));
  return sum.text();
}

function memberSize(m: Member, obj: string): number | string {
  const fixed = fixedMemberSize(m);
  if (fixed !== undefined) return fixed;
  switch (m.kind) {
    case "value": {
      const acc = prop(obj, m.name);
      const size = valueSize(m, acc);
      return m.cond === undefined ? size : `(${acc} === undefined ? 0 : ${size})`;
    }
    case "group": {
      const acc = prop(obj, m.name);
      const inner = membersSize(m.members, acc);
      return m.cond === undefined ? `(${inner})` : `(${acc} === undefined ? 0 : ${inner})`;
    }
    case "padding":
      return `(${presenceOf(m, obj)} ? ${m.size} : 0)`;
    default:
      // Constants, computed fields and flags have fixed sizes; a conditional one is not supported.
      throw new Error(`conditional ${m.kind} members are not supported`);
  }
}

/** Code that tells whether conditional padding is present in the value `obj`. */
export function presenceOf(m: PaddingMember, obj: string): string {
  return `${prop(obj, m.follows!)} !== undefined`;
}

export function emitSizeof(model: Model, file: SourceFile): void {
  const root = model.root;
  const fixed = fixedRecordSize(root.members);
  // A fixed size does not look at the value; `_value` says so to noUnusedParameters.
  const value = fixed === undefined ? "value" : "_value";
  file.addFunction({
    name: "sizeof",
    isExported: true,
    docs: [`The number of bytes {@link write} writes for \`${value}\`. Allocates nothing.`],
    parameters: [{ name: value, type: root.name }],
    returnType: "number",
    statements: `return ${fixed ?? `sizeof${root.name}(value)`};`,
  });
  for (const def of model.types) {
    if (def.kind === "record" && fixedRecordSize(def.members) === undefined)
      emitRecordSize(def, file);
    if (def.kind === "union") emitUnionSize(def, file);
  }
}

function emitRecordSize(def: RecordDef, file: SourceFile): void {
  file.addFunction({
    name: `sizeof${def.name}`,
    parameters: [{ name: "v", type: def.name }],
    returnType: "number",
    statements: `return ${membersSize(def.members, "v")};`,
  });
}

function emitUnionSize(def: UnionDef, file: SourceFile): void {
  const code = new Code();
  code.block("switch (e.kind)", (c) => {
    for (const v of def.variants) {
      const fields = v.tag === undefined ? v.members.slice(1) : v.members;
      c.line(`case ${str(v.name)}: return ${membersSize(fields, "e")};`);
    }
  });
  file.addFunction({
    name: `payloadSize${def.name}`,
    docs: [`Payload bytes of one ${def.name}, without framing or padding.`],
    parameters: [{ name: "e", type: def.name }],
    returnType: "number",
    statements: code.text(),
  });
  const header = intSize(def.tag) + intSize(def.length);
  const list = new Code();
  list.line(`let size = ${header};`);
  list.block("for (let i = 0; i < list.length; i++)", (c) => {
    c.line(`const n = payloadSize${def.name}(list[i]!);`);
    c.line(
      def.align > 1
        ? `size += ${header} + n + ((${def.align} - (n % ${def.align})) % ${def.align});`
        : `size += ${header} + n;`,
    );
  });
  list.line("return size;");
  file.addFunction({
    name: `sizeof${def.name}List`,
    docs: [`Bytes of a framed ${def.name} list, end marker included.`],
    parameters: [{ name: "list", type: `readonly ${def.name}[]` }],
    returnType: "number",
    statements: list.text(),
  });
}
