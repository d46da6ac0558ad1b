/**
 * Benchmark cases for the disk-image family beyond qcow2 (QED, VDI, ...):
 * for each schema, header regions that qemu-img made (the committed
 * fixtures of test/fixtures/images), decoded and encoded by the generated
 * codec, by a hand-written codec of the same fields, checks and value
 * shape (bench/handwritten/), and by the peers that can describe the
 * format. Checked as in bench/cases.ts: every decoder gives the generated
 * codec's value, every encoder writes the fixture's bytes.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as elf from "../generated/elf.js";
import * as ext4 from "../generated/ext4.js";
import * as iso9660 from "../generated/iso9660.js";
import * as png from "../generated/png.js";
import * as qed from "../generated/qed.js";
import * as tar from "../generated/tar.js";
import * as vdi from "../generated/vdi.js";
import * as vhd from "../generated/vhd.js";
import * as vhdx from "../generated/vhdx.js";
import * as vmdk from "../generated/vmdk.js";
import * as zip from "../generated/zip.js";
import { crc32, crc32c } from "../runtime/checksum.js";
import { CodecError, type Decoded } from "../runtime/codec.js";
import type { Case, Implementation, Wanted } from "./cases.js";
import { expectEqual, sameBytes } from "./expect.js";
import * as handElf from "./handwritten/elf.js";
import * as handExt4 from "./handwritten/ext4.js";
import * as handIso9660 from "./handwritten/iso9660.js";
import * as handPng from "./handwritten/png.js";
import * as handQed from "./handwritten/qed.js";
import * as handTar from "./handwritten/tar.js";
import * as handVdi from "./handwritten/vdi.js";
import * as handVhd from "./handwritten/vhd.js";
import * as handVhdx from "./handwritten/vhdx.js";
import * as handVmdk from "./handwritten/vmdk.js";
import * as handZip from "./handwritten/zip.js";
import type { BenchInput } from "./inputs.js";
import {
  elfBinaryParser,
  qedBinaryParser,
  vdiBinaryParser,
} from "./peers/binary-parser-formats.js";
import { qedKaitai, vdiKaitai, vmdkKaitai } from "./peers/kaitai-formats.js";

/** A fixture region of one format: its bytes, and the generated codec's decode of them. */
export interface FormatInput extends BenchInput {
  readonly format: string;
  readonly bytes: Uint8Array;
  readonly end: number;
  readonly value: unknown;
}

interface Codec<V> {
  readonly read: (buf: Uint8Array) => Decoded<V> | CodecError;
  readonly write: (value: V, buf: Uint8Array) => number | CodecError;
  readonly sizeof: (value: V) => number;
}

/** A peer decoder, and how to turn what it returns into the generated codec's value. */
export interface PeerDecoder {
  readonly impl: Implementation;
  readonly decode: (buf: Uint8Array) => unknown;
  readonly normalise: (output: unknown, what: string) => unknown;
}

interface Record_ {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
}

interface Format<V> {
  /** Synthetic inputs whose work grows with a count, to show cost is linear in it. */
  readonly scaling?: () => FormatInput[];
  readonly format: string;
  /**
   * Fixture names (test/fixtures/images/FORMAT/NAME.PART.bin, or with
   * `bench`, bench/fixtures/FORMAT/NAME.bin.gz made by bench/fixtures/make.ts)
   * and what each holds.
   */
  readonly fixtures: readonly (readonly [string, string])[];
  readonly part?: string;
  readonly bench?: true;
  /**
   * Write leaves the bytes it does not describe as they are (ELF's gaps):
   * encoders write into a copy of the input, and are checked to give back
   * the input and to write what the generated codec writes over other bytes.
   */
  readonly gapsUntouched?: true;
  /**
   * How many bytes from an input's start test/bench.test.ts changes one by
   * one (512 unless said; past them, about 128 spread evenly).
   */
  readonly everyByte?: number;
  /**
   * Recomputes the input's checksums in place after test/bench.test.ts has
   * changed a byte, so that the change reaches the checks and fields behind
   * them; the test tries each change both with and without it. Returns
   * false when the input has no checksum to recompute.
   */
  readonly reseal?: (bytes: Uint8Array) => boolean;
  /**
   * A record inside the part rather than all of it: its name (for the input's) and byte range,
   * or a function that finds them in the part.
   */
  readonly record?: Record_ | ((part: Uint8Array) => Record_);
  /**
   * An input made from the part rather than cut out of it (ZIP's central
   * entry with the local file it points at): its name and bytes.
   */
  readonly derive?: (part: Uint8Array) => { readonly name: string; readonly bytes: Uint8Array };
  readonly generated: Codec<V>;
  readonly handWritten: Codec<V>;
  readonly peers: readonly PeerDecoder[];
}

