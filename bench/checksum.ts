/**
 * Throughput of the runtime's checksums on 64 KiB, against Node's native
 * zlib.crc32 where this Node has it (20.15+). Each algorithm runs in its own
 * process, one after another, so none inherits another's JIT state or heap;
 * time is CPU time of the process, which a busy shared machine distorts less
 * than wall time.
 *
 *   node --import tsx bench/checksum.ts            # all, one process each
 *   node --import tsx bench/checksum.ts crc32c     # one, in this process
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";
import { crc32, crc32c, onesComplementSum32 } from "../runtime/checksum.js";

const SIZE = 64 * 1024;
const CALLS = 2000;
const ROUNDS = 9;

const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

// One byte of lead so the range starts unaligned, as a field inside a file may.
const buf = new Uint8Array(SIZE + 1);
for (let i = 0; i < buf.length; i++) buf[i] = Math.imul(i, 2654435761) >>> 24;
const data = buf.subarray(1);

const ALGORITHMS: Record<string, (() => number) | undefined> = {
  crc32: () => crc32(buf, 1, SIZE + 1),
  crc32c: () => crc32c(buf, 1, SIZE + 1),
  onesComplementSum32: () => onesComplementSum32(buf, 1, SIZE + 1),
  "zlib.crc32": zlibCrc32 === undefined ? undefined : () => zlibCrc32(data),
};

/** Median GB/s (10^9 bytes per CPU second) over ROUNDS rounds of CALLS calls. */
function measure(fn: () => number): number {
  let sink = 0;
  for (let i = 0; i < CALLS; i++) sink ^= fn();
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) sink ^= fn();
    const used = process.cpuUsage(start);
    rates.push((CALLS * SIZE) / ((used.user + used.system) * 1000));
  }
  if (sink === 0.5) console.log(sink); // keeps the calls from being optimised away
  return rates.sort((a, b) => a - b)[ROUNDS >> 1]!;
}

const only = process.argv[2];
if (only !== undefined) {
  const fn = ALGORITHMS[only];
  if (fn === undefined) throw new Error(`unknown or unavailable: ${only}`);
  console.log(measure(fn).toFixed(3));
} else {
  if (zlibCrc32 !== undefined && zlibCrc32(data) !== crc32(buf, 1, SIZE + 1))
    throw new Error("crc32 disagrees with zlib.crc32");
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, number> = {};
  for (const name of Object.keys(ALGORITHMS)) {
    if (ALGORITHMS[name] === undefined) {
      console.log(`${name.padEnd(20)} not in this Node`);
      continue;
    }
    const run = spawnSync(process.execPath, ["--import", "tsx", self, name], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
    results[name] = Number(run.stdout.trim());
    console.log(`${name.padEnd(20)} ${results[name]!.toFixed(2)} GB/s on 64 KiB`);
  }
  const native = results["zlib.crc32"];
  const ours = results["crc32"];
  if (native !== undefined && ours !== undefined)
    console.log(`crc32 / zlib.crc32    ${(ours / native).toFixed(2)}`);
}
