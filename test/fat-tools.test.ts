/**
 * schema/fat.yaml against dosfstools and mtools: FAT12, FAT16 and FAT32
 * volumes made by mkfs.fat (different sector and cluster sizes, labels and
 * serial numbers), with files and a directory copied in by mcopy and mmd,
 * some with long (VFAT) names, are decoded and compared with what minfo
 * (the BPB), mdir (names, long names, sizes, dates) and mshowfat (each
 * file's cluster chain, from the decoded FAT entries) print; each writes
 * back byte for byte; and the volume label, a file's date and a long name
 * are edited through the codec, so that fatlabel and mdir show the new
 * values and fsck.fat accepts the volume.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  CodecError,
  read,
  readDirectory,
  write,
  writeDirectory,
  type Bpb16,
  type Bpb32,
  DirEntry_attributes_bits as ATTR,
  type DirEntry,
  type Directory,
  type ShortEntry,
  type Volume,
} from "../generated/fat.js";
import { Rng } from "../generator/diff/verify/prng.js";
import { mutationRoundTrips } from "./support/mutation.js";
import { describeWithTools, runToolOrThrow } from "./support/tools.js";

const TOOLS = [
  // dosfstools 4.2's mkfs.fat and fsck.fat have no --version; --help exits 0.
  { command: "mkfs.fat", debianPackage: "dosfstools", versionArgs: ["--help"] },
  { command: "fsck.fat", debianPackage: "dosfstools", versionArgs: ["--help"] },
  { command: "fatlabel", debianPackage: "dosfstools" },
  { command: "minfo", debianPackage: "mtools" },
  { command: "mcopy", debianPackage: "mtools" },
  { command: "mdir", debianPackage: "mtools" },
  { command: "mshowfat", debianPackage: "mtools" },
];

/** Each configuration: mkfs.fat's arguments (before the size in KiB), and the FAT width. */
const CONFIGS = [
  { name: "a12.img", bits: 12, kib: 360, args: ["-F", "12", "-n", "MYLABEL", "-i", "12345678"] },
  {
    name: "b12.img",
    bits: 12,
    kib: 720,
    // 128 root entries fill whole 1024-byte sectors: with mkfs.fat's default 112, mtools (which
    // rounds the root directory down) and fsck.fat (up) disagree about where the data starts.
    args: ["-F", "12", "-S", "1024", "-s", "2", "-r", "128", "-n", "OTHER VOL", "-i", "DEADBEEF"],
  },
  { name: "a16.img", bits: 16, kib: 2200, args: ["-F", "16", "-s", "1", "-n", "VOL16"] },
  // mtools takes the FAT type from the cluster count, so FAT32 needs 65525 clusters: 33 MiB
  // of 512-byte clusters, made sparse.
  {
    name: "a32.img",
    bits: 32,
    kib: 33300,
    args: ["-F", "32", "-s", "1", "-n", "VOL32", "-i", "0BADF00D"],
  },
] as const;

let dir = "";

// Extended BPBs of the other kind, for a value holding both.
const TAIL = { drive_number: 0x80, reserved1: 0, boot_signature: 0x29, volume_id: 1 };
const BPB16: Bpb16 = {
  ...TAIL,
  volume_label: "X",
  fs_type: "Fat16",
  boot_code: "".padEnd(448, "\0"),
};
const BPB32: Bpb32 = {
  fat_size_32: 1,
  ext_flags: 0,
  fs_version: 0,
  root_cluster: 2,
  fs_info_sector: 1,
  backup_boot_sector: 6,
  ...TAIL,
  volume_label: "X",
  fs_type: "Fat32",
  boot_code: "".padEnd(420, "\0"),
};

function tool(command: string, args: string[]): string {
  return runToolOrThrow(command, args, { cwd: dir }).stdout;
}

function decode(name: string): { bytes: Uint8Array; volume: Volume } {
  const bytes = new Uint8Array(readFileSync(join(dir, name)));
  const result = read(bytes);
  if (result instanceof CodecError) throw new Error(`${name}: ${result.message}`);
  return { bytes, volume: result.value };
}

