/**
 * What the image subcommands share: opening an image (I/O errors are usage
 * errors, exit 2, naming the file), reading its header region, and printing
 * check findings.
 */
import { closeSync, openSync } from "node:fs";
import { relative } from "node:path";
import { CodecError } from "../../runtime/codec.js";
import type { Header } from "../../generated/qcow2.js";
import { passes, qemuVerdicts, type Finding, type OpenMode } from "../../helpers/qcow2-check.js";
import { readHeaderRegion, type HeaderRegion } from "../../helpers/qcow2-image.js";
import { CommandError, EXIT, bold, green, yellow } from "./output.js";

/** How a file is shown in messages: relative to the working directory when it is below it. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

/** Runs `work` with the image open (read-only, or read-write); closes it afterwards. */
export function withImage<T>(path: string, writable: boolean, work: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, writable ? "r+" : "r");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CommandError(`${shown(path)}: cannot open: ${reason}`, EXIT.usage);
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
    const reason = error instanceof Error ? error.message : String(error);
    throw new CommandError(`${shown(path)}: cannot read the header: ${reason}`, EXIT.usage);
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
