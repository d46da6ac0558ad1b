/**
 * Line diffs of two texts, for any format: the difference a dry run shows
 * (`encode --into --dry-run`, and qcow2's edits with `--dry-run`), with a
 * few unchanged lines around each change.
 */

/** One line of a diff: kept (" "), removed ("-") or added ("+"). */
export interface DiffLine {
  readonly op: " " | "-" | "+";
  readonly text: string;
}

/** The line diff of two texts (longest common subsequence). */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: " ", text: a[i++] });
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push({ op: "-", text: a[i++] });
    } else {
      out.push({ op: "+", text: b[j++] });
    }
  }
  return out;
}

/**
 * The changed lines of a diff with `context` unchanged lines around each
 * change; runs of unchanged lines in between are shown as one `...` line.
 */
export function diffHunks(diff: readonly DiffLine[], context = 2): DiffLine[] {
  const near = diff.map((_, i) =>
    diff.slice(Math.max(0, i - context), i + context + 1).some((d) => d.op !== " "),
  );
  const out: DiffLine[] = [];
  diff.forEach((d, i) => {
    if (near[i]) out.push(d);
    else if (out.at(-1)?.text !== "...") out.push({ op: " ", text: "..." });
  });
  return out;
}
