/**
 * A coarse guard against generation time growing faster than the schema:
 * checking and emitting a synthetic schema (bench/big-schema.ts) four times
 * as large must take well under sixteen times as long, which it would if a
 * stage were quadratic (as assembling the module through ts-morph, one
 * re-parse per declaration, was). Formatting is left out: prettier is linear
 * and the slowest stage, and would make the test long. The real numbers are
 * in the benchmark (`npm run bench:generate`), not here.
 */
import { describe, expect, test } from "vitest";
import { bigSchema, blocksFor, membersOf } from "../bench/big-schema.js";
import { emitModule } from "../generator/emit/module.js";
import { SIBLING_RUNTIME } from "../generator/generate.js";
import { modelOf } from "../generator/model-of.js";

/** CPU milliseconds (the machine may be shared: wall time would be other processes'). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU milliseconds to check and emit a synthetic schema of `blocks` blocks, and its lines. */
function emitTime(blocks: number): { ms: number; lines: number } {
  const text = bigSchema(blocks);
  const started = cpuMs();
  const model = modelOf("big.yaml", text);
  if (!model.ok) throw new Error(model.problems.map((p) => p.message).join("\n"));
  const code = emitModule(model.model, { runtime: SIBLING_RUNTIME });
  return { ms: cpuMs() - started, lines: code.split("\n").length };
}

describe("generation time grows linearly with the schema", () => {
  test("four times the members take less than eight times as long to check and emit", () => {
    emitTime(blocksFor(100)); // warm up the compiler and the generator
    const small = blocksFor(500);
    const large = 4 * small;
    const a = emitTime(small);
    const b = emitTime(large);
    const ratio = b.ms / a.ms;
    const report = `${membersOf(small)} members (${a.lines} lines): ${a.ms.toFixed(0)} ms; ${membersOf(large)} members (${b.lines} lines): ${b.ms.toFixed(0)} ms; ratio ${ratio.toFixed(1)}`;
    expect(b.lines / a.lines, report).toBeGreaterThan(3.9);
    expect(ratio, report).toBeLessThan(8);
  }, 300_000);
});

describe("the generation bench's scaling table", () => {
  test("shows a schema too big to generate as a row saying why, and the stages of the last that did", async () => {
    const { formatScaling } = await import("../bench/generation.js");
    const done = {
      target: 1000,
      members: 1007,
      lines: 35000,
      totalMs: 11000,
      wallMs: 9000,
      cachedWallMs: 3000,
      stages: { prettier: 8000, emit: 3000 },
    };
    const failed = {
      ...done,
      target: 100000,
      members: 99040,
      lines: 0,
      totalMs: 0,
      wallMs: 0,
      cachedWallMs: 0,
      stages: {},
      failed: "ran out of memory (Node's default heap) after 101 s",
    };
    const table = formatScaling([done, failed]);
    expect(table).toMatch(
      / {3}99040 +— +— +— +— +— +ran out of memory \(Node's default heap\) after 101 s/,
    );
    expect(table).toContain("stages of the 1007-member schema, 11000 ms");
  });
});
