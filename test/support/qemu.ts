/**
 * Helpers for tests that run the real `qemu-img` (Debian package qemu-utils).
 *
 * - `describeWithQemu` registers a suite that is skipped loudly when qemu-img
 *   is missing, and fails instead when CI=true (CI always installs it).
 * - `IMAGE_CONFIGS` lists the named image configurations the fixtures and the
 *   real-image tests are made from.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it, type SuiteFactory } from "vitest";

// ---------------------------------------------------------------------------
// Availability and suite gating
// ---------------------------------------------------------------------------

export const QEMU_MISSING_REASON = "qemu-img not found: install Debian package qemu-utils";

let availableCache: boolean | undefined;

/** True when `qemu-img --version` runs successfully. Cached per process. */
export function qemuImgAvailable(): boolean {
  if (availableCache === undefined) {
    const result = spawnSync("qemu-img", ["--version"], { encoding: "utf8" });
    availableCache = result.error === undefined && result.status === 0;
  }
  return availableCache;
}

/** Why qemu-dependent tests cannot run, or undefined when they can. */
export function qemuSkipReason(): string | undefined {
  return qemuImgAvailable() ? undefined : QEMU_MISSING_REASON;
}

/** True when running in CI, where a missing qemu-img is an error. */
function inCi(): boolean {
  return process.env.CI === "true";
}

let warnedAboutSkip = false;

/**
 * `describe` for suites that need qemu-img. Without qemu-img the suite is
 * skipped (with a one-time console warning and the reason in its name); when
 * CI=true it instead registers a single failing test, because CI must not
 * silently skip real-image coverage.
 */
export function describeWithQemu(name: string, factory: SuiteFactory): void {
  const reason = qemuSkipReason();
  if (reason !== undefined && inCi()) {
    describe(name, () => {
      it("requires qemu-img (CI=true, so this fails instead of skipping)", () => {
        throw new Error(`${reason} (CI=true: refusing to skip "${name}")`);
      });
    });
    return;
  }
  if (reason !== undefined && !warnedAboutSkip) {
    warnedAboutSkip = true;
    console.warn(`[qemu] skipping real-image suites: ${reason}`);
  }
  describe.skipIf(reason !== undefined)(
    reason === undefined ? name : `${name} [skipped: ${reason}]`,
    factory,
  );
}

// ---------------------------------------------------------------------------
// Temporary directories
// ---------------------------------------------------------------------------

export interface TempDir {
  /** Absolute, symlink-free path of the directory. */
  readonly path: string;
  /** Removes the directory and everything in it. Safe to call twice. */
  cleanup(): void;
}

