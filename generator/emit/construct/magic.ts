/**
 * Magic byte strings (`magic: "conectix"`): compared in place on read
 * (nothing allocated unless they differ), copied on write. Up to 16 bytes
 * are compared as big-endian words (`view.getUint32(at) !== 0x51454400`),
 * which V8 turns into a load and a compare; longer ones byte by byte.
 */
import type { MagicField } from "../../model.js";
import { str, templateText } from "../code.js";

const WORDWISE_LIMIT = 16;

/**
 * Statement returning an error from a read function when the stored bytes
 * are not the magic. `at(k)` is the expression for the magic's k-th byte.
 */
export function readMagic(m: MagicField, at: (k: number) => string, path: string): string {
  const start = at(0);
  const end = at(m.value.length);
  const differs =
    m.value.length <= WORDWISE_LIMIT
      ? wordsDiffer(m.value, at)
      : `!bytesEqual(buf, ${start}, ${end}, ${str(m.value)})`;
  return `if (${differs}) return new CodecError(${str(path)}, ${start}, \`expected ${templateText(JSON.stringify(m.value))}, got \${JSON.stringify(getBytes(buf, ${start}, ${end}))}\`);`;
}

/** `a !== x || b !== y ...` over the magic in 4-, 2- and 1-byte words. */
function wordsDiffer(magic: string, at: (k: number) => string): string {
  const tests: string[] = [];
  for (let k = 0; k < magic.length;) {
    const width = magic.length - k >= 4 ? 4 : magic.length - k >= 2 ? 2 : 1;
    let word = 0;
    for (let i = 0; i < width; i++) word = word * 256 + magic.charCodeAt(k + i);
    const literal = `0x${word.toString(16).padStart(width * 2, "0")}`;
    const load =
      width === 4
        ? `view.getUint32(${at(k)})`
        : width === 2
          ? `view.getUint16(${at(k)})`
          : `buf[${at(k)}]`;
    tests.push(`${load} !== ${literal}`);
    k += width;
  }
  return tests.join(" || ");
}

export function writeMagic(m: MagicField, at: string): string {
  return `setBytes(buf, ${at}, ${str(m.value)});`;
}
