/**
 * Golden error tests, one small bad schema per file in test/schema-errors/.
 * Each file starts with the exact problem lines the generator must report,
 * as `# expect: file:line:col: /path: message` comments (all of them: the
 * checker collects every problem), then `# json-schema: invalid | valid |
 * none`: whether schema/format.schema.json must reject the file too (a shape
 * error), accept it (an error JSON Schema cannot express), or cannot see it
 * (not a YAML document).
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { generate, modelOf } from "../generator/generate.js";
import {
  badFieldName,
  badTypeName,
  FIELD_NAME,
  FORMAT_NAME,
  TYPE_NAME,
} from "../generator/check/names.js";
import { CONSTRUCTOR_NAME } from "../generator/check/names.js";
import { formatProblem } from "../generator/problem.js";

const DIR = "test/schema-errors";
const projectRoot = join(import.meta.dirname, "..");

interface Golden {
  name: string;
  /** The path problems are reported with, relative to the project. */
  file: string;
  text: string;
  expected: string[];
  jsonSchema: "invalid" | "valid" | "none";
}

function loadGolden(name: string): Golden {
  const file = `${DIR}/${name}`;
  const text = readFileSync(join(projectRoot, file), "utf8");
  const lines = text.split("\n");
  const expected: string[] = [];
  let i = 0;
  for (; lines[i]?.startsWith("# expect: "); i++)
    expected.push(lines[i].slice("# expect: ".length));
  const marker = /^# json-schema: (invalid|valid|none)$/.exec(lines[i] ?? "");
  if (marker === null) throw new Error(`${file}:${i + 1}: expected a "# json-schema:" line`);
  return { name, file, text, expected, jsonSchema: marker[1] as Golden["jsonSchema"] };
}

const goldens = readdirSync(join(projectRoot, DIR))
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map(loadGolden);

describe("golden schema errors", () => {
  it("has a golden file for each error the brief lists, several with more than one error", () => {
    expect(goldens.length).toBeGreaterThanOrEqual(30);
    for (const g of goldens) expect(g.expected.length, g.name).toBeGreaterThan(0);
    expect(goldens.filter((g) => g.expected.length >= 2).length).toBeGreaterThanOrEqual(10);
  });

  it.each(goldens.map((g) => [g.name, g] as const))("%s", async (_name, g) => {
    const result = await generate(g.file, g.text);
    expect(result.ok).toBe(false);
    const got = result.ok ? [] : result.problems.map(formatProblem);
    expect(got).toEqual(g.expected);
    // modelOf, the checking half of generate, reports the same.
    const model = modelOf(g.file, g.text);
    expect(model.ok ? [] : model.problems.map(formatProblem)).toEqual(g.expected);
  });

  it("points every expression problem into the expression's text", () => {
    const g = goldens.find((x) => x.name === "expr-syntax.yaml")!;
    const lines = g.text.split("\n");
    const tokens = ["*", ")", "$"];
    for (const [index, problem] of g.expected.entries()) {
      const [, line, col] = /:(\d+):(\d+): /.exec(problem)!;
      const at = lines[Number(line) - 1].slice(Number(col) - 1);
      // `expected ')'` points just past the text, at the closing brace of the flow map.
      expect(at.startsWith(tokens[index] === ")" ? " }" : tokens[index]), problem).toBe(true);
    }
  });
});

