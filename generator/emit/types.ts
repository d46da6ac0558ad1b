/**
 * Emit the TypeScript types of a format: a string-literal union (plus a
 * const object of wire values) per enum, an interface per record and group,
 * and a `kind`-tagged union per union type.
 */
import { VariableDeclarationKind } from "ts-morph";
import type { ModuleFile } from "./module-file.js";
import { exprText } from "../expr.js";
import type {
  EnumDef,
  FieldType,
  FlagBit,
  IntType,
  Member,
  Model,
  SwitchMember,
  UnionDef,
} from "../model.js";
import {
  caseCondition,
  flagsGroup,
  isNestedFlags,
  fixedMemberSize,
  isOptionalField,
  lastVariants,
  numberTextName,
  UNION_PADDING_PROPERTY,
  unionKinds,
  valueMembers,
} from "../model.js";
import { docText, hexLiteral, str } from "./code.js";
import { partPlace } from "./construct/bitfield.js";
import { checksumKeepProperty } from "./construct/checksum.js";
import { paddingKeepProperty } from "./construct/padding-keep.js";
import { stringTailProperty } from "./construct/string-tail.js";
import { hasTrailer, trailerText } from "./construct/trailer.js";
import { keptSpellingProperty } from "./construct/text-number.js";
import { hasPaddingProperty, unionPaddingProperty } from "./construct/union-padding.js";

export function emitTypes(model: Model, file: ModuleFile): void {
  for (const def of model.types) {
    if (def.kind === "enum") emitEnum(def, file);
    if (def.kind === "record") emitRecord(def.name, def.doc, def.members, file, 0);
    if (def.kind === "union") emitUnion(def, file);
  }
}

/** The TypeScript type of a field's value. */
export function tsType(t: FieldType): string {
  switch (t.kind) {
    case "int":
      return t.bits === 64 ? "bigint" : "number";
    case "textInt":
      return t.int.bits === 64 ? "bigint" : "number";
    case "enum":
      return t.enum.name;
    case "record":
      return t.record.name;
    case "bytes":
    case "fixedString":
    case "uuid":
    case "text":
      return "string";
    case "array":
      return `${t.element.name}[]`;
    case "list":
      return `${t.union.name}[]`;
  }
}

const ENCODING_NAMES = { ascii: "ASCII", utf8: "UTF-8", utf16le: "UTF-16LE", utf16be: "UTF-16BE" };

/** A short description of a field's encoding, for its doc comment. */
export function wireType(t: FieldType): string {
  switch (t.kind) {
    case "int":
      return `${t.signed ? "i" : "u"}${t.bits}${t.bits > 8 && t.endian !== "big" ? (t.endian === "little" ? " little-endian" : " in the chosen byte order") : ""}`;
    case "enum":
      return t.enum.base.kind === "int"
        ? `${t.enum.name} (${wireType(t.enum.base)})`
        : `${t.enum.name} (${t.enum.base.size}-byte string)`;
    case "record":
      return t.record.name;
    case "bytes":
      return t.size.kind === "fill"
        ? "bytes filling the payload"
        : t.size.kind === "prefix"
          ? `bytes after a ${wireType(t.size.length)} length`
          : t.size.kind === "terminated"
            ? `bytes up to a ${hexLiteral(t.size.byte, false)} terminator`
            : "bytes";
    case "fixedString":
      return `${t.size}-byte ${t.pad === "space" ? "space" : "NUL"}-padded string`;
    case "array":
      return t.end !== undefined
        ? `${t.element.name} entries up to ${t.end.size} zero bytes`
        : t.bytes !== undefined
          ? `${t.element.name} entries in ${exprText(t.bytes)} bytes${t.block === undefined ? "" : `, in ${exprText(t.block)}-byte blocks`}`
          : t.count === undefined
            ? `${t.element.name} entries filling the payload`
            : `${exprText(t.count)} ${t.element.name} entries`;
    case "uuid":
      return t.layout === "guid"
        ? "GUID (mixed-endian), as text"
        : "UUID (RFC 4122 order), as text";
    case "text":
      return `${ENCODING_NAMES[t.encoding]} text, NUL-padded in ${exprText(t.size)} bytes`;
    case "list":
      return `${t.union.name} entries up to the end marker`;
    case "textInt":
      return `${wireType(t.int).split(" ")[0]} as ${numberTextName(t.spelling)}`;
  }
}

