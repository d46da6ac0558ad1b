/**
 * Undo files: before an edit writes an image's header region it saves the
 * bytes it will overwrite, with the bytes it will write, so that the edit
 * can be undone and a torn write (some of the new bytes on disk, some of
 * the old) can be told from an image changed since.
 *
 * The file is JSON, written to a temporary name, synced and renamed into
 * place (then the folder synced), so it is whole or absent, and always on
 * disk before the image is touched.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, resolve } from "node:path";

export const UNDO_FORMAT = "binschema-undo";
const VERSION = 1;

/** What an undo file holds. */
export interface Undo {
  /** The image, as an absolute path when saved. */
  readonly image: string;
  /** What the edit was, e.g. `set size 2G`. */
  readonly edit: string;
  readonly offset: number;
  /** The bytes at `offset` before the edit, and the bytes it wrote there. */
  readonly before: Uint8Array;
  readonly after: Uint8Array;
}

/** An undo file that cannot be read or is not one. */
export class UndoFileError extends Error {}

/** Where an image's undo file goes unless a path is given: beside it. */
export function defaultUndoPath(image: string): string {
  return `${image}.binschema-undo`;
}

/** Saves `undo` at `path`, whole and synced, replacing any older one. Throws Node's I/O errors. */
export function saveUndo(path: string, undo: Undo): void {
  const text = `${JSON.stringify(
    {
      format: UNDO_FORMAT,
      version: VERSION,
      image: resolve(undo.image),
      edit: undo.edit,
      saved: new Date().toISOString(),
      offset: undo.offset,
      before: Buffer.from(undo.before).toString("base64"),
      after: Buffer.from(undo.after).toString("base64"),
    },
    null,
    2,
  )}\n`;
  const temporary = `${dirname(path)}/.${basename(path)}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o644);
  try {
    const bytes = Buffer.from(text, "utf8");
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncFolder(dirname(path));
}

/** Syncs a folder so a rename in it is on disk; some file systems cannot, which is no failure. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, "r");
    fsyncSync(fd);
  } catch {
    // A folder that cannot be opened or synced leaves the rename to the file system.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads an undo file; throws Node's I/O errors, or {@link UndoFileError} when it is not one. */
export function loadUndo(path: string): Undo {
  const text = readFileSync(path, "utf8");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UndoFileError("not a binschema undo file (not JSON)");
  }
  const d = doc as Record<string, unknown>;
  if (d.format !== UNDO_FORMAT) throw new UndoFileError("not a binschema undo file");
  if (d.version !== VERSION)
    throw new UndoFileError(`undo file version ${String(d.version)} is not known`);
  const bytes = (key: string): Uint8Array => {
    const value = d[key];
    if (typeof value !== "string") throw new UndoFileError(`the undo file has no ${key} bytes`);
    return new Uint8Array(Buffer.from(value, "base64"));
  };
  const before = bytes("before");
  const after = bytes("after");
  if (before.length !== after.length || before.length === 0) {
    throw new UndoFileError("the undo file's before and after bytes differ in length");
  }
  if (d.offset !== 0) throw new UndoFileError("the undo file's offset is not 0");
  return {
    image: typeof d.image === "string" ? d.image : "",
    edit: typeof d.edit === "string" ? d.edit : "",
    offset: 0,
    before,
    after,
  };
}

/** How the bytes an undo file covers stand on the image. */
export type UndoState =
  /** As before the edit: it never reached the disk, or was undone. */
  | "before"
  /** As the edit wrote them. */
  | "after"
  /** Each byte is the old or the new one, but they are mixed: a torn write. */
  | "torn"
  /** Some byte is neither: the image changed since. */
  | "changed";

/** Compares the image's bytes (read at the undo's offset) with the undo file. */
export function undoState(undo: Undo, current: Uint8Array): UndoState {
  if (current.length < undo.before.length) return "changed";
  let old = true;
  let neu = true;
  for (let i = 0; i < undo.before.length; i++) {
    const byte = current[i];
    const isOld = byte === undo.before[i];
    const isNew = byte === undo.after[i];
    if (!isOld && !isNew) return "changed";
    old &&= isOld;
    neu &&= isNew;
  }
  return old ? "before" : neu ? "after" : "torn";
}

/** Where the torn bytes are: the ranges [start, end) holding the new bytes where they differ from the old. */
export function tornRanges(undo: Undo, current: Uint8Array): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < undo.before.length; i++) {
    if (undo.before[i] === undo.after[i] || current[i] !== undo.after[i]) continue;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] === i) last[1] = i + 1;
    else ranges.push([i, i + 1]);
  }
  return ranges;
}
