/**
 * QEMU's image locks, so that an edit and a running QEMU (a VM, qemu-nbd,
 * qemu-storage-daemon, qemu-img) never write the same image at once.
 *
 * QEMU (block/file-posix.c) expresses what a user of an image does and
 * allows with one-byte shared locks on the image file: byte 100 + n while it
 * holds permission n, byte 200 + n while it does not let others hold it. To
 * open, it takes its locks and then tests, for each permission it holds,
 * that nobody locks 200 + n, and for each it denies, that nobody locks
 * 100 + n. The locks are open-file-description locks (F_OFD_SETLK), which
 * also conflict with POSIX record locks, and go away when the file is
 * closed, however the process ends.
 *
 * An edit takes what `qemu-img amend` takes on the file: consistent read,
 * write and resize, denying write and resize to others. So an image a QEMU
 * process holds, read-write or read-only, is refused, and while an edit
 * holds its locks QEMU cannot open the image without force-share (-U). Two
 * edits of one image exclude each other the same way.
 *
 * The lock calls come from fs-native-extensions (one fcntl each, prebuilt
 * for each platform). It has no F_OFD_GETLK, so a test takes an exclusive
 * lock on the byte and gives it back at once (downgrading the shared lock
 * the edit holds there, or unlocking); a QEMU opening in those microseconds
 * may be refused, as when two QEMUs race.
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";

type LockCalls = typeof import("fs-native-extensions");
let loaded: LockCalls | undefined;

/** The lock library, loaded when first needed, so that a platform it has no binary for fails here alone. */
function lockCalls(): LockCalls {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)("fs-native-extensions") as LockCalls;
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new LockUnavailable(`cannot take QEMU's image locks (fs-native-extensions: ${reason})`);
    }
  }
  return loaded;
}

/** QEMU's permissions, by bit number, as its lock messages name them (block.c bdrv_perm_names). */
export const PERMISSIONS = ["consistent read", "write", "write unchanged", "resize"] as const;
const CONSISTENT_READ = 0;
const WRITE = 1;
const RESIZE = 3;

/** block/file-posix.c RAW_LOCK_PERM_BASE and RAW_LOCK_SHARED_BASE. */
export const PERM_BASE = 100;
export const SHARED_BASE = 200;

/** What an edit holds and denies: as `qemu-img amend` on the image file. */
const HELD = [CONSISTENT_READ, WRITE, RESIZE];
const DENIED = [WRITE, RESIZE];

/** Another process holds the image in a way an edit cannot share; nothing was written. */
export class LockConflict extends Error {
  constructor(
    /** QEMU's wording: `Failed to get "write" lock`, `Failed to get shared "write" lock`. */
    readonly qemuMessage: string,
  ) {
    super(`${qemuMessage}: another process is using the image (QEMU, or another edit)`);
  }
}

/** The file system or platform cannot lock byte ranges. */
export class LockUnavailable extends Error {}

/** Locks held on an open image; closing the file releases them too. */
export interface ImageLock {
  release(): void;
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** tryLock, with errors other than a conflict reported as LockUnavailable. */
function take(fd: number, byte: number, shared: boolean): boolean {
  try {
    return lockCalls().tryLock(fd, byte, 1, { shared });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LockUnavailable(
      `cannot take QEMU's image locks (${errnoCode(error) === "EINVAL" ? "byte-range locks are not supported here" : reason})`,
    );
  }
}

/** True when a lock of another holder covers `byte`; leaves this descriptor's locks as they were. */
function heldByOther(fd: number, byte: number, holdingShared: boolean): boolean {
  if (!take(fd, byte, false)) return true;
  if (holdingShared) lockCalls().tryDowngradeLock(fd, byte, 1);
  else lockCalls().unlock(fd, byte, 1);
  return false;
}

/**
 * Takes an edit's locks on the image open (read-write) as `fd`, for the
 * whole read–modify–write. Throws {@link LockConflict} (holding nothing)
 * when a QEMU process or another edit holds the image.
 */
export function lockForEdit(fd: number): ImageLock {
  const bytes = [...HELD.map((n) => PERM_BASE + n), ...DENIED.map((n) => SHARED_BASE + n)];
  const taken: number[] = [];
  const release = (): void => {
    for (const byte of taken) lockCalls().unlock(fd, byte, 1);
    taken.length = 0;
  };
  const refuse = (message: string): never => {
    release();
    throw new LockConflict(message);
  };
  try {
    for (const [i, byte] of bytes.entries()) {
      // Only a test in progress holds one of these bytes exclusively.
      if (!take(fd, byte, true)) {
        const n = i < HELD.length ? HELD[i]! : DENIED[i - HELD.length]!;
        refuse(`Failed to get "${PERMISSIONS[n]}" lock`);
      }
      taken.push(byte);
    }
    for (const n of HELD) {
      if (heldByOther(fd, SHARED_BASE + n, DENIED.includes(n))) {
        refuse(`Failed to get "${PERMISSIONS[n]}" lock`);
      }
    }
    for (const n of DENIED) {
      if (heldByOther(fd, PERM_BASE + n, HELD.includes(n))) {
        refuse(`Failed to get shared "${PERMISSIONS[n]}" lock`);
      }
    }
  } catch (error) {
    release();
    throw error;
  }
  return { release };
}

/** Sleeps without returning to the event loop (the edits are synchronous). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * {@link lockForEdit}, trying again for up to `waitMs` while the image is
 * held (another edit finishes in milliseconds; QEMU holds it until it
 * closes the image). The pauses are random, so two edits that keep meeting
 * part.
 */
export function lockForEditWaiting(fd: number, waitMs: number): ImageLock {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return lockForEdit(fd);
    } catch (error) {
      if (!(error instanceof LockConflict) || Date.now() >= deadline) throw error;
      sleep(Math.min(10 + Math.random() * 40, Math.max(1, deadline - Date.now())));
    }
  }
}

/**
 * Whether another process holds the image with write permission (QEMU's
 * lock on byte 101), read from /proc/locks so that a read-only look at the
 * image takes no lock at all. Undefined where /proc/locks cannot be read.
 */
export function writerHolds(path: string): boolean | undefined {
  let table: string;
  let id: string;
  try {
    const st = statSync(path, { bigint: true });
    const major = ((st.dev >> 8n) & 0xfffn) | ((st.dev >> 32n) & ~0xfffn);
    const minor = (st.dev & 0xffn) | ((st.dev >> 12n) & ~0xffn);
    const hex2 = (n: bigint): string => n.toString(16).padStart(2, "0");
    id = `${hex2(major)}:${hex2(minor)}:${st.ino}`;
    table = readFileSync("/proc/locks", "utf8");
  } catch {
    return undefined;
  }
  const byte = BigInt(PERM_BASE + WRITE);
  // "1: OFDLCK ADVISORY  READ -1 fe:00:2147628 100 101" (the end may be EOF).
  return table.split("\n").some((line) => {
    const fields = line.trim().split(/\s+/);
    const at = fields.indexOf(id);
    if (at < 0 || fields.length < at + 3) return false;
    const start = BigInt(fields[at + 1]!);
    const end = fields[at + 2] === "EOF" ? undefined : BigInt(fields[at + 2]!);
    return start <= byte && (end === undefined || byte <= end);
  });
}