/** Geometry the tests need, from the decoded BPB. */
function geometry(v: Volume) {
  const bps = v.bytes_per_sector;
  const fatSize = v.fat_size_16 !== 0 ? v.fat_size_16 : v.ext32!.fat_size_32;
  const total = v.total_sectors_16 + v.total_sectors_32;
  const rootSectors = Math.ceil((v.root_entry_count * 32) / bps);
  const dataStart = v.reserved_sectors + v.num_fats * fatSize + rootSectors;
  const clusters = Math.floor((total - dataStart) / v.sectors_per_cluster);
  const clusterAt = (n: number): number => (dataStart + (n - 2) * v.sectors_per_cluster) * bps;
  return { bps, fatSize, clusters, clusterAt, fatAt: v.reserved_sectors * bps };
}

/** Where the first FAT starts. */
const g0 = (v: Volume): number => v.reserved_sectors * v.bytes_per_sector;

/** The FAT's entries as numbers, from whichever table the volume has. */
function fatEntries(v: Volume): number[] {
  if (v.fat12 !== undefined) return v.fat12.flatMap((p) => [p.even, p.odd]);
  if (v.fat16 !== undefined) return v.fat16.map((e) => e.next);
  if (v.fat32 !== undefined) return v.fat32.map((e) => e.next);
  throw new Error("the volume has no FAT");
}

/** A cluster chain as mshowfat prints it: `<2> <4-5>`. */
function chainText(entries: number[], first: number, bits: number): string {
  const end = bits === 12 ? 0xff8 : bits === 16 ? 0xfff8 : 0x0ffffff8;
  const runs: [number, number][] = [];
  for (let c = first; c >= 2 && c < end; c = entries[c]!) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] + 1 === c) last[1] = c;
    else runs.push([c, c]);
  }
  return runs.map(([a, b]) => (a === b ? `<${a}>` : `<${a}-${b}>`)).join(" ");
}

/** A short entry's times, cluster and size (a long name's part has none). */
const short = (e: DirEntry): ShortEntry => {
  if (e.short === undefined) throw new Error("a long name's part, not a short entry");
  return e.short;
};
const firstCluster = (e: DirEntry): number =>
  short(e).first_cluster_hi * 65536 + short(e).first_cluster_lo;
const LONG_NAME = 0x0f;
const isLongPart = (e: DirEntry): boolean => e.attributes === LONG_NAME;

/** The checksum of a short name's 11 bytes that each part of its long name holds. */
function shortNameChecksum(e: DirEntry): number {
  const bytes = (e.name ?? "").padEnd(8) + (e.ext ?? "").padEnd(3);
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + bytes.charCodeAt(i)) & 0xff;
  return sum;
}

/**
 * Each short entry with its long name, put together from the parts before
 * it (the last part first, 13 UTF-16LE characters each): checked to count
 * down to 1 and to hold the short name's checksum, as VFAT readers do.
 */
function withLongNames(entries: readonly DirEntry[]): { entry: DirEntry; long?: string }[] {
  const out: { entry: DirEntry; long?: string }[] = [];
  let parts: DirEntry[] = [];
  for (const e of entries) {
    if (isLongPart(e)) {
      if (e.sequence !== 0xe5) parts.push(e);
      continue;
    }
    if (parts.length === 0 || e.name!.charCodeAt(0) === 0xe5) {
      out.push({ entry: e });
      parts = [];
      continue;
    }
    expect(parts.map((p) => p.sequence)).toEqual(
      parts.map((_, i) => (parts.length - i) | (i === 0 ? 0x40 : 0)),
    );
    expect(parts.every((p) => p.short_checksum === shortNameChecksum(e))).toBe(true);
    const units = parts
      .reverse()
      .map((p) => p.name_1! + p.name_2! + p.name_3!)
      .join("");
    const text = Buffer.from(units, "latin1").toString("utf16le");
    const end = text.indexOf("\0");
    out.push({ entry: e, long: end === -1 ? text : text.slice(0, end) });
    parts = [];
  }
  return out;
}

