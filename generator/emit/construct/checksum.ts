/**
 * Checksums over the bytes of the enclosing record, the checksum field
 * itself taken as zero (so computing one never modifies the buffer): read
 * verifies once the record's extent is known, write fills it in last.
 */
import { exprText } from "../../expr.js";
import type { ChecksumAlgorithm, ChecksumField } from "../../model.js";
import { prop, str, templateText, type Code, type Locals } from "../code.js";
import { emitExpr } from "../expr.js";
import { writeInt } from "../layout.js";
import type { SequenceReader } from "../read.js";
import type { CheckWalker } from "../write.js";
import { keptProperty } from "./padding-keep.js";

const FUNCTION: Record<ChecksumAlgorithm, string> = {
  crc32: "crc32",
  crc32c: "crc32c",
  // The CRC register without the final inversion, as ext4 stores it.
  "crc32c-raw": "crc32c",
  "ones-complement-sum": "onesComplementSum32",
};

/** The call computing `algorithm` over the runtime arguments `args` (`buf, from, to`, …). */
export function checksumCall(algorithm: ChecksumAlgorithm, args: string): string {
  const call = `${FUNCTION[algorithm]}(${args})`;
  return algorithm === "crc32c-raw" ? `~${call} >>> 0` : call;
}

/** Where the bytes a checksum covers end: the record's end, or the field itself. */
function coveredEnd(m: ChecksumField, end: string, fieldAt: string): string {
  return m.covers === "before" ? fieldAt : end;
}

/**
 * Code computing the checksum of [start, end) with the field at `fieldAt`
 * taken as zero, or of [start, fieldAt) for `covers: before`.
 */
export function checksumOf(m: ChecksumField, start: string, end: string, fieldAt: string): string {
  return checksumCall(
    m.algorithm,
    m.covers === "before"
      ? `buf, ${start}, ${fieldAt}`
      : `buf, ${start}, ${end}, ${fieldAt}, ${fieldAt} + ${m.type.bits / 8}`,
  );
}

/**
 * Read: after the record, each checksum read is compared with the one
 * computed over bytes `at` to `end`, the field taken as zero.
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
): void {
  for (const c of checksums) {
    const computed = locals.fresh(`${c.field.name}_computed`);
    const check = [
      `const ${computed} = ${checksumOf(c.field, "at", end, c.at)};`,
      `if (${c.value} !== ${computed}) return new CodecError(${str(c.field.name)}, ${c.at}, \`is \${hex(${c.value}, 8)}, but the ${c.field.algorithm} of bytes \${at} to \${${coveredEnd(c.field, end, c.at)}} is \${hex(${computed}, 8)}\`);`,
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
  r.props.push(keptProperty(m.keep, kept));
  return [
    `const ${kept} = ${applies} || ${value} === 0 ? undefined : getBytes(buf, ${at}, ${at} + ${size});`,
  ];
}

/** The property keeping a checksum's bytes while it is not a checksum. */
export function checksumKeepProperty(
  m: ChecksumField,
  name: string,
): { name: string; type: string; docs: string[]; hasQuestionToken: boolean } {
  return {
    name,
    type: "string",
    hasQuestionToken: true,
    docs: [
      `The ${m.type.bits / 8} bytes of ${m.name} while it is not a checksum (${exprText(m.when!)} does not hold), one character per byte, present only when some byte is not zero.`,
    ],
  };
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

/** Write: each checksum over bytes `at` to `end`, stored last, once everything else is written. */
export function fillChecksums(
  checksums: readonly { field: ChecksumField; at: string; applies: string | undefined }[],
  end: string,
  code: Code,
): void {
  for (const c of checksums) {
    const fill = writeInt(c.field.type, c.at, checksumOf(c.field, "at", end, c.at));
    code.line(c.applies === undefined ? fill : `if (${c.applies}) ${fill}`);
  }
}
