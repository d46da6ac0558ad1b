/**
 * `switch`: one of several layouts, chosen at run time by an expression over
 * earlier fields or parameters (ELF's EI_CLASS picks 32- or 64-bit headers,
 * FAT's fat_size_16 the FAT12/16 or FAT32 boot sector). An integer or enum
 * every case has is one property of the widest type, which later members
 * may use; any other field is a property present when its case is selected.
 */
import { refsOf, type Expr } from "../expr.js";
import type { Located, Position } from "../load.js";
import type { EnumDef, IntType, LetMember, Member, SwitchCase, ValueField } from "../model.js";
import type { Context, MemberInfo } from "./context.js";
import type { MapNode } from "./reader.js";
import { checkExpr } from "./scope.js";
import { selectorAhead } from "./switch-ahead.js";
import { mergeCaseFlags, type CaseFlags } from "./switch-flags.js";

/**
 * A value `on` may have: an integer, or the name of a value of the enum
 * when `on` is an enum field or parameter.
 */
export function caseValue(
  ctx: Context,
  on: Expr,
  node: Located | undefined,
  what: string,
): { value: number; name: string } | undefined {
  if (node === undefined) return undefined;
  const { reader } = ctx;
  const enumDef: EnumDef | undefined = on.kind === "ref" ? ctx.scope.get(on.name)?.enum : undefined;
  if (node.kind === "scalar" && typeof node.value === "string" && enumDef !== undefined) {
    const v = enumDef.values.find((x) => x.name === node.value);
    if (v === undefined || typeof v.value !== "number") {
      reader.report(
        node.at,
        `${what}: "${node.value}" is not a value of ${enumDef.name}; expected one of ${enumDef.values.map((x) => x.name).join(", ")}`,
      );
      return undefined;
    }
    return { value: v.value, name: v.name };
  }
  const n = reader.integer(node, what);
  if (n === undefined) return undefined;
  if (n < 0n || n > 0xffffffffn) {
    reader.report(node.at, `${what}: ${n} is not a value of a 32-bit field`);
    return undefined;
  }
  return { value: Number(n), name: String(n) };
}

