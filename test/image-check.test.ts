/**
 * `binschema check` against QEMU: images qemu-img makes pass; copies
 * corrupted in each of the ways QEMU checks when it opens an image fail,
 * naming the field; and for every copy the verdict check predicts for each
 * way of opening (qemu-img info, qemu-img check, a read-write open) is what
 * the real qemu-img does, down to the message it prints.
 *
 * The corruptions are made byte by byte at the offsets of generated/qcow2.md,
 * independently of the codec and of the program under test.
 */
import { copyFileSync, mkdirSync, openSync, closeSync, readFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  IMAGE_CONFIGS,
  describeWithQemu,
  imageArgs,
  imageConfig,
  makeTempDir,
  qemuImg,
  withTempDir,
  type QemuImgResult,
  type TempDir,
} from "./support/qemu.js";
import { binschemaSync } from "./support/cli.js";

/** The parts of `check --json` the tests read. */
interface Report {
  file: string;
  passes: boolean;
  findings: { severity: string; field: string; reason: string; qemu?: string }[];
  qemu: Record<"info" | "check" | "use", { opens: boolean; message?: string }>;
}

function checkJson(paths: readonly string[]): { status: number; reports: Report[] } {
  const r = binschemaSync(["check", "--json", ...paths]);
  expect(r.stderr).toBe("");
  const parsed = JSON.parse(r.stdout) as Report | Report[];
  return { status: r.status, reports: Array.isArray(parsed) ? parsed : [parsed] };
}

// ---------------------------------------------------------------------------
// Corrupting copies
// ---------------------------------------------------------------------------

/** A big-endian integer of `width` bytes written at `at`. */
interface Poke {
  readonly at: number | ((bytes: Uint8Array) => number);
  readonly width: 1 | 4 | 8;
  readonly value: bigint | ((bytes: Uint8Array) => bigint);
}

const u32 = (bytes: Uint8Array, at: number) => new DataView(bytes.buffer).getUint32(at);
const u64 = (bytes: Uint8Array, at: number) => new DataView(bytes.buffer).getBigUint64(at);

/** The offset of the first extension frame of `type` (walking from header_length). */
function extensionAt(type: number): (bytes: Uint8Array) => number {
  return (bytes) => {
    let at = u32(bytes, 4) === 2 ? 72 : u32(bytes, 100);
    while (u32(bytes, at) !== 0) {
      if (u32(bytes, at) === type) return at;
      at += 8 + Math.ceil(u32(bytes, at + 4) / 8) * 8;
    }
    throw new Error(`no extension 0x${type.toString(16)}`);
  };
}

const BACKING_FORMAT = 0xe2792aca;
const FEATURE_TABLE = 0x6803f857;
const CRYPTO = 0x0537be77;
const BITMAPS = 0x23852875;

/** Field offsets (generated/qcow2.md). */
const AT = {
  magic: 0,
  version: 4,
  backingOffset: 8,
  backingSize: 16,
  clusterBits: 20,
  size: 24,
  crypt: 32,
  l1Size: 36,
  l1Offset: 40,
  refcountOffset: 48,
  refcountClusters: 56,
  nbSnapshots: 60,
  snapshotsOffset: 64,
  incompatible: 72,
  autoclear: 88,
  refcountOrder: 96,
  headerLength: 100,
  compressionType: 104,
} as const;

const plus = (at: number, width: 4 | 8, delta: bigint) => (b: Uint8Array) =>
  (width === 4 ? BigInt(u32(b, at)) : u64(b, at)) + delta;

interface Corruption {
  readonly name: string;
  readonly config: string;
  readonly pokes: readonly Poke[];
  /** The field check must name. */
  readonly field: string;
  /** qemu-img 7.2 info dies with a signal on this image instead of answering. */
  readonly infoCrashes?: true;
}

const set = (at: number, width: 1 | 4 | 8, value: bigint): Poke => ({ at, width, value });

