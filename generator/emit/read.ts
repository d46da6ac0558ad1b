/**
 * Emit read functions: straight-line code per record with literal offsets,
 * one bounds check per run of fixed-size fields, and an error value naming
 * the field path and byte offset for every malformation. Nothing is
 * allocated but the values returned.
 */
import { VariableDeclarationKind } from "ts-morph";
import type { Expr } from "../expr.js";
import type { ModuleFile } from "./module-file.js";
import type {
  ByteOrderMember,
  ChecksumField,
  EnumDef,
  FlagsField,
  SwitchMember,
  FieldType,
  FixedStringType,
  Member,
  Model,
  RecordDef,
  UnionDef,
  ValueField,
  Variant,
} from "../model.js";
import {
  caseLets,
  casesInOrder,
  dottedFields,
  fixedMemberSize,
  fixedRecordSize,
  fixedTypeSize,
  headerSize,
  hasChecksum,
  intSize,
  isPositioned,
  storedType,
  lengthOffset,
  tagOffset,
  trailerSize,
  searchedFirst,
  reachesOut,
  switchProperties,
} from "../model.js";
import {
  article,
  Code,
  dropNoOpPos,
  hexLiteral,
  Locals,
  prop,
  rawName,
  str,
  templateText,
} from "./code.js";
import {
  emitExpr,
  offsetExpr,
  selectorCode,
  zeroDivisionRefusals,
  type ExprRef,
  type Resolve,
} from "./expr.js";
import {
  Cursor,
  fixedRunSize,
  dropUnusedByteOrder,
  LITTLE_ENDIAN,
  paramLocal,
  readInt,
  startsRun,
  withView,
} from "./layout.js";
import { tsType, wireType } from "./types.js";
import { readUncheckedChecksum, verifyChecksums } from "./construct/checksum.js";
import { readTextNumber } from "./construct/text-number.js";
import { keepsEnd, readKeptEnd } from "./construct/end-length.js";
import { readMagic } from "./construct/magic.js";
import { readMirror } from "./construct/mirror.js";
import {
  keptLocal,
  keptProperty,
  readKeptPaddingMember,
  type KeptValue,
} from "./construct/padding-keep.js";
import { readStringTail, tailValue } from "./construct/string-tail.js";
import { hasPaddingProperty, readKeptPadding } from "./construct/union-padding.js";
import {
  readCountedArray,
  readFilledArray,
  readSizedArray,
  readTerminatedArray,
} from "./construct/array.js";
import { readBitfield } from "./construct/bitfield.js";
import { readBlockedArray } from "./construct/blocks.js";
import { isCaseLetUsed, letMeaning, readLet } from "./construct/let.js";
import { noneTest, readHigh, readLow } from "./construct/split.js";
import { computedMeaning } from "./construct/computed.js";
import { declareCaseFlags, readFlags, readNestedFlags } from "./construct/flags.js";
import { readList } from "./construct/list.js";
import { hasTrailer, verifyTrailer } from "./construct/trailer.js";
import { checkRegions, readPositioned } from "./construct/positioned.js";
import { readSearched } from "./construct/search.js";
import { readText } from "./construct/text.js";
import { readUuid } from "./construct/uuid.js";

export interface ReadOptions {
  /**
   * Also record each member's byte range, type and value as it is read
   * (runtime/trace.ts), and export `layout(buf, at)` returning them. For
   * `binschema decode --layout`; committed modules are generated without it.
   */
  trace?: boolean;
}

export function emitRead(model: Model, file: ModuleFile, options: ReadOptions = {}): void {
  const trace = options.trace === true;
  file.addVariableStatement({
    declarationKind: VariableDeclarationKind.Let,
    declarations: [{ name: "parsedEnd", initializer: "0" }],
    docs: ["Where the last internal read function stopped; set just before it returns a value."],
  });
  const root = model.root;
  file.addFunction({
    name: "read",
    isExported: true,
    docs: [
      `Reads a {@link ${root.name}} from \`buf\` at byte \`at\`. Returns the value and the offset just after it, or a {@link CodecError} naming the field and byte offset of the first problem. Never throws.`,
    ],
    parameters: [
      { name: "buf", type: "Uint8Array" },
      { name: "at", initializer: "0" },
    ],
    returnType: `Decoded<${root.name}> | CodecError`,
    statements: `return read${root.name}(buf, at);`,
  });
  if (trace) emitLayoutEntry(root, file);
  for (const def of model.types) if (def.kind === "record") emitReadEntry(def, file);
  for (const def of model.types) {
    if (def.kind === "enum") emitDecodeEnum(def, file);
    if (def.kind === "record") emitReadRecord(def, file, trace);
    if (def.kind === "union") emitReadUnion(def, file, trace);
  }
}

/** `layout(buf, at)`: `read`, plus the byte range, type and value of every member it read. */
function emitLayoutEntry(root: RecordDef, file: ModuleFile): void {
  file.addFunction({
    name: "layout",
    isExported: true,
    docs: [
      `Reads a {@link ${root.name}} as {@link read} does, and says where each member's bytes are: a tree of spans with each member's name, type, absolute byte range and value.`,
    ],
    parameters: [
      { name: "buf", type: "Uint8Array" },
      { name: "at", initializer: "0" },
    ],
    returnType: `{ value: ${root.name}; end: number; nodes: LayoutNode[] } | CodecError`,
    statements: [
      "traceStart();",
      "const result = read(buf, at);",
      "const nodes = traceTake();",
      "if (result instanceof CodecError) return result;",
      "return { value: result.value, end: result.end, nodes };",
    ],
  });
}

/** How the layout of a decoded value describes a member's bytes. */
function memberType(m: Member): string {
  switch (m.kind) {
    case "value":
      return m.split === undefined
        ? wireType(m.type)
        : `${wireType(m.split.lo)}, low ${m.split.lo.bits} bits of ${m.name}`;
    case "high":
      return `${wireType(m.type)}, high ${m.type.bits} bits of ${m.low.name}`;
    case "mirror":
      return `${wireType(m.type)}, the big-endian copy of ${m.of}`;
    case "const":
      return `${wireType(m.type)} = ${hexLiteral(m.value, false)}`;
    case "magic":
      return "magic";
    case "checksum":
      return `${m.algorithm} checksum (${wireType(m.type)})`;
    case "computed":
      return `${wireType(m.type)}, computed: ${computedMeaning(m)}`;
    case "bitfield":
      return `u${m.bytes * 8} bit field`;
    case "flags":
      return `${wireType(m.type)} flags`;
    case "padding":
      return "zero padding";
    case "group":
      return m.typeName;
    case "byteOrder":
      return "byte order";
    case "switch":
      return `layout chosen by ${m.onText}`;
    case "let":
      return letMeaning(m);
  }
}

/** The exported reader of one record: checks `at`, then parses. */
function emitReadEntry(def: RecordDef, file: ModuleFile): void {
  const params = def.params.map((p) => paramLocal(p.name));
  file.addFunction({
    name: `read${def.name}`,
    isExported: true,
    docs: [
      `Reads a {@link ${def.name}} from \`buf\` at byte \`at\`${params.length > 0 ? `, given its parameters (${def.params.map((p) => p.name).join(", ")}: stored values)` : ""}: the value and the offset just after it, or a {@link CodecError} naming the field and byte offset of the first problem. Never throws.`,
    ],
    parameters: [
      { name: "buf", type: "Uint8Array" },
      params.length > 0 ? { name: "at", type: "number" } : { name: "at", initializer: "0" },
      ...params.map((name) => ({ name, type: "number" })),
    ],
    returnType: `Decoded<${def.name}> | CodecError`,
    statements: [
      "if (!Number.isSafeInteger(at) || at < 0 || at > buf.length) {",
      '  const why = Number.isSafeInteger(at) ? `is outside the ${buf.length}-byte buffer` : "is not a whole number";',
      '  return new CodecError("", 0, `offset ${at} ${why}`);',
      "}",
      `const value = parse${def.name}(${["buf", "at", "buf.length", ...params].join(", ")});`,
      "if (value instanceof CodecError) return value;",
      "return { value, end: parsedEnd };",
    ],
  });
}

