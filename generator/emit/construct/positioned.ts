/**
 * Positioned members (`at: EXPR`): read at their own offset from the start
 * of the record, after which the sequence goes on where it was.
 */
import { VariableDeclarationKind } from "ts-morph";
import type { Expr } from "../../expr.js";
import type { ModuleFile } from "../module-file.js";
import type { Member, Param, RecordDef } from "../../model.js";
import { fixedMemberSize, isPointer, isPositioned, searchedFirst } from "../../model.js";
import { article, str, type Code, type Locals } from "../code.js";
import { emitExpr, offsetExpr, zeroDivisionRefusals } from "../expr.js";
import type { SequenceReader } from "../read.js";
import { membersSize, recordSize, valueResolver, valueSize } from "../sizeof.js";
import type { WriteWalker } from "../write.js";
import { tsType } from "../types.js";

/**
 * A member at its own offset from the start of the record: read there,
 * then the sequence goes on where it was.
 */
export function readPositioned(
  r: SequenceReader,
  m: Extract<Member, { kind: "value" | "group" }> & { at: Expr },
): { from: string; to: string } {
  const path = str(r.prefix + m.name);
  const pointer = isPointer(m);
  // A pointer counts from the start of the input and may reach all of it.
  const origin = pointer ? "0" : r.start;
  const limit = pointer ? "buf.length" : r.limit;
  const reader = pointer ? r.within(limit) : r;
  const base = r.cursor.base;
  const offset = r.cursor.offset;
  const resume = base === "pos" ? r.locals.fresh(`${m.name}_resume`) : undefined;
  if (resume !== undefined) r.code.line(`const ${resume} = pos;`);
  const from = r.locals.fresh(`${m.name}_at`);
  const to = r.locals.fresh(`${m.name}_end`);
  const size = fixedMemberSize({ ...m, at: undefined, cond: undefined } as Member);
  const place = (): void => {
    r.refuseZeroDivisions([m.at], r.prefix + m.name, r.start);
    r.code.line(`${from} = ${pointer ? "" : `${r.start} + `}${offsetExpr(m.at, r.resolve)};`);
    r.code.line(
      pointer
        ? `if (!(${from} >= 0 && ${from} <= buf.length)) return new CodecError(${path}, ${r.start}, \`is at byte \${${from}} of the input, outside it\`);`
        : `if (!(${from} >= ${r.start} && ${from} <= ${r.limit})) return new CodecError(${path}, ${r.start}, \`is at byte \${${from} - ${r.start}} of its record, outside the input\`);`,
    );
    if (size !== undefined)
      r.code.line(
        `if (${limit} - ${from} < ${size}) return truncated(${path}, ${from}, ${size}, ${limit});`,
      );
    r.cursor.base = from;
    r.cursor.offset = 0;
  };
  // An absent member takes no room: its region is empty, wherever `at` would put it.
  // A pointer's end is needed only for a traced span.
  const keepsEnd = !pointer || r.trace;
  r.code.line(`let ${from} = ${origin};`);
  if (keepsEnd) r.code.line(`let ${to} = ${origin};`);
  if (m.cond === undefined) {
    place();
    reader.member(m);
    if (keepsEnd) r.code.line(`${to} = ${r.cursor.at()};`);
  } else {
    const type = m.kind === "group" ? m.typeName : tsType(m.type);
    r.code.line(`let ${r.locals.field(m.name)}: ${type} | undefined;`);
    r.refuseZeroDivisions([m.cond], r.prefix + m.name, r.start);
    r.code.block(`if (${emitExpr(m.cond, r.resolve)})`, () => {
      place();
      reader.member(m, true);
      if (keepsEnd) r.code.line(`${to} = ${r.cursor.at()};`);
    });
    r.props.push(r.propOf(m.name));
  }
  if (reader !== r) r.adopt(reader);
  // A pointer is no part of its record: its bytes are neither its extent nor a gap.
  if (!pointer) r.regions.push({ name: m.name, from, to });
  if (resume !== undefined) r.code.line(`pos = ${resume};`);
  r.cursor.base = base;
  r.cursor.offset = offset;
  return { from, to };
}

/**
 * After a record with positioned members: no part overlaps another or the
 * sequence, and the bytes between parts are zero. Returns the local holding
 * the record's end, the furthest byte of any part.
 */
