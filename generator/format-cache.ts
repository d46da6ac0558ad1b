/**
 * Formatted batches kept between runs, so that regenerating a large schema
 * after a small change formats only the batches that changed: prettier is
 * most of a large module's generation time. An entry is found by a hash of
 * prettier's version, its options and the text, so a hit is exactly what
 * prettier would print. The file holds only the entries the last run used
 * (its size stays about that of the output), and a cache file that cannot be
 * read is ignored: the cache can make generation faster, never different.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type Options, version } from "prettier";
import type { Formatter } from "./format.js";

/** What the cache file holds; `format` tells a file of another kind or version apart. */
interface CacheFile {
  format: "binschema-format-cache-1";
  entries: Record<string, string>;
}

export class FormatCache {
  private readonly used = new Map<string, string>();
  /** Texts formatted by prettier rather than found here, this run. */
  misses = 0;
  hits = 0;

  private constructor(
    readonly file: string,
    private readonly entries: ReadonlyMap<string, string>,
  ) {}

  /** The cache in `file`, empty if the file is missing or not a cache. */
  static async open(file: string): Promise<FormatCache> {
    const text = await readFile(file, "utf8").catch(() => undefined);
    let entries = new Map<string, string>();
    try {
      const parsed = text === undefined ? undefined : (JSON.parse(text) as Partial<CacheFile>);
      if (parsed?.format === "binschema-format-cache-1" && typeof parsed.entries === "object")
        entries = new Map(
          Object.entries(parsed.entries).filter(
            (e): e is [string, string] => typeof e[1] === "string",
          ),
        );
    } catch {
      // Not JSON: start empty, and the next save replaces it.
    }
    return new FormatCache(file, entries);
  }

  /** `formatter`, answering from the cache where it can and remembering what it formats. */
  around(formatter: Formatter): Formatter {
    return async (text, options) => {
      const key = keyOf(text, options);
      const found = this.used.get(key) ?? this.entries.get(key);
      if (found !== undefined) {
        this.hits++;
        this.used.set(key, found);
        return found;
      }
      const formatted = await formatter(text, options);
      this.misses++;
      this.used.set(key, formatted);
      return formatted;
    };
  }

  /** Writes the entries this run used, replacing the file whole (a temporary file renamed over it). */
  async save(): Promise<void> {
    const content: CacheFile = {
      format: "binschema-format-cache-1",
      entries: Object.fromEntries(this.used),
    };
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(temporary, JSON.stringify(content));
      await rename(temporary, this.file);
    } finally {
      await rm(temporary, { force: true });
    }
  }
}

function keyOf(text: string, options: Options): string {
  return createHash("sha256")
    .update(`${version}\0${JSON.stringify(options)}\0`)
    .update(text)
    .digest("base64url");
}
