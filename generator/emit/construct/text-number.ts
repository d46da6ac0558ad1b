/**
 * Integers stored as ASCII digits (`text: octal`, tar's sizes and times).
 * `read` accepts one spelling per value, the canonical one (zero-filled
 * digits then the terminator) — or, with `keep: NAME`, any spelling the
 * runtime's parseTextNumber accepts, keeping a non-canonical one's bytes in
 * the optional property NAME so that it writes back as it was read. `write`
 * spells the value canonically unless NAME holds a spelling of it. With
 * `base256`, a value too large for the digits is spelt in GNU tar's
 * base-256 form instead (and only such a value: a small one in that form is
 * a spelling to keep).
 */
import type { IntType, NumberText } from "../../model.js";
import { baseName, digitsMax, numberDigits, textNumberMax } from "../../model.js";
import { str } from "../code.js";
import { keptStringProperty, type KeptProperty } from "./padding-keep.js";

/** "zero-filled octal digits then \"\\0\"", for error messages. */
function canonicalText(s: NumberText): string {
  return `${numberDigits(s)} zero-filled ${baseName(s.base)} digits then ${JSON.stringify(s.terminator)}`;
}

/** The property keeping a non-canonical spelling, for the record's interface. */
export function keptSpellingProperty(field: string, name: string, s: NumberText): KeptProperty {
  return keptStringProperty(
    name,
    `The bytes of ${field} as stored (one character per byte), present only when they are not its canonical spelling (${canonicalText(s)}).`,
  );
}

/**
 * Reading into `target` (a declaration or assignment) the number at
 * [at, end); `local` names its value, `kept` the local for a kept spelling.
 */
export function readTextNumber(
  int: IntType,
  s: NumberText,
  at: string,
  end: string,
  target: string,
  raw: string,
  path: string,
  kept: string | undefined,
): string[] {
  const max = textNumberMax(int, s);
  const terminator = str(s.terminator);
  // A base-256 spelling is the canonical one exactly when the digits cannot hold the value.
  const binary = `buf[${at}] === 0x80`;
  const canonical = (test: string): string =>
    s.base256 ? `(${binary} ? ${raw} > ${digitsMax(s)} : ${test})` : test;
  const lines = [
    s.base256
      ? `const ${raw} = ${binary} ? parseBase256(buf, ${at}, ${end}) : parseTextNumber(buf, ${at}, ${end}, ${s.base});`
      : `const ${raw} = parseTextNumber(buf, ${at}, ${end}, ${s.base});`,
    `if (${raw} < 0 || ${raw} > ${max}) return new CodecError(${str(path)}, ${at}, ${raw} === -1 ? \`\${describe(getBytes(buf, ${at}, ${end}))} is not ${baseName(s.base)} digits padded with spaces or NULs\` : \`\${describe(getBytes(buf, ${at}, ${end}))} is more than ${max}\`);`,
  ];
  if (kept === undefined)
    lines.push(
      `if (!${canonical(`isCanonicalNumber(buf, ${at}, ${end}, ${s.base}, ${raw}, ${terminator})`)}) return new CodecError(${str(path)}, ${at}, \`\${describe(getBytes(buf, ${at}, ${end}))} is not spelt the one way this field is read (${canonicalText(s).replace(/[`$\\]/g, "\\$&")})\`);`,
    );
  else
    lines.push(
      `const ${kept} = ${canonical(`isCanonicalNumber(buf, ${at}, ${end}, ${s.base}, ${raw}, ${terminator})`)} ? undefined : getBytes(buf, ${at}, ${end});`,
    );
  lines.push(`${target} = ${int.bits === 64 ? `BigInt(${raw})` : raw};`);
  return lines;
}

/** Checking a value `acc` before a write: in range for its digits. */
export function checkTextNumberValue(int: IntType, s: NumberText, acc: string): string {
  const max = textNumberMax(int, s);
  return int.bits === 64
    ? `typeof ${acc} === "bigint" && ${acc} >= 0n && ${acc} <= ${max}n`
    : `Number.isInteger(${acc}) && ${acc} >= 0 && ${acc} <= ${max}`;
}

/** "an integer from 0 to 2097151 (7 octal digits)", for error messages. */
export function textNumberRange(int: IntType, s: NumberText): string {
  const form = s.base256 ? `, or base-256 in ${s.size} bytes` : "";
  return `${int.bits === 64 ? "a bigint" : "an integer"} from 0 to ${textNumberMax(int, s)} (${numberDigits(s)} ${baseName(s.base)} digits${form})`;
}

/** Checking a kept spelling `kept` of value `acc` before a write. */
export function checkKeptSpelling(
  int: IntType,
  s: NumberText,
  acc: string,
  kept: string,
  path: string,
): string[] {
  const value = int.bits === 64 ? `Number(${acc})` : acc;
  const p = str(path);
  const binary = `${kept}.charCodeAt(0) === 0x80`;
  const parsed = s.base256
    ? `(${binary} ? parseBase256Text(${kept}) : parseTextNumberText(${kept}, ${s.base}))`
    : `parseTextNumberText(${kept}, ${s.base})`;
  const canonical = `isCanonicalNumberText(${kept}, ${s.base}, ${value}, ${str(s.terminator)})`;
  return [
    `if (${kept} !== undefined) {`,
    `  if (!isByteString(${kept}) || ${kept}.length !== ${s.size}) return invalid(${p}, "a byte string of ${s.size} bytes", ${kept});`,
    `  if (${parsed} !== ${value}) return new CodecError(${p}, undefined, \`\${describe(${kept})} does not spell \${${acc}}; drop it when changing the value\`);`,
    `  if (${s.base256 ? `${binary} ? ${value} > ${digitsMax(s)} : ${canonical}` : canonical}) return new CodecError(${p}, undefined, "is the canonical spelling; leave it out");`,
    "}",
  ];
}

/** Writing value `acc` (or its kept spelling) at [at, end). */
export function writeTextNumberCode(
  int: IntType,
  s: NumberText,
  acc: string,
  at: string,
  end: string,
  kept: string | undefined,
): string {
  const value = int.bits === 64 ? `Number(${acc})` : acc;
  const digits = `writeTextNumber(buf, ${at}, ${end}, ${s.base}, ${value}, ${str(s.terminator)});`;
  const write = s.base256
    ? `if (${value} > ${digitsMax(s)}) writeBase256(buf, ${at}, ${end}, ${value}); else ${digits}`
    : digits;
  return kept === undefined
    ? write
    : `if (${kept} !== undefined) setBytes(buf, ${at}, ${kept}); else ${write}`;
}
