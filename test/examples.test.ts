/**
 * The consumer projects in examples/, run as a user runs them: the package
 * is packed with `npm pack` (which builds it), each example is copied to a
 * temporary folder and installs the tarball, generates its own codec from
 * its own schema with the installed program, and runs — plain Node ESM with
 * no loader; a strict TypeScript build (NodeNext, and moduleResolution
 * bundler); and a page bundled with esbuild, loaded in headless Chromium
 * under a strict Content-Security-Policy. A project that only imports
 * codecs installs the one package.
 *
 * Chromium is Debian's `chromium`, driven by playwright-core. Where it is
 * missing the browser test is skipped with that reason, and fails under
 * CI=true (CI installs it).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PROJECT_ROOT } from "./support/cli.js";

const run = promisify(execFile);
const IMAGE = join(PROJECT_ROOT, "test", "fixtures", "qcow2", "backing.bin");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

let work: string;
let tarball: string;

/** Runs a command in `cwd`; a failure's message carries the command's output. */
async function sh(cwd: string, command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(" ")} in ${cwd}:\n${e.stdout ?? ""}${e.stderr ?? e.message}`,
    );
  }
}

const npmInstall = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

/** Copies examples/NAME to the work folder, with the binschema dependency on the tarball, and installs it. */
async function install(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(join(PROJECT_ROOT, "examples", name), dir, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|gen|dist)$/.test(source),
  });
  const manifestPath = join(dir, "package.json");
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as {
    dependencies: Record<string, string>;
  };
  manifest.dependencies["binschema"] = `file:${tarball}`;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  await sh(dir, "npm", npmInstall);
  return dir;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "binschema-examples-"));
  const packed = JSON.parse(
    await sh(PROJECT_ROOT, "npm", [
      "pack",
      "--json",
      "--loglevel=error",
      "--pack-destination",
      work,
    ]),
  ) as { filename: string; entryCount: number }[];
  const entry = packed[0];
  if (entry === undefined) throw new Error("npm pack packed nothing");
  tarball = join(work, entry.filename);
  console.log(`[examples] ${entry.filename}: ${entry.entryCount} files`);
}, 600_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("consumer projects from the packed tarball", () => {
  test("the tarball holds the compiled package and no tests", async () => {
    const listing = await sh(work, "tar", ["-tzf", tarball]);
    const files = listing.trim().split("\n");
    expect(files).toContain("package/dist/runtime/codec.js");
    expect(files).toContain("package/dist/runtime/codec.d.ts");
    expect(files).toContain("package/dist/generated/qcow2.js");
    expect(files).toContain("package/dist/program/cli.js");
    // The formatting thread, JavaScript as it is written.
    expect(files).toContain("package/dist/generator/format-worker.mjs");
    expect(files).toContain("package/runtime/codec.ts");
    expect(files.filter((f) => /^package\/(test|bench|\.ci)\//.test(f))).toEqual([]);
    expect(
      files.filter(
        (f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f) && !f.startsWith("package/runtime/"),
      ),
    ).toEqual([]);
  });

  test("a project that only imports codecs installs nothing but binschema", async () => {
    const dir = join(work, "codec-only");
    await mkdir(dir);
    await writeFile(
      join(dir, "package.json"),
      '{ "name": "codec-only", "private": true, "type": "module" }\n',
    );
    await sh(dir, "npm", [...npmInstall, tarball]);
    const installed = (await readdir(join(dir, "node_modules"))).filter((n) => !n.startsWith("."));
    expect(installed).toEqual(["binschema"]);
    const size = await sh(dir, "du", ["-sk", "node_modules"]);
    console.log(`[examples] codec-only node_modules: ${size.split("\t")[0]} KiB`);
    const out = await sh(dir, process.execPath, [
      "--input-type=module",
      "-e",
      `import { readFileSync } from "node:fs";
       import { read } from "binschema/generated/qcow2";
       const r = read(readFileSync(${JSON.stringify(IMAGE)}));
       console.log("value" in r ? r.value.version : r.message);`,
    ]);
    expect(out).toBe("Three\n");
    // The program says what it needs rather than failing with a stack trace.
    const help = await run("npx", ["binschema", "--help"], { cwd: dir }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(help).toMatchObject({ code: 2 });
    expect((help as { stderr: string }).stderr).toContain(
      "npm install --save-dev commander yaml ts-morph prettier",
    );
  }, 600_000);

  test("plain Node ESM, no loader", async () => {
    const dir = await install("node-esm");
    expect(await sh(dir, "npx", ["binschema", "--version"])).toBe("0.1.0\n");
    await sh(dir, "npm", ["run", "--silent", "generate"]);
    expect((await readdir(join(dir, "gen"))).sort()).toEqual([
      "myhdr.d.ts",
      "myhdr.js",
      "myhdr.md",
    ]);
    const out = await sh(dir, process.execPath, ["main.js", IMAGE]);
    expect(out.split("\n")).toEqual([
      "myhdr: ((version 3) (kind Index) (length 4096))",
      "myhdr re-encoded: 4d484452030002000020000000000000",
      "myhdr truncated: length at byte 8: truncated: needs 8 bytes, only 2 left",
      "qcow2: ((version Three) (backing_file_offset 528) (backing_file_size 10)",
      "",
    ]);
    // Checked again by the installed program, from a subfolder.
    await mkdir(join(dir, "sub"));
    expect(await sh(join(dir, "sub"), "npx", ["binschema", "generate", "--check"])).toBe(
      "3 generated file(s) up to date\n",
    );
    // And with the output formatted in worker threads, as a large schema's is.
    expect(
      await sh(join(dir, "sub"), "npx", ["binschema", "generate", "--check", "--jobs", "2"]),
    ).toBe("3 generated file(s) up to date\n");
  }, 600_000);

  test("a strict TypeScript build: NodeNext, and moduleResolution bundler", async () => {
    const dir = await install("typescript");
    await sh(dir, "npm", ["run", "--silent", "generate"]);
    await sh(dir, "npm", ["run", "--silent", "build"]);
    const out = await sh(dir, process.execPath, ["dist/main.js", IMAGE]);
    expect(out).toBe(
      "myhdr: Data version 3, 4096 bytes\none CodecError: true\nqcow2: version Three, 67108864 bytes, backing file at 528\n",
    );
  }, 600_000);

  describe.skipIf(CHROMIUM === undefined && process.env.CI !== "true")(
    CHROMIUM === undefined
      ? "a browser page [skipped: chromium is not installed]"
      : "a browser page",
    () => {
      let server: Server | undefined;
      afterAll(() => server?.close());

      test("bundled with esbuild, decoding in headless Chromium under script-src 'self'", async () => {
        if (CHROMIUM === undefined)
          throw new Error("chromium is not installed (CI=true: refusing to skip)");
        const dir = await install("browser");
        await sh(dir, "npm", ["run", "--silent", "generate"]);
        await sh(dir, "npm", ["run", "--silent", "build"]);
        const publicDir = join(dir, "public");
        await cp(IMAGE, join(publicDir, "disk.qcow2"));
        const bundle = await readFile(join(publicDir, "main.js"), "utf8");
        expect(bundle).not.toMatch(/\bnew Function\b|\beval\(/);
        console.log(`[examples] browser bundle: ${bundle.length} bytes minified`);

        const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
        server = createServer((request, response) => {
          // Chromium asks for a favicon the page does not have.
          if (request.url === "/favicon.ico") return void response.writeHead(204).end();
          const name = (request.url ?? "/") === "/" ? "index.html" : (request.url ?? "").slice(1);
          readFile(join(publicDir, name)).then(
            (body) => {
              response.writeHead(200, {
                "Content-Type": types[extname(name)] ?? "application/octet-stream",
                "Content-Security-Policy": "default-src 'self'; script-src 'self'",
              });
              response.end(body);
            },
            () => response.writeHead(404).end(),
          );
        });
        const port = await new Promise<number>((done) =>
          server?.listen(0, "127.0.0.1", () => {
            const address = server?.address();
            done(typeof address === "object" && address !== null ? address.port : 0);
          }),
        );

        const { chromium } = await import("playwright-core");
        const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
        try {
          const page = await browser.newPage();
          const problems: string[] = [];
          page.on("pageerror", (error) => problems.push(error.message));
          page.on("console", (message) => {
            if (message.type() === "error") problems.push(message.text());
          });
          await page.goto(`http://127.0.0.1:${port}/`);
          await page.waitForSelector("body[data-done]", { timeout: 30_000 });
          expect(problems).toEqual([]);
          expect(await page.textContent("#myhdr")).toBe("((version 3) (kind Data) (length 512))");
          const qcow2 = (await page.textContent("#qcow2")) ?? "";
          expect(qcow2.split("\n")[0]).toBe(
            "((version Three) (backing_file_offset 528) (backing_file_size 10)",
          );
          expect(qcow2).toContain("(Backing_file qcow2)");
        } finally {
          await browser.close();
        }
      }, 600_000);
    },
  );
});
