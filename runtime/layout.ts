/**
 * Layout checks for records with positioned members (`at:`): the bytes
 * between the parts of a record must be zero, so that every byte string a
 * codec reads writes back exactly.
 */
import { findNonZero } from "./bytes.js";

/**
 * The first non-zero byte in [from, to) outside the regions
 * `[r[2i], r[2i + 1])` for i < n (disjoint, in any order), or -1.
 * Allocates nothing; `r` is a scratch array the generated code reuses.
 */
export function nonZeroGap(
  buf: Uint8Array,
  r: Float64Array,
  n: number,
  from: number,
  to: number,
): number {
  let p = from;
  while (p < to) {
    let next = to;
    let skipTo = -1;
    for (let i = 0; i < n; i++) {
      const start = r[2 * i]!;
      const end = r[2 * i + 1]!;
      if (start <= p && p < end) skipTo = end;
      else if (start > p && start < next) next = start;
    }
    if (skipTo !== -1) {
      p = skipTo;
      continue;
    }
    const bad = findNonZero(buf, p, next);
    if (bad !== -1) return bad;
    p = next;
  }
  return -1;
}
