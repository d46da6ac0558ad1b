/**
 * `check` agrees with qemu-img on every header field it judges, at every
 * kind of value: each signed 64-bit field (offsets, size) and each 32-bit
 * field of a real qemu-img image is set, in copies, to a spread of values —
 * negative, zero, small, at and past each of QEMU's limits, and values whose
 * unsigned reading differs from the signed one — and for every copy the
 * verdict `check --json` predicts for `qemu-img info` and `qemu-img check`
 * (opens or not, and the message) is what qemu-img does.
 */
import { copyFileSync, mkdirSync, openSync, closeSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { binschemaSync } from "./support/cli.js";
import {
  describeWithQemu,
  imageConfig,
  makeTempDir,
  qemuImg,
  type TempDir,
} from "./support/qemu.js";

interface Report {
  findings: { severity: string; field: string; reason: string; qemu?: string }[];
  qemu: Record<"info" | "check" | "use", { opens: boolean; message?: string }>;
}

interface Field {
  name: string;
  at: number;
  width: 4 | 8;
  values: readonly bigint[];
}

const P63 = 2n ** 63n;
/** Signed 64-bit values: both ends, around 0, cluster multiples, and QEMU's limits. */
const S64: readonly bigint[] = [
  -P63,
  -(2n ** 62n),
  -65536n,
  -512n,
  -1n,
  0n,
  1n,
  511n,
  512n,
  65536n,
  0x30000n,
  2n ** 30n,
  2n ** 40n,
  2n ** 53n,
  2n ** 54n,
  2n ** 62n,
  P63 - 2n ** 30n,
  P63 - 2n ** 30n + 512n,
  P63 - 65536n,
  P63 - 1n,
];
/** Signed 32-bit values. */
const S32: readonly bigint[] = [
  -(2n ** 31n),
  -1n,
  0n,
  1n,
  2n,
  8n,
  9n,
  16n,
  21n,
  22n,
  63n,
  64n,
  65535n,
  65536n,
  65537n,
  2n ** 20n,
  2n ** 25n,
  2n ** 28n,
  2n ** 31n - 1n,
];

/** Field offsets (generated/qcow2.md). */
const FIELDS: readonly Field[] = [
  { name: "backing_file_offset", at: 8, width: 8, values: S64 },
  { name: "size", at: 24, width: 8, values: S64 },
  { name: "l1_table_offset", at: 40, width: 8, values: S64 },
  { name: "refcount_table_offset", at: 48, width: 8, values: S64 },
  { name: "snapshots_offset", at: 64, width: 8, values: S64 },
  { name: "backing_file_size", at: 16, width: 4, values: S32 },
  { name: "cluster_bits", at: 20, width: 4, values: S32 },
  { name: "l1_size", at: 36, width: 4, values: S32 },
  { name: "refcount_table_clusters", at: 56, width: 4, values: S32 },
  { name: "nb_snapshots", at: 60, width: 4, values: S32 },
  { name: "refcount_order", at: 96, width: 4, values: S32 },
];

/** A copy of `source` with `value` stored big-endian in `width` bytes at `at`. */
function pokedCopy(source: string, path: string, at: number, width: 4 | 8, value: bigint): string {
  copyFileSync(source, path);
  const unsigned = BigInt.asUintN(width * 8, value);
  const bytes = new Uint8Array(width);
  for (let i = 0; i < width; i++)
    bytes[i] = Number((unsigned >> BigInt(8 * (width - 1 - i))) & 0xffn);
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, bytes, 0, width, at);
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Opens or not, as qemu-img reports it: "Could not open" on stderr means it refused. */
function qemuVerdict(args: readonly string[], cwd: string): { opens: boolean; stderr: string } {
  const r = qemuImg(args, { cwd });
  return { opens: !r.stderr.includes("Could not open"), stderr: r.stderr.trim() };
}

describeWithQemu("check agrees with qemu-img on each field at a spread of values", () => {
  let dir: TempDir | undefined;
  const copies = new Map<string, { path: string; value: bigint }[]>();
  const reports = new Map<string, Report>();

  beforeAll(() => {
    dir = makeTempDir();
    const source = imageConfig("v3-default").create(dir.path);
    for (const f of FIELDS) {
      const sub = join(dir.path, f.name);
      mkdirSync(sub);
      copies.set(
        f.name,
        f.values.map((value) => ({
          value,
          path: pokedCopy(source, join(sub, `${value}.qcow2`), f.at, f.width, value),
        })),
      );
    }
    const paths = [...copies.values()].flat().map((c) => c.path);
    const r = binschemaSync(["check", "--json", ...paths]);
    expect(r.stderr).toBe("");
    const all = JSON.parse(r.stdout) as Report[];
    paths.forEach((path, i) => reports.set(path, all[i]!));
  });
  afterAll(() => dir?.cleanup());

  test.each(FIELDS.map((f) => [f.name, f] as const))("%s", (name, f) => {
    const disagreements: string[] = [];
    for (const { path, value } of copies.get(name) ?? []) {
      const report = reports.get(path);
      if (report === undefined) throw new Error(`no report for ${path}`);
      const cwd = join(path, "..");
      const actual = {
        info: qemuVerdict(["info", "-f", "qcow2", path], cwd),
        check: qemuVerdict(["check", "-f", "qcow2", path], cwd),
      };
      for (const mode of ["info", "check"] as const) {
        const predicted = report.qemu[mode];
        const { opens, stderr } = actual[mode];
        const agrees =
          opens === predicted.opens &&
          (opens || (predicted.message !== undefined && stderr.includes(predicted.message)));
        if (!agrees)
          disagreements.push(
            `${name} = ${value}: qemu-img ${mode} ${opens ? "opens" : `refuses: ${stderr}`}; check predicts ${
              predicted.opens ? "it opens" : `"${predicted.message}"`
            } (findings: ${report.findings.map((x) => `${x.field} ${x.reason}`).join("; ") || "none"})`,
          );
      }
    }
    expect(disagreements).toEqual([]);
    expect(f.values.length).toBeGreaterThan(0);
  });
});
