/**
 * `diff --verify`: check the verdicts against evidence. Both revisions are
 * generated into a temporary folder; random values go from each codec to
 * the other's, old S-expressions through the new converters, and a program
 * written against the old declarations is type-checked against the new
 * ones. Each failure is laid at the door of the changes touching a type on
 * its path: if none of them says that axis breaks, the verdict of the
 * nearest one is contradicted, a missed break (or, if there is none, the
 * diff is missing a change). The other way round, a change said to break
 * the API that leaves the program compiling is contradicted (that evidence
 * is complete), and a data or text break that never shows in all the runs
 * is a probable false positive. Either makes the verification fail.
 */
import type { Model } from "../../model.js";
import type { DiffReport, JudgedChange } from "../diff.js";
import { breaksReaders, type Axis, type Direction } from "../verdict.js";
import { writeProbe } from "./api-probe.js";
import { gatherEvidence, type Evidence, type Failure } from "./evidence.js";
import { typecheckProbes, type ProbeError } from "./typecheck.js";
import { makeWorkspace, type Source } from "./workspace.js";

export interface VerifyOptions {
  runs: number;
  seed: number;
}

/** A verdict the evidence contradicts; `subject` is undefined when no change accounts for the evidence. */
export interface Contradiction {
  axis: Axis;
  subject: string | undefined;
  claim: string;
  evidence: string;
}

export interface Observation {
  subject: string;
  axis: Axis;
  claim: string;
}

/** A predicted break the evidence never showed. */
export interface FalsePositive extends Observation {
  /** What was seen instead, if anything (a `breaking` text verdict of which only reprints showed). */
  seen: string | undefined;
}

export interface VerifyReport {
  runs: number;
  seed: number;
  trials: Record<
    "oldReaders" | "newReaders" | "text" | "textBack",
    { tried: number; failed: number }
  >;
  refused: Evidence["refused"];
  api: { lines: number; errors: number };
  contradictions: Contradiction[];
  confirmed: Observation[];
  /** Data and text breaks predicted and never seen in `runs` values each way. */
  falsePositives: FalsePositive[];
}

/** Does the verification disagree with the diff, in either direction? */
export function disagrees(v: VerifyReport): boolean {
  return v.contradictions.length > 0 || v.falsePositives.length > 0;
}

export async function verifyDiff(
  projectRoot: string,
  sources: { old: Source; new: Source },
  models: { old: Model; new: Model },
  report: DiffReport,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const ws = await makeWorkspace(projectRoot, sources.old, sources.new);
  try {
    const evidence = gatherEvidence(ws, models.old, models.new, options);
    const oldFormat = models.old.format;
    const probeOld = writeProbe(models.old, `../old/${oldFormat}.js`);
    const probeNew = writeProbe(models.old, `../new/${oldFormat}.js`);
    const checked = await typecheckProbes(ws.dir, probeOld, probeNew);
    if (checked.againstOld.length > 0) {
      const first = checked.againstOld[0];
      throw new Error(
        `the API probe does not compile against the old module it was written for (line ${first.line}: ${first.message})`,
      );
    }
    const judged = new Judgement(report.changes);
    judged.data(evidence.oldReaders.failures, "old readers");
    judged.data(evidence.newReaders.failures, "new readers");
    judged.text(evidence.text.failures);
    judged.api(checked.againstNew);
    const count = (t: { tried: number; failures: Failure[] }) => ({
      tried: t.tried,
      failed: t.failures.length,
    });
    return {
      runs: options.runs,
      seed: options.seed,
      trials: {
        oldReaders: count(evidence.oldReaders),
        newReaders: count(evidence.newReaders),
        text: count(evidence.text),
        textBack: count(evidence.textBack),
      },
      refused: evidence.refused,
      api: { lines: probeNew.text.split("\n").length - 1, errors: checked.againstNew.length },
      ...judged.result(),
    };
  } finally {
    await ws.remove();
  }
}

/** The failure's path before its message, unless the message names it already. */
function where(f: Failure): string {
  return f.path === "" || f.message.includes(f.path) ? "" : `${f.path}: `;
}

/** Matches evidence with the changes and their verdicts. */
class Judgement {
  private readonly contradictions: Contradiction[] = [];
  private readonly confirmed = new Map<JudgedChange, Set<string>>();
  private readonly seen = new Set<string>();

  constructor(private readonly changes: readonly JudgedChange[]) {}

  /**
   * Whether to match evidence with changes by the declarations they touch
   * (type errors) or by the places they are about (data and text).
   */
  private by: "owners" | "loci" = "loci";

  private touching(types: readonly string[]): JudgedChange[] {
    return this.changes.filter(
      (c) => c.kind !== "doc-changed" && c[this.by].some((o) => types.includes(o)),
    );
  }

