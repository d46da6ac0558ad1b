/**
 * Emit S-expression converters in both directions, following ppx_sexp_conv
 * as the OCaml library uses it: records are `(field value)` pairs in schema
 * order, fields with a default are left out while they equal it, absent
 * conditional members print as `()` (option) or not at all (omit), enums and
 * variants print as their constructor names, numbers as signed decimal.
 * Parsing accepts every spelling the OCaml `t_of_sexp` accepts; the runtime
 * (runtime/sexp-convert.ts) knows them, and reads an 8- or 16-bit integer
 * as an OCaml `int`, as the OCaml library types such fields.
 */
import type { ModuleFile } from "./module-file.js";
import type {
  DefaultValue,
  EnumDef,
  FieldType,
  Member,
  Model,
  UnionDef,
  ValueField,
} from "../model.js";
import {
  flagsGroup,
  isNestedFlags,
  isOptionalField,
  UNION_PADDING_PROPERTY,
  unionKinds,
  valueMembers,
} from "../model.js";
import { Code, prop, str } from "./code.js";
import { hasPaddingProperty, printKeptPadding } from "./construct/union-padding.js";

/** `FeatureName` -> `featureName`, for `featureNameOfSexp`. */
function lower(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}

export function emitSexp(model: Model, file: ModuleFile): void {
  const root = model.root.name;
  file.addFunction({
    name: "toString",
    isExported: true,
    docs: [
      `The human-readable S-expression of a {@link ${root}}, as the OCaml library's \`to_string\` (Sexplib's \`to_string_hum\`) prints it.`,
    ],
    parameters: [{ name: "value", type: root }],
    returnType: "string",
    statements: `return toStringHum(sexpOf${root}(value));`,
  });
  file.addFunction({
    name: "toMachineString",
    isExported: true,
    docs: ["The compact S-expression, as Sexplib's `to_string_mach` prints it."],
    parameters: [{ name: "value", type: root }],
    returnType: "string",
    statements: `return toStringMach(sexpOf${root}(value));`,
  });
  file.addFunction({
    name: "fromString",
    isExported: true,
    docs: [
      `Parses S-expression text (either printed form, comments allowed) into a {@link ${root}}, or says what is wrong and where.`,
    ],
    parameters: [{ name: "text", type: "string" }],
    returnType: `${root} | SexpError`,
    statements: `return fromText(text, ${lower(root)}FromSexp);`,
  });
  for (const def of model.types) {
    if (def.kind === "enum") emitEnum(def, file);
    if (def.kind === "record") emitRecord(def.name, def.members, file);
    if (def.kind === "union") emitUnion(def, file);
  }
}

function addPublicPair(file: ModuleFile, type: string): void {
  file.addFunction({
    name: `${lower(type)}OfSexp`,
    isExported: true,
    docs: [
      `Converts an S-expression to a {@link ${type}}; pass the locations from \`parseSexp\` to get line and column in errors.`,
    ],
    parameters: [
      { name: "sexp", type: "Sexp" },
      { name: "locations", type: "SexpLocations", hasQuestionToken: true },
    ],
    returnType: `${type} | SexpError`,
    statements: `return ${lower(type)}FromSexp(rootAt(sexp, locations));`,
  });
}

/** Code converting value `v` of type `t` to a Sexp. */
function toSexp(t: FieldType, v: string): string {
  switch (t.kind) {
    case "int":
    case "textInt":
      return `String(${v})`;
    case "bytes":
    case "fixedString":
    case "uuid":
      return v;
    case "text":
      // An atom is a byte string: text goes in as UTF-8.
      return `utf8Atom(${v})`;
    case "enum":
      return `sexpOf${t.enum.name}(${v})`;
    case "record":
      return `sexpOf${t.record.name}(${v})`;
    case "array":
      return `${v}.map(sexpOf${t.element.name})`;
    case "list":
      return `${v}.map(sexpOf${t.union.name})`;
  }
}

