// instruction-count probe: node bench/zz-count.ts MODULE FIXTURE N
import { readFileSync } from "node:fs";
const [mod, fixture, n] = process.argv.slice(2) as [string, string, string];
const m = (await import(mod)) as { read: (b: Uint8Array) => unknown };
const bytes = new Uint8Array(readFileSync(fixture));
let sink = 0;
for (let i = 0; i < Number(n); i++) if (m.read(bytes) !== undefined) sink++;
if (sink < 0) console.log(sink);
