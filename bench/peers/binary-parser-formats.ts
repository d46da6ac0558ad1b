/**
 * QED and VDI headers in binary-parser 2.x, which compiles a parser from a
 * builder chain: the same fields and value checks (`assert`) as
 * schema/qed.yaml and schema/vdi.yaml where binary-parser can say them
 * (not "zero after the NUL" of a fixed-size string). QED's backing file
 * name is a `pointer` to backing_filename_offset. It reads 64-bit fields as
 * bigints and cannot encode; the normalisers (untimed) turn its objects into
 * the generated codecs' values.
 */
import { Parser } from "binary-parser";
import type { Elf, ProgramHeader, SectionHeader } from "../../generated/elf.js";
import type { Header as QedHeader } from "../../generated/qed.js";
import type { Geometry, Header as VdiHeader, ImageType } from "../../generated/vdi.js";
import type { PeerDecoder } from "../formats.js";
import { readGuid } from "../handwritten/common.js";
import { sectionFlags, segmentFlags } from "../handwritten/elf.js";
import { big, list, num, record, str, type Untyped } from "./normalise.js";

const powerOfTwo = (v: number | string): boolean => {
  const n = Number(v);
  return (n & (n - 1)) === 0;
};

interface QedVars {
  features: bigint;
  backingFilenameOffset: number;
  backingFilenameSize: number;
}

const qedName = new Parser().string("text", {
  // binary-parser calls this with the enclosing parser's values as its argument.
  length: function (this: unknown, header: QedVars): number {
    return (header.features & 1n) === 1n ? header.backingFilenameSize : 0;
  },
  encoding: "latin1",
});

const qed = new Parser()
  .endianness("little")
  .uint32("magic", { assert: 0x00444551 })
  .uint32("clusterSize", {
    assert: (v) => powerOfTwo(v) && Number(v) >= 4096 && Number(v) <= 67108864,
  })
  .uint32("tableSize", { assert: (v) => powerOfTwo(v) && Number(v) >= 1 && Number(v) <= 16 })
  .uint32("headerSize", { assert: (v) => Number(v) >= 1 })
  .uint64("features")
  .uint64("compatFeatures")
  .uint64("autoclearFeatures")
  .uint64("l1TableOffset")
  .uint64("imageSize", { assert: (v) => BigInt(v) % 512n === 0n })
  .uint32("backingFilenameOffset")
  .uint32("backingFilenameSize")
  // Read (as an empty string) even without a backing file: a pointer has no condition.
  .pointer("backing", { offset: "backingFilenameOffset", type: qedName });

export const qedBinaryParser: PeerDecoder = {
  impl: "binary-parser",
  decode: (buf) => qed.parse(buf),
  normalise(output): QedHeader {
    const h = record(output, "header");
    const features = big(h, "features");
    const backing = record(h.backing, "backing");
    return {
      cluster_size: num(h, "clusterSize"),
      table_size: num(h, "tableSize"),
      header_size: num(h, "headerSize"),
      features,
      compat_features: big(h, "compatFeatures"),
      autoclear_features: big(h, "autoclearFeatures"),
      l1_table_offset: big(h, "l1TableOffset"),
      image_size: big(h, "imageSize"),
      backing_filename_offset: num(h, "backingFilenameOffset"),
      backing_filename_size: num(h, "backingFilenameSize"),
      backing_filename: (features & 1n) === 1n ? str(backing, "text") : undefined,
    };
  },
};

const geometry = new Parser()
  .endianness("little")
  .uint32("cylinders")
  .uint32("heads")
  .uint32("sectors")
  .uint32("sectorSize");

const vdi = new Parser()
  .endianness("little")
  .string("fileInfo", { length: 64, encoding: "ascii", stripNull: true })
  .uint32("signature", { assert: 0xbeda107f })
  .uint32("version", { assert: 0x00010001 })
  .uint32("headerSize", { assert: (v) => Number(v) >= 0x180 && Number(v) <= 0x1b8 })
  .uint32("imageType")
  .uint32("imageFlags")
  .string("description", { length: 256, encoding: "utf8", stripNull: true })
  .uint32("offsetBmap", { assert: (v) => Number(v) % 512 === 0 })
  .uint32("offsetData", { assert: (v) => Number(v) % 512 === 0 })
  .nest("legacyGeometry", { type: geometry })
  .uint32("unused1")
  .uint64("diskSize")
  .uint32("blockSize")
  .uint32("blockExtra")
  .uint32("blocksInImage")
  .uint32("blocksAllocated")
  .buffer("uuidImage", { length: 16 })
  .buffer("uuidLastSnap", { length: 16 })
  .buffer("uuidLink", { length: 16 })
  .buffer("uuidParent", { length: 16 })
  .nest("lchsGeometry", { type: geometry })
  .array("reserved", { type: "uint32le", length: 10 });

