/**
 * The in-place edits (`set`, `set-feature`, `add-ext`, `del-ext`,
 * `set-backing-format`) on images qemu-img makes, each confirmed by
 * `qemu-img info` (and `qemu-img check` where the image stays valid); what
 * they refuse, leaving the file untouched; and QEMU's own iotest scenarios
 * (031: unknown extensions survive a header rewrite; 036: unknown
 * incompatible bits are refused by name, unknown autoclear bits cleared;
 * 039/060: dirty and corrupt images) reproduced with the program.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect, test } from "vitest";
import {
  describeWithQemu,
  imageArgs,
  imageConfig,
  makeTempDir,
  qemuCheck,
  qemuImg,
  qemuImgOrThrow,
  qemuInfo,
  type QemuImgResult,
} from "./support/qemu.js";
import { binschema } from "./support/cli.js";

/** Runs the program and expects exit status 0. */
async function ok(args: readonly string[]): Promise<QemuImgResult> {
  const r = await binschema(args);
  expect(r.status, `binschema ${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
  return r;
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = makeTempDir();
  try {
    await fn(dir.path);
  } finally {
    dir.cleanup();
  }
}

const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

/** The parts of `inspect --json` the tests read. */
interface Inspected {
  header: {
    backing_file_offset: string;
    additional: { autoclear_features: string; dirty: boolean; corrupt: boolean } | null;
    extensions: { kind: string; type_hex?: string; data_hex?: string }[];
  };
  backing_file: string | null;
  layout: { end: number };
}

async function inspect(path: string): Promise<Inspected> {
  return JSON.parse((await ok(["inspect", "--json", path])).stdout) as Inspected;
}

/** The parts of `check --json` the tests read. */
interface Checked {
  passes: boolean;
  findings: { severity: string; field: string }[];
  qemu: Record<"info" | "check" | "use", { opens: boolean; message?: string }>;
}

async function check(path: string): Promise<Checked> {
  const r = await binschema(["check", "--json", path]);
  return JSON.parse(r.stdout) as Checked;
}

function expectCheckPasses(path: string, secret?: string): void {
  const r = qemuCheck(path, { secret });
  expect(r.status, `qemu-img check:\n${r.stdout}${r.stderr}`).toBe(0);
}

/** A read-write open that changes nothing: resize to the same virtual size. */
const reopen = (path: string): QemuImgResult =>
  qemuImg(["resize", "-f", "qcow2", path, "64M"], { cwd: dirname(path) });

// ---------------------------------------------------------------------------

describeWithQemu("header edits confirmed by qemu-img", () => {
  test.concurrent("set size: qemu-img info reports the new virtual size", async () => {
    await inTempDir(async (dir) => {
      const path = imageConfig("v3-default").create(dir);
      const r = await ok(["set", path, "size", "134217728"]);
      expect(r.stdout).toMatch(/^- .*\(size 67108864\)/m);
      expect(r.stdout).toMatch(/^\+ .*\(size 134217728\)/m);
      expect(r.stdout).toContain(`check: ${path}: ok: passes QEMU's open-time checks`);
      expect(qemuInfo(path)["virtual-size"]).toBe(128 * 1024 * 1024);
      expectCheckPasses(path);
    });
  });

  test.concurrent("set a bare v3 field name, then clear it as a feature bit", async () => {
    await inTempDir(async (dir) => {
      const path = imageConfig("v3-default").create(dir);
      await ok(["set", path, "lazy_refcounts", "true"]);
      expect(qemuInfo(path)["format-specific"].data["lazy-refcounts"]).toBe(true);
      expectCheckPasses(path);
      await ok(["set-feature", path, "compatible", "lazy_refcounts", "--clear"]);
      expect(qemuInfo(path)["format-specific"].data["lazy-refcounts"]).toBe(false);
      expectCheckPasses(path);
    });
  });

  test.concurrent("an edit meant to break is made and its check verdict printed", async () => {
    await inTempDir(async (dir) => {
      const path = imageConfig("v3-default").create(dir);
      // zstd needs its incompatible bit: the first edit alone breaks the image.
      const r = await ok(["set", path, "additional.compression_type", "Zstd"]);
      expect(r.stdout).toContain(
        'error: additional.compression_type_bit: is clear, but the compression type is not zlib (QEMU: "qcow2: Compression type incompatible feature bit must be set")',
      );
      expect(r.stdout).toContain("note: the edit leaves the image failing check");
      expect(qemuCheck(path).stderr).toContain(
        "Compression type incompatible feature bit must be set",
      );
      await ok(["set-feature", path, "incompatible", "compression_type_bit"]);
      expect(qemuInfo(path)["format-specific"].data["compression-type"]).toBe("zstd");
      expectCheckPasses(path);
    });
  });

  test.concurrent("set-backing-format: raw over a raw base makes the overlay usable", async () => {
    await inTempDir(async (dir) => {
      qemuImgOrThrow(["create", "-q", "-f", "raw", "base.raw", "64M"], { cwd: dir });
      qemuImgOrThrow(
        ["create", "-q", "-f", "qcow2", "-u", "-b", "base.raw", "-F", "qcow2", "o.qcow2", "64M"],
        { cwd: dir },
      );
      const path = join(dir, "o.qcow2");
      expect(qemuCheck(path).stderr).toMatch(/not in qcow2 format/);
      await ok(["set-backing-format", path, "raw"]);
      const info = qemuInfo(path);
      expect(info["backing-filename-format"]).toBe("raw");
      expect(info["backing-filename"]).toBe("base.raw");
      expectCheckPasses(path);
    });
  });

  test.concurrent(
    "set version Three on a version 2 image adds QEMU's default v3 fields",
    async () => {
      await inTempDir(async (dir) => {
        const path = imageConfig("v2").create(dir);
        await ok(["set", path, "version", "Three"]);
        const data = qemuInfo(path)["format-specific"].data;
        expect(data.compat).toBe("1.1");
        expect(data["refcount-bits"]).toBe(16);
        expectCheckPasses(path);
      });
    },
  );

  test.concurrent("backing_file_size is set as given; the name stays where it is", async () => {
    await inTempDir(async (dir) => {
      const path = imageConfig("backing").create(dir);
      const before = await inspect(path);
      await ok(["set", path, "backing_file_size", "1024"]);
      const broken = await check(path);
      expect(broken.qemu.info.message).toBe("Backing file name too long");
      expect(qemuImg(["info", "-f", "qcow2", path]).stderr).toContain("Backing file name too long");
      await ok(["set", path, "backing_file_size", String("base.qcow2".length)]);
      const after = await inspect(path);
      expect(after.header.backing_file_offset).toBe(before.header.backing_file_offset);
      expect(qemuInfo(path)["backing-filename"]).toBe("base.qcow2");
      expectCheckPasses(path);
    });
  });
});