/** Code for a function from an `At` to a value of type `t` (or a SexpError). */
function fromSexp(t: FieldType): string {
  switch (t.kind) {
    case "textInt":
      return fromSexp(t.int);
    case "int":
      return t.bits === 64
        ? `(a) => int64(a, ${t.signed})`
        : `(a) => int(a, ${t.bits}, ${t.signed})`;
    case "bytes":
    case "fixedString":
      return "atom";
    case "uuid":
      return "uuidAtom";
    case "text":
      return "textAtom";
    case "enum":
      return `${lower(t.enum.name)}FromSexp`;
    case "record":
      return `${lower(t.record.name)}FromSexp`;
    case "array":
      return `(a) => listOf(a, ${lower(t.element.name)}FromSexp)`;
    case "list":
      return `(a) => listOf(a, ${lower(t.union.name)}FromSexp)`;
  }
}

function defaultCode(d: DefaultValue): string {
  switch (d.kind) {
    case "int":
      return d.value.toString();
    case "enum":
    case "bytes":
      return str(d.kind === "enum" ? d.name : d.value);
  }
}

/** The default of an int field as a literal of its TypeScript type. */
function defaultLiteral(m: ValueField, d: DefaultValue): string {
  return d.kind === "int" && m.type.kind === "int" && m.type.bits === 64
    ? `${d.value}n`
    : defaultCode(d);
}

function emitEnum(def: EnumDef, file: ModuleFile): void {
  const print = def.open
    ? `return typeof v === "string" ? v : ["Unknown", ${def.base.kind === "int" ? "String(v.unknown)" : "v.unknown"}];`
    : "return v;";
  file.addFunction({
    name: `sexpOf${def.name}`,
    isExported: true,
    parameters: [{ name: "v", type: def.name }],
    returnType: "Sexp",
    statements: print,
  });
  const code = new Code();
  code.line("const c = variant(at);");
  code.line("if (c instanceof SexpError) return c;");
  code.block("if (c.arg === undefined)", (b) => {
    b.block("switch (c.name)", (s) => {
      for (const v of def.values) s.line(`case ${str(v.name)}: return ${str(v.name)};`);
    });
  });
  if (def.open) {
    const raw =
      def.base.kind === "int" ? `int(c.arg, ${def.base.bits}, ${def.base.signed})` : "atom(c.arg)";
    code.block('if (c.name === "Unknown" && c.arg !== undefined)', (b) => {
      b.line(`const unknown = ${raw};`);
      // Any value is accepted, even a listed one or one too long to store: the
      // OCaml library's values include them, and each must have one TypeScript
      // value. write refuses what cannot be stored.
      b.line("return unknown instanceof SexpError ? unknown : { unknown };");
    });
  }
  const names = [...def.values.map((v) => v.name), ...(def.open ? ["(Unknown value)"] : [])].join(
    ", ",
  );
  code.line(`return fail(at, ${str(`expected one of ${names}`)});`);
  file.addFunction({
    name: `${lower(def.name)}FromSexp`,
    parameters: [{ name: "at", type: "At" }],
    returnType: `${def.name} | SexpError`,
    statements: code.text(),
  });
  addPublicPair(file, def.name);
}

/** Property names a record's S-expression holds, in order. */
function sexpFieldNames(members: readonly Member[]): string[] {
  const names: string[] = [];
  for (const m of valueMembers(members)) {
    if (m.kind === "value" || m.kind === "group") names.push(m.name);
    if (m.kind === "value" && m.tail !== undefined) names.push(m.tail);
    if ((m.kind === "padding" || m.kind === "checksum") && m.keep !== undefined) names.push(m.keep);
    if (m.kind === "padding" && m.rest !== undefined) names.push(m.rest);
    if (m.kind === "flags")
      names.push(
        ...(m.nested !== undefined ? [m.name] : [...m.flags.map((f) => f.name), m.unknown]),
      );
    if (m.kind === "bitfield") names.push(...m.parts.map((p) => p.name));
  }
  return names;
}

/** Kept bytes (a padding's, a string's tail) print as `(name "…")` only when there. */
function keptSexp(name: string, print: Code, parse: Code, props: string[]): void {
  const acc = prop("v", name);
  const local = `${name}_`;
  print.line(`if (${acc} !== undefined) fields.push([${str(name)}, ${acc}]);`);
  parse.line(`const ${local} = optionalField(fields, ${str(name)}, atom, undefined);`);
  parse.line(`if (${local} instanceof SexpError) return ${local};`);
  props.push(`...(${local} === undefined ? undefined : { ${name}: ${local} })`);
}

