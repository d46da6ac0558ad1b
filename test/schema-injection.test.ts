/**
 * No schema text can break or inject into the generated code. Schemas whose
 * docs, messages and string-enum values hold comment ends, quotes, template
 * syntax and line separators, and whose field names are TypeScript keywords
 * or the generated functions' own variable names, are generated in memory,
 * type-checked with the TypeScript compiler against a copy of runtime/,
 * compiled, imported and used to round-trip values. Names that would reach
 * Object.prototype are rejected with a located error instead.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { generate } from "../generator/generate.js";
import { formatProblem } from "../generator/problem.js";

const projectRoot = join(import.meta.dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "binschema-injection-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What every generated module exports. */
interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
}

function isCodec(m: unknown): m is Codec {
  const r = m as Record<string, unknown>;
  return (
    typeof r.read === "function" && typeof r.write === "function" && typeof r.sizeof === "function"
  );
}

/** The project's compiler options, for a module in a folder of its own. */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  noEmit: true,
  types: ["node"],
  typeRoots: [join(projectRoot, "node_modules/@types")],
};

interface Built {
  /** The generated module's text. */
  text: string;
  codec: Codec;
  /** The module as the compiler parsed it. */
  source: ts.SourceFile;
}

/**
 * Generates `schema` in memory, writes the module beside a copy of
 * runtime/, type-checks it, compiles everything to JavaScript and imports it.
 */
async function build(schema: object): Promise<Built> {
  const yamlText = stringify(schema, { lineWidth: 0 });
  const result = await generate("injection.yaml", yamlText);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
  const module = result.files.find((f) => f.name.endsWith(".ts"));
  if (module === undefined) throw new Error("no TypeScript module generated");

  const dir = mkdtempSync(join(scratch, "module-"));
  mkdirSync(join(dir, "generated"));
  cpSync(join(projectRoot, "runtime"), join(dir, "runtime"), { recursive: true });
  const path = join(dir, "generated", module.name);
  writeFileSync(path, module.text);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));

  const program = ts.createProgram([path], COMPILER_OPTIONS);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file === undefined || d.start === undefined
        ? ""
        : `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `;
    return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
  });
  expect(diagnostics, module.text).toEqual([]);

  for (const folder of ["generated", "runtime"]) {
    for (const name of readdirSync(join(dir, folder)).filter((f) => f.endsWith(".ts"))) {
      const file = join(dir, folder, name);
      const js = ts.transpileModule(ts.sys.readFile(file) ?? "", {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      });
      writeFileSync(file.replace(/\.ts$/, ".js"), js.outputText);
    }
  }
  const imported: unknown = await import(pathToFileURL(path.replace(/\.ts$/, ".js")).href);
  if (!isCodec(imported)) throw new Error("the generated module lacks read, write or sizeof");
  const source = program.getSourceFile(path)!;
  return { text: module.text, codec: imported, source };
}

/** Writes `value`, reads it back and returns what was read and the bytes. */
function roundTrip(codec: Codec, value: unknown): { read: unknown; bytes: Uint8Array } {
  const bytes = new Uint8Array(codec.sizeof(value));
  const written = codec.write(value, bytes);
  if (typeof written !== "number") throw new Error(`write: ${written.message}`);
  expect(written).toBe(bytes.length);
  const read = codec.read(bytes);
  if ("message" in read) throw new Error(`read: ${read.message}`);
  expect(read.end).toBe(bytes.length);
  return { read: read.value, bytes };
}

/**
 * Every comment in a source file, in order. The text between the tokens the
 * parser saw is trivia; comments are found in it from their opening to the
 * first close, the way the scanner reads them.
 */
function comments(source: ts.SourceFile): string[] {
  const text = source.getFullText();
  const tokens: [number, number][] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode)
      return;
    const children = node.getChildren(source);
    if (children.length === 0 && node.kind !== ts.SyntaxKind.EndOfFileToken)
      tokens.push([node.getStart(source), node.end]);
    for (const child of children) visit(child);
  };
  visit(source);
  const found: string[] = [];
  let from = 0;
  for (const [start, end] of [...tokens, [text.length, text.length]]) {
    const gap = text.slice(from, start);
    for (let i = 0; i < gap.length; i++) {
      if (gap.startsWith("/*", i)) {
        const close = gap.indexOf("*/", i + 2);
        found.push(close === -1 ? `UNCLOSED ${gap.slice(i)}` : gap.slice(i, close + 2));
        i = close === -1 ? gap.length : close + 1;
      } else if (gap.startsWith("//", i)) {
        const eol = gap.slice(i).search(/[\n\r\u2028\u2029]/);
        found.push(eol === -1 ? gap.slice(i) : gap.slice(i, i + eol));
        i = eol === -1 ? gap.length : i + eol;
      }
    }
    from = end;
  }
  return found;
}

