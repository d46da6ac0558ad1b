/**
 * Emit write functions. `write` first checks the whole value (ranges, enum
 * names, byte strings, conditions against presence, computed fields) and
 * its size, so a failed write leaves the buffer untouched; then it writes
 * straight-line code with literal offsets. Neither step allocates.
 */
import type { ModuleFile } from "./module-file.js";
import { exprText, refsOf, type Expr } from "../expr.js";
import type {
  ByteOrderMember,
  ChecksumField,
  ComputedField,
  EnumDef,
  FieldType,
  FixedStringType,
  IntType,
  Member,
  Param,
  SwitchMember,
  Model,
  RecordDef,
  UnionDef,
  ValueField,
  Validation,
} from "../model.js";
import {
  caseCondition,
  caseLets,
  casesInOrder,
  dottedFields,
  fixedRecordSize,
  reachesOut,
  searchedFirst,
  fixedTypeSize,
  flagsGroup,
  hasChecksum,
  headerSize,
  intSize,
  isNestedFlags,
  isOptionalField,
  isPositioned,
  lengthOffset,
  membersBeforeTarget,
  tagOffset,
  trailerSize,
  unionKinds,
} from "../model.js";
import { article, Code, dropNoOpPos, hexLiteral, Locals, prop, str, templateText } from "./code.js";
import { writeArray } from "./construct/array.js";
import { checkBlockedEntries, putBlockedArray } from "./construct/blocks.js";
import { CheckLets } from "./construct/let.js";
import { checkBitfieldParts, checkBitfieldRules, writeBitfield } from "./construct/bitfield.js";
import { checkSearchedWrite, searchedRecord } from "./construct/search.js";
import { checkKeptChecksum, fillChecksums, writeUncheckedChecksum } from "./construct/checksum.js";
import { checkNotNone, checkWhole, storedValue, writeHigh, writeLow } from "./construct/split.js";
import { computedMeaning, lengthOf } from "./construct/computed.js";
import { checkKeptEnd, checkKeptEndLast, keepsEnd, writeKeptEnd } from "./construct/end-length.js";
import {
  checkCaseFlagsWidth,
  checkFlagsValue,
  nestedFlagsWord,
  writeFlags,
} from "./construct/flags.js";
import { checkLastEntries, writeList } from "./construct/list.js";
import { hasTrailer, writeTrailer } from "./construct/trailer.js";
import { writeMagic } from "./construct/magic.js";
import { writeMirror } from "./construct/mirror.js";
import {
  checkKeptPaddingMember,
  checkKeptPaddingPresent,
  writeKeptPaddingMember,
} from "./construct/padding-keep.js";
import { checkPlacement, writePositioned } from "./construct/positioned.js";
import { checkStringTail, writeStringTail } from "./construct/string-tail.js";
import { checkTextRoom, checkTextValue, writeText } from "./construct/text.js";
import {
  checkKeptSpelling,
  checkTextNumberValue,
  textNumberRange,
  writeTextNumberCode,
} from "./construct/text-number.js";
import {
  checkKeptPadding,
  keepsPaddingProperty,
  writeKeptPadding,
} from "./construct/union-padding.js";
import { isUuidValue, UUID_EXPECTED, writeUuid } from "./construct/uuid.js";
import {
  emitExpr,
  intRef,
  offsetExpr,
  selectorCode,
  zeroDivisionRefusals,
  type ExprRef,
  type Resolve,
} from "./expr.js";
import {
  Cursor,
  intIsValid,
  intRange,
  dropUnusedByteOrder,
  LITTLE_ENDIAN,
  paramLocal,
  withView,
  writeInt,
} from "./layout.js";
import { membersSize, presenceOf, valueResolver } from "./sizeof.js";

export function emitWrite(model: Model, file: ModuleFile): void {
  const root = model.root;
  file.addFunction({
    name: "write",
    isExported: true,
    docs: [
      `Writes \`value\` into \`buf\` at byte \`at\` and returns the offset just after it, or a {@link CodecError} if the value cannot be encoded or does not fit. On error the buffer is untouched. Allocates nothing on success.`,
    ],
    parameters: [
      { name: "value", type: root.name },
      { name: "buf", type: "Uint8Array" },
      { name: "at", initializer: "0" },
    ],
    returnType: "number | CodecError",
    statements: `return write${root.name}(value, buf, at);`,
  });
  for (const def of model.types) if (def.kind === "record") emitWriteEntry(def, file);
  for (const def of model.types) {
    if (def.kind === "enum") emitEncodeEnum(def, file);
    if (def.kind === "record") {
      emitCheck(file, `check${def.name}`, def.name, def.members, def.members, def.params);
      emitWriteRecord(def, file);
    }
    if (def.kind === "union") {
      emitCheckUnion(def, file);
      emitWriteUnion(def, file);
    }
  }
}

/** The exported writer of one record: checks the whole value and the room for it, then writes. */
function emitWriteEntry(def: RecordDef, file: ModuleFile): void {
  const params = def.params.map((p) => paramLocal(p.name));
  const args = params.map((p) => `, ${p}`).join("");
  file.addFunction({
    name: `write${def.name}`,
    isExported: true,
    docs: [
      `Writes a {@link ${def.name}} into \`buf\` at byte \`at\` and returns the offset just after it, or a {@link CodecError} if the value cannot be encoded or does not fit. On error the buffer is untouched. Allocates nothing on success.`,
    ],
    parameters: [
      { name: "value", type: def.name },
      { name: "buf", type: "Uint8Array" },
      params.length > 0 ? { name: "at", type: "number" } : { name: "at", initializer: "0" },
      ...params.map((name) => ({ name, type: "number" })),
    ],
    returnType: "number | CodecError",
    statements: [
      `const problem = check${def.name}(value${args});`,
      "if (problem !== undefined) return problem;",
      `const size = ${fixedRecordSize(def.members) ?? `sizeof${def.name}(value${args})`};`,
      "if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size) {",
      '  return new CodecError("", undefined, `needs ${size} bytes at offset ${at}, but the buffer has ${buf.length}`);',
      "}",
      // What it points at must be in the buffer too (a record found from the end counts it in its size).
      ...(reachesOut(def) && searchedFirst(def) === undefined
        ? [
            `const reach = reach${def.name}(value${args});`,
            "if (reach > buf.length) {",
            '  return new CodecError("", undefined, `writes through its pointers up to byte ${reach}, past the end of the ${buf.length}-byte buffer`);',
            "}",
          ]
        : []),
      `return put${def.name}(value, buf, at${args});`,
    ],
  });
}

