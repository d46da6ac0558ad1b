/**
 * `binschema check IMAGE... [--json]`: the checks QEMU makes when it opens a
 * qcow2 image, on the header region alone, with each violation's field and
 * reason and QEMU's own message. Exit status 1 when an image fails (an error
 * or a breach of the specification; warnings do not fail), 2 when one cannot
 * be read.
 */
import type { Command } from "commander";
import {
  checkRegion,
  passes,
  qemuVerdicts,
  type Finding,
  type OpenVerdict,
  type OpenMode,
} from "../../helpers/qcow2-check.js";
import { loadRegion, noteWriter, reportLines, shown, withImage } from "./image-common.js";
import { CommandError, EXIT, red } from "./output.js";

export interface CheckOptions {
  json?: boolean;
}

/** One image's check, as `--json` prints it. */
export interface CheckReport {
  readonly file: string;
  readonly passes: boolean;
  readonly findings: readonly Finding[];
  /** What each way of opening the image would do (QEMU 7.2). */
  readonly qemu: Record<OpenMode, OpenVerdict>;
}

/** Checks one image. */
export function checkImage(path: string): CheckReport {
  noteWriter(path);
  const findings = withImage(path, false, (fd) => checkRegion(loadRegion(path, fd)));
  return { file: shown(path), passes: passes(findings), findings, qemu: qemuVerdicts(findings) };
}

/** Runs the command; returns the exit status. */
export function runCheck(paths: readonly string[], options: CheckOptions): number {
  const reports: CheckReport[] = [];
  let status: number = EXIT.ok;
  for (const path of paths) {
    try {
      const report = checkImage(path);
      reports.push(report);
      if (!report.passes) status = Math.max(status, EXIT.finding);
      if (options.json !== true)
        for (const line of reportLines(report.file, report.findings)) console.log(line);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      console.error(red(error.message));
      status = Math.max(status, error.status);
    }
  }
  if (options.json === true) {
    console.log(JSON.stringify(paths.length === 1 ? (reports[0] ?? null) : reports, null, 2));
  }
  return status;
}

export function registerCheck(program: Command, run: (work: () => Promise<number>) => void): void {
  program
    .command("check")
    .description(
      "run QEMU's open-time checks on qcow2 images' headers (exit 1 if any fails, 2 if one cannot be read)",
    )
    .argument("<image...>", "qcow2 image files")
    .option("--json", "print the findings as JSON (an object for one image, an array for several)")
    .action((images: string[], options: CheckOptions) =>
      run(async () => runCheck(images, options)),
    );
}
