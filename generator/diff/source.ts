/**
 * Reading a schema revision named on the command line: a file path, or
 * `REV:path` for the file as it was at a git revision (read with
 * `git show REV:path` in the repository holding the current directory).
 */
import { execFile } from "node:child_process";
import { access, readFile } from "node:fs/promises";
import { promisify } from "node:util";

export interface Revision {
  /** As given on the command line; used as the file name in locations. */
  name: string;
  text: string;
}

/** Why a revision could not be read. */
export class RevisionError extends Error {}

const run = promisify(execFile);

/** `HEAD~2:schema/qcow2.yaml` -> its revision and path; undefined for a plain path. */
export function splitGitRevision(arg: string): { rev: string; path: string } | undefined {
  const colon = arg.indexOf(":");
  if (colon <= 0 || colon === arg.length - 1) return undefined;
  return { rev: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

export async function readRevision(arg: string): Promise<Revision> {
  const exists = await access(arg).then(
    () => true,
    () => false,
  );
  const git = exists ? undefined : splitGitRevision(arg);
  if (git === undefined) {
    const text = await readFile(arg, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new RevisionError(
        `${arg}: cannot read: ${error.code === "ENOENT" ? "no such file" : error.message}`,
      );
    });
    return { name: arg, text };
  }
  // Nothing from the command line may reach git as an option: a revision
  // like `--output=FILE` would make `git show` write FILE. Such a revision is
  // refused here, and --end-of-options guards whatever git treats as one.
  if (git.rev.startsWith("-")) {
    throw new RevisionError(`${arg}: not a revision: a revision cannot start with "-"`);
  }
  try {
    const { stdout } = await run("git", ["show", "--end-of-options", `${git.rev}:${git.path}`], {
      maxBuffer: 64 * 1024 * 1024,
      encoding: "utf8",
    });
    return { name: arg, text: stdout };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    const reason = stderr.trim().split("\n")[0] || (error as Error).message;
    throw new RevisionError(`${arg}: cannot read from git: ${reason}`);
  }
}