function emitDecodeEnum(def: EnumDef, file: ModuleFile): void {
  if (def.base.kind === "fixedString") {
    emitDecodeStringEnum(def, file);
    return;
  }
  const code = new Code();
  code.block("switch (raw)", (c) => {
    for (const v of def.values) {
      c.line(
        `case ${typeof v.value === "number" ? hexOrDec(v.value) : str(v.value)}: return ${str(v.name)};`,
      );
    }
    c.line(`default: return ${def.open ? "{ unknown: raw }" : "undefined"};`);
  });
  file.addFunction({
    name: `decode${def.name}`,
    docs: [
      def.open
        ? `The ${def.name} a stored value stands for.`
        : `The ${def.name} a stored value stands for, or undefined if it is not one.`,
    ],
    parameters: [{ name: "raw", type: "number" }],
    returnType: def.open ? def.name : `${def.name} | undefined`,
    statements: code.text(),
  });
}

/** A string enum is matched against the stored bytes, allocating a string only for an unknown name. */
function emitDecodeStringEnum(def: EnumDef, file: ModuleFile): void {
  const code = new Code();
  // Names are told apart by length first, so most names take one comparison.
  const byLength = new Map<number, typeof def.values>();
  for (const v of def.values) {
    const length = String(v.value).length;
    byLength.set(length, [...(byLength.get(length) ?? []), v]);
  }
  code.block("switch (end - start)", (c) => {
    for (const [length, values] of [...byLength].sort((a, b) => a[0] - b[0])) {
      c.line(`case ${length}:`);
      for (const v of values) {
        c.line(
          `  if (bytesEqual(buf, start, end, ${str(String(v.value))})) return ${str(v.name)};`,
        );
      }
      c.line("  break;");
    }
  });
  code.line(`return ${def.open ? "{ unknown: getBytes(buf, start, end) }" : "undefined"};`);
  file.addFunction({
    name: `decode${def.name}`,
    docs: [
      `The ${def.name} whose name is stored in bytes [start, end)${def.open ? "" : ", or undefined if none"}.`,
    ],
    parameters: [
      { name: "buf", type: "Uint8Array" },
      { name: "start", type: "number" },
      { name: "end", type: "number" },
    ],
    returnType: def.open ? def.name : `${def.name} | undefined`,
    statements: code.text(),
  });
}

function hexOrDec(n: number): string {
  return n > 255 ? hexLiteral(n, false) : String(n);
}

/** Reading one sequence of members into locals. */
export class SequenceReader {
  readonly props: string[] = [];
  /** Optional properties kept only when odd bytes are there (see padding-keep.ts), added after the object is made. */
  readonly kept: KeptValue[] = [];

  constructor(
    readonly code: Code,
    readonly locals: Locals,
    readonly cursor: Cursor,
    /** Path prefix for errors, e.g. `additional.`. */
    readonly prefix: string,
    /** The end of the readable region. */
    readonly limit: string,
    /** Offsets of computed fields, to check against the real layout. */
    readonly computed: Map<string, { local: string; at: string; field: string }>,
    readonly start: string,
    /** Record each member's span (see {@link ReadOptions.trace}). */
    readonly trace = false,
  ) {}

  /** Expressions see raw stored values: enums as numbers. */
  resolve: Resolve = (name) => {
    const derived = this.lets.get(name);
    if (derived !== undefined) return derived;
    // A dotted name is a field of the record an earlier field holds: `end.cd_offset`.
    const [head = name, ...path] = name.split(".");
    const ref = {
      code:
        path.length > 0
          ? path.reduce((o, p) => prop(o, p), this.locals.field(head))
          : this.locals.field(this.locals.has(rawName(name)) ? rawName(name) : name),
      bigint: this.bigints.has(name),
    };
    const low32 = this.low32s.get(name);
    return low32 === undefined ? ref : { ...ref, low32 };
  };

  /** A reader of the same sequence whose bytes may run to `limit` (a pointer's, to the end of the input). */
  within(limit: string): SequenceReader {
    const inner = new SequenceReader(
      this.code,
      this.locals,
      this.cursor,
      this.prefix,
      limit,
      this.computed,
      this.start,
      this.trace,
    );
    for (const b of this.bigints) inner.bigints.add(b);
    for (const [k, v] of this.lets) inner.lets.set(k, v);
    for (const [name, low] of this.low32s) inner.low32s.set(name, low);
    return inner;
  }

  /** Takes the properties (kept ones too) and bigints `inner` (from {@link within}) read. */
  adopt(inner: SequenceReader): void {
    this.props.push(...inner.props);
    this.kept.push(...inner.kept);
    for (const b of inner.bigints) this.bigints.add(b);
    for (const [name, low] of inner.low32s) this.low32s.set(name, low);
  }

  /** Notes which fields of a record just read (held by `name`) expressions see as bigints. */
  holds(name: string, record: RecordDef): void {
    for (const f of dottedFields(record)) {
      if (f.int.bits !== 64) continue;
      const dotted = `${name}.${f.path}`;
      this.bigints.add(dotted);
      if (!f.int.signed)
        this.unsignedLow(
          dotted,
          f.path.split(".").reduce((o, p) => prop(o, p), this.locals.field(name)),
        );
    }
  }

  /** Notes that the 64-bit value `name` (held by `code`) is unsigned: its low word is `low32(code)`, unless read again from the buffer. */
  unsignedLow(name: string, code: string): void {
    if (!this.low32s.has(name)) this.low32s.set(name, `low32(${code})`);
  }
  readonly bigints = new Set<string>();
  /** The record's lets worked out so far, each in its local (see construct/let.ts). */
  readonly lets = new Map<string, ExprRef>();
  /** Code for the low words of unsigned 64-bit values (`ExprRef.low32` in expr.ts): read again from the buffer where the field is at a fixed offset. */
  readonly low32s = new Map<string, string>();
  /** Locals holding the low halves of split values read so far, by field name. */
  readonly lows = new Map<string, string>();
  /** Text fields whose size is computed from them: they fill their bytes, with no NUL. */
  readonly unpadded = new Set<string>();

  /**
   * Refuses, before `exprs` are worked out, a bigint division by zero in
   * them (which would throw): `data at byte 16: a / b divides by zero`.
   */
  refuseZeroDivisions(exprs: readonly Expr[], path: string, at: string): void {
    this.code.lines.push(
      ...zeroDivisionRefusals(
        exprs,
        this.resolve,
        (reason) => `return new CodecError(${str(path)}, ${at}, ${reason});`,
      ),
    );
  }

  /** Makes `pos` the cursor base, so code after a variable-size member can continue from it. */
  settle(): void {
    if (this.cursor.base === "pos" && this.cursor.offset === 0) return;
    this.code.line(
      this.cursor.base === "pos" ? `pos += ${this.cursor.offset};` : `pos = ${this.cursor.at()};`,
    );
    this.cursor.base = "pos";
    this.cursor.offset = 0;
  }

  /** The members this reader reads (a record's, for a byte order's or a switch's test, and a let's uses). */
  private siblings: readonly Member[] = [];

