/**
 * ISO 9660 images made by genisoimage, in several configurations, against
 * what isoinfo prints: the primary volume descriptor's text fields, sizes
 * and counts (stored in both byte orders), the path tables, and every
 * directory's records (packed in 2048-byte sectors, several sectors for the
 * root) against `isoinfo -l`. Every image writes back byte for byte; a
 * label, a publisher, a directory in the path tables and a file's longer
 * name written by the codec show in isoinfo; and a copy that disagrees
 * with its little-endian field is a read error naming its byte.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  CodecError,
  read,
  readDirectory,
  write,
  type DirectoryRecord,
  type Image,
} from "../generated/iso9660.js";
import { Rng } from "../generator/diff/verify/prng.js";
import { mutationRoundTrips } from "./support/mutation.js";
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

/** `isoinfo -p`'s path table: each entry's number, parent, extent (hex) and name. */
function isoinfoPathTable(name: string): string[][] {
  return tool("isoinfo", ["-p", "-i", name])
    .split("\n")
    .flatMap((line) => {
      const m = /^\s*(\d+):\s+(\d+) ([0-9a-f]+) (.*)$/.exec(line);
      return m === null ? [] : [m.slice(1, 5)];
    });
}

/** The path table as isoinfo prints it (the root's name, the byte 0x00, as nothing). */
function pathTableRows(table: Image["path_table_l"]): string[][] {
  return table.map((e, i) => [
    String(i + 1),
    String(e.parent),
    e.extent.toString(16),
    e.name === "\0" ? "" : e.name,
  ]);
}

/** Where the image's described parts end: the descriptor, a path table or the root directory. */
function describedEnd(image: Image): number {
  const v = image.pvd;
  const tables = [v.type_l_path_table, v.type_m_path_table].map(
    (block) => block * v.logical_block_size + v.path_table_size,
  );
  const root = v.root_directory.extent * v.logical_block_size + v.root_directory.data_length;
  return Math.max(34816, root, ...tables);
}

const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");

/** A record as `isoinfo -l` prints it: size, date, extent, flags in hex, and name. */
function listingRow(r: DirectoryRecord): string[] {
  const t = r.recorded;
  return [
    String(r.data_length),
    `${MONTHS[t.month - 1]} ${String(t.day).padStart(2)} ${1900 + t.years_since_1900}`,
    String(r.extent),
    (r.directory ? 2 : 0).toString(16).padStart(2, "0"),
    r.name === "\0" ? "." : r.name === "\x01" ? ".." : r.name,
  ];
}

/** `isoinfo -l`: each directory's path and its records' rows. */
function isoinfoListing(name: string): Map<string, string[][]> {
  const listing = new Map<string, string[][]>();
  let rows: string[][] = [];
  for (const line of tool("isoinfo", ["-l", "-i", name]).split("\n")) {
    const head = /^Directory listing of (.*)$/.exec(line);
    if (head !== null) listing.set(head[1]!, (rows = []));
    const m =
      /^[-d]\S{9}\s+\d+\s+\d+\s+\d+\s+(\d+) (\w{3} [ \d]\d \d{4}) \[ *(\d+) ([0-9a-f]{2})\]  (.*) $/.exec(
        line,
      );
    if (m !== null) rows.push(m.slice(1, 6));
  }
  return listing;
}

/** Every directory from the root down, read by the codec where its record points, as isoinfo lists them. */
function codecListing(bytes: Uint8Array, image: Image): Map<string, string[][]> {
  const listing = new Map<string, string[][]>();
  const visit = (path: string, records: readonly DirectoryRecord[]): void => {
    listing.set(path, records.map(listingRow));
    for (const r of records.slice(2))
      if (r.directory) {
        const d = readDirectory(bytes, r.extent * image.pvd.logical_block_size, r.data_length);
        if (d instanceof CodecError) throw new Error(`${path}${r.name}: ${d.message}`);
        visit(`${path}${r.name}/`, d.value.records);
      }
  };
  visit("/", image.root.records);
  return listing;
}