function emitEncodeEnum(def: EnumDef, file: ModuleFile): void {
  const isString = def.base.kind === "fixedString";
  const code = new Code();
  code.block("switch (v)", (c) => {
    for (const value of def.values)
      c.line(
        `case ${str(value.name)}: return ${typeof value.value === "number" ? value.value : str(value.value)};`,
      );
  });
  if (def.open) {
    code.block('if (typeof v !== "object" || v === null)', (c) => c.line("return undefined;"));
    code.line("const raw = v.unknown;");
    if (def.base.kind === "fixedString") {
      const size = def.base.size;
      const spaced = def.base.pad === "space" ? ' || raw.endsWith(" ")' : "";
      code.line(
        `if (!isByteString(raw) || raw.length > ${size} || raw.includes("\\0")${spaced}) return undefined;`,
      );
    } else {
      code.line(`if (!${intIsValid(def.base, "raw")}) return undefined;`);
    }
    // A known value must be written by its name, so each stored value has one representation.
    code.block("switch (raw)", (c) => {
      for (const value of def.values)
        c.line(`case ${typeof value.value === "number" ? value.value : str(value.value)}:`);
      c.line("  return undefined;");
    });
    code.line("return raw;");
  } else {
    code.line("return undefined;");
  }
  file.addFunction({
    name: `encode${def.name}`,
    docs: [`The stored value of a ${def.name}, or undefined if \`v\` is not a valid one.`],
    parameters: [{ name: "v", type: def.name }],
    returnType: `${isString ? "string" : "number"} | undefined`,
    statements: code.text(),
  });
}

function enumRange(def: EnumDef): string {
  const names = def.values.map((v) => v.name).join(", ");
  return def.open ? `one of ${names}, or { unknown } with another value` : `one of ${names}`;
}

const INTERNAL = [
  "v",
  "e",
  "buf",
  "view",
  "at",
  "pos",
  "i",
  "invalid",
  "problem",
  "size",
  "length",
  "padded",
  "list",
  "end",
];

/**
 * Checks over one record's or variant's members; `obj` is the value being
 * checked. Each scope is checked in two passes: first every member's own
 * value (types, ranges, nested objects), then what depends on several
 * members (computed fields, conditions against presence, validations), so
 * a bad value is blamed on itself and not on a field computed from it.
 */
export class CheckWalker {
  constructor(
    readonly code: Code,
    readonly locals: Locals,
    /** Top-level members of the record, for computed offsets. */
    readonly recordMembers: readonly Member[],
    readonly recordObj: string,
    /** The module, for scratch space a check needs (a searched record's). */
    readonly file?: ModuleFile,
    /** The record's parameters, which sizes before a computed offset's target may use. */
    readonly params: readonly Param[] = [],
  ) {
    this.lets = new CheckLets(code, locals);
  }

  /** Stored values of names expressions use, as code. */
  readonly refs = new Map<string, ExprRef>();
  /** The record's lets (see construct/let.ts). */
  readonly lets: CheckLets;
  resolve: Resolve = (name) => this.lets.ref(name, this.resolve) ?? this.refs.get(name)!;
  /** Computed sizes and counts: what they size agrees with them by construction. */
  readonly lengths = new Set<string>();
  /**
   * Pass-1 checks put off to pass 2: those whose expressions (a record's
   * `args`, a stride, a selector) use a computed field, known only in pass
   * 2, or a let over one. They run where pass 2 reaches the member: a field
   * by its path (its case's copy is another object), a selector by itself.
   */
  private readonly later = new Map<string | Member, () => void>();

  /** Can pass 1 work out `exprs`: is every name they use (through lets too) known yet? */
  private known(exprs: readonly Expr[], inside: ReadonlySet<string> = new Set()): boolean {
    return exprs.every((e) =>
      refsOf(e).every(({ name }) => {
        if (inside.has(name.split(".")[0]!)) return true;
        if (this.refs.has(name) || this.lets.has(name)) return true;
        const pending = this.lets.pendingLet(name);
        return pending !== undefined && this.known([pending.value]);
      }),
    );
  }

  /**
   * Runs `check` now if pass 1 knows `exprs` (with the names in `inside`,
   * which the check itself defines), else where pass 2 reaches `path` (see {@link later}).
   */
  private whenKnown(
    exprs: readonly Expr[],
    path: string | Member,
    check: () => void,
    inside?: ReadonlySet<string>,
  ): void {
    if (this.known(exprs, inside)) check();
    else this.later.set(path, check);
  }
  private isLength(e: Expr): boolean {
    return e.kind === "ref" && this.lengths.has(e.name);
  }

  members(members: readonly Member[], obj: string, prefix: string): void {
    for (const m of members) this.shape(m, obj, prefix);
    for (const m of members) this.rules(m, obj, prefix, members);
  }

  fail(path: string, reason: string): string {
    return `return new CodecError(${str(path)}, undefined, ${reason});`;
  }

  /** Refuses a bigint division by zero in `exprs` before they are worked out (see zeroDivisions). */
  refuseZeroDivisions(exprs: readonly Expr[], path: string): void {
    this.code.lines.push(
      ...zeroDivisionRefusals(exprs, this.resolve, (reason) => this.fail(path, reason)),
    );
  }

  expected(path: string, what: string, acc: string): string {
    return `return invalid(${str(path)}, ${str(what)}, ${acc});`;
  }

  /** Pass 1: the member's own value. */
  private shape(m: Member, obj: string, prefix: string): void {
    const path = prefix + ("name" in m ? m.name : "padding");
    switch (m.kind) {
      case "const": {
        const big = m.type.bits === 64;
        this.refs.set(m.name, { code: hexLiteral(m.value, big), bigint: big });
        return;
      }
      case "padding":
        if (m.rest !== undefined) {
          const acc = prop(obj, m.rest);
          this.code.line(
            `if (!Number.isSafeInteger(${acc}) || ${acc} < 0) ${this.expected(prefix + m.rest, "a number of zero bytes (an integer from 0)", acc)}`,
          );
        }
        if (m.keep !== undefined)
          this.code.lines.push(
            ...checkKeptPaddingMember({ ...m, keep: m.keep }, prop(obj, m.keep), prefix + m.keep),
          );
        return;
      case "checksum":
        if (m.keep !== undefined) checkKeptChecksum(this, { ...m, keep: m.keep }, obj, prefix);
        return;
      case "computed":
      case "magic":
      case "high":
      case "mirror":
        return;
      case "flags":
        if (isNestedFlags(m)) {
          // Checked as the group of its bits it is typed as; expressions see the stored word.
          this.shape(flagsGroup(m), obj, prefix);
          if (m.cond === undefined && m.type.bits <= 32)
            this.refs.set(m.name, { code: nestedFlagsWord(m, prop(obj, m.name)), bigint: false });
        } else checkFlagsValue(this, m, obj, prefix);
        return;
      case "bitfield":
        checkBitfieldParts(this, m, obj, prefix);
        return;
      case "byteOrder":
        this.whenKnown([m.on], m, () => this.byteOrder(m, prefix));
        return;
      case "switch":
        this.whenKnown(
          [
            m.on,
            ...m.cases.flatMap((k) =>
              k.members.flatMap((x) => (x.kind === "let" ? [x.value] : [])),
            ),
          ],
          m,
          () => this.switchCases(m, obj, prefix),
          new Set(m.cases.flatMap((k) => k.members.flatMap((x) => ("name" in x ? [x.name] : [])))),
        );
        return;
      case "let":
        this.lets.meet(m);
        return;
      case "group": {
        const local = this.locals.fresh(m.name);
        this.code.line(`const ${local} = ${prop(obj, m.name)};`);
        const body = (): void => {
          this.code.line(
            `if (typeof ${local} !== "object" || ${local} === null) ${this.expected(path, `${article(m.typeName)} ${m.typeName} object`, local)}`,
          );
          this.members(m.members, local, `${path}.`);
        };
        if (m.cond === undefined) body();
        else this.code.block(`if (${local} !== undefined)`, body);
        return;
      }
      case "value": {
        const acc = prop(obj, m.name);
        if (!isOptionalField(m)) this.value(m, acc, path);
        else this.code.block(`if (${acc} !== undefined)`, () => this.value(m, acc, path));
        return;
      }
    }
  }

