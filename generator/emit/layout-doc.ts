/**
 * Emit the layout page: Markdown tables of each record's bytes (offset,
 * size, field, type, condition, doc), each enum's values and each union's
 * variants, so a schema change shows up in review as a readable diff.
 */
import { exprText } from "../expr.js";
import type { FieldType, Member, Model, RecordDef, TypeDef, UnionDef } from "../model.js";
import {
  caseCondition,
  fixedMemberSize,
  isPointer,
  isPositioned,
  fixedTypeSize,
  headerSize,
  intSize,
  lastVariants,
  UNION_PADDING_PROPERTY,
} from "../model.js";
import { hexLiteral } from "./code.js";
import { computedMeaning } from "./construct/computed.js";
import { letMeaning } from "./construct/let.js";
import { hasTrailer, trailerText } from "./construct/trailer.js";
import { wireType } from "./types.js";

/** Table cell text: one line, pipes escaped. */
function cell(text: string | undefined): string {
  // Pipes would split the cell; `<` could open HTML (a comment hiding the rest of the page).
  return (text ?? "")
    .replace(/\s*\n\s*/g, " ")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .trim();
}

function row(cells: (string | undefined)[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

function sizeText(m: Member): string {
  const fixed = fixedMemberSize({ ...m, cond: undefined } as Member);
  if (fixed !== undefined) return String(fixed);
  if (m.kind === "value") return variableSize(m.type);
  if (m.kind === "padding" && m.sizeExpr !== undefined) return `\`${exprText(m.sizeExpr)}\``;
  if (m.kind === "padding" && m.rest !== undefined) return `to the end (\`${m.rest}\`)`;
  return "varies";
}

function variableSize(t: FieldType): string {
  if (t.kind === "bytes") {
    if (t.size.kind === "expr") return `\`${exprText(t.size.expr)}\``;
    if (t.size.kind === "prefix") return `${intSize(t.size.length)} + length`;
    if (t.size.kind === "terminated") return "length + 1";
    return "rest of payload";
  }
  if (t.kind === "array") {
    if (t.stride !== undefined) return `n × \`${exprText(t.stride)}\``;
    if (t.bytes !== undefined) return `\`${exprText(t.bytes)}\``;
    const element = fixedTypeSize({ kind: "record", record: t.element, args: [] });
    const each = element === undefined ? "varies" : `n × ${element}`;
    return t.end === undefined ? each : `${each}, then ${t.end.size} zeros`;
  }
  if (t.kind === "list") return "to end marker";
  return "varies";
}

/**
 * Layout rows for members starting at `offset` (undefined once offsets
 * depend on the value). After a conditional member, offsets are shown only
 * for members with a condition too: they hold when those are present.
 */
function memberRows(
  members: readonly Member[],
  offset: number | undefined,
  prefix: string,
  outer: string | undefined,
  /** A record's members (not a variant's payload), where bytes with no size run to the end of the input. */
  inRecord = false,
): string[] {
  const rows: string[] = [];
  let at = offset;
  let afterConditional = false;
  for (const m of members) {
    const own = "cond" in m && m.cond !== undefined ? `\`${exprText(m.cond)}\`` : undefined;
    const cond = [outer, own].filter((c) => c !== undefined).join(" and ") || undefined;
    if (own === undefined && afterConditional) at = undefined;
    // A positioned member shows where its `at` puts it; a pointer counts from the input's start.
    const where = isPositioned(m)
      ? `\`${exprText(m.at)}\`${isPointer(m) ? " of the input" : ""}`
      : at === undefined
        ? "…"
        : String(at);
    const name = "name" in m ? `${prefix}${m.name}` : "(padding)";
    switch (m.kind) {
      case "group":
        rows.push(...memberRows(m.members, at, `${prefix}${m.name}.`, cond));
        break;
      case "byteOrder":
        rows.push(
          row([
            where,
            "0",
            "(byte order)",
            `the members after it: little-endian when \`${m.onText}\` is ${m.littleName}, big-endian when ${m.bigName}`,
            cond,
            m.doc,
          ]),
        );
        break;
      case "let":
        // No bytes: the value later members use, worked out here.
        rows.push(row([where, "0", name, letMeaning(m), cond, m.doc]));
        break;
      case "switch":
        // A selector the cases hold is read first, where they all have it.
        if (m.ahead !== undefined)
          rows.push(
            row([
              at === undefined ? "…" : String(at + m.ahead.offset),
              String(intSize(m.ahead.type)),
              `(${m.onText}, read first)`,
              wireType(m.ahead.type),
              cond,
              "Picks the case; every case holds it here",
            ]),
          );
        // Each case is laid out from the switch's offset, under its own condition.
        for (const k of m.cases) {
          const when = caseCondition(m, k, "`");
          rows.push(
            ...memberRows(
              // The case's own condition says when its fields are there.
              k.members.map((x) => (x.kind === "value" ? { ...x, cond: undefined } : x)),
              at,
              prefix,
              [cond, when].filter((c) => c !== undefined).join(" and "),
            ),
          );
        }
        break;
      case "const":
        rows.push(
          row([
            where,
            sizeText(m),
            name,
            `${wireType(m.type)} = ${hexLiteral(m.value, false)}`,
            cond,
            m.doc,
          ]),
        );
        break;
      case "computed":
        rows.push(
          row([
            where,
            sizeText(m),
            name,
            `${wireType(m.type)}, computed: ${computedMeaning(m)}`,
            cond,
            m.doc,
          ]),
        );
        break;
      case "padding": {
        const type =
          m.keep === undefined
            ? "zero bytes"
            : `zero bytes (others kept in \`${prefix}${m.keep}\`)`;
        rows.push(row([where, sizeText(m), name, type, cond, m.doc]));
        break;
      }
      case "bitfield":
        rows.push(
          row([
            where,
            sizeText(m),
            name,
            `u${m.bytes * 8} bit field${m.endian === "chosen" ? ", in the chosen byte order" : m.bytes === 1 ? "" : `, ${m.endian}-endian`}`,
            cond,
            m.doc,
          ]),
        );
        for (const p of m.parts) {
          const range = p.bits === 1 ? `bit ${p.shift}` : `bits ${p.shift}–${p.shift + p.bits - 1}`;
          rows.push(row(["", range, `${prefix}${p.name}`, `u${p.bits}`, cond, p.doc]));
        }
        break;
      case "flags": {
        // Nested, the bits are properties of the word's own object.
        const bits = m.nested === undefined ? prefix : `${prefix}${m.name}.`;
        const what =
          m.nested === undefined ? "flags" : `flags, an object (\`${m.nested.typeName}\`)`;
        rows.push(row([where, sizeText(m), name, `${wireType(m.type)} ${what}`, cond, m.doc]));
        for (const f of m.flags)
          rows.push(row(["", `bit ${f.bit}`, `${bits}${f.name}`, "boolean", cond, f.doc]));
        rows.push(
          row(["", "other bits", `${bits}${m.unknown}`, "kept as they are", cond, undefined]),
        );
        break;
      }
      case "checksum": {
        const over = m.covers === "before" ? "the bytes before it" : "the record, itself as zero";
        const when =
          m.when === undefined
            ? ""
            : `, while \`${exprText(m.when)}\`; else zero${m.keep === undefined ? "" : ` (others kept in \`${prefix}${m.keep}\`)`}`;
        rows.push(
          row([
            where,
            sizeText(m),
            name,
            `${wireType(m.type)} ${m.algorithm} of ${over}${when}`,
            cond,
            m.doc,
          ]),
        );
        break;
      }
      case "magic":
        rows.push(row([where, sizeText(m), name, `magic ${JSON.stringify(m.value)}`, cond, m.doc]));
        break;
      case "mirror":
        rows.push(
          row([
            where,
            sizeText(m),
            "(copy)",
            `${wireType(m.type)}: \`${prefix}${m.of}\` again, big-endian; read checks the copies agree`,
            cond,
            m.doc,
          ]),
        );
        break;
      case "high":
        rows.push(
          row([
            where,
            sizeText(m),
            name,
            `${wireType(m.type)}: bits ${m.shift}–${m.shift + m.type.bits - 1} of \`${prefix}${m.low.name}\``,
            cond,
            m.doc,
          ]),
        );
        break;
      case "value": {
        if (m.search !== undefined) {
          const how = `found searching the last ${m.search.within} bytes backwards for ${JSON.stringify(m.search.signature)}; ends at the end of the input`;
          rows.push(row(["…", "varies", name, `${wireType(m.type)}, ${how}`, cond, m.doc]));
          break;
        }
        if (m.type.kind === "bytes" && m.type.size.kind === "fill" && inRecord) {
          const next = members[members.indexOf(m) + 1];
          const upTo =
            next !== undefined && "name" in next ? `up to ${next.name}` : "to the end of the input";
          rows.push(row([where, upTo, name, "bytes", cond, m.doc]));
          break;
        }
        const stored =
          m.split === undefined
            ? wireType(m.type)
            : `${wireType(m.split.lo)}: bits 0–${m.split.lo.bits - 1} of a u${m.split.bits} (high bits in \`${prefix}${m.split.high}\`)`;
        const none = m.none === undefined ? "" : `; ${m.none} means absent`;
        const type =
          m.tail === undefined
            ? stored + none
            : m.type.kind === "textInt"
              ? `${stored}; another spelling kept in \`${prefix}${m.tail}\``
              : `${stored}; non-zero bytes after the NUL kept in \`${prefix}${m.tail}\``;
        rows.push(row([where, sizeText(m), name, type, cond, m.doc]));
        break;
      }
    }
    const size = fixedMemberSize({ ...m, cond: undefined } as Member);
    at = at === undefined || size === undefined ? undefined : at + size;
    if (own !== undefined) afterConditional = true;
  }
  return rows;
}

