import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as bytes from "../runtime/bytes.js";
import * as checksum from "../runtime/checksum.js";
import * as text from "../runtime/text.js";
import * as uuid from "../runtime/uuid.js";
import { withTempDir } from "./support/qemu.js";

/**
 * The byte-scan, checksum, UUID and text runtime modules run in a real browser and
 * give there exactly what they give in Node: the same probe runs in both
 * and the results are compared. Chromium's TextDecoder, its lack of
 * SharedArrayBuffer on an ordinary page and its JIT are the differences
 * that matter.
 */

const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"].find(
  (name) => spawnSync(name, ["--version"], { encoding: "utf8" }).status === 0,
);
const SKIP_REASON = "no chromium found: install Debian package chromium to run this in a browser";
if (CHROMIUM === undefined)
  console.warn(`[browser] skipping runtime-in-browser test: ${SKIP_REASON}`);

interface Modules {
  bytes: typeof bytes;
  checksum: typeof checksum;
  uuid: typeof uuid;
  text: typeof text;
}

/**
 * Computations over every exported function, with deterministic inputs.
 * Serialised with toString and run in the page too, so it uses nothing
 * from this module's scope.
 */
function probe({ bytes: b, checksum: c, uuid: u, text: t }: Modules): unknown[] {
  const big = new Uint8Array(70_003);
  let x = 2463534242;
  for (let i = 0; i < big.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    big[i] = x & 0xff;
  }
  const check = Uint8Array.from("123456789", (ch) => ch.charCodeAt(0));
  const out: unknown[] = [
    c.crc32(check, 0, 9),
    c.crc32c(check, 0, 9),
    c.crc32(big, 3, 70_000),
    c.crc32c(big, 1, 65_537, 5, 9),
    c.onesComplementSum32(big, 7, 70_001, 64, 68),
    u.getUuid(big, 5),
    u.getGuid(big, 5),
    u.isUuid(u.getGuid(big, 21)),
    u.isUuid("2DC27766-F623-4200-9D64-115E9BFD4A08"),
  ];
  const zeros = new Uint8Array(4099);
  zeros[4001] = 0x80;
  out.push(b.findNonZero(zeros, 1, 4099), b.findNul(big, 3, 70_000), b.allAscii(zeros, 3, 4001));
  out.push(b.allAscii(zeros, 3, 4099), b.findNul(zeros.fill(1, 0, 3000), 1, 4099));
  const g = new Uint8Array(16);
  u.setGuid(g, 0, "2dc27766-f623-4200-9d64-115e9bfd4a08");
  out.push(Array.from(g));
  const sample = `caf\u00e9 \u{1f600} ${"long text ".repeat(6)}\ufeff`;
  const buf = new Uint8Array(400);
  const n8 = t.encodeUtf8(buf, 1, sample);
  out.push(n8, t.encodedLengthUtf8(sample), Array.from(buf.subarray(0, n8 + 2)));
  out.push(t.decodeUtf8(buf, 1, 1 + n8), t.decodeUtf8(buf, 1, 5));
  out.push(
    t.decodeUtf8(Uint8Array.of(0xc0, 0x80), 0, 2),
    t.decodeUtf8(Uint8Array.of(0xed, 0xa0, 0x80), 0, 3),
  );
  for (const [encode, decode] of [
    [t.encodeUtf16le, t.decodeUtf16le],
    [t.encodeUtf16be, t.decodeUtf16be],
  ] as const) {
    const n = encode(buf, 2, sample);
    out.push(n, decode(buf, 2, 2 + n), decode(buf, 2, 2 + n - 1), decode(buf, 2, 12));
    out.push(t.findNul16(buf, 2, 2 + n + 4, encode === t.encodeUtf16le));
  }
  out.push(t.decodeUtf16le(Uint8Array.of(0x3d, 0xd8, 0x41, 0x00), 0, 4));
  out.push(t.encodedLengthUtf16le("\ud800"), t.encodedLengthAscii("\u0080"));
  const na = t.encodeAscii(buf, 0, "ascii only, long enough to go through TextDecoder");
  out.push(t.decodeAscii(buf, 0, na), t.decodeAscii(Uint8Array.of(0x41, 0x80), 0, 2));
  return out;
}

describe.skipIf(CHROMIUM === undefined)(
  CHROMIUM === undefined
    ? `runtime modules in a browser [skipped: ${SKIP_REASON}]`
    : "runtime modules in a browser",
  () => {
    it("give in Chromium exactly what they give in Node", () => {
      const expected = probe({ bytes, checksum, uuid, text });
      // Each module as a data: URL (a page from file:// may not import files);
      // its imports of other runtime modules become their data: URLs.
      const moduleUrl = (name: string): string => {
        const path = fileURLToPath(new URL(`../runtime/${name}.ts`, import.meta.url));
        const js = ts
          .transpileModule(readFileSync(path, "utf8"), {
            compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
          })
          .outputText.replace(
            /from "\.\/([a-z-]+)\.js"/g,
            (_all, dep: string) => `from ${JSON.stringify(moduleUrl(dep))}`,
          );
        return `data:text/javascript;base64,${Buffer.from(js).toString("base64")}`;
      };
      const page = `<!doctype html><html><body><pre id="out">not run</pre>
<script type="module">
const out = document.getElementById("out");
try {
  const modules = {
    bytes: await import(${JSON.stringify(moduleUrl("bytes"))}),
    checksum: await import(${JSON.stringify(moduleUrl("checksum"))}),
    uuid: await import(${JSON.stringify(moduleUrl("uuid"))}),
    text: await import(${JSON.stringify(moduleUrl("text"))}),
  };
  const probe = ${probe.toString()};
  out.textContent = "RESULT" + JSON.stringify(probe(modules));
} catch (e) {
  out.textContent = "ERROR " + e;
}
</script></body></html>`;
      withTempDir((dir) => {
        const file = join(dir, "page.html");
        writeFileSync(file, page);
        const run = spawnSync(
          CHROMIUM!,
          ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000"].concat([
            "--dump-dom",
            `file://${file}`,
          ]),
          { encoding: "utf8", timeout: 50_000, maxBuffer: 64 * 1024 * 1024 },
        );
        const dom = run.stdout ?? "";
        const match = /<pre id="out">([\s\S]*?)<\/pre>/.exec(dom);
        const shown = (match?.[1] ?? `no output; stderr: ${run.stderr}`)
          .replaceAll("&quot;", '"')
          .replaceAll("&lt;", "<")
          .replaceAll("&gt;", ">")
          .replaceAll("&amp;", "&");
        expect(shown.startsWith("RESULT"), shown.slice(0, 500)).toBe(true);
        expect(JSON.parse(shown.slice("RESULT".length))).toEqual(
          JSON.parse(JSON.stringify(expected)),
        );
      });
    });
  },
);