function joinDoc(...parts: (string | undefined)[]): string[] {
  const text = parts.filter((p) => p !== undefined && p !== "").join("\n\n");
  return text === "" ? [] : [text];
}

function emitEnum(def: EnumDef, file: ModuleFile): void {
  const names = def.values.map((v) => str(v.name));
  const unknown = def.open ? [`{ unknown: ${def.base.kind === "int" ? "number" : "string"} }`] : [];
  const openNote = def.open
    ? "Open: a value not listed is kept as `{ unknown }`."
    : "Closed: reading a value not listed is an error.";
  file.addTypeAlias({
    name: def.name,
    isExported: true,
    type: [...names, ...unknown].join(" | "),
    docs: joinDoc(docText(def.doc), openNote),
  });
  file.addVariableStatement({
    isExported: true,
    declarations: [
      {
        name: def.name,
        initializer: (w) => {
          w.write("{").newLine();
          for (const v of def.values) {
            const doc = docText(v.doc);
            if (doc !== undefined) w.writeLine(`/** ${doc.replace(/\n/g, " ")} */`);
            const value = typeof v.value === "number" ? hexOrDecimal(v.value) : str(v.value);
            w.writeLine(`${v.name}: ${value},`);
          }
          w.write("} as const");
        },
      },
    ],
    declarationKind: VariableDeclarationKind.Const,
    docs: [`The stored value of each {@link ${def.name}}.`],
  });
}

function hexOrDecimal(n: number): string {
  return n > 255 ? hexLiteral(n, false) : String(n);
}

/** A property of a value's type; an optional one is left out of ordinary values. */
interface Property {
  name: string;
  type: string;
  docs: string[];
  hasQuestionToken?: boolean;
}

/**
 * How a property is stored, as its doc says it: its type, or for one of a
 * switch's properties the type each case holding it gives it.
 */
function storedText(
  name: string,
  own: FieldType | IntType,
  within: SwitchMember | undefined,
): string {
  if (within === undefined) return `\`${wireType(own)}\``;
  const each = within.cases.flatMap((k) => {
    const x = k.members.find((c) => "name" in c && c.name === name);
    if (x === undefined || (x.kind !== "value" && x.kind !== "flags")) return [];
    return [{ type: `\`${wireType(x.type)}\``, when: caseCondition(within, k) }];
  });
  // One type in every case needs no list, only where some case lacks it.
  if (each.length === within.cases.length && each.every((e) => e.type === each[0]!.type))
    return each[0]!.type;
  return each.map((e) => `${e.type} when ${e.when}`).join(", ");
}

/** Properties of a record, group or variant, in layout order. */
function properties(members: readonly Member[], offset: number | undefined): Property[] {
  const result: Property[] = [];
  let at = offset;
  for (const outer of members) {
    // A switch's properties have no one offset, nor one stored type.
    const within = outer.kind === "switch" ? outer : undefined;
    const where = at === undefined || within !== undefined ? undefined : `At byte ${at}.`;
    for (const m of valueMembers([outer])) propertiesOf(m, where, within, result);
    const size = fixedMemberSize(outer);
    at = at === undefined || size === undefined ? undefined : at + size;
  }
  return result;
}

