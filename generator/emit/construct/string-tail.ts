/**
 * A fixed-size string's tail (`tail: name` on a `string` or string-enum
 * field): the bytes after the terminating NUL, up to the last non-zero one,
 * are read into the optional property `name` when any is not zero, and
 * written back after the NUL; without it they are zeros.
 */
import { str } from "../code.js";
import { keptStringProperty, type KeptProperty } from "./padding-keep.js";

export function stringTailProperty(field: string, name: string): KeptProperty {
  return keptStringProperty(
    name,
    `The bytes after ${field}'s terminating NUL, up to the last non-zero one (one character per byte), present only when some are not zero.`,
  );
}

/** Reading: `local` is the tail of the string whose NUL is at `nul`, in a field ending at `end`. */
export function readStringTail(local: string, nul: string, end: string): string {
  return `const ${local} = ${nul} + 1 >= ${end} ? -1 : lastNonZeroEnd(buf, ${nul} + 1, ${end});`;
}

/** The tail's value once `local` (from {@link readStringTail}) is known. */
export function tailValue(local: string, nul: string): string {
  return `${local} === -1 ? undefined : getBytes(buf, ${nul} + 1, ${local})`;
}

/** Checking: the tail must fit after the string and its NUL, and end with a non-zero byte. */
export function checkStringTail(acc: string, room: string, path: string): string[] {
  return [
    `if (${acc} !== undefined) {`,
    `  const why = keptTailProblem(${acc}, ${room});`,
    `  if (why !== undefined) return new CodecError(${str(path)}, undefined, why);`,
    "}",
  ];
}

/** Writing: the tail after the NUL at `nul` (the rest is already zero). */
export function writeStringTail(acc: string, nul: string): string {
  return `if (${acc} !== undefined) setBytes(buf, ${nul} + 1, ${acc});`;
}