  /** Pass 2: computed fields, conditions and validations. */
  private rules(m: Member, obj: string, prefix: string, siblings: readonly Member[]): void {
    const path = prefix + ("name" in m ? m.name : "padding");
    const key = "name" in m ? path : m;
    const later = this.later.get(key);
    if (later !== undefined) {
      this.later.delete(key);
      if (m.kind === "value" && isOptionalField(m))
        this.code.block(`if (${prop(obj, m.name)} !== undefined)`, later);
      else later();
    }
    switch (m.kind) {
      case "bitfield":
        checkBitfieldRules(this, m, obj, prefix);
        return;
      case "let":
        this.refuseZeroDivisions([m.value], path);
        this.lets.workOut(m, this.resolve);
        return;
      case "computed": {
        const local = this.locals.field(m.name);
        const how = `is computed as \${${local}} (${computedMeaning(m)})`;
        const value =
          m.of === "offset" || m.of === "end"
            ? offsetOf(
                this.recordMembers,
                m,
                this.recordObj,
                valueResolver(this.recordMembers, this.recordObj, this.params),
              )
            : lengthOf(m, siblings, obj, this.resolve);
        this.code.line(`const ${local} = ${value};`);
        this.code.line(
          `if (!${intIsValid(m.type, local)}) ${this.fail(path, `\`${how}, more than ${intRange(m.type)} can hold\``)}`,
        );
        this.refs.set(m.name, { code: local, bigint: false });
        if (m.of === "size" || m.of === "count") this.lengths.add(m.name);
        this.validations(m.valid, path, how);
        return;
      }
      case "group":
      case "flags":
        if (m.cond !== undefined) this.presence(m.cond, prop(obj, m.name), path);
        return;
      case "value": {
        const acc = prop(obj, m.name);
        if (m.cond !== undefined) this.presence(m.cond, acc, path);
        const t = m.type;
        const dependent = (): void => {
          this.validations(m.valid, path, `is \${describe(${acc})}`);
          if (t.kind === "bytes" && t.size.kind === "expr" && !this.isLength(t.size.expr)) {
            const e = t.size.expr;
            this.refuseZeroDivisions([e], path);
            const want = e.kind === "num" ? e.value.toString() : offsetExpr(e, this.resolve);
            // A literal size is stated, not worked out: "but 3 is 3" says nothing.
            const size =
              e.kind === "num"
                ? `its size is ${want}`
                : `${templateText(exprText(e))} is \${${want}}`;
            this.code.line(
              `if (${acc}.length !== ${e.kind === "num" ? want : `(${want})`}) ${this.fail(path, `\`is \${${acc}.length} bytes, but ${size}\``)}`,
            );
          }
          if (
            t.kind === "array" &&
            t.count !== undefined &&
            t.count.kind !== "num" &&
            !this.isLength(t.count)
          ) {
            this.refuseZeroDivisions([t.count], path);
            const want = offsetExpr(t.count, this.resolve);
            this.code.line(
              `if (${acc}.length !== (${want})) ${this.fail(path, `\`has \${${acc}.length} entries, but ${templateText(exprText(t.count))} is \${${want}}\``)}`,
            );
          }
          if (t.kind === "text" && !this.isLength(t.size)) checkTextRoom(this, m, t, acc, path);
          if (t.kind === "array" && t.bytes !== undefined)
            this.sizedEntries(m.name, t, t.bytes, acc, path, this.isLength(t.bytes));
        };
        if (m.tail !== undefined && t.kind === "textInt") {
          this.code.lines.push(
            ...checkKeptSpelling(t.int, t.spelling, acc, prop(obj, m.tail), prefix + m.tail),
          );
        } else if (m.tail !== undefined) {
          const size = fixedTypeSize(t)!;
          const text = t.kind === "enum" ? `(encode${t.enum.name}(${acc}) ?? "")` : acc;
          this.code.lines.push(
            ...checkStringTail(prop(obj, m.tail), `${size} - ${text}.length - 1`, prefix + m.tail),
          );
        }
        const hasRules =
          m.valid.length > 0 ||
          (t.kind === "bytes" && t.size.kind === "expr") ||
          (t.kind === "array" && t.count !== undefined && t.count.kind !== "num") ||
          (t.kind === "array" && t.bytes !== undefined) ||
          t.kind === "text";
        if (!hasRules) return;
        if (m.cond === undefined) dependent();
        else this.code.block(`if (${acc} !== undefined)`, dependent);
        return;
      }
      case "switch":
        this.switchRules(m, obj, prefix);
        return;
      case "padding":
        if (m.sizeExpr !== undefined) {
          this.refuseZeroDivisions([m.sizeExpr], path);
          const n = offsetExpr(m.sizeExpr, this.resolve);
          this.code.line(
            `if (${n} < 0) ${this.fail(path, `\`would be \${${n}} bytes (${templateText(exprText(m.sizeExpr))}): the fields before it take too much room\``)}`,
          );
        }
        if (m.keep !== undefined && m.cond !== undefined)
          this.code.line(
            checkKeptPaddingPresent(prop(obj, m.keep), prefix + m.keep, prop(obj, m.follows!)),
          );
        return;
      default:
        return;
    }
  }

  private byteOrder(m: ByteOrderMember, prefix: string): void {
    const path = m.on.kind === "ref" ? prefix + m.on.name : prefix + "byte_order";
    this.refuseZeroDivisions([m.on], path);
    const on = selectorCode(m.on, emitExpr(m.on, this.resolve), this.recordMembers);
    this.code.line(
      `if (${on} !== ${m.little} && ${on} !== ${m.big}) ${this.fail(path, `\`is \${${on}}: the byte order must be ${m.littleName} (little-endian) or ${m.bigName} (big-endian)\``)}`,
    );
  }

  /**
   * Each field is checked against the width of the case `on` selects, and a
   * field only some cases have is there exactly when its case is selected.
   */
  private switchCases(m: SwitchMember, obj: string, prefix: string): void {
    const path = m.on.kind === "ref" ? prefix + m.on.name : prefix + "switch";
    // The fields every case has are properties of their merged types, in the cases too
    // (and the selector, when it is one of them, read ahead).
    this.mergedRefs(m, obj);
    this.refuseZeroDivisions([m.on], path);
    const on = selectorCode(m.on, emitExpr(m.on, this.resolve), this.recordMembers);
    // A flags word is checked once as the merged word, then in each case against its width.
    for (const w of m.flags) this.shape(w, obj, prefix);
    for (const l of caseLets(m)) this.lets.declareCaseLet(l);
    this.code.block(`switch (${on})`, (c) => {
      for (const k of casesInOrder(m)) {
        c.block(k.when === undefined ? "default:" : `case ${k.when}:`, () => {
          // Static text for a case's own value; the default case says the value it saw.
          const selected =
            k.when === undefined ? `${m.onText} is \${${on}}` : `${m.onText} is ${k.whenName}`;
          for (const f of m.only) {
            if (k.members.some((x) => x.kind === "value" && x.name === f.name)) continue;
            const acc = prop(obj, f.name);
            this.code.line(
              `if (${acc} !== undefined) ${this.fail(prefix + f.name, `\`must be absent when ${selected}\``)}`,
            );
          }
          for (const f of k.members) {
            if (f.kind === "flags") {
              checkCaseFlagsWidth(
                this,
                f,
                m.flags.find((w) => w.name === f.name)!,
                obj,
                prefix,
                caseCondition(m, k),
              );
              continue;
            }
            if (f.kind !== "value") continue;
            const acc = prop(obj, f.name);
            const merged = m.fields.find((x) => x.name === f.name);
            if (merged === undefined) {
              if (isOptionalField(f))
                this.code.line(
                  `if (${acc} === undefined) ${this.fail(prefix + f.name, `\`is required when ${selected}\``)}`,
                );
              this.value({ ...f, cond: undefined }, acc, prefix + f.name);
              continue;
            }
            const t = f.type;
            if (t.kind === "int" && merged.type.kind === "int" && merged.type.bits !== t.bits) {
              // The property has the merged type: a bigint only where the merged type is 64 bits.
              const note = ` (${caseCondition(m, k)})`;
              if (merged.type.bits === 64) {
                const range = `${intRange(t).replace("an integer", "a bigint")}${note}`;
                const fits = `BigInt.as${t.signed ? "Int" : "Uint"}N(${t.bits}, ${acc}) === ${acc}`;
                this.code.line(
                  `if (!(typeof ${acc} === "bigint" && ${fits})) ${this.expected(prefix + f.name, range, acc)}`,
                );
              } else
                this.code.line(
                  `if (!${intIsValid(t, acc)}) ${this.expected(prefix + f.name, `${intRange(t)}${note}`, acc)}`,
                );
            } else this.value(f, acc, prefix + f.name);
          }
          // Its fields checked, the case gives its lets their values.
          for (const f of k.members) {
            if (f.kind !== "let") continue;
            this.refuseZeroDivisions([f.value], prefix + f.name);
            this.lets.assignCaseLet(f, this.resolve);
          }
          this.code.line("break;");
        });
      }
      if (!m.cases.some((k) => k.when === undefined))
        c.line(
          `default: ${this.fail(path, `\`is \${${on}}, which no layout is for (expected ${m.cases.map((k) => k.whenName).join(" or ")})\``)}`,
        );
    });
    // Again: a case's own checks saw its fields at the case's widths.
    this.mergedRefs(m, obj);
  }

  /**
   * An array filling `bytes` bytes: its entries' sizes add up to them, and
   * none takes no bytes (read would never reach the end).
   */
  private sizedEntries(
    name: string,
    t: FieldType & { kind: "array" },
    bytes: Expr,
    acc: string,
    path: string,
    /** Is the size computed from the entries (`size(F)`), so that only empty entries are refused? */
    computed: boolean,
  ): void {
    if (t.block !== undefined) {
      checkBlockedEntries(this, name, t, bytes, t.block, acc, path);
      return;
    }
    this.refuseZeroDivisions([bytes, ...t.args], path);
    const args = t.args.map((a) => `, ${emitExpr(a, this.resolve)}`).join("");
    const empty = `return new CodecError(\`${templateText(path)}[\${i}]\`, undefined, "takes no bytes, so the entries would never fill the array's size");`;
    if (computed) {
      this.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) =>
        c.line(`if (sizeof${t.element.name}(${acc}[i]!${args}) === 0) ${empty}`),
      );
      return;
    }
    const total = this.locals.fresh(`${name}_bytes`);
    const want = offsetExpr(bytes, this.resolve);
    this.code.line(`let ${total} = 0;`);
    this.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) => {
      c.line(`const size = sizeof${t.element.name}(${acc}[i]!${args});`);
      c.line(`if (size === 0) ${empty}`);
      c.line(`${total} += size;`);
    });
    this.code.line(
      `if (${total} !== ${want}) ${this.fail(path, `\`takes \${${total}} bytes, but ${templateText(exprText(bytes))} is \${${want}}\``)}`,
    );
  }

  /** Expressions see a switch's merged fields as its properties. */
  private mergedRefs(m: SwitchMember, obj: string): void {
    for (const f of m.fields) {
      const acc = prop(obj, f.name);
      if (f.type.kind === "int") this.refs.set(f.name, { code: acc, bigint: f.type.bits === 64 });
      else if (f.type.kind === "enum")
        this.refs.set(f.name, {
          code: `(encode${f.type.enum.name}(${acc}) ?? 0)`,
          bigint: false,
        });
    }
  }

  /**
   * Pass 2 of the fields only some cases have: each case's own checks
   * (`valid`, sizes), for the case that is selected.
   */
  private switchRules(m: SwitchMember, obj: string, prefix: string): void {
    const on = selectorCode(m.on, emitExpr(m.on, this.resolve), this.recordMembers);
    const tests = caseTests(m, on);
    for (const [i, k] of m.cases.entries()) {
      for (const f of k.members) {
        if (f.kind !== "value" || m.fields.some((x) => x.name === f.name)) continue;
        const acc = prop(obj, f.name);
        const before = this.code.lines.length;
        this.code.block(`if (${tests[i]} && ${acc} !== undefined)`, () =>
          this.rules({ ...f, cond: undefined }, obj, prefix, k.members),
        );
        // Nothing to check: no block.
        if (this.code.lines.length === before + 2) this.code.lines.splice(before);
      }
    }
  }

  private presence(cond: Expr, acc: string, path: string): void {
    const text = exprText(cond);
    this.refuseZeroDivisions([cond], path);
    this.code.block(`if ((${emitExpr(cond, this.resolve)}) !== (${acc} !== undefined))`, (c) => {
      c.line(
        this.fail(
          path,
          `${acc} === undefined ? ${str(`is required when ${text}`)} : ${str(`must be absent unless ${text}`)}`,
        ),
      );
    });
  }

  validations(valid: readonly Validation[], path: string, what: string): void {
    for (const v of valid) {
      this.refuseZeroDivisions([v.check], path);
      this.code.line(
        `if (!(${emitExpr(v.check, this.resolve)})) ${this.fail(path, `\`${what}: ${templateText(v.message)}\``)}`,
      );
    }
  }

  /** Pass-1 checks of a value field that is present. */
  value(m: ValueField, acc: string, path: string): void {
    const t = m.type;
    switch (t.kind) {
      case "int":
        if (m.split !== undefined) checkWhole(this, { ...m, split: m.split }, acc, path);
        else this.code.line(`if (!${intIsValid(t, acc)}) ${this.expected(path, intRange(t), acc)}`);
        checkNotNone(this, m, acc, path);
        this.refs.set(
          m.name,
          intRef(acc, t.bits, t.signed, m.cond === undefined && m.none === undefined),
        );
        return;
      case "enum":
        this.code.line(
          `if (encode${t.enum.name}(${acc}) === undefined) ${this.expected(path, enumRange(t.enum), acc)}`,
        );
        this.refs.set(m.name, { code: `(encode${t.enum.name}(${acc}) ?? 0)`, bigint: false });
        return;
      case "uuid":
        this.code.line(`if (!${isUuidValue(acc)}) ${this.expected(path, UUID_EXPECTED, acc)}`);
        return;
      case "textInt":
        this.code.line(
          `if (!(${checkTextNumberValue(t.int, t.spelling, acc)})) ${this.expected(path, textNumberRange(t.int, t.spelling), acc)}`,
        );
        this.refs.set(m.name, intRef(acc, t.int.bits, t.int.signed, m.cond === undefined));
        return;
      case "text":
        checkTextValue(this, t, acc, path);
        return;
      case "fixedString": {
        // A space-padded value ending in a space would read back without it.
        const spaced = t.pad === "space";
        this.code.line(
          `if (!isByteString(${acc}) || ${acc}.length > ${t.size} || ${acc}.includes("\\0")${spaced ? ` || ${acc}.endsWith(" ")` : ""}) {`,
        );
        this.code.line(
          `  ${this.expected(path, `a byte string of at most ${t.size} bytes without NUL${spaced ? " that does not end in a space" : ""}`, acc)}`,
        );
        this.code.line("}");
        return;
      }
      case "bytes":
        this.code.line(
          `if (!isByteString(${acc})) ${this.expected(path, "a byte string (characters U+0000 to U+00FF)", acc)}`,
        );
        if (t.size.kind === "terminated") {
          const byte = `0x${t.size.byte.toString(16).padStart(2, "0")}`;
          this.code.line(
            `if (${acc}.indexOf(${str(String.fromCharCode(t.size.byte))}) !== -1) ${this.fail(path, `"holds its terminator ${byte}, so it would end there on read"`)}`,
          );
        }
        if (t.size.kind === "prefix") {
          const max = 2 ** t.size.length.bits - 1;
          this.code.line(
            `if (${acc}.length > ${max}) ${this.fail(path, `\`is \${${acc}.length} bytes; its length prefix holds at most ${max}\``)}`,
          );
        }
        return;
      case "record":
        this.whenKnown(t.args, path, () => this.record(m, t, acc, path));
        return;
      case "array":
      case "list": {
        const name = t.kind === "array" ? t.element.name : t.union.name;
        this.code.line(`if (!Array.isArray(${acc})) ${this.expected(path, "an array", acc)}`);
        if (t.kind === "array" && t.count?.kind === "num")
          this.code.line(
            `if (${acc}.length !== ${t.count.value}) ${this.fail(path, `\`has \${${acc}.length} entries; it holds exactly ${t.count.value}\``)}`,
          );
        const exprs =
          t.kind === "array" ? [...t.args, ...(t.stride === undefined ? [] : [t.stride])] : [];
        this.whenKnown(exprs, path, () => this.entries(t, name, acc, path));
        return;
      }
    }
  }

  /** A record-typed value: its own check, then its integer fields for later expressions. */
  private record(
    m: ValueField,
    t: FieldType & { kind: "record" },
    acc: string,
    path: string,
  ): void {
    const err = this.locals.fresh("problem");
    this.refuseZeroDivisions(t.args, path);
    const args = t.args.map((a) => `, ${emitExpr(a, this.resolve)}`).join("");
    this.code.line(`const ${err} = check${t.record.name}(${acc}${args});`);
    this.code.line(`if (${err} !== undefined) return ${err}.within(${str(path)});`);
    // Checked, so later expressions may use its integer fields: `end.cd_offset`.
    for (const f of dottedFields(t.record))
      this.refs.set(
        `${m.name}.${f.path}`,
        intRef(
          f.path.split(".").reduce((o, p) => prop(o, p), acc),
          f.int.bits,
          f.int.signed,
        ),
      );
    if (m.search !== undefined && this.file !== undefined)
      checkSearchedWrite(this.code, m, acc, path, this.file);
  }

  /** The entries of an array or list (already checked to be an array), each by its own check. */
  private entries(
    t: FieldType & { kind: "array" | "list" },
    name: string,
    acc: string,
    path: string,
  ): void {
    if (t.kind === "array")
      this.refuseZeroDivisions([...t.args, ...(t.stride === undefined ? [] : [t.stride])], path);
    const args =
      t.kind === "array" ? t.args.map((a) => `, ${emitExpr(a, this.resolve)}`).join("") : "";
    if (t.kind === "array" && t.stride !== undefined) {
      const least = fixedRecordSize(t.element.members);
      const stride = offsetExpr(t.stride, this.resolve);
      this.code.line(
        least !== undefined
          ? `if (${acc}.length > 0 && !(${stride} >= ${least})) ${this.fail(path, `\`its stride is \${${stride}} bytes, less than the ${least} bytes of ${article(name)} ${name}\``)}`
          : `if (${acc}.length > 0 && !(${stride} >= 1)) ${this.fail(path, `\`its stride is \${${stride}} bytes\``)}`,
      );
    }
    this.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) => {
      c.line(`const problem = check${name}(${acc}[i]!${args});`);
      // The entry's own error first: its size is known only once it is sound.
      c.line(`if (problem !== undefined) return problem.within(\`${templateText(path)}[\${i}]\`);`);
      if (
        t.kind === "array" &&
        t.stride !== undefined &&
        fixedRecordSize(t.element.members) === undefined
      )
        c.line(
          `if (sizeof${name}(${acc}[i]!${args}) > ${offsetExpr(t.stride, this.resolve)}) return new CodecError(\`${templateText(path)}[\${i}]\`, undefined, "is larger than its stride");`,
        );
      if (t.kind === "list" && keepsEnd(t.union))
        c.line(checkKeptEndLast(t.union, acc, templateText(path)));
    });
    if (t.kind === "list")
      this.code.lines.push(...checkLastEntries(t.union, acc, templateText(path)));
  }
}