  members(members: readonly Member[]): void {
    this.siblings = members;
    members.forEach((m, index) => {
      // A searched record is read with the bytes before it, which run up to where it is found.
      if (m.kind === "value" && m.search !== undefined) {
        // With nothing before it in sequence, it is read alone (`gaps: untouched`).
        if (index === 0) readSearched(this, undefined, m);
        return;
      }
      const next = members[index + 1];
      if (m.kind === "value" && next?.kind === "value" && next.search !== undefined) {
        this.checkComputedTargets(m);
        readSearched(this, m, next);
        return;
      }
      if (startsRun(members, index) && fixedRunSize(members, index) > 0) {
        const run = fixedRunSize(members, index);
        // One bounds check per run; only on failure do we work out which field is cut off.
        const fields = runFields(members, index, this.prefix);
        const names = fields.map((f) => str(f.name)).join(", ");
        const ends = fields.map((f) => f.end).join(", ");
        this.code.block(`if (${this.limit} - (${this.cursor.at()}) < ${run})`, (c) => {
          // A constant that the bytes there already contradict is the first thing to say.
          for (const k of runConsts(members, index)) {
            const mismatch = `constMismatch(${str(this.prefix + k.name)}, buf, ${this.cursor.at(k.offset)}, ${this.limit}, [${k.bytes.join(", ")}], ${str(k.text)}, ${k.littleEndian})`;
            c.line(`const ${k.local} = ${mismatch};`);
            c.line(`if (${k.local} !== undefined) return ${k.local};`);
          }
          c.line(
            `return truncatedField([${names}], [${ends}], ${this.cursor.at()}, ${this.limit});`,
          );
        });
      }
      this.checkComputedTargets(m);
      if ("name" in m && this.cursor.base === "at" && !isPositioned(m))
        this.fieldStarts.set(m.name, this.cursor.at());
      const traceStart = this.trace && !isPositioned(m) ? this.locals.fresh("span_start") : "";
      if (this.trace) {
        if (traceStart !== "") this.code.line(`const ${traceStart} = ${this.cursor.at()};`);
        this.code.line("traceOpen();");
      }
      let region: { from: string; to: string } | undefined;
      if (isPositioned(m)) region = readPositioned(this, m);
      else if (m.kind === "value" && this.declared.has(m.name)) this.caseField(m);
      else if ("cond" in m && m.cond !== undefined) this.conditional(m, m.cond);
      else this.member(m);
      if (this.trace) {
        const [from, to] =
          region === undefined ? [traceStart, this.cursor.at()] : [region.from, region.to];
        const name = "name" in m ? m.name : "(padding)";
        this.code.line(
          `traceClose(${str(name)}, ${str(memberType(m))}, ${from}, ${to}, ${this.traceValue(m)});`,
        );
      }
      if ("name" in m) this.checkEnd(m.name);
    });
  }

  /** Stored `end(F)` values, checked once F is read: the field, its local and where it is. */
  private readonly ends = new Map<string, { local: string; at: string; field: string }>();

  /** Checks that a stored end of `target` (a computed field) is where `target` really ends. */
  private checkEnd(target: string): void {
    const c = this.ends.get(target);
    if (c === undefined) return;
    this.ends.delete(target);
    this.code.line(`if (${c.local} !== ${this.cursor.at()} - ${this.start}) {`);
    this.code.line(
      `  return new CodecError(${str(c.field)}, ${c.at}, \`is \${${c.local}}, but ${target} ends at byte \${${this.cursor.at()} - ${this.start}}\`);`,
    );
    this.code.line("}");
  }

  /** The expression a member's span shows as its value. */
  private traceValue(m: Member): string {
    switch (m.kind) {
      case "magic":
        return str(m.value);
      case "padding":
        return "undefined";
      case "flags":
        if (m.nested !== undefined) return this.locals.field(m.name);
        return `{ ${[...m.flags.map((f) => f.name), m.unknown].map((n) => this.propOf(n)).join(", ")} }`;
      case "bitfield":
        return `{ ${m.parts.map((p) => this.propOf(p.name)).join(", ")} }`;
      case "value":
        // A split value is whole only at its high half; its own bytes hold the low bits.
        return this.lows.get(m.name) ?? this.locals.field(m.name);
      case "byteOrder":
        return LITTLE_ENDIAN;
      case "switch":
        return `{ ${switchProperties(m)
          .map((p) => this.propOf(p))
          .join(", ")} }`;
      case "checksum":
        // One stored as text is compared as text, so it has no local of its own.
        return m.text === undefined ? this.locals.field(m.name) : "undefined";
      case "mirror":
        return this.locals.field(m.of);
      default:
        return this.locals.field(m.name);
    }
  }

  /**
   * Where the members stored in sequence start, when not at the record's
   * start: a record found from the end with nothing before it.
   */
  sequenceStart: string | undefined;
  /**
   * Where fields read so far start, for those at a fixed offset from `at`
   * (which never changes): an error about a byte order or switch that a
   * field chose names that field at its own offset.
   */
  readonly fieldStarts = new Map<string, string>();
  /** Regions of positioned members read so far: locals holding where each starts and ends. */
  readonly regions: { name: string; from: string; to: string }[] = [];
  /** Checksum fields read so far, with the local holding where each is. */
  readonly checksums: {
    field: ChecksumField;
    value: string;
    at: string;
    applies: string | undefined;
  }[] = [];

  /** Before the member a computed offset points at, check the stored offset is where we are. */
  private checkComputedTargets(m: Member): void {
    if ("name" in m) this.checkOffset(m.name);
  }

  /** Checks that a stored offset of `target` (a computed field) is where `target` really starts. */
  checkOffset(target: string): void {
    const c = this.computed.get(target);
    if (c === undefined) return;
    this.computed.delete(target);
    this.code.line(`if (${c.local} !== ${this.cursor.at()} - ${this.start}) {`);
    this.code.line(
      `  return new CodecError(${str(c.field)}, ${c.at}, \`is \${${c.local}}, but the fields before ${target} end at byte \${${this.cursor.at()} - ${this.start}}\`);`,
    );
    this.code.line("}");
  }

  /** A field of a switch's case that not every case has as an integer: declared before the switch. */
  private caseField(m: ValueField): void {
    // Its case is selected, so it is there. One every case has is in the bounds check of its run.
    const size = m.cond === undefined ? undefined : fixedMemberSize({ ...m, cond: undefined });
    if (size !== undefined)
      this.code.line(
        `if (${this.limit} - (${this.cursor.at()}) < ${size}) return truncated(${str(this.prefix + m.name)}, ${this.cursor.at()}, ${size}, ${this.limit});`,
      );
    this.member(m, true);
  }

  private conditional(m: Member, cond: NonNullable<ValueField["cond"]>): void {
    const name = "name" in m ? m.name : undefined;

    if (m.kind === "group")
      this.code.line(`let ${this.locals.field(m.name)}: ${m.typeName} | undefined;`);
    else if (m.kind === "value")
      this.code.line(`let ${this.locals.field(m.name)}: ${tsType(m.type)} | undefined;`);
    else if (m.kind === "padding" && m.keep !== undefined)
      this.code.line(`let ${this.locals.field(m.keep)}: string | undefined;`);
    else if (m.kind === "flags" && m.nested !== undefined)
      this.code.line(`let ${this.locals.field(m.name)}: ${m.nested.typeName} | undefined;`);
    else if (m.kind === "flags") throw new Error("only a nested flags word can be conditional");
    this.settle();
    this.refuseZeroDivisions([cond], this.prefix + (name ?? "padding"), "pos");
    this.code.line(`if (${emitExpr(cond, this.resolve)}) {`);
    const size = fixedMemberSize({ ...m, cond: undefined, at: undefined } as Member);
    if (size !== undefined && m.kind !== "group") {
      this.code.line(
        `if (${this.limit} - pos < ${size}) return truncated(${str(this.prefix + (name ?? "padding"))}, pos, ${size}, ${this.limit});`,
      );
    }
    this.member(m, true);
    this.settle();
    this.code.line("}");
    if (name !== undefined) this.props.push(this.propOf(name));
    if (m.kind === "padding" && m.keep !== undefined)
      this.kept.push(keptLocal(m.keep, this.locals.field(m.keep)));
  }