/** The properties one member (not a switch) gives, added to `result`. */
function propertiesOf(
  m: Member,
  where: string | undefined,
  within: SwitchMember | undefined,
  result: Property[],
): void {
  switch (m.kind) {
    case "value": {
      const optional = isOptionalField(m) ? " | undefined" : "";
      const when =
        m.cond !== undefined
          ? "Present only when its condition holds (see the layout)."
          : m.none !== undefined
            ? `Undefined when stored as ${m.none}.`
            : undefined;
      const stored =
        m.split === undefined
          ? `${storedText(m.name, m.type, within)}.`
          : `\`u${m.split.bits}\`: the low ${m.split.lo.bits} bits here (\`${wireType(m.split.lo)}\`), the high ${m.split.bits - m.split.lo.bits} in \`${m.split.high}\`.`;
      result.push({
        name: m.name,
        type: tsType(m.type) + optional,
        docs: joinDoc(
          docText(m.doc),
          `${stored} ${where ?? ""}`.trim(),
          when,
          bitsDoc(m.bits, m.type),
        ),
      });
      if (m.tail !== undefined)
        result.push(
          m.type.kind === "textInt"
            ? keptSpellingProperty(m.name, m.tail, m.type.spelling)
            : stringTailProperty(m.name, m.tail),
        );
      break;
    }
    case "bitfield":
      for (const p of m.parts)
        result.push({
          name: p.name,
          type: p.bits > 32 ? "bigint" : "number",
          docs: joinDoc(docText(p.doc), `\`${p.bits} bits\`: ${partPlace(m, p)}.`),
        });
      break;
    case "flags":
      if (m.nested !== undefined) {
        result.push({
          name: m.name,
          type: `${m.nested.typeName}${m.cond === undefined ? "" : " | undefined"}`,
          docs: joinDoc(
            docText(m.doc),
            within === undefined
              ? `\`${wireType(m.type)}\` flags, its bits as properties. ${where ?? ""}`.trim()
              : `Flags, its bits as properties: ${storedText(m.name, m.type, within)}.`,
            m.cond === undefined
              ? undefined
              : "Present only when its condition holds (see the layout).",
          ),
        });
        break;
      }
      for (const f of m.flags) {
        result.push({
          name: f.name,
          type: "boolean",
          docs: joinDoc(docText(f.doc), `Bit ${f.bit} of ${m.name}.`),
        });
      }
      result.push({
        name: m.unknown,
        type: m.type.bits === 64 ? "bigint" : "number",
        docs: joinDoc(
          `The bits of ${m.name} that have no name here, kept as they are (named bits must be clear).`,
        ),
      });
      break;
    case "group":
      result.push({
        name: m.name,
        type: `${m.typeName}${m.cond === undefined ? "" : " | undefined"}`,
        docs: joinDoc(docText(m.doc)),
      });
      break;
    case "padding":
      if (m.keep !== undefined) result.push(paddingKeepProperty(m, m.keep));
      if (m.rest !== undefined)
        result.push({
          name: m.rest,
          type: "number",
          docs: joinDoc(
            docText(m.doc),
            `How many zero bytes follow, to the end of the input. ${where ?? ""}`.trim(),
          ),
        });
      break;
    case "checksum":
      if (m.keep !== undefined) result.push(checksumKeepProperty(m, m.keep));
      break;
    case "const":
    case "computed":
      break;
  }
}

function bitsDoc(bits: FlagBit[], t: FieldType): string | undefined {
  if (bits.length === 0 || t.kind !== "int") return undefined;
  return `Named bits: ${bits.map((b) => `${b.name} (bit ${b.bit})`).join(", ")}.`;
}

function emitRecord(
  name: string,
  doc: string | undefined,
  members: readonly Member[],
  file: ModuleFile,
  offset: number | undefined,
): void {
  file.addInterface({
    name,
    isExported: true,
    docs: joinDoc(docText(doc)),
    properties: properties(members, offset),
  });
  let at: number | undefined = offset;
  for (const m of members) {
    if (m.kind === "group") emitRecord(m.typeName, m.doc, m.members, file, at);
    // A switch's integers every case has are properties too, with their bits.
    for (const f of m.kind === "switch" ? [...m.fields, ...m.only] : m.kind === "value" ? [m] : [])
      if (f.bits.length > 0 && f.type.kind === "int")
        emitBitMasks(name, f.name, f.bits, f.type.bits === 64, file);
    // A switch's flags words are typed as their merged words.
    for (const w of m.kind === "switch" ? m.flags : m.kind === "flags" ? [m] : []) {
      emitBitMasks(name, w.name, w.flags, w.type.bits === 64, file);
      if (!isNestedFlags(w)) continue;
      // The word's object: its bits and unknown bits, as a flattened word has them.
      const g = flagsGroup(w);
      file.addInterface({
        name: g.typeName,
        isExported: true,
        docs: joinDoc(`The bits of ${name}'s ${w.name} (\`${wireType(w.type)}\`).`),
        properties: properties(g.members, undefined),
      });
    }
    const size = fixedMemberSize(m);
    at = at === undefined || size === undefined ? undefined : at + size;
  }
}