const FIXTURES = fileURLToPath(new URL("../test/fixtures/images/", import.meta.url));
const BENCH_FIXTURES = fileURLToPath(new URL("fixtures/", import.meta.url));

function fixtureBytes(f: Format<unknown>, name: string): Uint8Array {
  const path =
    f.bench === true
      ? `${BENCH_FIXTURES}${f.format}/${name}.bin`
      : `${FIXTURES}${f.format}/${name}.${f.part ?? ""}.bin`;
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch {
    raw = gunzipSync(readFileSync(`${path}.gz`));
  }
  // A fresh ArrayBuffer of its own, not a slice of Node's pool.
  const bytes = new Uint8Array(raw.length);
  bytes.set(raw);
  return bytes;
}

const QED: Format<qed.Header> = {
  format: "qed",
  fixtures: [
    ["qed-default", "QED header, 64 KiB clusters, no backing file"],
    ["qed-backing-qed", "QED header with a backing file name (a QED image)"],
    ["qed-cluster-1M-table-16", "QED header, 1 MiB clusters, tables of 16 clusters"],
  ],
  part: "header",
  generated: qed,
  handWritten: handQed,
  peers: [qedKaitai, qedBinaryParser],
};

const VDI: Format<vdi.Header> = {
  format: "vdi",
  fixtures: [
    ["vdi-dynamic", "VDI header of a dynamic image: banner, GUIDs, geometries"],
    ["vdi-static", "VDI header of a static (preallocated) image"],
  ],
  part: "header",
  generated: vdi,
  handWritten: handVdi,
  peers: [vdiKaitai, vdiBinaryParser],
};

const VMDK: Format<vmdk.SparseExtent> = {
  format: "vmdk",
  fixtures: [
    [
      "vmdk-monolithic-sparse",
      "VMDK monolithicSparse extent: header sector and 10 KiB embedded descriptor",
    ],
    [
      "vmdk-stream-optimized",
      "VMDK streamOptimized extent (compressed grains, markers, version 3)",
    ],
    ["vmdk-backing", "VMDK extent of an image over a backing file (parentFileNameHint)"],
  ],
  part: "extent",
  generated: vmdk,
  handWritten: handVmdk,
  peers: [vmdkKaitai],
};

const VHD: Format<vhd.Footer> = {
  format: "vhd",
  fixtures: [
    ["vpc-fixed", "VHD footer of a fixed disk (one's complement byte-sum checksum)"],
    ["vpc-dynamic", "VHD footer of a dynamic disk"],
    ["vpc-dynamic-force-size", "VHD footer of a dynamic disk made with force_size (creator qem2)"],
  ],
  part: "footer",
  generated: vhd,
  handWritten: handVhd,
  peers: [],
};

const VHDX_FIXTURES: readonly (readonly [string, string])[] = [
  ["vhdx-dynamic", "VHDX image, dynamic, 32 MiB blocks"],
  ["vhdx-block-1M", "VHDX image, 1 MiB blocks"],
];

