/**
 * Odd bytes QEMU accepts, with qemu-img as the judge: corrupted copies of
 * images qemu-img makes, each with bytes the qcow2 specification says are
 * zero and QEMU ignores — an end marker's length, padding after an
 * extension's payload, the padding after compression_type, and bytes after
 * the NUL of a feature name (a name starting with NUL among them). For each
 * copy qemu-img info opens:
 *
 * - `read` gives a value, and `write` of it gives back exactly the bytes read;
 * - `binschema check` names the odd part as a spec finding, and predicts
 *   that qemu-img info opens the image;
 * - an unrelated edit (the virtual size) keeps the odd bytes byte for byte,
 *   and qemu-img still opens the image, with the new size.
 *
 * Copies qemu-img refuses (an end marker length running into the backing
 * file name) are kept too: check must predict the refusal.
 *
 * The corruptions are made at offsets found by walking the bytes, not with
 * the codec under test.
 */
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { read, sizeof, write } from "../generated/qcow2.js";
import { setEdit } from "../formats/qcow2/edits.js";
import { planRegion, readHeaderRegion, writeRegion } from "../formats/qcow2/image.js";
import { CodecError } from "../runtime/codec.js";
import { binschemaSync } from "./support/cli.js";
import {
  describeWithQemu,
  imageConfig,
  makeTempDir,
  qemuImg,
  type TempDir,
} from "./support/qemu.js";

const u32 = (b: Uint8Array, at: number): number =>
  new DataView(b.buffer, b.byteOffset).getUint32(at);

/** Extension frames from header_length up to the end marker: where each is, its type and length. */
function frames(b: Uint8Array): { at: number; type: number; length: number }[] {
  const out = [];
  let at = u32(b, 4) === 2 ? 72 : u32(b, 100);
  for (;;) {
    const type = u32(b, at);
    const length = u32(b, at + 4);
    out.push({ at, type, length });
    if (type === 0) return out;
    at += 8 + Math.ceil(length / 8) * 8;
  }
}

const FEATURE_TABLE = 0x6803f857;
const BACKING_FORMAT = 0xe2792aca;

/** One odd-bytes copy: which image, which bytes to set, and the field check must name. */
interface Oddity {
  readonly name: string;
  readonly config: string;
  /** The bytes to set, found from the image's own bytes. */
  readonly pokes: (b: Uint8Array) => { at: number; bytes: number[] }[];
  readonly field: string;
  /** The byte offsets that hold the odd bytes, which an edit must keep. */
  readonly kept: (b: Uint8Array) => number[];
}

const endMarker = (b: Uint8Array) => frames(b).at(-1)!.at;
const featureTable = (b: Uint8Array) => {
  const f = frames(b).find((x) => x.type === FEATURE_TABLE);
  if (f === undefined) throw new Error("no feature name table");
  return f;
};
const backingFormat = (b: Uint8Array) => {
  const f = frames(b).find((x) => x.type === BACKING_FORMAT);
  if (f === undefined) throw new Error("no backing format extension");
  return f;
};
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

const END_CONFIGS = [
  "v2",
  "v3-default",
  "zstd",
  "lazy-refcounts",
  "extended-l2",
  "refcount-1",
  "bitmaps",
  "data-file-raw",
  "luks",
  "backing",
  "v2-backing",
];
const V3_CONFIGS = [
  "v3-default",
  "zstd",
  "lazy-refcounts",
  "extended-l2",
  "bitmaps",
  "luks",
  "backing",
];

