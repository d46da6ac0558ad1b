/**
 * `binschema decode` and `binschema encode`: any schema's codec, on files.
 * The codec is generated from the schema on the spot (the runtime inlined,
 * compiled to JavaScript) and loaded from memory, so what these commands do
 * is exactly what the generated module does in a user's program.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { open, readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { LayoutNode } from "../../runtime/trace.js";
import type { RecordDef } from "../../generator/model.js";
import { formatProblem } from "../../generator/problem.js";
import { RegionWriteError, readAt, writeAt } from "../file-region.js";
import { fieldAt, showField, toJson } from "./field-path.js";
import { JsonSyntaxError, parseJson, valueFromJson } from "./json-value.js";
import { cachedCodec } from "./codec-cache.js";
import { layoutLines } from "./layout.js";
import { diffHunks, lineDiff } from "../line-diff.js";
import { CommandError, EXIT, green, reasonOf, shown, yellow } from "./output.js";

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

/** A schema's codec, loaded, and the record it reads and writes. */
interface Loaded {
  codec: Codec;
  root: RecordDef;
}

/**
 * Loads the codec of `options.schema`, with `options.type` (a record) as its
 * entry point: from the cache of compiled codecs, or generated (and cached).
 */
async function loadCodec(options: CodecOptions): Promise<Loaded> {
  const text = await readFile(options.schema, "utf8").catch((error: Error) => {
    throw new CommandError(`${options.schema}: cannot read: ${error.message}`);
  });
  const { modelOf } = await import("../../generator/model-of.js");
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
  const entry = model;
  const key = { schemaText: text, type: options.type, trace: options.trace === true };
  const codec = await cachedCodec(key, async () => {
    const { codecJs } = await import("../../generator/codec-js.js");
    return codecJs(entry, { trace: key.trace });
  });
  return { codec: codec as Codec, root: model.root };
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
  const { codec } = await loadCodec({ ...options, trace: options.layout === true });
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
  into?: string;
  from?: string;
  dryRun?: boolean;
}

/** The input text: a file, or stdin when absent or `-`. */
async function inputText(input: string | undefined): Promise<string> {
  if (input === undefined || input === "-")
    return new Promise<string>((done, fail) => {
      let data = "";
      process.stdin.setEncoding("utf8").on("data", (d: string) => (data += d));
      process.stdin.on("end", () => done(data)).on("error", fail);
    });
  return readFile(input, "utf8").catch((error: Error) => {
    throw new CommandError(`${input}: cannot read: ${error.message}`);
  });
}

/**
 * The value the input gives, or why it does not: JSON (as `decode --json`
 * prints it) or S-expression text (as `decode` prints it), told apart by
 * `--from` or else by the first character (`{` or `(`).
 */