/** Every identifier in the code (not in comments, strings or templates). */
function identifiers(source: ts.SourceFile): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** Names the module declares at its top level. */
function topLevelNames(source: ts.SourceFile): string[] {
  return source.statements.flatMap((s) => {
    if (ts.isVariableStatement(s))
      return s.declarationList.declarations.map((d) => d.name.getText(source));
    if (ts.isFunctionDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s))
      return s.name === undefined ? [] : [s.name.text];
    return [];
  });
}

/** Text that ends comments, strings and templates, or ends lines where a parser might not expect it. */
const NASTY = [
  "*/ export const pwned = 1; /*",
  "`${globalThis.pwned = 2}` \\`",
  "quote \" apostrophe ' backslash \\ end \\",
  "new\nline and \u2028 line \u2029 paragraph separators",
  "</script><script>alert(1)</script>",
  "// not a comment\n/* nor this */ @module @see",
].join(" | ");

describe("schema text in the generated code", () => {
  /** String-enum values: byte strings, any of U+0001 to U+00FF. */
  const awkward = {
    Quote: 'say "hi"',
    Apostrophe: "it's",
    Backslash: "a\\b\\",
    Newline: "two\nlines",
    Template: "${x}`",
    Comment: "*/ /*",
    Latin1: "\u0001\u007f\u0080\u00ff",
  };

  const nastySchema = {
    format: "nasty",
    doc: `Module ${NASTY}`,
    root: "Top",
    types: {
      Word: {
        doc: `Enum ${NASTY}`,
        enum: { string: 10 },
        values: Object.fromEntries(
          Object.entries(awkward).map(([name, value]) => [name, { value, doc: `Value ${NASTY}` }]),
        ),
      },
      Count: {
        doc: `Int enum ${NASTY}`,
        enum: "u8",
        open: true,
        values: { One: { value: 1, doc: `One ${NASTY}` } },
      },
      Entry: {
        doc: `Union ${NASTY}`,
        union: { tag: "u8", length: "u8", end: 0 },
        variants: [
          {
            name: "Text",
            tag: 1,
            doc: `Variant ${NASTY}`,
            fields: [{ name: "text", type: "bytes", doc: `Field ${NASTY}` }],
          },
          {
            name: "Other",
            fallback: true,
            doc: `Fallback ${NASTY}`,
            fields: [
              { name: "tag", type: "u8", tag: true, doc: `Tag ${NASTY}` },
              { name: "data", type: "bytes" },
            ],
          },
        ],
      },
      Top: {
        doc: `Record ${NASTY}`,
        record: [
          { name: "magic", type: "u16", const: 0x2a2f, doc: `Const ${NASTY}` },
          { name: "word", type: "Word", doc: `Field ${NASTY}` },
          { name: "count", type: "Count" },
          {
            name: "length",
            type: "u32",
            doc: `Checked ${NASTY}`,
            valid: [{ check: "length < 100", message: `Message ${NASTY}` }],
          },
          {
            name: "flags",
            type: "u64",
            doc: `Flags ${NASTY}`,
            flags: [{ bit: 0, name: "on", doc: `Bit ${NASTY}` }],
            unknown: "flags_rest",
          },
          {
            name: "masks",
            type: "u8",
            bits: [{ bit: 1, name: "second", doc: `Mask ${NASTY}` }],
          },
          {
            name: "extra",
            group: "Extra",
            if: "length > 10",
            doc: `Group ${NASTY}`,
            fields: [{ name: "body", type: "bytes", size: "length - 10", doc: `Inner ${NASTY}` }],
          },
          { name: "entries", type: "Entry[]", doc: `List ${NASTY}` },
        ],
      },
    },
  };

  it("keeps every doc a comment that closes where it should, and compiles", async () => {
    const { text, source } = await build(nastySchema);
    // `*/` from a doc is always escaped, so it never closes a comment early.
    expect(text).toContain("/**\n * Module *\\/ export const pwned = 1; /* |");
    // Each doc is inside one comment, whole: the comment holding `Record ...`
    // opens with /** and runs past the end of the doc text to its own */.
    const all = comments(source);
    const labels = ["Module", "Enum", "Value", "Union", "Variant", "Fallback", "Record"];
    labels.push("Field", "Tag", "Checked", "Bit", "Mask", "Group", "Inner", "List");
    for (const label of labels) {
      const holding = all.filter((c) => c.includes(`${label} *\\/ export const pwned`));
      expect(holding.length, label).toBeGreaterThan(0);
      for (const c of holding) {
        expect(c.startsWith("/**"), c).toBe(true);
        expect(c).toContain("</script><script>alert(1)</script>");
        expect(c).toContain("/* nor this *\\/ @module @see");
      }
    }
    expect(all.filter((c) => c.startsWith("UNCLOSED"))).toEqual([]);
    // Nothing the docs, messages or values say became code.
    expect(identifiers(source)).not.toContain("pwned");
    expect(identifiers(source)).not.toContain("alert");
    expect(topLevelNames(source)).not.toContain("pwned");
    expect(topLevelNames(source)).toEqual(
      expect.arrayContaining(["Word", "Count", "Entry", "Top", "Extra", "read", "write", "sizeof"]),
    );
  });

  it("keeps validation messages and string-enum values as the exact strings", async () => {
    const { codec } = await build(nastySchema);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
    const base = {
      word: "Quote",
      count: "One",
      length: 5,
      on: true,
      flags_rest: 0n,
      masks: 2,
      extra: undefined,
      entries: [
        { kind: "Text", text: "hi" },
        { kind: "Other", tag: 7, data: "\u0000\u00ff" },
      ],
    };
    for (const [name, value] of Object.entries(awkward)) {
      const { read, bytes } = roundTrip(codec, { ...base, word: name });
      expect(read).toEqual({ ...base, word: name });
      // The stored bytes are the value, one byte per character, NUL-padded to 10.
      const stored = String.fromCharCode(...bytes.slice(2, 12)).replace(/\0+$/, "");
      expect(stored).toBe(value);
    }
    // An unknown stored value of an open enum is kept; a grouped field round-trips too.
    const more = { ...base, count: { unknown: 9 }, length: 12, extra: { body: "ab" } };
    expect(roundTrip(codec, more).read).toEqual(more);
    // The message, with its quotes, backticks and ${...}, is the error's text as written.
    const failed = codec.write({ ...base, length: 100 }, new Uint8Array(100));
    expect(typeof failed).toBe("object");
    expect((failed as { message: string }).message).toBe(`length: is 100: Message ${NASTY}`);
  });
});