function emitRecord(name: string, members: readonly Member[], file: ModuleFile): void {
  const print = new Code();
  print.line("const fields: Sexp[] = [];");
  const parse = new Code();
  parse.line(`const fields = recordFields(at, [${sexpFieldNames(members).map(str).join(", ")}]);`);
  parse.line("if (fields instanceof SexpError) return fields;");
  const props: string[] = [];
  const take = (field: string, expr: string): void => {
    const local = `${field}_`;
    parse.line(`const ${local} = ${expr};`);
    parse.line(`if (${local} instanceof SexpError) return ${local};`);
    props.push(`${field}: ${local}`);
  };

  for (const member of valueMembers(members)) {
    // A nested flags word prints as a group of its bits: `(name ((bit true) ...))`.
    const m = isNestedFlags(member) ? flagsGroup(member) : member;
    switch (m.kind) {
      case "flags": {
        for (const f of m.flags) {
          const acc = prop("v", f.name);
          const push = `fields.push([${str(f.name)}, String(${acc})]);`;
          print.line(f.defaultFalse ? `if (${acc}) ${push}` : push);
          take(
            f.name,
            f.defaultFalse
              ? `optionalField(fields, ${str(f.name)}, bool, false)`
              : `requiredField(fields, at, ${str(f.name)}, bool)`,
          );
        }
        const zero = m.type.bits === 64 ? "0n" : "0";
        const acc = prop("v", m.unknown);
        print.line(`if (${acc} !== ${zero}) fields.push([${str(m.unknown)}, String(${acc})]);`);
        take(
          m.unknown,
          `optionalField(fields, ${str(m.unknown)}, ${fromSexp({ ...m.type, signed: false })}, ${zero})`,
        );
        break;
      }
      case "group":
        emitRecord(m.typeName, m.members, file);
        memberSexp(
          m.name,
          {
            kind: "record",
            record: {
              kind: "record",
              name: m.typeName,
              members: m.members,
              params: [],
              gaps: "zero",
              doc: m.doc,
              loc: m.loc,
            },
            args: [],
          },
          m.cond !== undefined,
          m.absent,
          undefined,
          print,
          take,
          m,
        );
        break;
      case "value":
        memberSexp(m.name, m.type, isOptionalField(m), m.absent, m.default, print, take, m);
        if (m.tail !== undefined) keptSexp(m.tail, print, parse, props);
        break;
      case "padding":
      case "checksum":
        if (m.keep !== undefined) keptSexp(m.keep, print, parse, props);
        if (m.kind === "padding" && m.rest !== undefined)
          memberSexp(
            m.rest,
            { kind: "int", bits: 32, signed: false, endian: "big" },
            false,
            "option",
            undefined,
            print,
            take,
            m,
          );
        break;
      case "bitfield":
        for (const p of m.parts) {
          print.line(`fields.push([${str(p.name)}, String(${prop("v", p.name)})]);`);
          const parse = p.bits > 32 ? `uintBits64(a, ${p.bits})` : `uintBits(a, ${p.bits})`;
          take(p.name, `requiredField(fields, at, ${str(p.name)}, (a) => ${parse})`);
        }
        break;
      default:
        break;
    }
  }
  print.line("return fields;");
  parse.line(`return { ${props.join(", ")} };`);
  file.addFunction({
    name: `sexpOf${name}`,
    isExported: true,
    parameters: [{ name: "v", type: name }],
    returnType: "Sexp",
    statements: print.text(),
  });
  file.addFunction({
    name: `${lower(name)}FromSexp`,
    parameters: [{ name: "at", type: "At" }],
    returnType: `${name} | SexpError`,
    statements: parse.text(),
  });
  addPublicPair(file, name);
}

