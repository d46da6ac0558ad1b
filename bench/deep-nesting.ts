/**
 * `npm run bench:nesting`: the S-expression parser on deeply nested lists,
 * `(((…)))` 10^6 and 10^7 levels deep, against Parsexp, which reads 10^6
 * levels in about 150 ms (Sexplib's Sexp.of_string, measured on this kind of
 * machine when the issue was filed). The target: within 3× of that, and
 * linear (10^7 levels take about ten times what 10^6 take). Each result is
 * checked (the depth) before it is timed. The ratio is of CPU time (this
 * process's, garbage collection included), which a busy machine disturbs
 * less than wall time; both are shown.
 *
 *   npm run bench:nesting                 # 10^6 and 10^7
 *   npm run bench:nesting -- 100000       # other depths
 */
import { parseSexp } from "../runtime/sexp-parse.js";
import type { Sexp } from "../runtime/sexp.js";

const PARSEXP_MS_AT_1E6 = 150;
const TARGET_RATIO = 3;

/** The depth of nesting, walked without recursion; throws unless it is `n` lists around nothing. */
function checkDepth(value: Sexp, n: number): void {
  let depth = 0;
  let node: Sexp | undefined = value;
  while (node !== undefined && typeof node !== "string") {
    depth++;
    if (node.length > 1) throw new Error(`a list at depth ${depth} has ${node.length} elements`);
    node = node[0];
  }
  if (depth !== n || node !== undefined) throw new Error(`depth ${depth}, expected ${n}`);
}

function parse(text: string, n: number): void {
  const result = parseSexp(text);
  if (!result.ok) throw new Error(result.error.message);
  checkDepth(result.value, n);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function main(): void {
  const depths = process.argv.slice(2).map(Number);
  const rows: { n: number; ms: number; cpuMs: number }[] = [];
  for (const n of depths.length > 0 ? depths : [1e6, 1e7]) {
    const text = "(".repeat(n) + ")".repeat(n);
    parse(text, n); // checked, and warmed up
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let run = 0; run < (n >= 1e7 ? 3 : 7); run++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      parseSexp(text);
      const used = process.cpuUsage(cpu);
      times.push(performance.now() - start);
      cpuTimes.push((used.user + used.system) / 1000);
    }
    rows.push({ n, ms: median(times), cpuMs: median(cpuTimes) });
  }
  console.log("S-expression parser, nested lists (medians)");
  for (const { n, ms, cpuMs } of rows) {
    const parsexp = (PARSEXP_MS_AT_1E6 * n) / 1e6;
    const ratio = cpuMs / parsexp;
    const verdict = ratio <= TARGET_RATIO ? "within" : "OUTSIDE";
    console.log(
      `  ${n.toExponential().padEnd(6)} levels: ${cpuMs.toFixed(0).padStart(6)} ms CPU ` +
        `(${ms.toFixed(0)} ms wall), ${((cpuMs * 1e6) / n).toFixed(0)} ns a level; ` +
        `${ratio.toFixed(2)}× Parsexp ` +
        `(${parsexp.toFixed(0)} ms, linear from 150 ms at 1e6): ${verdict} the ${TARGET_RATIO}× target`,
    );
  }
  const [first, last] = [rows[0], rows[rows.length - 1]];
  if (first !== undefined && last !== undefined && last.n > first.n) {
    const growth = last.cpuMs / first.cpuMs / (last.n / first.n);
    console.log(`  growth from ${first.n} to ${last.n}: ${growth.toFixed(2)}× linear`);
  }
}

main();
