// The part of fs-native-extensions (which ships no types) that the image
// locks use. On Linux each call is one fcntl with an open-file-description
// lock (F_OFD_SETLK) on `length` bytes at `offset`.
declare module "fs-native-extensions" {
  /** Takes a lock, exclusive unless `shared`; false when another holder conflicts (EAGAIN). */
  export function tryLock(
    fd: number,
    offset: number,
    length: number,
    options?: { shared?: boolean },
  ): boolean;
  /** Turns an exclusive lock this descriptor holds into a shared one. */
  export function tryDowngradeLock(fd: number, offset: number, length: number): boolean;
  export function unlock(fd: number, offset: number, length: number): void;
}
