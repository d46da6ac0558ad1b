/**
 * Checksums over the bytes of the enclosing record or group, the checksum
 * field itself taken as zero — or, for one stored as text (tar's), as
 * spaces — or over the bytes before the field (`covers: before`), so
 * computing one never modifies the buffer: read verifies once the record's
 * (or group's) extent is known, write fills it in last.
 */
import { exprText } from "../../expr.js";
import type { ChecksumAlgorithm, ChecksumField } from "../../model.js";
import { intSize } from "../../model.js";
import { prop, str, templateText, type Code, type Locals } from "../code.js";
import { emitExpr } from "../expr.js";
import { writeInt } from "../layout.js";
import type { SequenceReader } from "../read.js";
import type { CheckWalker } from "../write.js";
import { keptLocal, keptStringProperty, type KeptProperty } from "./padding-keep.js";

// The 32-bit checksums come as signed integers, made unsigned here
// (`>>> 0`) for comparing, in the caller's own code: an unsigned one of 2^31
// and above returned by a call, or made in code not yet optimised, is a
// heap number, so each checksum checked would allocate. Written into a
// 32-bit field they stay signed: the stored bits are the same.
const FUNCTION: Record<ChecksumAlgorithm, string> = {
  crc32: "crc32Bits",
  crc32c: "crc32cBits",
  // The CRC register without the final inversion, as ext4 stores it.
  "crc32c-raw": "crc32cBits",
  "ones-complement-sum": "onesComplementSum32Bits",
  "byte-sum": "sumOfBytes",
};

/**
 * The call computing `algorithm` over the runtime arguments `args` (`buf,
 * from, to`, …): the unsigned checksum, or with `bits` (for storing in an
 * integer field) its 32 bits as a signed integer.
 */
export function checksumCall(algorithm: ChecksumAlgorithm, args: string, bits = false): string {
  const call = `${FUNCTION[algorithm]}(${args})`;
  if (algorithm === "byte-sum") return call;
  const value = algorithm === "crc32c-raw" ? `~${call}` : call;
  return bits ? value : `${value} >>> 0`;
}

/** Where the bytes a checksum covers end: the record's end, or the field itself. */
function coveredEnd(m: ChecksumField, end: string, fieldAt: string): string {
  return m.covers === "before" ? fieldAt : end;
}

/** Bytes the checksum field takes. */
function fieldSize(m: ChecksumField): number {
  return m.text === undefined ? intSize(m.type) : m.text.size;
}

/**
 * Code computing the checksum of [start, end) with the field at `fieldAt`
 * taken as zero (or spaces, for one stored as text), or of [start, fieldAt)
 * for `covers: before`.
 */
export function checksumOf(
  m: ChecksumField,
  start: string,
  end: string,
  fieldAt: string,
  bits = false,
): string {
  if (m.covers === "before") return checksumCall(m.algorithm, `buf, ${start}, ${fieldAt}`, bits);
  const blank = m.text === undefined ? "" : ", 0x20";
  return checksumCall(
    m.algorithm,
    `buf, ${start}, ${end}, ${fieldAt}, ${fieldAt} + ${fieldSize(m)}${blank}`,
    bits,
  );
}

/**
 * Read: after the record (or group) starting at `start`, each checksum read
 * is compared with the one computed over bytes `start` to `end` (or to the
 * field, for `covers: before`), the field taken as zero; only while it
 * applies, for one with `when`. A checksum stored as text must be spelt
 * canonically.
 */
