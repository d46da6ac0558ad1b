/**
 * Padding kept (`keep: name` on a padding member of a fixed size): the
 * padding's bytes are read into the optional property `name` when any is
 * not zero, and written back from it; without it the padding is zeros.
 */
import type { PaddingMember } from "../../model.js";
import { str } from "../code.js";

type Kept = PaddingMember & { keep: string };

/** An optional byte-string property of a record's interface, for bytes kept only when odd. */
export interface KeptProperty {
  name: string;
  type: string;
  docs: string[];
  hasQuestionToken: boolean;
}

export function keptStringProperty(name: string, doc: string): KeptProperty {
  return { name, type: "string", hasQuestionToken: true, docs: [doc] };
}

export function paddingKeepProperty(m: PaddingMember, name: string): KeptProperty {
  return keptStringProperty(
    name,
    `The ${m.size} bytes of padding${m.cond === undefined ? "" : " (when present)"}, one character per byte, present only when some byte is not zero.`,
  );
}

/** Reading: `target` (a declaration or a local) gets the padding's bytes at [from, to) when not all zero. */
export function readKeptPaddingMember(target: string, from: string, to: string): string {
  return `${target} = findNonZero(buf, ${from}, ${to}) === -1 ? undefined : getBytes(buf, ${from}, ${to});`;
}

/** A kept property of a value being read: `name` is set to `value` when `present` holds. */
export interface KeptValue {
  name: string;
  present: string;
  value: string;
}

/** A kept property held in a local that is undefined when the bytes are ordinary. */
export function keptLocal(name: string, local: string): KeptValue {
  return { name, present: `${local} !== undefined`, value: local };
}

/** The object-literal part adding the kept property only when it is there (inside expressions). */
export function keptProperty(k: KeptValue): string {
  return `...(${k.present} ? { ${k.name === k.value ? k.name : `${k.name}: ${k.value}`} } : undefined)`;
}

/** Checking: a kept value must be exactly the padding's size and not all zero. */
export function checkKeptPaddingMember(m: Kept, acc: string, path: string): string[] {
  return [
    `if (${acc} !== undefined) {`,
    `  const why = keptBytesProblem(${acc}, ${m.size});`,
    `  if (why !== undefined) return new CodecError(${str(path)}, undefined, why);`,
    "}",
  ];
}

/**
 * Checking, once the fields are: kept bytes of conditional padding only
 * while it is there, that is while `field` (the one it follows) is.
 */
export function checkKeptPaddingPresent(acc: string, path: string, field: string): string {
  return `if (${acc} !== undefined && ${field} === undefined) return new CodecError(${str(path)}, undefined, "is set, but the padding it keeps is absent");`;
}

/** Writing: the kept bytes, or zeros. */
export function writeKeptPaddingMember(m: Kept, acc: string, at: string): string {
  return `if (${acc} !== undefined) setBytes(buf, ${at}, ${acc}); else buf.fill(0, ${at}, ${at} + ${m.size});`;
}
