/**
 * Throughput of the runtime's checksums (runtime/checksum.ts: CRC-32,
 * CRC-32C, VHD's one's complement byte sum) on 512 B, 4 KiB, 64 KiB and
 * 1 MiB, against native code: @node-rs/crc32 (Rust, SIMD carry-less
 * multiplication; the practical limit) and Node's own zlib.crc32 (20.15+).
 * Every algorithm × size runs in a child process of its own; the processes
 * of one size take turns over several rounds (A B C, B C A, ...), so
 * per-round ratios pair up on a shared machine. Time is the process's CPU
 * time, which a busy machine distorts less than wall time.
 *
 *   npm run bench:checksum               # the table
 *   npm run bench:checksum -- --rounds=9 --time=40
 */
import { fork, type ChildProcess } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";
import { crc32 as nativeCrc32, crc32c as nativeCrc32c } from "@node-rs/crc32";
import { crc32, crc32c, onesComplementSum32 } from "../runtime/checksum.js";
import type { Target } from "./report.js";

export const SIZES: readonly number[] = [512, 4096, 65536, 1 << 20];

const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export interface Algorithm {
  readonly name: string;
  /** What it computes, so that implementations of one checksum are compared. */
  readonly checksum: "crc32" | "crc32c" | "ones-complement-sum";
  readonly native: boolean;
  /** A function computing the checksum of `size` bytes, from an unaligned offset. */
  readonly make: (size: number) => () => number;
}

/**
 * `size` bytes of data after one byte of lead, so the range starts
 * unaligned, as a field inside a file may; a Buffer view of the same bytes
 * for the native functions, which take whole buffers.
 */
function data(size: number): { buf: Uint8Array; view: Buffer } {
  const buf = new Uint8Array(size + 1);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.imul(i, 2654435761) >>> 24;
  return { buf, view: Buffer.from(buf.buffer, 1, size) };
}

export const ALGORITHMS: readonly Algorithm[] = [
  {
    name: "runtime crc32",
    checksum: "crc32",
    native: false,
    make(size) {
      const { buf } = data(size);
      return () => crc32(buf, 1, size + 1);
    },
  },
  {
    name: "runtime crc32c",
    checksum: "crc32c",
    native: false,
    make(size) {
      const { buf } = data(size);
      return () => crc32c(buf, 1, size + 1);
    },
  },
  {
    name: "runtime ones-complement-sum",
    checksum: "ones-complement-sum",
    native: false,
    make(size) {
      const { buf } = data(size);
      return () => onesComplementSum32(buf, 1, size + 1);
    },
  },
  {
    name: "@node-rs/crc32 crc32",
    checksum: "crc32",
    native: true,
    make(size) {
      const { view } = data(size);
      return () => nativeCrc32(view);
    },
  },
  {
    name: "@node-rs/crc32 crc32c",
    checksum: "crc32c",
    native: true,
    make(size) {
      const { view } = data(size);
      return () => nativeCrc32c(view);
    },
  },
  ...(zlibCrc32 === undefined
    ? []
    : [
        {
          name: "zlib.crc32",
          checksum: "crc32",
          native: true,
          make(size: number) {
            const { view } = data(size);
            return () => zlibCrc32(view);
          },
        } satisfies Algorithm,
      ]),
];

/** Throws unless every implementation of each checksum gives the same value at every size. */
export function verifyChecksums(): void {
  for (const size of SIZES) {
    const values = new Map<string, [string, number]>();
    for (const a of ALGORITHMS) {
      const value = a.make(size)() >>> 0;
      const seen = values.get(a.checksum);
      if (seen === undefined) values.set(a.checksum, [a.name, value]);
      else if (seen[1] !== value)
        throw new Error(`${a.name} on ${size} B gives ${value}, ${seen[0]} ${seen[1]}`);
    }
  }
}

/** GB/s (10^9 bytes per CPU second) of `fn` on `size` bytes, run for about `timeMs` of CPU time. */
function gigabytesPerSecond(fn: () => number, size: number, timeMs: number): number {
  // Batches of at least 256 KiB, so reading the clock costs little.
  const batch = Math.max(1, Math.ceil((256 * 1024) / size));
  let sink = 0;
  let calls = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < timeMs * 1000) {
    for (let i = 0; i < batch; i++) sink ^= fn();
    calls += batch;
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
  if (sink === 0.5) console.log(sink); // keeps the calls from being optimised away
  return (calls * size) / (used * 1000);
}

// ---------------------------------------------------------------- child

type ToChild = { readonly timeMs: number } | "exit";
type FromChild = { readonly gbps: number } | "ready" | { readonly error: string };

function child(name: string, size: number): void {
  const algorithm = ALGORITHMS.find((a) => a.name === name);
  if (algorithm === undefined) throw new Error(`no checksum ${name}`);
  const fn = algorithm.make(size);
  gigabytesPerSecond(fn, size, 20); // warm up
  const send = (m: FromChild): void => {
    process.send?.(m);
  };
  process.on("message", (m: ToChild) => {
    if (m === "exit") process.disconnect();
    else send({ gbps: gigabytesPerSecond(fn, size, m.timeMs) });
  });
  send("ready");
}

// ---------------------------------------------------------------- parent

export interface ChecksumResult {
  readonly name: string;
  readonly checksum: Algorithm["checksum"];
  readonly native: boolean;
  readonly size: number;
  /** Each round's GB/s, in round order. */
  readonly roundsGbps: readonly number[];
  /** Median over rounds. */
  readonly gbps: number;
}

const SELF = fileURLToPath(import.meta.url);

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

class Child {
  private readonly process: ChildProcess;
  private readonly waiting: ((m: FromChild) => void)[] = [];