describe("field names that are TypeScript keywords or generated variables", () => {
  const KEYWORDS = ["class", "default", "new", "delete", "function", "type", "await", "yield"];
  const MORE = ["let", "static", "this", "enum", "arguments", "eval", "undefined", "null"];
  const LOCALS = ["buf", "at", "pos", "limit", "value", "v", "size", "length", "entry", "end"];

  const keywordSchema = {
    format: "keywords",
    root: "Top",
    types: {
      Item: {
        union: { tag: "u16", length: "u16", end: 0 },
        variants: [
          {
            name: "Pair",
            tag: 1,
            fields: [
              { name: "class", type: "u8" },
              { name: "return", type: "bytes", size: "class" },
              { name: "function", type: "bytes" },
            ],
          },
          {
            name: "Other",
            fallback: true,
            fields: [
              { name: "default", type: "u16", tag: true },
              { name: "new", type: "bytes" },
            ],
          },
        ],
      },
      Top: {
        record: [
          ...KEYWORDS.map((name) => ({ name, type: name === "delete" ? "u64" : "u8" })),
          ...MORE.map((name) => ({ name, type: "i16", endian: "little" })),
          ...LOCALS.map((name) => ({ name, type: "u32" })),
          { name: "if", type: "u8", if: "class > 1 && await != 0" },
          { padding: 1, if: "class > 1 && await != 0" },
          { name: "for", type: "bytes", size: "new + default" },
          {
            name: "import",
            group: "Import",
            if: "delete > 5",
            fields: [
              { name: "export", type: "u8", value: "offset(var)" },
              {
                name: "switch",
                type: "u64",
                flags: [{ bit: 0, name: "case" }],
                unknown: "break",
              },
            ],
          },
          { name: "var", type: "Item[]" },
        ],
      },
    },
  };

  it("generate code that compiles and round-trips a value", async () => {
    const { codec } = await build(keywordSchema);
    const value: Record<string, unknown> = {};
    for (const [i, name] of KEYWORDS.entries()) value[name] = name === "delete" ? 9n : i + 2;
    for (const [i, name] of MORE.entries()) value[name] = -1 - i;
    for (const [i, name] of LOCALS.entries()) value[name] = 1000 + i;
    value.if = 4;
    value.for = "x".repeat(Number(value.new) + Number(value.default));
    value.import = { case: true, break: 6n };
    value.var = [
      { kind: "Pair", class: 3, return: "abc", function: "rest" },
      { kind: "Other", default: 0x1234, new: "payload" },
    ];
    expect(roundTrip(codec, value).read).toEqual(value);
    // Without the condition, the conditional field and group are absent.
    const plain = { ...value, class: 1, delete: 1n, if: undefined, import: undefined };
    expect(roundTrip(codec, plain).read).toEqual(plain);
  });
});

