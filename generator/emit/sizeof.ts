/**
 * Emit sizeof functions, and the size expressions the write emitter uses
 * for computed offsets and payload lengths. Sizes come from the value alone,
 * so computing one allocates nothing.
 */
import type { ModuleFile } from "./module-file.js";
import type { Member, Model, PaddingMember, RecordDef, UnionDef, ValueField } from "../model.js";
import {
  casesInOrder,
  dottedFields,
  caseLets,
  caseLetValue,
  fixedMemberSize,
  fixedRecordSize,
  fixedTypeSize,
  headerSize,
  intSize,
  isPointer,
  isNestedFlags,
  isPositioned,
  membersBeforeTarget,
  reachesOut,
  searchedFirst,
  storedType,
  trailerSize,
} from "../model.js";
import { lengthOf } from "./construct/computed.js";
import { letRef } from "./construct/let.js";
import { nestedFlagsWord } from "./construct/flags.js";
import { keepsEnd, needsEndMarker } from "./construct/end-length.js";
import { Code, hexLiteral, prop, str } from "./code.js";
import { emitExpr, intRef, offsetExpr, type ExprRef, type Resolve } from "./expr.js";
import { paramLocal } from "./layout.js";
import type { Param } from "../model.js";

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
export function valueSize(m: ValueField, acc: string, resolve: Resolve): number | string {
  const fixed = fixedTypeSize(storedType(m));
  if (fixed !== undefined) return fixed;
  const t = m.type;
  switch (t.kind) {
    case "bytes":
      return t.size.kind === "prefix"
        ? `${intSize(t.size.length)} + ${acc}.length`
        : t.size.kind === "terminated"
          ? `${acc}.length + 1`
          : `${acc}.length`;
    case "array": {
      const element = fixedRecordSize(t.element.members);
      if (t.stride !== undefined) return `${acc}.length * ${offsetExpr(t.stride, resolve)}`;
      // Its entries fill exactly this many bytes, which write checks.
      if (t.bytes !== undefined) return offsetExpr(t.bytes, resolve);
      const end = t.end === undefined ? "" : ` + ${t.end.size}`;
      return element === undefined
        ? `sizeofEach(${acc}, sizeof${t.element.name})${end}`
        : `${acc}.length * ${element}${end}`;
    }
    case "text":
      return offsetExpr(t.size, resolve);
    case "list":
      return `sizeof${t.union.name}List(${acc})`;
    case "record":
      return `sizeof${t.record.name}(${acc}${t.args.map((a) => `, ${emitExpr(a, resolve)}`).join("")})`;
    default:
      throw new Error(`no size for ${t.kind}`);
  }
}

/**
 * Code for the size of the members of the value `obj` stored in sequence
 * (group members are read through their group; positioned members are not
 * counted). Expressions resolve to the value's fields.
 */
export function membersSize(
  members: readonly Member[],
  obj: string,
  resolve: Resolve = valueResolver(members, obj),
): string {
  const sum = new Sum();
  for (const m of members) if (!isPositioned(m)) sum.add(memberSize(m, obj, resolve));
  return sum.text();
}

/** Code for the size of a record: its sequence, or the furthest end of a positioned member. */
export function recordSize(
  members: readonly Member[],
  obj: string,
  params: readonly Param[] = [],
): string {
  const resolve = valueResolver(members, obj, params);
  const sequence = membersSize(members, obj, resolve);
  const ends = positionedEnds(members, obj, resolve);
  // A record found from the end goes after every part and what they point at.
  if (searchedFirst({ members }) !== undefined) {
    const reach = reachesOut({ members }) ? [reachCall(members, obj, params)] : [];
    return `Math.max(${["0", ...ends, ...reach].join(", ")}) + ${sequence}`;
  }
  return ends.length === 0 ? sequence : `Math.max(${[sequence, ...ends].join(", ")})`;
}

/** Code for where each positioned member ends (0 when absent), from the start of the record. */
export function positionedEnds(
  members: readonly Member[],
  obj: string,
  resolve: Resolve,
): string[] {
  // Pointers (`from: input`) take no room in their record.
  return members
    .filter(isPositioned)
    .filter((m) => !isPointer(m))
    .map((m) => {
      const acc = prop(obj, m.name);
      const size =
        m.kind === "group"
          ? `(${membersSize(m.members, acc, resolve)})`
          : valueSize(m, acc, resolve);
      const end = `${offsetExpr(m.at, resolve)} + ${size}`;
      return m.cond === undefined ? end : `(${acc} === undefined ? 0 : ${end})`;
    });
}