  propOf(name: string): string {
    const local = this.locals.field(name);
    return local === name ? name : `${name}: ${local}`;
  }

  member(m: Member, assign = false): void {
    const at = this.cursor.at();
    const declare = (name: string): string =>
      assign ? this.locals.field(name) : `const ${this.locals.field(name)}`;
    switch (m.kind) {
      case "const": {
        const local = this.locals.field(m.name);
        const big = m.type.bits === 64;
        this.code.line(`const ${local} = ${readInt(m.type, at)};`);
        this.code.line(`if (${local} !== ${hexLiteral(m.value, big)}) {`);
        this.code.line(
          `  return new CodecError(${str(this.prefix + m.name)}, ${at}, \`expected ${hexLiteral(m.value, false)}, got \${hex(${local}, ${intSize(m.type) * 2})}\`);`,
        );
        this.code.line("}");
        this.cursor.advance(intSize(m.type));
        return;
      }
      case "magic":
        this.code.line(readMagic(m, (k) => this.cursor.at(k), this.prefix + m.name));
        this.cursor.advance(m.value.length);
        return;
      case "checksum": {
        // A checksum stored as text is compared as text, once computed.
        const local = this.locals.field(m.name);
        if (m.text === undefined) this.code.line(`const ${local} = ${readInt(m.type, at)};`);
        let where = at;
        if (this.cursor.base === "pos") {
          where = this.locals.fresh(`${m.name}_at`);
          this.code.line(`const ${where} = ${at};`);
        }
        let applies: string | undefined;
        if (m.when !== undefined) {
          applies = this.locals.fresh(`${m.name}_applies`);
          this.refuseZeroDivisions([m.when], this.prefix + m.name, at);
          this.code.line(`const ${applies} = ${emitExpr(m.when, this.resolve)};`);
          this.code.lines.push(...readUncheckedChecksum(this, m, local, applies, at));
        }
        this.checksums.push({ field: m, value: local, at: where, applies });
        this.cursor.advance(m.text === undefined ? intSize(m.type) : m.text.size);
        return;
      }
      case "computed": {
        const local = this.locals.field(m.name);
        this.code.line(`const ${local} = ${readInt(m.type, at)};`);
        this.validations(m.valid, this.prefix + m.name, local, at);
        if (m.of === "offset" || m.of === "end") {
          let where = at;
          if (this.cursor.base === "pos") {
            where = this.locals.fresh(`${m.name}_at`);
            this.code.line(`const ${where} = ${at};`);
          }
          (m.of === "end" ? this.ends : this.computed).set(m.target, {
            local,
            at: where,
            field: this.prefix + m.name,
          });
        }
        // Text sized by size(F) has no padding, so that it writes back as read.
        if (m.of === "size") this.unpadded.add(m.target);
        this.cursor.advance(intSize(m.type));
        return;
      }
      case "padding": {
        const bad = this.locals.fresh("nonZero");
        if (m.rest !== undefined) {
          // Zeros to the end: how many is the value's, so it writes back as read.
          this.code.line(`const ${bad} = findNonZero(buf, ${at}, ${this.limit});`);
          this.code.line(
            `if (${bad} !== -1) return new CodecError(${str(this.prefix + m.rest)}, ${bad}, \`expected zeros to the end, got \${hex(buf[${bad}]!, 2)}\`);`,
          );
          this.code.line(`${declare(m.rest)} = ${this.limit} - (${at});`);
          this.props.push(this.propOf(m.rest));
          this.settleAt(this.limit);
          return;
        }
        if (m.sizeExpr !== undefined) {
          const path = str(this.prefix + "padding");
          const n = this.locals.fresh("padding_size");
          this.refuseZeroDivisions([m.sizeExpr], this.prefix + "padding", at);
          this.code.line(`const ${n} = ${offsetExpr(m.sizeExpr, this.resolve)};`);
          this.code.line(
            `if (!(${n} >= 0 && ${this.limit} - (${at}) >= ${n})) return ${n} < 0 ? new CodecError(${path}, ${at}, \`its size is negative (\${${n}})\`) : truncated(${path}, ${at}, ${n}, ${this.limit});`,
          );
          this.code.line(`const ${bad} = findNonZero(buf, ${at}, ${at} + ${n});`);
          this.code.line(
            `if (${bad} !== -1) return new CodecError(${path}, ${bad}, \`expected zero padding, got \${hex(buf[${bad}]!, 2)}\`);`,
          );
          this.settleAt(`${at} + ${n}`);
          return;
        }
        if (m.keep !== undefined) {
          const local = this.locals.field(m.keep);
          this.code.line(readKeptPaddingMember(declare(m.keep), at, this.cursor.at(m.size)));
          if (!assign) this.kept.push(keptLocal(m.keep, local));
          this.cursor.advance(m.size);
          return;
        }
        this.code.line(`const ${bad} = findNonZero(buf, ${at}, ${this.cursor.at(m.size)});`);
        this.code.line(
          `if (${bad} !== -1) return new CodecError(${str(this.prefix + "padding")}, ${bad}, \`expected zero padding, got \${hex(buf[${bad}]!, 2)}\`);`,
        );
        this.cursor.advance(m.size);
        return;
      }
      case "bitfield":
        readBitfield(this, m, at);
        return;
      case "high":
        readHigh(this, m, at);
        return;
      case "mirror": {
        const local = this.locals.fresh(`${m.of}_big_endian`);
        // A case's field merged into a 64-bit property holds a bigint: compared as the number it is.
        const merged = this.assigned.get(m.of);
        const wide = merged?.kind === "int" && merged.bits === 64 && m.type.bits < 64;
        const field = wide ? `Number(${this.locals.field(m.of)})` : this.locals.field(m.of);
        this.code.lines.push(...readMirror(m, local, field, at, this.prefix + m.of));
        this.cursor.advance(intSize(m.type));
        return;
      }
      case "flags": {
        // In a switch's case, into the locals declared before it, at this case's width.
        const merged = this.assignedFlags.get(m.name);
        if (m.nested === undefined) readFlags(this, m, at, merged);
        else if (merged !== undefined)
          readNestedFlags(this, m, at, this.locals.field(m.name), true, merged);
        else readNestedFlags(this, m, at, declare(m.name), assign);
        return;
      }
      case "byteOrder":
        this.byteOrder(m, at);
        return;
      case "switch":
        this.switchCases(m);
        return;
      case "let":
        readLet(this, m, this.siblings);
        return;
      case "group": {
        const inner = new SequenceReader(
          this.code,
          this.locals,
          this.cursor,
          `${this.prefix}${m.name}.`,
          this.limit,
          this.computed,
          this.start,
          this.trace,
        );
        for (const b of this.bigints) inner.bigints.add(b);
        for (const [k, v] of this.lets) inner.lets.set(k, v);
        for (const [name, low] of this.low32s) inner.low32s.set(name, low);
        const before = new Set(this.computed.keys());
        // A checksum in the group covers the group: from where it starts to where it ends.
        const groupStart = hasChecksum(m.members) ? this.locals.fresh(`${m.name}_start`) : "";
        if (groupStart !== "") this.code.line(`const ${groupStart} = ${this.cursor.at()};`);
        inner.members(m.members);
        if (groupStart !== "") {
          const groupEnd = this.locals.fresh(`${m.name}_end`);
          this.code.line(`const ${groupEnd} = ${inner.cursor.at()};`);
          verifyChecksums(
            inner.checksums,
            groupEnd,
            this.code,
            this.locals,
            groupStart,
            inner.prefix,
          );
        }
        for (const b of inner.bigints) this.bigints.add(b);
        for (const [name, low] of inner.low32s) this.low32s.set(name, low);
        // A computed offset inside the group points just past it (the checker
        // requires that), and its local goes out of scope with the group.
        for (const target of [...this.computed.keys()].filter((k) => !before.has(k)))
          inner.checkOffset(target);
        // A group is an expression here, so its kept properties are spread in.
        const groupProps = [...inner.props, ...inner.kept.map(keptProperty)];
        this.code.line(`${declare(m.name)} = { ${groupProps.join(", ")} };`);
        if (!assign) this.props.push(this.propOf(m.name));
        return;
      }
      case "value":
        this.value(m, at, declare(m.name));
        if (!assign) this.props.push(this.propOf(m.name));
        // A string's kept tail follows it (a tail is never on a conditional field).
        if (m.tail !== undefined) this.kept.push(keptLocal(m.tail, this.locals.field(m.tail)));
        return;
    }
  }

