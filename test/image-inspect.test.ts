/**
 * `binschema inspect` on images qemu-img makes: the human and machine
 * S-expressions are the codec's (with the backing file name added), the JSON
 * says what `qemu-img info` says, unknown extensions show in hex, and only
 * the start of the file is read.
 */
import { closeSync, openSync, readSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { read, toMachineString, toString, type Header } from "../generated/qcow2.js";
import { CodecError } from "../runtime/codec.js";
import {
  IMAGE_CONFIGS,
  describeWithQemu,
  imageConfig,
  makeTempDir,
  qemuInfo,
  type QemuInfo,
} from "./support/qemu.js";
import { binschema } from "./support/cli.js";

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = makeTempDir();
  try {
    await fn(dir.path);
  } finally {
    dir.cleanup();
  }
}

/** The header decoded in the test from the first 64 KiB, independently of the program. */
function decode(path: string): Header {
  const buf = new Uint8Array(65536);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  const decoded = read(buf);
  if (decoded instanceof CodecError) throw new Error(decoded.message);
  return decoded.value;
}

/** The parts of `inspect --json` compared with qemu-img info. */
interface InspectJson {
  file: string;
  header: {
    version: string;
    size: string;
    cluster_bits: number;
    crypt_method: string;
    additional: {
      lazy_refcounts: boolean;
      refcount_order: number;
      compression_type: string | null;
      autoclear_features: string;
    } | null;
    extensions: { kind: string; [key: string]: unknown }[];
  };
  backing_file: string | null;
  layout: { header_length: number; end: number; cluster_size: number; bytes_read: number };
}

/** The JSON of `inspect` agrees with what qemu-img info says of the image. */
function expectAgreesWithInfo(j: InspectJson, info: QemuInfo): void {
  const data = info["format-specific"].data;
  expect(j.header.size).toBe(String(info["virtual-size"]));
  expect(2 ** j.header.cluster_bits).toBe(info["cluster-size"]);
  expect(j.header.version).toBe(data.compat === "1.1" ? "Three" : "Two");
  expect(j.backing_file).toBe(info["backing-filename"] ?? null);
  const find = (kind: string) => j.header.extensions.find((e) => e.kind === kind);
  expect(find("Backing_file")?.format).toBe(info["backing-filename-format"]);
  expect(find("External_data_file")?.filename).toBe(data["data-file"]);
  const bitmaps = find("Bitmaps")?.bitmaps as { nb_bitmaps: number } | undefined;
  expect(bitmaps?.nb_bitmaps).toBe(data.bitmaps?.length);
  const crypt = { None: undefined, Aes: "aes", Luks: "luks" }[j.header.crypt_method];
  expect(crypt).toBe(data.encrypt?.format);
  expect(find("Full_disk_encryption") !== undefined).toBe(data.encrypt?.format === "luks");
  expect(2 ** (j.header.additional?.refcount_order ?? 4)).toBe(data["refcount-bits"]);
  expect(j.header.additional?.lazy_refcounts).toBe(data["lazy-refcounts"]);
  const compression = j.header.additional?.compression_type ?? "Zlib";
  expect(compression.toLowerCase()).toBe(data["compression-type"] ?? "zlib");
  expect(j.layout.cluster_size).toBe(info["cluster-size"]);
  expect(j.layout.bytes_read).toBe(info["cluster-size"]);
  expect(j.layout.header_length).toBe(j.header.version === "Two" ? 72 : 112);
}