const IMAGE_TYPES: readonly ImageType[] = ["Dynamic", "Static", "Undo", "Diff"];

function geometryOf(v: unknown): Geometry {
  const g = record(v, "geometry");
  return {
    cylinders: num(g, "cylinders"),
    heads: num(g, "heads"),
    sectors: num(g, "sectors"),
    sector_size: num(g, "sectorSize"),
  };
}

function guid(v: unknown): string {
  if (!(v instanceof Uint8Array) || v.length !== 16) throw new Error("expected 16 bytes");
  return readGuid(v, 0);
}

export const vdiBinaryParser: PeerDecoder = {
  impl: "binary-parser",
  decode: (buf) => vdi.parse(buf),
  normalise(output): VdiHeader {
    const h = record(output, "header");
    const type = num(h, "imageType");
    return {
      file_info: str(h, "fileInfo"),
      version: num(h, "version"),
      header_size: num(h, "headerSize"),
      image_type: IMAGE_TYPES[type - 1] ?? { unknown: type },
      image_flags: num(h, "imageFlags"),
      description: str(h, "description"),
      offset_bmap: num(h, "offsetBmap"),
      offset_data: num(h, "offsetData"),
      legacy_geometry: geometryOf(h.legacyGeometry),
      unused1: num(h, "unused1"),
      disk_size: big(h, "diskSize"),
      block_size: num(h, "blockSize"),
      block_extra: num(h, "blockExtra"),
      blocks_in_image: num(h, "blocksInImage"),
      blocks_allocated: num(h, "blocksAllocated"),
      uuid_image: guid(h.uuidImage),
      uuid_last_snap: guid(h.uuidLastSnap),
      uuid_link: guid(h.uuidLink),
      uuid_parent: guid(h.uuidParent),
      lchs_geometry: geometryOf(h.lchsGeometry),
      reserved: list(h.reserved, "reserved").map((w) => {
        if (typeof w !== "number") throw new Error("reserved: expected numbers");
        return { value: w };
      }),
    };
  },
};

/**
 * An ELF file's header and its program and section header tables: a
 * parser for each class and byte order (binary-parser fixes the byte order
 * when it compiles), chosen by EI_CLASS and EI_DATA, seeking to e_phoff and
 * e_shoff. It cannot say the checks of schema/elf.yaml beyond the magic,
 * the class and the byte order (zero padding, strides other than the entry
 * size, overlaps), and reads a table as entries of their own size apart.
 */
interface ElfVars {
  e_phoff: bigint | number;
  e_phnum: number;
  e_phentsize: number;
  e_shoff: bigint | number;
}

type Endian = "little" | "big";

function elfProgramHeader(endian: Endian, is64: boolean): Parser {
  const p = new Parser().endianness(endian).uint32("p_type");
  if (is64)
    return p
      .uint32("p_flags")
      .uint64("p_offset")
      .uint64("p_vaddr")
      .uint64("p_paddr")
      .uint64("p_filesz")
      .uint64("p_memsz")
      .uint64("p_align");
  return p
    .uint32("p_offset")
    .uint32("p_vaddr")
    .uint32("p_paddr")
    .uint32("p_filesz")
    .uint32("p_memsz")
    .uint32("p_flags")
    .uint32("p_align");
}

function elfSectionHeader(endian: Endian, is64: boolean): Parser {
  const p = new Parser().endianness(endian).uint32("sh_name").uint32("sh_type");
  const word = (q: Parser, name: string): Parser => (is64 ? q.uint64(name) : q.uint32(name));
  let q = word(word(word(word(p, "sh_flags"), "sh_addr"), "sh_offset"), "sh_size");
  q = q.uint32("sh_link").uint32("sh_info");
  return word(word(q, "sh_addralign"), "sh_entsize");
}