  /** Where an error about selector `on` points: the field's own offset when it is one of ours, else `at`. */
  private selectorAt(on: Expr, at: string): string {
    return (on.kind === "ref" && this.fieldStarts.get(on.name)) || at;
  }

  /** `byte_order`: the boolean the integers after it are read with. */
  private byteOrder(m: ByteOrderMember, at: string): void {
    const path = m.on.kind === "ref" ? this.prefix + m.on.name : this.prefix + "byte_order";
    this.refuseZeroDivisions([m.on], path, at);
    const on = selectorCode(m.on, emitExpr(m.on, this.resolve), this.siblings);
    this.code.line(
      `if (${on} !== ${m.little} && ${on} !== ${m.big}) return new CodecError(${str(path)}, ${this.selectorAt(m.on, at)}, \`is \${${on}}: the byte order must be ${m.littleName} (little-endian) or ${m.bigName} (big-endian)\`);`,
    );
    this.code.line(`const ${LITTLE_ENDIAN} = ${on} === ${m.little};`);
  }

  /** Fields assigned (not declared) by the case being read, with their merged types. */
  private assigned = new Map<string, FieldType>();
  /**
   * Fields of a switch that only some cases have: declared before it, and
   * read by their cases (which alone hold them) without a test of their own.
   */
  private declared = new Set<string>();
  /** Lets of the switch being read, which each case assigns to a local declared before it. */
  caseLets = new Set<string>();
  /** Flags words of the switch being read, merged (see {@link SwitchMember.flags}): each case assigns their locals. */
  assignedFlags = new Map<string, FlagsField>();

  /**
   * A switch: its properties are declared before it (the merged fields with
   * their merged types, the others as possibly undefined), and each case
   * reads its layout at `pos` into them; one branch per record.
   */
  private switchCases(m: SwitchMember): void {
    for (const f of m.fields) {
      if (f.type.kind === "enum")
        this.code.line(`let ${this.locals.field(rawName(f.name))}: number;`);
      // A closed enum's decoded value is checked for undefined in each case, which narrows it.
      const checked = f.type.kind === "enum" && !f.type.enum.open ? " | undefined" : "";
      this.code.line(`let ${this.locals.field(f.name)}: ${tsType(f.type)}${checked};`);
    }
    for (const w of m.flags) declareCaseFlags(this, w);
    for (const f of m.only)
      this.code.line(
        `let ${this.locals.field(f.name)}: ${tsType(f.type)}${f.cond === undefined ? "" : " | undefined"};`,
      );
    const lets = caseLets(m).filter((l) => isCaseLetUsed(m, l.name, this.siblings));
    for (const l of lets)
      this.code.line(`let ${this.locals.field(l.name)}: ${l.bigint ? "bigint" : "number"};`);
    this.settle();
    const path = m.on.kind === "ref" ? this.prefix + m.on.name : this.prefix + "switch";
    let on: string;
    let onAt = this.selectorAt(m.on, "pos");
    if (m.ahead !== undefined) {
      // The selector is a field of the cases: read where every case has it, before the case.
      const { offset, type } = m.ahead;
      on = this.locals.fresh(`${m.on.kind === "ref" ? m.on.name : "selector"}_ahead`);
      onAt = `pos + ${offset}`;
      this.code.line(
        `if (${this.limit} - pos < ${offset + intSize(type)}) return truncated(${str(path)}, pos, ${offset + intSize(type)}, ${this.limit});`,
      );
      this.code.line(`const ${on} = ${readInt(type, onAt)};`);
    } else {
      this.refuseZeroDivisions([m.on], path, "pos");
      on = selectorCode(m.on, emitExpr(m.on, this.resolve), this.siblings);
    }
    this.code.block(`switch (${on})`, (c) => {
      for (const k of casesInOrder(m)) {
        c.block(k.when === undefined ? "default:" : `case ${k.when}:`, () => {
          const inner = new SequenceReader(
            this.code,
            this.locals,
            new Cursor("pos"),
            this.prefix,
            this.limit,
            this.computed,
            this.start,
            false,
          );
          inner.assigned = new Map(m.fields.map((f) => [f.name, f.type]));
          inner.declared = new Set(m.only.map((f) => f.name));
          inner.caseLets = new Set(lets.map((l) => l.name));
          inner.assignedFlags = new Map(m.flags.map((w) => [w.name, w]));
          for (const b of this.bigints) inner.bigints.add(b);
          for (const [k, v] of this.lets) inner.lets.set(k, v);
          for (const [name, low] of this.low32s) inner.low32s.set(name, low);
          inner.members(k.members);
          inner.settle();
          this.code.line("break;");
        });
      }
      if (!m.cases.some((k) => k.when === undefined))
        c.line(
          `default: return new CodecError(${str(path)}, ${onAt}, \`is \${${on}}, which no layout is for (expected ${m.cases.map((k) => k.whenName).join(" or ")})\`);`,
        );
    });
    for (const f of m.fields)
      if (f.type.kind === "int" && f.type.bits === 64) this.bigints.add(f.name);
    for (const p of switchProperties(m)) this.props.push(this.propOf(p));
    for (const l of lets)
      this.lets.set(l.name, { code: this.locals.field(l.name), bigint: l.bigint, derived: true });
  }

  validations(
    valid: readonly { check: ValueField["cond"]; message: string }[],
    path: string,
    local: string,
    at: string,
  ): void {
    for (const v of valid) {
      if (v.check === undefined) continue;
      this.refuseZeroDivisions([v.check], path, at);
      this.code.line(
        `if (!(${emitExpr(v.check, this.resolve)})) return new CodecError(${str(path)}, ${at}, \`is \${${local}}: ${templateText(v.message)}\`);`,
      );
    }
  }