describeWithQemu("edits never lose data", () => {
  test.concurrent.each([
    "v2",
    "v3-default",
    "backing",
    "v2-backing",
    "bitmaps",
    "luks",
    "data-file-raw",
  ])(
    "%s: add-ext moves the backing file name and keeps everything; del-ext restores the bytes",
    async (name) => {
      await inTempDir(async (dir) => {
        const config = imageConfig(name);
        const path = config.create(dir);
        const original = sha(path);
        const infoBefore = qemuInfo(path, { cwd: dir });

        // 1000 bytes: the backing file name must move out of the way.
        const add = await ok(["add-ext", path, "0x7e57da7a", "--data", "ab".repeat(1000)]);
        expect(add.stdout).toContain(`check: ${path}: ok`);
        const added = await inspect(path);
        if (added.backing_file !== null) {
          expect(Number(added.header.backing_file_offset)).toBe(added.layout.end);
        }
        const info = qemuInfo(path, { cwd: dir });
        for (const key of [
          "virtual-size",
          "backing-filename",
          "backing-filename-format",
        ] as const) {
          expect(info[key], key).toEqual(infoBefore[key]);
        }
        expect(info["format-specific"]).toEqual(infoBefore["format-specific"]);
        const checked = qemuImg(["check", ...imageArgs(path, config.secret)], { cwd: dir });
        expect(checked.status, checked.stdout + checked.stderr).toBe(0);

        await ok(["del-ext", path, "0x7e57da7a"]);
        expect(sha(path), "the file is byte for byte what qemu-img made").toBe(original);
      });
    },
  );

  test.concurrent("refusals leave the file untouched and exit 1; usage errors exit 2", async () => {
    await inTempDir(async (dir) => {
      const path = imageConfig("v3-default").create(dir);
      const v2 = imageConfig("v2").create(dir);
      const lazy = imageConfig("lazy-refcounts").create(dir);
      const big = join(dir, "big.bin");
      writeFileSync(big, new Uint8Array(65536));
      const before = sha(path);
      const beforeV2 = sha(v2);
      const beforeLazy = sha(lazy);
      const cases: [string[], number, string][] = [
        [
          ["set-feature", v2, "compatible", "lazy_refcounts"],
          1,
          "a version Two header has no feature bits",
        ],
        [["add-ext", path, "0x1234", "--file", big], 1, "does not fit in the first 65536 bytes"],
        [
          ["set", path, "cluster_bits", "99999999999"],
          1,
          'cluster_bits: expected an int32, got "99999999999"',
        ],
        [["set", path, "refcount_order", "x"], 1, 'refcount_order: expected an int32, got "x"'],
        [["set", lazy, "version", "Two"], 1, "the version 3 fields hold more than their defaults"],
        [["add-ext", path, "bitmaps", "--data", "0102"], 1, "cannot hold this payload"],
        [["del-ext", path, "0x1234"], 1, "no extension of type 0x00001234 to delete"],
        [["set", path, "nosuch", "1"], 2, "unknown field nosuch"],
        [["set", path, "header_length", "1"], 2, "header_length is computed"],
        [["set-feature", path, "sideways", "1"], 2, "unknown feature group sideways"],
        [["set-feature", path, "autoclear", "64"], 2, "not a autoclear feature bit"],
        [["add-ext", path, "0x1234", "--data", "xyz"], 2, "is not hex bytes"],
        [["add-ext", path, "0x1234"], 2, "give exactly one of --data HEX and --file F"],
        [["set", join(dir, "none.qcow2"), "size", "1"], 2, "none.qcow2: cannot open: ENOENT"],
        [["set", path], 2, "missing required argument"],
      ];
      // They run side by side on the same images, so each waits for the
      // others' image locks instead of being refused for them.
      const results = await Promise.all(
        cases.map(([args]) => binschema([...args, "--wait", "120"])),
      );
      results.forEach((r, i) => {
        const [args, status, message] = cases[i];
        expect(r.status, args.join(" ")).toBe(status);
        expect(r.stderr, args.join(" ")).toContain(message);
      });
      expect(sha(path)).toBe(before);
      expect(sha(v2)).toBe(beforeV2);
      expect(sha(lazy)).toBe(beforeLazy);
    });
  });

  test.concurrent(
    "--dry-run prints the difference and the verdict, and writes nothing; undoing restores the bytes",
    async () => {
      await inTempDir(async (dir) => {
        const path = imageConfig("v3-default").create(dir);
        const before = sha(path);
        const r = await ok(["set", "--dry-run", path, "cluster_bits", "22"]);
        expect(r.stdout).toContain(`--- ${path} (before)\n+++ ${path} (after)`);
        expect(r.stdout).toMatch(/^- .*\(cluster_bits 16\)/m);
        expect(r.stdout).toMatch(/^\+ .*\(cluster_bits 22\)/m);
        expect(r.stdout).toContain("dry run: ");
        expect(r.stdout).toContain('(QEMU: "Unsupported cluster size: 2^22")');
        expect(r.stdout).toContain("note: the edit would leave the image failing check");
        expect(sha(path)).toBe(before);
        // Made for real, the broken cluster size can still be undone, byte for byte.
        await ok(["set", path, "cluster_bits", "22"]);
        await ok(["set", path, "cluster_bits", "16"]);
        expect(sha(path)).toBe(before);
      });
    },
  );
});

