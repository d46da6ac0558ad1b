/**
 * What the image subcommands share: opening an image (I/O errors are usage
 * errors, exit 2, naming the file), reading its header region, and printing
 * check findings.
 */
import { closeSync, openSync } from "node:fs";
import { CodecError } from "../../../runtime/codec.js";
import type { Header } from "../../../generated/qcow2.js";
import { passes, qemuVerdicts, type Finding, type OpenMode } from "../check.js";
import { readHeaderRegion, type HeaderRegion } from "../image.js";
import { LockConflict, LockUnavailable, lockForEditWaiting, writerHolds } from "../lock.js";
import {
  CommandError,
  EXIT,
  bold,
  green,
  reasonOf,
  shown,
  yellow,
} from "../../../program/commands/output.js";

export { shown };

/** Runs `work` with the image open (read-only, or read-write); closes it afterwards. */
export function withImage<T>(path: string, writable: boolean, work: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, writable ? "r+" : "r");
  } catch (error) {
    throw new CommandError(`${shown(path)}: cannot open: ${reasonOf(error)}`, EXIT.usage);
  }
  try {
    return work(fd);
  } finally {
    closeSync(fd);
  }
}

/** Reads the header region; I/O errors become usage errors naming the file. */
export function loadRegion(path: string, fd: number): HeaderRegion {
  try {
    return readHeaderRegion(fd);
  } catch (error) {
    throw new CommandError(
      `${shown(path)}: cannot read the header: ${reasonOf(error)}; the file is untouched`,
      EXIT.usage,
    );
  }
}

/** How a writing command treats QEMU's image locks (`--no-lock`, `--wait SECONDS`). */
export interface LockOptions {
  lock?: boolean;
  wait?: string;
}

/** The `--wait` option in milliseconds (0 when not given). */
function waitMs(options: LockOptions): number {
  if (options.wait === undefined) return 0;
  if (!/^\d+(\.\d+)?$/.test(options.wait) || Number(options.wait) > 86400) {
    throw new CommandError(`--wait must be a number of seconds, got "${options.wait}"`, EXIT.usage);
  }
  return Number(options.wait) * 1000;
}

/**
 * Takes QEMU's image locks for a write (see formats/qcow2/lock.ts), before
 * anything is read; closing the file releases them. An image held by QEMU
 * or another edit is refused (exit 1) with QEMU's words.
 */
export function lockImage(path: string, fd: number, options: LockOptions): void {
  if (options.lock === false) return;
  const ms = waitMs(options);
  try {
    lockForEditWaiting(fd, ms);
  } catch (error) {
    if (error instanceof LockConflict) {
      const waited = ms > 0 ? ` (waited ${ms / 1000} s)` : "";
      throw new CommandError(
        `${shown(path)}: refused: ${error.message}${waited}; the file is untouched`,
        EXIT.finding,
      );
    }
    if (error instanceof LockUnavailable) {
      throw new CommandError(
        `${shown(path)}: refused: ${error.message}; pass --no-lock to write without them ` +
          "(only when nothing else uses the image); the file is untouched",
        EXIT.finding,
      );
    }
    throw error;
  }
}

/** Says on stderr when another process holds the image for writing: what was read may be stale. */
export function noteWriter(path: string): void {
  if (writerHolds(path) === true) {
    console.error(
      `${shown(path)}: note: another process holds the image with write permission ` +
        '(QEMU\'s "write" lock); the header read may be stale',
    );
  }
}

/** The decoded header, or a finding-status error naming the file, field and byte. */
export function decodedHeader(path: string, region: HeaderRegion, doing: string): Header {
  if (region.decoded instanceof CodecError) {
    throw new CommandError(
      `${shown(path)}: cannot ${doing}: the header does not decode: ${region.decoded.message}` +
        " (run `binschema check` for QEMU's view)",
      EXIT.finding,
    );
  }
  return region.decoded.value;
}

const MODE_NAMES: Record<OpenMode, string> = {
  info: "qemu-img info",
  check: "qemu-img check",
  use: "read-write use",
};

/** One finding as a line: `FILE: error: FIELD: reason (QEMU: "message")`. */
export function findingLine(file: string, f: Finding): string {
  const qemu = f.qemu === undefined ? "" : ` (QEMU: "${f.qemu}")`;
  const skipped =
    f.skippedBy === undefined || f.skippedBy.length === 0
      ? ""
      : ` [not checked by ${f.skippedBy.map((m) => MODE_NAMES[m]).join(" or ")}]`;
  return `${file}: ${yellow(f.severity)}: ${f.field}: ${f.reason}${qemu}${skipped}`;
}

/** The closing line of a check: whether QEMU opens the image, and how. */
export function verdictLine(file: string, findings: readonly Finding[]): string {
  const verdicts = qemuVerdicts(findings);
  const warnings = findings.filter((f) => f.severity === "warning").length;
  const withWarnings = warnings === 0 ? "" : ` (${warnings} warning${warnings === 1 ? "" : "s"})`;
  if (passes(findings))
    return `${file}: ${green("ok")}: passes QEMU's open-time checks${withWarnings}`;
  const refusing = (Object.keys(verdicts) as OpenMode[]).filter((m) => !verdicts[m].opens);
  if (refusing.length === 0) {
    return `${file}: ${bold("fails")}: QEMU opens it, but it breaks the qcow2 specification`;
  }
  const how = (Object.keys(verdicts) as OpenMode[])
    .map((m) => `${MODE_NAMES[m]} ${verdicts[m].opens ? "opens it" : "refuses"}`)
    .join(", ");
  return `${file}: ${bold("fails")}: QEMU refuses to open it (${how})`;
}

/** The findings and verdict of a check, as printed lines. */
export function reportLines(file: string, findings: readonly Finding[]): string[] {
  return [...findings.map((f) => findingLine(file, f)), verdictLine(file, findings)];
}
