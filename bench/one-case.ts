/**
 * What is measured about one case besides its time: garbage collections per
 * 1,000,000 operations, bytes allocated per operation and, for decoders,
 * bytes per result kept. Shared by the one-process mode (bench/run.ts) and
 * the child process that runs one case on its own (bench/child.ts).
 */
import type { Case } from "./cases.js";
import { allocatedBytesPerOp, gcEventsPerMillion, keptBytesPerResult } from "./measure.js";

export interface Extras {
  readonly gcPerMillion: number;
  readonly gcOps: number;
  readonly allocBytesPerOp: number;
  readonly keptBytesPerOp: number | undefined;
}

export const caseName = (c: Case): string => `${c.op} ${c.input.name} ${c.impl}`;

/**
 * Operations to count collections over: a full 1,000,000 for the generated
 * codec's write and sizeof on the real inputs (the target is 0 there), or
 * as many as fit in about 10 s (VHDX's 64 KiB region table: 1,000,000
 * writes would take minutes; at 0 collections over 10 s any allocation of a
 * few bytes per write would show); else about 0.15 s worth, from 100 up to
 * 1,000,000.
 */
function gcOps(c: Case, nsPerOp: number): number {
  if (c.impl === "generated" && c.input.kind === "real" && (c.op === "encode" || c.op === "sizeof"))
    return Math.round(Math.min(1e6, 10e9 / nsPerOp));
  return Math.round(Math.min(1e6, Math.max(100, 0.15e9 / nsPerOp)));
}

export async function measureExtras(c: Case, nsPerOp: number): Promise<Extras> {
  const gc = await gcEventsPerMillion(c.run, gcOps(c, nsPerOp));
  const alloc = await allocatedBytesPerOp(c.run, nsPerOp);
  // Keep about 4 MB of results, so heap noise is small per result.
  const keptCount = Math.round(Math.min(4096, Math.max(64, 4e6 / Math.max(alloc, 1))));
  const kept = c.op === "decode" ? keptBytesPerResult(c.run, keptCount) : undefined;
  return {
    gcPerMillion: gc.perMillion,
    gcOps: gc.ops,
    allocBytesPerOp: alloc,
    keptBytesPerOp: kept,
  };
}