/** Where each record of a directory's bytes starts, found from the length bytes alone. */
function recordStarts(bytes: Uint8Array, at: number, size: number): number[] {
  const starts: number[] = [];
  for (let pos = 0; pos < size;) {
    if (bytes[at + pos] === 0) pos = (Math.floor(pos / 2048) + 1) * 2048;
    else {
      starts.push(pos);
      pos += bytes[at + pos]!;
    }
  }
  return starts;
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
    mkdirSync(join(dir, "src", "sub", "deeper"), { recursive: true });
    mkdirSync(join(dir, "src", "other"), { recursive: true });
    writeFileSync(join(dir, "src", "a.txt"), "hello\n");
    writeFileSync(join(dir, "src", "sub", "b.txt"), "x".repeat(5000));
    writeFileSync(join(dir, "src", "boot.img"), new Uint8Array(2048).fill(0x90));
    // Enough files that the root's records fill more than one sector.
    for (let i = 0; i < 60; i++)
      writeFileSync(join(dir, "src", `file_with_a_long_name_${i}.txt`), `${i}\n`);
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
      // The path tables: every directory, as isoinfo lists them, the same in both byte orders.
      expect(pathTableRows(image.path_table_l)).toEqual(isoinfoPathTable(c.name));
      expect(image.path_table_l.length).toBe(4);
      expect(image.path_table_m).toEqual(image.path_table_l);
      // Every directory's records, the root's across several sectors.
      const listing = isoinfoListing(c.name);
      expect(listing.size).toBe(4);
      expect(codecListing(bytes, image)).toEqual(listing);
      // ., .., a.txt, boot.img, other, sub and the 60 files (and boot.iso's boot catalog).
      expect(image.root.records.length).toBe(c.name === "boot.iso" ? 67 : 66);
      expect(v.root_directory.data_length).toBeGreaterThan(2048);
      // Zero the descriptor, the tables and the root directory, write the value into them: the image comes back.
      const copy = new Uint8Array(bytes);
      copy.fill(0, 32768, 34816);
      const root = v.root_directory.extent * v.logical_block_size;
      copy.fill(0, root, root + v.root_directory.data_length);
      for (const block of [v.type_l_path_table, v.type_m_path_table])
        copy.fill(
          0,
          block * v.logical_block_size,
          block * v.logical_block_size + v.path_table_size,
        );
      expect(write(image, copy)).toBe(describedEnd(image));
      expect(Buffer.compare(copy, bytes)).toBe(0);
    });
  }

  it("a new label and publisher, written by the codec, show in isoinfo", () => {
    const { bytes, image } = decode("plain.iso");
    const edited: Image = {
      ...image,
      pvd: { ...image.pvd, volume_id: "EDITED", publisher_id: "SOMEONE ELSE" },
    };
    const copy = new Uint8Array(bytes);
    expect(write(edited, copy)).toBe(describedEnd(image));
    writeFileSync(join(dir, "edited.iso"), copy);
    const info = isoinfoFields("edited.iso");
    expect([info.get("Volume id"), info.get("Publisher id")]).toEqual(["EDITED", "SOMEONE ELSE"]);
    // Only the two fields' bytes changed (volume_id at 40, publisher_id at 318).
    const changed = [...copy.keys()].filter((i) => copy[i] !== bytes[i]);
    expect(changed.every((i) => (i >= 32808 && i < 32840) || (i >= 33086 && i < 33214))).toBe(true);
    expect(changed.length).toBeGreaterThan(0);
  });

  it("a directory renamed in both path tables by the codec shows in isoinfo -p; a table that does not fill its size is refused", () => {
    const { bytes, image } = decode("plain.iso");
    const rename = (t: Image["path_table_l"]) =>
      t.map((e) => (e.name === "OTHER" ? { ...e, name: "THERE" } : e));
    const edited: Image = {
      ...image,
      path_table_l: rename(image.path_table_l),
      path_table_m: rename(image.path_table_m),
    };
    const copy = new Uint8Array(bytes);
    expect(write(edited, copy)).toBe(describedEnd(image));
    writeFileSync(join(dir, "renamed.iso"), copy);
    const names = isoinfoPathTable("renamed.iso").map((row) => row[3]);
    expect(names).toContain("THERE");
    expect(names).not.toContain("OTHER");
    // A longer name would need a larger path_table_size: refused, the buffer untouched.
    const untouched = new Uint8Array(bytes);
    const longer = write(
      {
        ...image,
        path_table_l: image.path_table_l.map((e) =>
          e.name === "OTHER" ? { ...e, name: "OTHERXY" } : e,
        ),
      },
      untouched,
    );
    expect(longer instanceof CodecError && longer.message).toBe(
      `path_table_l: takes ${image.pvd.path_table_size + 2} bytes, but pvd.path_table_size is ${image.pvd.path_table_size}`,
    );
    expect(Buffer.compare(untouched, bytes)).toBe(0);
  });

  it("a file renamed to a longer name by the codec: the records after it move on, one into the next sector, and isoinfo lists and extracts it", () => {
    const { bytes, image } = decode("plain.iso");
    const v = image.pvd;
    const root = v.root_directory.extent * v.logical_block_size;
    const size = v.root_directory.data_length;
    // 60 bytes longer: more than the zeros that end the first sector (less than a record).
    const longer = "A_MUCH_LONGER_NAME_THAT_PUSHES_RECORDS_INTO_THE_NEXT_SECTOR.TXT;1";
    // The length byte is computed (end(system_use)): the longer name is all there is to change.
    const renamed = (r: DirectoryRecord): DirectoryRecord =>
      r.name === "A.TXT;1" ? { ...r, name: longer } : r;
    const edited: Image = { ...image, root: { records: image.root.records.map(renamed) } };
    const copy = new Uint8Array(bytes);
    expect(write(edited, copy)).toBe(describedEnd(image));
    writeFileSync(join(dir, "longer.iso"), copy);
    const before = recordStarts(bytes, root, size);
    const after = recordStarts(copy, root, size);
    expect(after.length).toBe(before.length);
    // The first sector holds fewer records: its last moved to the next sector.
    const inFirst = (starts: number[]) => starts.filter((p) => p < 2048).length;
    expect(inFirst(after)).toBeLessThan(inFirst(before));
    const names = isoinfoListing("longer.iso")
      .get("/")!
      .map((row) => row[4]);
    expect(names).toContain(longer);
    expect(names).not.toContain("A.TXT;1");
    expect(tool("isoinfo", ["-i", "longer.iso", "-x", `/${longer}`])).toBe("hello\n");
    // Names so long that the records need another sector: refused, the image untouched.
    const untouched = new Uint8Array(bytes);
    const tooLong = (r: DirectoryRecord): DirectoryRecord =>
      r.name.startsWith("FILE_") ? { ...r, name: r.name.padEnd(60, "X") } : r;
    const refused = write(
      { ...image, root: { records: image.root.records.map(tooLong) } },
      untouched,
    );
    expect(refused instanceof CodecError && refused.message).toMatch(
      new RegExp(`^root\\.records: takes \\d+ bytes in blocks of 2048, but size is ${size}$`),
    );
    expect(Buffer.compare(untouched, bytes)).toBe(0);
    // A name that makes the record longer than its length byte holds is refused too.
    const huge = write(
      {
        ...image,
        root: {
          records: image.root.records.map((r) =>
            r.name === "A.TXT;1" ? { ...r, name: "N".repeat(230) } : r,
          ),
        },
      },
      untouched,
    );
    expect(huge instanceof CodecError && huge.message).toMatch(
      /^root\.records\[\d+\]\.length: is computed as 264 \(the offset just past system_use\), more than an integer from 0 to 255 can hold$/,
    );
    expect(Buffer.compare(untouched, bytes)).toBe(0);
  });

  it("joliet-rr.iso with its root directory mutated: read refuses or accepts, never throws; accepted ones write back", () => {
    const { bytes, image } = decode("joliet-rr.iso");
    const v = image.pvd;
    const root = v.root_directory.extent * v.logical_block_size;
    const size = v.root_directory.data_length;
    const starts = recordStarts(bytes, root, size);
    const rng = new Rng(4242);
    const random = (n: number): number => rng.below(n);
    const { accepted, refused } = mutationRoundTrips(
      bytes,
      300,
      (mutated) => {
        for (let k = 0; k <= random(2); k++) {
          // A record's length byte half the time: records then start elsewhere, or cross a sector.
          const at = random(2) === 0 ? root + starts[random(starts.length)]! : root + random(size);
          mutated[at] = random(256);
        }
      },
      read,
      write,
    );
    for (const { round, error } of refused)
      expect(error.message, `mutation ${round}`).toMatch(/ at byte \d+: /);
    expect(accepted.length).toBeGreaterThan(30);
    expect(refused.length).toBeGreaterThan(30);
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
    const bad = write({ ...image, pvd: { ...image.pvd, logical_block_size: 4096 } }, untouched);
    expect(bad instanceof CodecError && bad.message).toBe(
      "pvd.logical_block_size: is 4096: must be 512, 1024 or 2048",
    );
    expect(Buffer.compare(untouched, bytes)).toBe(0);
  });
});