const VHDX_HEADER: Format<vhdx.Header> = {
  format: "vhdx",
  fixtures: VHDX_FIXTURES.map(([n, d]) => [n, `${d}: the first 4 KiB header (CRC-32C over 4 KiB)`]),
  part: "header-section",
  record: { name: "header", offset: 65536, length: 4096 },
  generated: { read: vhdx.readHeader, write: vhdx.writeHeader, sizeof: vhdx.sizeofHeader },
  handWritten: handVhdx.header,
  peers: [],
};

const VHDX_REGION_TABLE: Format<vhdx.RegionTable> = {
  format: "vhdx",
  fixtures: VHDX_FIXTURES.map(([n, d]) => [
    n,
    `${d}: the first region table (two entries, CRC-32C over 64 KiB)`,
  ]),
  part: "header-section",
  record: { name: "region-table", offset: 196608, length: 65536 },
  generated: {
    read: vhdx.readRegionTable,
    write: vhdx.writeRegionTable,
    sizeof: vhdx.sizeofRegionTable,
  },
  handWritten: handVhdx.regionTable,
  peers: [],
  scaling: regionTableScaling,
};

export const REGION_ENTRY_COUNTS: readonly number[] = [1, 10, 100, 1000];

/** Region tables of 1 to 1000 entries, written by the generated codec (always 64 KiB). */
function regionTableScaling(): FormatInput[] {
  return REGION_ENTRY_COUNTS.map((n) => {
    const entries = Array.from({ length: n }, (_, i): vhdx.RegionEntry => {
      const hex = (i * 2654435761).toString(16).padStart(8, "0").slice(-8);
      return {
        guid: `${hex}-f623-4200-9d64-${hex}${(i & 0xffff).toString(16).padStart(4, "0")}`,
        file_offset: BigInt(i + 1) * 1048576n,
        length: 1048576,
        required: i % 2 === 0,
        flags_unknown: 0,
      };
    });
    const value: vhdx.RegionTable = { reserved: 0, entries };
    const bytes = new Uint8Array(65536);
    const end = vhdx.writeRegionTable(value, bytes);
    if (end instanceof CodecError) throw new Error(`region table of ${n}: ${end.message}`);
    return {
      name: `region-table×${n}`,
      kind: "scaling",
      description: `VHDX region table of ${n} entries (CRC-32C over 64 KiB whatever the count)`,
      format: "vhdx",
      bytes,
      end,
      value,
      entries: n,
      series: "vhdx-region-entries",
    };
  });
}

const ELF: Format<elf.Elf> = {
  format: "elf",
  bench: true,
  fixtures: [
    ["elf-gcc-x86_64-object", "ELF64 LSB relocatable object by gcc -c: 12 sections, no segments"],
    ["elf-gcc-x86_64-executable", "ELF64 LSB executable by gcc -Os: 13 segments, 30 sections"],
    [
      "elf-ld-i386-executable",
      "ELF32 LSB executable by as --32 and ld -m elf_i386: 3 segments, 6 sections",
    ],
    [
      "elf-objcopy-elf64-big",
      "ELF64 MSB object by objcopy -O elf64-big: 5 sections, big-endian fields",
    ],
  ],
  gapsUntouched: true,
  // The header and the first program headers; 128 bytes spread over the rest reach the sections.
  everyByte: 128,
  generated: elf,
  handWritten: handElf,
  peers: [elfBinaryParser],
  scaling: elfSectionScaling,
};

export const ELF_SECTION_COUNTS: readonly number[] = [1, 10, 100, 1000];

