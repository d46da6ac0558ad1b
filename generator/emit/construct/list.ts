/** Lists of framed union entries, read up to the union's end marker. */
import type { UnionDef, ValueField } from "../../model.js";
import { intSize } from "../../model.js";
import { hexLiteral, templateText } from "../code.js";
import { readInt, writeInt } from "../layout.js";
import type { SequenceReader } from "../read.js";
import { endsList, keepsEnd, needsEndMarker } from "./end-length.js";
import type { WriteWalker } from "../write.js";

export function readList(r: SequenceReader, m: ValueField, union: UnionDef, target: string): void {
  const local = r.locals.field(m.name);
  const header = intSize(union.tag) + intSize(union.length);
  const tag = readInt(union.tag, "pos");
  const length = readInt(union.length, `pos + ${intSize(union.tag)}`);
  r.settle();
  r.code.line(`${target}: ${union.name}[] = [];`);
  r.code.line("for (;;) {");
  // The well-formed end marker, checked here without a call; anything else
  // (entries, and malformed end markers) goes to the entry reader.
  r.code.line(
    `  if (${r.limit} - pos >= ${header} && ${tag} === ${hexLiteral(union.end, false)} && ${length} === 0) {`,
  );
  if (r.trace)
    r.code.line(`    traceLeaf("(end)", "end marker", pos, pos + ${header}, undefined);`);
  r.code.line(`    pos += ${header};`);
  r.code.line("    break;");
  r.code.line("  }");
  if (r.trace) r.code.line("  traceOpen();");
  r.code.line(`  const entry = parse${union.name}(buf, pos, ${r.limit});`);
  r.code.line(
    `  if (entry instanceof CodecError) return entry.within(\`${templateText(r.prefix + m.name)}[\${${local}.length}]\`);`,
  );
  if (r.trace)
    r.code.line(
      `  traceClose(entry === undefined ? "(end)" : \`[\${${local}.length}]\`, entry === undefined ? "end marker" : \`${union.name} \${entry.kind}\`, pos, parsedEnd, entry);`,
    );
  r.code.line("  pos = parsedEnd;");
  r.code.line("  if (entry === undefined) break;");
  r.code.line(`  ${local}.push(entry);`);
  if (keepsEnd(union)) r.code.line(`  ${endsList(union)}`);
  r.code.line("}");
}

/** Write: each entry, then the end marker (its tag, a zero length). */
export function writeList(w: WriteWalker, union: UnionDef, acc: string): void {
  w.settle();
  w.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) =>
    c.line(`pos = put${union.name}(${acc}[i]!, buf, pos);`),
  );
  const marker = [
    writeInt(union.tag, "pos", hexLiteral(union.end, false)),
    writeInt(union.length, `pos + ${intSize(union.tag)}`, "0"),
    `pos += ${intSize(union.tag) + intSize(union.length)};`,
  ];
  // A kept end marker of non-zero length, if the list has one, is its last entry.
  if (keepsEnd(union))
    w.code.block(`if (${needsEndMarker(union, acc)})`, (c) => c.lines.push(...marker));
  else w.code.lines.push(...marker);
}