// ---------------------------------------------------------------------------
// QEMU's iotest scenarios
// ---------------------------------------------------------------------------

describeWithQemu("QEMU's scenarios, with binschema", () => {
  /**
   * `amend` makes QEMU rewrite the whole header (qcow2_update_header); it
   * reads unknown extensions into a list head first, so it writes them back
   * in reverse order. `resize` only patches the size field in place.
   */
  test.concurrent.each([
    ["v3-default", "amend", ["-o", "lazy_refcounts=on"]],
    ["v2", "amend", ["-o", "compat=0.10"]],
    ["backing", "amend", ["-o", "lazy_refcounts=on"]],
    ["v2-backing", "resize", []],
  ] as const)(
    "%s: two unknown extensions survive qemu-img %s (iotest 031)",
    async (name, rewrite, options) => {
      await inTempDir(async (dir) => {
        const path = imageConfig(name).create(dir);
        await ok(["add-ext", path, "0x12345678", "--data", "cafe"]);
        await ok(["add-ext", path, "0x0abcdef0", "--data", "0102030405060708090a"]);
        expectCheckPasses(path);
        qemuImgOrThrow(
          rewrite === "amend"
            ? ["amend", "-f", "qcow2", ...options, path]
            : ["resize", "-f", "qcow2", path, "128M"],
          { cwd: dir },
        );
        const after = await inspect(path);
        const unknown = after.header.extensions
          .filter((e) => e.kind === "Unknown")
          .map((e) => [e.type_hex, e.data_hex]);
        const added = [
          ["0x12345678", "cafe"],
          ["0x0abcdef0", "0102030405060708090a"],
        ];
        expect(unknown).toEqual(rewrite === "amend" ? added.reverse() : added);
        expect(after.backing_file).toBe(name.endsWith("backing") ? "base.qcow2" : null);
        expectCheckPasses(path);
      });
    },
  );

  test.concurrent(
    "unknown incompatible bits: QEMU refuses, naming them from the feature table (iotest 036)",
    async () => {
      await inTempDir(async (dir) => {
        const path = imageConfig("v3-default").create(dir);
        await ok(["set-feature", path, "incompatible", "63"]);
        const unnamed =
          "Unsupported qcow2 feature(s): Unknown incompatible feature: 8000000000000000";
        expect(qemuImg(["info", "-f", "qcow2", path]).stderr).toContain(unnamed);
        expect((await check(path)).qemu.info.message).toBe(unnamed);

        // A feature table naming bits 62 and 63, as iotest 036 writes it.
        const entry = (bit: number, name: string) =>
          `00${bit.toString(16).padStart(2, "0")}${Buffer.from(name).toString("hex").padEnd(92, "0")}`;
        await ok(["del-ext", path, "feature-table"]);
        await ok([
          "add-ext",
          path,
          "feature-table",
          "--data",
          entry(62, "test1") + entry(63, "test2"),
        ]);
        await ok(["set", path, "incompatible_unknown", "0xe000000000000000"]);
        const named =
          "Unsupported qcow2 feature(s): test1, test2, Unknown incompatible feature: 2000000000000000";
        expect(qemuImg(["info", "-f", "qcow2", path]).stderr).toContain(named);
        const checked = await check(path);
        expect(checked.qemu.info.message).toBe(named);
        expect(checked.findings.map((f) => f.field)).toContain("additional.incompatible_features");

        await ok(["set", path, "incompatible_unknown", "0"]);
        expectCheckPasses(path);
      });
    },
  );

  test.concurrent(
    "an unknown autoclear bit is cleared by QEMU's next read-write open (iotest 036)",
    async () => {
      await inTempDir(async (dir) => {
        const path = imageConfig("v3-default").create(dir);
        await ok(["set-feature", path, "autoclear", "63"]);
        expect((await inspect(path)).header.additional?.autoclear_features).toBe(
          String(-(2n ** 63n)),
        );
        const checked = await check(path);
        expect(checked.passes).toBe(true);
        expect(checked.findings).toEqual([
          expect.objectContaining({ severity: "warning", field: "additional.autoclear_features" }),
        ]);
        expect(qemuInfo(path)["virtual-size"]).toBe(64 * 1024 * 1024);
        expect(reopen(path).status).toBe(0);
        expect((await inspect(path)).header.additional?.autoclear_features).toBe("0");
      });
    },
  );

  test.concurrent(
    "a dirty image: edits refuse without --force; QEMU repairs it on a read-write open",
    async () => {
      await inTempDir(async (dir) => {
        const path = imageConfig("v3-default").create(dir);
        await ok(["set-feature", path, "incompatible", "dirty"]);
        expect(qemuInfo(path)["dirty-flag"]).toBe(true);
        const before = sha(path);
        const refused = await binschema(["set", path, "size", "134217728"]);
        expect(refused.status).toBe(1);
        expect(refused.stderr).toContain("refused: the image is marked dirty");
        expect(sha(path)).toBe(before);
        expect(reopen(path).status).toBe(0);
        expect(qemuInfo(path)["dirty-flag"]).toBe(false);
        await ok(["set", path, "size", "134217728"]);
      });
    },
  );

  test.concurrent(
    "a corrupt image: QEMU refuses to open it read-write; --force clears the bit (iotest 060)",
    async () => {
      await inTempDir(async (dir) => {
        const path = imageConfig("v3-default").create(dir);
        await ok(["set-feature", path, "incompatible", "corrupt"]);
        expect(qemuInfo(path)["format-specific"].data.corrupt).toBe(true);
        const checked = await check(path);
        expect(checked.qemu.info.opens).toBe(true);
        expect(checked.qemu.use).toEqual({
          opens: false,
          message: "qcow2: Image is corrupt; cannot be opened read/write",
        });
        expect(reopen(path).stderr).toContain(
          "qcow2: Image is corrupt; cannot be opened read/write",
        );
        expect(
          (await binschema(["set-feature", path, "incompatible", "corrupt", "--clear"])).status,
        ).toBe(1);
        await ok(["set-feature", "--force", path, "incompatible", "corrupt", "--clear"]);
        expect(reopen(path).status).toBe(0);
        expectCheckPasses(path);
      });
    },
  );
});
