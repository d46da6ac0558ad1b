/**
 * ISO 9660 images made by genisoimage, in several configurations, against
 * what isoinfo prints: the primary volume descriptor's text fields, sizes
 * and counts (stored in both byte orders), and the root directory's extent
 * and length against its `.` entry in `isoinfo -l`. Every image writes back
 * byte for byte; a label and publisher written by the codec show in
 * isoinfo; and a copy that disagrees with its little-endian field is a read
 * error naming its byte.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CodecError, read, write, type Image } from "../generated/iso9660.js";
import { describeWithTools, runToolOrThrow } from "./support/tools.js";

const TOOLS = [
  { command: "genisoimage", debianPackage: "genisoimage" },
  { command: "isoinfo", debianPackage: "genisoimage", versionArgs: ["-version"] },
];

/** Each configuration: genisoimage's arguments besides the output and the source folder. */
const CONFIGS = [
  { name: "plain.iso", args: ["-V", "MYLABEL"] },
  { name: "joliet-rr.iso", args: ["-J", "-R", "-V", "JOLIET RR"] },
  {
    name: "ids.iso",
    args: [
      ...["-V", "IDS", "-sysid", "BINSCHEMA", "-volset", "SET ONE", "-publisher", "A PUBLISHER"],
      ...["-p", "A PREPARER", "-A", "AN APPLICATION", "-copyright", "COPYING", "-abstract", "ABS"],
      ...["-biblio", "BIB", "-iso-level", "3"],
    ],
  },
  {
    name: "boot.iso",
    args: ["-V", "BOOTABLE", "-b", "boot.img", "-no-emul-boot", "-boot-load-size", "4"],
  },
] as const;

let dir = "";

function tool(command: string, args: string[]): string {
  return runToolOrThrow(command, args, { cwd: dir }).stdout;
}

function decode(name: string): { bytes: Uint8Array; image: Image } {
  const bytes = new Uint8Array(readFileSync(join(dir, name)));
  const r = read(bytes);
  if (r instanceof CodecError) throw new Error(`${name}: ${r.message}`);
  return { bytes, image: r.value };
}

/** `isoinfo -d`'s "Name: value" lines. */
function isoinfoFields(name: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of tool("isoinfo", ["-d", "-i", name]).split("\n")) {
    const m = /^([A-Za-z ]+?)(?: is)?: ?(.*)$/.exec(line);
    if (m !== null) fields.set(m[1]!, m[2]!);
  }
  return fields;
}

describeWithTools(TOOLS, "ISO 9660 images made by genisoimage", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "binschema-iso-"));
    mkdirSync(join(dir, "src", "sub"), { recursive: true });
    writeFileSync(join(dir, "src", "a.txt"), "hello\n");
    writeFileSync(join(dir, "src", "sub", "b.txt"), "x".repeat(5000));
    writeFileSync(join(dir, "src", "boot.img"), new Uint8Array(2048).fill(0x90));
    for (const c of CONFIGS) tool("genisoimage", ["-quiet", ...c.args, "-o", c.name, "src"]);
  }, 60_000);

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CONFIGS) {
    it(`${c.name}: the descriptor agrees with isoinfo; writes back byte for byte`, () => {
      const { bytes, image } = decode(c.name);
      const v = image.pvd;
      const info = isoinfoFields(c.name);
      const compared: [string, string | number][] = [
        ["System id", v.system_id],
        ["Volume id", v.volume_id],
        ["Volume set id", v.volume_set_id],
        ["Publisher id", v.publisher_id],
        ["Data preparer id", v.data_preparer_id],
        ["Application id", v.application_id],
        ["Copyright File id", v.copyright_file_id],
        ["Abstract File id", v.abstract_file_id],
        ["Bibliographic File id", v.bibliographic_file_id],
        ["Volume set size", v.volume_set_size],
        ["Volume set sequence number", v.volume_sequence_number],
        ["Logical block size", v.logical_block_size],
        ["Volume size", v.volume_space_size],
      ];
      for (const [key, value] of compared)
        expect([key, info.get(key)]).toEqual([key, String(value)]);
      // The image is as many blocks long as the descriptor says.
      expect(bytes.length).toBe(v.volume_space_size * v.logical_block_size);
      // The root directory's `.` entry: its length and, in brackets, its extent.
      const dot = tool("isoinfo", ["-l", "-i", c.name])
        .split("\n")
        .find((line) => / \. $/.test(line));
      const m = /\s(\d+) \w{3} +\d+ \d{4} \[ *(\d+) 02\]/.exec(dot ?? "");
      expect(m?.slice(1, 3)).toEqual([
        String(v.root_directory.data_length),
        String(v.root_directory.extent),
      ]);
      expect(v.root_directory.directory).toBe(true);
      // Zero the descriptor, write the value into it: the image comes back.
      const copy = new Uint8Array(bytes);
      copy.fill(0, 32768, 34816);
      expect(write(image, copy)).toBe(34816);
      expect(Buffer.compare(copy, bytes)).toBe(0);
    });
  }

  it("a new label and publisher, written by the codec, show in isoinfo", () => {
    const { bytes, image } = decode("plain.iso");
    const edited: Image = {
      pvd: { ...image.pvd, volume_id: "EDITED", publisher_id: "SOMEONE ELSE" },
    };
    const copy = new Uint8Array(bytes);
    expect(write(edited, copy)).toBe(34816);
    writeFileSync(join(dir, "edited.iso"), copy);
    const info = isoinfoFields("edited.iso");
    expect([info.get("Volume id"), info.get("Publisher id")]).toEqual(["EDITED", "SOMEONE ELSE"]);
    // Only the two fields' bytes changed (volume_id at 40, publisher_id at 318).
    const changed = [...copy.keys()].filter((i) => copy[i] !== bytes[i]);
    expect(changed.every((i) => (i >= 32808 && i < 32840) || (i >= 33086 && i < 33214))).toBe(true);
    expect(changed.length).toBeGreaterThan(0);
  });

  it("a big-endian copy that disagrees is a read error naming its byte; a bad write touches nothing", () => {
    const { bytes, image } = decode("joliet-rr.iso");
    const copy = new Uint8Array(bytes);
    // volume_space_size: little-endian at byte 80 of the descriptor, big-endian at 84.
    copy[32768 + 87] = copy[32768 + 87]! ^ 1;
    const r = read(copy);
    expect(r instanceof CodecError && r.message).toBe(
      `pvd.volume_space_size at byte 32852: the big-endian copy is ${image.pvd.volume_space_size ^ 1}, but the little-endian one is ${image.pvd.volume_space_size}`,
    );
    const untouched = new Uint8Array(bytes);
    const bad = write({ pvd: { ...image.pvd, logical_block_size: 4096 } }, untouched);
    expect(bad instanceof CodecError && bad.message).toBe(
      "pvd.logical_block_size: is 4096: must be 512, 1024 or 2048",
    );
    expect(Buffer.compare(untouched, bytes)).toBe(0);
  });
});
