/**
 * The ext2/3/4 superblock codec (schema/ext4.yaml) against e2fsprogs:
 * mke2fs makes file systems in several configurations, the codec decodes
 * their superblocks, the values agree with what `dumpe2fs -h` prints, the
 * superblock writes back byte for byte, and an edit made with the codec
 * (label, maximum mount count; checksum recomputed) is what dumpe2fs shows
 * and what `e2fsck -fn` accepts. A file system of more than 2^32 blocks
 * (the high halves of the block counts in use) takes a minute to make, so
 * its superblock and dumpe2fs output are a committed fixture.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import * as ext4 from "../generated/ext4.js";
import { describeWithTools, runTool, runToolOrThrow } from "./support/tools.js";

const TOOLS = [
  { command: "mke2fs", debianPackage: "e2fsprogs", versionArgs: ["-V"] },
  { command: "dumpe2fs", debianPackage: "e2fsprogs", versionArgs: ["-V"] },
  { command: "e2fsck", debianPackage: "e2fsprogs", versionArgs: ["-V"] },
];
// tune2fs, from the same package, has no option that only prints its version and exits 0.
const ENV = { ...process.env, TZ: "UTC", LC_ALL: "C", E2FSPROGS_FAKE_TIME: undefined };
const SB = 1024;

/** `dumpe2fs -h` output as a map from its labels to their values. */
function dumpe2fsFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z][^:]*):\s*(.*)$/.exec(line);
    if (m !== null && !fields.has(m[1]!)) fields.set(m[1]!, m[2]!.trim());
  }
  return fields;
}

