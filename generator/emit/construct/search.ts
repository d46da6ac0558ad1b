/**
 * Records found by searching backwards from the end of the input
 * (`search: N`), such as a ZIP archive's end-of-central-directory record,
 * which a variable-length comment follows. The record is its record's last
 * member, after size-less bytes that run up to where it is found.
 *
 * The candidates are the positions within the last N bytes of the input
 * (and not before the bytes start) where the record's signature starts;
 * the match is the one closest to the end from which the record reads
 * without error and ends exactly at the end of the input. So a signature
 * inside a comment fools the search only if a whole record starting there
 * would end exactly at the end; `write` refuses a value whose record holds
 * such a one, because it would not read back as written.
 */
import { VariableDeclarationKind } from "ts-morph";
import type { ModuleFile } from "../module-file.js";
import type { RecordDef, Search, ValueField } from "../../model.js";
import { str, type Code } from "../code.js";
import type { SequenceReader } from "../read.js";

/** A searched field: a record-typed field with its search. */
export type SearchedField = ValueField & { search: Search; type: { kind: "record" } };

export function isSearched(m: { kind: string; search?: Search | undefined }): boolean {
  return m.kind === "value" && m.search !== undefined;
}

/** The record a searched field holds. */
export function searchedRecord(m: ValueField): RecordDef {
  if (m.type.kind !== "record") throw new Error(`${m.name} is searched but not a record`);
  return m.type.record;
}

/**
 * Read: the search, then the bytes before the match and the match itself.
 * `body` is the size-less bytes field, `found` the searched field; without
 * `body` (first in a record with `gaps: untouched`) the bytes before the
 * match belong to no member, and the sequence starts at the match.
 */
export function readSearched(
  r: SequenceReader,
  body: ValueField | undefined,
  found: ValueField,
): void {
  const search = found.search!;
  const record = searchedRecord(found);
  const { code, locals } = r;
  const sig = search.signature.length;
  const start = locals.fresh(`${body?.name ?? found.name}_start`);
  const p = locals.fresh(`${found.name}_at`);
  const value = locals.field(found.name);
  code.line(`const ${start} = ${r.cursor.at()};`);
  code.line(`let ${p} = -1;`);
  code.line(`let ${value}: ${record.name} | undefined;`);
  if (r.trace) code.line("const traceBefore = traceMark();");
  code.block(
    `for (let p = ${r.limit} - ${sig}, lowest = Math.max(${start}, ${r.limit} - ${search.within}); p >= lowest; p--)`,
    (c) => {
      // Most positions differ in their first byte: tested inline, before the call.
      c.line(
        `if (${firstByteDiffers("buf", "p", search.signature)} || !bytesEqual(buf, p, p + ${sig}, ${str(search.signature)})) continue;`,
      );
      c.line(`const candidate = parse${record.name}(buf, p, ${r.limit});`);
      c.block(`if (!(candidate instanceof CodecError) && parsedEnd === ${r.limit})`, (b) => {
        b.line(`${value} = candidate;`);
        b.line(`${p} = p;`);
        b.line("break;");
      });
    },
  );
  code.line(
    `if (${value} === undefined) return new CodecError(${str(r.prefix + found.name)}, ${start}, \`no ${record.name} ends exactly at the end of the input (byte \${${r.limit}}) within its last ${search.within} bytes\`);`,
  );
  const bytes = body === undefined ? undefined : locals.field(body.name);
  if (bytes !== undefined) code.line(`const ${bytes} = getBytes(buf, ${start}, ${p});`);
  if (r.trace) {
    // Spans of the candidates tried are forgotten; the match is read again to trace it alone.
    code.line("traceRewind(traceBefore);");
    if (body !== undefined)
      code.line(`traceLeaf(${str(body.name)}, "bytes", ${start}, ${p}, ${bytes});`);
    code.line("traceOpen();");
    code.line(`parse${record.name}(buf, ${p}, ${r.limit});`);
    code.line(`traceClose(${str(found.name)}, ${str(record.name)}, ${p}, ${r.limit}, ${value});`);
  }
  r.holds(found.name, record);
  r.settleAt(r.limit);
  if (body !== undefined) r.props.push(r.propOf(body.name));
  else r.sequenceStart = p;
  r.props.push(r.propOf(found.name));
}

/** `buf[p] !== 0x50`: the signature's first byte is not at `p`. */
function firstByteDiffers(buf: string, p: string, signature: string): string {
  return `${buf}[${p}] !== 0x${signature.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/** The module-level scratch a searched record is written into to check it reads back. */
function scratchName(found: ValueField): string {
  return `${searchedRecord(found).name}SearchScratch`;
}

/**
 * Write (in the check, before any byte is written): the record must be
 * found again where it is written. It must fit the bytes the search looks
 * at, and no later position in its bytes may hold a match: it is written
 * into a scratch buffer made once per module, and searched there.
 */
export function checkSearchedWrite(
  code: Code,
  found: ValueField,
  access: string,
  path: string,
  file: ModuleFile,
): void {
  const search = found.search!;
  const record = searchedRecord(found);
  const scratch = scratchName(found);
  if (!file.hasVariable(scratch))
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        `Scratch space to check that a written {@link ${record.name}} is the one a search finds.`,
      ],
      declarations: [{ name: scratch, initializer: `new Uint8Array(${search.within})` }],
    });
  const sig = search.signature.length;
  code.block("", (c) => {
    c.line(`const size = sizeof${record.name}(${access});`);
    c.line(
      `if (size > ${search.within}) return new CodecError(${str(path)}, undefined, \`takes \${size} bytes, but the search for it looks at only the last ${search.within} bytes of the input\`);`,
    );
    c.line(`put${record.name}(${access}, ${scratch}, 0);`);
    c.block(`for (let q = size - ${sig}; q > 0; q--)`, (l) => {
      l.line(
        `if (${firstByteDiffers(scratch, "q", search.signature)} || !bytesEqual(${scratch}, q, q + ${sig}, ${str(search.signature)})) continue;`,
      );
      l.line(`const other = parse${record.name}(${scratch}, q, size);`);
      l.line(
        `if (!(other instanceof CodecError) && parsedEnd === size) return new CodecError(${str(path)}, undefined, \`holds another ${record.name} at byte \${q} of it that ends at the end of the input, which a search would find instead\`);`,
      );
    });
  });
}