describe("format.schema.json", () => {
  const jsonSchema: unknown = JSON.parse(
    readFileSync(join(projectRoot, "schema/format.schema.json"), "utf8"),
  );
  // strictSchema stays on, so a misspelt keyword in the JSON Schema is an error here.
  const ajv = new Ajv({
    allErrors: true,
    allowUnionTypes: true,
    strictTypes: false,
    strictTuples: false,
  });
  const validate: ValidateFunction = ajv.compile(jsonSchema as object);
  const errorsOf = (data: unknown): ErrorObject[] =>
    validate(data) ? [] : (validate.errors ?? []);
  const yamlData = (text: string): unknown => parseDocument(text, { uniqueKeys: true }).toJS();

  it("accepts schema/qcow2.yaml, which starts with the yaml-language-server comment", () => {
    const text = readFileSync(join(projectRoot, "schema/qcow2.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./format.schema.json");
    expect(errorsOf(yamlData(text))).toEqual([]);
  });

  it("accepts schema/png.yaml", () => {
    const text = readFileSync(join(projectRoot, "schema/png.yaml"), "utf8");
    expect(errorsOf(yamlData(text))).toEqual([]);
  });

  it("accepts a schema that uses every construct, which the checker accepts too", () => {
    expect(modelOf("kitchen-sink.yaml", KITCHEN_SINK)).toMatchObject({ ok: true });
    expect(errorsOf(yamlData(KITCHEN_SINK))).toEqual([]);
  });

  it.each(goldens.map((g) => [g.name, g] as const))("agrees with %s", (_name, g) => {
    const doc = parseDocument(g.text, { uniqueKeys: true });
    if (g.jsonSchema === "none") {
      expect(doc.errors.length).toBeGreaterThan(0);
      return;
    }
    expect(doc.errors).toEqual([]);
    const errors = errorsOf(doc.toJS());
    if (g.jsonSchema === "valid") {
      expect(errors).toEqual([]);
      return;
    }
    expect(errors.length).toBeGreaterThan(0);
    // JSON Schema rejects the file for a reason the checker gives too: some
    // error is at, inside or around a place a problem is reported.
    const problemPaths = g.expected.map((line) => / (\/[^:]*): /.exec(line)?.[1] ?? "");
    const related = errors.some((e) =>
      problemPaths.some((p) => p.startsWith(e.instancePath) || e.instancePath.startsWith(p)),
    );
    expect(related, JSON.stringify(errors.map((e) => `${e.instancePath} ${e.message}`))).toBe(true);
  });

  it("closes every object and describes every property it declares", () => {
    const undescribed: string[] = [];
    const open: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== "object" || node === null) return;
      const schema = node as Record<string, unknown>;
      if (schema.type === "object" && schema.additionalProperties === undefined) {
        // Maps of names (types, enum values) say what their values are instead;
        // Member and TypeDef pick one closed definition with if/then/else.
        if (schema.propertyNames === undefined && schema.if === undefined) open.push(path);
      }
      // Declarations are `properties` beside `additionalProperties: false`;
      // those inside if/then/else only narrow properties declared already.
      if (schema.additionalProperties === false && typeof schema.properties === "object") {
        for (const [key, value] of Object.entries(schema.properties as object)) {
          if (typeof (value as { description?: unknown }).description !== "string")
            undescribed.push(`${path}/properties/${key}`);
        }
      }
      for (const [key, value] of Object.entries(schema)) walk(value, `${path}/${key}`);
    };
    walk(jsonSchema, "#");
    expect(undescribed).toEqual([]);
    expect(open).toEqual([]);
  });

  it("uses the checker's name patterns", () => {
    const defs = (jsonSchema as { definitions: Record<string, { pattern?: string }> }).definitions;
    expect(defs.FieldName.pattern).toBe(FIELD_NAME.source);
    expect(defs.TypeName.pattern).toBe(TYPE_NAME.source);
    expect(defs.ConstructorName.pattern).toBe(CONSTRUCTOR_NAME.source);
    const top = jsonSchema as { properties: { format: { pattern: string } } };
    expect(top.properties.format.pattern).toBe(FORMAT_NAME.source);
  });

  it("reserves the names the checker reserves", () => {
    const defs = (jsonSchema as { definitions: Record<string, { not: { enum: string[] } }> })
      .definitions;
    const reservedTypes = defs.TypeName.not.enum;
    const candidates = new Set([
      ...reservedTypes,
      ...Object.getOwnPropertyNames(globalThis),
      "Decoded",
      "CodecError",
      "Sexp",
      "Partial",
      "Readonly",
      "ReadonlyArray",
      "Record",
      "Header",
    ]);
    const typeNames = [...candidates].filter((n) => TYPE_NAME.test(n));
    expect(typeNames.filter((n) => badTypeName(n) !== undefined).sort()).toEqual(
      [...reservedTypes].sort(),
    );
    const fieldNames = Object.getOwnPropertyNames(Object.prototype).filter((n) =>
      FIELD_NAME.test(n),
    );
    expect(fieldNames.filter((n) => badFieldName(n) !== undefined).sort()).toEqual(
      [...defs.FieldName.not.enum].sort(),
    );
  });
});

describe("the CLI on a bad schema", () => {
  /** Every file under generated/ with its mtime and contents. */
  const snapshot = (): Map<string, string> => {
    const dir = join(projectRoot, "generated");
    const files = new Map<string, string>();
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      files.set(name, `${statSync(path).mtimeMs} ${readFileSync(path, "utf8")}`);
    }
    return files;
  };

  it("exits non-zero, reports file:line:col lines and writes nothing", async () => {
    const bad = goldens.filter((g) => g.name === "unknown-type.yaml" || g.name === "flags.yaml");
    const before = snapshot();
    // qcow2.yaml is fine, but nothing is written unless every schema checks out.
    // Through the npm script, the way a schema author runs the generator.
    const args = [
      "run",
      "--silent",
      "generate",
      "--",
      "schema/qcow2.yaml",
      ...bad.map((g) => g.file),
    ];
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        "npm",
        args,
        { cwd: projectRoot, env: { ...process.env, NO_COLOR: "1" } },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      ...bad.flatMap((g) => g.expected),
      "generated/ left unchanged: fix the problems above.",
    ]);
    for (const line of lines.slice(0, -1))
      expect(line).toMatch(/^test\/schema-errors\/[a-z-]+\.yaml:\d+:\d+: /);
    expect(snapshot()).toEqual(before);
  }, 60_000);
});