/** A time as C's ctime() prints it in UTC: `Tue Dec  1 13:30:08 2026`. */
function ctime(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * The feature names dumpe2fs lists, from the bits of the three feature
 * words that are set; a set bit the schema does not name is listed by
 * dumpe2fs as FEATURE_C12 and the like, so none is expected.
 */
function featureNames(sb: ext4.Superblock): string[] {
  const names: string[] = [];
  for (const word of [sb.feature_compat, sb.feature_incompat, sb.feature_ro_compat]) {
    const { unknown, ...bits } = word;
    expect(unknown).toBe(0);
    for (const [name, set] of Object.entries(bits))
      if (set) names.push(name.replace(/^_/, "").replace("read_only", "read-only"));
  }
  return names.sort();
}

function decode(buf: Uint8Array): ext4.Superblock {
  const result = ext4.read(buf, SB);
  if (result instanceof ext4.CodecError) throw new Error(result.message);
  expect(result.end).toBe(SB + 1024);
  return result.value;
}

/** Every value dumpe2fs -h prints that the superblock holds, compared; returns how many. */
function compareWithDumpe2fs(sb: ext4.Superblock, text: string, raw: Uint8Array): number {
  const f = dumpe2fsFields(text);
  const checks: [string, string | undefined, string][] = [
    ["Filesystem magic number", f.get("Filesystem magic number"), "0xEF53"],
    ["Filesystem UUID", f.get("Filesystem UUID"), sb.uuid],
    [
      "Filesystem volume name",
      f.get("Filesystem volume name"),
      sb.volume_name === "" ? "<none>" : sb.volume_name,
    ],
    ["Inode count", f.get("Inode count"), String(sb.inodes_count)],
    ["Block count", f.get("Block count"), String(sb.blocks_count)],
    ["Reserved block count", f.get("Reserved block count"), String(sb.r_blocks_count)],
    ["Free blocks", f.get("Free blocks"), String(sb.free_blocks_count)],
    ["Free inodes", f.get("Free inodes"), String(sb.free_inodes_count)],
    ["First block", f.get("First block"), String(sb.first_data_block)],
    ["Block size", f.get("Block size"), String(1024 << sb.log_block_size)],
    ["Blocks per group", f.get("Blocks per group"), String(sb.blocks_per_group)],
    ["Inodes per group", f.get("Inodes per group"), String(sb.inodes_per_group)],
    ["Inode size", f.get("Inode size"), String(sb.inode_size)],
    ["Mount count", f.get("Mount count"), String(sb.mnt_count)],
    ["Maximum mount count", f.get("Maximum mount count"), String(sb.max_mnt_count ?? -1)],
    [
      "Filesystem state",
      f.get("Filesystem state"),
      `${sb.valid_fs ? "clean" : "not clean"}${sb.error_fs ? " with errors" : ""}`,
    ],
    ["Errors behavior", f.get("Errors behavior"), String(sb.errors)],
    ["Filesystem OS type", f.get("Filesystem OS type"), String(sb.creator_os)],
    [
      "Filesystem features",
      f.get("Filesystem features")?.split(" ").sort().join(" "),
      featureNames(sb).join(" "),
    ],
    ["Filesystem created", f.get("Filesystem created"), ctime(sb.mkfs_time)],
    ["Last write time", f.get("Last write time"), ctime(sb.wtime)],
    ["Last checked", f.get("Last checked"), ctime(sb.lastcheck)],
    ["Last mount time", f.get("Last mount time"), sb.mtime === undefined ? "n/a" : ctime(sb.mtime)],
    ["Directory Hash Seed", f.get("Directory Hash Seed"), sb.hash_seed],
  ];
  if (sb.desc_size !== 0 && sb.feature_incompat._64bit)
    checks.push(["Group descriptor size", f.get("Group descriptor size"), String(sb.desc_size)]);
  if (sb.journal_inum !== 0)
    checks.push(["Journal inode", f.get("Journal inode"), String(sb.journal_inum)]);
  if (sb.feature_ro_compat.metadata_csum) {
    // The codec verified the checksum on read; dumpe2fs prints the stored one.
    const stored = new DataView(raw.buffer, raw.byteOffset).getUint32(SB + 1020, true);
    checks.push(["Checksum", f.get("Checksum"), `0x${stored.toString(16).padStart(8, "0")}`]);
  }
  for (const [label, tool, codec] of checks) expect(`${label}: ${codec}`).toBe(`${label}: ${tool}`);
  return checks.length;
}

describe("ext4 superblock with more than 2^32 blocks (fixture made by mke2fs 1.47.0)", () => {
  const raw = gunzipSync(
    readFileSync(new URL("fixtures/ext4/over-2-32-blocks.superblock.gz", import.meta.url)),
  );
  const text = readFileSync(
    new URL("fixtures/ext4/over-2-32-blocks.dumpe2fs.txt", import.meta.url),
    "utf8",
  );
  const device = new Uint8Array(SB + 1024);
  device.set(raw, SB);

  test("blocks_count joins its halves at bytes 4 and 0x150, as dumpe2fs shows it", () => {
    const sb = decode(device);
    expect(raw[0x150]).toBe(1); // s_blocks_count_hi
    expect(sb.blocks_count).toBe(4299161600n);
    expect(sb.blocks_count > 0xffffffffn).toBe(true);
    expect(compareWithDumpe2fs(sb, text, device)).toBeGreaterThan(25);
  });

  test("writes back byte for byte, and splits an edited count again", () => {
    const sb = decode(device);
    const out = new Uint8Array(device.length).fill(0x5a);
    expect(ext4.write(sb, out, SB)).toBe(SB + 1024);
    expect(Buffer.from(out.subarray(SB))).toEqual(Buffer.from(raw));
    const edited = { ...sb, blocks_count: 0x0000_0123_89ab_cdefn };
    expect(ext4.write(edited, out, SB)).toBe(SB + 1024);
    const view = new DataView(out.buffer);
    expect(view.getUint32(SB + 4, true)).toBe(0x89abcdef);
    expect(view.getUint32(SB + 0x150, true)).toBe(0x123);
    expect(decode(out).blocks_count).toBe(0x0000_0123_89ab_cdefn);
  });
});

describeWithTools(TOOLS, "ext4 superblocks made by mke2fs, read by dumpe2fs and e2fsck", () => {
  const dir = mkdtempSync(join(tmpdir(), "binschema-ext4-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const CONFIGS: { name: string; args: string[]; then?: string[] }[] = [
    { name: "ext2, 1 KiB blocks", args: ["-t", "ext2", "-b", "1024"] },
    { name: "ext3, 4 KiB blocks", args: ["-t", "ext3", "-b", "4096"] },
    { name: "ext4 (64bit, metadata_csum)", args: ["-t", "ext4", "-L", "binschema"] },
    { name: "ext4 without 64bit", args: ["-t", "ext4", "-O", "^64bit", "-b", "4096"] },
    {
      name: "ext4 without metadata_csum",
      args: ["-t", "ext4", "-O", "^metadata_csum,64bit", "-b", "1024"],
    },
    {
      name: "ext4 with metadata_csum turned off by tune2fs (a stale checksum kept)",
      args: ["-t", "ext4"],
      then: ["-O", "^metadata_csum"],
    },
  ];
  let compared = 0;

  for (const [i, config] of CONFIGS.entries()) {
    test(config.name, () => {
      const image = join(dir, `fs${i}.img`);
      writeFileSync(image, new Uint8Array(0));
      runToolOrThrow("truncate", ["-s", "8M", image]);
      runToolOrThrow("mke2fs", ["-q", "-F", "-E", "nodiscard", ...config.args, image], {
        env: ENV,
      });
      if (config.then !== undefined)
        runToolOrThrow("tune2fs", [...config.then, image], { env: ENV });
      const bytes = new Uint8Array(readFileSync(image));
      const sb = decode(bytes);
      compared += compareWithDumpe2fs(
        sb,
        runToolOrThrow("dumpe2fs", ["-h", image], { env: ENV }).stdout,
        bytes,
      );
      if (config.then !== undefined) expect(sb.checksum_unused).toBeDefined();

      // Byte for byte.
      const copy = bytes.slice();
      copy.fill(0xa5, SB, SB + 1024);
      expect(ext4.write(sb, copy, SB)).toBe(SB + 1024);
      expect(Buffer.compare(copy, bytes)).toBe(0);

      // An edit: the label, the maximum mount count and a feature bit (dir_index
      // cleared: a new file system has no indexed directory), checksum recomputed.
      expect(sb.feature_compat.dir_index).toBe(true);
      const edited: ext4.Superblock = {
        ...sb,
        volume_name: "edited-by-codec",
        max_mnt_count: 20,
        feature_compat: { ...sb.feature_compat, dir_index: false },
      };
      expect(ext4.write(edited, copy, SB)).toBe(SB + 1024);
      writeFileSync(image, copy);
      const after = dumpe2fsFields(runToolOrThrow("dumpe2fs", ["-h", image], { env: ENV }).stdout);
      expect(after.get("Filesystem volume name")).toBe("edited-by-codec");
      expect(after.get("Maximum mount count")).toBe("20");
      expect(after.get("Filesystem features")?.split(" ").sort().join(" ")).toBe(
        featureNames(edited).join(" "),
      );
      expect(after.get("Filesystem features")?.split(" ")).not.toContain("dir_index");
      const fsck = runTool("e2fsck", ["-fn", image], { env: ENV });
      expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
      // And back to "absent": stored as -1.
      expect(ext4.write({ ...edited, max_mnt_count: undefined }, copy, SB)).toBe(SB + 1024);
      expect(new DataView(copy.buffer).getInt16(SB + 0x36, true)).toBe(-1);
      writeFileSync(image, copy);
      expect(runTool("e2fsck", ["-fn", image], { env: ENV }).status).toBe(0);
    });
  }

  test("tune2fs edits read back through the codec", () => {
    const image = join(dir, "tuned.img");
    writeFileSync(image, new Uint8Array(0));
    runToolOrThrow("truncate", ["-s", "8M", image]);
    runToolOrThrow("mke2fs", ["-q", "-F", "-t", "ext4", image], { env: ENV });
    runToolOrThrow("tune2fs", ["-c", "33", "-L", "tuned", image], { env: ENV });
    const sb = decode(new Uint8Array(readFileSync(image)));
    expect(sb.max_mnt_count).toBe(33);
    expect(sb.volume_name).toBe("tuned");
    runToolOrThrow("tune2fs", ["-c", "-1", image], { env: ENV });
    expect(decode(new Uint8Array(readFileSync(image))).max_mnt_count).toBeUndefined();
    expect(compared).toBeGreaterThan(100);
  });
});
