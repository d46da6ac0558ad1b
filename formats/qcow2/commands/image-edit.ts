/**
 * Editing a qcow2 image's header in place: `set`, `set-feature`, `add-ext`,
 * `del-ext` and `set-backing-format`. Each reads the header with the codec,
 * changes the value, and writes the whole header region back through the
 * codec with one positioned write and an fdatasync, all under QEMU's image
 * locks, after saving the bytes it replaces in an undo file for
 * `binschema restore`. An edit is refused (exit 1, file untouched) when QEMU
 * or another edit holds the image, when the region would not fit in the
 * first cluster, when the image is marked dirty or corrupt (unless --force),
 * or when the value cannot be encoded; an I/O failure is exit 2, in one line
 * saying whether the image changed. The backing file name moves to just after the end
 * marker, as QEMU stores it; every extension not edited stays, in order.
 * `check` runs on the result and its verdict is printed: an edit may be
 * meant to break the image.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { equal, type Header } from "../../../generated/qcow2.js";
import { CodecError } from "../../../runtime/codec.js";
import { checkRegion } from "../check.js";
import {
  addExtEdit,
  delExtEdit,
  setBackingFormatEdit,
  setEdit,
  setFeatureEdit,
  type Edit,
  type Edited,
} from "../edits.js";
import {
  FEATURE_GROUPS,
  FieldError,
  parseExtensionType,
  resolveBit,
  type FeatureGroup,
} from "../fields.js";
import {
  EditRefused,
  RegionWriteError,
  bytesReplaced,
  planRegion,
  readHeaderRegion,
  regionAfter,
  writeRegion,
  type HeaderRegion,
  type RegionPlan,
} from "../image.js";
import { defaultUndoPath, saveUndo } from "../undo.js";
import { diffHunks, headerDiff } from "../view.js";
import {
  decodedHeader,
  loadRegion,
  lockImage,
  noteWriter,
  reportLines,
  shown,
  withImage,
  type LockOptions,
} from "./image-common.js";
import { CommandError, EXIT, green, reasonOf, yellow } from "../../../program/commands/output.js";

export interface EditOptions extends LockOptions {
  force?: boolean;
  dryRun?: boolean;
  /** `--undo-file PATH`; `--no-undo` sets `undo` to false. */
  undoFile?: string;
  undo?: boolean;
}

/** A value that cannot be encoded, or a region that cannot be written, as a refusal naming the file. */
function valueError(path: string, error: unknown): never {
  if (error instanceof FieldError || error instanceof EditRefused) {
    throw new CommandError(
      `${shown(path)}: refused: ${error.message}; the file is untouched`,
      EXIT.finding,
    );
  }
  throw error;
}

/** Refuses to edit an image marked dirty or corrupt, unless forced. */
function guardState(path: string, h: Header, force: boolean): void {
  const marks = [
    h.additional?.dirty === true ? "dirty" : "",
    h.additional?.corrupt === true ? "corrupt" : "",
  ];
  const set = marks.filter((m) => m !== "");
  if (set.length === 0 || force) return;
  throw new CommandError(
    `${shown(path)}: refused: the image is marked ${set.join(" and ")} (additional.${set[0]}); ` +
      "its metadata may be inconsistent until `qemu-img check -r all` repairs it; " +
      "pass --force to edit it anyway; the file is untouched",
    EXIT.finding,
  );
}

/** Applies the edit and plans the new region; what cannot be done is refused (exit 1). */
function plan(
  path: string,
  region: HeaderRegion,
  before: Header,
  edit: Edit,
): [Edited, RegionPlan] {
  try {
    const edited = edit(structuredClone(before));
    return [edited, planRegion(region, edited.header, edited.policy ?? "move")];
  } catch (error) {
    return valueError(path, error);
  }
}

/** Prints the before/after difference of the headers, as inspect shows them. */
function printDiff(file: string, region: HeaderRegion, before: Header, after: Header): void {
  console.log(`--- ${file} (before)\n+++ ${file} (after)`);
  for (const line of diffHunks(headerDiff(before, after, region.backingName?.bytes))) {
    const text = `${line.op} ${line.text}`;
    console.log(line.op === "-" ? yellow(text) : line.op === "+" ? green(text) : text);
  }
}

/** Where the edit saves its undo file, or undefined with --no-undo. */
function undoPath(path: string, options: EditOptions): string | undefined {
  if (options.undo === false) return undefined;
  return options.undoFile ?? defaultUndoPath(path);
}

/** How to put the old header back, for a message about an image that may have changed. */
function restoreHint(path: string, undo: string | undefined): string {
  if (undo === undefined) return "no undo file was kept (--no-undo)";
  const option = undo === defaultUndoPath(path) ? "" : ` --undo-file ${shown(undo)}`;
  return `\`binschema restore ${shown(path)}${option}\` puts the old header back`;
}