/** The entry parts of a long name, in stored order, for `text` belonging to `entry`. */
function longNameParts(text: string, entry: DirEntry): DirEntry[] {
  const count = Math.ceil((text.length + 1) / 13);
  const units = Buffer.from(`${text}\0`.padEnd(count * 13, "\uffff"), "utf16le").toString("latin1");
  const parts: DirEntry[] = [];
  for (let n = count; n >= 1; n--) {
    const chars = units.slice((n - 1) * 26, n * 26);
    parts.push({
      attributes: LONG_NAME,
      sequence: n | (n === count ? 0x40 : 0),
      name_1: chars.slice(0, 10),
      short_checksum: shortNameChecksum(entry),
      name_2: chars.slice(10, 22),
      name_3: chars.slice(22, 26),
      name: undefined,
      ext: undefined,
      short: undefined,
    });
  }
  return parts;
}

function rootDirectory(bytes: Uint8Array, v: Volume): { dir: Directory; at: number } {
  if (v.root_dir !== undefined)
    return {
      dir: v.root_dir,
      at: geometry(v).fatAt + v.num_fats * v.fat_size_16 * v.bytes_per_sector,
    };
  const at = geometry(v).clusterAt(v.ext32!.root_cluster);
  const r = readDirectory(bytes, at);
  if (r instanceof CodecError) throw new Error(r.message);
  return { dir: r.value, at };
}

/**
 * One mdir line: `HELLO    TXT      5000 2026-12-01  16:50` (hours
 * space-padded), then the long name if there is one, as the entry would print.
 */
function mdirLine({ entry: e, long }: { entry: DirEntry; long?: string }): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  const s = short(e);
  const size = (e.attributes & ATTR.directory) !== 0 ? "<DIR>    " : String(s.size).padStart(9);
  const date = `${1980 + s.year}-${pad(s.month)}-${pad(s.day)}`;
  // Windows NT's case bits: a name of one case is stored upper case, with no long name.
  const base = (s.nt_case & 0x08) !== 0 ? e.name!.toLowerCase() : e.name!;
  const ext = (s.nt_case & 0x10) !== 0 ? e.ext!.toLowerCase() : e.ext!;
  const line = `${base.padEnd(8)} ${ext.padEnd(3)} ${size} ${date}  ${String(s.hour).padStart(2)}:${pad(s.minute)}`;
  return long === undefined ? line : `${line}  ${long}`;
}

/** Lines of `mdir` for the files and directories (not the header or totals). */
function mdirEntries(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /\d{4}-\d\d-\d\d\s+\d?\d:\d\d/.test(l))
    .map((l) => l.trimEnd());
}

/** `key: value` and `key=value` lines of minfo. */
function minfoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z][a-zA-Z0-9 ()]*?)\s*[:=]\s*(.*)$/.exec(line.trim());
    if (m !== null) fields.set(m[1]!, m[2]!.replace(/^"|"$/g, ""));
  }
  return fields;
}