export function checkSwitch(
  ctx: Context,
  node: MapNode,
  { doc, loc }: MemberInfo,
): Member | undefined {
  const { reader } = ctx;
  const onNode = reader.get(node, "switch")!;
  const onText = reader.string(onNode, "switch");
  // A name no earlier member has may be a field the cases themselves hold, read ahead.
  const aheadName =
    onText !== undefined && /^[A-Za-z_]\w*$/.test(onText) && !ctx.scope.has(onText)
      ? onText
      : undefined;
  const on: Expr | undefined =
    aheadName !== undefined
      ? { kind: "ref", name: aheadName, col: 0 }
      : onText === undefined
        ? undefined
        : checkExpr(reader, onText, onNode, ctx.scope, "number", ctx.allNames, ctx.table);
  if (ctx.depth > 0) reader.report(node.at, "a switch is a top-level member of a record");
  const caseNodes = reader.seq(reader.required(node, "cases", "a switch"), "cases");
  if (caseNodes.length === 0) reader.report(node.at, "a switch needs at least one case");
  const cases: SwitchCase[] = [];
  // Each case is checked against the names before the switch.
  const usedBefore = new Map(ctx.used);
  const scopeBefore = new Map(ctx.scope);
  /** Each name's fields, with the index of the case holding each. */
  const declared = new Map<string, { field: ValueField; index: number }[]>();
  /** Each let's versions, likewise. */
  const lets = new Map<string, { let: LetMember; index: number }[]>();
  /** Each flags word's versions, likewise. */
  const flagWords = new Map<string, CaseFlags[]>();
  let caseCount = 0;
  /** Every case's members, the default's too. */
  const caseMembers: Member[][] = [];
  let defaultAt: Position | undefined;
  for (const item of caseNodes) {
    const c = reader.map(item, "a case", ["when", "default", "fields", "doc"]);
    if (c === undefined) continue;
    caseCount++;
    const defaultNode = reader.get(c, "default");
    let when: { value: number | undefined; name: string } | undefined;
    if (defaultNode !== undefined) {
      if (reader.get(c, "when") !== undefined)
        reader.report(c.at, "a case has `when` or `default: true`, not both");
      else if (!(defaultNode.kind === "scalar" && defaultNode.value === true))
        reader.report(defaultNode.at, "default: expected true (the case for every other value)");
      else if (defaultAt !== undefined) reader.report(c.at, "a switch has one default case");
      else {
        defaultAt = c.at;
        when = { value: undefined, name: "default" };
      }
    } else if (on !== undefined)
      when = caseValue(ctx, on, reader.required(c, "when", "a case"), "when");
    if (when?.value !== undefined && cases.some((x) => x.when === when.value))
      reader.report(c.at, `two cases are for ${when.name}`);
    // Where the case is in `cases`, or -1 when it is not (an error says why).
    const index = when === undefined ? -1 : cases.length;
    ctx.used = new Map(usedBefore);
    ctx.scope = new Map(scopeBefore);
    ctx.depth++;
    ctx.inCase = true;
    const fieldsNode = reader.required(c, "fields", "a case");
    const members = ctx.sequence(reader.seq(fieldsNode, "fields"));
    caseMembers.push(members);
    ctx.inCase = false;
    ctx.depth--;
    const items = fieldsNode?.kind === "seq" ? fieldsNode.items : [];
    // The schema item each member came from: a both-endian field's copy comes from its field's.
    let source = -1;
    for (const m of members) {
      if (m.kind !== "mirror") source++;
      const at = (items[source] ?? c).at;
      if (m.kind === "mirror") continue;
      if (m.kind === "let") {
        lets.set(m.name, [...(lets.get(m.name) ?? []), { let: m, index }]);
        continue;
      }
      if (m.kind === "flags") {
        if (m.cond !== undefined)
          reader.report(
            at,
            "a flags word in a case cannot have an if: the case says when it is there",
          );
        flagWords.set(m.name, [...(flagWords.get(m.name) ?? []), { word: m, index }]);
        continue;
      }
      const plain =
        (m.kind === "value" &&
          m.cond === undefined &&
          m.at === undefined &&
          m.search === undefined) ||
        (m.kind === "padding" &&
          m.sizeExpr === undefined &&
          m.cond === undefined &&
          m.keep === undefined);
      if (!plain)
        reader.report(
          at,
          "a case holds fields (without if, at or search), flags words, fixed-size padding and lets",
        );
      else if (m.kind === "value")
        declared.set(m.name, [...(declared.get(m.name) ?? []), { field: m, index }]);
    }
    if (when !== undefined)
      cases.push({ when: when.value, whenName: when.name, members, loc: reader.loc(c.at) });
  }
  if (defaultAt !== undefined && caseCount === 1)
    reader.report(
      defaultAt,
      "a switch with only a default case is its fields: write them without the switch",
    );
  ctx.used = usedBefore;
  ctx.scope = scopeBefore;
  const ahead =
    aheadName === undefined
      ? undefined
      : selectorAhead(ctx, onNode.at, aheadName, caseMembers, cases);
  const fields: ValueField[] = [];
  const only: ValueField[] = [];
  for (const [name, versions] of declared) {
    const first = versions[0]!.field;
    for (const used of ctx.used.keys())
      if (used === name) reader.report(first.loc, `"${name}" is defined twice`);
    const ints = versions.every((v) => v.field.type.kind === "int" || v.field.type.kind === "enum");
    if (ints && versions.length === caseCount) {
      // In every case: one property of the widest type, which later members may use.
      const merged = mergeTypes(versions.map((v) => v.field));
      if (merged === undefined) {
        reader.report(
          first.loc,
          `"${name}" has types in the cases that do not merge: integers of one signedness, or one enum`,
        );
        continue;
      }
      ctx.used.set(name, first.loc);
      if (merged.kind === "int")
        ctx.scope.set(name, { type: merged.bits === 64 ? "bigint" : "number" });
      else if (merged.kind === "enum") ctx.scope.set(name, { type: "number", enum: merged.enum });
      // Its documented bits and doc, from the case that gives them (a case may name none).
      const described = versions.find((v) => v.field.bits.length > 0)?.field ?? first;
      fields.push({
        ...first,
        type: merged,
        valid: [],
        bits: described.bits,
        doc: first.doc ?? described.doc,
      });
      continue;
    }
    // Elsewhere: a property of one type, present when one of its cases is selected.
    const other = versions.find((v) => !sameType(v.field.type, first.type));
    if (other !== undefined) {
      reader.report(
        other.field.loc,
        `"${name}" has different types in the cases; a property has one type (only an integer or enum that every case has may differ in width)`,
      );
      continue;
    }
    ctx.used.set(name, first.loc);
    if (first.type.kind === "int" || first.type.kind === "enum")
      ctx.scope.set(name, {
        type: first.type.kind === "int" && first.type.bits === 64 ? "bigint" : "number",
        unavailable: `only some cases of the switch on ${onText ?? "its selector"} have it`,
      });
    const cond =
      on === undefined || versions.length === caseCount
        ? undefined
        : anyOf(versions.filter((v) => v.index >= 0).map((v) => caseTest(on, cases, v.index)));
    only.push({ ...first, cond });
    if (cond !== undefined)
      for (const v of versions) {
        const k = cases[v.index];
        if (k !== undefined)
          k.members = k.members.map((m) => (m === v.field ? { ...v.field, cond } : m));
      }
  }
  const flags = mergeCaseFlags(ctx, flagWords, caseCount);
  // A let every case gives is one value, which later members may use.
  for (const [name, versions] of lets) {
    const first = versions[0]!.let;
    // A field merged into a 64-bit property is a bigint in the value, though narrower here.
    for (const v of versions)
      for (const ref of refsOf(v.let.value)) {
        const merged = fields.find((f) => f.name === ref.name)?.type;
        const own = declared.get(ref.name)?.find((d) => d.index === v.index)?.field.type;
        if (merged?.kind === "int" && merged.bits === 64 && own?.kind === "int" && own.bits < 64)
          reader.report(
            v.let.loc,
            `the let "${name}" uses "${ref.name}", which another case stores in 64 bits (a bigint) and this one in ${own.bits}: a let in a case cannot use it yet`,
          );
      }
    if (declared.has(name) || [...ctx.used.keys()].includes(name)) {
      // Each case was checked with the names before the switch and its own, so a clash
      // there was reported in the case; only a field of a case without the let is new here.
      const inCase = (index: number): boolean => versions.some((v) => v.index === index);
      if ((declared.get(name) ?? []).some((d) => !inCase(d.index)))
        reader.report(first.loc, `"${name}" is defined twice`);
      continue;
    }
    // Declared even when wrong, so later uses are not reported too.
    ctx.used.set(name, first.loc);
    const type = first.bigint ? "bigint" : "number";
    if (versions.length !== caseCount) {
      reader.report(
        first.loc,
        `the let "${name}" is given in ${versions.length} of the ${caseCount} cases; a let in a switch gives a value in every case, so that later members can use it`,
      );
      ctx.scope.set(name, {
        type,
        unavailable: `only some cases of the switch on ${onText ?? "its selector"} give it`,
      });
      continue;
    }
    const other = versions.find((v) => v.let.bigint !== first.bigint);
    if (other !== undefined)
      reader.report(
        other.let.loc,
        `the let "${name}" is ${other.let.bigint ? "a bigint" : "a number"} here but ${first.bigint ? "a bigint" : "a number"} in an earlier case; it has one type`,
      );
    ctx.scope.set(name, { type });
  }
  if (on === undefined || onText === undefined) return undefined;
  if (aheadName !== undefined && ahead === undefined) return undefined;
  return {
    kind: "switch",
    on,
    onText,
    cases,
    fields,
    flags,
    only,
    ...(ahead === undefined ? {} : { ahead }),
    doc,
    loc,
  };
}