/** ELF64 files whose header is followed by a table of 1 to 1000 section headers (stride 64). */
function elfSectionScaling(): FormatInput[] {
  return ELF_SECTION_COUNTS.map((n) => {
    const section_headers = Array.from({ length: n }, (_, i): elf.SectionHeader => ({
      sh_name: i * 7,
      sh_type: 1 + (i % 4),
      sh_flags: {
        write: i % 2 === 1,
        alloc: i % 3 === 1,
        execinstr: i % 5 === 1,
        merge: false,
        strings: false,
        info_link: false,
        link_order: false,
        os_nonconforming: false,
        group: false,
        tls: false,
        compressed: false,
        unknown: 0n,
      },
      sh_addr: BigInt(0x400000 + i * 4096),
      sh_offset: BigInt(64 + i * 16),
      sh_size: BigInt(i * 3),
      sh_link: i % 3,
      sh_info: i % 5,
      sh_addralign: 16n,
      sh_entsize: i % 2 === 0 ? 0n : 24n,
    }));
    const value: elf.Elf = {
      ei_class: "Elf64",
      ei_data: "Lsb",
      ei_version: 1,
      ei_osabi: 0,
      ei_abiversion: 0,
      e_type: 1,
      e_machine: 62,
      e_version: 1,
      e_entry: 0n,
      e_phoff: 0n,
      e_shoff: 64n,
      e_flags: 0,
      e_ehsize: 64,
      e_phentsize: 0,
      e_phnum: 0,
      e_shentsize: 64,
      e_shnum: n,
      e_shstrndx: 0,
      program_headers: [],
      section_headers,
    };
    const bytes = new Uint8Array(64 + 64 * n);
    const end = elf.write(value, bytes);
    if (end instanceof CodecError) throw new Error(`ELF of ${n} sections: ${end.message}`);
    return {
      name: `elf-sections×${n}`,
      kind: "scaling",
      description: `ELF64 header and a table of ${n} section headers, 64 bytes apart`,
      format: "elf",
      bytes,
      end,
      value,
      entries: n,
      series: "elf-section-headers",
    };
  });
}

const TAR: Format<tar.Archive> = {
  format: "tar",
  bench: true,
  fixtures: [
    ["tar-gnu", "GNU tar --format=gnu: 8 members, a name past 100 bytes as an 'L' entry"],
    ["tar-ustar", "GNU tar --format=ustar: 8 members, a long name split into prefix and name"],
    ["tar-pax", "GNU tar --format=pax: 8 members, a name past 100 bytes in an 'x' header"],
  ],
  generated: tar,
  handWritten: handTar,
  peers: [],
  scaling: tarMemberScaling,
};

export const TAR_MEMBER_COUNTS: readonly number[] = [1, 10, 100, 1000];

/** Archives of 1 to 1000 members of 100 bytes each (a header and a data block), to a 10 KiB record. */
function tarMemberScaling(): FormatInput[] {
  return TAR_MEMBER_COUNTS.map((n) => {
    const entries = Array.from({ length: n }, (_, i): tar.Entry => ({
      header: {
        name: `files/member-${i}.txt`,
        mode: 0o644,
        uid: 1000,
        gid: 1000,
        size: 100n,
        mtime: 1764547200n + BigInt(i),
        typeflag: "Regular",
        linkname: "",
        magic: "ustar",
        version: "00",
        uname: "bench",
        gname: "bench",
        devmajor: 0,
        devminor: 0,
        prefix: "",
      },
      data: `member ${i} `.padEnd(100, "."),
    }));
    const used = n * 1024 + 1024;
    const value: tar.Archive = { entries, record_fill: (10240 - (used % 10240)) % 10240 };
    const bytes = new Uint8Array(tar.sizeof(value));
    const end = tar.write(value, bytes);
    if (end instanceof CodecError) throw new Error(`tar of ${n} members: ${end.message}`);
    return {
      name: `tar-members×${n}`,
      kind: "scaling",
      description: `ustar archive of ${n} members of 100 bytes, ended by two zero blocks`,
      format: "tar",
      bytes,
      end,
      value,
      entries: n,
      series: "tar-members",
    };
  });
}

