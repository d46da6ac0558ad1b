/**
 * Measuring one case: time per operation (mitata, which batches calls so
 * that reading the clock does not swamp operations of a few hundred
 * nanoseconds), garbage-collection events per 1,000,000 operations (a
 * perf_hooks observer on `gc` entries), and bytes allocated and kept per
 * operation (V8's heap statistics around short bursts). Needs
 * `node --expose-gc`.
 */
import { PerformanceObserver, performance } from "node:perf_hooks";
import { getHeapSpaceStatistics, getHeapStatistics } from "node:v8";
import { measure } from "mitata";

/** Results land here, so that no operation's result is dead code. */
let sink: unknown;

/** The last results kept, for a test to look at. */
export function lastResult(): unknown {
  return sink;
}

type GcFunction = (options?: { type: "major" | "minor" }) => void;

/** A full collection, or with `minor` only the young generation's (much cheaper). */
export function collectGarbage(type: "major" | "minor" = "major"): void {
  const gc = (globalThis as { gc?: GcFunction }).gc;
  if (gc === undefined) throw new Error("run node with --expose-gc (npm run bench does)");
  gc({ type });
}

export function gcExposed(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === "function";
}

/** Median nanoseconds per call of `run`, from samples taken for about `minCpuMs` milliseconds. */
export async function nanosecondsPerOp(run: () => unknown, minCpuMs: number): Promise<number> {
  // An empty young generation for every case; the full collections mitata
  // would run cost more than the samples here (the caller runs one a round).
  collectGarbage("minor");
  const stats = await measure(run, {
    gc: false,
    min_cpu_time: minCpuMs * 1e6,
    // Samples of 128 calls: long enough to time, short enough for slow cases.
    batch_samples: 128,
    batch_unroll: 4,
    min_samples: 8,
    warmup_samples: 2,
  });
  return stats.p50;
}

const gcStarts: number[] = [];
let observer: PerformanceObserver | undefined;

function observeGc(): void {
  if (observer !== undefined) return;
  observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcStarts.push(entry.startTime);
  });
  observer.observe({ entryTypes: ["gc"] });
}

/** Lets the observer deliver the entries of collections so far. */
async function flushGcEntries(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Collections that started in [t0, t1]; forgets all entries seen so far. */
function collectionsBetween(t0: number, t1: number): number {
  let n = 0;
  for (const start of gcStarts) if (start >= t0 && start <= t1) n++;
  gcStarts.length = 0;
  return n;
}

export interface GcCount {
  /** Collections per 1,000,000 operations, scaled from `ops`. */
  readonly perMillion: number;
  /** The number of operations run. */
  readonly ops: number;
}

/** Runs `run` `ops` times after a full collection and counts the collections meanwhile. */
export async function gcEventsPerMillion(run: () => unknown, ops: number): Promise<GcCount> {
  observeGc();
  collectGarbage();
  await flushGcEntries();
  gcStarts.length = 0;
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) sink = run();
  const t1 = performance.now();
  await flushGcEntries();
  return { perMillion: (collectionsBetween(t0, t1) * 1e6) / ops, ops };
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

/** Heap growth over `calls` calls of `run`, or undefined if a collection ran meanwhile. */
async function burst(run: () => unknown, calls: number): Promise<number | undefined> {
  collectGarbage("minor");
  const h0 = heapUsed();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) sink = run();
  const t1 = performance.now();
  const h1 = heapUsed();
  await flushGcEntries();
  return collectionsBetween(t0, t1) > 0 || h1 < h0 ? undefined : h1 - h0;
}

/** What a burst of calls that allocate nothing shows: the measuring's own allocation. */
let burstOverhead: number | undefined;

async function measuringOverhead(): Promise<number> {
  if (burstOverhead === undefined) {
    const nothing = (): number => 0;
    let least = Infinity;
    for (let i = 0; i < 5; i++) least = Math.min(least, (await burst(nothing, 1)) ?? Infinity);
    burstOverhead = least === Infinity ? 0 : least;
  }
  return burstOverhead;
}

/**
 * Bytes allocated per call: heap growth over bursts of calls (about 2 ms,
 * at most 256) short enough that no collection runs during them (bursts
 * with one are retried shorter), less what measuring itself allocates. The
 * least over several bursts: noise only adds.
 */
export async function allocatedBytesPerOp(run: () => unknown, nsPerOp: number): Promise<number> {
  observeGc();
  const overhead = await measuringOverhead();
  let calls = Math.max(1, Math.min(256, Math.round(2e6 / nsPerOp)));
  let best = Infinity;
  for (let tries = 0, clean = 0; tries < 12 && clean < 3; tries++) {
    const grown = await burst(run, calls);
    if (grown === undefined) {
      calls = Math.max(1, calls >> 1);
      continue;
    }
    clean++;
    best = Math.min(best, Math.max(0, grown - overhead) / calls);
  }
  if (best === Infinity) throw new Error("every burst had a collection");
  return best;
}

/** Bytes of JavaScript objects on the heap: every space but code and read-only ones. */
function objectBytes(): number {
  let total = 0;
  for (const space of getHeapSpaceStatistics())
    if (!space.space_name.startsWith("code") && space.space_name !== "read_only_space")
      total += space.space_used_size;
  return total;
}

/**
 * Bytes per result still reachable when `count` results are kept: what the
 * operation returns. The median of three tries, each between two full
 * collections (one can leave some garbage behind).
 */
export function keptBytesPerResult(run: () => unknown, count: number): number {
  const tries: number[] = [];
  for (let t = 0; t < 3; t++) {
    const kept = new Array<unknown>(count).fill(undefined);
    collectGarbage();
    collectGarbage();
    const h0 = objectBytes();
    for (let i = 0; i < count; i++) kept[i] = run();
    collectGarbage();
    collectGarbage();
    tries.push((objectBytes() - h0) / count);
    sink = kept;
  }
  return tries.sort((a, b) => a - b)[1];
}