  private value(m: ValueField, at: string, target: string): void {
    const path = str(this.prefix + m.name);
    const t = m.type;
    const size = fixedTypeSize(storedType(m));
    const merged = this.assigned.get(m.name);
    if (merged !== undefined) target = this.locals.field(m.name);
    switch (t.kind) {
      case "int":
        if (m.split !== undefined) {
          readLow(this, m, m.split.lo, at);
          break;
        }
        if (t.bits === 64) this.bigints.add(m.name);
        if (m.none !== undefined) {
          const raw = this.locals.fresh(`${m.name}_stored`);
          this.code.line(`const ${raw} = ${readInt(t, at)};`);
          this.code.line(`${target} = ${noneTest(raw, m.none, t.bits === 64)};`);
          break;
        }
        if (
          t.bits === 64 &&
          !t.signed &&
          t.endian !== "chosen" &&
          merged === undefined &&
          at === this.cursor.at() &&
          this.cursor.base === "at"
        ) {
          // `at` never changes in a read function, so the word can be read again later.
          this.low32s.set(
            m.name,
            readInt(
              { kind: "int", bits: 32, signed: false, endian: t.endian },
              this.cursor.at(t.endian === "little" ? 0 : 4),
            ),
          );
        }
        if (t.bits === 64 && !t.signed && merged === undefined && m.cond === undefined)
          this.unsignedLow(m.name, this.locals.field(m.name));
        // In a switch, a field another case stores in 64 bits is a bigint in every case.
        this.code.line(
          merged?.kind === "int" && merged.bits === 64 && t.bits < 64
            ? `${target} = BigInt(${readInt(t, at)});`
            : `${target} = ${readInt(t, at)};`,
        );
        this.validations(m.valid, this.prefix + m.name, this.locals.field(m.name), at);
        break;
      case "enum": {
        const raw = this.locals.field(rawName(m.name));
        if (t.enum.base.kind === "int") {
          this.code.line(
            `${merged === undefined ? "const " : ""}${raw} = ${readInt({ ...t.enum.base, endian: t.endian }, at)};`,
          );
          this.code.line(`${target} = decode${t.enum.name}(${raw});`);
        } else {
          // Matched byte by byte, so a known name allocates no string.
          const end = this.stringEnd(t.enum.base, at, path, m.tail);
          this.code.line(`${target} = decode${t.enum.name}(buf, ${at}, ${end});`);
        }
        if (!t.enum.open) {
          const shown = t.enum.base.kind === "int" ? `\${${raw}}` : "the name";
          this.code.line(
            `if (${this.locals.field(m.name)} === undefined) return new CodecError(${path}, ${at}, \`${shown} is not ${article(t.enum.name)} ${t.enum.name}\`);`,
          );
        }
        if (t.enum.base.kind === "int") this.validations(m.valid, this.prefix + m.name, raw, at);
        break;
      }
      case "fixedString": {
        const end = this.stringEnd(t, at, path, m.tail);
        this.code.line(`${target} = getBytes(buf, ${at}, ${end});`);
        break;
      }
      case "uuid":
        this.code.line(`${target} = ${readUuid(t, at)};`);
        break;
      case "textInt": {
        if (t.int.bits === 64) this.bigints.add(m.name);
        if (t.int.bits === 64 && !t.int.signed && m.cond === undefined)
          this.unsignedLow(m.name, this.locals.field(m.name));
        const kept = m.tail === undefined ? undefined : this.locals.field(m.tail);
        this.code.lines.push(
          ...readTextNumber(
            t.int,
            t.spelling,
            at,
            this.cursor.at(t.spelling.size),
            target,
            this.locals.fresh(`${m.name}_digits`),
            this.prefix + m.name,
            kept,
          ),
        );
        this.validations(m.valid, this.prefix + m.name, this.locals.field(m.name), at);
        break;
      }
      case "text":
        readText(this, m, t, at, target, path);
        return;
      case "record": {
        const result = this.locals.fresh(`${m.name}_read`);
        this.refuseZeroDivisions(t.args, this.prefix + m.name, at);
        const args = t.args.map((a) => `, ${emitExpr(a, this.resolve)}`).join("");
        this.code.line(
          `const ${result} = parse${t.record.name}(buf, ${at}, ${this.limit}${args});`,
        );
        this.code.line(`if (${result} instanceof CodecError) return ${result}.within(${path});`);
        this.code.line(`${target} = ${result};`);
        this.holds(m.name, t.record);
        if (size === undefined) {
          // A variable-size record says where it ended.
          this.code.line("pos = parsedEnd;");
          this.cursor.base = "pos";
          this.cursor.offset = 0;
        }
        break;
      }
      case "bytes":
        this.bytes(m, t.size, at, target, path);
        return;
      case "array":
        if (t.end !== undefined) readTerminatedArray(this, m, t.element, t.end, at, target, path);
        else if (t.bytes !== undefined && t.block !== undefined)
          readBlockedArray(this, m, t, t.bytes, t.block, at, target, path);
        else if (t.bytes !== undefined) readSizedArray(this, m, t, t.bytes, at, target, path);
        else if (t.count === undefined)
          readFilledArray(this, m, t.element, t.args, at, target, path);
        else readCountedArray(this, m, t, t.count, at, target, path);
        return;
      case "list":
        readList(this, m, t.union, target);
        return;
    }
    if (size !== undefined) this.cursor.advance(size);
  }

  /** Makes `pos` hold `at`, the current position. */
  settleAt(at: string): void {
    if (at !== "pos") this.code.line(`pos = ${at};`);
    this.cursor.base = "pos";
    this.cursor.offset = 0;
  }

  /** Checks a fixed string at `at`; returns the local holding where its text ends. */
  private stringEnd(
    t: FixedStringType,
    at: string,
    path: string,
    tail: string | undefined,
  ): string {
    return t.pad === "space"
      ? this.spacePadded(t.size, at, path)
      : this.nulTerminated(t.size, at, path, tail);
  }

  /**
   * A space-padded string of `size` bytes at `at`: no byte may be a NUL, so
   * the text (the bytes before the trailing spaces) writes back as it was.
   */
  private spacePadded(size: number, at: string, path: string): string {
    const end = this.cursor.at(size);
    const nul = this.locals.fresh("nul");
    this.code.line(`const ${nul} = findNul(buf, ${at}, ${end});`);
    this.code.line(
      `if (${nul} !== ${end}) return new CodecError(${path}, ${nul}, "a space-padded string holds no NUL");`,
    );
    const textEnd = this.locals.fresh("textEnd");
    this.code.line(`const ${textEnd} = spacePaddedEnd(buf, ${at}, ${end});`);
    return textEnd;
  }

  /**
   * Checks a NUL-padded string of `size` bytes at `at` (or, with `tail`,
   * keeps the bytes after its NUL in that property); returns the local
   * holding where its text ends.
   */
  private nulTerminated(size: number, at: string, path: string, tail: string | undefined): string {
    const end = this.cursor.at(size);
    const nul = this.locals.fresh("nul");
    this.code.line(`const ${nul} = findNul(buf, ${at}, ${end});`);
    if (tail !== undefined) {
      const tailEnd = this.locals.fresh(`${tail}_end`);
      this.code.line(readStringTail(tailEnd, nul, end));
      this.code.line(`const ${this.locals.field(tail)} = ${tailValue(tailEnd, nul)};`);
      return nul;
    }
    const bad = this.locals.fresh("nonZero");
    this.code.line(`const ${bad} = findNonZero(buf, ${nul}, ${end});`);
    this.code.line(
      `if (${bad} !== -1) return new CodecError(${path}, ${bad}, "bytes after the terminating NUL must be zero");`,
    );
    return nul;
  }

