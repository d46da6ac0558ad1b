/**
 * Every failure is one line naming the file, what failed and what the image
 * holds now, with exit status 2 for I/O errors and 1 for refusals; no stack
 * trace reaches the user. I/O errors are injected into the real program by
 * strace (`-e inject=pwrite64:error=ENOSPC` and the like): the image's
 * header is written with one pwrite64 and synced with fdatasync, the undo
 * file with write and fsync, so each fault hits one step.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { PROJECT_ROOT, binschemaSync, type CliRun } from "./support/cli.js";
import { describeWithQemu, makeTempDir, qemuImgOrThrow, qemuInfo } from "./support/qemu.js";

const BIN = join(PROJECT_ROOT, "bin", "binschema.js");
const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");
const SIZE = "134217728";

const straceMissing =
  spawnSync("strace", ["-V"]).status === 0
    ? undefined
    : "strace not found: install Debian package strace";

/** `binschema ARGS` under strace with one fault injected, e.g. `pwrite64:error=ENOSPC`. */
function withFault(fault: string, args: readonly string[]): CliRun {
  const syscall = fault.split(":")[0]!;
  const r = spawnSync(
    "strace",
    [
      "-f",
      "-qq",
      "-o",
      "/dev/null",
      "-e",
      `trace=${syscall}`,
      "-e",
      `inject=${fault}`,
      process.execPath,
      BIN,
      ...args,
    ],
    { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
  );
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The failure is exactly this one line on stderr, and no stack trace anywhere. */
function oneLine(r: CliRun, status: number, line: string): void {
  expect(r.status, r.stdout + r.stderr).toBe(status);
  expect(r.stderr).toBe(`${line}\n`);
  expect(r.stdout).not.toMatch(/\n\s+at /);
}

const dirs: Array<{ cleanup(): void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.cleanup();
});

function freshImage(): { dir: string; image: string } {
  const dir = makeTempDir("binschema-faults-");
  dirs.push(dir);
  const image = join(dir.path, "disk.qcow2");
  qemuImgOrThrow(["create", "-q", "-f", "qcow2", image, "64M"]);
  return { dir: dir.path, image };
}

describeWithQemu("failures are one line, and say what the image holds", () => {
  test.runIf(straceMissing === undefined || process.env.CI === "true")(
    `strace is there to inject faults${straceMissing === undefined ? "" : ` [${straceMissing}]`}`,
    () => expect(straceMissing).toBeUndefined(),
  );

  for (const errno of ["ENOSPC", "EIO"]) {
    test.skipIf(straceMissing !== undefined)(
      `${errno} on the header's write: exit 2, the image unchanged`,
      () => {
        const { image } = freshImage();
        const before = sha(image);
        const r = withFault(`pwrite64:error=${errno}`, ["set", image, "size", SIZE]);
        const reason = errno === "EIO" ? "EIO: i/o error" : "ENOSPC: no space left on device";
        oneLine(r, 2, `${image}: cannot write the header: ${reason}; the image is unchanged`);
        expect(sha(image)).toBe(before);
      },
    );
  }

  test.skipIf(straceMissing !== undefined)(
    "EIO on the sync: exit 2, says the header changed and how to restore it; restore does",
    () => {
      const { image } = freshImage();
      const before = sha(image);
      const r = withFault("fdatasync:error=EIO", ["set", image, "size", SIZE]);
      oneLine(
        r,
        2,
        `${image}: cannot sync the new header to disk: EIO: i/o error; the new header was ` +
          `written but may not be on disk; \`binschema restore ${image}\` puts the old header back`,
      );
      expect(qemuInfo(image)["virtual-size"]).toBe(Number(SIZE));
      const restored = binschemaSync(["restore", image]);
      expect(restored.status, restored.stderr).toBe(0);
      expect(sha(image)).toBe(before);
    },
  );

  test.skipIf(straceMissing !== undefined)(
    "a fault saving the undo file: exit 2 before the image is touched, no file left behind",
    () => {
      const { dir, image } = freshImage();
      const before = sha(image);
      const r = withFault("fsync:error=EIO:when=1", ["set", image, "size", SIZE]);
      oneLine(
        r,
        2,
        `${image}: cannot save the undo file ${image}.binschema-undo: EIO: i/o error; the image ` +
          "is untouched (give another place with --undo-file PATH, or none with --no-undo)",
      );
      expect(sha(image)).toBe(before);
      expect(readdirSync(dir)).toEqual(["disk.qcow2"]);
    },
  );

  test.skipIf(straceMissing !== undefined)(
    "ENOSPC while restoring: exit 2, the image unchanged, the undo file kept",
    () => {
      const { image } = freshImage();
      expect(binschemaSync(["set", image, "size", SIZE]).status).toBe(0);
      const edited = sha(image);
      const r = withFault("pwrite64:error=ENOSPC", ["restore", image]);
      oneLine(
        r,
        2,
        `${image}: cannot restore the header: ENOSPC: no space left on device; the image is ` +
          `unchanged; ${image}.binschema-undo is kept, so run restore again`,
      );
      expect(sha(image)).toBe(edited);
      expect(existsSync(`${image}.binschema-undo`)).toBe(true);
    },
  );

  test("missing files, unwritable places and a bad undo file: one line each", () => {
    const { dir, image } = freshImage();
    const none = join(dir, "none.qcow2");
    const enoent = "ENOENT: no such file or directory";
    oneLine(binschemaSync(["inspect", none]), 2, `${none}: cannot open: ${enoent}`);
    oneLine(binschemaSync(["check", none]), 2, `${none}: cannot open: ${enoent}`);
    oneLine(binschemaSync(["set", none, "size", SIZE]), 2, `${none}: cannot open: ${enoent}`);
    oneLine(
      binschemaSync(["restore", image]),
      2,
      `${image}: cannot read the undo file ${image}.binschema-undo: no such file ` +
        "(an edit saves one unless --no-undo); the image is untouched",
    );
    writeFileSync(`${image}.binschema-undo`, "{}");
    oneLine(
      binschemaSync(["restore", image]),
      2,
      `${image}: cannot read the undo file ${image}.binschema-undo: not a binschema undo file; ` +
        "the image is untouched",
    );
    const before = sha(image);
    const nowhere = join(dir, "no", "such", "folder", "undo");
    oneLine(
      binschemaSync(["set", image, "size", SIZE, "--undo-file", nowhere]),
      2,
      `${image}: cannot save the undo file ${nowhere}: ${enoent}; the image is untouched ` +
        "(give another place with --undo-file PATH, or none with --no-undo)",
    );
    expect(sha(image)).toBe(before);
  });

  test.skipIf(straceMissing !== undefined)(
    "generate into an output it cannot write: one line, exit 2",
    () => {
      // EACCES on making generated/ (which exists, so nothing in it changes).
      const r = withFault("mkdir:error=EACCES", ["generate"]);
      oneLine(r, 2, "generated: cannot mkdir: EACCES: permission denied");
    },
  );
});
