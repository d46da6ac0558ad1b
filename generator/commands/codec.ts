/**
 * `binschema decode` and `binschema encode`: any schema's codec, on files.
 * The codec is generated from the schema on the spot (the runtime inlined,
 * compiled to JavaScript) and loaded from memory, so what these commands do
 * is exactly what the generated module does in a user's program.
 */
import { open, readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { LayoutNode } from "../../runtime/trace.js";
import { formatProblem } from "../problem.js";
import { layoutLines } from "./layout.js";
import { CommandError, EXIT } from "./output.js";

/** What every generated module exports, as these commands use it. */
interface Codec {
  read(buf: Uint8Array, at?: number): { value: unknown; end: number } | { message: string };
  write(value: unknown, buf: Uint8Array, at?: number): number | { message: string };
  sizeof(value: unknown): number;
  toString(value: unknown): string;
  fromString(text: string): unknown;
  CodecError: abstract new (...args: never[]) => { message: string };
  SexpError?: abstract new (...args: never[]) => { message: string };
  /** Only in a codec generated with `trace` (see emit/read.ts). */
  layout?(
    buf: Uint8Array,
    at?: number,
  ): { value: unknown; end: number; nodes: LayoutNode[] } | { message: string };
}

interface CodecOptions {
  schema: string;
  type?: string;
  at?: string;
  /** Generate the codec with `layout`, which gives each member's byte range. */
  trace?: boolean;
}

/** A whole number of bytes: decimal, or hexadecimal with 0x. */
function offset(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = /^0x[0-9a-f]+$/i.test(text)
    ? parseInt(text, 16)
    : /^\d+$/.test(text)
      ? Number(text)
      : NaN;
  if (!Number.isSafeInteger(n))
    throw new CommandError(`--at must be a byte offset (decimal or 0x hex), got "${text}"`);
  return n;
}

/** Generates and loads the codec of `options.schema`, with `options.type` (a record) as its entry point. */
async function loadCodec(options: CodecOptions): Promise<Codec> {
  const text = await readFile(options.schema, "utf8").catch((error: Error) => {
    throw new CommandError(`${options.schema}: cannot read: ${error.message}`);
  });
  const { modelOf } = await import("../model-of.js");
  const checked = modelOf(options.schema, text);
  if (!checked.ok) throw new CommandError(checked.problems.map(formatProblem).join("\n"));
  let model = checked.model;
  if (options.type !== undefined) {
    const records = model.types.filter((t) => t.kind === "record");
    const entry = records.find((t) => t.name === options.type);
    if (entry === undefined || entry.kind !== "record")
      throw new CommandError(
        `${options.schema}: no record named ${options.type}; records: ${records.map((r) => r.name).join(", ")}`,
      );
    model = { ...model, root: entry };
  }
  const { generateFrom } = await import("../generate.js");
  const files = await generateFrom(model, {
    runtime: { kind: "inline" },
    target: "js",
    trace: options.trace === true,
  });
  const js = files.find((f) => f.name.endsWith(".js"));
  if (js === undefined) throw new Error("no JavaScript generated");
  const url = `data:text/javascript;base64,${Buffer.from(js.text).toString("base64")}`;
  return (await import(url)) as Codec;
}

/** Bytes from `at` onwards, at most `limit` of them: a record is read from its start, never a whole disk. */
async function readRegion(path: string, at: number, limit = 16 * 1024 * 1024): Promise<Uint8Array> {
  const file = await open(path, "r").catch((error: Error) => {
    throw new CommandError(`${path}: cannot open: ${error.message}`);
  });
  try {
    const { size } = await file.stat();
    if (at > size) throw new CommandError(`${path}: --at ${at} is past the end (${size} bytes)`);
    const buf = new Uint8Array(Math.min(limit, size - at));
    const { bytesRead } = await file.read(buf, 0, buf.length, at);
    return buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** JSON for a decoded value: bigints as decimal strings, byte strings as they are. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** The value at `path` (`additional.refcount_order`, `extensions[0].kind`) within `value`. */
function fieldAt(value: unknown, path: string): unknown {
  let current = value;
  let walked = "";
  for (const step of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    const key = step.startsWith("[") ? Number(step.slice(1, -1)) : step;
    walked += typeof key === "number" ? step : walked === "" ? step : `.${step}`;
    if (current === null || typeof current !== "object" || !(key in current))
      throw new CommandError(`--field ${path}: the value has no ${walked}`);
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** One field's value for scripts: scalars bare, anything else as JSON. */
function showField(v: unknown): string {
  if (
    typeof v === "string" ||
    typeof v === "number" ||
    typeof v === "bigint" ||
    typeof v === "boolean"
  )
    return String(v);
  return v === undefined ? "" : toJson(v);
}

interface DecodeOptions extends CodecOptions {
  json?: boolean;
  field?: string;
  layout?: boolean;
}

async function runDecode(file: string, options: DecodeOptions): Promise<number> {
  const at = offset(options.at);
  const ways = [options.json === true, options.field !== undefined, options.layout === true];
  if (ways.filter(Boolean).length > 1)
    throw new CommandError("decode: give at most one of --json, --field and --layout");
  const codec = await loadCodec({ ...options, trace: options.layout === true });
  const buf = await readRegion(file, at);
  const result =
    options.layout === true && codec.layout !== undefined ? codec.layout(buf) : codec.read(buf);
  if (result instanceof codec.CodecError || !("value" in result)) {
    const where = at === 0 ? "" : ` (byte offsets from --at ${at})`;
    console.error(`${file}: ${result.message}${where}`);
    return EXIT.finding;
  }
  if ("nodes" in result && Array.isArray(result.nodes)) {
    for (const line of layoutLines(result.nodes as LayoutNode[], buf, at, result.end))
      console.log(line);
  } else if (options.field !== undefined)
    console.log(showField(fieldAt(result.value, options.field)));
  else if (options.json === true) console.log(toJson(result.value));
  else console.log(codec.toString(result.value));
  return EXIT.ok;
}

interface EncodeOptions extends CodecOptions {
  output?: string;
}

async function runEncode(input: string | undefined, options: EncodeOptions): Promise<number> {
  const codec = await loadCodec(options);
  const text =
    input === undefined || input === "-"
      ? await new Promise<string>((done, fail) => {
          let data = "";
          process.stdin.setEncoding("utf8").on("data", (d: string) => (data += d));
          process.stdin.on("end", () => done(data)).on("error", fail);
        })
      : await readFile(input, "utf8").catch((error: Error) => {
          throw new CommandError(`${input}: cannot read: ${error.message}`);
        });
  const value = codec.fromString(text);
  if (codec.SexpError !== undefined && value instanceof codec.SexpError) {
    console.error(`${input ?? "stdin"}: ${value.message}`);
    return EXIT.finding;
  }
  const bytes = new Uint8Array(codec.sizeof(value));
  const end = codec.write(value, bytes);
  if (typeof end !== "number") {
    console.error(`${input ?? "stdin"}: does not encode: ${end.message}`);
    return EXIT.finding;
  }
  if (options.output === undefined) process.stdout.write(bytes);
  else
    await writeFile(options.output, bytes).catch((error: Error) => {
      throw new CommandError(`${options.output}: cannot write: ${error.message}`);
    });
  return EXIT.ok;
}

export function registerCodecCommands(
  program: Command,
  run: (work: () => Promise<number>) => void,
): void {
  program
    .command("decode")
    .description(
      "decode a file with any schema's codec and print the value (S-expression, --json, or --layout)",
    )
    .argument("<file>", "the file to read (from --at, at most 16 MiB of it)")
    .requiredOption("--schema <schema>", "the schema whose codec reads the file")
    .option("--type <record>", "read this record of the schema instead of its root")
    .option("--at <offset>", "where the record starts (decimal, or 0x hex)")
    .option("--json", "print JSON (64-bit integers as decimal strings)")
    .option(
      "--layout",
      "print every member with its byte range, type and value, beside a hex dump of its bytes",
    )
    .option(
      "--field <path>",
      "print one field's value alone, e.g. additional.refcount_order or extensions[0].kind",
    )
    .action((file: string, options: DecodeOptions) => run(() => runDecode(file, options)));
  program
    .command("encode")
    .description(
      "encode a value given as S-expression text with any schema's codec, refusing values that do not encode",
    )
    .argument("[input]", "the S-expression text (stdin if absent or -)")
    .requiredOption("--schema <schema>", "the schema whose codec writes the value")
    .option("--type <record>", "write this record of the schema instead of its root")
    .option("-o, --output <file>", "write the bytes to this file (stdout if absent)")
    .action((input: string | undefined, options: EncodeOptions) =>
      run(() => runEncode(input, options)),
    );
}