const PNG: Format<png.Png> = {
  format: "png",
  bench: true,
  fixtures: [
    ["png-palette-text", "pnmtopng: 2-bit palette, PLTE, hIST, tIME, three tEXt, IDAT, IEND"],
    ["png-interlaced", "pnmtopng -interlace: 8-bit palette, gAMA, sRGB, PLTE, bKGD, pHYs"],
    ["png-grey-ztxt", "pnmtopng: 8-bit grey, tRNS, three zTXt, IDAT, IEND"],
  ],
  reseal: resealPng,
  generated: png,
  handWritten: handPng,
  peers: [],
  scaling: () => [...pngIdatScaling(), ...pngChunkScaling()],
};

/** Recomputes the CRC-32 of every chunk whose length keeps it inside the bytes. */
function resealPng(bytes: Uint8Array): boolean {
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pos = 8; pos + 12 <= bytes.length;) {
    const end = pos + 8 + d.getUint32(pos);
    if (end + 4 > bytes.length) break;
    d.setUint32(end, crc32(bytes, pos + 4, end));
    pos = end + 4;
  }
  return true;
}

/** A PNG of IHDR, `middle` and IEND, written by the generated codec. */
function pngOf(middle: png.Chunk[]): { value: png.Png; bytes: Uint8Array; end: number } {
  const header: png.Chunk = {
    kind: "Header",
    width: 64,
    height: 64,
    bit_depth: 8,
    colour_type: "Truecolour",
    compression_method: "Deflate",
    filter_method: "Adaptive",
    interlace_method: "None",
  };
  const value: png.Png = { chunks: [header, ...middle, { kind: "End" }] };
  const bytes = new Uint8Array(png.sizeof(value));
  const end = png.write(value, bytes);
  if (end instanceof CodecError) throw new Error(`synthetic PNG: ${end.message}`);
  return { value, bytes, end };
}

export const PNG_IDAT_KIB: readonly number[] = [1, 4, 16, 64];

/** PNGs with one IDAT chunk of 1 to 64 KiB: the CRC-32 covers it (entries: KiB). */
function pngIdatScaling(): FormatInput[] {
  return PNG_IDAT_KIB.map((kib) => {
    let data = "";
    for (let i = 0; i < kib * 1024; i++) data += String.fromCharCode((i * 31 + (i >> 8)) & 0xff);
    return {
      name: `png-idat×${kib}KiB`,
      kind: "scaling",
      description: `PNG with one IDAT chunk of ${kib} KiB (CRC-32 over it)`,
      format: "png",
      ...pngOf([{ kind: "Image_data", data }]),
      entries: kib,
      series: "png-idat-kib",
    };
  });
}

export const PNG_CHUNK_COUNTS: readonly number[] = [1, 10, 100, 1000];

/** PNGs with 1 to 1000 tEXt chunks of 20-odd bytes between IHDR and IEND. */
function pngChunkScaling(): FormatInput[] {
  return PNG_CHUNK_COUNTS.map((n) => ({
    name: `png-text×${n}`,
    kind: "scaling",
    description: `PNG with ${n} tEXt chunks (a list ended by IEND)`,
    format: "png",
    ...pngOf(
      Array.from({ length: n }, (_, i): png.Chunk => ({
        kind: "Text",
        keyword: "Comment",
        text: `note number ${i}`,
      })),
    ),
    entries: n,
    series: "png-text-chunks",
  }));
}

/** With metadata_csum, recomputes the superblock's CRC-32C (stored without the final inversion). */
function resealExt4(bytes: Uint8Array): boolean {
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if ((d.getUint32(100, true) & 0x400) === 0) return false;
  d.setUint32(1020, ~crc32c(bytes, 0, 1020) >>> 0, true);
  return true;
}