const CORRUPTIONS: readonly Corruption[] = [
  { name: "magic", config: "v3-default", pokes: [set(AT.magic, 4, 0n)], field: "magic" },
  { name: "version 1", config: "v3-default", pokes: [set(AT.version, 4, 1n)], field: "version" },
  { name: "version 4", config: "v3-default", pokes: [set(AT.version, 4, 4n)], field: "version" },
  {
    name: "cluster_bits 8",
    config: "v3-default",
    pokes: [set(AT.clusterBits, 4, 8n)],
    field: "cluster_bits",
  },
  {
    name: "cluster_bits 22",
    config: "v3-default",
    pokes: [set(AT.clusterBits, 4, 22n)],
    field: "cluster_bits",
  },
  {
    name: "header_length 96",
    config: "v3-default",
    pokes: [set(AT.headerLength, 4, 96n)],
    field: "additional.header_length",
  },
  {
    name: "header_length 108",
    config: "v3-default",
    pokes: [set(AT.headerLength, 4, 108n)],
    field: "additional.header_length",
  },
  {
    name: "header_length past the cluster",
    config: "cluster-512",
    pokes: [set(AT.headerLength, 4, 1024n)],
    field: "additional.header_length",
  },
  {
    name: "refcount_order 7",
    config: "v3-default",
    pokes: [set(AT.refcountOrder, 4, 7n)],
    field: "additional.refcount_order",
  },
  {
    name: "backing name 1024 bytes",
    config: "backing",
    pokes: [set(AT.backingSize, 4, 1024n)],
    field: "backing_file_size",
  },
  {
    name: "backing name past the cluster",
    config: "backing",
    pokes: [set(AT.backingOffset, 8, 65532n)],
    field: "backing_file_size",
  },
  {
    name: "backing_file_offset past the cluster",
    config: "backing",
    pokes: [set(AT.backingOffset, 8, 65537n)],
    field: "backing_file_offset",
  },
  {
    name: "L1 table unaligned",
    config: "v3-default",
    pokes: [{ at: AT.l1Offset, width: 8, value: plus(AT.l1Offset, 8, 8n) }],
    field: "l1_table_offset",
  },
  {
    name: "L1 table too large",
    config: "v3-default",
    pokes: [set(AT.l1Size, 4, 0x400001n)],
    field: "l1_size",
  },
  {
    name: "L1 table too small",
    config: "v3-default",
    pokes: [set(AT.l1Size, 4, 0n)],
    field: "l1_size",
  },
  {
    name: "image too big",
    config: "v3-default",
    pokes: [set(AT.size, 8, 1n << 62n)],
    field: "size",
  },
  {
    name: "refcount table unaligned",
    config: "v3-default",
    pokes: [{ at: AT.refcountOffset, width: 8, value: plus(AT.refcountOffset, 8, 8n) }],
    field: "refcount_table_offset",
  },
  {
    name: "refcount table too large",
    config: "v3-default",
    pokes: [set(AT.refcountClusters, 4, 129n)],
    field: "refcount_table_clusters",
  },
  {
    name: "no refcount table",
    config: "v3-default",
    pokes: [set(AT.refcountClusters, 4, 0n)],
    field: "refcount_table_clusters",
  },
  {
    name: "snapshot table unaligned",
    config: "v3-default",
    pokes: [set(AT.snapshotsOffset, 8, 7n)],
    field: "snapshots_offset",
  },
  {
    name: "too many snapshots",
    config: "v3-default",
    pokes: [set(AT.nbSnapshots, 4, 65537n)],
    field: "nb_snapshots",
  },
  {
    name: "unknown incompatible bit",
    config: "v3-default",
    pokes: [set(AT.incompatible, 8, 0x100n)],
    field: "additional.incompatible_features",
  },
  {
    name: "extended L2 with 512-byte clusters",
    config: "cluster-512",
    pokes: [set(AT.incompatible, 8, 0x10n)],
    field: "additional.extended_l2",
  },
  {
    name: "corrupt bit",
    config: "v3-default",
    pokes: [set(AT.incompatible, 8, 0x2n)],
    field: "additional.corrupt",
  },
  {
    name: "unknown crypt method",
    config: "v3-default",
    pokes: [set(AT.crypt, 4, 3n)],
    field: "crypt_method",
  },
  {
    name: "LUKS without its extension",
    config: "v3-default",
    pokes: [set(AT.crypt, 4, 2n)],
    field: "crypt_method",
    infoCrashes: true,
  },
  {
    name: "AES with a LUKS extension",
    config: "luks",
    pokes: [set(AT.crypt, 4, 1n)],
    field: "extensions[0]",
  },
  {
    name: "LUKS header unaligned",
    config: "luks",
    pokes: [
      {
        at: (b) => extensionAt(CRYPTO)(b) + 8,
        width: 8,
        value: (b) => u64(b, extensionAt(CRYPTO)(b) + 8) + 1n,
      },
    ],
    field: "extensions[0].encryption.offset",
  },
  {
    name: "zstd without its bit",
    config: "v3-default",
    pokes: [set(AT.compressionType, 1, 1n)],
    field: "additional.compression_type_bit",
  },
  {
    name: "compression bit with zlib",
    config: "v3-default",
    pokes: [set(AT.incompatible, 8, 0x8n)],
    field: "additional.compression_type_bit",
  },
  {
    name: "unknown compression type",
    config: "v3-default",
    pokes: [set(AT.incompatible, 8, 0x8n), set(AT.compressionType, 1, 5n)],
    field: "additional.compression_type",
  },
  {
    name: "extension past the cluster",
    config: "v3-default",
    pokes: [{ at: (b) => extensionAt(FEATURE_TABLE)(b) + 4, width: 4, value: 70000n }],
    field: "extensions[0]",
  },
  {
    name: "backing format of 16 bytes",
    config: "backing",
    pokes: [{ at: (b) => extensionAt(BACKING_FORMAT)(b) + 4, width: 4, value: 16n }],
    field: "extensions[0]",
  },
  {
    name: "bitmaps extension length",
    config: "bitmaps",
    pokes: [{ at: (b) => extensionAt(BITMAPS)(b) + 4, width: 4, value: 16n }],
    field: "extensions[1]",
  },
  {
    name: "zero bitmaps",
    config: "bitmaps",
    pokes: [{ at: (b) => extensionAt(BITMAPS)(b) + 8, width: 4, value: 0n }],
    field: "extensions[1].bitmaps.nb_bitmaps",
  },
  {
    name: "bitmaps reserved field",
    config: "bitmaps",
    pokes: [{ at: (b) => extensionAt(BITMAPS)(b) + 12, width: 4, value: 1n }],
    field: "extensions[1].bitmaps.reserved",
  },
  {
    name: "bitmap directory unaligned",
    config: "bitmaps",
    pokes: [
      {
        at: (b) => extensionAt(BITMAPS)(b) + 24,
        width: 8,
        value: (b) => u64(b, extensionAt(BITMAPS)(b) + 24) + 1n,
      },
    ],
    field: "extensions[1].bitmaps.bitmap_directory_offset",
  },
  {
    name: "data file bit without a name",
    config: "v3-default",
    pokes: [set(AT.incompatible, 8, 0x4n)],
    field: "additional.external_data_file",
  },
  {
    name: "raw data file bit without a data file",
    config: "v3-default",
    pokes: [set(AT.autoclear, 8, 0x2n)],
    field: "additional.autoclear_features",
  },
  {
    name: "header padding",
    config: "v3-default",
    pokes: [set(AT.compressionType + 1, 1, 1n)],
    field: "additional.padding",
  },
  {
    name: "extension padding",
    config: "backing",
    pokes: [{ at: (b) => extensionAt(BACKING_FORMAT)(b) + 8 + 5, width: 1, value: 1n }],
    field: "extensions[0].padding",
  },
];

