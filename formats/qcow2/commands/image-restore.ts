/**
 * `binschema restore IMAGE [--undo-file PATH] [--force]`: undoes the last
 * edit, putting back the header region its undo file saved. It holds QEMU's
 * image locks like an edit. It writes only when the image holds the bytes
 * the edit wrote, or a torn mix of those and the old ones; when the region
 * holds anything else the image changed since, and restore refuses (exit 1,
 * file untouched) unless --force. An image already as before is left alone.
 */
import { rmSync } from "node:fs";
import type { Command } from "commander";
import { RegionWriteError, readAt, writeHeaderBytes } from "../image.js";
import { UndoFileError, defaultUndoPath, loadUndo, undoState, type Undo } from "../undo.js";
import { lockImage, shown, withImage, type LockOptions } from "./image-common.js";
import { CommandError, EXIT, reasonOf } from "../../../program/commands/output.js";

export interface RestoreOptions extends LockOptions {
  undoFile?: string;
  force?: boolean;
}

function readUndo(path: string, undoPath: string): Undo {
  try {
    return loadUndo(undoPath);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    const reason = missing
      ? "no such file (an edit saves one unless --no-undo)"
      : error instanceof UndoFileError
        ? error.message
        : reasonOf(error);
    throw new CommandError(
      `${shown(path)}: cannot read the undo file ${shown(undoPath)}: ${reason}; the image is untouched`,
      EXIT.usage,
    );
  }
}

/** Runs the command; returns the exit status. */
export function runRestore(path: string, options: RestoreOptions): number {
  const undoPath = options.undoFile ?? defaultUndoPath(path);
  const undo = readUndo(path, undoPath);
  const file = shown(path);
  return withImage(path, true, (fd) => {
    lockImage(path, fd, options);
    let current: Uint8Array;
    try {
      current = readAt(fd, undo.offset, undo.before.length);
    } catch (error) {
      throw new CommandError(
        `${file}: cannot read the header: ${reasonOf(error)}; the file is untouched`,
        EXIT.usage,
      );
    }
    const state = undoState(undo, current);
    const edit = undo.edit === "" ? "the edit" : `\`${undo.edit}\``;
    if (state === "before") {
      console.log(`${file}: already holds the header from before ${edit}; nothing written`);
      return EXIT.ok;
    }
    if (state === "changed" && options.force !== true) {
      throw new CommandError(
        `${file}: refused: the image changed since ${edit} (its first ${undo.before.length} bytes ` +
          `are neither those ${shown(undoPath)} saved nor those the edit wrote); ` +
          "pass --force to put the old bytes back anyway; the file is untouched",
        EXIT.finding,
      );
    }
    try {
      writeHeaderBytes(fd, undo.before, current);
    } catch (error) {
      if (!(error instanceof RegionWriteError)) throw error;
      const now =
        error.step === "sync"
          ? "the old header was written but may not be on disk"
          : error.state === "unchanged"
            ? "the image is unchanged"
            : "the header region may be partly restored";
      throw new CommandError(
        `${file}: cannot restore the header: ${reasonOf(error.reason)}; ${now}; ` +
          `${shown(undoPath)} is kept, so run restore again`,
        EXIT.usage,
      );
    }
    const what = state === "torn" ? "repaired a torn write of" : "undid";
    console.log(
      `${file}: ${what} ${edit}: wrote the ${undo.before.length} bytes saved in ${shown(undoPath)} ` +
        "at offset 0 and synced",
    );
    try {
      rmSync(undoPath);
    } catch (error) {
      console.error(`${file}: note: cannot remove ${shown(undoPath)}: ${reasonOf(error)}`);
    }
    return EXIT.ok;
  });
}

export function registerRestore(
  program: Command,
  run: (work: () => Promise<number>) => void,
): void {
  program
    .command("restore")
    .description(
      "undo the last edit of a qcow2 image (or repair its torn write) from the undo file it saved",
    )
    .argument("<image>", "qcow2 image file")
    .option("--undo-file <path>", "the undo file (default: IMAGE.binschema-undo)")
    .option("--force", "restore even when the image changed since the edit")
    .option(
      "--wait <seconds>",
      "when QEMU or another edit holds the image, try again for this long instead of refusing",
    )
    .option(
      "--no-lock",
      "write without taking QEMU's image locks (only when nothing else uses the image)",
    )
    .action((image: string, options: RestoreOptions) =>
      run(async () => runRestore(image, options)),
    );
}