const ODDITIES: readonly Oddity[] = [
  ...END_CONFIGS.flatMap((config) =>
    [1, 8, 0x41].map((length): Oddity => ({
      name: `${config}: end marker length ${length}`,
      config,
      pokes: (b) => [{ at: endMarker(b) + 4, bytes: [0, 0, 0, length] }],
      // The end marker's index depends on the image: see fieldOf.
      field: "extensions[#].length",
      kept: (b) => range(endMarker(b) + 4, 4),
    })),
  ),
  ...["backing", "v2-backing"].flatMap((config) =>
    [0, 1, 2].flatMap((index) =>
      [0x01, 0xff].map((value): Oddity => ({
        name: `${config}: backing format padding byte ${index} = ${value}`,
        config,
        pokes: (b) => {
          const f = backingFormat(b);
          return [{ at: f.at + 8 + f.length + index, bytes: [value] }];
        },
        field: "extensions[#].padding",
        kept: (b) => {
          const f = backingFormat(b);
          return range(f.at + 8 + f.length, 3);
        },
      })),
    ),
  ),
  ...V3_CONFIGS.flatMap((config) =>
    [0, 3, 6].map((index): Oddity => ({
      name: `${config}: header padding byte ${105 + index}`,
      config,
      pokes: () => [{ at: 105 + index, bytes: [0x80 | index] }],
      field: "additional.padding",
      kept: () => range(105, 7),
    })),
  ),
  ...["v3-default", "zstd", "bitmaps", "luks"].flatMap((config) =>
    ["after the NUL", "in the last byte", "as the first byte (a name starting with NUL)"].map(
      (where): Oddity => ({
        name: `${config}: feature name 0, a byte ${where}`,
        config,
        pokes: (b) => {
          const entry = featureTable(b).at + 8;
          const name = entry + 2;
          if (where === "after the NUL") {
            const nul = b.indexOf(0, name);
            return [{ at: nul + 2, bytes: [0x41] }];
          }
          if (where === "in the last byte") return [{ at: entry + 47, bytes: [0x7f] }];
          return [{ at: name, bytes: [0] }];
        },
        field: "extensions[#].features[0].feature",
        kept: (b) => range(featureTable(b).at + 8, 48),
      }),
    ),
  ),
];

/** The field check names, with the index of the frame it is in (`extensions[#]`). */
function fieldOf(o: Oddity, bytes: Uint8Array): string {
  const all = frames(bytes);
  const index = o.field.includes(".features")
    ? all.findIndex((f) => f.type === FEATURE_TABLE)
    : o.field.includes(".padding") && o.field.startsWith("extensions")
      ? all.findIndex((f) => f.type === BACKING_FORMAT)
      : all.length - 1;
  return o.field.replace("#", String(index));
}

/** The parts of `check --json` the tests read. */
interface Report {
  file: string;
  findings: { severity: string; field: string; reason: string }[];
  qemu: Record<"info" | "check" | "use", { opens: boolean; message?: string }>;
}

interface Copy {
  readonly oddity: Oddity;
  readonly path: string;
  /** The first cluster as poked, before any edit. */
  readonly bytes: Uint8Array;
  readonly field: string;
}

const HEAD = 65536;
const NEW_SIZE = 128n * 1024n * 1024n;

function firstBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path).subarray(0, HEAD));
}

function qemuInfoOpens(path: string): { opens: boolean; size: bigint | undefined; stderr: string } {
  const r = qemuImg(["info", "-f", "qcow2", "--output=json", path], { cwd: dirname(path) });
  if (r.status !== 0) return { opens: false, size: undefined, stderr: r.stderr };
  const info = JSON.parse(r.stdout) as { "virtual-size": number };
  return { opens: true, size: BigInt(info["virtual-size"]), stderr: r.stderr };
}

/** Sets the virtual size the way `binschema set` does (plan and write the header region). */
function editSize(path: string): void {
  const fd = openSync(path, "r+");
  try {
    const region = readHeaderRegion(fd);
    if (region.decoded instanceof CodecError) throw new Error(region.decoded.message);
    const edited = setEdit("size", String(NEW_SIZE))(region.decoded.value);
    writeRegion(fd, region, planRegion(region, edited.header, edited.policy ?? "move"));
  } finally {
    closeSync(fd);
  }
}