  private bytes(
    m: ValueField,
    size: Extract<FieldType, { kind: "bytes" }>["size"],
    at: string,
    target: string,
    path: string,
  ): void {
    if (size.kind === "fill") {
      this.code.line(`${target} = getBytes(buf, ${at}, ${this.limit});`);
      this.code.line(`pos = ${this.limit};`);
    } else if (size.kind === "terminated") {
      const found = this.locals.fresh(`${m.name}_end`);
      this.code.line(
        `const ${found} = findByte(buf, ${at}, ${this.limit}, ${hexLiteral(size.byte, false)});`,
      );
      const byte = `0x${size.byte.toString(16).padStart(2, "0")}`;
      this.code.line(
        `if (${found} === -1) return new CodecError(${path}, ${at}, \`has no terminating ${byte} before byte \${${this.limit}}\`);`,
      );
      this.code.line(`${target} = getBytes(buf, ${at}, ${found});`);
      this.code.line(`pos = ${found} + 1;`);
    } else if (size.kind === "expr" && size.expr.kind === "num" && size.expr.value >= 0n) {
      // A size given as a number: the bytes are at a fixed offset from the cursor.
      const n = Number(size.expr.value);
      this.code.line(
        `if (${this.limit} - (${at}) < ${n}) return truncated(${path}, ${at}, ${n}, ${this.limit});`,
      );
      this.code.line(`${target} = getBytes(buf, ${at}, ${this.cursor.at(n)});`);
      this.cursor.advance(n);
      return;
    } else {
      const n = this.locals.fresh(`${m.name}_size`);
      let start = at;
      if (size.kind === "prefix") {
        this.code.line(
          `if (${this.limit} - (${at}) < ${intSize(size.length)}) return truncated(${path}, ${at}, ${intSize(size.length)}, ${this.limit});`,
        );
        this.code.line(`const ${n} = ${readInt(size.length, at)};`);
        start = this.cursor.at(intSize(size.length));
      } else {
        // A size over 64-bit fields is a number here, as a size, count or `at` is everywhere.
        this.refuseZeroDivisions([size.expr], this.prefix + m.name, at);
        this.code.line(`const ${n} = ${offsetExpr(size.expr, this.resolve)};`);
        this.code.line(
          `if (${n} < 0) return new CodecError(${path}, ${at}, \`its size is negative (\${${n}})\`);`,
        );
      }
      this.code.line(
        `if (${this.limit} - (${start}) < ${n}) return truncated(${path}, ${start}, ${n}, ${this.limit});`,
      );
      this.code.line(`${target} = getBytes(buf, ${start}, ${start} + ${n});`);
      this.code.line(`pos = ${start} + ${n};`);
    }
    this.cursor.base = "pos";
    this.cursor.offset = 0;
  }
}

/**
 * The fields of the fixed-size run starting at `index` (groups flattened),
 * each with the offset just past it, relative to the run's start.
 */
function runFields(
  members: readonly Member[],
  index: number,
  prefix: string,
): { name: string; end: number }[] {
  const fields: { name: string; end: number }[] = [];
  let end = 0;
  const add = (list: readonly Member[], path: string, from: number): void => {
    for (let i = from; i < list.length; i++) {
      const m = list[i];
      const size = fixedMemberSize(m);
      if (size === undefined) return;
      if (m.kind === "group") {
        add(m.members, `${path}${m.name}.`, 0);
        continue;
      }
      // What takes no bytes (a let, a byte_order member) is never what the input is too short for.
      if (m.kind === "let" || size === 0) continue;
      end += size;
      // A both-endian field's copy is cut off as the field.
      const name = "name" in m ? m.name : m.kind === "mirror" ? m.of : "padding";
      fields.push({ name: `${path}${name}`, end });
    }
  };
  add(members, prefix, index);
  return fields;
}

/**
 * The constants in the fixed-size run starting at `index`, with their offset
 * in the run and their bytes in stored order.
 */
function runConsts(
  members: readonly Member[],
  index: number,
): {
  name: string;
  local: string;
  offset: number;
  bytes: string[];
  text: string;
  littleEndian: boolean;
}[] {
  const consts = [];
  let offset = 0;
  for (let i = index; i < members.length; i++) {
    const m = members[i];
    const size = fixedMemberSize(m);
    if (size === undefined) break;
    // One in a byte order chosen at run time has no bytes to compare before the run is read.
    if (m.kind === "const" && !(m.type.endian === "chosen" && m.type.bits > 8)) {
      const n = intSize(m.type);
      const unsigned = BigInt.asUintN(m.type.bits, m.value);
      const bytes = Array.from({ length: n }, (_, j) =>
        hexLiteral((unsigned >> BigInt(8 * (n - 1 - j))) & 0xffn, false),
      );
      if (m.type.endian === "little") bytes.reverse();
      consts.push({
        name: m.name,
        local: `${m.name}Mismatch`,
        offset,
        bytes,
        text: hexLiteral(m.value, false),
        littleEndian: m.type.endian === "little",
      });
    }
    offset += size;
  }
  return consts;
}

/** Names used by the generated function itself, which fields must not shadow. */
const INTERNAL = [
  "buf",
  "view",
  "at",
  "limit",
  "pos",
  "entry",
  "end",
  "padded",
  "tag",
  "length",
  "value",
];

function emitReadRecord(def: RecordDef, file: ModuleFile, trace: boolean): void {
  const code = new Code();
  const locals = new Locals(INTERNAL);
  for (const p of def.params) locals.bind(p.name, paramLocal(p.name));
  for (const m of allEnumFields(def.members)) locals.field(rawName(m));
  const reader = new SequenceReader(
    code,
    locals,
    new Cursor("at"),
    "",
    "limit",
    new Map(),
    "at",
    trace,
  );
  reader.members(def.members);
  let end = reader.cursor.at();
  if (reader.regions.length > 0) end = checkRegions(def, reader, code, locals, file);
  if (reader.checksums.length > 0 && !/^[A-Za-z_$][\w$]*$/.test(end)) {
    code.line(`const end = ${end};`);
    end = "end";
  }
  verifyChecksums(reader.checksums, end, code, locals);
  code.line(`parsedEnd = ${end};`);
  returnObject(code, locals, def.name, reader.props, reader.kept, reachCheck(def));
  dropUnusedByteOrder(code.lines);
  dropNoOpPos(code.lines);
  if (code.lines.some((line) => /\bpos\b/.test(line))) code.lines.unshift("let pos = at;");
  file.addFunction({
    name: `parse${def.name}`,
    parameters: [
      { name: "buf", type: "Uint8Array" },
      { name: "at", type: "number" },
      { name: "limit", type: "number" },
      ...def.params.map((p) => ({ name: paramLocal(p.name), type: "number" })),
    ],
    returnType: `${def.name} | CodecError`,
    statements: withView(code.text()),
  });
}

/**
 * Statements returning the object a read function made. Kept properties are
 * assigned afterwards, only when present: a spread of a conditional literal
 * costs several times as much as the plain object, on every value.
 */
export function returnObject(
  code: Code,
  locals: Locals,
  type: string,
  props: readonly string[],
  kept: readonly KeptValue[],
  /** Statements checking the finished object (named by the argument) before it is returned. */
  check?: (result: string) => string[],
): void {
  if (kept.length === 0 && check === undefined) {
    code.line(`return { ${props.join(", ")} };`);
    return;
  }
  const result = locals.fresh("result");
  code.line(`const ${result}: ${type} = { ${props.join(", ")} };`);
  for (const k of kept) code.line(`if (${k.present}) ${result}.${k.name} = ${k.value};`);
  if (check !== undefined) code.lines.push(...check(result));
  code.line(`return ${result};`);
}

/**
 * A record found from the end is written after everything it points at
 * (see writePositioned): so that what read accepts writes back into the
 * same bytes, what it points at must end before it, as its size says.
 */
function reachCheck(def: RecordDef): ((result: string) => string[]) | undefined {
  const found = searchedFirst(def);
  if (found === undefined || !reachesOut(def)) return undefined;
  const record = found.type.kind === "record" ? found.type.record.name : undefined;
  if (record === undefined) return undefined;
  return (result) => [
    `const size = sizeof${def.name}(${result});`,
    `if (size > limit - at) return new CodecError(${str(found.name)}, limit - sizeof${record}(${result}.${found.name}), \`what it points at runs into it: written back, the parts before it and it take \${size} bytes, but the input has \${limit - at}\`);`,
  ];
}

function allEnumFields(members: readonly Member[]): string[] {
  const names: string[] = [];
  for (const m of members) {
    if (m.kind === "value" && m.type.kind === "enum") names.push(m.name);
    if (m.kind === "group") names.push(...allEnumFields(m.members));
    if (m.kind === "switch") names.push(...allEnumFields([...m.fields, ...m.only]));
  }
  return names;
}

