/**
 * `binschema check IMAGE... [--json]`: the checks QEMU makes when it opens a
 * qcow2 image, on the header region alone, with each violation's field and
 * reason and QEMU's own message. Exit status 1 when an image fails (an error
 * or a breach of the specification; warnings do not fail), 2 when one cannot
 * be read. Where the last edit left an undo file, check also tells a torn
 * write of that edit (some of its new bytes on disk, some of the old), which
 * fails the image and which `binschema restore` repairs.
 */
import type { Command } from "commander";
import {
  checkRegion,
  passes,
  qemuVerdicts,
  type Finding,
  type OpenVerdict,
  type OpenMode,
} from "../check.js";
import { defaultUndoPath, loadUndo, undoState, type Undo } from "../undo.js";
import { loadRegion, noteWriter, reportLines, shown, withImage } from "./image-common.js";
import { CommandError, EXIT, bold, red } from "../../../program/commands/output.js";

export interface CheckOptions {
  json?: boolean;
  undoFile?: string;
}

/** A torn write of the last edit, as its undo file tells. */
export interface TornWrite {
  readonly undo_file: string;
  readonly edit: string;
  /** Of the bytes the edit changes, how many hold the new value. */
  readonly new_bytes: number;
  readonly changed_bytes: number;
}

/** One image's check, as `--json` prints it. */
export interface CheckReport {
  readonly file: string;
  readonly passes: boolean;
  readonly findings: readonly Finding[];
  /** What each way of opening the image would do (QEMU 7.2). */
  readonly qemu: Record<OpenMode, OpenVerdict>;
  /** A torn write of the last edit, or null. */
  readonly torn_write: TornWrite | null;
}

/** The undo file of the image's last edit, if there is a readable one. */
function lastEdit(undoPath: string): Undo | undefined {
  try {
    return loadUndo(undoPath);
  } catch {
    return undefined;
  }
}

/** Whether the region holds a torn write of the edit the undo file describes. */
function tornWrite(undoPath: string, bytes: Uint8Array): TornWrite | null {
  const undo = lastEdit(undoPath);
  if (undo === undefined || undoState(undo, bytes) !== "torn") return null;
  let changed = 0;
  let landed = 0;
  undo.before.forEach((old, i) => {
    if (old === undo.after[i]) return;
    changed++;
    if (bytes[i] === undo.after[i]) landed++;
  });
  return { undo_file: shown(undoPath), edit: undo.edit, new_bytes: landed, changed_bytes: changed };
}

/** Checks one image (with the undo file at `undoPath`, by default beside it). */
export function checkImage(path: string, undoPath = defaultUndoPath(path)): CheckReport {
  noteWriter(path);
  const [findings, torn] = withImage(path, false, (fd) => {
    const region = loadRegion(path, fd);
    return [checkRegion(region), tornWrite(undoPath, region.bytes)] as const;
  });
  return {
    file: shown(path),
    passes: passes(findings) && torn === null,
    findings,
    qemu: qemuVerdicts(findings),
    torn_write: torn,
  };
}

/** The line that reports a torn write. */
function tornLine(report: CheckReport, path: string, torn: TornWrite): string {
  const undo =
    torn.undo_file === shown(defaultUndoPath(path)) ? "" : ` --undo-file ${torn.undo_file}`;
  return (
    `${report.file}: ${bold("torn write")}: ${torn.new_bytes} of the ${torn.changed_bytes} bytes ` +
    `\`${torn.edit}\` changed hold the new value, the rest the old; ` +
    `\`binschema restore ${report.file}${undo}\` puts the old header back`
  );
}

/** Runs the command; returns the exit status. */
export function runCheck(paths: readonly string[], options: CheckOptions): number {
  const reports: CheckReport[] = [];
  let status: number = EXIT.ok;
  if (options.undoFile !== undefined && paths.length !== 1) {
    throw new CommandError("check: --undo-file goes with one image", EXIT.usage);
  }
  for (const path of paths) {
    try {
      const report = checkImage(path, options.undoFile ?? defaultUndoPath(path));
      reports.push(report);
      if (!report.passes) status = Math.max(status, EXIT.finding);
      if (options.json !== true) {
        if (report.torn_write !== null) console.log(tornLine(report, path, report.torn_write));
        for (const line of reportLines(report.file, report.findings)) console.log(line);
      }
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
    .option(
      "--undo-file <path>",
      "the undo file of the last edit, to tell a torn write (default: IMAGE.binschema-undo)",
    )
    .action((images: string[], options: CheckOptions) =>
      run(async () => runCheck(images, options)),
    );
}