/** A schema using every construct of the language; the checker and the JSON Schema accept it. */
const KITCHEN_SINK = `# yaml-language-server: $schema=./format.schema.json
format: kitchen-sink
doc: Every construct once.
endian: little
root: Top
types:
  Small:
    enum: i8
    values: { Minus: -1, Zero: { value: 0, doc: nothing } }
  Name:
    enum: { string: 8 }
    open: true
    order: hash
    values: { Hello: hello, Quoted: "a\\"b" }
  Entry:
    doc: A fixed-size element.
    record:
      - { name: x, type: u16, endian: big }
      - { name: y, type: Small }
  Item:
    union: { tag: u16, length: u32, align: 4, end: { tag: 0xffff, keep: End }, padding: keep }
    order: declared
    variants:
      - { name: Entries, tag: 1, fields: [{ name: entries, type: "Entry[]" }] }
      - { name: Text, tag: 2, doc: prefixed, fields: [{ name: text, type: bytes, prefix: u8 }] }
      - name: Other
        fallback: true
        fields:
          - { name: tag, type: u16, tag: true }
          - { name: data, type: bytes }
  Wide:
    params:
      - { name: kind, type: u8, doc: "1 narrow, 2 wide" }
      - { name: order, type: Small }
    record:
      - { byte_order: order, little: Minus, big: 0, doc: chosen by the caller }
      - { name: tag, type: u8 }
      - switch: kind
        doc: two layouts
        cases:
          - when: 1
            fields: [{ name: a, type: u16 }, { name: b, type: u32 }]
          - when: 2
            doc: wide
            fields: [{ name: b, type: u64 }, { name: a, type: u32 }, { padding: 2 }]
  Chunk:
    union:
      header: [length, tag]
      tag: u32
      length: u16
      trailer: { name: crc, type: u32, checksum: crc32, covers: [tag, payload], endian: big }
    variants:
      - name: Data
        tag: DATA
        fields:
          - { name: key, type: bytes, terminator: 0 }
          - { name: data, type: bytes }
      - { name: Stop, tag: STOP, last: true }
  Top:
    gaps: zero
    record:
      - { name: magic, type: u64, const: "0xfffffffffffffff0", endian: big }
      - { name: version, type: u8, default: 1, valid: [{ check: version >= 1, message: 1 or more }] }
      - { name: name, type: Name, default: Hello }
      - { name: label, type: string, size: 4, default: "", tail: label_tail }
      - name: word
        type: u32
        flags:
          - { bit: 0, name: dirty, default: false }
          - { bit: 31, name: last }
        unknown: word_rest
      - name: mask
        type: i64
        bits: [{ bit: 63, name: sign }]
      - name: date
        type: u16
        endian: little
        bitfield:
          - { name: day, bits: 5, valid: [{ check: day >= 1, message: days start at 1 }] }
          - { name: month, bits: 4, doc: 1 to 12 }
          - { name: year, bits: 7 }
      - { name: label_length, type: u8, value: size(label_text) }
      - { name: label_text, type: text, encoding: utf8, size: label_length }
      - name: more
        group: More
        if: version >= 2
        absent: omit
        fields:
          - { name: start, type: u32, value: offset(items) }
          - { name: count, type: u16 }
          - { name: blob, type: bytes, size: count * 2 }
          - { name: pad_me, type: u8, if: count > 3, absent: omit }
          - { padding: 3, if: count > 3, keep: odd_pad }
          - { padding: 4, keep: odd_bytes }
      - { name: items, type: "Item[]" }
      - { name: chunks, type: "Chunk[]" }
      - { name: signature, magic: "KS\\x01" }
      - { name: id, type: uuid }
      - { name: gid, type: guid }
      - { name: n, type: u8 }
      - { name: entries, type: "Entry[]", count: n }
      - { name: title, type: text, encoding: utf16le, size: 16 }
      - { name: note_size, type: u64 }
      - { name: note, type: text, encoding: utf8, size: note_size }
      - { name: sum, type: u32, checksum: crc32c }
      - { name: blocks, type: u32 }
      - { name: mount_limit, type: i16, none: -1, absent: omit }
      - { name: blocks_hi, type: u16, high: blocks }
      - { name: tail_at, type: u32 }
      - { name: tail, type: Entry, at: tail_at }
      - name: csum
        type: u32
        checksum: crc32c-raw
        covers: before
        when: (blocks & 1) == 1
        keep: csum_unused
      - { let: half, value: "n > 1 ? n / 2 : 0", doc: "worked out, not stored" }
      - { name: halves, type: bytes, size: half * 2 }
      - { name: wide, type: Wide, args: { kind: n % 2 + 1, order: -1 } }
      - { name: wides, type: "Wide[]", count: 2, stride: 16, args: { kind: 2, order: 0 } }
      - { name: packed, type: "Marked[]", size: n * 16, block: 16 }
  Marked:
    doc: Told from a block's zeros by its mark.
    record:
      - { name: mark, type: u8, valid: [{ check: mark != 0, message: is never 0 }] }
      - { name: data, type: bytes, prefix: u8 }
`;