const HEAD = [
  "| Offset | Size | Field | Type | Condition | Doc |",
  "| --- | --- | --- | --- | --- | --- |",
];

function recordSection(def: RecordDef): string[] {
  const rows = memberRows(def.members, 0, "", undefined, true);
  return [
    `## ${def.name} (record)`,
    "",
    ...(def.doc ? [cell(def.doc), ""] : []),
    ...HEAD,
    ...rows,
    "",
  ];
}

function section(def: TypeDef): string[] {
  switch (def.kind) {
    case "record":
      return recordSection(def);
    case "enum": {
      const base =
        def.base.kind === "int"
          ? wireType(def.base)
          : `${def.base.size}-byte ${def.base.pad === "space" ? "space" : "NUL"}-padded string`;
      return [
        `## ${def.name} (${def.open ? "open" : "closed"} enum, ${base})`,
        "",
        ...(def.doc ? [cell(def.doc), ""] : []),
        "| Name | Stored value | Doc |",
        "| --- | --- | --- |",
        ...def.values.map((v) =>
          row([
            v.name,
            typeof v.value === "number" ? String(v.value) : JSON.stringify(v.value),
            v.doc,
          ]),
        ),
        "",
      ];
    }
    case "union": {
      const head = headerSize(def);
      const tag = `${wireType(def.tag)} tag`;
      const length = `${wireType(def.length)} payload length`;
      const parts = [
        `${def.lengthFirst ? `${length}, ${tag}` : `${tag}, ${length}`} (${head} bytes)`,
        "the payload",
        ...(def.align > 1 ? [paddingText(def)] : []),
        ...(hasTrailer(def) ? [trailerText(def)] : []),
      ];
      return [
        `## ${def.name} (union)`,
        "",
        ...(def.doc ? [cell(def.doc), ""] : []),
        `Each entry: ${parts.join(", ")}. ${endText(def)}`,
        "",
        "| Variant | Tag | Payload | Doc |",
        "| --- | --- | --- | --- |",
        ...def.variants.map((v) =>
          row([
            v.name,
            v.tag === undefined
              ? "any other"
              : `${hexLiteral(v.tag, false)}${tagText(def, v.tag)}${v.last ? " (ends the list)" : ""}`,
            v.members.map((m) => `${m.name}: ${wireType(m.type)}`).join(", "),
            v.doc,
          ]),
        ),
        "",
      ];
    }
  }
}

