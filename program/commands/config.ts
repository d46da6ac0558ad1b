/**
 * The project's `binschema.yaml`: which schemas to generate, where to, and
 * how. Found from the current folder upwards, as tsc finds tsconfig.json;
 * paths in it are relative to the folder it is in.
 *
 *     schemas: [schema/*.yaml]   # files, folders (their *.yaml), or * patterns in the file name
 *     out: src/generated         # the output folder
 *     target: ts                 # ts, or js (with .d.ts)
 *     import_extension: .js      # .js, .ts or none: how a module imports a runtime folder
 *     runtime: package           # package (import binschema/runtime/...), inline, or a folder
 */
import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { Located } from "../../generator/load.js";
import { formatProblem, type Problem } from "../../generator/problem.js";
import { CommandError } from "./output.js";

export const CONFIG_FILE = "binschema.yaml";

export type Target = "ts" | "js";
export type ImportExtension = ".js" | ".ts" | "";
/** `package`: import from the installed binschema package; `inline`: copy into each module; else a folder. */
export type RuntimeChoice =
  { kind: "package" } | { kind: "inline" } | { kind: "folder"; dir: string };

export interface Config {
  /** The config file, or undefined when there is none. */
  file: string | undefined;
  /** The folder paths are relative to: the config file's, or the current one. */
  base: string;
  /** Schema entries as written: files, folders, or patterns. */
  schemas: string[];
  out: string | undefined;
  target: Target;
  importExtension: ImportExtension;
  runtime: RuntimeChoice;
}

/** The nearest binschema.yaml in `from` or a folder above it. */
export function findConfig(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export const parseTarget = (text: string): Target | undefined =>
  text === "ts" || text === "js" ? text : undefined;

export const parseImportExtension = (text: string): ImportExtension | undefined =>
  text === ".js" || text === ".ts" ? text : text === "none" || text === "" ? "" : undefined;

/** `package`, `inline`, or a folder (relative to `base`). */
export function parseRuntime(text: string, base: string): RuntimeChoice {
  if (text === "package" || text === "inline") return { kind: text };
  return { kind: "folder", dir: resolve(base, text) };
}

/** The defaults, for a run with no config file. */
export function defaultConfig(base: string): Config {
  return {
    file: undefined,
    base,
    schemas: [],
    out: undefined,
    target: "ts",
    importExtension: ".js",
    runtime: { kind: "package" },
  };
}

/** Reads and checks a config file; every problem is reported as `file:line:col: message`. */
export async function loadConfig(path: string): Promise<Config> {
  const shown = relative(process.cwd(), path) || path;
  const text = await readFile(path, "utf8").catch((error: Error) => {
    throw new CommandError(`${shown}: cannot read: ${error.message}`);
  });
  // The YAML reader loads only when a config is read, so --help stays quick.
  const { loadSchema } = await import("../../generator/load.js");
  const loaded = loadSchema(shown, text);
  const problems: Problem[] = "problems" in loaded ? [...loaded.problems] : [];
  const base = dirname(path);
  const config = defaultConfig(base);
  config.file = path;
  const report = (node: Located, message: string): void => {
    problems.push({ ...node.at, message });
  };
  const string = (node: Located, what: string): string | undefined => {
    if (node.kind === "scalar" && typeof node.value === "string") return node.value;
    report(node, `${what} must be a string`);
    return undefined;
  };

  if (!("problems" in loaded)) {
    const root = loaded.root;
    if (root.kind !== "map") report(root, `${CONFIG_FILE} must be a map of settings`);
    else
      for (const { key, keyAt, value } of root.entries) {
        if (key === "schemas") {
          const items = value.kind === "seq" ? value.items : [value];
          for (const item of items) {
            const entry = string(item, "each schema entry");
            if (entry !== undefined) config.schemas.push(entry);
          }
        } else if (key === "out") {
          config.out = string(value, "out");
        } else if (key === "target") {
          const text = string(value, "target");
          const target = text === undefined ? undefined : parseTarget(text);
          if (target !== undefined) config.target = target;
          else if (text !== undefined)
            report(value, `target must be ts or js, not ${JSON.stringify(text)}`);
        } else if (key === "import_extension") {
          const text =
            value.kind === "scalar" && value.value === null
              ? "none"
              : string(value, "import_extension");
          const ext = text === undefined ? undefined : parseImportExtension(text);
          if (ext !== undefined) config.importExtension = ext;
          else if (text !== undefined)
            report(value, `import_extension must be .js, .ts or none, not ${JSON.stringify(text)}`);
        } else if (key === "runtime") {
          const text = string(value, "runtime");
          if (text !== undefined) config.runtime = parseRuntime(text, base);
        } else {
          problems.push({
            ...keyAt,
            message: `unknown setting ${JSON.stringify(key)} (known: schemas, out, target, import_extension, runtime)`,
          });
        }
      }
  }
  if (problems.length > 0) throw new CommandError(problems.map(formatProblem).join("\n"));
  return config;
}

/**
 * The schema files the entries name, relative to `base`: a file as it is, a
 * folder's `*.yaml`, and a pattern's matches (`*` within a file name). Each
 * file once, in the order named, folders and patterns sorted.
 */
export async function expandSchemas(base: string, entries: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of entries) {
    const path = resolve(base, entry);
    const name = basename(path);
    if (name.includes("*")) {
      const pattern = new RegExp(
        `^${name.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`,
      );
      const names = await list(dirname(path), entry);
      const matched = names.filter((n) => pattern.test(n)).map((n) => join(dirname(path), n));
      if (matched.length === 0) throw new CommandError(`${entry}: no schema matches`);
      files.push(...matched);
      continue;
    }
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) throw new CommandError(`${entry}: no such schema file or folder`);
    if (info.isDirectory()) {
      const names = (await list(path, entry)).filter(
        (n) => n.endsWith(".yaml") || n.endsWith(".yml"),
      );
      if (names.length === 0) throw new CommandError(`${entry}: the folder holds no .yaml schemas`);
      files.push(...names.map((n) => join(path, n)));
    } else files.push(path);
  }
  return [...new Set(files)];
}

async function list(dir: string, shown: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: Error) => {
    throw new CommandError(`${shown}: cannot list ${dir}: ${error.message}`);
  });
  return names.sort();
}
