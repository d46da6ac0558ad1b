/**
 * Magic byte strings (`magic: "conectix"`): compared in place on read
 * (nothing allocated unless they differ), copied on write.
 */
import type { MagicField } from "../../model.js";
import { str, templateText } from "../code.js";

/** Statement returning an error from a read function when the stored bytes are not the magic. */
export function readMagic(m: MagicField, at: string, end: string, path: string): string {
  return `if (!bytesEqual(buf, ${at}, ${end}, ${str(m.value)})) return new CodecError(${str(path)}, ${at}, \`expected ${templateText(JSON.stringify(m.value))}, got \${JSON.stringify(getBytes(buf, ${at}, ${end}))}\`);`;
}

export function writeMagic(m: MagicField, at: string): string {
  return `setBytes(buf, ${at}, ${str(m.value)});`;
}