/** Code for the stored (unsigned) tag of a signed fallback tag `v` of `bits` bits. */
function unsignedTag(v: string, bits: number): string {
  return bits === 32 ? `${v} >>> 0` : `${v} & ${hexLiteral(2 ** bits - 1, false)}`;
}

/** Do any of `members` take their bytes from the value? */
function holdsValues(members: readonly Member[]): boolean {
  return members.some(
    (m) =>
      m.kind === "value" ||
      m.kind === "flags" ||
      m.kind === "bitfield" ||
      (m.kind === "group" && (m.cond !== undefined || holdsValues(m.members))),
  );
}

/**
 * Code for the offset of top-level member `m.target` from the start of the
 * record (for `end`, of the byte just past it); `resolve` gives the sizes before it the record's fields and parameters.
 */
function offsetOf(
  members: readonly Member[],
  m: ComputedField,
  obj: string,
  resolve: Resolve,
): string {
  return membersSize(membersBeforeTarget(members, m), obj, resolve);
}

function emitCheck(
  file: ModuleFile,
  name: string,
  type: string,
  members: readonly Member[],
  recordMembers: readonly Member[],
  params: readonly Param[] = [],
): void {
  const code = new Code();
  code.line(
    `if (typeof v !== "object" || v === null) return new CodecError("", undefined, \`expected ${article(type)} ${type} object, got \${describe(v)}\`);`,
  );
  const walker = new CheckWalker(code, new Locals(INTERNAL), recordMembers, "v", file, params);
  for (const p of params) walker.refs.set(p.name, { code: paramLocal(p.name), bigint: false });
  walker.members(members, "v", "");
  walker.lets.dropUnused();
  if (members === recordMembers) checkPlacement(members, params, code, walker.locals);
  code.line("return undefined;");
  const text = code.text();
  file.addFunction({
    name,
    docs: ["Why `v` cannot be written, or undefined if it can."],
    parameters: [
      { name: "v", type },
      // A parameter the checks do not use is still taken, so every call passes the same.
      ...params.map((p) => ({
        name: new RegExp(`\\b${paramLocal(p.name)}\\b`).test(text)
          ? paramLocal(p.name)
          : `_${paramLocal(p.name)}`,
        type: "number",
      })),
    ],
    returnType: "CodecError | undefined",
    statements: text,
  });
}