// The superblock is 1024 bytes whatever the file system: no count grows, so no scaling series;
// the inputs with and without metadata_csum show what its CRC-32C over 1020 bytes costs.
const EXT4: Format<ext4.Superblock> = {
  format: "ext4",
  bench: true,
  fixtures: [
    ["ext4-metadata-csum", "mke2fs -t ext4 -L: superblock with metadata_csum (CRC-32C), 64bit"],
    ["ext4-no-metadata-csum", "mke2fs -t ext4 -O ^metadata_csum,^64bit: no checksum"],
    ["ext2", "mke2fs -t ext2 -b 1024: an ext2 superblock, 1 KiB blocks"],
  ],
  // The fields up to the UUIDs and names; 128 bytes spread and the last 64 reach the rest.
  everyByte: 256,
  reseal: resealExt4,
  generated: ext4,
  handWritten: handExt4,
  peers: [],
};

// The descriptor is one 2048-byte sector whatever the image: no count grows, so no scaling
// series; it measures space-padded text, both-endian integers and decimal dates.
const ISO9660: Format<iso9660.PrimaryVolumeDescriptor> = {
  format: "iso9660",
  bench: true,
  fixtures: [
    ["iso-plain", "genisoimage -V: the primary volume descriptor, identifiers mostly blank"],
    [
      "iso-joliet-rr-ids",
      "genisoimage -J -R with every identifier set: the primary volume descriptor",
    ],
  ],
  // The fields up to the root record and the identifiers after it.
  everyByte: 896,
  generated: {
    read: iso9660.readPrimaryVolumeDescriptor,
    write: iso9660.writePrimaryVolumeDescriptor,
    sizeof: iso9660.sizeofPrimaryVolumeDescriptor,
  },
  handWritten: handIso9660,
  peers: [],
};

const ZIP_FIXTURES: readonly (readonly [string, string])[] = [
  ["zip-info-zip", "zip -r -z: 5 members (UT and ux extra fields), an archive comment"],
  ["zip-python-zipfile", "Python zipfile: 5 members stored and deflated, a UTF-8 name, comments"],
];

const ZIP_ROOT: Format<zip.Zip> = {
  format: "zip",
  bench: true,
  fixtures: ZIP_FIXTURES.map(([n, d]) => [
    n,
    `${d}: the whole archive (end record found by search, central directory, local headers and data)`,
  ]),
  // Write leaves the bytes between the parts (data descriptors, a stub before the archive).
  gapsUntouched: true,
  generated: zip,
  handWritten: handZip,
  peers: [],
  scaling: zipCommentScaling,
};

/**
 * The central entry with the most file data, and the local header and data
 * it points at moved to right after it (its local_header_offset changed to
 * say so): an input that readCentralEntry reads at byte 0, following the
 * pointer as it does inside an archive.
 */
function entryWithLocalFile(part: Uint8Array): { name: string; bytes: Uint8Array } {
  const decoded = zip.read(part);
  if (decoded instanceof CodecError) throw new Error(`ZIP fixture: ${decoded.message}`);
  const entries = decoded.value.central_directory ?? [];
  let at = decoded.value.end.cd_offset;
  let chosen: { at: number; entry: zip.CentralEntry } | undefined;
  for (const entry of entries) {
    if (entry.local !== undefined && entry.compressed_size > (chosen?.entry.compressed_size ?? -1))
      chosen = { at, entry };
    at += zip.sizeofCentralEntry(entry);
  }
  if (chosen === undefined || chosen.entry.local === undefined)
    throw new Error("ZIP fixture: no entry with a local file");
  const size = zip.sizeofCentralEntry(chosen.entry);
  const from = chosen.entry.local_header_offset;
  const length = zip.sizeofLocalFile(chosen.entry.local, chosen.entry.compressed_size);
  const bytes = new Uint8Array(size + length);
  bytes.set(part.subarray(chosen.at, chosen.at + size));
  bytes.set(part.subarray(from, from + length), size);
  new DataView(bytes.buffer).setUint32(42, size, true);
  return { name: "central-entry", bytes };
}

