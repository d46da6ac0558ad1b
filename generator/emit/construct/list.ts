/**
 * Lists of framed union entries, read up to the union's end marker, or up
 * to and including an entry of a `last` variant (PNG's IEND).
 */
import type { UnionDef, ValueField } from "../../model.js";
import { headerSize, lastVariants, lengthOffset, tagOffset, trailerSize } from "../../model.js";
import { hexLiteral, str, templateText } from "../code.js";
import { readInt, writeInt } from "../layout.js";
import type { SequenceReader } from "../read.js";
import { endsList, keepsEnd, needsEndMarker } from "./end-length.js";
import { hasTrailer, writeTrailer } from "./trailer.js";
import type { WriteWalker } from "../write.js";

const plus = (at: string, n: number): string => (n === 0 ? at : `${at} + ${n}`);

/** Code testing whether `entry` is of a variant that ends the list. */
function isLastEntry(union: UnionDef, entry: string): string {
  return lastVariants(union)
    .map((v) => `${entry}.kind === ${str(v.name)}`)
    .join(" || ");
}

export function readList(r: SequenceReader, m: ValueField, union: UnionDef, target: string): void {
  const local = r.locals.field(m.name);
  const header = headerSize(union);
  const tag = readInt(union.tag, plus("pos", tagOffset(union)));
  const length = readInt(union.length, plus("pos", lengthOffset(union)));
  const hasEnd = union.end !== undefined;
  r.settle();
  r.code.line(`${target}: ${union.name}[] = [];`);
  r.code.line("for (;;) {");
  // The well-formed end marker, checked here without a call; anything else
  // (entries, and malformed end markers) goes to the entry reader. An end
  // marker with a trailer goes there too, to have its checksum verified.
  if (union.end !== undefined && !hasTrailer(union)) {
    r.code.line(
      `  if (${r.limit} - pos >= ${header} && ${tag} === ${hexLiteral(union.end, false)} && ${length} === 0) {`,
    );
    if (r.trace)
      r.code.line(`    traceLeaf("(end)", "end marker", pos, pos + ${header}, undefined);`);
    r.code.line(`    pos += ${header};`);
    r.code.line("    break;");
    r.code.line("  }");
  }
  if (r.trace) r.code.line("  traceOpen();");
  r.code.line(`  const entry = parse${union.name}(buf, pos, ${r.limit});`);
  r.code.line(
    `  if (entry instanceof CodecError) return entry.within(\`${templateText(r.prefix + m.name)}[\${${local}.length}]\`);`,
  );
  if (r.trace)
    r.code.line(
      hasEnd
        ? `  traceClose(entry === undefined ? "(end)" : \`[\${${local}.length}]\`, entry === undefined ? "end marker" : \`${union.name} \${entry.kind}\`, pos, parsedEnd, entry);`
        : `  traceClose(\`[\${${local}.length}]\`, \`${union.name} \${entry.kind}\`, pos, parsedEnd, entry);`,
    );
  r.code.line("  pos = parsedEnd;");
  if (hasEnd) r.code.line("  if (entry === undefined) break;");
  r.code.line(`  ${local}.push(entry);`);
  if (keepsEnd(union)) r.code.line(`  ${endsList(union)}`);
  if (!hasEnd) r.code.line(`  if (${isLastEntry(union, "entry")}) break;`);
  r.code.line("}");
}

/** Write: each entry, then the end marker (its tag, a zero length, its trailer). */
export function writeList(w: WriteWalker, union: UnionDef, acc: string): void {
  w.settle();
  w.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) =>
    c.line(`pos = put${union.name}(${acc}[i]!, buf, pos);`),
  );
  // A list that ends on a `last` entry has no marker after it.
  if (union.end === undefined) return;
  const header = headerSize(union);
  const marker = [
    writeInt(union.tag, plus("pos", tagOffset(union)), hexLiteral(union.end, false)),
    writeInt(union.length, plus("pos", lengthOffset(union)), "0"),
    ...(hasTrailer(union) ? [writeTrailer(union, "pos", `pos + ${header}`)] : []),
    `pos += ${header + trailerSize(union)};`,
  ];
  // A kept end marker of non-zero length, if the list has one, is its last entry.
  if (keepsEnd(union))
    w.code.block(`if (${needsEndMarker(union, acc)})`, (c) => c.lines.push(...marker));
  else w.code.lines.push(...marker);
}

/**
 * Write's check of a list that ends on a `last` entry: there is one, at
 * the end, and no other (an earlier one would end the list on read).
 */
export function checkLastEntries(union: UnionDef, acc: string, path: string): string[] {
  const lasts = lastVariants(union);
  if (lasts.length === 0) return [];
  const names = lasts.map((v) => v.name).join(" or ");
  const what = `${/^[AEIOU]/.test(names) ? "an" : "a"} ${names} entry`;
  return [
    `if (${acc}.length === 0 || !(${isLastEntry(union, `${acc}[${acc}.length - 1]!`)})) return new CodecError(\`${path}\`, undefined, "must end with ${what}, which ends the list");`,
    `for (let i = 0; i < ${acc}.length - 1; i++) if (${isLastEntry(union, `${acc}[i]!`)}) return new CodecError(\`${path}[\${i}]\`, undefined, "${what} ends the list, so it can only be the last");`,
  ];
}
