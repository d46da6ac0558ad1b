/**
 * Matching the items of one list in the old revision (types, members,
 * variants, enum values, flag bits) with those of the new revision: by name
 * first; then an old item and a new item left over are taken to be one item
 * renamed when they have the same shape (what the item is, apart from its
 * name and documentation) and, for lists whose order is the layout, the
 * same position between the items matched by name.
 */

/** An old item and its new counterpart; one side is undefined for an item added or removed. */
export interface Pair<T> {
  old: T | undefined;
  new: T | undefined;
  /** Matched by shape and position, under another name. */
  renamed: boolean;
}

export interface MatchRules<T> {
  name: (item: T) => string;
  /** The shape of an old item, in terms comparable with {@link newShape}. */
  oldShape: (item: T) => string;
  newShape: (item: T) => string;
  /** Must a renamed item keep its place among the items matched by name? */
  positional: boolean;
}

/**
 * Pairs old and new items. The result lists the new items in their order,
 * each removed old item just before the first new item that follows it in
 * the old order.
 */
export function matchItems<T>(
  olds: readonly T[],
  news: readonly T[],
  rules: MatchRules<T>,
): Pair<T>[] {
  const newByName = new Map(news.map((item, index) => [rules.name(item), index]));
  const partnerOfOld = new Map<number, number>();
  const partnerOfNew = new Map<number, number>();
  const renamed = new Set<number>();
  olds.forEach((item, i) => {
    const j = newByName.get(rules.name(item));
    if (j !== undefined) {
      partnerOfOld.set(i, j);
      partnerOfNew.set(j, i);
    }
  });

  // The place of an unmatched item: the partner index of the nearest matched item before it.
  const slotOfOld = (i: number): number => {
    for (let k = i - 1; k >= 0; k--) if (partnerOfOld.has(k)) return partnerOfOld.get(k)!;
    return -1;
  };
  const slotOfNew = (j: number): number => {
    for (let k = j - 1; k >= 0; k--) if (partnerOfNew.has(k)) return k;
    return -1;
  };
  for (let i = 0; i < olds.length; i++) {
    if (partnerOfOld.has(i)) continue;
    const shape = rules.oldShape(olds[i]);
    for (let j = 0; j < news.length; j++) {
      if (partnerOfNew.has(j) || rules.newShape(news[j]) !== shape) continue;
      if (rules.positional && slotOfOld(i) !== slotOfNew(j)) continue;
      partnerOfOld.set(i, j);
      partnerOfNew.set(j, i);
      renamed.add(j);
      break;
    }
  }

  const pairs: Pair<T>[] = [];
  let nextOld = 0;
  const flushRemoved = (before: number): void => {
    for (; nextOld < before; nextOld++)
      if (!partnerOfOld.has(nextOld))
        pairs.push({ old: olds[nextOld], new: undefined, renamed: false });
  };
  news.forEach((item, j) => {
    const i = partnerOfNew.get(j);
    if (i !== undefined) {
      flushRemoved(i);
      pairs.push({ old: olds[i], new: item, renamed: renamed.has(j) });
    } else {
      pairs.push({ old: undefined, new: item, renamed: false });
    }
  });
  flushRemoved(olds.length);
  return pairs;
}