/**
 * Expressions over a value being written: integer fields are its
 * properties, enums their stored numbers, constants literals, computed
 * offsets the size of what comes before their target, computed sizes and
 * counts the length of theirs, lets their expressions.
 */
export function valueResolver(
  members: readonly Member[],
  obj: string,
  params: readonly Param[] = [],
): Resolve {
  const refs = new Map<string, ExprRef>();
  for (const p of params) refs.set(p.name, { code: paramLocal(p.name), bigint: false });
  const computed = new Map<string, () => ExprRef>();
  /** `present`: the fields are optional properties known to be there (`v.ext32!.fat_size_32`). */
  const visit = (list: readonly Member[], o: string, present = false): void => {
    const field = (obj: string, name: string): string =>
      present ? `${prop(obj, name)}!` : prop(obj, name);
    for (const m of list) {
      if (m.kind === "const")
        refs.set(m.name, {
          code: hexLiteral(m.value, m.type.bits === 64),
          bigint: m.type.bits === 64,
        });
      if (m.kind === "computed" && (m.of === "offset" || m.of === "end")) {
        // Worked out when used: what comes before the target may use later names.
        computed.set(m.name, () => ({
          code: `(${membersSize(membersBeforeTarget(members, m), obj, resolve)})`,
          bigint: false,
        }));
      }
      // A let is its expression over the value's fields, worked out where it is used.
      if (m.kind === "let") computed.set(m.name, () => letRef(m, resolve));
      // Worked out when used: an array's arguments may use fields after this one.
      if (m.kind === "computed" && (m.of === "size" || m.of === "count"))
        computed.set(m.name, () => ({ code: lengthOf(m, list, o, resolve), bigint: false }));
      if (m.kind === "bitfield")
        for (const p of m.parts) refs.set(p.name, { code: field(o, p.name), bigint: p.bits > 32 });
      if (m.kind === "value" && m.type.kind === "int")
        refs.set(
          m.name,
          intRef(
            field(o, m.name),
            m.type.bits,
            m.type.signed,
            m.cond === undefined && m.none === undefined,
          ),
        );
      if (m.kind === "value" && m.type.kind === "textInt")
        refs.set(
          m.name,
          intRef(field(o, m.name), m.type.int.bits, m.type.int.signed, m.cond === undefined),
        );
      if (m.kind === "value" && m.type.kind === "enum")
        refs.set(m.name, {
          code: `(encode${m.type.enum.name}(${field(o, m.name)}) ?? 0)`,
          bigint: false,
        });
      // A record's integer fields are named through it: `end.cd_offset`.
      if (m.kind === "value" && m.type.kind === "record")
        for (const f of dottedFields(m.type.record))
          refs.set(
            `${m.name}.${f.path}`,
            intRef(
              f.path.split(".").reduce((x, p) => prop(x, p), field(o, m.name)),
              f.int.bits,
              f.int.signed,
            ),
          );
      if (m.kind === "switch") {
        visit(m.fields, o);
        // A case let is a choice over the cases, whose branches use fields
        // only their case has: properties there where the branch is taken.
        for (const f of m.only) visit([{ ...f, cond: undefined }], o, true);
        for (const l of caseLets(m)) {
          const value = caseLetValue(m, l.name);
          computed.set(l.name, () => letRef({ ...l, value }, resolve));
        }
      }
      if (isNestedFlags(m) && m.cond === undefined && m.type.bits <= 32)
        refs.set(m.name, { code: nestedFlagsWord(m, field(o, m.name)), bigint: false });
      // Inside a conditional group its fields are used only where the group is present.
      if (m.kind === "group")
        visit(m.members, m.cond === undefined ? field(o, m.name) : `${field(o, m.name)}!`);
    }
  };
  const resolve: Resolve = (name) => {
    const ref = refs.get(name) ?? computed.get(name)?.();
    if (ref === undefined) throw new Error(`${name} cannot be resolved in a value`);
    return ref;
  };
  visit(members, obj);
  return resolve;
}

