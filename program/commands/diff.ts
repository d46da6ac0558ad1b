/**
 * `binschema diff OLD NEW`: list the changes between two revisions of a
 * schema (each a file or `REV:path` from git), with a verdict per change on
 * data, API and text compatibility, as text, JSON, GitHub annotations or
 * SARIF. `binschema diff --against REV` does so for every schema in the
 * folders `binschema.yaml` names. Exits 1 when a change fails under the
 * policy (`fail-on` and the `--allow-*` options) and is not approved, when
 * an approval matches nothing, or when `--verify` and the verdicts
 * disagree; 2 on unreadable or invalid input.
 */
import type { Command } from "commander";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, loadDiffConfig, type FailOn } from "../../generator/diff/config.js";
import { diffModels, type DiffReport } from "../../generator/diff/diff.js";
import { applyPolicy } from "../../generator/diff/policy.js";
import { breaksSomething, renderGithub, renderSarif } from "../../generator/diff/render-ci.js";
import { colours, plain, renderHuman } from "../../generator/diff/render-human.js";
import { jsonReport } from "../../generator/diff/render-json.js";
import {
  readRevision,
  RevisionError,
  splitGitRevision,
  type Revision,
} from "../../generator/diff/source.js";
import type { VerifyReport } from "../../generator/diff/verify/verify.js";
import { modelOf } from "../../generator/model-of.js";
import type { Model } from "../../generator/model.js";
import { formatProblem } from "../../generator/problem.js";
import { CommandError, EXIT } from "./output.js";

export interface DiffOptions {
  format?: string;
  json?: boolean;
  verify?: boolean;
  runs?: string;
  seed?: string;
  config?: string;
  against?: string;
  allowApiBreaks?: boolean;
  allowDataBreaks?: boolean;
  allowOldReaderBreaks?: boolean;
  allowNewReaderBreaks?: boolean;
  failOnTextBreaks?: boolean;
}

const FORMATS = ["text", "json", "github", "sarif"] as const;
type Format = (typeof FORMATS)[number];

/** One schema compared: its path (as approvals name it), its diff, and its verification. */
interface Compared {
  file: string;
  report: DiffReport;
  verified: VerifyReport | undefined;
}

export async function runDiff(
  projectRoot: string,
  oldArg: string | undefined,
  newArg: string | undefined,
  options: DiffOptions,
): Promise<number> {
  const runs = count(options.runs ?? "200", "--runs");
  const seed = count(options.seed ?? "1", "--seed");
  const format = formatOf(options);
  const config = await loadDiffConfig(
    options.config ?? "binschema.yaml",
    options.config !== undefined,
  ).catch((error: unknown) => {
    if (error instanceof ConfigError) throw new CommandError(error.message, EXIT.usage);
    throw error;
  });
  const failOn = failOnOf(config.failOn, options);

  const pairs = await pairsToCompare(oldArg, newArg, options.against, config.schemas);
  const compared: Compared[] = [];
  for (const pair of pairs.compare) {
    const old = await load(pair.old);
    const neu = await load(pair.new);
    const report = diffModels(old.model, neu.model, { old: pair.old, new: pair.new });
    let verified: VerifyReport | undefined;
    if (options.verify === true) {
      const { verifyDiff } = await import("../../generator/diff/verify/verify.js");
      verified = await verifyDiff(
        projectRoot,
        { old: old.revision, new: neu.revision },
        { old: old.model, new: neu.model },
        report,
        { runs, seed },
      );
    }
    compared.push({ file: pair.file, report, verified });
  }

  const outcome = applyPolicy(
    compared.map((c) => ({ file: c.file, changes: c.report.changes })),
    { failOn, approvals: config.approvals },
  );
  const approvals = new Map(outcome.approved.map((a) => [a.change, a.approval]));
  // Either way: a break the verdicts miss, or a predicted break never seen.
  const disagreeing = compared.filter(
    (c) =>
      c.verified !== undefined &&
      (c.verified.contradictions.length > 0 || c.verified.falsePositives.length > 0),
  );
  const status = outcome.findings.length > 0 || disagreeing.length > 0 ? EXIT.finding : EXIT.ok;
  const stale = outcome.stale.map((a) => ({
    loc: a.loc,
    message: `the approval of ${a.rule} ${a.subject} matches no change`,
  }));

  if (format === "json") {
    const one = (c: Compared): Record<string, unknown> => ({
      ...jsonReport(c.report, approvals),
      verify: c.verified,
    });
    const tail = {
      findings: outcome.findings,
      staleApprovals: outcome.stale,
      newSchemas: pairs.added,
      exitStatus: status,
    };
    const doc =
      options.against === undefined && compared.length === 1
        ? { ...one(compared[0]), ...tail }
        : { against: options.against, reports: compared.map(one), ...tail };
    console.log(JSON.stringify(doc, null, 2));
    return status;
  }
  if (format === "github" || format === "sarif") {
    const failing = new Set(outcome.failing.map((f) => f.change));
    const items = compared.flatMap((c) =>
      c.report.changes.filter(breaksSomething).map((change) => ({
        change,
        fails: failing.has(change),
        approval: approvals.get(change),
      })),
    );
    const { version } = JSON.parse(await readFile(join(projectRoot, "package.json"), "utf8")) as {
      version: string;
    };
    const text =
      format === "github" ? renderGithub(items, stale) : renderSarif(items, stale, version);
    if (text !== "") console.log(text);
    return status;
  }

  const style =
    process.stdout.isTTY === true && process.env.NO_COLOR === undefined ? colours : plain;
  const blocks: string[] = [];
  for (const c of compared) {
    let block = renderHuman(c.report, style, approvals);
    if (c.verified !== undefined) {
      const { renderVerify } = await import("../../generator/diff/verify/render.js");
      block += `\n\n${renderVerify(c.verified, style)}`;
    }
    blocks.push(block);
  }
  for (const file of pairs.added)
    blocks.push(`${file}: new since ${options.against}, nothing to compare`);
  if (blocks.length > 0) console.log(blocks.join("\n\n"));
  if (options.against !== undefined && compared.length === 0 && pairs.added.length === 0)
    console.log(`No schemas found in ${config.schemas.join(", ")}.`);
  for (const a of outcome.stale)
    console.log(
      `\n${a.loc.file}:${a.loc.line}:${a.loc.col}: the approval of ${a.rule} ${a.subject} matches no change`,
    );
  if (outcome.findings.length > 0) console.log(`\nExit status 1: ${outcome.findings.join("; ")}.`);
  if (disagreeing.length > 0)
    console.log("\nExit status 1: the evidence and the verdicts disagree (see above).");
  return status;
}

