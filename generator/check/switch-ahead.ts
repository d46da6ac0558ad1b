/**
 * A switch whose selector is a field of the cases themselves, read ahead:
 * a VFAT directory entry is a long-name part or a short entry by its
 * attribute byte, which both layouts hold at byte 11, after a name they
 * store differently. Every case holds the field at the same offset from the
 * switch's start, with the same integer type, so read can pick the case by
 * reading it there first; write picks it by the value's property, which the
 * case then stores, so the bytes read back to the same case.
 */
import type { Position } from "../load.js";
import type { Member, SelectorAhead, SwitchCase } from "../model.js";
import { fixedMemberSize } from "../model.js";
import type { Context } from "./context.js";
import { intName } from "./int.js";

export function selectorAhead(
  ctx: Context,
  at: Position,
  name: string,
  caseMembers: readonly Member[][],
  cases: readonly SwitchCase[],
): SelectorAhead | undefined {
  const report = (why: string): undefined => {
    ctx.reader.report(
      at,
      `"${name}" is not an earlier field, so it must be one every case holds at the same offset, read ahead to pick the case: ${why}`,
    );
    return undefined;
  };
  let found: SelectorAhead | undefined;
  for (const [i, members] of caseMembers.entries()) {
    let offset = 0;
    let field: Member | undefined;
    for (const m of members) {
      if (m.kind === "value" && m.name === name) {
        field = m;
        break;
      }
      const size = storedSize(m);
      if (size === undefined) return report(`case ${i + 1} has a member of varying size before it`);
      offset += size;
    }
    if (field === undefined) return report(`case ${i + 1} has no field "${name}"`);
    if (field.kind !== "value" || field.type.kind !== "int" || field.type.bits === 64)
      return report(`in case ${i + 1} it is not an integer of at most 32 bits`);
    const type = field.type;
    if (found === undefined) found = { offset, type };
    else if (found.offset !== offset)
      return report(`it is at byte ${found.offset} in case 1 but byte ${offset} in case ${i + 1}`);
    else if (intName(found.type) !== intName(type) || found.type.endian !== type.endian)
      return report(
        `it is a ${intName(found.type)} in case 1 but a ${intName(type)} in case ${i + 1}`,
      );
  }
  if (found === undefined) return undefined;
  const max = 2 ** (found.type.bits - (found.type.signed ? 1 : 0)) - 1;
  for (const k of cases)
    if (k.when !== undefined && k.when > max)
      ctx.reader.report(
        at,
        `the case for ${k.whenName} can never be selected: ${name} is a ${intName(found.type)}`,
      );
  return found;
}

/** The bytes a case's member takes, when fixed: bytes of a literal size count too. */
function storedSize(m: Member): number | undefined {
  if (m.kind === "value" && m.type.kind === "bytes" && m.type.size.kind === "expr")
    return m.type.size.expr.kind === "num" ? Number(m.type.size.expr.value) : undefined;
  return fixedMemberSize(m);
}
