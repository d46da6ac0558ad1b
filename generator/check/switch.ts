/**
 * `switch`: one of several layouts of the same fields, chosen at run time by
 * an expression over earlier fields or parameters (ELF's EI_CLASS picks
 * 32- or 64-bit headers). Every case has the same fields, so later members
 * may use them; a field's type is the widest any case gives it.
 */
import type { Expr } from "../expr.js";
import type { Located } from "../load.js";
import type { EnumDef, IntType, Member, SwitchCase, ValueField } from "../model.js";
import type { Context, MemberInfo } from "./context.js";
import type { MapNode } from "./reader.js";
import { checkExpr } from "./scope.js";

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
  const on =
    onText === undefined
      ? undefined
      : checkExpr(reader, onText, onNode, ctx.scope, "number", ctx.allNames, ctx.table);
  if (ctx.depth > 0) reader.report(node.at, "a switch is a top-level member of a record");
  const caseNodes = reader.seq(reader.required(node, "cases", "a switch"), "cases");
  if (caseNodes.length === 0) reader.report(node.at, "a switch needs at least one case");
  const cases: SwitchCase[] = [];
  // Each case declares the same names: check each against the names before the switch.
  const usedBefore = new Map(ctx.used);
  const scopeBefore = new Map(ctx.scope);
  const declared = new Map<string, ValueField[]>();
  let caseCount = 0;
  for (const item of caseNodes) {
    const c = reader.map(item, "a case", ["when", "fields", "doc"]);
    if (c === undefined) continue;
    caseCount++;
    const when =
      on === undefined
        ? undefined
        : caseValue(ctx, on, reader.required(c, "when", "a case"), "when");
    if (when !== undefined && cases.some((x) => x.when === when.value))
      reader.report(c.at, `two cases are for ${when.name}`);
    ctx.used = new Map(usedBefore);
    ctx.scope = new Map(scopeBefore);
    ctx.depth++;
    const members = ctx.sequence(reader.seq(reader.required(c, "fields", "a case"), "fields"));
    ctx.depth--;
    for (const [index, m] of members.entries()) {
      const plain =
        (m.kind === "value" &&
          m.cond === undefined &&
          m.at === undefined &&
          (m.type.kind === "int" || m.type.kind === "enum")) ||
        (m.kind === "padding" && m.sizeExpr === undefined && m.cond === undefined);
      if (!plain) {
        reader.report(
          (c.entries.find((e) => e.key === "fields")?.value.kind === "seq"
            ? (c.entries.find((e) => e.key === "fields")!.value as { items: Located[] }).items[
                index
              ]
            : c)!.at,
          "a case holds integer and enum fields (without if or at) and fixed-size padding",
        );
      }
      if (m.kind === "value") declared.set(m.name, [...(declared.get(m.name) ?? []), m]);
    }
    if (when !== undefined)
      cases.push({ when: when.value, whenName: when.name, members, loc: reader.loc(c.at) });
  }
  ctx.used = usedBefore;
  ctx.scope = scopeBefore;
  // Merge: one property per name, in every case, of one kind.
  const fields: ValueField[] = [];
  for (const [name, versions] of declared) {
    const first = versions[0]!;
    for (const used of ctx.used.keys())
      if (used === name) reader.report(first.loc, `"${name}" is defined twice`);
    if (versions.length !== caseCount) {
      reader.report(
        first.loc,
        `"${name}" is not in every case; every case of a switch has the same fields`,
      );
      continue;
    }
    const merged = mergeTypes(versions);
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
    fields.push({ ...first, type: merged, valid: [] });
  }
  if (on === undefined || onText === undefined) return undefined;
  return { kind: "switch", on, onText, cases, fields, doc, loc };
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
