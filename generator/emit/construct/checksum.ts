/**
 * Checksums over the bytes of the enclosing record, the checksum field
 * itself taken as zero (so computing one never modifies the buffer): read
 * verifies once the record's extent is known, write fills it in last.
 */
import type { ChecksumField } from "../../model.js";
import { str, type Code, type Locals } from "../code.js";
import { writeInt } from "../layout.js";

const FUNCTION: Record<ChecksumField["algorithm"], string> = {
  crc32: "crc32",
  crc32c: "crc32c",
  "ones-complement-sum": "onesComplementSum32",
};

/** Code computing the checksum of [start, end) with the field at `fieldAt` taken as zero. */
export function checksumOf(m: ChecksumField, start: string, end: string, fieldAt: string): string {
  return `${FUNCTION[m.algorithm]}(buf, ${start}, ${end}, ${fieldAt}, ${fieldAt} + ${m.type.bits / 8})`;
}

/**
 * Read: after the record, each checksum read is compared with the one
 * computed over bytes `at` to `end`, the field taken as zero.
 */
export function verifyChecksums(
  checksums: readonly { field: ChecksumField; value: string; at: string }[],
  end: string,
  code: Code,
  locals: Locals,
): void {
  for (const c of checksums) {
    const computed = locals.fresh(`${c.field.name}_computed`);
    code.line(`const ${computed} = ${checksumOf(c.field, "at", end, c.at)};`);
    code.line(
      `if (${c.value} !== ${computed}) return new CodecError(${str(c.field.name)}, ${c.at}, \`is \${hex(${c.value}, 8)}, but the ${c.field.algorithm} of bytes \${at} to \${${end}} is \${hex(${computed}, 8)}\`);`,
    );
  }
}

/** Write: each checksum over bytes `at` to `end`, stored last, once everything else is written. */
export function fillChecksums(
  checksums: readonly { field: ChecksumField; at: string }[],
  end: string,
  code: Code,
): void {
  for (const c of checksums)
    code.line(writeInt(c.field.type, c.at, checksumOf(c.field, "at", end, c.at)));
}