function formatOf(options: DiffOptions): Format {
  const given = options.format ?? (options.json === true ? "json" : "text");
  if (!(FORMATS as readonly string[]).includes(given))
    throw new CommandError(`--format must be one of ${FORMATS.join(", ")}, got "${given}"`);
  if (options.json === true && given !== "json")
    throw new CommandError(`--json and --format ${given} disagree`);
  return given as Format;
}

/** The config's `fail-on`, changed by the command line's options. */
function failOnOf(configured: ReadonlySet<FailOn>, options: DiffOptions): Set<FailOn> {
  const failOn = new Set(configured);
  if (options.allowApiBreaks === true) failOn.delete("api");
  if (options.allowDataBreaks === true || options.allowOldReaderBreaks === true)
    failOn.delete("old-readers");
  if (options.allowDataBreaks === true || options.allowNewReaderBreaks === true)
    failOn.delete("new-readers");
  if (options.failOnTextBreaks === true) failOn.add("text");
  return failOn;
}

/**
 * What to compare: the two revisions given, or with `--against REV` every
 * schema (`*.yaml`) in the configured folders with itself at REV. Schemas
 * REV does not have are listed as new.
 */
async function pairsToCompare(
  oldArg: string | undefined,
  newArg: string | undefined,
  against: string | undefined,
  schemas: readonly string[],
): Promise<{ compare: { old: string; new: string; file: string }[]; added: string[] }> {
  if (against === undefined) {
    if (oldArg === undefined || newArg === undefined)
      throw new CommandError("diff needs two revisions (OLD NEW), or --against REV");
    return {
      compare: [{ old: oldArg, new: newArg, file: splitGitRevision(newArg)?.path ?? newArg }],
      added: [],
    };
  }
  // A revision is never handed to git where it could be read as an option.
  if (against.startsWith("-"))
    throw new CommandError(`--against: "${against}" is not a git revision`);
  if (oldArg !== undefined)
    throw new CommandError(
      "with --against REV, give no revisions: the configured schemas are compared",
    );
  const files: string[] = [];
  for (const entry of schemas) {
    const info = await stat(entry).catch(() => undefined);
    if (info === undefined)
      throw new CommandError(`${entry}: no such schema folder or file (diff.schemas)`);
    if (info.isFile()) files.push(entry);
    else
      for (const name of (await readdir(entry)).sort())
        if (name.endsWith(".yaml") || name.endsWith(".yml")) files.push(join(entry, name));
  }
  const compare: { old: string; new: string; file: string }[] = [];
  const added: string[] = [];
  for (const file of files) {
    const old = `${against}:./${file}`;
    const there = await readRevision(old).then(
      () => true,
      (error: unknown) => {
        if (
          error instanceof RevisionError &&
          /does not exist in|exists on disk, but not in/.test(error.message)
        )
          return false;
        if (error instanceof RevisionError) throw new CommandError(error.message, EXIT.usage);
        throw error;
      },
    );
    if (there) compare.push({ old, new: file, file });
    else added.push(file);
  }
  return { compare, added };
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

export function registerDiff(
  program: Command,
  projectRoot: string,
  run: (work: () => Promise<number>) => void,
): void {
  program
    .command("diff")
    .description(
      "list the changes between two revisions of a schema, with data, API and text compatibility verdicts",
    )
    .argument("[old]", "the old revision: a schema file, or REV:path read with git show")
    .argument("[new]", "the new revision: a schema file, or REV:path")
    .option(
      "--against <rev>",
      "compare every schema in the folders binschema.yaml names (diff.schemas, default schema/) with itself at this git revision",
    )
    .option("--format <format>", "text (the default), json, github (workflow annotations) or sarif")
    .option("--json", "the same as --format json")
    .option("--config <file>", "the settings file (default: binschema.yaml, if there is one)")
    .option(
      "--verify",
      "check the verdicts against evidence: generate both codecs, exchange random values and S-expressions, type-check old code against the new module",
    )
    .option("--runs <n>", "random values per direction for --verify", "200")
    .option("--seed <n>", "random seed for --verify", "1")
    .option("--allow-api-breaks", "do not exit 1 for API breaks")
    .option("--allow-data-breaks", "do not exit 1 for data breaks in either direction")
    .option("--allow-old-reader-breaks", "do not exit 1 when old codecs cannot read new data")
    .option("--allow-new-reader-breaks", "do not exit 1 when the new codec cannot read old data")
    .option(
      "--fail-on-text-breaks",
      "exit 1 when old S-expressions may not parse, or parse to other values",
    )
    .action((oldArg: string | undefined, newArg: string | undefined, options: DiffOptions) =>
      run(() => runDiff(projectRoot, oldArg, newArg, options)),
    );
}
