/**
 * Checksums over the bytes of the enclosing record, the checksum field
 * itself taken as zero (so computing one never modifies the buffer): read
 * verifies once the record's extent is known, write fills it in last.
 */
import type { ChecksumField } from "../../model.js";

const FUNCTION: Record<ChecksumField["algorithm"], string> = {
  crc32: "crc32",
  crc32c: "crc32c",
  "ones-complement-sum": "onesComplementSum32",
};

/** Code computing the checksum of [start, end) with the field at `fieldAt` taken as zero. */
export function checksumOf(m: ChecksumField, start: string, end: string, fieldAt: string): string {
  return `${FUNCTION[m.algorithm]}(buf, ${start}, ${end}, ${fieldAt}, ${fieldAt} + ${m.type.bits / 8})`;
}
