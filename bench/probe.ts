/**
 * Runs one bench case N times and nothing else, for counting instructions
 * with callgrind: wall times on a shared machine are noisy, instruction
 * counts are not. The count at two values of N, subtracted, divided by the
 * difference, is the cost of one operation, start-up and JIT warm-up
 * cancelled out:
 *
 *   one() { valgrind --tool=callgrind --callgrind-out-file=/dev/null \
 *     --smc-check=all-non-file node --import tsx bench/probe.ts "$1" "$2" \
 *     2>&1 >/dev/null | grep -o 'Collected : [0-9]*' | grep -o '[0-9]*'; }
 *   a=$(one "decode png-interlaced generated" 20000)
 *   b=$(one "decode png-interlaced generated" 120000)
 *   echo $(( (b - a) / 100000 ))   # instructions per decode
 *
 * CASE is a case's name as the bench table shows it: `OPERATION INPUT
 * IMPLEMENTATION` (`encode tar-gnu hand-written`). Pick N so that the
 * smaller run is well past warm-up (tens of thousands of operations of a
 * few microseconds); each run under callgrind takes about 50 times as long
 * as without.
 */
import { buildCases } from "./cases.js";

const [name, n] = process.argv.slice(2);
if (name === undefined || n === undefined || !(Number(n) >= 0)) {
  process.stderr.write("usage: node --import tsx bench/probe.ts CASE N\n");
  process.exit(2);
}
const cases = buildCases((x) => x === name);
if (cases.length !== 1) {
  process.stderr.write(`no bench case is named ${JSON.stringify(name)}\n`);
  process.exit(2);
}
const run = cases[0]!.run;
let sink: unknown;
for (let i = 0; i < Number(n); i++) sink = run();
// Keeps the results alive, so no call is dead code.
if (sink === Symbol.iterator) console.log(sink);