function memberSize(m: Member, obj: string, resolve: Resolve): number | string {
  const fixed = fixedMemberSize(m);
  if (fixed !== undefined) return fixed;
  switch (m.kind) {
    case "value": {
      const acc = prop(obj, m.name);
      const size = valueSize(m, acc, resolve);
      return m.cond === undefined ? size : `(${acc} === undefined ? 0 : ${size})`;
    }
    case "flags":
      // Only a nested word can be conditional.
      return `(${prop(obj, m.name)} === undefined ? 0 : ${intSize(m.type)})`;
    case "group": {
      const acc = prop(obj, m.name);
      const inner = membersSize(m.members, acc, resolve);
      return m.cond === undefined ? `(${inner})` : `(${acc} === undefined ? 0 : ${inner})`;
    }
    case "padding":
      if (m.rest !== undefined) return prop(obj, m.rest);
      return m.sizeExpr !== undefined
        ? offsetExpr(m.sizeExpr, resolve)
        : `(${presenceOf(m, obj)} ? ${m.size} : 0)`;
    case "switch": {
      // The value was checked, so `on` selects one of the cases (the default, last, when no other).
      const on = emitExpr(m.on, resolve);
      const sizes = casesInOrder(m).map(
        (c) => [c.when, membersSize(c.members, obj, resolve)] as const,
      );
      const last = sizes[sizes.length - 1]!;
      return `(${sizes
        .slice(0, -1)
        .map(([when, size]) => `${on} === ${when} ? ${size} : `)
        .join("")}${last[1]})`;
    }
    default:
      // Constants, computed fields and flags have fixed sizes; a conditional one is not supported.
      throw new Error(`conditional ${m.kind} members are not supported`);
  }
}

/** Code that tells whether conditional padding is present in the value `obj`. */
export function presenceOf(m: PaddingMember, obj: string): string {
  return `${prop(obj, m.follows!)} !== undefined`;
}

export function emitSizeof(model: Model, file: ModuleFile): void {
  const root = model.root;
  // A root whose members point out (`from: input`) writes there too: a buffer
  // of this size holds it all (a root found from the end counts it already).
  const pointsOut = root.kind === "record" && reachesOut(root) && searchedFirst(root) === undefined;
  file.addFunction({
    name: "sizeof",
    isExported: true,
    docs: [
      pointsOut
        ? `The number of bytes {@link write} needs at offset 0 for \`value\`: its own and what its pointers write, which count from the start of the buffer. Allocates nothing.`
        : `The number of bytes {@link write} writes for \`value\`. Allocates nothing.`,
    ],
    parameters: [{ name: "value", type: root.name }],
    returnType: "number",
    statements: pointsOut
      ? `return Math.max(sizeof${root.name}(value), reach${root.name}(value));`
      : `return sizeof${root.name}(value);`,
  });
  for (const def of model.types) {
    if (def.kind === "record") emitRecordSize(def, file);
    if (def.kind === "record") emitReach(def, file);
    if (def.kind === "union") emitUnionSize(def, file);
  }
}

function emitRecordSize(def: RecordDef, file: ModuleFile): void {
  const fixed = fixedRecordSize(def.members);
  file.addFunction({
    name: `sizeof${def.name}`,
    isExported: true,
    docs: [
      fixed === undefined
        ? `The number of bytes {@link write${def.name}} writes for \`value\`. Allocates nothing.`
        : `The number of bytes a {@link ${def.name}} takes: always ${fixed}.`,
    ],
    parameters: [
      { name: fixed === undefined ? "value" : "_value", type: def.name },
      ...def.params.map((p) => ({
        name: fixed === undefined ? paramLocal(p.name) : `_${paramLocal(p.name)}`,
        type: "number",
      })),
    ],
    returnType: "number",
    statements: `return ${fixed ?? recordSize(def.members, "value", def.params)};`,
  });
  // The size of an array of them, for `size(F)` of one sized in bytes: a loop
  // of its own, as the runtime's sizeofEach takes no parameters.
  if (def.params.length > 0)
    file.addFunction({
      name: `sizeofEach${def.name}`,
      docs: [`The bytes \`list\`'s ${def.name} records take together. Allocates nothing.`],
      parameters: [
        { name: "list", type: `readonly ${def.name}[]` },
        ...def.params.map((p) => ({ name: paramLocal(p.name), type: "number" })),
      ],
      returnType: "number",
      statements: [
        "let total = 0;",
        `for (let i = 0; i < list.length; i++) total += sizeof${def.name}(list[i]!${def.params.map((p) => `, ${paramLocal(p.name)}`).join("")});`,
        "return total;",
      ],
    });
}