/** How a union's payloads are padded, and what happens to padding that is not zero. */
function paddingText(def: UnionDef): string {
  return def.paddingKept
    ? `padding to a multiple of ${def.align} (zero; other bytes are kept in the entry's \`${UNION_PADDING_PROPERTY}\`)`
    : `zero padding to a multiple of ${def.align}`;
}

/** ` ("IHDR")` for a tag whose bytes are all printable ASCII, else nothing. */
function tagText(def: UnionDef, tag: number): string {
  const bytes = Array.from(
    { length: intSize(def.tag) },
    (_, i) => Math.floor(tag / 2 ** (8 * i)) % 256,
  );
  if (def.tag.endian === "big") bytes.reverse();
  return def.tag.bits > 8 && bytes.every((b) => b >= 0x20 && b < 0x7f)
    ? ` (\`${String.fromCharCode(...bytes)}\`)`
    : "";
}

/** How a union list ends. */
function endText(def: UnionDef): string {
  if (def.end === undefined)
    return `The list ends with its first ${lastVariants(def)
      .map((v) => `\`${v.name}\``)
      .join(" or ")} entry.`;
  const trailer = hasTrailer(def) ? ` and its ${def.trailer.name}` : "";
  if (trailer !== "") return `Tag ${def.end} with length 0${trailer} ends the list.`;
  return def.endKept === undefined
    ? `Tag ${def.end} with length 0 ends the list.`
    : `Tag ${def.end} ends the list; when its length is not 0, the list ends with an entry \`${def.endKept.name}\` holding that length.`;
}

/**
 * The layout document as its introduction and one section per type, each
 * starting with a heading; joined by line breaks they are the document.
 * `source` is the schema's path as it names it.
 */
export function layoutDocSections(model: Model, source: string = model.file): string[] {
  const intro = [
    `# ${model.format} layout`,
    "",
    `<!-- @generated by binschema from ${source}. DO NOT EDIT; change the schema and run \`binschema generate\`. -->`,
    "",
    ...(model.doc ? [cell(model.doc), ""] : []),
    `Byte order: ${model.endian}-endian unless a field says otherwise. Offsets are from the start of the record; "…" means the offset depends on earlier fields.`,
    "",
  ];
  return [intro, ...model.types.map(section)].map((lines) => lines.join("\n"));
}
