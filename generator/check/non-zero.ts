/**
 * Which records can never be stored as all zeros near their start. Arrays
 * ended by zeros (tar) and arrays packed in blocks (ISO 9660) tell their
 * records from the zeros around them by such a member, so that every byte
 * string reads to one value and writes back unchanged.
 */
import type { Expr } from "../expr.js";
import type { Member, SwitchCase, Validation } from "../model.js";
import { fixedMemberSize, fixedTypeSize, intSize } from "../model.js";

/** What a record needs, for messages. */
export const NON_ZERO_MEMBERS =
  "a non-zero magic or constant, a checksum stored as text, a space-padded string, or an integer whose `valid` refuses 0";

/**
 * Does a record always hold a non-zero byte in its first `size` bytes? True
 * when a member wholly below `size`, at a fixed offset, can never be stored
 * as all zeros: a magic with a non-zero byte, a non-zero constant, a
 * checksum stored as text (its digits are never NUL), a space-padded string
 * (it holds no NUL; a FAT directory entry's name), or an integer that a
 * `valid` check of its own refuses to be 0 (ISO 9660's record length, a
 * computed field); or
 * a switch read ahead each of whose cases is selected by a non-zero value
 * or holds such a member (a VFAT long-name part, by its attribute byte).
 */
export function startsNonZero(members: readonly Member[], size: number): boolean {
  let offset = 0;
  const visit = (list: readonly Member[]): boolean | undefined => {
    for (const m of list) {
      if (offset >= size) return false;
      if (m.kind === "magic" && [...m.value].some((c, i) => c !== "\0" && offset + i < size))
        return true;
      if (m.kind === "const" && m.value !== 0n) return true;
      if (m.kind === "checksum" && m.text !== undefined) return true;
      if (m.kind === "computed" && offset + intSize(m.type) <= size && refusesZero(m.name, m.valid))
        return true;
      if (m.kind === "value" && m.cond === undefined && m.at === undefined) {
        const t = m.type.kind === "enum" ? m.type.enum.base : m.type;
        if (t.kind === "fixedString" && t.pad === "space") return true;
        const width = fixedTypeSize(m.type);
        if (
          t.kind === "int" &&
          width !== undefined &&
          offset + width <= size &&
          refusesZero(m.name, m.valid)
        )
          return true;
      }
      if (m.kind === "group" && m.cond === undefined && m.at === undefined) {
        const found = visit(m.members);
        if (found !== undefined) return found;
        continue;
      }
      // A switch read ahead: a case its selector picks by a non-zero value has that
      // value stored; the others need a member of their own.
      if (m.kind === "switch" && m.ahead !== undefined) {
        const at = offset;
        const selected = at + m.ahead.offset + intSize(m.ahead.type) <= size;
        // A field only some cases have carries its cases' test, which holds in its case.
        const inCase = (k: SwitchCase): Member[] =>
          k.members.map((x) => (x.kind === "value" ? { ...x, cond: undefined } : x));
        return m.cases.every(
          (k) =>
            (selected && k.when !== undefined && k.when !== 0) ||
            startsNonZero(inCase(k), size - at),
        );
      }
      const s = fixedMemberSize(m);
      if (s === undefined) return false;
      offset += s;
    }
    return undefined;
  };
  return visit(members) === true;
}

/** Does some check fail whenever `name` is 0, whatever the other fields hold? */
function refusesZero(name: string, valid: readonly Validation[]): boolean {
  return valid.some((v) => holdsAtZero(v.check, name) === false);
}

/**
 * The truth of a check when `name` is 0: true, false, or undefined where it
 * depends on something else. Only comparisons of `name` with literals and
 * `&&`, `||` and `!` over them are worked out; that covers the checks a
 * length or count is given (`length >= 34`, `count != 0 && count <= 64`).
 */
function holdsAtZero(e: Expr, name: string): boolean | undefined {
  if (e.kind === "not") {
    const inner = holdsAtZero(e.arg, name);
    return inner === undefined ? undefined : !inner;
  }
  if (e.kind !== "binary") return undefined;
  if (e.op === "&&" || e.op === "||") {
    const l = holdsAtZero(e.left, name);
    const r = holdsAtZero(e.right, name);
    if (e.op === "&&") return l === false || r === false ? false : l && r ? true : undefined;
    return l === true || r === true ? true : l === false && r === false ? false : undefined;
  }
  const value = (x: Expr): bigint | undefined =>
    x.kind === "num" ? x.value : x.kind === "ref" && x.name === name ? 0n : undefined;
  const isField = (x: Expr): boolean => x.kind === "ref" && x.name === name;
  if (!isField(e.left) && !isField(e.right)) return undefined;
  const l = value(e.left);
  const r = value(e.right);
  if (l === undefined || r === undefined) return undefined;
  switch (e.op) {
    case "==":
      return l === r;
    case "!=":
      return l !== r;
    case "<":
      return l < r;
    case "<=":
      return l <= r;
    case ">":
      return l > r;
    case ">=":
      return l >= r;
    default:
      return undefined;
  }
}