function memberSexp(
  name: string,
  type: FieldType,
  conditional: boolean,
  absent: "option" | "omit",
  def: DefaultValue | undefined,
  print: Code,
  take: (field: string, expr: string) => void,
  m: Member,
): void {
  const acc = prop("v", name);
  const key = str(name);
  if (conditional && absent === "option") {
    print.line(`fields.push([${key}, ${acc} === undefined ? [] : [${toSexp(type, acc)}]]);`);
    take(name, `requiredField(fields, at, ${key}, (a) => optionOf(a, ${fromSexp(type)}))`);
  } else if (conditional) {
    print.line(`if (${acc} !== undefined) fields.push([${key}, ${toSexp(type, acc)}]);`);
    take(name, `optionalField(fields, ${key}, ${fromSexp(type)}, undefined)`);
  } else if (def !== undefined && m.kind === "value") {
    const literal = defaultLiteral(m, def);
    print.line(`if (${acc} !== ${literal}) fields.push([${key}, ${toSexp(type, acc)}]);`);
    take(name, `optionalField(fields, ${key}, ${fromSexp(type)}, ${literal})`);
  } else {
    print.line(`fields.push([${key}, ${toSexp(type, acc)}]);`);
    take(name, `requiredField(fields, at, ${key}, ${fromSexp(type)})`);
  }
}

function emitUnion(def: UnionDef, file: ModuleFile): void {
  const print = new Code();
  const kinds = unionKinds(def);
  print.block("switch (e.kind)", (s) => {
    for (const v of kinds) {
      const args = v.members.map((m) => toSexp(m.type, prop("e", m.name)));
      const arg = args.length === 1 ? args[0] : `[${args.join(", ")}]`;
      const sexp = args.length === 0 ? str(v.name) : `[${str(v.name)}, ${arg}]`;
      const kept = hasPaddingProperty(def, v) ? printKeptPadding(str(v.name), arg) : sexp;
      s.line(`case ${str(v.name)}: return ${kept};`);
    }
  });
  file.addFunction({
    name: `sexpOf${def.name}`,
    isExported: true,
    parameters: [{ name: "e", type: def.name }],
    returnType: "Sexp",
    statements: print.text(),
  });

  const parse = new Code();
  parse.line(
    def.paddingKept
      ? `const c = keptVariant(at, ${str(UNION_PADDING_PROPERTY)});`
      : "const c = variant(at);",
  );
  parse.line("if (c instanceof SexpError) return c;");
  parse.block("switch (c.name)", (s) => {
    for (const v of kinds) {
      s.block(`case ${str(v.name)}:`, (b) => {
        const keepsPadding = hasPaddingProperty(def, v);
        if (def.paddingKept && !keepsPadding)
          b.line(
            `if (c.kept !== undefined) return fail(c.kept, ${str(`${v.name} has no padding to keep`)});`,
          );
        if (v.members.length === 0) {
          b.line(`if (c.arg === undefined) return { kind: ${str(v.name)} };`);
          b.line("break;");
          return;
        }
        b.line(`if (c.arg === undefined) return fail(at, ${str(`${v.name} needs an argument`)});`);
        const props = [`kind: ${str(v.name)}`];
        let args: string[];
        if (v.members.length === 1) {
          args = ["c.arg"];
        } else {
          b.line(`const args = tuple(c.arg, ${v.members.length});`);
          b.line("if (args instanceof SexpError) return args;");
          args = v.members.map((_, i) => `args[${i}]!`);
        }
        v.members.forEach((m, i) => {
          const local = `${m.name}_`;
          b.line(`const ${local} = (${fromSexp(m.type)})(named(${args[i]}, ${str(m.name)}));`);
          b.line(`if (${local} instanceof SexpError) return ${local};`);
          props.push(`${m.name}: ${local}`);
        });
        if (keepsPadding) {
          const P = UNION_PADDING_PROPERTY;
          b.line(`const ${P}_ = c.kept === undefined ? undefined : atom(c.kept);`);
          b.line(`if (${P}_ instanceof SexpError) return ${P}_;`);
          props.push(`...(${P}_ === undefined ? undefined : { ${P}: ${P}_ })`);
        }
        b.line(`return { ${props.join(", ")} };`);
      });
    }
  });
  parse.line(`return fail(at, ${str(`expected one of ${kinds.map((v) => v.name).join(", ")}`)});`);
  file.addFunction({
    name: `${lower(def.name)}FromSexp`,
    parameters: [{ name: "at", type: "At" }],
    returnType: `${def.name} | SexpError`,
    statements: parse.text(),
  });
  addPublicPair(file, def.name);
}
