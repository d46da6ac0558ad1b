/**
 * Arrays of records: filling the rest of a variant's payload (fixed-size
 * records; the count follows from the length), or counted by an expression.
 * Both check the count against the bytes left before allocating.
 */
import type { Expr } from "../../expr.js";
import type { ArrayEnd, FieldType, RecordDef, ValueField } from "../../model.js";
import { fixedRecordSize, fixedTypeSize } from "../../model.js";
import { article, str, templateText } from "../code.js";
import { emitExpr, offsetExpr, type Resolve } from "../expr.js";
import type { SequenceReader } from "../read.js";
import type { WriteWalker } from "../write.js";

export function readFilledArray(
  r: SequenceReader,
  m: ValueField,
  element: RecordDef,
  args: readonly Expr[],
  at: string,
  target: string,
  path: string,
): void {
  const size = fixedTypeSize({ kind: "record", record: element, args: [] })!;
  const local = r.locals.field(m.name);
  const start = r.locals.fresh(`${m.name}_start`);
  r.code.line(`const ${start} = ${at};`);
  r.code.line(`if ((${r.limit} - ${start}) % ${size} !== 0) {`);
  r.code.line(
    `  return new CodecError(${path}, ${start}, \`\${${r.limit} - ${start}} bytes is not a whole number of ${size}-byte ${element.name} entries\`);`,
  );
  r.code.line("}");
  r.refuseZeroDivisions(args, r.prefix + m.name, start);
  // The count is known, so the array is allocated once at its final size.
  r.code.line(`${target} = new Array<${element.name}>((${r.limit} - ${start}) / ${size});`);
  r.code.line(`for (let i = 0; i < ${local}.length; i++) {`);
  if (r.trace) r.code.line("  traceOpen();");
  r.code.line(
    `  const entry = parse${element.name}(buf, ${start} + i * ${size}, ${r.limit}${argList(args, r.resolve)});`,
  );
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

/** Code for the arguments of a record with parameters, after the other arguments of its call. */
export function argList(args: readonly Expr[], resolve: Resolve): string {
  return args.map((a) => `, ${emitExpr(a, resolve)}`).join("");
}

/** `count` records, each read where the one before ended (or `stride` bytes after it started). */
export function readCountedArray(
  r: SequenceReader,
  m: ValueField,
  t: Extract<FieldType, { kind: "array" }>,
  count: Expr,
  at: string,
  target: string,
  path: string,
): void {
  const element = t.element;
  const local = r.locals.field(m.name);
  const n = r.locals.fresh(`${m.name}_count`);
  const size = fixedRecordSize(element.members);
  r.settleAt(at);
  // A count given as a number is still compared with others below: it is a number, not that literal.
  const annotated = t.stride !== undefined && count.kind === "num" ? ": number" : "";
  const worked = [count, ...(t.stride === undefined ? [] : [t.stride]), ...t.args];
  r.refuseZeroDivisions(worked, r.prefix + m.name, "pos");
  r.code.line(`const ${n}${annotated} = ${offsetExpr(count, r.resolve)};`);
  if (t.stride !== undefined) {
    readStridedArray(r, m, t, t.stride, n, target, path);
    return;
  }
  // Checked before allocating, so a huge count in bad input allocates nothing.
  const room = size === undefined ? `${r.limit} - pos` : `(${r.limit} - pos) / ${size}`;
  r.code.line(
    `if (!(${n} >= 0 && ${n} <= ${room})) return new CodecError(${path}, pos, \`\${${n}} ${element.name} entries do not fit in the \${${r.limit} - pos} bytes left\`);`,
  );
  r.code.line(`${target} = new Array<${element.name}>(${n});`);
  r.code.line(`for (let i = 0; i < ${n}; i++) {`);
  if (r.trace) r.code.line("  traceOpen();");
  r.code.line(
    `  const entry = parse${element.name}(buf, pos, ${r.limit}${argList(t.args, r.resolve)});`,
  );
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
 * `count` records `stride` bytes apart: each must end within its stride,
 * and the bytes after it up to the next must be zero (they are refused, not
 * kept: a record of the schema's size with unknown bytes after it would not
 * write back as it was read).
 */
function readStridedArray(
  r: SequenceReader,
  m: ValueField,
  t: Extract<FieldType, { kind: "array" }>,
  strideExpr: Expr,
  n: string,
  target: string,
  path: string,
): void {
  const element = t.element;
  const local = r.locals.field(m.name);
  const stride = r.locals.fresh(`${m.name}_stride`);
  const start = r.locals.fresh(`${m.name}_start`);
  const least = fixedRecordSize(element.members) ?? 1;
  r.code.line(`const ${stride} = ${offsetExpr(strideExpr, r.resolve)};`);
  r.code.line(
    `if (${n} > 0 && !(${stride} >= ${least})) return new CodecError(${path}, pos, \`its stride is \${${stride}} bytes, less than the ${least} bytes of ${article(element.name)} ${element.name}\`);`,
  );
  r.code.line(
    `if (!(${n} >= 0 && (${n} === 0 || ${n} <= (${r.limit} - pos) / ${stride}))) return new CodecError(${path}, pos, \`\${${n}} ${element.name} entries of \${${stride}} bytes do not fit in the \${${r.limit} - pos} bytes left\`);`,
  );
  r.code.line(`const ${start} = pos;`);
  r.code.line(`${target} = new Array<${element.name}>(${n});`);
  r.code.line(`for (let i = 0; i < ${n}; i++) {`);
  if (r.trace) r.code.line("  traceOpen();");
  r.code.line(`  const from = ${start} + i * ${stride};`);
  r.code.line(
    `  const entry = parse${element.name}(buf, from, ${r.limit}${argList(t.args, r.resolve)});`,
  );
  r.code.line(
    `  if (entry instanceof CodecError) return entry.within(\`${templateText(r.prefix + m.name)}[\${i}]\`);`,
  );
  r.code.line(
    `  if (parsedEnd - from > ${stride}) return new CodecError(\`${templateText(r.prefix + m.name)}[\${i}]\`, from, \`takes \${parsedEnd - from} bytes, more than its stride of \${${stride}}\`);`,
  );
  r.code.line(`  const extra = findNonZero(buf, parsedEnd, from + ${stride});`);
  r.code.line(
    `  if (extra !== -1) return new CodecError(\`${templateText(r.prefix + m.name)}[\${i}]\`, extra, \`the bytes after ${article(element.name)} ${element.name} up to its stride of \${${stride}} must be zero, got \${hex(buf[extra]!, 2)}\`);`,
  );
  r.code.line(`  ${local}[i] = entry;`);
  if (r.trace)
    r.code.line(`  traceClose(\`[\${i}]\`, ${str(element.name)}, from, from + ${stride}, entry);`);
  r.code.line("}");
  r.code.line(`pos = ${start} + ${n} * ${stride};`);
  r.cursor.base = "pos";
  r.cursor.offset = 0;
}

/**
 * Where the `bytes` bytes an array sized in bytes fills end (a local), once
 * they are known to be there: from the cursor, which is settled at `at`.
 * `also`: more expressions that must not divide by zero (a block size).
 */
export function sizedRegion(
  r: SequenceReader,
  m: ValueField,
  t: Extract<FieldType, { kind: "array" }>,
  bytes: Expr,
  at: string,
  path: string,
  also: readonly Expr[] = [],
): string {
  const n = r.locals.fresh(`${m.name}_size`);
  const end = r.locals.fresh(`${m.name}_end`);
  r.settleAt(at);
  r.refuseZeroDivisions([bytes, ...also, ...t.args], r.prefix + m.name, "pos");
  r.code.line(`const ${n} = ${offsetExpr(bytes, r.resolve)};`);
  r.code.line(
    `if (!(${n} >= 0 && ${r.limit} - pos >= ${n})) return ${n} < 0 ? new CodecError(${path}, pos, \`its size is negative (\${${n}})\`) : truncated(${path}, pos, ${n}, ${r.limit});`,
  );
  r.code.line(`const ${end} = pos + ${n};`);
  return end;
}

/**
 * Records of any size filling exactly `bytes` bytes: each is read within
 * that region, so the last ends at its end or the read fails naming it. An
 * entry that takes no bytes is refused, since the list would never end.
 */
export function readSizedArray(
  r: SequenceReader,
  m: ValueField,
  t: Extract<FieldType, { kind: "array" }>,
  bytes: Expr,
  at: string,
  target: string,
  path: string,
): void {
  const element = t.element;
  const local = r.locals.field(m.name);
  const entryPath = `\`${templateText(r.prefix + m.name)}[\${${local}.length}]\``;
  const end = sizedRegion(r, m, t, bytes, at, path);
  r.code.line(`${target} = [] as ${element.name}[];`);
  r.code.line(`while (pos < ${end}) {`);
  if (r.trace) r.code.line("  traceOpen();");
  r.code.line(
    `  const entry = parse${element.name}(buf, pos, ${end}${argList(t.args, r.resolve)});`,
  );
  r.code.line(`  if (entry instanceof CodecError) return entry.within(${entryPath});`);
  r.code.line(
    `  if (parsedEnd === pos) return new CodecError(${entryPath}, pos, "takes no bytes, so the entries would never fill the array's size");`,
  );
  if (r.trace)
    r.code.line(
      `  traceClose(\`[\${${local}.length}]\`, ${str(element.name)}, pos, parsedEnd, entry);`,
    );
  r.code.line(`  ${local}.push(entry);`);
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

/**
 * Write: the records back to back from the cursor, or `stride` bytes apart
 * with zeros between; then the terminator, for an array ended by zeros.
 */
export function writeArray(
  w: WriteWalker,
  t: Extract<FieldType, { kind: "array" }>,
  acc: string,
): void {
  const element = t.element;
  const args = argList(t.args, w.resolve);
  const size = fixedRecordSize(element.members);
  w.settle();
  if (t.stride !== undefined) {
    const stride = w.locals.fresh(`${element.name}_stride`);
    w.code.line(`const ${stride} = ${offsetExpr(t.stride, w.resolve)};`);
    w.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) => {
      c.line(`buf.fill(0, put${element.name}(${acc}[i]!, buf, pos${args}), pos + ${stride});`);
      c.line(`pos += ${stride};`);
    });
  } else if (size === undefined) {
    w.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) =>
      c.line(`pos = put${element.name}(${acc}[i]!, buf, pos${args});`),
    );
  } else {
    w.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) => {
      c.line(`put${element.name}(${acc}[i]!, buf, pos${args});`);
      c.line(`pos += ${size};`);
    });
  }
  if (t.end !== undefined) {
    w.code.line(`buf.fill(0, pos, pos + ${t.end.size});`);
    w.code.line(`pos += ${t.end.size};`);
  }
}
