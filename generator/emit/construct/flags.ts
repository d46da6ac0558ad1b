/**
 * Flags words: each named bit a boolean property, the other bits kept as
 * one number (or bigint, for 64-bit words, read as two 32-bit halves).
 */
import type { FlagsField } from "../../model.js";
import { intSize } from "../../model.js";
import { hexLiteral } from "../code.js";
import { readInt } from "../layout.js";
import type { SequenceReader } from "../read.js";

export function readFlags(r: SequenceReader, m: FlagsField, at: string): void {
  const bits = m.type.bits;
  if (bits === 64) {
    const [hiAt, loAt] =
      m.type.endian === "little" ? [`${r.cursor.at(4)}`, at] : [at, `${r.cursor.at(4)}`];
    const hi = r.locals.fresh(`${m.name}_hi`);
    const lo = r.locals.fresh(`${m.name}_lo`);
    const little = m.type.endian === "little";
    const le = little ? ", true" : "";
    r.code.line(`const ${hi} = view.getUint32(${hiAt}${le});`);
    r.code.line(`const ${lo} = view.getUint32(${loAt}${le});`);
    let hiMask = 0;
    let loMask = 0;
    for (const f of m.flags) {
      const word = f.bit >= 32 ? hi : lo;
      const mask = 2 ** (f.bit % 32);
      if (f.bit >= 32) hiMask += mask;
      else loMask += mask;
      r.code.line(
        `const ${r.locals.field(f.name)} = (${word} & ${hexLiteral(mask, false)}) !== 0;`,
      );
      r.props.push(r.propOf(f.name));
    }
    r.code.line(
      `const ${r.locals.field(m.unknown)} = unknownBits64(${hi}, ${lo}, ${hexLiteral(hiMask, false)}, ${hexLiteral(loMask, false)});`,
    );
  } else {
    const word = r.locals.fresh(m.name);
    r.code.line(`const ${word} = ${readInt({ ...m.type, signed: false }, at)};`);
    let mask = 0;
    for (const f of m.flags) {
      mask += 2 ** f.bit;
      r.code.line(
        `const ${r.locals.field(f.name)} = (${word} & ${hexLiteral(2 ** f.bit, false)}) !== 0;`,
      );
      r.props.push(r.propOf(f.name));
    }
    r.code.line(
      `const ${r.locals.field(m.unknown)} = (${word} & ~${hexLiteral(mask, false)}) >>> 0;`,
    );
  }
  r.props.push(r.propOf(m.unknown));
  r.cursor.advance(intSize(m.type));
}