describe("a carriage return in a validation message", () => {
  // A template literal reads a raw CR or CRLF as LF, so the message must escape it.
  it("is kept in the error message", async () => {
    const message = "first line\r\nsecond line\rthird";
    const { codec } = await build({
      format: "carriage",
      root: "Top",
      types: {
        Top: { record: [{ name: "n", type: "u8", valid: [{ check: "n < 10", message }] }] },
      },
    });
    const bad = codec.write({ n: 10 }, new Uint8Array(1));
    expect((bad as { message: string }).message).toBe(`n: is 10: ${message}`);
    const read = codec.read(new Uint8Array([10]));
    expect((read as { message: string }).message).toBe(`n at byte 0: is 10: ${message}`);
  });
});

describe("a flags word narrower than 64 bits", () => {
  // Kept apart from the schemas above so that a failure here names its cause.
  it("compiles, round-trips and refuses a named bit set in the unknown bits", async () => {
    const { codec } = await build({
      format: "flags",
      root: "Top",
      types: {
        Top: {
          record: [
            {
              name: "word",
              type: "u16",
              flags: [{ bit: 0, name: "first" }],
              unknown: "rest",
            },
          ],
        },
      },
    });
    const value = { first: true, rest: 0x8000 };
    expect(roundTrip(codec, value).read).toEqual(value);
    const bad = codec.write({ first: false, rest: 1 }, new Uint8Array(2));
    expect(typeof bad).toBe("object");
  });
});

describe("names that would reach Object.prototype", () => {
  it("are rejected with a located error wherever a name becomes a property", async () => {
    const text = [
      "format: proto",
      "root: Top",
      "types:",
      "  Top:",
      "    record:",
      "      - { name: __proto__, type: u8 }",
      "      - { name: constructor, type: u8 }",
      "      - { name: hasOwnProperty, type: u8 }",
      "      - name: word",
      "        type: u8",
      "        flags: [{ bit: 0, name: __proto__ }]",
      "        unknown: constructor",
      "      - { name: masks, type: u8, bits: [{ bit: 0, name: constructor }] }",
      "      - name: __proto__",
      "        group: Proto",
      "        fields: [{ name: x, type: u8 }]",
      "  Entry:",
      "    union: { tag: u8, length: u8, end: 0 }",
      "    variants:",
      "      - { name: A, tag: 1, fields: [{ name: constructor, type: u8 }] }",
      "",
    ].join("\n");
    const result = await generate("proto.yaml", text);
    expect(result.ok).toBe(false);
    const proto = "reserved: it would clash with Object.prototype.__proto__";
    const ctor = "reserved: it would clash with Object.prototype.constructor";
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      `proto.yaml:6:17: /types/Top/record/0/name: "__proto__" is ${proto}`,
      `proto.yaml:7:17: /types/Top/record/1/name: "constructor" is ${ctor}`,
      `proto.yaml:8:17: /types/Top/record/2/name: "hasOwnProperty" is not a valid field name: use lower_snake_case (^[a-z_][a-z0-9_]*$)`,
      `proto.yaml:11:33: /types/Top/record/3/flags/0/name: "__proto__" is defined twice (first at line 6)`,
      `proto.yaml:11:33: /types/Top/record/3/flags/0/name: "__proto__" is ${proto}`,
      `proto.yaml:12:18: /types/Top/record/3/unknown: "constructor" is defined twice (first at line 7)`,
      `proto.yaml:12:18: /types/Top/record/3/unknown: "constructor" is ${ctor}`,
      `proto.yaml:13:57: /types/Top/record/4/bits/0/name: "constructor" is ${ctor}`,
      `proto.yaml:14:15: /types/Top/record/5/name: "__proto__" is defined twice (first at line 6)`,
      `proto.yaml:14:15: /types/Top/record/5/name: "__proto__" is ${proto}`,
      `proto.yaml:20:45: /types/Entry/variants/0/fields/0/name: "constructor" is ${ctor}`,
    ]);
  });
});