export function verifyChecksums(
  checksums: readonly {
    field: ChecksumField;
    value: string;
    at: string;
    applies: string | undefined;
  }[],
  end: string,
  code: Code,
  locals: Locals,
  start = "at",
  /** The path of the group the checksums are in (`header.`), or "" for a record's. */
  prefix = "",
): void {
  for (const c of checksums) {
    const computed = locals.fresh(`${c.field.name}_computed`);
    const path = str(prefix + c.field.name);
    const over = `bytes \${${start}} to \${${coveredEnd(c.field, end, c.at)}}`;
    const t = c.field.text;
    const fieldEnd = t === undefined ? "" : `${c.at} + ${t.size}`;
    const check = [
      `const ${computed} = ${checksumOf(c.field, start, end, c.at)};`,
      t === undefined
        ? `if (${c.value} !== ${computed}) return new CodecError(${path}, ${c.at}, \`is \${hex(${c.value}, 8)}, but the ${c.field.algorithm} of ${over} is \${hex(${computed}, 8)}\`);`
        : `if (!isCanonicalNumber(buf, ${c.at}, ${fieldEnd}, ${t.base}, ${computed}, ${str(t.terminator)})) return new CodecError(${path}, ${c.at}, \`is \${describe(getBytes(buf, ${c.at}, ${fieldEnd}))}, but the ${c.field.algorithm} of ${over} is \${${computed}.toString(${t.base})}\`);`,
    ];
    if (c.applies === undefined) for (const line of check) code.line(line);
    else code.block(`if (${c.applies})`, (inner) => check.forEach((line) => inner.line(line)));
  }
}

/**
 * Read, for a checksum with `when`: while it does not apply, its bytes are
 * zero, or kept in its `keep` property when some is not.
 */
export function readUncheckedChecksum(
  r: SequenceReader,
  m: ChecksumField,
  value: string,
  applies: string,
  at: string,
): string[] {
  const size = m.type.bits / 8;
  if (m.keep === undefined)
    return [
      `if (!${applies} && ${value} !== 0) return new CodecError(${str(r.prefix + m.name)}, ${at}, \`is \${hex(${value}, 8)}, but it is a checksum only when ${templateText(exprText(m.when!))}; otherwise it must be zero\`);`,
    ];
  const kept = r.locals.field(m.keep);
  r.kept.push(keptLocal(m.keep, kept));
  return [
    `const ${kept} = ${applies} || ${value} === 0 ? undefined : getBytes(buf, ${at}, ${at} + ${size});`,
  ];
}

/** The property keeping a checksum's bytes while it is not a checksum. */
export function checksumKeepProperty(m: ChecksumField, name: string): KeptProperty {
  return keptStringProperty(
    name,
    `The ${m.type.bits / 8} bytes of ${m.name} while it is not a checksum (${exprText(m.when!)} does not hold), one character per byte, present only when some byte is not zero.`,
  );
}

/** Write, first pass: kept bytes are 4 bytes, not all zero, and only while the checksum does not apply. */
export function checkKeptChecksum(
  w: CheckWalker,
  m: ChecksumField & { keep: string },
  obj: string,
  prefix: string,
): void {
  const acc = prop(obj, m.keep);
  const path = prefix + m.keep;
  w.code.block(`if (${acc} !== undefined)`, (c) => {
    c.line(`const why = keptBytesProblem(${acc}, ${m.type.bits / 8});`);
    c.line(`if (why !== undefined) return new CodecError(${str(path)}, undefined, why);`);
    c.line(
      `if (${emitExpr(m.when!, w.resolve)}) ${w.fail(path, str(`is set, but ${m.name} is a checksum here (${exprText(m.when!)}), so it keeps nothing`))}`,
    );
  });
}

/** Write, in sequence, for a checksum with `when`: while it does not apply, its kept bytes or zeros. */
export function writeUncheckedChecksum(
  m: ChecksumField,
  applies: string,
  kept: string | undefined,
  at: string,
): string {
  const size = m.type.bits / 8;
  const fill = `buf.fill(0, ${at}, ${at} + ${size})`;
  return kept === undefined
    ? `if (!(${applies})) ${fill};`
    : `if (!(${applies})) { if (${kept} !== undefined) setBytes(buf, ${at}, ${kept}); else ${fill}; }`;
}

/** Write: each checksum over bytes `start` to `end`, stored last, once everything else is written. */
export function fillChecksums(
  checksums: readonly { field: ChecksumField; at: string; applies: string | undefined }[],
  end: string,
  code: Code,
  start = "at",
): void {
  for (const c of checksums) {
    const t = c.field.text;
    const value = checksumOf(c.field, start, end, c.at, t === undefined);
    const fill =
      t === undefined
        ? writeInt(c.field.type, c.at, value)
        : `writeTextNumber(buf, ${c.at}, ${c.at} + ${t.size}, ${t.base}, ${value}, ${str(t.terminator)});`;
    code.line(c.applies === undefined ? fill : `if (${c.applies}) ${fill}`);
  }
}