function emitReadUnion(def: UnionDef, file: ModuleFile, trace: boolean): void {
  const code = new Code();
  const header = headerSize(def);
  const tagAt = `at + ${tagOffset(def)}`.replace(/ \+ 0$/, "");
  const lengthAt = `at + ${lengthOffset(def)}`.replace(/ \+ 0$/, "");
  const trailer = trailerSize(def);
  code.line(`if (limit - at < ${header}) return truncated("", at, ${header}, limit);`);
  code.line(`const tag = ${readInt(def.tag, tagAt)};`);
  code.line(`const length = ${readInt(def.length, lengthAt)};`);
  if (trace) {
    const leaves = [
      `traceLeaf("tag", ${str(wireType(def.tag))}, ${tagAt}, ${tagAt} + ${intSize(def.tag)}, tag);`,
      `traceLeaf("length", ${str(wireType(def.length))}, ${lengthAt}, ${lengthAt} + ${intSize(def.length)}, length);`,
    ];
    code.lines.push(...(def.lengthFirst ? leaves.reverse() : leaves));
  }
  if (def.end !== undefined)
    code.block(`if (tag === ${hexLiteral(def.end, false)})`, (c) => {
      if (keepsEnd(def)) c.block("if (length !== 0)", (k) => k.lines.push(...readKeptEnd(def)));
      else
        c.line(
          `if (length !== 0) return new CodecError("length", ${lengthAt}, \`the end marker must have length 0, got \${length}\`);`,
        );
      if (hasTrailer(def)) {
        c.line(
          `if (limit - at < ${header + trailer}) return truncated(${str(def.trailer.name)}, at + ${header}, ${trailer}, limit);`,
        );
        c.lines.push(...verifyTrailer(def, "at", `at + ${header}`));
      }
      c.line(`parsedEnd = at + ${header + trailer};`);
      c.line("return undefined;");
    });
  code.line(`const start = at + ${header};`);
  code.line("const end = start + length;");
  code.line(
    def.align > 1
      ? `const padded = end + ((${def.align} - (length % ${def.align})) % ${def.align});`
      : "const padded = end;",
  );
  code.block(trailer > 0 ? `if (padded + ${trailer} > limit)` : "if (padded > limit)", (c) => {
    const padding = def.align > 1 ? " (\${padded - start} with padding)" : "";
    const after = hasTrailer(def) ? ` and its ${trailer}-byte ${def.trailer.name}` : "";
    c.line(
      `return new CodecError("length", ${lengthAt}, \`\${length} bytes of payload${padding}${after} run past the end of the input at byte \${limit}\`);`,
    );
  });
  code.line(`let value: ${def.name} | CodecError;`);
  code.block("switch (tag)", (c) => {
    for (const v of def.variants) {
      if (v.tag === undefined) continue;
      c.line(`case ${hexLiteral(v.tag, false)}:`);
      const size = fixedRecordSize(v.members);
      if (size !== undefined) {
        // A fixed-size payload of another length is a framing error, not truncation.
        const message = `${article(v.name)} ${v.name} payload is ${size} bytes, got \${length}`;
        c.line(
          `  if (length !== ${size}) return new CodecError("length", ${lengthAt}, \`${message}\`);`,
        );
      }
      const padded = hasPaddingProperty(def, v) ? ", padded" : "";
      c.line(`  value = ${variantReader(def, v)}(buf, start, end${padded});`);
      c.line("  break;");
    }
    c.line("default:");
    if (def.fallback !== undefined) {
      const tagField = def.fallback.members[0];
      const tagType = tagField.type.kind === "int" ? tagField.type : def.tag;
      const tagValue = tagType.signed ? signExtend("tag", tagType.bits) : "tag";
      const padded = hasPaddingProperty(def, def.fallback) ? ", padded" : "";
      c.line(
        `  value = ${variantReader(def, def.fallback)}(${tagValue}, buf, start, end${padded});`,
      );
    } else {
      c.line(
        `  return new CodecError("", at, \`unknown ${def.name} tag \${hex(tag, ${intSize(def.tag) * 2})}\`);`,
      );
    }
  });
  code.line("if (value instanceof CodecError) return value;");
  // Kept padding is read by the variant readers; unkept padding must be zero.
  if (def.align > 1 && !def.paddingKept) {
    code.line("const nonZero = findNonZero(buf, end, padded);");
    code.line(
      'if (nonZero !== -1) return new CodecError("padding", nonZero, `expected zero padding, got ${hex(buf[nonZero]!, 2)}`);',
    );
  }
  // Kept or not, the padding's bytes are the entry's last part.
  if (def.align > 1 && trace)
    code.line(
      `traceLeaf("(padding)", ${str(def.paddingKept ? "padding (non-zero bytes kept)" : "zero padding")}, end, padded, undefined);`,
    );
  if (hasTrailer(def)) {
    code.lines.push(...verifyTrailer(def, "at", "padded"));
    if (trace)
      code.line(
        `traceLeaf(${str(def.trailer.name)}, ${str(`${def.trailer.algorithm} checksum (${wireType(def.trailer.type)})`)}, padded, padded + ${trailer}, storedCheck);`,
      );
  }
  code.line(`parsedEnd = padded${trailer > 0 ? ` + ${trailer}` : ""};`);
  code.line("return value;");
  file.addFunction({
    name: `parse${def.name}`,
    docs: [
      def.end === undefined
        ? `Reads one framed ${def.name}.`
        : `Reads one framed ${def.name}; undefined means the end marker${keepsEnd(def) ? " (of length 0)" : ""}.`,
    ],
    parameters: [
      { name: "buf", type: "Uint8Array" },
      { name: "at", type: "number" },
      { name: "limit", type: "number" },
    ],
    returnType: `${def.name} | CodecError${def.end === undefined ? "" : " | undefined"}`,
    statements: withView(code.text()),
  });
  for (const v of def.variants) emitReadVariant(def, v, file, trace);
}

/** Code for the signed value of the low `bits` bits of `v`. */
function signExtend(v: string, bits: number): string {
  return bits === 32 ? `${v} | 0` : `(${v} << ${32 - bits}) >> ${32 - bits}`;
}

function variantReader(def: UnionDef, v: Variant): string {
  return `parse${def.name}_${v.name}`;
}

function emitReadVariant(def: UnionDef, v: Variant, file: ModuleFile, trace: boolean): void {
  const code = new Code();
  const locals = new Locals([...INTERNAL, "kind"]);
  const isFallback = v.tag === undefined;
  const payload = isFallback ? v.members.slice(1) : v.members;
  if (isFallback) locals.field(v.members[0].name);
  for (const m of allEnumFields(payload)) locals.field(rawName(m));
  code.line("let pos = at;");
  const reader = new SequenceReader(
    code,
    locals,
    new Cursor("at"),
    "",
    "limit",
    new Map(),
    "at",
    trace,
  );
  reader.members(payload);
  reader.settle();
  code.line("if (pos !== limit) {");
  code.line(
    '  return new CodecError("", pos, `${limit - pos} bytes left over after the payload\'s fields (payload length ${limit - at})`);',
  );
  code.line("}");
  const tagProp = isFallback ? [reader.propOf(v.members[0].name)] : [];
  const props = [`kind: ${str(v.name)}`, ...tagProp, ...reader.props];
  const keepsPadding = hasPaddingProperty(def, v);
  const kept = [...reader.kept];
  if (keepsPadding) kept.push(readKeptPadding(code, locals.fresh("nonZero")));
  returnObject(code, locals, def.name, props, kept);
  const params = [
    ...(isFallback ? [{ name: locals.field(v.members[0].name), type: "number" }] : []),
    { name: "buf", type: "Uint8Array" },
    { name: "at", type: "number" },
    { name: "limit", type: "number" },
    ...(keepsPadding ? [{ name: "padded", type: "number" }] : []),
  ];
  dropNoOpPos(code.lines);
  file.addFunction({
    name: variantReader(def, v),
    parameters: params,
    returnType: `${def.name} | CodecError`,
    statements: withView(code.text()),
  });
}