function emitCheckUnion(def: UnionDef, file: ModuleFile): void {
  const code = new Code();
  code.line(
    `if (typeof e !== "object" || e === null) return new CodecError("", undefined, \`expected ${article(def.name)} ${def.name} object, got \${describe(e)}\`);`,
  );
  code.block("switch (e.kind)", (c) => {
    for (const v of unionKinds(def)) {
      c.block(`case ${str(v.name)}:`, (body) => {
        const walker = new CheckWalker(body, new Locals(INTERNAL), v.members, "e");
        if (v === def.endKept) {
          walker.members(v.members, "e", "");
          body.line(checkKeptEnd());
          body.line("return undefined;");
          return;
        }
        if (v.tag === undefined) {
          const tagField = v.members[0];
          const acc = prop("e", tagField.name);
          walker.value(tagField, acc, tagField.name);
          const known = def.variants.filter((x) => x.tag !== undefined).map((x) => x.tag!);
          const tagType = tagField.type as IntType;
          const unsigned = tagType.signed ? unsignedTag(acc, tagType.bits) : acc;
          body.block(`switch (${unsigned})`, (s) => {
            for (const tag of def.end === undefined ? known : [def.end, ...known])
              s.line(`case ${hexLiteral(tag, false)}:`);
            s.line(
              `  return new CodecError(${str(tagField.name)}, undefined, \`\${hex(${unsigned}, ${intSize(def.tag) * 2})} is the end marker or a known tag; use its variant\`);`,
            );
          });
          walker.members(v.members.slice(1), "e", "");
        } else {
          walker.members(v.members, "e", "");
        }
        body.line("break;");
      });
    }
    c.line(
      `default: return new CodecError("kind", undefined, \`expected ${article(def.name)} ${def.name} kind, got \${describe((e as { kind?: unknown }).kind)}\`);`,
    );
  });
  const max = 2 ** def.length.bits - 1;
  code.line(`const length = payloadSize${def.name}(e);`);
  code.line(
    `if (length > ${max}) return new CodecError("", undefined, \`its payload is \${length} bytes; the length field holds at most ${max}\`);`,
  );
  // Payloads that never need padding have no property to keep it in.
  if (keepsPaddingProperty(def)) code.line(checkKeptPadding(def));
  code.line("return undefined;");
  file.addFunction({
    name: `check${def.name}`,
    docs: ["Why `e` cannot be written, or undefined if it can."],
    parameters: [{ name: "e", type: def.name }],
    returnType: "CodecError | undefined",
    statements: code.text(),
  });
}