describeWithQemu("binschema inspect on images made by qemu-img", () => {
  test.concurrent.each(IMAGE_CONFIGS.map((c) => c.name))(
    "%s: --json agrees with qemu-img info, 64-bit values as strings",
    async (name) => {
      await inTempDir(async (dir) => {
        const path = imageConfig(name).create(dir);
        const r = await binschema(["inspect", "--json", path]);
        expect(r.status, r.stderr).toBe(0);
        const j = JSON.parse(r.stdout) as InspectJson;
        expectAgreesWithInfo(j, qemuInfo(path));
        expect(typeof j.header.size).toBe("string");
        const additional = j.header.additional;
        if (additional !== null) expect(typeof additional.autoclear_features).toBe("string");
      });
    },
  );

  test.concurrent.each(["v2", "backing", "bitmaps", "luks"])(
    "%s: the human and machine forms are the codec's, with the backing file name added",
    async (name) => {
      await inTempDir(async (dir) => {
        const path = imageConfig(name).create(dir);
        const header = decode(path);
        const backing = qemuInfo(path)["backing-filename"];
        const [hum, mach] = await Promise.all([
          binschema(["inspect", path]),
          binschema(["inspect", "--mach", path]),
        ]);
        expect(hum.status, hum.stderr).toBe(0);
        expect(mach.status, mach.stderr).toBe(0);
        if (backing === undefined) {
          expect(hum.stdout).toBe(`${toString(header)}\n`);
          expect(mach.stdout).toBe(`${toMachineString(header)}\n`);
        } else {
          expect(hum.stdout.trimEnd()).toMatch(new RegExp(`\\n \\(backing_file ${backing}\\)\\)$`));
          const codec = toMachineString(header);
          expect(mach.stdout).toBe(`${codec.slice(0, -1)}(backing_file ${backing}))\n`);
        }
      });
    },
  );

  test.concurrent("unknown extensions show their type and payload in hex", async () => {
    await inTempDir(async (dir) => {
      const path = imageConfig("v3-default").create(dir);
      const add = await binschema(["add-ext", path, "0x12345678", "--data", "01 02 03 fe ff"]);
      expect(add.status, add.stderr).toBe(0);
      const [hum, json] = await Promise.all([
        binschema(["inspect", path]),
        binschema(["inspect", "--json", path]),
      ]);
      expect(hum.stdout).toContain("(Unknown ((type 0x12345678) (length 5) (data 010203feff)))");
      const j = JSON.parse(json.stdout) as InspectJson;
      expect(j.header.extensions.at(-1)).toEqual({
        kind: "Unknown",
        type: 0x12345678,
        type_hex: "0x12345678",
        length: 5,
        data_hex: "010203feff",
      });
    });
  });

  test.concurrent(
    "a 1 TiB (sparse) image is inspected and checked from its first cluster alone",
    async () => {
      await inTempDir(async (dir) => {
        const path = imageConfig("v3-default").create(dir);
        truncateSync(path, 2 ** 40);
        const [inspect, check] = await Promise.all([
          binschema(["inspect", "--json", path]),
          binschema(["check", path]),
        ]);
        // Reading a terabyte, even of holes, would take minutes and more memory than there is.
        const j = JSON.parse(inspect.stdout) as InspectJson;
        expect(j.layout.bytes_read).toBe(65536);
        expect(check.status).toBe(0);
      });
    },
  );
});

describeWithQemu("binschema inspect: errors", () => {
  test.concurrent(
    "a file that is not qcow2 is a finding (1) naming the file and field",
    async () => {
      await inTempDir(async (dir) => {
        const path = join(dir, "raw.img");
        writeFileSync(path, new Uint8Array(4096));
        const r = await binschema(["inspect", path]);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(
          `${path}: cannot inspect it: the header does not decode: magic at byte 0: expected 0x514649fb, got 0x00000000`,
        );
      });
    },
  );

  test.concurrent("a short text file is reported by its magic, not as truncated", async () => {
    await inTempDir(async (dir) => {
      const path = join(dir, "notes.txt");
      writeFileSync(path, "hello, this is not qcow2\n!");
      const r = await binschema(["inspect", path]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        `${path}: cannot inspect it: the header does not decode: magic at byte 0: expected 0x514649fb, got 0x68656c6c`,
      );
    });
  });

  test.concurrent("--field prints one raw header field alone, for scripts", async () => {
    await inTempDir(async (dir) => {
      const path = imageConfig("backing").create(dir);
      const h = decode(path);
      const field = (p: string): Promise<{ status: number; stdout: string; stderr: string }> =>
        binschema(["inspect", "--field", p, path]);
      const [l1, order, kind, format, name, whole, absent, bothWays] = await Promise.all([
        field("l1_table_offset"),
        field("additional.refcount_order"),
        field("extensions[0].kind"),
        field("extensions[0].format"),
        field("backing_file"),
        field("additional"),
        field("extensions[9].kind"),
        binschema(["inspect", "--json", "--field", "size", path]),
      ]);
      expect(l1).toEqual({ status: 0, stdout: `${h.l1_table_offset}\n`, stderr: "" });
      expect(order.stdout).toBe(`${h.additional?.refcount_order}\n`);
      expect(kind.stdout).toBe("Backing_file\n");
      expect(format.stdout).toBe("qcow2\n");
      expect(name.stdout).toBe("base.qcow2\n");
      // A record is printed as JSON (64-bit values as strings).
      expect(JSON.parse(whole.stdout)).toMatchObject({
        refcount_order: h.additional?.refcount_order,
        autoclear_features: String(h.additional?.autoclear_features),
      });
      expect(absent).toMatchObject({
        status: 2,
        stderr: "--field extensions[9].kind: the value has no extensions[9]\n",
      });
      expect(bothWays.status).toBe(2);
    });
  });

  test.concurrent("usage and I/O errors exit 2; --help exits 0", async () => {
    await inTempDir(async (dir) => {
      const path = imageConfig("v3-default").create(dir);
      const [missing, noArgument, both, help] = await Promise.all([
        binschema(["inspect", join(dir, "none.qcow2")]),
        binschema(["inspect"]),
        binschema(["inspect", "--mach", "--json", path]),
        binschema(["inspect", "--help"]),
      ]);
      expect(missing.stderr).toMatch(/none\.qcow2: cannot open: ENOENT/);
      expect(missing.status).toBe(2);
      expect(noArgument.status).toBe(2);
      expect(both.status).toBe(2);
      expect(both.stderr).toContain("inspect: give at most one of --mach, --json and --field");
      expect(help.status).toBe(0);
      expect(help.stdout).toContain("Usage: binschema inspect [options] <image>");
    });
  });
});
