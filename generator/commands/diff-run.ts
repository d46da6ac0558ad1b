/**
 * The work of `binschema diff` (see diff.ts for the command line).
 */
import { diffModels } from "../diff/diff.js";
import { findings, type Policy } from "../diff/policy.js";
import { colours, plain, renderHuman } from "../diff/render-human.js";
import { renderJson } from "../diff/render-json.js";
import { readRevision, RevisionError, type Revision } from "../diff/source.js";
import type { VerifyReport } from "../diff/verify/verify.js";
import { modelOf } from "../model-of.js";
import type { Model } from "../model.js";
import { formatProblem } from "../problem.js";
import { CommandError, EXIT } from "./output.js";

export interface DiffOptions extends Policy {
  json?: boolean;
  verify?: boolean;
  runs?: string;
  seed?: string;
}

export async function runDiff(
  projectRoot: string,
  oldArg: string,
  newArg: string,
  options: DiffOptions,
): Promise<number> {
  const runs = count(options.runs ?? "200", "--runs");
  const seed = count(options.seed ?? "1", "--seed");
  const old = await load(oldArg);
  const neu = await load(newArg);
  const report = diffModels(old.model, neu.model, { old: oldArg, new: newArg });

  let verified: VerifyReport | undefined;
  if (options.verify === true) {
    const { verifyDiff } = await import("../diff/verify/verify.js");
    verified = await verifyDiff(
      projectRoot,
      { old: old.revision, new: neu.revision },
      { old: old.model, new: neu.model },
      report,
      { runs, seed },
    );
  }

  const found = findings(report.summary, options);
  const contradicted = verified !== undefined && verified.contradictions.length > 0;
  const status = found.length > 0 || contradicted ? EXIT.finding : EXIT.ok;
  if (options.json === true) {
    console.log(renderJson(report, { findings: found, exitStatus: status, verify: verified }));
    return status;
  }
  const style =
    process.stdout.isTTY === true && process.env.NO_COLOR === undefined ? colours : plain;
  console.log(renderHuman(report, style));
  if (verified !== undefined) {
    const { renderVerify } = await import("../diff/verify/render.js");
    console.log(`\n${renderVerify(verified, style)}`);
  }
  if (found.length > 0) console.log(`\nExit status 1: ${found.join("; ")}.`);
  if (contradicted) console.log("\nExit status 1: the evidence contradicts some verdicts.");
  return status;
}

function count(text: string, option: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 2 ** 31)
    throw new CommandError(`${option} must be a whole number, got "${text}"`);
  return Number(text);
}

async function load(arg: string): Promise<{ revision: Revision; model: Model }> {
  const revision = await readRevision(arg).catch((error: unknown) => {
    if (error instanceof RevisionError) throw new CommandError(error.message, EXIT.usage);
    throw error;
  });
  const result = modelOf(revision.name, revision.text);
  if (!result.ok) {
    const problems = result.problems.map(formatProblem).join("\n");
    throw new CommandError(`${problems}\n${arg}: not a valid schema; nothing compared`, EXIT.usage);
  }
  return { revision, model: result.model };
}
