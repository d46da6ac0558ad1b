/**
 * A region of a file, read and written in place, for any format: positioned
 * reads that stop at the end of the file, and a write of new bytes over old
 * ones with one positioned write and an fdatasync (as QEMU syncs images),
 * which on failure reads the region back to say what the file holds now.
 */
import { fdatasyncSync, readSync, writeSync } from "node:fs";

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export function readAt(fd: number, position: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** What a region holds after a failed write, as read back. */
export type WriteState =
  | "unchanged"
  | "written"
  /** Some of the new bytes reached the file and some did not. */
  | "partly written"
  /** The bytes could not be read back. */
  | "unknown";

/** A write of a region that failed, at the write or at the sync. */
export class RegionWriteError extends Error {
  constructor(
    readonly step: "write" | "sync",
    readonly reason: unknown,
    readonly state: WriteState,
  ) {
    super(`${step} failed: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

/** Reads back what a failed write left at `position`. */
function stateAfterFailure(
  fd: number,
  position: number,
  old: Uint8Array,
  bytes: Uint8Array,
): WriteState {
  let now: Uint8Array;
  try {
    now = readAt(fd, position, bytes.length);
  } catch {
    return "unknown";
  }
  const same = (a: Uint8Array): boolean =>
    a.length === now.length && a.every((byte, i) => byte === now[i]);
  return same(old) ? "unchanged" : same(bytes) ? "written" : "partly written";
}

/**
 * Writes `bytes` at `position` with one positioned write, then fdatasyncs.
 * `old` is what they replace (as read just before). On failure throws a
 * {@link RegionWriteError} saying what the file holds now. `fd` must be
 * open for reading and writing.
 */
export function writeAt(fd: number, position: number, bytes: Uint8Array, old: Uint8Array): void {
  let n: number;
  try {
    n = writeSync(fd, bytes, 0, bytes.length, position);
  } catch (error) {
    throw new RegionWriteError("write", error, stateAfterFailure(fd, position, old, bytes));
  }
  if (n !== bytes.length) {
    const short = new Error(`short write (${n} of ${bytes.length} bytes reported written)`);
    throw new RegionWriteError("write", short, stateAfterFailure(fd, position, old, bytes));
  }
  try {
    fdatasyncSync(fd);
  } catch (error) {
    // The new bytes are in the page cache, but may never reach the disk.
    throw new RegionWriteError("sync", error, "written");
  }
}
