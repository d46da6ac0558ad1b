/**
 * The cache of formatted batches (generator/format-cache.ts): a second run
 * formats nothing and gives the same files, a small schema change formats
 * only the batches it touches and gives what an uncached run gives, a
 * damaged cache file is ignored, and `binschema generate` keeps the cache
 * in the project's node_modules/.cache (not with --no-cache).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bigSchema } from "../bench/big-schema.js";
import { FormatCache, generate, type OutputFile } from "../generator/generate.js";
import { binschema, PROJECT_ROOT } from "./support/cli.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "binschema-cache-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function files(text: string, cache?: FormatCache): Promise<OutputFile[]> {
  const result = await generate("big.yaml", text, cache === undefined ? {} : { cache });
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join("\n"));
  return result.files;
}

/** A schema of 30 blocks (about 1,200 members): many batches. */
const TEXT = bigSchema(30);

describe("formatted batches kept between runs", () => {
  test("a second run formats nothing; a changed doc formats a batch or two; both as without a cache", async () => {
    const file = join(dir, "big.json");
    const plain = await files(TEXT);

    const first = await FormatCache.open(file);
    expect(await files(TEXT, first)).toEqual(plain);
    expect(first.hits).toBe(0);
    expect(first.misses).toBeGreaterThan(20);
    await first.save();

    const second = await FormatCache.open(file);
    expect(await files(TEXT, second)).toEqual(plain);
    expect(second.misses).toBe(0);
    expect(second.hits).toBe(first.misses);
    await second.save();

    // One type's doc changes: its declarations and its layout section change, nothing else.
    const edited = TEXT.replace(
      "doc: A small fixed record (block 12).",
      "doc: A small record (block twelve), changed.",
    );
    expect(edited).not.toBe(TEXT);
    const third = await FormatCache.open(file);
    const changed = await files(edited, third);
    expect(changed).toEqual(await files(edited));
    expect(changed[0]!.text).toContain("A small record (block twelve), changed.");
    expect(third.misses).toBeGreaterThan(0);
    expect(third.misses).toBeLessThanOrEqual(6);
    expect(third.hits).toBeGreaterThan(first.misses - 10);
  }, 240_000);

  test.each([
    ["not JSON", "{ this is not"],
    ["another kind of file", JSON.stringify({ entries: { a: "b" } })],
    [
      "entries that are not text",
      JSON.stringify({ format: "binschema-format-cache-1", entries: 5 }),
    ],
  ])(
    "a cache file that is %s is ignored and replaced",
    async (_, content) => {
      const file = join(dir, `bad-${content.length}.json`);
      writeFileSync(file, content);
      const small = bigSchema(1);
      const cache = await FormatCache.open(file);
      expect(await files(small, cache)).toEqual(await files(small));
      expect(cache.hits).toBe(0);
      await cache.save();
      const again = await FormatCache.open(file);
      await files(small, again);
      expect(again.misses).toBe(0);
      expect(again.hits).toBe(cache.misses);
    },
    120_000,
  );
});

describe("binschema generate and the cache", () => {
  function project(name: string): string {
    const root = join(dir, name);
    mkdirSync(join(root, "schema"), { recursive: true });
    mkdirSync(join(root, "node_modules"));
    copyFileSync(
      join(PROJECT_ROOT, "test", "fixtures", "consumer", "myhdr.yaml"),
      join(root, "schema", "myhdr.yaml"),
    );
    return root;
  }
  const cacheDir = (root: string): string => join(root, "node_modules", ".cache", "binschema");

  test("keeps one file per schema in the project's node_modules/.cache/binschema", async () => {
    const root = project("cached");
    const run = await binschema(["generate", "--out", "gen", "schema/myhdr.yaml"], root);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const kept = readdirSync(cacheDir(root));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^format-[0-9a-f]{16}-myhdr\.yaml\.json$/);
    const check = await binschema(
      ["generate", "--check", "--out", "gen", "schema/myhdr.yaml"],
      root,
    );
    expect(check.stdout).toBe("2 generated file(s) up to date\n");
  }, 120_000);

  test("--no-cache keeps none", async () => {
    const root = project("uncached");
    const run = await binschema(
      ["generate", "--no-cache", "--out", "gen", "schema/myhdr.yaml"],
      root,
    );
    expect(run.status).toBe(0);
    expect(existsSync(join(root, "gen", "myhdr.ts"))).toBe(true);
    expect(existsSync(cacheDir(root))).toBe(false);
  }, 120_000);
});