describeWithQemu("odd bytes QEMU accepts: read, written back exactly, found, kept by edits", () => {
  let dir: TempDir | undefined;
  const copies: Copy[] = [];
  const reports = new Map<string, Report>();
  const tally = {
    variants: 0,
    qemuOpens: 0,
    readExact: 0,
    found: 0,
    editKept: 0,
    refusedAgreed: 0,
  };

  beforeAll(() => {
    dir = makeTempDir();
    const sources = new Map<string, string>();
    for (const [i, o] of ODDITIES.entries()) {
      let source = sources.get(o.config);
      if (source === undefined) {
        const sub = join(dir.path, o.config);
        mkdirSync(sub);
        source = imageConfig(o.config).create(sub);
        sources.set(o.config, source);
      }
      // Beside its source, so a relative backing or data file name still resolves.
      const path = join(dirname(source), `odd-${i}.qcow2`);
      copyFileSync(source, path);
      const image = readFileSync(path);
      const head = new Uint8Array(image.subarray(0, HEAD));
      for (const p of o.pokes(head)) head.set(p.bytes, p.at);
      image.set(head, 0);
      writeFileSync(path, image);
      copies.push({ oddity: o, path, bytes: head, field: fieldOf(o, head) });
    }
    // One process checks every copy, before any edit.
    const r = binschemaSync(["check", "--json", ...copies.map((c) => c.path)]);
    expect(r.stderr).toBe("");
    const all = JSON.parse(r.stdout) as Report[];
    copies.forEach((c, i) => reports.set(c.path, all[i]!));
  }, 300_000);

  afterAll(() => {
    dir?.cleanup();
    // The measured numbers, for the record.
    console.log(`kept odd bytes: ${JSON.stringify(tally)}`);
  });

  test.each(ODDITIES.map((o, i) => [o.name, i] as const))("%s", (_name, i) => {
    const copy = copies[i]!;
    const report = reports.get(copy.path)!;
    const label = JSON.stringify(report.findings, null, 1);
    tally.variants++;
    const before = qemuInfoOpens(copy.path);
    // check predicts what qemu-img info does, either way.
    expect(report.qemu.info.opens, `${before.stderr}\n${label}`).toBe(before.opens);
    if (!before.opens) {
      expect(before.stderr).toContain(report.qemu.info.message);
      tally.refusedAgreed++;
      return;
    }
    tally.qemuOpens++;

    // read gives a value, and write gives back exactly the bytes read.
    const decoded = read(copy.bytes);
    if (decoded instanceof CodecError) throw new Error(`read refused it: ${decoded.message}`);
    const out = new Uint8Array(sizeof(decoded.value));
    expect(write(decoded.value, out)).toBe(decoded.end);
    expect(Buffer.from(out).equals(copy.bytes.subarray(0, decoded.end))).toBe(true);
    tally.readExact++;

    // check names the odd part as a spec finding.
    expect(
      report.findings.filter((f) => f.severity === "spec").map((f) => f.field),
      label,
    ).toContain(copy.field);
    tally.found++;

    // An unrelated edit keeps the odd bytes where they were, and qemu-img still opens it.
    editSize(copy.path);
    const after = firstBytes(copy.path);
    const at = copy.oddity.kept(copy.bytes);
    expect(at.map((k) => after[k])).toEqual(at.map((k) => copy.bytes[k]));
    const edited = qemuInfoOpens(copy.path);
    expect(edited.opens, edited.stderr).toBe(true);
    expect(edited.size).toBe(NEW_SIZE);
    tally.editKept++;
  });

  test("binschema set itself keeps each kind of odd bytes", () => {
    for (const name of [
      "v3-default: end marker length 8",
      "backing: backing format padding byte 1 = 255",
      "zstd: header padding byte 108",
      "v3-default: feature name 0, a byte as the first byte (a name starting with NUL)",
    ]) {
      const i = ODDITIES.findIndex((o) => o.name === name);
      const o = ODDITIES[i]!;
      const original = join(dirname(copies[i]!.path), `cli-${i}.qcow2`);
      // A fresh copy of the odd image, as it was before the in-process edit.
      const image = readFileSync(copies[i]!.path);
      image.set(copies[i]!.bytes, 0);
      writeFileSync(original, image);
      const r = binschemaSync(["set", original, "size", "268435456", "--no-undo"]);
      expect(r.status, r.stderr).toBe(0);
      const after = firstBytes(original);
      const at = o.kept(copies[i]!.bytes);
      expect(
        at.map((k) => after[k]),
        name,
      ).toEqual(at.map((k) => copies[i]!.bytes[k]));
      const info = qemuInfoOpens(original);
      expect(info.opens, info.stderr).toBe(true);
      expect(info.size).toBe(268435456n);
    }
  });
});