function emitUnionSize(def: UnionDef, file: ModuleFile): void {
  const code = new Code();
  code.block("switch (e.kind)", (c) => {
    for (const v of def.variants) {
      const fields = v.tag === undefined ? v.members.slice(1) : v.members;
      c.line(`case ${str(v.name)}: return ${membersSize(fields, "e")};`);
    }
    // The kept end marker has a length but no payload.
    if (def.endKept !== undefined) c.line(`case ${str(def.endKept.name)}: return 0;`);
  });
  file.addFunction({
    name: `payloadSize${def.name}`,
    docs: [`Payload bytes of one ${def.name}, without framing or padding.`],
    parameters: [{ name: "e", type: def.name }],
    returnType: "number",
    statements: code.text(),
  });
  // Every entry and the end marker have a header and a trailer.
  const header = headerSize(def) + trailerSize(def);
  const list = new Code();
  list.line(
    def.end === undefined
      ? "let size = 0;"
      : keepsEnd(def)
        ? `let size = ${needsEndMarker(def, "list")} ? ${header} : 0;`
        : `let size = ${header};`,
  );
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
    docs: [
      def.end === undefined
        ? `Bytes of a framed ${def.name} list.`
        : `Bytes of a framed ${def.name} list, end marker included.`,
    ],
    parameters: [{ name: "list", type: `readonly ${def.name}[]` }],
    returnType: "number",
    statements: list.text(),
  });
}

/*
 * Pointers: fields at a position counted from the start of the input
 * (`at: EXPR` with `from: input`), such as a ZIP central entry's local
 * header. They are read and written at that position and take no room in
 * their record, so a record's size (and an array of them) is its own bytes
 * only. What a value writes through its pointers is its *reach*: the
 * furthest byte from the start of the input, which `write` checks against
 * the buffer before writing anything.
 */

/** Code for the reach of the value `obj` with these members (0 when it points nowhere). */
function reachCall(members: readonly Member[], obj: string, params: readonly Param[] = []): string {
  const terms = reachTerms(members, obj, valueResolver(members, obj, params));
  return terms.length === 0 ? "0" : `Math.max(${["0", ...terms].join(", ")})`;
}

function reachTerms(members: readonly Member[], obj: string, resolve: Resolve): string[] {
  const terms: string[] = [];
  for (const m of members) {
    if (m.kind === "group") {
      const acc = prop(obj, m.name);
      const inner = reachTerms(m.members, m.cond === undefined ? acc : `${acc}!`, resolve);
      if (inner.length === 0) continue;
      const max = `Math.max(${inner.join(", ")})`;
      terms.push(m.cond === undefined ? max : `(${acc} === undefined ? 0 : ${max})`);
      continue;
    }
    if (m.kind !== "value") continue;
    const acc = prop(obj, m.name);
    const guard = (e: string): string =>
      m.cond === undefined ? e : `(${acc} === undefined ? 0 : ${e})`;
    const t = m.type;
    const present = m.cond === undefined ? acc : `${acc}!`;
    const args =
      t.kind === "record" || t.kind === "array"
        ? t.args.map((a) => `, ${emitExpr(a, resolve)}`).join("")
        : "";
    const inner =
      t.kind === "record" && reachesOut(t.record)
        ? `reach${t.record.name}(${present}${args})`
        : t.kind === "array" && reachesOut(t.element)
          ? `reachEach${t.element.name}(${present}${args})`
          : undefined;
    if (isPointer(m)) {
      const own = `${offsetExpr(m.at, resolve)} + ${valueSize(m, present, resolve)}`;
      terms.push(guard(inner === undefined ? own : `Math.max(${own}, ${inner})`));
    } else if (inner !== undefined) terms.push(guard(inner));
  }
  return terms;
}

/** `reachX(value, ...params)` and `reachEachX(list, ...params)` for a record that points out. */
function emitReach(def: RecordDef, file: ModuleFile): void {
  if (!reachesOut(def)) return;
  const params = def.params.map((p) => ({ name: paramLocal(p.name), type: "number" }));
  const used = (body: string, name: string): string =>
    new RegExp(`\\b${name}\\b`).test(body) ? name : `_${name}`;
  const body = `return ${reachCall(def.members, "value", def.params)};`;
  file.addFunction({
    name: `reach${def.name}`,
    docs: [
      `The furthest byte from the start of the input that writing a {@link ${def.name}} writes through its pointers (\`from: input\`), or 0.`,
    ],
    parameters: [
      { name: "value", type: def.name },
      ...params.map((p) => ({ ...p, name: used(body, p.name) })),
    ],
    returnType: "number",
    statements: body,
  });
  const args = params.map((p) => `, ${p.name}`).join("");
  file.addFunction({
    name: `reachEach${def.name}`,
    docs: [`The furthest reach (see {@link reach${def.name}}) of a list of them.`],
    parameters: [{ name: "list", type: `readonly ${def.name}[]` }, ...params],
    returnType: "number",
    statements: [
      "let reach = 0;",
      `for (let i = 0; i < list.length; i++) reach = Math.max(reach, reach${def.name}(list[i]!${args}));`,
      "return reach;",
    ].join("\n"),
  });
}