export function makeTempDir(prefix = "qcow2-test-"): TempDir {
  const path = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return {
    path,
    cleanup: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Runs `fn` with a fresh temporary directory that is removed afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = makeTempDir();
  try {
    return fn(dir.path);
  } finally {
    dir.cleanup();
  }
}

// ---------------------------------------------------------------------------
// Running qemu-img
// ---------------------------------------------------------------------------

export interface QemuImgResult {
  /** Exit status; -1 when qemu-img could not be started or was killed. */
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface QemuImgOptions {
  /** Working directory for qemu-img (relative file names resolve against it). */
  readonly cwd?: string;
}

/** Runs qemu-img. Never throws on a non-zero status; returns it instead. */
export function qemuImg(args: readonly string[], options: QemuImgOptions = {}): QemuImgResult {
  const result = spawnSync("qemu-img", args, {
    encoding: "utf8",
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  const spawnError = result.error === undefined ? "" : `${result.error.message}\n`;
  return {
    status: result.status ?? -1,
    stdout: result.stdout ?? "",
    stderr: spawnError + (result.stderr ?? ""),
  };
}

/** Like `qemuImg`, but throws with qemu-img's stderr on a non-zero status. */
export function qemuImgOrThrow(
  args: readonly string[],
  options: QemuImgOptions = {},
): QemuImgResult {
  const result = qemuImg(args, options);
  if (result.status !== 0) {
    throw new Error(`qemu-img ${args.join(" ")} exited with ${result.status}:\n${result.stderr}`);
  }
  return result;
}

export interface QemuOpenOptions {
  /**
   * Working directory; defaults to the image's directory. qemu-img 7.2
   * resolves a relative external data-file name against the working
   * directory, not the image's directory, so this matters for `data-file-raw`.
   */
  readonly cwd?: string;
  /** LUKS passphrase: the image is then opened via --image-opts and a secret. */
  readonly secret?: string;
}

/** The qemu-img arguments that name an image to open (with its secret if any). */
export function imageArgs(path: string, secret?: string): string[] {
  if (secret === undefined) return ["-f", "qcow2", path];
  const escaped = path.replaceAll(",", ",,");
  return [
    "--object",
    `secret,id=sec0,data=${secret}`,
    "--image-opts",
    `driver=qcow2,file.filename=${escaped},encrypt.key-secret=sec0`,
  ];
}

// ---------------------------------------------------------------------------
// qemu-img info / check
// ---------------------------------------------------------------------------

/** One persistent dirty bitmap as reported by `qemu-img info`. */
export interface QemuBitmapInfo {
  readonly name: string;
  readonly granularity: number;
  readonly flags: readonly string[];
}

export interface QemuLuksSlotInfo {
  readonly active: boolean;
  readonly "key-offset": number;
  readonly iters?: number;
  readonly stripes?: number;
}

/** `format-specific.data.encrypt`; only `format` is present for every format. */
export interface QemuEncryptInfo {
  readonly format: "luks" | "aes";
  readonly "cipher-alg"?: string;
  readonly "cipher-mode"?: string;
  readonly "ivgen-alg"?: string;
  readonly "ivgen-hash-alg"?: string;
  readonly "hash-alg"?: string;
  readonly uuid?: string;
  readonly "payload-offset"?: number;
  readonly "master-key-iters"?: number;
  readonly slots?: readonly QemuLuksSlotInfo[];
}

/** `format-specific.data` for qcow2. Fields marked optional are v3-only or feature-dependent. */
export interface Qcow2SpecificInfo {
  readonly compat: "0.10" | "1.1";
  readonly "refcount-bits": number;
  readonly "compression-type"?: "zlib" | "zstd";
  readonly "lazy-refcounts"?: boolean;
  readonly "extended-l2"?: boolean;
  readonly corrupt?: boolean;
  readonly "data-file"?: string;
  readonly "data-file-raw"?: boolean;
  readonly bitmaps?: readonly QemuBitmapInfo[];
  readonly encrypt?: QemuEncryptInfo;
}

/** The parts of `qemu-img info --output=json` for a qcow2 image that tests use. */
export interface QemuInfo {
  readonly filename: string;
  readonly format: "qcow2";
  readonly "virtual-size": number;
  readonly "cluster-size": number;
  readonly "actual-size"?: number;
  readonly "dirty-flag"?: boolean;
  readonly encrypted?: boolean;
  readonly "backing-filename"?: string;
  readonly "backing-filename-format"?: string;
  readonly "full-backing-filename"?: string;
  readonly "format-specific": {
    readonly type: "qcow2";
    readonly data: Qcow2SpecificInfo;
  };
}

/** Parses `qemu-img info --output=json` text, checking the fields every qcow2 image has. */
export function parseQemuInfo(json: string): QemuInfo {
  const value: unknown = JSON.parse(json);
  const ok =
    typeof value === "object" &&
    value !== null &&
    "format" in value &&
    value.format === "qcow2" &&
    "virtual-size" in value &&
    typeof value["virtual-size"] === "number" &&
    "cluster-size" in value &&
    typeof value["cluster-size"] === "number" &&
    "format-specific" in value &&
    typeof value["format-specific"] === "object" &&
    value["format-specific"] !== null &&
    "type" in value["format-specific"] &&
    value["format-specific"].type === "qcow2";
  if (!ok) {
    throw new Error(`not qemu-img info JSON for a qcow2 image:\n${json}`);
  }
  return value as QemuInfo;
}

/** `qemu-img info --output=json` of a qcow2 image (header-only: needs no secret). */
export function qemuInfo(path: string, options: QemuImgOptions = {}): QemuInfo {
  const result = qemuImgOrThrow(["info", "--output=json", "-f", "qcow2", path], {
    cwd: options.cwd ?? dirname(path),
  });
  return parseQemuInfo(result.stdout);
}

/**
 * `qemu-img check`. Status 0: clean; 2: corruptions; 3: leaks; 1: could not
 * check (e.g. cannot open the image). Never throws on a non-zero status.
 */
export function qemuCheck(path: string, options: QemuOpenOptions = {}): QemuImgResult {
  return qemuImg(["check", ...imageArgs(path, options.secret)], {
    cwd: options.cwd ?? dirname(path),
  });
}

// ---------------------------------------------------------------------------
// Image configurations
// ---------------------------------------------------------------------------

export interface ImageConfig {
  readonly name: string;
  readonly description: string;
  /** LUKS passphrase needed to open the image's data (pass to `qemuCheck`). */
  readonly secret?: string;
  /**
   * Creates the image (and any backing or data file, with relative names) in
   * `dir` using qemu-img, and returns the image's absolute path.
   */
  readonly create: (dir: string) => string;
}

export const VIRTUAL_SIZE = "64M";
export const VIRTUAL_SIZE_BYTES = 64 * 1024 * 1024;
export const LUKS_PASSPHRASE = "password";

/** `qemu-img create -f qcow2 [extra...] <file> 64M` in `dir`; returns the path. */
function createQcow2(dir: string, file: string, extra: readonly string[] = []): string {
  const args = ["create", "-q", "-f", "qcow2", ...extra, file, VIRTUAL_SIZE];
  // LUKS creation times PBKDF2 with the thread's CPU clock, and qemu-img 7.2
  // gives up with "Unable to get accurate CPU usage" when that clock has not
  // ticked yet (often, on a busy machine). It is a measuring hiccup, so retry.
  for (let attempt = 1; ; attempt++) {
    const result = qemuImg(args, { cwd: dir });
    if (result.status === 0) return join(dir, file);
    if (attempt === 20 || !result.stderr.includes("Unable to get accurate CPU usage")) {
      throw new Error(`qemu-img ${args.join(" ")} exited with ${result.status}:\n${result.stderr}`);
    }
  }
}

/** Config whose image is `<name>.qcow2` created with `-o <options>`. */
function withOptions(name: string, description: string, options: string): ImageConfig {
  return {
    name,
    description,
    create: (dir) => createQcow2(dir, `${name}.qcow2`, ["-o", options]),
  };
}

export const IMAGE_CONFIGS: readonly ImageConfig[] = [
  withOptions("v2", "version 2 (compat=0.10)", "compat=0.10"),
  {
    name: "v3-default",
    description: "version 3 with qemu-img's defaults (compat=1.1)",
    create: (dir) => createQcow2(dir, "v3-default.qcow2"),
  },
  {
    name: "backing",
    description: "v3 overlay with relative backing file base.qcow2 (-F qcow2)",
    create: (dir) => {
      createQcow2(dir, "base.qcow2");
      return createQcow2(dir, "backing.qcow2", ["-b", "base.qcow2", "-F", "qcow2"]);
    },
  },
  {
    name: "v2-backing",
    description: "v2 overlay with v2 backing file base.qcow2 (-F qcow2)",
    create: (dir) => {
      createQcow2(dir, "base.qcow2", ["-o", "compat=0.10"]);
      return createQcow2(dir, "v2-backing.qcow2", [
        "-o",
        "compat=0.10",
        "-b",
        "base.qcow2",
        "-F",
        "qcow2",
      ]);
    },
  },
  withOptions("lazy-refcounts", "lazy refcounts", "lazy_refcounts=on"),
  withOptions("cluster-512", "512-byte clusters", "cluster_size=512"),
  withOptions("cluster-2M", "2 MiB clusters", "cluster_size=2M"),
  withOptions("refcount-1", "1-bit refcounts", "refcount_bits=1"),
  withOptions("refcount-64", "64-bit refcounts", "refcount_bits=64"),
  withOptions("zstd", "zstd compression type", "compression_type=zstd"),
  withOptions("extended-l2", "extended L2 entries", "extended_l2=on"),
  // A relative data-file name keeps the header (which stores the name)
  // independent of the temp directory; see QemuOpenOptions.cwd.
  withOptions(
    "data-file-raw",
    "external raw data file data.raw",
    "data_file=data.raw,data_file_raw=on",
  ),
  {
    name: "bitmaps",
    description: "v3 with two persistent dirty bitmaps (bm0, bm1)",
    create: (dir) => {
      const path = createQcow2(dir, "bitmaps.qcow2");
      for (const bitmap of ["bm0", "bm1"]) {
        qemuImgOrThrow(["bitmap", "--add", "-f", "qcow2", path, bitmap]);
      }
      return path;
    },
  },
  {
    name: "luks",
    description: "LUKS encryption (iter-time=10 ms to keep it fast)",
    secret: LUKS_PASSPHRASE,
    create: (dir) =>
      createQcow2(dir, "luks.qcow2", [
        "--object",
        `secret,id=sec0,data=${LUKS_PASSPHRASE}`,
        "-o",
        "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10",
      ]),
  },
];

/** The config called `name`; throws for unknown names. */
export function imageConfig(name: string): ImageConfig {
  const config = IMAGE_CONFIGS.find((c) => c.name === name);
  if (config === undefined) throw new Error(`no image config named ${name}`);
  return config;
}
