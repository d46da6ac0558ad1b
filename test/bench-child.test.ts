/**
 * The benchmark's child process (bench/child.ts), which runs one case on
 * its own for `npm run bench`: it builds and checks only its case, answers
 * each round with a time, and at the end with collections and allocation,
 * then exits; an unknown case is reported, not hung on. Nothing here is
 * timed: a round of 1 ms only has to answer.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import type { FromChild, ToChild } from "../bench/child.js";

const CHILD = fileURLToPath(new URL("../bench/child.ts", import.meta.url));

/** Runs the child on `name`, sends `requests` one per reply, and returns every reply. */
function talk(name: string, requests: readonly ToChild[]): Promise<FromChild[]> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [name], {
      execArgv: ["--expose-gc", "--import", "tsx"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    const replies: FromChild[] = [];
    const pending = [...requests];
    child.on("message", (m: FromChild) => {
      replies.push(m);
      const next = pending.shift();
      if (m.kind !== "error" && next !== undefined) child.send(next);
    });
    child.on("error", reject);
    child.on("exit", () => resolve(replies));
  });
}

test("a child runs its one case: ready, a time per round, then collections and allocation", async () => {
  const replies = await talk("sizeof vdi-static generated", [
    { kind: "round", timeMs: 1 },
    { kind: "round", timeMs: 1 },
    { kind: "finish", nsPerOp: 1000 },
  ]);
  expect(replies.map((r) => r.kind)).toEqual(["ready", "round", "round", "finish"]);
  for (const r of replies)
    if (r.kind === "round") expect(r.ns).toBeGreaterThan(0);
    else if (r.kind === "finish") {
      expect(r.gcOps).toBeGreaterThan(0);
      expect(r.allocBytesPerOp).toBeGreaterThanOrEqual(0);
      expect(r.keptBytesPerOp).toBeUndefined();
    }
}, 60_000);

test("a child given a case that does not exist says so and exits", async () => {
  const replies = await talk("decode no-such-input generated", []);
  expect(replies).toEqual([{ kind: "error", message: "no case decode no-such-input generated" }]);
}, 60_000);
