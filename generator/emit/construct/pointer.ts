/**
 * Pointers: fields at a position counted from the start of the input
 * (`at: EXPR` with `from: input`), such as a ZIP central entry's local
 * header. They are read and written at that position and take no room in
 * their record, so a record's size (and an array of them) is its own bytes
 * only. What a value writes through its pointers is its *reach*: the
 * furthest byte from the start of the input, which `write` checks against
 * the buffer before writing anything.
 */
import type { ModuleFile } from "../module-file.js";
import type { Member, Param, RecordDef } from "../../model.js";
import { isPointer } from "../../model.js";
import { prop } from "../code.js";
import { emitExpr, offsetExpr, type Resolve } from "../expr.js";
import { paramLocal } from "../layout.js";
import { valueResolver, valueSize } from "../sizeof.js";

const memo = new WeakMap<object, boolean>();

/** Does writing a value of these members write anything through a pointer? */
export function reachesOut(def: { members: readonly Member[] }, seen = new Set<object>()): boolean {
  const known = memo.get(def);
  if (known !== undefined) return known;
  if (seen.has(def)) return false;
  seen.add(def);
  const result = def.members.some((m) => memberReaches(m, seen));
  if ("kind" in def) memo.set(def, result);
  return result;
}

function memberReaches(m: Member, seen: Set<object>): boolean {
  if (isPointer(m)) return true;
  if (m.kind === "group") return m.members.some((x) => memberReaches(x, seen));
  if (m.kind !== "value") return false;
  const t = m.type;
  if (t.kind === "record") return reachesOut(t.record, seen);
  if (t.kind === "array") return reachesOut(t.element, seen);
  return false;
}

/** Code for the reach of the value `obj` with these members (0 when it points nowhere). */
export function reachCall(
  members: readonly Member[],
  obj: string,
  params: readonly Param[] = [],
): string {
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
export function emitReach(def: RecordDef, file: ModuleFile): void {
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
