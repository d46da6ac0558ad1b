/**
 * One benchmark case in a process of its own, driven by bench/run.ts over
 * IPC, so that no other implementation's JIT state or garbage is in the
 * heap while it is timed. It builds only its case, checks the result, warms
 * up and says `ready`; then each `round` message times one round and
 * answers the median nanoseconds per operation; `finish` counts
 * collections and allocation, answers, and exits.
 *
 *   node --expose-gc --import tsx bench/child.ts 'decode v3-default generated'
 */
import { buildCases } from "./cases.js";
import { collectGarbage, gcExposed, nanosecondsPerOp } from "./measure.js";
import { caseName, measureExtras } from "./one-case.js";

export type ToChild =
  | { readonly kind: "round"; readonly timeMs: number }
  | { readonly kind: "finish"; readonly nsPerOp: number };

export type FromChild =
  | { readonly kind: "ready" }
  | { readonly kind: "round"; readonly ns: number }
  | {
      readonly kind: "finish";
      readonly gcPerMillion: number;
      readonly gcOps: number;
      readonly allocBytesPerOp: number;
      readonly keptBytesPerOp: number | undefined;
    }
  | { readonly kind: "error"; readonly message: string };

function send(message: FromChild): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) throw new Error("bench/child.ts runs under bench/run.ts");
    process.send(message, undefined, undefined, (error) =>
      error === null ? resolve() : reject(error),
    );
  });
}

async function main(): Promise<void> {
  const wanted = process.argv[2];
  if (wanted === undefined) throw new Error("usage: bench/child.ts 'OP INPUT IMPLEMENTATION'");
  if (!gcExposed()) throw new Error("run with node --expose-gc");
  const c = buildCases((name) => name === wanted).find((x) => caseName(x) === wanted);
  if (c === undefined) throw new Error(`no case ${wanted}`);
  c.check();
  const until = performance.now() + 20;
  while (performance.now() < until) c.run();
  collectGarbage();
  process.on("message", (message: ToChild) => {
    void (async () => {
      try {
        if (message.kind === "round") {
          await send({ kind: "round", ns: await nanosecondsPerOp(c.run, message.timeMs) });
        } else {
          await send({ kind: "finish", ...(await measureExtras(c, message.nsPerOp)) });
          process.disconnect();
        }
      } catch (error) {
        await send({
          kind: "error",
          message: error instanceof Error ? error.message : String(error),
        });
        process.exit(1);
      }
    })();
  });
  await send({ kind: "ready" });
}

main().catch(async (error: unknown) => {
  await send({ kind: "error", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