/** The test that selects case `index`: `on == when`, or for the default case no other `when`. */
function caseTest(on: Expr, cases: readonly SwitchCase[], index: number): Expr {
  const col = on.col;
  const k = cases[index]!;
  const is = (c: SwitchCase, op: "==" | "!="): Expr => ({
    kind: "binary",
    op,
    left: on,
    right: {
      kind: "num",
      value: BigInt(c.when!),
      col,
      ...(c.whenName === String(c.when) ? {} : { name: c.whenName }),
    },
    col,
  });
  if (k.when !== undefined) return is(k, "==");
  const others = cases.filter((c) => c.when !== undefined).map((c) => is(c, "!="));
  return others.reduce((a, b) => ({ kind: "binary", op: "&&", left: a, right: b, col }));
}

function anyOf(tests: Expr[]): Expr | undefined {
  if (tests.length === 0) return undefined;
  return tests.reduce((a, b) => ({ kind: "binary", op: "||", left: a, right: b, col: a.col }));
}

/** Do two fields' types store and read alike, so one property type serves both? */
function sameType(a: ValueField["type"], b: ValueField["type"]): boolean {
  return typeKey(a) === typeKey(b);
}

/** A type as text: the types it refers to by name, expressions without their columns. */
function typeKey(t: ValueField["type"]): string {
  return JSON.stringify(t, (key, v: unknown) => {
    if (key === "record" || key === "element" || key === "enum" || key === "union")
      return (v as { name: string }).name;
    if (key === "col") return undefined;
    return typeof v === "bigint" ? String(v) : v;
  });
}

/** The widest integer of the cases (of one signedness), or their one enum. */
function mergeTypes(versions: ValueField[]): ValueField["type"] | undefined {
  const types = versions.map((v) => v.type);
  if (types.every((t) => t.kind === "int")) {
    const ints = types as IntType[];
    if (ints.some((t) => t.signed !== ints[0]!.signed)) return undefined;
    const widest = ints.reduce((a, b) => (b.bits > a.bits ? b : a));
    return widest;
  }
  const first = types[0]!;
  if (first.kind === "enum" && types.every((t) => t.kind === "enum" && t.enum === first.enum))
    return first;
  return undefined;
}