  constructor(
    readonly name: string,
    size: number,
  ) {
    this.process = fork(SELF, ["--child", name, String(size)], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.process.on("message", (m: FromChild) => this.waiting.shift()?.(m));
    this.process.on("exit", (code) => {
      if (code !== 0)
        for (const w of this.waiting.splice(0)) w({ error: `exited with ${String(code)}` });
    });
  }

  async next(request?: ToChild): Promise<FromChild> {
    const reply = new Promise<FromChild>((resolve) => this.waiting.push(resolve));
    if (request !== undefined) this.process.send(request);
    const m = await reply;
    if (typeof m === "object" && "error" in m) throw new Error(`${this.name}: ${m.error}`);
    return m;
  }

  async round(timeMs: number): Promise<number> {
    const m = await this.next({ timeMs });
    if (typeof m !== "object" || !("gbps" in m)) throw new Error(`${this.name}: bad reply`);
    return m.gbps;
  }

  close(): void {
    if (this.process.connected) this.process.send("exit");
  }
}

/** Every algorithm × size, each in its own process, rounds interleaved per size. */
export async function measureChecksums(
  rounds: number,
  timeMs: number,
  progress: (text: string) => void = () => {},
): Promise<ChecksumResult[]> {
  verifyChecksums();
  const results: ChecksumResult[] = [];
  for (const size of SIZES) {
    progress(`checksums on ${size} B: ${ALGORITHMS.length} processes ...`);
    const children = ALGORITHMS.map((a) => new Child(a.name, size));
    try {
      await Promise.all(children.map((c) => c.next()));
      const rates = children.map((): number[] => []);
      for (let round = 0; round < rounds; round++)
        for (let i = 0; i < children.length; i++) {
          const k = (i + round) % children.length;
          rates[k].push(await children[k].round(timeMs));
        }
      for (const [k, a] of ALGORITHMS.entries())
        results.push({
          name: a.name,
          checksum: a.checksum,
          native: a.native,
          size,
          roundsGbps: rates[k],
          gbps: median(rates[k]),
        });
    } finally {
      for (const c of children) c.close();
    }
  }
  return results;
}

/**
 * Issue 16's target for each pure-JavaScript checksum with a native peer:
 * within 4× of the native code on 64 KiB (median of per-round ratios).
 */
export function checksumTargets(results: readonly ChecksumResult[]): Target[] {
  const targets: Target[] = [];
  for (const ours of results) {
    if (ours.native || ours.size !== 65536) continue;
    for (const theirs of results) {
      if (!theirs.native || theirs.size !== 65536 || theirs.checksum !== ours.checksum) continue;
      const ratios = ours.roundsGbps.map((g, i) => theirs.roundsGbps[i] / g);
      const m = median(ratios);
      targets.push({
        target: `${ours.name} within 4× of ${theirs.name}`,
        input: "64 KiB",
        value: `${m.toFixed(1)}× slower (rounds ${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)})`,
        verdict: m <= 4 ? "met" : "missed",
      });
    }
  }
  return targets;
}

function sizeName(size: number): string {
  return size >= 1 << 20 ? `${size >> 20} MiB` : size >= 1024 ? `${size >> 10} KiB` : `${size} B`;
}

/**
 * The table: GB/s per algorithm and size, then each pure-JavaScript
 * checksum against each native one of the same checksum (how many times
 * slower, median of per-round ratios and their range).
 */
export function formatChecksums(results: readonly ChecksumResult[]): string {
  const names = [...new Set(results.map((r) => r.name))];
  const out: string[] = [];
  const rows = names.map((name) => [
    name,
    ...SIZES.map((size) => {
      const r = results.find((x) => x.name === name && x.size === size);
      return r === undefined ? "" : r.gbps.toFixed(2);
    }),
  ]);
  const header = ["checksum (GB/s)", ...SIZES.map(sizeName)];
  out.push(table(header, rows));
  out.push("");
  const ratioRows: string[][] = [];
  for (const ours of names) {
    const o = results.find((r) => r.name === ours);
    if (o === undefined || o.native) continue;
    for (const theirs of names) {
      const t = results.find((r) => r.name === theirs);
      if (t === undefined || !t.native || t.checksum !== o.checksum) continue;
      ratioRows.push([
        `${theirs} / ${ours}`,
        ...SIZES.map((size) => {
          const a = results.find((r) => r.name === ours && r.size === size);
          const b = results.find((r) => r.name === theirs && r.size === size);
          if (a === undefined || b === undefined) return "";
          const ratios = a.roundsGbps.map((g, i) => b.roundsGbps[i] / g);
          return `${median(ratios).toFixed(1)} [${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}]`;
        }),
      ]);
    }
  }
  out.push(table(["native is this many times faster", ...SIZES.map(sizeName)], ratioRows));
  return out.join("\n");
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

if (process.argv[1] === SELF) {
  const args = process.argv.slice(2);
  if (args[0] === "--child") child(args[1] ?? "", Number(args[2]));
  else {
    let rounds = 5;
    let timeMs = 30;
    for (const arg of args) {
      const [key, value] = arg.split("=");
      if (key === "--rounds") rounds = Number(value);
      else if (key === "--time") timeMs = Number(value);
      else throw new Error(`unknown option ${arg} (--rounds=N, --time=MS)`);
    }
    const results = await measureChecksums(rounds, timeMs, (t) => process.stderr.write(`${t}\n`));
    const cpu = cpus();
    console.log(
      `checksums: ${new Date().toISOString()}, node ${process.versions.node}, ` +
        `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(
            " ",
          )}; ${rounds} interleaved rounds of ~${timeMs} ms CPU, each in its own process\n`,
    );
    console.log(formatChecksums(results));
  }
}
