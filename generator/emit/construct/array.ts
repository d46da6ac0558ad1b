/**
 * Arrays of records: filling the rest of a variant's payload (fixed-size
 * records; the count follows from the length), or counted by an expression.
 * Both check the count against the bytes left before allocating.
 */
import type { Expr } from "../../expr.js";
import type { ArrayEnd, RecordDef, ValueField } from "../../model.js";
import { fixedRecordSize, fixedTypeSize } from "../../model.js";
import { str, templateText } from "../code.js";
import { offsetExpr } from "../expr.js";
import type { SequenceReader } from "../read.js";
import type { WriteWalker } from "../write.js";

export function readFilledArray(
  r: SequenceReader,
  m: ValueField,
  element: RecordDef,
  at: string,
  target: string,
  path: string,
): void {
  const size = fixedTypeSize({ kind: "record", record: element })!;
  const local = r.locals.field(m.name);
  const start = r.locals.fresh(`${m.name}_start`);
  r.code.line(`const ${start} = ${at};`);
  r.code.line(`if ((${r.limit} - ${start}) % ${size} !== 0) {`);
  r.code.line(
    `  return new CodecError(${path}, ${start}, \`\${${r.limit} - ${start}} bytes is not a whole number of ${size}-byte ${element.name} entries\`);`,
  );
  r.code.line("}");
  // The count is known, so the array is allocated once at its final size.
  r.code.line(`${target} = new Array<${element.name}>((${r.limit} - ${start}) / ${size});`);
  r.code.line(`for (let i = 0; i < ${local}.length; i++) {`);
  if (r.trace) r.code.line("  traceOpen();");
  r.code.line(`  const entry = parse${element.name}(buf, ${start} + i * ${size}, ${r.limit});`);
  r.code.line(
    `  if (entry instanceof CodecError) return entry.within(\`${templateText(r.prefix + m.name)}[\${i}]\`);`,
  );
  r.code.line(`  ${local}[i] = entry;`);
  if (r.trace)
    r.code.line(
      `  traceClose(\`[\${i}]\`, ${str(element.name)}, ${start} + i * ${size}, parsedEnd, entry);`,
    );
  r.code.line("}");
  r.code.line(`pos = ${r.limit};`);
  r.cursor.base = "pos";
  r.cursor.offset = 0;
}

/** `count` records, each read where the one before ended. */
export function readCountedArray(
  r: SequenceReader,
  m: ValueField,
  element: RecordDef,
  count: Expr,
  at: string,
  target: string,
  path: string,
): void {
  const local = r.locals.field(m.name);
  const n = r.locals.fresh(`${m.name}_count`);
  const size = fixedRecordSize(element.members);
  r.settleAt(at);
  r.code.line(`const ${n} = ${offsetExpr(count, r.resolve)};`);
  // Checked before allocating, so a huge count in bad input allocates nothing.
  const room = size === undefined ? `${r.limit} - pos` : `(${r.limit} - pos) / ${size}`;
  r.code.line(
    `if (!(${n} >= 0 && ${n} <= ${room})) return new CodecError(${path}, pos, \`\${${n}} ${element.name} entries do not fit in the \${${r.limit} - pos} bytes left\`);`,
  );
  r.code.line(`${target} = new Array<${element.name}>(${n});`);
  r.code.line(`for (let i = 0; i < ${n}; i++) {`);
  if (r.trace) r.code.line("  traceOpen();");
  r.code.line(`  const entry = parse${element.name}(buf, pos, ${r.limit});`);
  r.code.line(
    `  if (entry instanceof CodecError) return entry.within(\`${templateText(r.prefix + m.name)}[\${i}]\`);`,
  );
  r.code.line(`  ${local}[i] = entry;`);
  if (r.trace)
    r.code.line(`  traceClose(\`[\${i}]\`, ${str(element.name)}, pos, parsedEnd, entry);`);
  r.code.line("  pos = parsedEnd;");
  r.code.line("}");
  r.cursor.base = "pos";
  r.cursor.offset = 0;
}

/**
 * Records up to a terminator of `end.size` zero bytes (tar's two zero
 * blocks): before each entry, zeros there end the list. The checker has
 * made sure an entry never starts with that many zeros, so every list
 * writes back as it was read. The count is unknown, so the array grows.
 */
export function readTerminatedArray(
  r: SequenceReader,
  m: ValueField,
  element: RecordDef,
  end: ArrayEnd,
  at: string,
  target: string,
  path: string,
): void {
  const local = r.locals.field(m.name);
  r.settleAt(at);
  r.code.line(`${target} = [] as ${element.name}[];`);
  r.code.line("for (;;) {");
  r.code.line(
    `  if (${r.limit} - pos < ${end.size}) return new CodecError(${path}, pos, \`the input ends at byte \${${r.limit}} before the ${end.size} zero bytes that end the list\`);`,
  );
  r.code.line(`  if (findNonZero(buf, pos, pos + ${end.size}) === -1) break;`);
  if (r.trace) r.code.line("  traceOpen();");
  r.code.line(`  const entry = parse${element.name}(buf, pos, ${r.limit});`);
  r.code.line(
    `  if (entry instanceof CodecError) return entry.within(\`${templateText(r.prefix + m.name)}[\${${local}.length}]\`);`,
  );
  if (r.trace)
    r.code.line(
      `  traceClose(\`[\${${local}.length}]\`, ${str(element.name)}, pos, parsedEnd, entry);`,
    );
  r.code.line(`  ${local}.push(entry);`);
  r.code.line("  pos = parsedEnd;");
  r.code.line("}");
  r.code.line(`pos += ${end.size};`);
  r.cursor.base = "pos";
  r.cursor.offset = 0;
}

/** Write: the records back to back from the cursor, then the terminator if there is one. */
export function writeArray(w: WriteWalker, element: RecordDef, acc: string, end?: ArrayEnd): void {
  const size = fixedRecordSize(element.members);
  w.settle();
  if (size === undefined) {
    w.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) =>
      c.line(`pos = put${element.name}(${acc}[i]!, buf, pos);`),
    );
  } else {
    w.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) => {
      c.line(`put${element.name}(${acc}[i]!, buf, pos);`);
      c.line(`pos += ${size};`);
    });
  }
  if (end !== undefined) {
    w.code.line(`buf.fill(0, pos, pos + ${end.size});`);
    w.code.line(`pos += ${end.size};`);
  }
}
