/**
 * Arrays packed in blocks (`size:` with `block:`; ISO 9660's directories):
 * records never cross a multiple of the block size from the array's start,
 * each block's bytes after its last record are zero, and the array's bytes
 * after its last record too. A record starts a new block only when it does
 * not fit in the rest of the current one, so read refuses a record placed
 * later than that (it would not write back where it was), and every stored
 * byte string reads to one value and writes back unchanged. The checker has
 * made sure a record is never all zeros, so a block's zeros never read as one.
 */
import type { Expr } from "../../expr.js";
import { exprText } from "../../expr.js";
import type { FieldType, ValueField } from "../../model.js";
import { str, templateText } from "../code.js";
import { offsetExpr } from "../expr.js";
import type { SequenceReader } from "../read.js";
import type { CheckWalker, WriteWalker } from "../write.js";
import { argList, sizedRegion } from "./array.js";

type ArrayType = Extract<FieldType, { kind: "array" }>;

/** A block size worked out at run time must be a positive number of bytes. */
function blockRefusal(block: Expr, value: string, refuse: (reason: string) => string): string[] {
  if (block.kind === "num") return [];
  return [
    `if (!(${value} >= 1)) ${refuse(`\`its block size, ${templateText(exprText(block))}, is \${${value}}\``)}`,
  ];
}

export function readBlockedArray(
  r: SequenceReader,
  m: ValueField,
  t: ArrayType,
  bytes: Expr,
  block: Expr,
  at: string,
  target: string,
  path: string,
): void {
  const element = t.element;
  const local = r.locals.field(m.name);
  const end = sizedRegion(r, m, t, bytes, at, path, [block]);
  const start = r.locals.fresh(`${m.name}_start`);
  const size = r.locals.fresh(`${m.name}_block`);
  const zeros = r.locals.fresh(`${m.name}_zeros`);
  const entryPath = `\`${templateText(r.prefix + m.name)}[\${${local}.length}]\``;
  r.code.line(`const ${size} = ${offsetExpr(block, r.resolve)};`);
  r.code.lines.push(
    ...blockRefusal(block, size, (reason) => `return new CodecError(${path}, pos, ${reason});`),
  );
  r.code.line(`const ${start} = pos;`);
  // Where the zeros before the next record began, while there are some.
  r.code.line(`let ${zeros} = -1;`);
  r.code.line(`${target} = [] as ${element.name}[];`);
  r.code.block(`while (pos < ${end})`, (c) => {
    c.line(`const blockEnd = Math.min(${end}, pos + ${size} - ((pos - ${start}) % ${size}));`);
    c.block(`if (findNonZero(buf, pos, blockEnd) === -1)`, (z) => {
      z.line(`if (${zeros} === -1) ${zeros} = pos;`);
      z.line("pos = blockEnd;");
      z.line("continue;");
    });
    if (r.trace) c.line("traceOpen();");
    c.line(`const entry = parse${element.name}(buf, pos, ${end}${argList(t.args, r.resolve)});`);
    c.line(`if (entry instanceof CodecError) return entry.within(${entryPath});`);
    c.line(
      `if (parsedEnd > blockEnd) return new CodecError(${entryPath}, pos, \`takes \${parsedEnd - pos} bytes, so it crosses the end of its \${${size}}-byte block at byte \${blockEnd}\`);`,
    );
    c.block(`if (${zeros} !== -1)`, (z) => {
      // The first place a writer would have put it: in the rest of the
      // block the zeros start in, else at the start of the next.
      z.line(`const room = ${size} - ((${zeros} - ${start}) % ${size});`);
      z.line(`const first = parsedEnd - pos <= room ? ${zeros} : ${zeros} + room;`);
      z.line(
        `if (first < pos) return new CodecError(${entryPath}, pos, \`takes \${parsedEnd - pos} bytes, which fit in the zeros from byte \${first}: a record starts a new block only when the last has no room for it\`);`,
      );
      z.line(`${zeros} = -1;`);
    });
    if (r.trace)
      c.line(`traceClose(\`[\${${local}.length}]\`, ${str(element.name)}, pos, parsedEnd, entry);`);
    c.line(`${local}.push(entry);`);
    c.line("pos = parsedEnd;");
  });
  r.cursor.base = "pos";
  r.cursor.offset = 0;
}

/**
 * Write's check: each record fits in a block, and the records, each
 * starting a new block when the last has no room, end within `bytes`.
 */
export function checkBlockedEntries(
  w: CheckWalker,
  name: string,
  t: ArrayType,
  bytes: Expr,
  block: Expr,
  acc: string,
  path: string,
): void {
  w.refuseZeroDivisions([bytes, block, ...t.args], path);
  const size = w.locals.fresh(`${name}_block`);
  const used = w.locals.fresh(`${name}_used`);
  const want = offsetExpr(bytes, w.resolve);
  w.code.line(`const ${size} = ${offsetExpr(block, w.resolve)};`);
  w.code.lines.push(...blockRefusal(block, size, (reason) => w.fail(path, reason)));
  w.code.line(`let ${used} = 0;`);
  w.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) => {
    c.line(`const size = sizeof${t.element.name}(${acc}[i]!${argList(t.args, w.resolve)});`);
    c.line(
      `if (size > ${size}) return new CodecError(\`${templateText(path)}[\${i}]\`, undefined, \`takes \${size} bytes, more than a block of \${${size}}\`);`,
    );
    c.line(`if (size > ${size} - (${used} % ${size})) ${used} += ${size} - (${used} % ${size});`);
    c.line(`${used} += size;`);
  });
  w.code.line(
    `if (${used} > ${want}) ${w.fail(path, `\`takes \${${used}} bytes in blocks of \${${size}}, but ${templateText(exprText(bytes))} is \${${want}}\``)}`,
  );
}

/** Write: each record where the check placed it, zeros before a new block and after the last. */
export function putBlockedArray(
  w: WriteWalker,
  t: ArrayType,
  bytes: Expr,
  block: Expr,
  acc: string,
): void {
  const element = t.element;
  const args = argList(t.args, w.resolve);
  const start = w.locals.fresh(`${element.name}_start`);
  const size = w.locals.fresh(`${element.name}_block`);
  const end = w.locals.fresh(`${element.name}_end`);
  w.settle();
  w.code.line(`const ${start} = pos;`);
  w.code.line(`const ${end} = pos + ${offsetExpr(bytes, w.resolve)};`);
  w.code.line(`const ${size} = ${offsetExpr(block, w.resolve)};`);
  w.code.block(`for (let i = 0; i < ${acc}.length; i++)`, (c) => {
    c.line(`const room = ${size} - ((pos - ${start}) % ${size});`);
    c.block(`if (sizeof${element.name}(${acc}[i]!${args}) > room)`, (z) => {
      z.line("buf.fill(0, pos, pos + room);");
      z.line("pos += room;");
    });
    c.line(`pos = put${element.name}(${acc}[i]!, buf, pos${args});`);
  });
  w.code.line(`buf.fill(0, pos, ${end});`);
  w.code.line(`pos = ${end};`);
}