/** A failed write as one line: what failed, and what the image holds now. */
function writeFailure(path: string, error: RegionWriteError, undo: string | undefined): never {
  const file = shown(path);
  const reason = reasonOf(error.reason);
  const restore = restoreHint(path, undo);
  const state = {
    unchanged: "the image is unchanged",
    written: `the new header was written but may not be on disk; ${restore}`,
    "partly written": `the header region is partly written and the image may not open; ${restore}`,
    unknown: `the image may have changed; ${restore}`,
  }[error.step === "sync" ? "written" : error.state];
  const what =
    error.step === "sync" ? "cannot sync the new header to disk" : "cannot write the header";
  throw new CommandError(`${file}: ${what}: ${reason}; ${state}`, EXIT.usage);
}

/**
 * Saves the undo file, writes the plan, reads the region back and checks it
 * holds the header written. Every failure is one line saying whether the
 * image changed.
 */
function commit(
  path: string,
  fd: number,
  region: HeaderRegion,
  planned: RegionPlan,
  undo: string | undefined,
  edit: string,
): HeaderRegion {
  const file = shown(path);
  if (undo !== undefined) {
    try {
      saveUndo(undo, {
        image: path,
        edit,
        offset: 0,
        before: bytesReplaced(region, planned),
        after: planned.bytes,
      });
    } catch (error) {
      throw new CommandError(
        `${file}: cannot save the undo file ${shown(undo)}: ${reasonOf(error)}; ` +
          "the image is untouched (give another place with --undo-file PATH, or none with --no-undo)",
        EXIT.usage,
      );
    }
  }
  try {
    writeRegion(fd, region, planned);
  } catch (error) {
    if (error instanceof RegionWriteError) writeFailure(path, error, undo);
    throw error;
  }
  let written: HeaderRegion;
  try {
    written = readHeaderRegion(fd);
  } catch (error) {
    throw new CommandError(
      `${file}: wrote the new header but cannot read it back: ${reasonOf(error)}; ` +
        restoreHint(path, undo),
      EXIT.usage,
    );
  }
  if (written.decoded instanceof CodecError || !equal(written.decoded.value, planned.after)) {
    throw new CommandError(
      `${file}: the header read back differs from the one written; ${restoreHint(path, undo)}`,
      EXIT.usage,
    );
  }
  const saved = undo === undefined ? "" : `; the old header is saved in ${shown(undo)}`;
  console.log(
    `${file}: wrote ${planned.bytes.length} bytes at offset 0 ` +
      `(header region ${planned.regionEnd} of at most ${planned.limit}) and synced${saved}`,
  );
  return written;
}

/** Prints check's verdict on the edited region, and says so when the edit breaks the image. */
function printVerdict(file: string, region: HeaderRegion, dryRun: boolean, undo: string): void {
  const findings = checkRegion(region);
  for (const line of reportLines(file, findings)) console.log(`check: ${line}`);
  if (findings.some((f) => f.severity !== "warning")) {
    console.log(
      `${file}: note: the ${dryRun ? "edit would leave" : "edit leaves"} the image failing check; ` +
        `that is what was asked (${undo})`,
    );
  }
}

/**
 * Locks, reads, edits, plans, prints and (unless --dry-run) writes: the
 * whole read–modify–write under QEMU's locks. `what` names the edit in the
 * undo file. Returns the exit status.
 */
function runEdit(path: string, options: EditOptions, what: string, edit: Edit): number {
  const dryRun = options.dryRun === true;
  const undo = undoPath(path, options);
  return withImage(path, !dryRun, (fd) => {
    const file = shown(path);
    if (dryRun) noteWriter(path);
    else lockImage(path, fd, options);
    const region = loadRegion(path, fd);
    const before = decodedHeader(path, region, "edit it");
    guardState(path, before, options.force === true);
    const [edited, planned] = plan(path, region, before, edit);
    for (const note of edited.notes ?? []) console.log(`${file}: ${note}`);
    if (equal(before, planned.after)) {
      console.log(`${file}: no change to the header; nothing written`);
      return EXIT.ok;
    }
    printDiff(file, region, before, planned.after);
    if (dryRun) {
      console.log(`${file}: dry run: ${planned.regionEnd} bytes of header region not written`);
      printVerdict(file, regionAfter(region, planned), true, "undo it with the opposite edit");
    } else {
      const written = commit(path, fd, region, planned, undo, what);
      const how = undo === undefined ? "undo it with the opposite edit" : restoreHint(path, undo);
      printVerdict(file, written, false, how);
    }
    return EXIT.ok;
  });
}