/**
 * The named bits of an integer field or flags word, exported as masks, so
 * tools can name and test bits of the stored word without a second table.
 */
function emitBitMasks(
  owner: string,
  field: string,
  bits: readonly FlagBit[],
  big: boolean,
  file: ModuleFile,
): void {
  file.addVariableStatement({
    isExported: true,
    declarations: [
      {
        name: `${owner}_${field}_bits`,
        initializer: (w) => {
          w.write("{").newLine();
          for (const b of bits) {
            const doc = docText(b.doc);
            if (doc !== undefined) w.writeLine(`/** ${doc.replace(/\n/g, " ")} */`);
            w.writeLine(`${b.name}: ${hexLiteral(1n << BigInt(b.bit), big)},`);
          }
          w.write("} as const");
        },
      },
    ],
    declarationKind: VariableDeclarationKind.Const,
    docs: [`Masks of the named bits of the stored ${field} word of {@link ${owner}}.`],
  });
}

/** The tag each variant of a union is stored with (the fallback has none of its own). */
function emitUnionTags(def: UnionDef, file: ModuleFile): void {
  file.addVariableStatement({
    isExported: true,
    declarations: [
      {
        name: `${def.name}_tags`,
        initializer: (w) => {
          w.write("{").newLine();
          for (const v of def.variants) {
            if (v.tag !== undefined) w.writeLine(`${v.name}: ${hexLiteral(v.tag, false)},`);
          }
          w.write("} as const");
        },
      },
    ],
    declarationKind: VariableDeclarationKind.Const,
    docs: [
      def.end === undefined
        ? `The stored tag of each {@link ${def.name}} kind.`
        : `The stored tag of each {@link ${def.name}} kind; tag ${def.end} ends a list.`,
    ],
  });
}

function emitUnion(def: UnionDef, file: ModuleFile): void {
  const padding = def.paddingKept
    ? `padding to a multiple of ${def.align} (zero, or kept in \`${UNION_PADDING_PROPERTY}\`)`
    : `zero padding to a multiple of ${def.align}`;
  const end =
    def.end === undefined
      ? `a list ends with its first ${lastVariants(def)
          .map((v) => `\`${v.name}\``)
          .join(" or ")} entry`
      : def.endKept === undefined
        ? `the tag ${def.end} ends a list`
        : `the tag ${def.end} ends a list (with a non-zero length, as a last \`${def.endKept.name}\` entry)`;
  const tag = `a ${wireType(def.tag)} tag`;
  const length = `a ${wireType(def.length)} payload length`;
  const after = hasTrailer(def) ? trailerText(def) : padding;
  const framing = `Stored as ${def.lengthFirst ? `${length}, ${tag}` : `${tag}, ${length}`}, the payload and ${after}; ${end}.`;
  file.addTypeAlias({
    name: def.name,
    isExported: true,
    docs: joinDoc(docText(def.doc), framing),
    type: (w) => {
      for (const v of unionKinds(def)) {
        w.newLine().write("| ");
        const doc = joinDoc(
          docText(v.doc),
          v === def.endKept
            ? `Tag ${hexLiteral(v.tag!, false)} (the end marker), only as the last entry.`
            : v.tag === undefined
              ? "Any tag not listed here."
              : `Tag ${hexLiteral(v.tag, false)}${v.last ? "; it ends a list, as its last entry" : ""}.`,
        )[0];
        w.write(`/** ${doc.replace(/\n+/g, " ")} */ `);
        w.write("{ ");
        w.write(`kind: ${str(v.name)}; `);
        const props = properties(v.members, undefined);
        if (hasPaddingProperty(def, v)) props.push(unionPaddingProperty(def));
        for (const p of props) {
          if (p.docs.length > 0) w.write(`/** ${p.docs[0].replace(/\n+/g, " ")} */ `);
          w.write(`${p.name}${p.hasQuestionToken === true ? "?" : ""}: ${p.type}; `);
        }
        w.write("}");
      }
    },
  });
  emitUnionTags(def, file);
}
