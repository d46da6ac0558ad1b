/**
 * The cache of compiled codecs behind `decode` and `encode`: an entry per
 * schema text, record, trace and generator, under the user's cache folder
 * (XDG_CACHE_HOME), used instead of generating again; a damaged entry is
 * built again, an unwritable folder or BINSCHEMA_CACHE=off only means no
 * cache.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { codecCacheDir, entryName, generatorFingerprint } from "../program/commands/codec-cache.js";
import { PROJECT_ROOT, type CliRun } from "./support/cli.js";

const scratch = mkdtempSync(join(tmpdir(), "binschema-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const MYHDR = join(PROJECT_ROOT, "test", "fixtures", "consumer", "myhdr.yaml");
const FILE = join(scratch, "mine.bin");
writeFileSync(FILE, Buffer.from("4d484452030002000010000000000000", "hex"));
const VALUE = "((version 3) (kind Index) (length 4096))\n";

/** `binschema ARGS` with its environment given (and NO_COLOR). */
function run(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin", "binschema.js"), ...args], {
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ status: code ?? -1, stdout, stderr }));
  });
}

const entries = (dir: string): string[] => {
  try {
    return readdirSync(join(dir, "binschema", "codecs")).sort();
  } catch {
    return [];
  }
};

describe("where entries go, and what names them", () => {
  test("XDG_CACHE_HOME when absolute, else ~/.cache; BINSCHEMA_CACHE=off for none", () => {
    expect(codecCacheDir({ XDG_CACHE_HOME: "/x/cache" })).toBe("/x/cache/binschema/codecs");
    if (process.platform === "linux") {
      expect(codecCacheDir({})).toBe(join(homedir(), ".cache", "binschema", "codecs"));
      // The XDG specification says a relative path is ignored.
      expect(codecCacheDir({ XDG_CACHE_HOME: "rel" })).toBe(codecCacheDir({}));
    }
    expect(codecCacheDir({ XDG_CACHE_HOME: "/x", BINSCHEMA_CACHE: "off" })).toBeUndefined();
  });

  test("every part of the key, and the generator, gives another name", () => {
    const key = { schemaText: "format: a", type: undefined, trace: false };
    const names = [
      entryName(key, "g1"),
      entryName({ ...key, schemaText: "format: b" }, "g1"),
      entryName({ ...key, type: "Header" }, "g1"),
      entryName({ ...key, trace: true }, "g1"),
      entryName(key, "g2"),
    ];
    expect(new Set(names).size).toBe(names.length);
    expect(entryName(key, "g1")).toBe(names[0]);
    expect(names[0]).toMatch(/^[0-9a-f]{64}\.mjs$/);
    expect(generatorFingerprint()).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("decode and encode through the cache", () => {
  test("the first call stores an entry, later ones use it; a new schema text or --layout adds one", async () => {
    const cache = join(scratch, "xdg");
    const env = { XDG_CACHE_HOME: cache };
    const first = await run(["decode", "--schema", MYHDR, FILE], env);
    expect(first).toEqual({ status: 0, stdout: VALUE, stderr: "" });
    const [entry] = entries(cache);
    expect(entries(cache)).toHaveLength(1);
    const path = join(cache, "binschema", "codecs", entry!);
    const stored = statSync(path).mtimeMs;
    expect(readFileSync(path, "utf8")).toContain("export function read(");

    const again = await run(["decode", "--schema", MYHDR, FILE], env);
    expect(again).toEqual(first);
    const value = join(scratch, "value.sexp");
    writeFileSync(value, VALUE);
    const out = join(scratch, "out.bin");
    const encoded = await run(["encode", "--schema", MYHDR, value, "-o", out], env);
    expect(encoded).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(readFileSync(out).equals(readFileSync(FILE))).toBe(true);
    expect(entries(cache)).toEqual([entry]);
    expect(statSync(path).mtimeMs).toBe(stored);

    const edited = join(scratch, "myhdr.yaml");
    writeFileSync(edited, `${readFileSync(MYHDR, "utf8")}# a comment changes the text\n`);
    const [other, layout] = await Promise.all([
      run(["decode", "--schema", edited, FILE], env),
      run(["decode", "--schema", MYHDR, "--layout", FILE], env),
    ]);
    expect(other.stdout).toBe(VALUE);
    expect(layout.stdout).toMatch(/^0x0004 +2 {2}version +u16 little-endian +3 +03 00$/m);
    expect(entries(cache)).toHaveLength(3);
  }, 300_000);

  test("a damaged entry is built again; an unwritable folder or BINSCHEMA_CACHE=off means no cache", async () => {
    const cache = join(scratch, "damaged");
    const env = { XDG_CACHE_HOME: cache };
    expect((await run(["decode", "--schema", MYHDR, FILE], env)).stdout).toBe(VALUE);
    const [entry] = entries(cache);
    const path = join(cache, "binschema", "codecs", entry!);
    writeFileSync(path, "export const read = ;\n");
    const blocked = join(scratch, "a-file");
    writeFileSync(blocked, "not a folder\n");
    const off = join(scratch, "off");
    const [repaired, unwritable, none] = await Promise.all([
      run(["decode", "--schema", MYHDR, FILE], env),
      // mkdir under a regular file fails (ENOTDIR), even for root.
      run(["decode", "--schema", MYHDR, FILE], { XDG_CACHE_HOME: blocked }),
      run(["decode", "--schema", MYHDR, FILE], { XDG_CACHE_HOME: off, BINSCHEMA_CACHE: "off" }),
    ]);
    expect(repaired).toEqual({ status: 0, stdout: VALUE, stderr: "" });
    expect(readFileSync(path, "utf8")).toContain("export function read(");
    expect(unwritable).toEqual({ status: 0, stdout: VALUE, stderr: "" });
    expect(none).toEqual({ status: 0, stdout: VALUE, stderr: "" });
    expect(entries(off)).toEqual([]);
  }, 300_000);
});