/** Copies the config's image to `<name>.qcow2` in `dir` and applies the pokes. */
function corruptedCopy(dir: string, source: string, c: Corruption): string {
  const path = join(dir, `${c.name.replace(/\W+/g, "-")}.qcow2`);
  copyFileSync(source, path);
  const bytes = new Uint8Array(readFileSync(path).subarray(0, 65536));
  const fd = openSync(path, "r+");
  try {
    for (const p of c.pokes) {
      const at = typeof p.at === "number" ? p.at : p.at(bytes);
      const value = typeof p.value === "bigint" ? p.value : p.value(bytes);
      const buf = new Uint8Array(p.width);
      for (let i = 0; i < p.width; i++)
        buf[i] = Number((value >> BigInt(8 * (p.width - 1 - i))) & 0xffn);
      writeSync(fd, buf, 0, p.width, at);
      bytes.set(buf, at);
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

// ---------------------------------------------------------------------------
// What qemu-img does
// ---------------------------------------------------------------------------

interface Actual {
  readonly opens: boolean;
  readonly result: QemuImgResult;
}

/** Runs a qemu-img command that opens the image; "Could not open" on stderr means it refused. */
function opening(args: readonly string[], dir: string): Actual {
  const result = qemuImg(args, { cwd: dir });
  return { opens: !result.stderr.includes("Could not open"), result };
}

function qemuOpens(path: string, dir: string, secret: string | undefined) {
  return {
    info: opening(["info", "-f", "qcow2", path], dir),
    check: opening(["check", ...imageArgs(path, secret)], dir),
    // A read-write open that changes nothing: resize to the same virtual size.
    use: opening(["resize", ...imageArgs(path, secret), "64M"], dir),
  };
}

// ---------------------------------------------------------------------------

describeWithQemu("binschema check on images made by qemu-img", () => {
  test("every image configuration passes with no findings, and qemu-img info agrees", () => {
    withTempDir((dir) => {
      const paths = IMAGE_CONFIGS.map((config) => {
        const sub = join(dir, config.name);
        mkdirSync(sub);
        return config.create(sub);
      });
      const { status, reports } = checkJson(paths);
      expect(status).toBe(0);
      for (const report of reports) {
        expect(report.findings, report.file).toEqual([]);
        expect(report.passes).toBe(true);
        expect(report.qemu.info.opens && report.qemu.check.opens && report.qemu.use.opens).toBe(
          true,
        );
      }
      for (const path of paths) {
        expect(qemuImg(["info", "-f", "qcow2", path], { cwd: dirname(path) }).status, path).toBe(0);
      }
    });
  });

  test("the human report names each image and ends with its verdict", () => {
    withTempDir((dir) => {
      const good = imageConfig("v3-default").create(dir);
      const bad = corruptedCopy(dir, good, CORRUPTIONS[3]);
      const r = binschemaSync(["check", good, bad]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`${good}: ok: passes QEMU's open-time checks`);
      expect(r.stdout).toContain(
        `${bad}: error: cluster_bits: is 8; QEMU supports 9 to 21 (512-byte to 2 MiB clusters) (QEMU: "Unsupported cluster size: 2^8")`,
      );
      expect(r.stdout).toMatch(/: fails: QEMU refuses to open it \(qemu-img info refuses,/);
    });
  });

  test("a file that cannot be read is a usage error (2) naming it; other images are still checked", () => {
    withTempDir((dir) => {
      const good = imageConfig("v3-default").create(dir);
      const r = binschemaSync(["check", join(dir, "missing.qcow2"), good]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("missing.qcow2: cannot open: ENOENT");
      expect(r.stdout).toContain(": ok:");
      expect(binschemaSync(["check"]).status).toBe(2);
      const help = binschemaSync(["check", "--help"]);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain("Usage: binschema check [options] <image...>");
    });
  });
});

describeWithQemu("binschema check on corrupted copies, against qemu-img", () => {
  let dir: TempDir | undefined;
  const copies = new Map<string, string>();
  const reports = new Map<string, Report>();

  beforeAll(() => {
    dir = makeTempDir();
    const sources = new Map<string, string>();
    for (const c of CORRUPTIONS) {
      let source = sources.get(c.config);
      if (source === undefined) {
        const sub = join(dir.path, c.config);
        mkdirSync(sub);
        source = imageConfig(c.config).create(sub);
        sources.set(c.config, source);
      }
      // Beside its source, so a relative backing file name still resolves.
      copies.set(c.name, corruptedCopy(dirname(source), source, c));
    }
    // One process checks every copy.
    const { status, reports: all } = checkJson([...copies.values()]);
    expect(status).toBe(1);
    CORRUPTIONS.forEach((c, i) => reports.set(c.name, all[i]));
  });
  afterAll(() => dir?.cleanup());

  test.each(CORRUPTIONS.map((c) => [c.name, c] as const))(
    "%s: found, naming its field; qemu-img info, check and a read-write open agree",
    (_name, c) => {
      const path = copies.get(c.name) ?? "";
      const report = reports.get(c.name);
      if (report === undefined) throw new Error(`no report for ${c.name}`);
      const label = JSON.stringify(report.findings, null, 1);
      expect(report.passes, label).toBe(false);
      expect(
        report.findings.map((f) => f.field),
        label,
      ).toContain(c.field);

      const actual = qemuOpens(path, dirname(path), imageConfig(c.config).secret);
      for (const mode of ["info", "check", "use"] as const) {
        const predicted = report.qemu[mode];
        const { opens, result } = actual[mode];
        const shown = `${mode}: qemu-img said ${result.status} ${result.stderr}\n${label}`;
        if (mode === "info" && c.infoCrashes === true) {
          // check says qemu-img info skips this check; qemu-img 7.2 then crashes.
          expect(predicted.opens, shown).toBe(true);
          expect(result.status === -1 || result.status >= 128, shown).toBe(true);
          continue;
        }
        expect(opens, shown).toBe(predicted.opens);
        if (!predicted.opens) expect(result.stderr, shown).toContain(predicted.message);
      }
    },
  );
});