describeWithTools(TOOLS, "FAT volumes made by mkfs.fat and mtools", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "binschema-fat-"));
    // 5000 bytes span several clusters; a file rewritten after another makes a fragmented chain.
    writeFileSync(join(dir, "HELLO.TXT"), "x".repeat(5000));
    writeFileSync(join(dir, "A.TXT"), "hi\n");
    writeFileSync(join(dir, "BIG.DAT"), "y".repeat(9000));
    // A long name, and a lower-case one, which Windows NT's case bits hold without a long name.
    writeFileSync(join(dir, "long.txt"), "a long name\n");
    for (const c of CONFIGS) {
      tool("mkfs.fat", [...c.args, "-C", c.name, String(c.kib)]);
      const img = ["-i", c.name];
      tool("mcopy", [...img, "A.TXT", "::A.TXT"]);
      tool("mmd", [...img, "::SUBDIR"]);
      tool("mcopy", [...img, "HELLO.TXT", "::HELLO.TXT"]);
      tool("mcopy", [...img, "A.TXT", "::SUBDIR/A.TXT"]);
      tool("mcopy", [...img, "BIG.DAT", "::BIG.DAT"]);
      tool("mdel", [...img, "::A.TXT"]);
      tool("mcopy", [...img, "long.txt", "::A file with quite a long name, 40 chars.txt"]);
      tool("mcopy", [...img, "long.txt", "::SUBDIR/lower.txt"]);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CONFIGS.map((c) => [c.name, c] as const))(
    "%s: the BPB agrees with minfo; writes back byte for byte",
    (name, config) => {
      const { bytes, volume: v } = decode(name);
      const info = minfoFields(tool("minfo", ["-i", name]));
      const ext = v.ext16 ?? v.ext32!;
      expect(v.oem_name).toBe(info.get("banner"));
      expect(String(v.bytes_per_sector)).toBe(info.get("sector size")?.replace(" bytes", ""));
      expect(String(v.sectors_per_cluster)).toBe(info.get("cluster size")?.replace(" sectors", ""));
      expect(String(v.reserved_sectors)).toBe(info.get("reserved (boot) sectors"));
      expect(String(v.num_fats)).toBe(info.get("fats"));
      expect(String(v.root_entry_count)).toBe(info.get("max available root directory slots"));
      expect(String(v.total_sectors_16)).toBe(info.get("small size")?.replace(" sectors", ""));
      if (v.total_sectors_32 !== 0)
        expect(String(v.total_sectors_32)).toBe(info.get("big size")?.replace(" sectors", ""));
      expect(`0x${v.media.toString(16)}`).toBe(info.get("media descriptor byte"));
      expect(String(v.fat_size_16)).toBe(info.get("sectors per fat"));
      expect(String(v.hidden_sectors)).toBe(info.get("hidden sectors"));
      expect(`0x${ext.drive_number.toString(16)}`).toBe(info.get("physical drive id"));
      expect(`0x${ext.boot_signature.toString(16)}`).toBe(info.get("dos4"));
      expect(ext.volume_id.toString(16).toUpperCase().padStart(8, "0")).toBe(
        info.get("serial number"),
      );
      // minfo prints the stored 11 and 8 bytes; the values are without their padding.
      expect(ext.volume_label).toBe(info.get("disk label")?.trimEnd());
      expect(ext.fs_type).toBe(`Fat${config.bits}`);
      expect(info.get("disk type")).toBe(`FAT${config.bits}   `);
      if (v.ext32 !== undefined) {
        expect(String(v.ext32.fat_size_32)).toBe(info.get("Big fatlen"));
        expect(String(v.ext32.root_cluster)).toBe(info.get("rootCluster"));
        expect(String(v.ext32.fs_info_sector)).toBe(info.get("infoSector location"));
        expect(String(v.ext32.backup_boot_sector)).toBe(info.get("backup boot sector"));
        expect(`0x${v.ext32.ext_flags.toString(16).padStart(4, "0")}`).toBe(
          info.get("Extended flags"),
        );
      }
      // Entries 0 and 1 hold the media byte and end-of-chain marks: F8 FF FF is the pair
      // 0xFF8, 0xFFF (the even entry in the low 12 bits); F8 FF FF FF for FAT16.
      const media = bytes[g0(v)]!;
      if (v.fat12 !== undefined) expect(v.fat12[0]).toEqual({ even: 0xf00 | media, odd: 0xfff });
      if (v.fat16 !== undefined)
        expect(v.fat16.slice(0, 2)).toEqual([{ next: 0xff00 | media }, { next: 0xffff }]);
      // Exactly one extended BPB: write refuses a value with the other, the buffer untouched.
      const scratch = new Uint8Array(512).fill(7);
      const other =
        v.ext16 !== undefined
          ? write({ ...v, ext16: undefined }, scratch)
          : write({ ...v, ext32: undefined }, scratch);
      expect(other instanceof CodecError && other.message).toBe(
        v.ext16 !== undefined
          ? `ext16: is required when fat_size_16 is ${v.fat_size_16}`
          : "ext32: is required when fat_size_16 is 0",
      );
      // And a value with both: the switch's other case must be absent.
      const both = write({ ...v, ext16: v.ext16 ?? BPB16, ext32: v.ext32 ?? BPB32 }, scratch);
      expect(both instanceof CodecError && both.message).toBe(
        v.ext16 !== undefined
          ? `ext32: must be absent when fat_size_16 is ${v.fat_size_16}`
          : "ext16: must be absent when fat_size_16 is 0",
      );
      expect(scratch.every((b) => b === 7)).toBe(true);
      // The table the cluster count chose has the width mkfs.fat made.
      expect([v.fat12 !== undefined, v.fat16 !== undefined, v.ext32 !== undefined]).toEqual([
        config.bits === 12,
        config.bits === 16,
        config.bits === 32,
      ]);
      // Zero what the schema describes (boot sector, first FAT, FAT12/16 root directory), write
      // the value there again, and get the volume back byte for byte.
      const g = geometry(v);
      const copy = new Uint8Array(bytes);
      copy.fill(0, 0, 512);
      copy.fill(0, g.fatAt, g.fatAt + g.fatSize * g.bps);
      const rootAt = g.fatAt + v.num_fats * g.fatSize * g.bps;
      copy.fill(0, rootAt, g.clusterAt(2));
      const end = write(v, copy);
      if (end instanceof CodecError) throw new Error(end.message);
      if (v.ext32 !== undefined) {
        // FAT32: the table (clusters + 2 entries) is the last part.
        expect(v.fat32!.length).toBe(g.clusters + 2);
        expect(end).toBe(g.fatAt + 4 * (g.clusters + 2));
      } else {
        expect(end).toBe(rootAt + 32 * (v.root_dir!.entries.length + 1));
      }
      expect(Buffer.compare(copy, bytes)).toBe(0);
    },
  );

  it.each(CONFIGS.map((c) => [c.name, c] as const))(
    "%s: directories agree with mdir, cluster chains with mshowfat",
    (name, config) => {
      const { bytes, volume: v } = decode(name);
      const g = geometry(v);
      const root = rootDirectory(bytes, v).dir.entries;
      // The deleted A.TXT (first byte 0xE5) and the label's entry are not files mdir lists.
      const listed = (d: DirEntry[]) =>
        withLongNames(d).filter(
          ({ entry: e }) => (e.attributes & ATTR.volume_id) === 0 && e.name!.charCodeAt(0) !== 0xe5,
        );
      expect(listed(root).map(mdirLine)).toEqual(mdirEntries(tool("mdir", ["-i", name, "::"])));
      expect(root.some((e) => e.name?.charCodeAt(0) === 0xe5 && e.ext === "TXT")).toBe(true);
      // The 43-character name takes four parts (13 characters each, then a 0x0000).
      expect(root.filter(isLongPart).length).toBe(4);
      expect(listed(root).map((x) => x.long)).toContain(
        "A file with quite a long name, 40 chars.txt",
      );
      const sub = root.find((e) => e.name === "SUBDIR")!;
      const subDir = readDirectory(bytes, g.clusterAt(firstCluster(sub)));
      if (subDir instanceof CodecError) throw new Error(subDir.message);
      expect(listed(subDir.value.entries).map(mdirLine)).toEqual(
        mdirEntries(tool("mdir", ["-i", name, "::SUBDIR"])),
      );
      const entries = fatEntries(v);
      expect(entries.length).toBeGreaterThanOrEqual(g.clusters + 2);
      const files: [string, DirEntry][] = [
        ["::/HELLO.TXT", root.find((e) => e.name === "HELLO")!],
        ["::/BIG.DAT", root.find((e) => e.name === "BIG")!],
        ["::/SUBDIR", sub],
        ["::/SUBDIR/A.TXT", subDir.value.entries.find((e) => e.name === "A")!],
      ];
      const shown = tool("mshowfat", ["-i", name, ...files.map(([path]) => path)]);
      expect(shown.trim().split("\n")).toEqual(
        files.map(([path, e]) => `${path} ${chainText(entries, firstCluster(e), config.bits)}`),
      );
    },
  );

  it("a12.img with its BPB mutated: read refuses or accepts, never throws; accepted ones write back", () => {
    // The volume up to its data clusters: boot sector, FATs and root directory.
    const { bytes: whole, volume } = decode("a12.img");
    const bytes = whole.slice(0, geometry(volume).clusterAt(2));
    const rng = new Rng(12345);
    const random = (n: number): number => rng.below(n);
    const { accepted, refused } = mutationRoundTrips(
      bytes,
      500,
      (mutated) => {
        for (let k = 0; k <= random(3); k++) mutated[random(64)] = random(256);
      },
      read,
      write,
    );
    expect(accepted.length).toBeGreaterThan(50);
    expect(refused.length).toBeGreaterThan(50);
  });

  it("a12.img with its root directory mutated: long-name parts and short entries read or are refused, never a throw; accepted ones write back", () => {
    const { bytes: whole, volume } = decode("a12.img");
    const bytes = whole.slice(0, geometry(volume).clusterAt(2));
    const rootAt = rootDirectory(whole, volume).at;
    const used = 32 * (volume.root_dir!.entries.length + 1);
    const rng = new Rng(777);
    const random = (n: number): number => rng.below(n);
    const { accepted, refused } = mutationRoundTrips(
      bytes,
      500,
      (mutated) => {
        for (let k = 0; k <= random(3); k++) {
          // Attribute bytes half the time, so entries change between the two layouts.
          const at = random(2) === 0 ? rootAt + 32 * random(used / 32) + 11 : rootAt + random(used);
          mutated[at] = random(2) === 0 ? 0x0f : random(256);
        }
      },
      read,
      write,
    );
    for (const { round, error } of refused)
      expect(error.message, `mutation ${round}`).toMatch(/ at byte \d+: /);
    const parts = (v: Volume) => v.root_dir!.entries.filter(isLongPart).length;
    const switched = accepted.filter((v) => parts(v) !== parts(volume)).length;
    expect(accepted.length).toBeGreaterThan(50);
    expect(refused.length).toBeGreaterThan(50);
    expect(switched).toBeGreaterThan(20);
  });

  it.each(CONFIGS.map((c) => [c.name, c] as const))(
    "%s: a new label and a file's date, written by the codec, shown by fatlabel and mdir",
    (name) => {
      const { bytes, volume: v } = decode(name);
      const edited = new Uint8Array(bytes);
      const label = "EDITED BY";
      const ext = v.ext16 ?? v.ext32!;
      const root = rootDirectory(bytes, v);
      const entries = root.dir.entries.map((e): DirEntry => {
        if (isLongPart(e)) return e;
        if ((e.attributes & ATTR.volume_id) !== 0)
          return { ...e, name: label.slice(0, 8), ext: label.slice(8) };
        if (e.name === "HELLO")
          return {
            ...e,
            short: { ...short(e), year: 2001 - 1980, month: 2, day: 3, hour: 4, minute: 5 },
          };
        return e;
      });
      // The long name, renamed in place: as many parts, so nothing else moves.
      const renamed = "Renamed by binschema: the same 43 chars.txt";
      const long = withLongNames(entries).find((x) => x.long?.startsWith("A file with"))!;
      const at = entries.indexOf(long.entry);
      entries.splice(at - 4, 4, ...longNameParts(renamed, long.entry));
      const labelled =
        v.ext16 !== undefined
          ? { ...v, ext16: { ...ext, volume_label: label } }
          : { ...v, ext32: { ...v.ext32!, volume_label: label } };
      if (v.root_dir !== undefined) {
        expect(write({ ...labelled, root_dir: { entries } }, edited)).toBe(
          root.at + 32 * (entries.length + 1),
        );
      } else {
        const g = geometry(v);
        expect(write(labelled, edited)).toBe(g.fatAt + 4 * v.fat32!.length);
        // FAT32 keeps a copy of the boot sector, which fsck.fat compares with the first.
        const backup = v.ext32!.backup_boot_sector * v.bytes_per_sector;
        edited.copyWithin(backup, 0, 512);
        expect(writeDirectory({ entries }, edited, root.at)).toBe(
          root.at + 32 * (entries.length + 1),
        );
      }
      const out = join(dir, `edited-${name}`);
      writeFileSync(out, edited);
      expect(readFileSync(out).compare(bytes)).not.toBe(0);
      if (root.dir.entries.some((e) => !isLongPart(e) && (e.attributes & ATTR.volume_id) !== 0))
        expect(tool("fatlabel", [out]).trim()).toBe(label);
      expect(minfoFields(tool("minfo", ["-i", out])).get("disk label")).toBe(label.padEnd(11));
      const listing = mdirEntries(tool("mdir", ["-i", out, "::"]));
      expect(listing.find((l) => l.startsWith("HELLO"))).toMatch(/ 2001-02-03   4:05$/);
      expect(listing.some((l) => l.endsWith(`  ${renamed}`))).toBe(true);
      expect(listing.some((l) => l.includes("A file with"))).toBe(false);
      tool("fsck.fat", ["-n", out]);
      // Nothing else moved: decoding the edited volume gives the edited values.
      expect(decode(`edited-${name}`).volume).toEqual(
        v.root_dir !== undefined ? { ...labelled, root_dir: { entries } } : labelled,
      );
    },
  );
});