/** Writing one record's or variant's members at a cursor. */
export class WriteWalker {
  constructor(
    readonly code: Code,
    readonly locals: Locals,
    readonly cursor: Cursor,
    readonly recordMembers: readonly Member[],
    readonly recordObj: string,
    params: readonly Param[] = [],
  ) {
    this.resolve = valueResolver(recordMembers, recordObj, params);
  }

  /** Expressions (sizes, positions) over the value being written. */
  readonly resolve: Resolve;

  settle(): void {
    if (this.cursor.base === "pos" && this.cursor.offset === 0) return;
    this.code.line(
      this.cursor.base === "pos" ? `pos += ${this.cursor.offset};` : `pos = ${this.cursor.at()};`,
    );
    this.cursor.base = "pos";
    this.cursor.offset = 0;
  }

  /** Positioned members met in the sequence, written after it. */
  readonly positioned: (Member & { at: Expr })[] = [];
  /** Checksum fields met, with where each is; filled in once the record is written. */
  readonly checksums: { field: ChecksumField; at: string; applies: string | undefined }[] = [];

  members(members: readonly Member[], obj: string): void {
    for (const m of members) {
      if (isPositioned(m)) this.positioned.push(m);
      else this.member(m, obj);
    }
  }

  /** Writes member `m` at the cursor (used for positioned members too, once the cursor is there). */
  member(m: Member, obj: string): void {
    const at = this.cursor.at();
    switch (m.kind) {
      case "magic":
        this.code.line(writeMagic(m, at));
        this.cursor.advance(m.value.length);
        return;
      case "checksum": {
        let where = at;
        if (this.cursor.base === "pos") {
          where = this.locals.fresh(`${m.name}_at`);
          this.code.line(`const ${where} = ${at};`);
        }
        const applies = m.when === undefined ? undefined : emitExpr(m.when, this.resolve);
        if (applies !== undefined)
          this.code.line(
            writeUncheckedChecksum(
              m,
              applies,
              m.keep === undefined ? undefined : prop(obj, m.keep),
              where,
            ),
          );
        this.checksums.push({ field: m, at: where, applies });
        this.cursor.advance(m.text === undefined ? intSize(m.type) : m.text.size);
        return;
      }
      case "const":
        this.code.line(writeInt(m.type, at, hexLiteral(m.value, m.type.bits === 64)));
        this.cursor.advance(intSize(m.type));
        return;
      case "computed": {
        const value =
          m.of === "offset" || m.of === "end"
            ? offsetOf(this.recordMembers, m, this.recordObj, this.resolve)
            : this.resolve(m.name).code;
        this.code.line(writeInt(m.type, at, value));
        this.cursor.advance(intSize(m.type));
        return;
      }
      case "padding":
        if (m.rest !== undefined) {
          const n = prop(obj, m.rest);
          this.code.line(`buf.fill(0, ${at}, ${at} + ${n});`);
          this.settleAfter(n);
        } else if (m.sizeExpr !== undefined) {
          // Worked out once, for the fill and the position after it.
          const size = offsetExpr(m.sizeExpr, this.resolve);
          const n = /^[\w.]+$/.test(size) ? size : this.locals.fresh("padding_size");
          if (n !== size) this.code.line(`const ${n} = ${size};`);
          this.code.line(`buf.fill(0, ${at}, ${at} + ${n});`);
          this.settleAfter(n);
        } else if (m.cond === undefined) {
          this.code.line(
            m.keep === undefined
              ? `buf.fill(0, ${at}, ${this.cursor.at(m.size)});`
              : writeKeptPaddingMember({ ...m, keep: m.keep }, prop(obj, m.keep), at),
          );
          this.cursor.advance(m.size);
        } else {
          this.settle();
          this.code.block(`if (${presenceOf(m, obj)})`, (c) => {
            c.line(
              m.keep === undefined
                ? `buf.fill(0, pos, pos + ${m.size});`
                : writeKeptPaddingMember({ ...m, keep: m.keep }, prop(obj, m.keep), "pos"),
            );
            c.line(`pos += ${m.size};`);
          });
        }
        return;
      case "flags":
        if (isNestedFlags(m)) this.member(flagsGroup(m), obj);
        else writeFlags(this, m, obj, at);
        return;
      case "bitfield":
        writeBitfield(this, m, obj);
        return;
      case "high":
        writeHigh(this, m, obj);
        return;
      case "mirror":
        this.code.line(writeMirror(m, prop(obj, m.of), at));
        this.cursor.advance(intSize(m.type));
        return;
      case "byteOrder":
        this.code.line(`const ${LITTLE_ENDIAN} = ${emitExpr(m.on, this.resolve)} === ${m.little};`);
        return;
      case "let":
        // Not stored: the expressions that use it work it out from the value.
        return;
      case "switch":
        this.settle();
        this.code.block(`switch (${emitExpr(m.on, this.resolve)})`, (c) => {
          // The value was checked, so `on` selects one of the cases.
          for (const k of casesInOrder(m)) {
            c.block(k.when === undefined ? "default:" : `case ${k.when}:`, () => {
              for (const f of k.members) {
                const merged = m.fields.find((x) => "name" in f && x.name === f.name);
                const widened =
                  f.kind === "value" &&
                  f.type.kind === "int" &&
                  merged?.type.kind === "int" &&
                  merged.type.bits !== f.type.bits;
                if (widened)
                  this.code.line(
                    writeInt(f.type as IntType, this.cursor.at(), `Number(${prop(obj, f.name)})`),
                  );
                if (widened) this.cursor.advance(intSize(f.type as IntType));
                else if (f.kind === "mirror") {
                  // The copy of a field only some cases have is there, as the case is
                  // selected; one merged into a 64-bit property is a bigint, written as a number.
                  const of = m.fields.find((x) => x.name === f.of)?.type;
                  const value = m.only.some((x) => x.name === f.of)
                    ? `${prop(obj, f.of)}!`
                    : of?.kind === "int" && of.bits === 64 && f.type.bits < 64
                      ? `Number(${prop(obj, f.of)})`
                      : prop(obj, f.of);
                  this.code.line(writeMirror(f, value, this.cursor.at()));
                  this.cursor.advance(intSize(f.type));
                } else if (f.kind === "flags") {
                  // At this case's width; a 64-bit merged word's unknown bits are a bigint.
                  const word = m.flags.find((w) => w.name === f.name)!;
                  const holder = f.nested === undefined ? obj : prop(obj, f.name);
                  const narrow = word.type.bits === 64 && f.type.bits < 64;
                  writeFlags(this, { ...f, nested: undefined }, holder, this.cursor.at(), narrow);
                } else this.member(f, obj);
              }
              this.settle();
              this.code.line("break;");
            });
          }
        });
        return;
      case "group": {
        const acc = prop(obj, m.name);
        // A group of constants and padding only is written without reading its value.
        const local = holdsValues(m.members) ? this.locals.fresh(m.name) : acc;
        if (local !== acc) this.code.line(`const ${local} = ${acc};`);
        if (hasChecksum(m.members)) {
          // A checksum in the group covers the group, and is filled in once it is written.
          const start = this.locals.fresh(`${m.name}_start`);
          this.code.line(`const ${start} = ${this.cursor.at()};`);
          const outer = this.checksums.length;
          const write = (): void => {
            this.members(m.members, local);
            const end = this.locals.fresh(`${m.name}_end`);
            this.code.line(`const ${end} = ${this.cursor.at()};`);
            fillChecksums(this.checksums.splice(outer), end, this.code, start);
          };
          if (m.cond === undefined) write();
          else {
            this.settle();
            this.code.block(`if (${local} !== undefined)`, () => {
              write();
              this.settle();
            });
          }
        } else if (m.cond === undefined) {
          this.members(m.members, local);
        } else {
          this.settle();
          this.code.block(`if (${local} !== undefined)`, () => {
            this.members(m.members, local);
            this.settle();
          });
        }
        return;
      }
      case "value": {
        const acc = prop(obj, m.name);
        if (m.cond === undefined) {
          this.value(m, acc, m.tail === undefined ? undefined : prop(obj, m.tail));
        } else {
          this.settle();
          this.code.block(`if (${acc} !== undefined)`, () => {
            this.value(m, acc);
            this.settle();
          });
        }
        return;
      }
    }
  }