/** Parses `--data` hex: pairs of hex digits, spaces and colons allowed between them. */
function parseHex(text: string): Uint8Array {
  const digits = text.replace(/^0x/i, "").replace(/[\s:]/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) {
    throw new CommandError(`add-ext: --data ${text} is not hex bytes (e.g. 01ff02)`, EXIT.usage);
  }
  return new Uint8Array(Buffer.from(digits, "hex"));
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

/** Resolves names given on the command line; an unknown one is a usage error. */
function usage<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof FieldError) throw new CommandError(error.message, EXIT.usage);
    throw error;
  }
}

type Run = (work: () => Promise<number>) => void;

function editCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option("--force", "edit even when the image is marked dirty or corrupt")
    .option("--dry-run", "print the difference and the check verdict; write nothing")
    .option(
      "--wait <seconds>",
      "when QEMU or another edit holds the image, try again for this long instead of refusing",
    )
    .option(
      "--no-lock",
      "write without taking QEMU's image locks (only when nothing else uses the image)",
    )
    .option(
      "--undo-file <path>",
      "where to save the old header region for `binschema restore` (default: IMAGE.binschema-undo)",
    )
    .option("--no-undo", "save no undo file");
}

export function registerEdits(program: Command, run: Run): void {
  editCommand(
    program,
    "set",
    "set a header field, by its schema name, to a value parsed by the field's type",
  )
    .argument("<image>", "qcow2 image file")
    .argument("<field>", "e.g. size, cluster_bits, additional.refcount_order, lazy_refcounts")
    .argument("<value>", "e.g. 134217728, 0x8000000, Zstd, true, (Unknown 7); () for the default")
    .action((image: string, field: string, value: string, options: EditOptions) =>
      run(async () =>
        runEdit(
          image,
          options,
          `set ${field} ${value}`,
          usage(() => setEdit(field, value)),
        ),
      ),
    );

  editCommand(program, "set-feature", "set (or with --clear, clear) a feature bit")
    .argument("<image>", "qcow2 image file")
    .argument("<group>", FEATURE_GROUPS.join(", "))
    .argument("<bit>", "bit number 0-63, or a name: dirty, lazy_refcounts, bitmaps, ...")
    .option("--clear", "clear the bit instead of setting it")
    .action(
      (image: string, group: string, bit: string, options: EditOptions & { clear?: boolean }) =>
        run(async () => {
          const edit = usage(() => {
            if (!(FEATURE_GROUPS as readonly string[]).includes(group)) {
              throw new FieldError(
                `unknown feature group ${group}; use one of ${FEATURE_GROUPS.join(", ")}`,
              );
            }
            const g = group as FeatureGroup;
            return setFeatureEdit(g, resolveBit(g, bit), options.clear === true);
          });
          const what = `set-feature ${group} ${bit}${options.clear === true ? " --clear" : ""}`;
          return runEdit(image, options, what, edit);
        }),
    );

  editCommand(program, "add-ext", "add a header extension after the others")
    .argument("<image>", "qcow2 image file")
    .argument("<type>", "type number (e.g. 0x12345678) or name (bitmaps, backing-format, ...)")
    .option("--data <hex>", "the payload in hex")
    .option("--file <file>", "read the payload from a file")
    .action(
      (image: string, type: string, options: EditOptions & { data?: string; file?: string }) =>
        run(async () => {
          if ((options.data === undefined) === (options.file === undefined)) {
            throw new CommandError(
              "add-ext: give exactly one of --data HEX and --file F",
              EXIT.usage,
            );
          }
          const tag = usage(() => parseExtensionType(type));
          const payload =
            options.data !== undefined ? parseHex(options.data) : readPayload(options.file ?? "");
          return runEdit(image, options, `add-ext ${type}`, addExtEdit(tag, payload));
        }),
    );

  editCommand(program, "del-ext", "delete every header extension of a type")
    .argument("<image>", "qcow2 image file")
    .argument("<type>", "type number (e.g. 0x12345678) or name (bitmaps, backing-format, ...)")
    .action((image: string, type: string, options: EditOptions) =>
      run(async () =>
        runEdit(
          image,
          options,
          `del-ext ${type}`,
          delExtEdit(usage(() => parseExtensionType(type))),
        ),
      ),
    );

  editCommand(
    program,
    "set-backing-format",
    "set the backing file format (adding the extension if needed)",
  )
    .argument("<image>", "qcow2 image file")
    .argument("<name>", "format name, e.g. qcow2 or raw")
    .action((image: string, name: string, options: EditOptions) =>
      run(async () =>
        runEdit(image, options, `set-backing-format ${name}`, setBackingFormatEdit(name)),
      ),
    );
}

function readPayload(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CommandError(`${shown(file)}: cannot read the payload: ${reason}`, EXIT.usage);
  }
}