function inputValue(
  text: string,
  from: string | undefined,
  loaded: Loaded,
): { value: unknown } | { error: string } {
  const { codec, root } = loaded;
  if (from !== undefined && from !== "json" && from !== "sexp")
    throw new CommandError(`--from must be json or sexp, got "${from}"`);
  const json = from === undefined ? /^\s*[{[]/.test(text) : from === "json";
  if (json) {
    try {
      return { value: valueFromJson(root, parseJson(text)) };
    } catch (error) {
      if (error instanceof JsonSyntaxError) return { error: error.message };
      throw error;
    }
  }
  const value = codec.fromString(text);
  if (codec.SexpError !== undefined && value instanceof codec.SexpError)
    return { error: value.message };
  return { value };
}

async function runEncode(input: string | undefined, options: EncodeOptions): Promise<number> {
  const at = options.at === undefined ? undefined : offset(options.at);
  if (at !== undefined && options.into === undefined)
    throw new CommandError("encode: --at needs --into FILE (the file to write into)");
  if (options.into !== undefined && options.output !== undefined)
    throw new CommandError(
      "encode: give -o FILE (a new file) or --into FILE (an existing one), not both",
    );
  const loaded = await loadCodec(options);
  const { codec } = loaded;
  const source = input === undefined || input === "-" ? "stdin" : input;
  const parsed = inputValue(await inputText(input), options.from, loaded);
  if ("error" in parsed) {
    console.error(`${source}: ${parsed.error}`);
    return EXIT.finding;
  }
  const bytes = new Uint8Array(codec.sizeof(parsed.value));
  const end = codec.write(parsed.value, bytes);
  if (typeof end !== "number") {
    console.error(`${source}: does not encode: ${end.message}`);
    return EXIT.finding;
  }
  if (options.dryRun === true && options.into === undefined)
    throw new CommandError("encode: --dry-run needs --into FILE (the file it would write into)");
  if (options.into !== undefined) {
    const dryRun =
      options.dryRun === true
        ? (old: Uint8Array) => printDryRun(codec, old, parsed.value)
        : undefined;
    return writeInto(options.into, at ?? 0, bytes, dryRun);
  }
  if (options.output === undefined) process.stdout.write(bytes);
  else
    await writeFile(options.output, bytes).catch((error: Error) => {
      throw new CommandError(`${options.output}: cannot write: ${error.message}`);
    });
  return EXIT.ok;
}

/**
 * What a dry run prints: the value the file holds now and the new one, as
 * S-expressions, diffed line by line (or, when the bytes there do not
 * decode, why).
 */
function printDryRun(codec: Codec, old: Uint8Array, value: unknown): void {
  const now = codec.read(old);
  if (!("value" in now)) {
    console.log(`- (the bytes there do not decode: ${now.message})`);
    for (const line of codec.toString(value).split("\n")) console.log(green(`+ ${line}`));
    return;
  }
  for (const line of diffHunks(lineDiff(codec.toString(now.value), codec.toString(value)))) {
    const text = `${line.op} ${line.text}`;
    console.log(line.op === "-" ? yellow(text) : line.op === "+" ? green(text) : text);
  }
}

/**
 * Writes `bytes` over an existing file's bytes at `at`, with one positioned
 * write and an fdatasync, and reads them back. Refused, with the file
 * untouched, when the file is missing or the bytes would run past its end;
 * a failed write says what the file holds now.
 */
function writeInto(
  path: string,
  at: number,
  bytes: Uint8Array,
  dryRun?: (old: Uint8Array) => void,
): number {
  let fd: number;
  try {
    fd = openSync(path, dryRun === undefined ? "r+" : "r");
  } catch (error) {
    throw new CommandError(`${shown(path)}: cannot open: ${reasonOf(error)}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (at + bytes.length > size)
      throw new CommandError(
        `${shown(path)}: refused: ${bytes.length} bytes at ${at} run past the end of the file ` +
          `(${size} bytes); the file is untouched`,
        EXIT.finding,
      );
    const old = readAt(fd, at, bytes.length);
    if (dryRun !== undefined) {
      console.log(`--- ${shown(path)} at ${at} (now)\n+++ ${shown(path)} at ${at} (after)`);
      dryRun(old);
      const differ = old.reduce((n, b, i) => n + (b === bytes[i] ? 0 : 1), 0);
      console.log(
        `${shown(path)}: dry run: ${bytes.length} bytes at ${at} not written (${differ} would change)`,
      );
      return EXIT.ok;
    }
    try {
      writeAt(fd, at, bytes, old);
    } catch (error) {
      if (!(error instanceof RegionWriteError)) throw error;
      const state = {
        unchanged: "the file is unchanged",
        written: "the new bytes were written but may not be on disk",
        "partly written": `bytes ${at} to ${at + bytes.length} are partly written`,
        unknown: "the file may have changed",
      }[error.step === "sync" ? "written" : error.state];
      const what = error.step === "sync" ? "cannot sync the new bytes to disk" : "cannot write";
      throw new CommandError(`${shown(path)}: ${what}: ${reasonOf(error.reason)}; ${state}`);
    }
    const back = readAt(fd, at, bytes.length);
    if (!back.every((b, i) => b === bytes[i]) || back.length !== bytes.length)
      throw new CommandError(`${shown(path)}: the bytes read back differ from those written`);
    return EXIT.ok;
  } finally {
    closeSync(fd);
  }
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
      "encode a value given as JSON or S-expression text with any schema's codec, refusing values that do not encode",
    )
    .argument(
      "[input]",
      "the value, as decode prints it with or without --json (stdin if absent or -)",
    )
    .requiredOption("--schema <schema>", "the schema whose codec writes the value")
    .option("--type <record>", "write this record of the schema instead of its root")
    .option(
      "--from <format>",
      "the input is json or sexp (by default, told by its first character)",
    )
    .option("-o, --output <file>", "write the bytes to this file (stdout if absent)")
    .option(
      "--into <file>",
      "write the bytes into this existing file, in place (one positioned write, then fdatasync)",
    )
    .option("--at <offset>", "with --into: where in the file (decimal, or 0x hex; 0 by default)")
    .option("--dry-run", "with --into: print the difference the write would make; write nothing")
    .action((input: string | undefined, options: EncodeOptions) =>
      run(() => runEncode(input, options)),
    );
}