  /** Writes field `m` from `acc`; `tail` is its kept string tail, if it has one. */
  value(m: ValueField, acc: string, tail?: string): void {
    const t = m.type;
    const at = this.cursor.at();
    const fixed = fixedTypeSize(t);
    switch (t.kind) {
      case "int":
        if (m.split !== undefined) {
          writeLow(this, m, m.split.lo, acc);
          this.cursor.advance(intSize(m.split.lo));
          return;
        }
        this.code.line(writeInt(t, at, storedValue(m, acc)));
        break;
      case "enum":
        if (t.enum.base.kind === "int") {
          this.code.line(
            writeInt({ ...t.enum.base, endian: t.endian }, at, `encode${t.enum.name}(${acc}) ?? 0`),
          );
        } else {
          const text = this.locals.fresh(`${m.name}_text`);
          this.code.line(`const ${text} = encode${t.enum.name}(${acc}) ?? "";`);
          this.code.line(`setBytes(buf, ${at}, ${text});`);
          this.code.line(
            `buf.fill(${padByte(t.enum.base)}, ${at} + ${text}.length, ${this.cursor.at(t.enum.base.size)});`,
          );
          if (tail !== undefined) this.code.line(writeStringTail(tail, `${at} + ${text}.length`));
        }
        break;
      case "fixedString":
        this.code.line(`setBytes(buf, ${at}, ${acc});`);
        this.code.line(
          `buf.fill(${padByte(t)}, ${at} + ${acc}.length, ${this.cursor.at(t.size)});`,
        );
        if (tail !== undefined) this.code.line(writeStringTail(tail, `${at} + ${acc}.length`));
        break;
      case "uuid":
        this.code.line(writeUuid(t, at, acc));
        break;
      case "textInt":
        this.code.line(
          writeTextNumberCode(t.int, t.spelling, acc, at, this.cursor.at(t.spelling.size), tail),
        );
        break;
      case "text":
        writeText(this, m, t, acc);
        return;
      case "record": {
        const args = t.args.map((a) => `, ${emitExpr(a, this.resolve)}`).join("");
        if (fixed === undefined) {
          // A variable-size record says where it ended.
          this.code.line(`pos = put${t.record.name}(${acc}, buf, ${at}${args});`);
          this.cursor.base = "pos";
          this.cursor.offset = 0;
          return;
        }
        this.code.line(`put${t.record.name}(${acc}, buf, ${at}${args});`);
        break;
      }
      case "bytes":
        if (t.size.kind === "prefix") {
          this.code.line(writeInt(t.size.length, at, `${acc}.length`));
          this.cursor.advance(intSize(t.size.length));
        }
        this.code.line(`setBytes(buf, ${this.cursor.at()}, ${acc});`);
        if (t.size.kind === "terminated") {
          this.code.line(
            `buf[${this.cursor.at()} + ${acc}.length] = ${hexLiteral(t.size.byte, false)};`,
          );
          this.settleAfter(`${acc}.length + 1`);
          return;
        }
        this.settleAfter(`${acc}.length`);
        return;
      case "array":
        if (t.bytes !== undefined && t.block !== undefined)
          putBlockedArray(this, t, t.bytes, t.block, acc);
        else writeArray(this, t, acc);
        return;
      case "list":
        writeList(this, t.union, acc);
        return;
    }
    if (fixed !== undefined) this.cursor.advance(fixed);
  }