const ZIP_CENTRAL_ENTRY: Format<zip.CentralEntry> = {
  format: "zip",
  bench: true,
  fixtures: ZIP_FIXTURES.map(([n, d]) => [
    n,
    `${d}: the central entry with the most data, and its local header and data right after it`,
  ]),
  derive: entryWithLocalFile,
  // The local file is written where the entry points, past the entry's own bytes.
  gapsUntouched: true,
  generated: {
    read: zip.readCentralEntry,
    write: zip.writeCentralEntry,
    sizeof: zip.sizeofCentralEntry,
  },
  handWritten: handZip.centralEntry,
  peers: [],
};

export const ZIP_COMMENT_KIB: readonly number[] = [1, 4, 16, 64];

/**
 * Empty archives whose end record carries a comment of 1 to 64 KiB (no "PK" in it): the search
 * for the end record looks at every byte of the comment (entries: KiB searched).
 */
function zipCommentScaling(): FormatInput[] {
  return ZIP_COMMENT_KIB.map((kib) => {
    const length = Math.min(kib * 1024, 65535);
    let comment = "";
    for (let i = 0; i < length; i++) comment += String.fromCharCode(0x61 + (i % 26));
    const value: zip.Zip = {
      end: {
        disk_number: 0,
        cd_disk: 0,
        disk_entries: 0,
        total_entries: 0,
        cd_size: 0,
        cd_offset: 0,
        comment,
      },
      central_directory: [],
    };
    const bytes = new Uint8Array(zip.sizeof(value));
    const end = zip.write(value, bytes);
    if (end instanceof CodecError) throw new Error(`ZIP with a comment: ${end.message}`);
    return {
      name: `zip-comment×${kib}KiB`,
      kind: "scaling",
      description: `empty ZIP archive with a ${length}-byte comment, searched back to its end record`,
      format: "zip",
      bytes,
      end,
      value,
      entries: kib,
      series: "zip-end-search-kib",
    };
  });
}

// Each format's value type differs; cases only pass values between its own functions.
const FORMATS: readonly Format<never>[] = [
  QED,
  VDI,
  VMDK,
  VHDX_HEADER,
  VHDX_REGION_TABLE,
  VHD,
  ELF,
  TAR,
  PNG,
  EXT4,
  ZIP_ROOT,
  ZIP_CENTRAL_ENTRY,
  ISO9660,
] as unknown as readonly Format<never>[];

function inputsOf<V>(f: Format<V>): FormatInput[] {
  return f.fixtures.map(([fixture, description]) => {
    const part = fixtureBytes(f as Format<unknown>, fixture);
    const r = typeof f.record === "function" ? f.record(part) : f.record;
    const derived = f.derive?.(part);
    const bytes =
      derived?.bytes ?? (r === undefined ? part : part.slice(r.offset, r.offset + r.length));
    const name =
      derived !== undefined
        ? `${fixture}/${derived.name}`
        : r === undefined
          ? fixture
          : `${fixture}/${r.name}`;
    const decoded = f.generated.read(bytes);
    if (decoded instanceof CodecError) throw new Error(`${name}: ${decoded.message}`);
    return {
      name,
      kind: "real",
      description,
      format: f.format,
      bytes,
      end: decoded.end,
      value: decoded.value,
    };
  });
}

function unwrap(what: string, result: unknown, input: FormatInput): unknown {
  if (result instanceof CodecError) throw new Error(`${what}: ${result.message}`);
  if (typeof result !== "object" || result === null || !("value" in result) || !("end" in result))
    throw new Error(`${what}: not a decoded value`);
  expectEqual(`${what} end`, result.end, input.end);
  return result.value;
}

/**
 * An encoder of a format whose write leaves undescribed bytes alone: over a
 * copy of the input it gives back the input, and over other bytes it writes
 * what the generated codec writes there. Leaves a copy of the input in `out`.
 */