function elfBody(endian: Endian, is64: boolean): Parser {
  let p = new Parser().endianness(endian).uint16("e_type").uint16("e_machine").uint32("e_version");
  p = is64
    ? p.uint64("e_entry").uint64("e_phoff").uint64("e_shoff")
    : p.uint32("e_entry").uint32("e_phoff").uint32("e_shoff");
  const headerEnd = is64 ? 64 : 52;
  const phSize = is64 ? 56 : 32;
  return p
    .uint32("e_flags")
    .uint16("e_ehsize")
    .uint16("e_phentsize")
    .uint16("e_phnum")
    .uint16("e_shentsize")
    .uint16("e_shnum")
    .uint16("e_shstrndx")
    .seek(function (this: ElfVars): number {
      return Number(this.e_phoff) - headerEnd;
    })
    .array("program_headers", { type: elfProgramHeader(endian, is64), length: "e_phnum" })
    .seek(function (this: ElfVars): number {
      return Number(this.e_shoff) - (Number(this.e_phoff) + this.e_phnum * phSize);
    })
    .array("section_headers", { type: elfSectionHeader(endian, is64), length: "e_shnum" });
}

const elf = new Parser()
  .uint32("magic", { assert: 0x7f454c46 })
  .uint8("ei_class", { assert: (v) => v === 1 || v === 2 })
  .uint8("ei_data", { assert: (v) => v === 1 || v === 2 })
  .uint8("ei_version")
  .uint8("ei_osabi")
  .uint8("ei_abiversion")
  .seek(7)
  .choice("body", {
    tag: function (this: { ei_class: number; ei_data: number }): number {
      return this.ei_class * 2 + this.ei_data;
    },
    choices: {
      3: elfBody("little", false),
      4: elfBody("big", false),
      5: elfBody("little", true),
      6: elfBody("big", true),
    },
  });

/** sh_flags as the generated code has it, from the 64-bit word. */
function sectionFlagsOf(word: bigint): SectionHeader["sh_flags"] {
  return sectionFlags(Number(word >> 32n), Number(word & 0xffffffffn));
}

function bigOf(o: Untyped, key: string): bigint {
  const v = o[key];
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(v);
  throw new Error(`${key}: expected an integer`);
}

export const elfBinaryParser: PeerDecoder = {
  impl: "binary-parser",
  decode: (buf) => elf.parse(buf),
  normalise(output): Elf {
    const h = record(output, "elf");
    const b = record(h.body, "body");
    return {
      ei_class: num(h, "ei_class") === 1 ? "Elf32" : "Elf64",
      ei_data: num(h, "ei_data") === 1 ? "Lsb" : "Msb",
      ei_version: num(h, "ei_version"),
      ei_osabi: num(h, "ei_osabi"),
      ei_abiversion: num(h, "ei_abiversion"),
      e_type: num(b, "e_type"),
      e_machine: num(b, "e_machine"),
      e_version: num(b, "e_version"),
      e_entry: bigOf(b, "e_entry"),
      e_phoff: bigOf(b, "e_phoff"),
      e_shoff: bigOf(b, "e_shoff"),
      e_flags: num(b, "e_flags"),
      e_ehsize: num(b, "e_ehsize"),
      e_phentsize: num(b, "e_phentsize"),
      e_phnum: num(b, "e_phnum"),
      e_shentsize: num(b, "e_shentsize"),
      e_shnum: num(b, "e_shnum"),
      e_shstrndx: num(b, "e_shstrndx"),
      program_headers: list(b.program_headers, "program_headers").map((e): ProgramHeader => {
        const p = record(e, "program header");
        return {
          p_type: num(p, "p_type"),
          p_offset: bigOf(p, "p_offset"),
          p_vaddr: bigOf(p, "p_vaddr"),
          p_paddr: bigOf(p, "p_paddr"),
          p_filesz: bigOf(p, "p_filesz"),
          p_memsz: bigOf(p, "p_memsz"),
          p_flags: segmentFlags(num(p, "p_flags")),
          p_align: bigOf(p, "p_align"),
        };
      }),
      section_headers: list(b.section_headers, "section_headers").map((e): SectionHeader => {
        const s = record(e, "section header");
        return {
          sh_name: num(s, "sh_name"),
          sh_type: num(s, "sh_type"),
          sh_flags: sectionFlagsOf(bigOf(s, "sh_flags")),
          sh_addr: bigOf(s, "sh_addr"),
          sh_offset: bigOf(s, "sh_offset"),
          sh_size: bigOf(s, "sh_size"),
          sh_link: num(s, "sh_link"),
          sh_info: num(s, "sh_info"),
          sh_addralign: bigOf(s, "sh_addralign"),
          sh_entsize: bigOf(s, "sh_entsize"),
        };
      }),
    };
  },
};
