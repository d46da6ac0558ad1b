/**
 * Bytes a codec keeps where the specification says zero but readers accept
 * anything (schema `keep` constructs): a value holds them only when they are
 * odd, so a kept value that is all zeros, or of the wrong size, could not
 * come back from a read and is not written.
 */
import { isByteString } from "./bytes.js";

/** Why `v` cannot be written as `size` kept bytes, or undefined if it can. */
export function keptBytesProblem(v: unknown, size: number): string | undefined {
  if (!isByteString(v)) return "expected a byte string (characters U+0000 to U+00FF)";
  if (v.length !== size) return `is ${v.length} bytes; it keeps exactly the ${size} bytes there`;
  if (!/[^\0]/.test(v)) return "is all zeros; leave it out for zero bytes";
  return undefined;
}

/**
 * Why `v` cannot be written as the tail after a string's NUL, with `room`
 * bytes after the terminator, or undefined if it can. A tail ends with its
 * last non-zero byte.
 */
export function keptTailProblem(v: unknown, room: number): string | undefined {
  if (!isByteString(v)) return "expected a byte string (characters U+0000 to U+00FF)";
  if (v.length === 0 || v.charCodeAt(v.length - 1) === 0)
    return "must end with a non-zero byte; leave it out when the bytes after the NUL are zero";
  if (v.length > room)
    return `is ${v.length} bytes; only ${room} follow the string's terminating NUL`;
  return undefined;
}

/** The index just past the last non-zero byte of [start, end), or -1 if all are zero. */
export function lastNonZeroEnd(buf: Uint8Array, start: number, end: number): number {
  for (let i = end; i > start; i--) if (buf[i - 1] !== 0) return i;
  return -1;
}