export function checkRegions(
  def: RecordDef,
  reader: SequenceReader,
  code: Code,
  locals: Locals,
  file: ModuleFile,
): string {
  const sequenceEnd = locals.fresh("sequenceEnd");
  code.line(`const ${sequenceEnd} = ${reader.cursor.at()};`);
  const regions = reader.regions;
  // The sequence may start after the record's start (a record found from the end).
  const after =
    reader.sequenceStart === undefined
      ? ""
      : (r: { to: string }) => ` && ${r.to} > ${reader.sequenceStart}`;
  regions.forEach((r, i) => {
    const empty = `${r.to} > ${r.from}`;
    code.line(
      `if (${empty} && ${r.from} < ${sequenceEnd}${after === "" ? "" : after(r)}) return new CodecError(${str(r.name)}, ${r.from}, \`overlaps the members stored in sequence, which end at byte \${${sequenceEnd}}\`);`,
    );
    for (const other of regions.slice(0, i)) {
      code.line(
        `if (${empty} && ${other.to} > ${other.from} && ${r.from} < ${other.to} && ${other.from} < ${r.to}) return new CodecError(${str(r.name)}, ${r.from}, "overlaps ${other.name}");`,
      );
    }
  });
  const end = locals.fresh("end");
  code.line(`const ${end} = Math.max(${[sequenceEnd, ...regions.map((r) => r.to)].join(", ")});`);
  // Untouched gaps belong to no member: whatever they hold is not the record's.
  if (def.gaps === "untouched") return end;
  // The gaps must be zero: write fills them so, and read must give back what write made.
  const scratch = `${def.name}Regions`;
  file.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    docs: [`Scratch space for the regions of a {@link ${def.name}}'s positioned members.`],
    declarations: [{ name: scratch, initializer: `new Float64Array(${2 * regions.length})` }],
  });
  regions.forEach((r, i) => {
    code.line(`${scratch}[${2 * i}] = ${r.from};`);
    code.line(`${scratch}[${2 * i + 1}] = ${r.to};`);
  });
  const gap = locals.fresh("gap");
  code.line(
    `const ${gap} = nonZeroGap(buf, ${scratch}, ${regions.length}, ${sequenceEnd}, ${end});`,
  );
  code.line(
    `if (${gap} !== -1) return new CodecError("", ${gap}, \`the bytes between the parts of ${article(def.name)} ${def.name} must be zero, got \${hex(buf[${gap}]!, 2)}\`);`,
  );
  return end;
}

/**
 * Write, in the checks before anything is written: no positioned part may
 * land on the members in sequence or on another part, since read would then
 * refuse (or misread) what write made. The sequence can grow past a fixed
 * `at` (an array ended by zeros, a text), so this is a run-time check.
 */
export function checkPlacement(
  members: readonly Member[],
  params: readonly Param[],
  code: Code,
  locals: Locals,
): void {
  // Pointers lie outside the record, wherever the input has room (see pointer.ts).
  const positioned = members.filter(isPositioned).filter((m) => !isPointer(m));
  if (positioned.length === 0) return;
  // A record found from the end is written after every part (its size says so).
  const alone = searchedFirst({ members }) !== undefined;
  const resolve = valueResolver(members, "v", params);
  const sequenceEnd = locals.fresh("sequenceEnd");
  if (!alone) code.line(`const ${sequenceEnd} = ${membersSize(members, "v", resolve)};`);
  // With nothing in sequence to land on, only two parts can collide.
  if (alone && positioned.length < 2) return;
  const parts = positioned.map((m) => {
    const acc = `v.${m.name}`;
    const from = locals.fresh(`${m.name}_from`);
    const to = locals.fresh(`${m.name}_to`);
    const size =
      m.kind === "group" ? `(${membersSize(m.members, acc, resolve)})` : valueSize(m, acc, resolve);
    const there = m.cond === undefined ? "" : `${acc} !== undefined && `;
    code.lines.push(
      ...zeroDivisionRefusals(
        [m.at],
        resolve,
        (reason) => `return new CodecError(${str(m.name)}, undefined, ${reason});`,
      ),
    );
    code.line(`const ${from} = ${offsetExpr(m.at, resolve)};`);
    code.line(
      `const ${to} = ${there === "" ? "" : `${acc} === undefined ? ${from} : `}${from} + ${size};`,
    );
    return { name: m.name, from, to };
  });
  parts.forEach((p, i) => {
    if (!alone)
      code.line(
        `if (${p.to} > ${p.from} && ${p.from} < ${sequenceEnd}) return new CodecError(${str(p.name)}, undefined, \`would be at bytes \${${p.from}} to \${${p.to}}, over the members stored in sequence, which end at byte \${${sequenceEnd}}\`);`,
      );
    for (const other of parts.slice(0, i))
      code.line(
        `if (${p.to} > ${p.from} && ${other.to} > ${other.from} && ${p.from} < ${other.to} && ${other.from} < ${p.to}) return new CodecError(${str(p.name)}, undefined, \`would be at bytes \${${p.from}} to \${${p.to}}, over ${other.name}\`);`,
      );
  });
}

/**
 * Write: after the members in sequence (which end at `end`), zeros up to
 * the record's extent, then each positioned member where its `at` says.
 * Returns the local holding the record's end.
 */
export function writePositioned(def: RecordDef, walker: WriteWalker, end: string): string {
  const { code, locals } = walker;
  const sequenceEnd = locals.fresh("sequenceEnd");
  if (def.gaps === "zero") code.line(`const ${sequenceEnd} = ${end};`);
  // A record found from the end was written to end at the end of the buffer.
  code.line(
    searchedFirst(def) === undefined
      ? `const end = at + ${recordSize(def.members, "v", def.params)};`
      : `const end = buf.length;`,
  );
  if (def.gaps === "zero") code.line(`buf.fill(0, ${sequenceEnd}, end);`);
  for (const m of walker.positioned) {
    const place = locals.fresh(`${"name" in m ? m.name : "member"}_at`);
    // A pointer's position counts from the start of the input.
    const from = isPointer(m) ? "" : "at + ";
    code.line(`const ${place} = ${from}${offsetExpr(m.at, walker.resolve)};`);
    walker.cursor.base = place;
    walker.cursor.offset = 0;
    walker.member({ ...m, at: undefined } as Member, "v");
  }
  return "end";
}