  /** Changes at the most specific place along `types` that has changes. */
  private nearest(types: readonly string[]): JudgedChange[] {
    for (let i = types.length - 1; i >= 0; i--) {
      const here = this.touching([types[i]]);
      if (here.length > 0) return here;
    }
    return [];
  }

  private confirm(c: JudgedChange, claim: string): void {
    const claims = this.confirmed.get(c) ?? new Set<string>();
    claims.add(claim);
    this.confirmed.set(c, claims);
  }

  private contradict(entry: Contradiction): void {
    const key = `${entry.axis}|${entry.subject ?? ""}|${entry.claim}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.contradictions.push(entry);
  }

  /** Lays each failure at the door of the changes on its path that say `breaks` (else contradicts). */
  private attribute(
    axis: Axis,
    failures: readonly { types: string[]; text: string }[],
    breaks: (c: JudgedChange) => boolean,
    claim: string,
    compatibleClaim: string,
  ): void {
    for (const f of failures) {
      const explaining = this.touching(f.types).filter(breaks);
      explaining.forEach((c) => this.confirm(c, `${axis}: ${claim}`));
      if (explaining.length > 0) continue;
      const suspects = this.nearest(f.types);
      if (suspects.length === 0)
        this.contradict({
          axis,
          subject: undefined,
          claim: `no change explains it`,
          evidence: f.text,
        });
      for (const c of suspects)
        this.contradict({
          axis,
          subject: c.subject,
          claim: `${axis}: ${compatibleClaim}`,
          evidence: f.text,
        });
    }
  }

  data(failures: Failure[], direction: Direction): void {
    const writer = direction === "old readers" ? "new" : "old";
    const reader = direction === "old readers" ? "old" : "new";
    this.attribute(
      "data",
      failures.map((f) => ({
        types: f.types,
        text: `the ${reader} codec ${f.what === "could not read" ? "could not read" : "read differently"} what the ${writer} codec wrote: ${where(f)}${f.message} (written: ${f.example})`,
      })),
      (c) => breaksReaders(c.verdict.data, direction),
      `breaks ${direction}`,
      `${direction} not broken`,
    );
  }

  text(failures: Failure[]): void {
    const shown = (list: Failure[]) =>
      list.map((f) => ({
        types: f.types,
        text: `old text ${f.what}: ${where(f)}${f.message} (text: ${f.example})`,
      }));
    const soft = failures.filter((f) => f.what === "printed differently");
    const hard = failures.filter((f) => f.what !== "printed differently");
    this.attribute(
      "text",
      shown(hard),
      (c) => c.verdict.text === "breaking",
      "breaking",
      "not breaking",
    );
    this.attribute(
      "text",
      shown(soft),
      (c) => c.verdict.text !== "compatible",
      "prints differently",
      "compatible",
    );
  }

  api(errors: ProbeError[]): void {
    this.by = "owners";
    this.attribute(
      "api",
      errors.map((e) => ({ types: e.tags, text: `\`${e.code}\`: ${e.message}` })),
      (c) => c.verdict.api === "breaking",
      "breaking",
      "compatible",
    );
    // The probe uses every declaration every way the API promises, so a break it does not hit is no break.
    for (const c of this.changes) {
      if (c.verdict.api !== "breaking" || this.confirmed.get(c)?.has("api: breaking")) continue;
      this.contradict({
        axis: "api",
        subject: c.subject,
        claim: "api: breaking",
        evidence:
          "a program using the old declarations every way the API promises compiles against the new module",
      });
    }
  }

  result(): Pick<VerifyReport, "contradictions" | "confirmed" | "falsePositives"> {
    const confirmed: Observation[] = [];
    const falsePositives: FalsePositive[] = [];
    for (const c of this.changes) {
      const claims: [Axis, string, boolean][] = [
        ["data", "breaks old readers", breaksReaders(c.verdict.data, "old readers")],
        ["data", "breaks new readers", breaksReaders(c.verdict.data, "new readers")],
        ["text", "breaking", c.verdict.text === "breaking"],
        ["text", "prints differently", c.verdict.text === "prints differently"],
        ["api", "breaking", c.verdict.api === "breaking"],
      ];
      const got = this.confirmed.get(c) ?? new Set<string>();
      for (const [axis, claim, made] of claims) {
        if (!made) continue;
        if (got.has(`${axis}: ${claim}`)) confirmed.push({ subject: c.subject, axis, claim });
        else if (axis !== "api")
          falsePositives.push({
            subject: c.subject,
            axis,
            claim,
            seen: got.has("text: prints differently") ? "prints differently" : undefined,
          });
      }
    }
    return { contradictions: this.contradictions, confirmed, falsePositives };
  }
}
