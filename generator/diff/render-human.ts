/**
 * The human form of a diff: each change with its place in both schemas,
 * its rule ID, its verdict on every axis with the reason, what it brings
 * about, what to do, and its approval if it has one; doc-only changes
 * gathered at the end, then the verdict for the whole diff.
 */
import type { Approval } from "./config.js";
import type { Loc } from "../model.js";
import type { DiffReport, JudgedChange } from "./diff.js";
import { breaksReaders, type Direction } from "./verdict.js";

export interface Style {
  good: (text: string) => string;
  bad: (text: string) => string;
  strong: (text: string) => string;
}

export const plain: Style = { good: (t) => t, bad: (t) => t, strong: (t) => t };

/** ANSI colours, for a terminal. */
export const colours: Style = {
  good: (t) => `\u001b[32m${t}\u001b[0m`,
  bad: (t) => `\u001b[31m${t}\u001b[0m`,
  strong: (t) => `\u001b[1m${t}\u001b[0m`,
};

const where = (loc: Loc | undefined): string | undefined =>
  loc === undefined ? undefined : `${loc.file}:${loc.line}:${loc.col}`;

function places(c: JudgedChange): string {
  const before = where(c.old);
  const after = where(c.new);
  if (before === undefined) return `new: ${after}`;
  if (after === undefined) return `old: ${before}`;
  return `${before} → ${after}`;
}

function verdictLine(axis: string, verdict: string, why: string, style: Style): string {
  const shown =
    verdict === "compatible" ? style.good(verdict.padEnd(18)) : style.bad(verdict.padEnd(18));
  return `    ${axis.padEnd(4)}  ${shown}  ${why}`.trimEnd();
}

function changeBlock(c: JudgedChange, style: Style, approval: Approval | undefined): string[] {
  const approved =
    approval === undefined ? [] : [`    approved: ${approval.reason} (${where(approval.loc)})`];
  return [
    `${style.strong(c.subject)}: ${c.description}`,
    `    ${places(c)}  [${c.rule}]`,
    verdictLine("data", c.verdict.data, c.verdict.why.data, style),
    verdictLine("API", c.verdict.api, c.verdict.why.api, style),
    verdictLine("text", c.verdict.text, c.verdict.why.text, style),
    ...c.consequences.map((text) => `    with: ${text}`),
    ...(c.hint === undefined ? [] : [`    fix:  ${c.hint}`]),
    ...approved,
  ];
}

/** Wraps a list of words to lines of at most `width` characters, indented. */
function wrap(words: string[], width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(indent + line);
  return lines;
}

export function renderHuman(
  report: DiffReport,
  style: Style = plain,
  approvals: ReadonlyMap<JudgedChange, Approval> = new Map(),
): string {
  const docs = report.changes.filter((c) => c.kind === "doc-changed");
  const others = report.changes.filter((c) => c.kind !== "doc-changed");
  const out: string[] = [
    `${report.old} → ${report.new}: ${others.length} change${others.length === 1 ? "" : "s"}, ${docs.length} doc-only`,
  ];
  for (const c of others) out.push("", ...changeBlock(c, style, approvals.get(c)));
  if (docs.length > 0) {
    out.push("", `Documentation only, compatible on every axis (${docs.length}):`);
    out.push(
      ...wrap(
        docs.map((c, i) => c.subject + (i < docs.length - 1 ? "," : "")),
        100,
        "    ",
      ),
    );
  }
  const s = report.summary;
  const count = (n: number): string => (n === 0 ? "" : ` (${n} change${n === 1 ? "" : "s"})`);
  const readers = (direction: Direction): number =>
    report.changes.filter((c) => breaksReaders(c.verdict.data, direction)).length;
  const dataCount =
    s.data === "breaks both"
      ? ` (${readers("old readers")} changes break old readers, ${readers("new readers")} new readers)`
      : count(s.counts.data);
  const shown = (v: string): string => (v === "compatible" ? style.good(v) : style.bad(v));
  const textCount = (breaking: number, prints: number): string =>
    breaking > 0 && prints > 0
      ? ` (${breaking} change${breaking === 1 ? "" : "s"} breaking, ${prints} printing differently)`
      : count(breaking + prints);
  out.push(
    "",
    "Overall:",
    `    data  ${shown(s.data)}${dataCount}`,
    `    API   ${shown(s.api)}${count(s.counts.api)}`,
    `    text  ${shown(s.text)}${textCount(s.counts.text, s.counts.textPrints)}`,
  );
  return out.join("\n");
}
