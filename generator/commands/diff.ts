/**
 * `binschema diff OLD NEW`: list the changes between two revisions of a
 * schema (each a file or `REV:path` from git), with a verdict per change on
 * data, API and text compatibility, as text or `--json`. Exits 1 when a
 * change breaks data or API compatibility (unless allowed), or when
 * `--verify` finds a verdict the evidence contradicts; 2 on unreadable or
 * invalid input.
 */
import type { Command } from "commander";
import type { DiffOptions } from "./diff-run.js";

// The command line only: the diff's modules load when it runs, so --help stays quick.
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
    .argument("<old>", "the old revision: a schema file, or REV:path read with git show")
    .argument("<new>", "the new revision: a schema file, or REV:path")
    .option("--json", "print the diff as JSON")
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
      "exit 1 when old S-expressions may not parse or print the same",
    )
    .action((oldArg: string, newArg: string, options: DiffOptions) =>
      run(async () =>
        (await import("./diff-run.js")).runDiff(projectRoot, oldArg, newArg, options),
      ),
    );
}
