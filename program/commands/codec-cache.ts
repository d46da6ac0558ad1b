/**
 * The compiled codecs `decode` and `encode` load, kept in the user's cache
 * folder so that generating one (seconds: ts-morph, the TypeScript
 * compiler) happens once per schema, not on every call. An entry is named
 * by a hash of everything its code depends on — the schema's text, the
 * record read, whether it traces, and the generator itself (the package's
 * version and the contents of its generator and runtime sources) — so an
 * entry is never stale: a changed schema or generator is a different name.
 *
 * The folder is `$XDG_CACHE_HOME/binschema/codecs` (`~/.cache` when unset;
 * the platform's cache folder on macOS and Windows); `BINSCHEMA_CACHE=off`
 * turns the cache off. A folder that cannot be written is no error: the
 * codec is generated each time, as without a cache.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Changes when the layout of cache entries does. */
const ENTRY_FORMAT = "binschema-codec-1";

/** The cache folder for compiled codecs, or undefined when the cache is off. */
export function codecCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env["BINSCHEMA_CACHE"] === "off") return undefined;
  const xdg = env["XDG_CACHE_HOME"];
  // The XDG specification: a relative path is invalid and must be ignored.
  if (xdg !== undefined && xdg !== "" && isAbsolute(xdg)) return join(xdg, "binschema", "codecs");
  const home = homedir();
  const base =
    process.platform === "darwin"
      ? join(home, "Library", "Caches")
      : process.platform === "win32"
        ? (env["LOCALAPPDATA"] ?? join(home, "AppData", "Local"))
        : join(home, ".cache");
  return join(base, "binschema", "codecs");
}

/** The package's folder: where package.json names binschema, above this module. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && /"name":\s*"binschema"/.test(readFileSync(manifest, "utf8")))
      return dir;
    const parent = dirname(dir);
    if (parent === dir) return dirname(fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Source files under `dir` (recursively), in a fixed order. */
function sourcesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sourcesUnder(path));
    else if (/\.(ts|js)$/.test(name)) found.push(path);
  }
  return found;
}

let fingerprint: string | undefined;

/**
 * What the generator is: the package's manifest and every file of the
 * generator and the runtime it inlines (the TypeScript sources in a
 * checkout, the compiled ones in an installed package). Hashing them takes
 * milliseconds, and a checkout being edited gets new entries as it changes.
 */
export function generatorFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const root = packageRoot();
  const hash = createHash("sha256").update(readFileSync(join(root, "package.json")));
  const folders = ["generator", "runtime", join("dist", "generator"), join("dist", "runtime")];
  for (const folder of folders) {
    for (const file of sourcesUnder(join(root, folder))) {
      hash.update(`\0${relative(root, file)}\0`).update(readFileSync(file));
    }
  }
  fingerprint = hash.digest("hex");
  return fingerprint;
}

/** What a cached codec is generated from, besides the generator. */
export interface CodecKey {
  schemaText: string;
  /** The record used as the entry point, when not the schema's root. */
  type: string | undefined;
  trace: boolean;
}

/** The entry's file name: a hash of the key and the generator. */
export function entryName(key: CodecKey, generator = generatorFingerprint()): string {
  const text = JSON.stringify([
    ENTRY_FORMAT,
    generator,
    key.schemaText,
    key.type ?? null,
    key.trace,
  ]);
  return `${createHash("sha256").update(text).digest("hex")}.mjs`;
}

/** Imports JavaScript module text from memory. */
function importText(js: string): Promise<unknown> {
  return import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`);
}

/**
 * The codec module for `key`: imported from the cache when there, else
 * built with `build` (its JavaScript text), stored, and imported.
 */
export async function cachedCodec(key: CodecKey, build: () => Promise<string>): Promise<unknown> {
  const dir = codecCacheDir();
  if (dir === undefined) return importText(await build());
  const path = join(dir, entryName(key));
  if (existsSync(path)) {
    try {
      return await import(pathToFileURL(path).href);
    } catch {
      // A damaged entry (a disk error, a hand edit) is built again below.
    }
  }
  const js = await build();
  await store(dir, path, js);
  return importText(js);
}

/** Writes an entry whole or not at all (a temporary file renamed into place); failures are ignored. */
async function store(dir: string, path: string, js: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temporary, js);
    await rename(temporary, path);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}