  /** Moves the cursor past `size` bytes written at it. */
  settleAfter(size: string): void {
    this.code.line(
      this.cursor.base === "pos" && this.cursor.offset === 0
        ? `pos += ${size};`
        : `pos = ${this.cursor.at()} + ${size};`,
    );
    this.cursor.base = "pos";
    this.cursor.offset = 0;
  }

  finish(): string {
    return this.cursor.at();
  }
}

function emitWriteRecord(def: RecordDef, file: ModuleFile): void {
  const code = new Code();
  const locals = new Locals(INTERNAL);
  const walker = new WriteWalker(code, locals, new Cursor("at"), def.members, "v", def.params);
  const found = searchedFirst(def);
  if (found !== undefined) {
    // Found from the end on read, so written to end at the end of the buffer.
    const place = locals.fresh(`${found.name}_at`);
    code.line(
      `const ${place} = buf.length - sizeof${searchedRecord(found).name}(${prop("v", found.name)});`,
    );
    walker.cursor.base = place;
    walker.cursor.offset = 0;
  }
  walker.members(def.members, "v");
  let end = walker.finish();
  if (walker.positioned.length > 0) end = writePositioned(def, walker, end);
  if (walker.checksums.length > 0 && !/^[A-Za-z_$][\w$]*$/.test(end)) {
    code.line(`const end = ${end};`);
    end = "end";
  }
  fillChecksums(walker.checksums, end, code);
  code.line(`return ${end};`);
  dropUnreadPos(code);
  dropUnusedByteOrder(code.lines);
  dropNoOpPos(code.lines);
  if (code.lines.some((line) => /\bpos\b/.test(line))) code.lines.unshift("let pos = at;");
  file.addFunction({
    name: `put${def.name}`,
    parameters: [
      { name: "v", type: def.name },
      { name: "buf", type: "Uint8Array" },
      { name: "at", type: "number" },
      ...def.params.map((p) => {
        const name = paramLocal(p.name);
        const used = code.lines.some((line) => new RegExp(`\\b${name}\\b`).test(line));
        return { name: used ? name : `_${name}`, type: "number" };
      }),
    ],
    returnType: "number",
    statements: withView(code.text()),
  });
}

/**
 * Where the last members written were positioned ones, what they set `pos`
 * to is never read: such assignments become plain calls (or go), so that
 * noUnusedLocals holds. Only when no line reads `pos` at all.
 */
function dropUnreadPos(code: Code): void {
  const assignment = /^pos (\+)?= (.*);$/;
  // `pos = putX(..., pos)` in a loop reads it too.
  const reads = code.lines.some((line) => /\bpos\b/.test(line.replace(/^pos \+?= /, "")));
  if (reads) return;
  for (let i = code.lines.length - 1; i >= 0; i--) {
    const m = assignment.exec(code.lines[i]!);
    if (m === null) continue;
    if (m[1] === undefined && /^put\w+\(/.test(m[2]!)) code.lines[i] = `${m[2]!};`;
    else code.lines.splice(i, 1);
  }
}

function emitWriteUnion(def: UnionDef, file: ModuleFile): void {
  const code = new Code();
  const header = headerSize(def);
  const plus = (n: number): string => (n === 0 ? "at" : `at + ${n}`);
  if (keepsEnd(def)) code.lines.push(...writeKeptEnd(def));
  code.line(`const length = payloadSize${def.name}(e);`);
  code.line(writeInt(def.length, plus(lengthOffset(def)), "length"));
  code.line(`let pos = at + ${header};`);
  code.block("switch (e.kind)", (c) => {
    for (const v of def.variants) {
      c.block(`case ${str(v.name)}:`, (body) => {
        const fields = v.tag === undefined ? v.members.slice(1) : v.members;
        const tag =
          v.tag === undefined
            ? (v.members[0].type as IntType).signed
              ? unsignedTag(prop("e", v.members[0].name), (v.members[0].type as IntType).bits)
              : prop("e", v.members[0].name)
            : hexLiteral(v.tag, false);
        body.line(writeInt(def.tag, plus(tagOffset(def)), tag));
        const walker = new WriteWalker(body, new Locals(INTERNAL), new Cursor("pos"), fields, "e");
        walker.members(fields, "e");
        const end = walker.finish();
        if (end !== "pos") body.line(`pos = ${end};`);
        body.line("break;");
      });
    }
  });
  if (def.align > 1) {
    code.line(`const padded = pos + ((${def.align} - (length % ${def.align})) % ${def.align});`);
    code.line(keepsPaddingProperty(def) ? writeKeptPadding() : "buf.fill(0, pos, padded);");
    code.line("return padded;");
  } else if (hasTrailer(def)) {
    // The trailer covers bytes written above, so it is computed last.
    code.line(writeTrailer(def, "at", "pos"));
    code.line(`return pos + ${trailerSize(def)};`);
  } else {
    code.line("return pos;");
  }
  file.addFunction({
    name: `put${def.name}`,
    docs: [
      `Writes one framed ${def.name}: ${def.lengthFirst ? "length, tag" : "tag, length"}, payload, ${hasTrailer(def) ? def.trailer.name : "padding"}.`,
    ],
    parameters: [
      { name: "e", type: def.name },
      { name: "buf", type: "Uint8Array" },
      { name: "at", type: "number" },
    ],
    returnType: "number",
    statements: withView(code.text()),
  });
}

/** The byte a fixed string is padded with: NUL, or 0x20 for `pad: space`. */
function padByte(t: FixedStringType): string {
  return t.pad === "space" ? "0x20" : "0";
}

/** Code testing, for each case of `m` in order, that it is the one `on` (code) selects. */
function caseTests(m: SwitchMember, on: string): string[] {
  const whens = m.cases.flatMap((k) => (k.when === undefined ? [] : [k.when]));
  return m.cases.map((k) =>
    k.when === undefined ? whens.map((w) => `${on} !== ${w}`).join(" && ") : `${on} === ${k.when}`,
  );
}
