/**
 * Checksums over the bytes of the enclosing record or group, the checksum
 * field itself taken as zero — or, for one stored as text (tar's), as
 * spaces — so computing one never modifies the buffer: read verifies once
 * the record's (or group's) extent is known, write fills it in last.
 */
import type { ChecksumField } from "../../model.js";
import { intSize } from "../../model.js";
import { str, type Code, type Locals } from "../code.js";
import { writeInt } from "../layout.js";

const FUNCTION: Record<ChecksumField["algorithm"], string> = {
  crc32: "crc32",
  crc32c: "crc32c",
  "ones-complement-sum": "onesComplementSum32",
  "byte-sum": "sumOfBytes",
};

/** Bytes the checksum field takes. */
function fieldSize(m: ChecksumField): number {
  return m.text === undefined ? intSize(m.type) : m.text.size;
}

/** Code computing the checksum of [start, end) with the field at `fieldAt` taken as zero (or spaces). */
export function checksumOf(m: ChecksumField, start: string, end: string, fieldAt: string): string {
  const blank = m.text === undefined ? "" : ", 0x20";
  return `${FUNCTION[m.algorithm]}(buf, ${start}, ${end}, ${fieldAt}, ${fieldAt} + ${fieldSize(m)}${blank})`;
}

/**
 * Read: after the record (or group) starting at `start`, each checksum read
 * is compared with the one computed over bytes `start` to `end`, the field
 * taken as zero. A checksum stored as text must be spelt canonically.
 */
export function verifyChecksums(
  checksums: readonly { field: ChecksumField; value: string; at: string }[],
  end: string,
  code: Code,
  locals: Locals,
  start = "at",
  /** The path of the group the checksums are in (`header.`), or "" for a record's. */
  prefix = "",
): void {
  for (const c of checksums) {
    const computed = locals.fresh(`${c.field.name}_computed`);
    code.line(`const ${computed} = ${checksumOf(c.field, start, end, c.at)};`);
    const t = c.field.text;
    if (t === undefined) {
      code.line(
        `if (${c.value} !== ${computed}) return new CodecError(${str(prefix + c.field.name)}, ${c.at}, \`is \${hex(${c.value}, 8)}, but the ${c.field.algorithm} of bytes \${${start}} to \${${end}} is \${hex(${computed}, 8)}\`);`,
      );
      continue;
    }
    const fieldEnd = `${c.at} + ${t.size}`;
    code.line(
      `if (!isCanonicalNumber(buf, ${c.at}, ${fieldEnd}, ${t.base}, ${computed}, ${str(t.terminator)})) return new CodecError(${str(prefix + c.field.name)}, ${c.at}, \`is \${describe(getBytes(buf, ${c.at}, ${fieldEnd}))}, but the ${c.field.algorithm} of bytes \${${start}} to \${${end}} is \${${computed}.toString(${t.base})}\`);`,
    );
  }
}

/** Write: each checksum over bytes `start` to `end`, stored last, once everything else is written. */
export function fillChecksums(
  checksums: readonly { field: ChecksumField; at: string }[],
  end: string,
  code: Code,
  start = "at",
): void {
  for (const c of checksums) {
    const value = checksumOf(c.field, start, end, c.at);
    const t = c.field.text;
    code.line(
      t === undefined
        ? writeInt(c.field.type, c.at, value)
        : `writeTextNumber(buf, ${c.at}, ${c.at} + ${t.size}, ${t.base}, ${value}, ${str(t.terminator)});`,
    );
  }
}