function checkGapsUntouched<V>(
  what: string,
  f: Format<V>,
  codec: Codec<V>,
  value: V,
  out: Uint8Array,
  input: FormatInput,
): void {
  out.fill(0xa5);
  const reference = out.slice();
  const referenceEnd = f.generated.write(value, reference);
  sameBytes(what, out, codec.write(value, out), reference, referenceEnd as number);
  if (!Buffer.from(out).equals(Buffer.from(reference)))
    throw new Error(`${what}: over 0xa5 bytes, writes other bytes than the generated codec`);
  out.set(input.bytes);
  sameBytes(what, out, codec.write(value, out), input.bytes, input.end);
  if (!Buffer.from(out).equals(Buffer.from(input.bytes)))
    throw new Error(`${what}: over the input, changes bytes past the end it returns`);
}

function casesOf<V>(f: Format<V>, wanted: Wanted): Case[] {
  const cases: Case[] = [];
  const inputs = [...inputsOf(f), ...(f.scaling?.() ?? [])];
  for (const input of inputs) {
    const bytes = input.bytes;
    const decoders: PeerDecoder[] = [
      {
        impl: "generated",
        decode: (buf) => f.generated.read(buf),
        normalise: (out, what) => unwrap(what, out, input),
      },
      {
        impl: "hand-written",
        decode: (buf) => f.handWritten.read(buf),
        normalise: (out, what) => unwrap(what, out, input),
      },
      // Peers on the real inputs only: the scaling series compare the two codecs.
      ...(input.kind === "real" ? f.peers : []),
    ];
    for (const { impl, decode, normalise } of decoders) {
      if (!wanted(`decode ${input.name} ${impl}`)) continue;
      const what = `decode ${input.name} by ${impl}`;
      cases.push({
        op: "decode",
        input,
        impl,
        run: () => decode(bytes),
        check: () => expectEqual(what, normalise(decode(bytes), what), input.value),
      });
    }
  }
  for (const input of inputs) {
    const value = input.value as V;
    for (const [impl, codec] of [
      ["generated", f.generated],
      ["hand-written", f.handWritten],
    ] as const) {
      if (!wanted(`encode ${input.name} ${impl}`)) continue;
      const out = new Uint8Array(input.bytes.length);
      const what = `encode ${input.name} by ${impl}`;
      cases.push({
        op: "encode",
        input,
        impl,
        run: () => codec.write(value, out),
        check:
          f.gapsUntouched === true
            ? () => checkGapsUntouched(what, f, codec, value, out, input)
            : () => {
                out.fill(0xa5);
                sameBytes(what, out, codec.write(value, out), input.bytes, input.end);
              },
      });
    }
  }
  for (const input of inputs.filter((i) => i.kind === "real")) {
    const value = input.value as V;
    for (const [impl, codec] of [
      ["generated", f.generated],
      ["hand-written", f.handWritten],
    ] as const) {
      if (!wanted(`sizeof ${input.name} ${impl}`)) continue;
      const run = (): number => codec.sizeof(value);
      cases.push({
        op: "sizeof",
        input,
        impl,
        run,
        check: () => expectEqual(`sizeof ${input.name} by ${impl}`, run(), input.end),
      });
    }
  }
  return cases;
}

/** For tests: each format's fixture inputs with its generated and hand-written codecs. */
export function formatCodecs(): {
  format: string;
  inputs: FormatInput[];
  everyByte: number;
  reseal: ((bytes: Uint8Array) => boolean) | undefined;
  generated: Codec<unknown>;
  handWritten: Codec<unknown>;
}[] {
  return (FORMATS as unknown as readonly Format<unknown>[]).map((f) => ({
    format: f.format,
    inputs: inputsOf(f),
    everyByte: f.everyByte ?? 512,
    reseal: f.reseal,
    generated: f.generated,
    handWritten: f.handWritten,
  }));
}

/** Every case of every format but qcow2, grouped by format, then operation and input. */
export function formatCases(wanted: Wanted): Case[] {
  return FORMATS.flatMap((f) => casesOf(f, wanted));
}
