/**
 * QEMU's image locks, against real QEMU processes in both directions: every
 * command that writes an image refuses one that qemu-nbd serves (read-write
 * or read-only), leaving it untouched, while inspect and check read it and
 * say a writer holds it; and while an edit holds its locks, `qemu-img info`
 * (without -U), qemu-io and qemu-nbd cannot open the image.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { PROJECT_ROOT, binschema } from "./support/cli.js";
import {
  describeWithQemu,
  makeTempDir,
  qemuImg,
  qemuImgOrThrow,
  qemuInfo,
} from "./support/qemu.js";

const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

const started: ChildProcess[] = [];
const dirs: Array<{ cleanup(): void }> = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map(stop));
  for (const dir of dirs.splice(0)) dir.cleanup();
});

/** Ends a process this file started, and waits for it. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
}

/** A fresh 64 MiB qcow2 image in a temporary folder. */
function freshImage(): string {
  const dir = makeTempDir("binschema-lock-");
  dirs.push(dir);
  const image = join(dir.path, "disk.qcow2");
  qemuImgOrThrow(["create", "-q", "-f", "qcow2", image, "64M"]);
  return image;
}

async function until(what: string, ready: () => boolean, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** qemu-nbd serving the image on a Unix socket (read-only with `readOnly`), once it holds it. */
async function serve(image: string, readOnly: boolean): Promise<ChildProcess> {
  const socket = `${image}.sock`;
  const args = ["-k", socket, "-f", "qcow2", ...(readOnly ? ["-r"] : []), image];
  const child = spawn("qemu-nbd", args, { stdio: ["ignore", "ignore", "pipe"] });
  started.push(child);
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  // qemu-nbd makes its socket once the image is open, and so locked.
  await until("qemu-nbd to serve", () => {
    if (child.exitCode !== null) throw new Error(`qemu-nbd exited: ${stderr}`);
    return existsSync(socket);
  });
  return child;
}

/** An edit's locks held on the image by another process, until it is stopped. */
async function holdLocks(image: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(PROJECT_ROOT, "test/support/hold-lock.ts"), image],
    { cwd: PROJECT_ROOT, stdio: ["pipe", "pipe", "inherit"] },
  );
  started.push(child);
  let stdout = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  await until("the locks", () => {
    if (stdout.startsWith("refused")) throw new Error(stdout);
    return stdout.startsWith("locked");
  });
  return child;
}

/** Every command that writes an image, each a real change to a fresh one. */
const WRITES: readonly (readonly string[])[] = [
  ["set", "IMAGE", "size", "134217728"],
  ["set-feature", "IMAGE", "compatible", "lazy_refcounts"],
  ["add-ext", "IMAGE", "0x12345678", "--data", "0102"],
  ["set-backing-format", "IMAGE", "raw"],
  ["restore", "IMAGE"],
];
const withImage = (args: readonly string[], image: string): string[] =>
  args.map((a) => (a === "IMAGE" ? image : a));

const nbdMissing =
  spawnSync("qemu-nbd", ["--version"]).status === 0
    ? undefined
    : "qemu-nbd not found: install Debian package qemu-utils";

describeWithQemu("image locks against a real qemu-nbd", () => {
  test.runIf(nbdMissing === undefined || process.env.CI === "true")(
    `qemu-nbd is there to test against${nbdMissing === undefined ? "" : ` [${nbdMissing}]`}`,
    () => expect(nbdMissing).toBeUndefined(),
  );

  for (const readOnly of [false, true]) {
    test.skipIf(nbdMissing !== undefined)(
      `every writing command refuses an image qemu-nbd serves ${readOnly ? "read-only" : "read-write"}, leaving it untouched`,
      async () => {
        const image = freshImage();
        // An edit before serving leaves an undo file for `restore` to find.
        expect((await binschema(["set", image, "size", "100663296"])).status).toBe(0);
        const before = sha(image);
        const server = await serve(image, readOnly);
        for (const args of WRITES) {
          const r = await binschema(withImage(args, image));
          expect(r.status, `${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(1);
          expect(r.stderr).toBe(
            `${image}: refused: Failed to get "write" lock: another process is using the image ` +
              "(QEMU, or another edit); the file is untouched\n",
          );
          expect(r.stdout).toBe("");
          expect(sha(image)).toBe(before);
        }
        // Reading is not refused, but says the header may be stale (a writer holds it).
        for (const command of ["inspect", "check"]) {
          const r = await binschema([command, image]);
          expect(r.status).toBe(0);
          const note = `${image}: note: another process holds the image with write permission`;
          if (readOnly) expect(r.stderr).not.toContain(note);
          else expect(r.stderr).toContain(note);
        }
        await stop(server);
        const after = await binschema(["set", image, "size", "134217728"]);
        expect(after.status, after.stderr).toBe(0);
        expect(qemuInfo(image)["virtual-size"]).toBe(134217728);
      },
    );
  }

  test.skipIf(nbdMissing !== undefined)(
    "while an edit holds its locks, QEMU cannot open the image (without -U), nor can another edit",
    async () => {
      const image = freshImage();
      const holder = await holdLocks(image);
      const info = qemuImg(["info", "-f", "qcow2", image]);
      expect(info.status).toBe(1);
      expect(info.stderr).toContain(`Could not open '${image}': Failed to get shared "write" lock`);
      const shared = qemuImg(["info", "-U", "-f", "qcow2", image]);
      expect(shared.status).toBe(0);
      const io = spawnSync("qemu-io", ["-f", "qcow2", "-c", "write 0 512", image], {
        encoding: "utf8",
      });
      expect(io.stderr).toContain('Failed to get "write" lock');
      const nbd = spawnSync("qemu-nbd", ["-k", `${image}.sock`, "-f", "qcow2", image], {
        encoding: "utf8",
        timeout: 20000,
      });
      expect(nbd.status).not.toBe(0);
      expect(nbd.stderr).toContain('Failed to get "write" lock');
      const before = sha(image);
      const edit = await binschema(["set", image, "size", "134217728"]);
      expect(edit.status).toBe(1);
      expect(edit.stderr).toContain('refused: Failed to get "write" lock');
      expect(sha(image)).toBe(before);
      await stop(holder);
      expect(qemuImg(["info", "-f", "qcow2", image]).status).toBe(0);
    },
  );

  test("--wait tries again until the image is free; --no-lock takes no locks", async () => {
    const image = freshImage();
    let holder = await holdLocks(image);
    const waiting = binschema(["set", image, "size", "134217728", "--wait", "60"]);
    await new Promise((r) => setTimeout(r, 1500));
    await stop(holder);
    const r = await waiting;
    expect(r.status, r.stderr).toBe(0);
    expect(qemuInfo(image)["virtual-size"]).toBe(134217728);

    holder = await holdLocks(image);
    const timedOut = await binschema(["set", image, "size", "67108864", "--wait", "0.5"]);
    expect(timedOut.status).toBe(1);
    expect(timedOut.stderr).toContain("(waited 0.5 s); the file is untouched");
    const unlocked = await binschema(["set", image, "size", "67108864", "--no-lock"]);
    expect(unlocked.status, unlocked.stderr).toBe(0);
    expect(qemuImg(["info", "-U", "--output=json", "-f", "qcow2", image]).stdout).toContain(
      '"virtual-size": 67108864',
    );
  });
});
