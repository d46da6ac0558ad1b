/**
 * An ELF codec written by hand for the benchmark: the same fields, checks
 * and value shape as generated/elf.ts (the header, then the program and
 * section header tables at e_phoff/e_shoff, e_phnum/e_shnum entries
 * e_phentsize/e_shentsize apart, in the byte order EI_DATA names; every
 * address, offset and size a bigint in both classes; the bytes between the
 * header and the tables neither read nor written), as fast as we can write
 * it.
 */
import type {
  Class,
  Data,
  Elf,
  ProgramHeader,
  ProgramHeader_p_flags,
  SectionHeader,
  SectionHeader_sh_flags,
} from "../../generated/elf.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import {
  firstNonZero,
  isU32,
  isU64,
  readU64be,
  readU64le,
  viewOf,
  writeU64be,
  writeU64le,
} from "./common.js";

const MAGIC = 0x7f454c46; // "\x7fELF", big-endian

function u64(d: DataView, o: number, le: boolean): bigint {
  return le ? readU64le(d, o) : readU64be(d, o);
}

function set64(d: DataView, o: number, v: bigint, le: boolean): void {
  if (le) writeU64le(d, o, v);
  else writeU64be(d, o, v);
}

// p_flags and sh_flags as the generated code has them: an object of named
// bits and the other bits (sh_flags' a bigint in both classes).
const PF_NAMED = 0x7;
const SHF_NAMED = 0xff7;

export function segmentFlags(w: number): ProgramHeader_p_flags {
  return { x: (w & 1) !== 0, w: (w & 2) !== 0, r: (w & 4) !== 0, unknown: (w & ~PF_NAMED) >>> 0 };
}

function segmentWord(f: ProgramHeader_p_flags): number {
  return (f.unknown | (f.x ? 1 : 0) | (f.w ? 2 : 0) | (f.r ? 4 : 0)) >>> 0;
}

export function sectionFlags(hi: number, lo: number): SectionHeader_sh_flags {
  return {
    write: (lo & 0x1) !== 0,
    alloc: (lo & 0x2) !== 0,
    execinstr: (lo & 0x4) !== 0,
    merge: (lo & 0x10) !== 0,
    strings: (lo & 0x20) !== 0,
    info_link: (lo & 0x40) !== 0,
    link_order: (lo & 0x80) !== 0,
    os_nonconforming: (lo & 0x100) !== 0,
    group: (lo & 0x200) !== 0,
    tls: (lo & 0x400) !== 0,
    compressed: (lo & 0x800) !== 0,
    unknown:
      hi === 0
        ? BigInt((lo & ~SHF_NAMED) >>> 0)
        : (BigInt(hi) << 32n) | BigInt((lo & ~SHF_NAMED) >>> 0),
  };
}

/** The named bits of sh_flags as a number (all below bit 12). */
function sectionNamedBits(f: SectionHeader_sh_flags): number {
  return (
    (f.write ? 0x1 : 0) |
    (f.alloc ? 0x2 : 0) |
    (f.execinstr ? 0x4 : 0) |
    (f.merge ? 0x10 : 0) |
    (f.strings ? 0x20 : 0) |
    (f.info_link ? 0x40 : 0) |
    (f.link_order ? 0x80 : 0) |
    (f.os_nonconforming ? 0x100 : 0) |
    (f.group ? 0x200 : 0) |
    (f.tls ? 0x400 : 0) |
    (f.compressed ? 0x800 : 0)
  );
}

function readProgramHeader(d: DataView, o: number, is64: boolean, le: boolean): ProgramHeader {
  if (is64)
    return {
      p_type: d.getUint32(o, le),
      p_offset: u64(d, o + 8, le),
      p_vaddr: u64(d, o + 16, le),
      p_paddr: u64(d, o + 24, le),
      p_filesz: u64(d, o + 32, le),
      p_memsz: u64(d, o + 40, le),
      p_flags: segmentFlags(d.getUint32(o + 4, le)),
      p_align: u64(d, o + 48, le),
    };
  return {
    p_type: d.getUint32(o, le),
    p_offset: BigInt(d.getUint32(o + 4, le)),
    p_vaddr: BigInt(d.getUint32(o + 8, le)),
    p_paddr: BigInt(d.getUint32(o + 12, le)),
    p_filesz: BigInt(d.getUint32(o + 16, le)),
    p_memsz: BigInt(d.getUint32(o + 20, le)),
    p_flags: segmentFlags(d.getUint32(o + 24, le)),
    p_align: BigInt(d.getUint32(o + 28, le)),
  };
}

function readSectionHeader(d: DataView, o: number, is64: boolean, le: boolean): SectionHeader {
  if (is64)
    return {
      sh_name: d.getUint32(o, le),
      sh_type: d.getUint32(o + 4, le),
      sh_flags: sectionFlags(
        d.getUint32(le ? o + 12 : o + 8, le),
        d.getUint32(le ? o + 8 : o + 12, le),
      ),
      sh_addr: u64(d, o + 16, le),
      sh_offset: u64(d, o + 24, le),
      sh_size: u64(d, o + 32, le),
      sh_link: d.getUint32(o + 40, le),
      sh_info: d.getUint32(o + 44, le),
      sh_addralign: u64(d, o + 48, le),
      sh_entsize: u64(d, o + 56, le),
    };
  return {
    sh_name: d.getUint32(o, le),
    sh_type: d.getUint32(o + 4, le),
    sh_flags: sectionFlags(0, d.getUint32(o + 8, le)),
    sh_addr: BigInt(d.getUint32(o + 12, le)),
    sh_offset: BigInt(d.getUint32(o + 16, le)),
    sh_size: BigInt(d.getUint32(o + 20, le)),
    sh_link: d.getUint32(o + 24, le),
    sh_info: d.getUint32(o + 28, le),
    sh_addralign: BigInt(d.getUint32(o + 32, le)),
    sh_entsize: BigInt(d.getUint32(o + 36, le)),
  };
}

/**
 * Checks a table of `count` entries of `size` bytes, `stride` apart, at
 * `from` (the bytes of each entry past `size` up to the stride must be
 * zero): the error, or undefined if it is sound.
 */
function checkTable(
  buf: Uint8Array,
  name: string,
  from: number,
  limit: number,
  count: number,
  stride: number,
  size: number,
): CodecError | undefined {
  if (from > limit) return new CodecError(name, 0, "outside the input");
  if (count === 0) return undefined;
  if (stride < size) return new CodecError(name, from, `stride ${stride} below ${size}`);
  if (count > (limit - from) / stride) return new CodecError(name, from, "does not fit");
  if (stride > size)
    for (let i = 0, o = from; i < count; i++, o += stride) {
      const extra = firstNonZero(buf, o + size, o + stride);
      if (extra !== -1) return new CodecError(`${name}[${i}]`, extra, "non-zero stride tail");
    }
  return undefined;
}

export function read(buf: Uint8Array, at = 0): Decoded<Elf> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  const limit = buf.length;
  if (limit - at < 24) return new CodecError("", at, "truncated header");
  const d = viewOf(buf);
  if (d.getUint32(at) !== MAGIC) return new CodecError("magic", at, "bad magic");
  const classRaw = buf[at + 4]!;
  if (classRaw !== 1 && classRaw !== 2) return new CodecError("ei_class", at + 4, "bad class");
  const dataRaw = buf[at + 5]!;
  if (dataRaw !== 1 && dataRaw !== 2) return new CodecError("ei_data", at + 5, "bad data");
  if (firstNonZero(buf, at + 9, at + 16) !== -1)
    return new CodecError("padding", at + 9, "non-zero padding");
  const is64 = classRaw === 2;
  const le = dataRaw === 1;
  // The fields after the addresses, and where the header ends.
  const rest = at + (is64 ? 48 : 36);
  const headerEnd = rest + 16;
  if (limit < headerEnd) return new CodecError("", at + 24, "truncated header");
  let e_entry: bigint, e_phoff: bigint, e_shoff: bigint;
  if (is64) {
    e_entry = u64(d, at + 24, le);
    e_phoff = u64(d, at + 32, le);
    e_shoff = u64(d, at + 40, le);
  } else {
    e_entry = BigInt(d.getUint32(at + 24, le));
    e_phoff = BigInt(d.getUint32(at + 28, le));
    e_shoff = BigInt(d.getUint32(at + 32, le));
  }
  const e_phentsize = d.getUint16(rest + 6, le);
  const e_phnum = d.getUint16(rest + 8, le);
  const e_shentsize = d.getUint16(rest + 10, le);
  const e_shnum = d.getUint16(rest + 12, le);

  const phAt = at + Number(e_phoff);
  const phSize = is64 ? 56 : 32;
  const phProblem = checkTable(buf, "program_headers", phAt, limit, e_phnum, e_phentsize, phSize);
  if (phProblem !== undefined) return phProblem;
  const shAt = at + Number(e_shoff);
  const shSize = is64 ? 64 : 40;
  const shProblem = checkTable(buf, "section_headers", shAt, limit, e_shnum, e_shentsize, shSize);
  if (shProblem !== undefined) return shProblem;
  const phEnd = phAt + e_phnum * e_phentsize;
  const shEnd = shAt + e_shnum * e_shentsize;
  if (phEnd > phAt && phAt < headerEnd)
    return new CodecError("program_headers", phAt, "overlaps the header");
  if (shEnd > shAt && shAt < headerEnd)
    return new CodecError("section_headers", shAt, "overlaps the header");
  if (shEnd > shAt && phEnd > phAt && shAt < phEnd && phAt < shEnd)
    return new CodecError("section_headers", shAt, "overlaps program_headers");

  const program_headers = new Array<ProgramHeader>(e_phnum);
  for (let i = 0; i < e_phnum; i++)
    program_headers[i] = readProgramHeader(d, phAt + i * e_phentsize, is64, le);
  const section_headers = new Array<SectionHeader>(e_shnum);
  for (let i = 0; i < e_shnum; i++)
    section_headers[i] = readSectionHeader(d, shAt + i * e_shentsize, is64, le);
  return {
    value: {
      ei_class: is64 ? "Elf64" : "Elf32",
      ei_data: le ? "Lsb" : "Msb",
      ei_version: buf[at + 6]!,
      ei_osabi: buf[at + 7]!,
      ei_abiversion: buf[at + 8]!,
      e_type: d.getUint16(at + 16, le),
      e_machine: d.getUint16(at + 18, le),
      e_version: d.getUint32(at + 20, le),
      e_entry,
      e_phoff,
      e_shoff,
      e_flags: d.getUint32(rest, le),
      e_ehsize: d.getUint16(rest + 4, le),
      e_phentsize,
      e_phnum,
      e_shentsize,
      e_shnum,
      e_shstrndx: d.getUint16(rest + 14, le),
      program_headers,
      section_headers,
    },
    end: Math.max(headerEnd, phEnd, shEnd),
  };
}

const isU8 = (v: unknown): v is number => typeof v === "number" && (v & 0xff) === v;
const isU16 = (v: unknown): v is number => typeof v === "number" && (v & 0xffff) === v;
const isAddress = (v: unknown, is64: boolean): v is bigint =>
  is64 ? isU64(v) : typeof v === "bigint" && v >= 0n && v <= 0xffffffffn;

const isBool = (v: unknown): v is boolean => typeof v === "boolean";

function isSegmentFlags(f: ProgramHeader_p_flags): boolean {
  return (
    typeof f === "object" &&
    f !== null &&
    isBool(f.x) &&
    isBool(f.w) &&
    isBool(f.r) &&
    isU32(f.unknown) &&
    (f.unknown & PF_NAMED) === 0
  );
}

function isSectionFlags(f: SectionHeader_sh_flags, is64: boolean): boolean {
  return (
    typeof f === "object" &&
    f !== null &&
    isBool(f.write) &&
    isBool(f.alloc) &&
    isBool(f.execinstr) &&
    isBool(f.merge) &&
    isBool(f.strings) &&
    isBool(f.info_link) &&
    isBool(f.link_order) &&
    isBool(f.os_nonconforming) &&
    isBool(f.group) &&
    isBool(f.tls) &&
    isBool(f.compressed) &&
    isAddress(f.unknown, is64) &&
    (f.unknown & BigInt(SHF_NAMED)) === 0n
  );
}

function checkProgramHeader(p: ProgramHeader, is64: boolean): boolean {
  return (
    typeof p === "object" &&
    p !== null &&
    isU32(p.p_type) &&
    isSegmentFlags(p.p_flags) &&
    isAddress(p.p_offset, is64) &&
    isAddress(p.p_vaddr, is64) &&
    isAddress(p.p_paddr, is64) &&
    isAddress(p.p_filesz, is64) &&
    isAddress(p.p_memsz, is64) &&
    isAddress(p.p_align, is64)
  );
}

function checkSectionHeader(s: SectionHeader, is64: boolean): boolean {
  return (
    typeof s === "object" &&
    s !== null &&
    isU32(s.sh_name) &&
    isU32(s.sh_type) &&
    isSectionFlags(s.sh_flags, is64) &&
    isAddress(s.sh_addr, is64) &&
    isAddress(s.sh_offset, is64) &&
    isAddress(s.sh_size, is64) &&
    isU32(s.sh_link) &&
    isU32(s.sh_info) &&
    isAddress(s.sh_addralign, is64) &&
    isAddress(s.sh_entsize, is64)
  );
}

function classOk(c: Class): boolean {
  return c === "Elf32" || c === "Elf64";
}
function dataOk(d: Data): boolean {
  return d === "Lsb" || d === "Msb";
}

function check(v: Elf): CodecError | undefined {
  if (typeof v !== "object" || v === null) return new CodecError("", undefined, "not an Elf");
  if (!classOk(v.ei_class)) return new CodecError("ei_class", undefined, "not a Class");
  if (!dataOk(v.ei_data)) return new CodecError("ei_data", undefined, "not a Data");
  const is64 = v.ei_class === "Elf64";
  if (!isU8(v.ei_version) || !isU8(v.ei_osabi) || !isU8(v.ei_abiversion))
    return new CodecError("", undefined, "a u8 field is out of range");
  if (!isU16(v.e_type) || !isU16(v.e_machine) || !isU32(v.e_version) || !isU32(v.e_flags))
    return new CodecError("", undefined, "a field is out of range");
  if (!isAddress(v.e_entry, is64) || !isAddress(v.e_phoff, is64) || !isAddress(v.e_shoff, is64))
    return new CodecError("", undefined, "an address field is out of range");
  if (
    !isU16(v.e_ehsize) ||
    !isU16(v.e_phentsize) ||
    !isU16(v.e_phnum) ||
    !isU16(v.e_shentsize) ||
    !isU16(v.e_shnum) ||
    !isU16(v.e_shstrndx)
  )
    return new CodecError("", undefined, "a u16 field is out of range");
  const ph = v.program_headers;
  const sh = v.section_headers;
  if (!Array.isArray(ph) || ph.length !== v.e_phnum)
    return new CodecError("program_headers", undefined, "not e_phnum entries");
  if (!Array.isArray(sh) || sh.length !== v.e_shnum)
    return new CodecError("section_headers", undefined, "not e_shnum entries");
  if (ph.length > 0 && v.e_phentsize < (is64 ? 56 : 32))
    return new CodecError("program_headers", undefined, "larger than its stride");
  if (sh.length > 0 && v.e_shentsize < (is64 ? 64 : 40))
    return new CodecError("section_headers", undefined, "larger than its stride");
  for (let i = 0; i < ph.length; i++)
    if (!checkProgramHeader(ph[i]!, is64))
      return new CodecError(`program_headers[${i}]`, undefined, "a field is out of range");
  for (let i = 0; i < sh.length; i++)
    if (!checkSectionHeader(sh[i]!, is64))
      return new CodecError(`section_headers[${i}]`, undefined, "a field is out of range");
  const headerEnd = is64 ? 64 : 52;
  const phFrom = Number(v.e_phoff);
  const phTo = phFrom + ph.length * v.e_phentsize;
  const shFrom = Number(v.e_shoff);
  const shTo = shFrom + sh.length * v.e_shentsize;
  if (phTo > phFrom && phFrom < headerEnd)
    return new CodecError("program_headers", undefined, "over the header");
  if (shTo > shFrom && shFrom < headerEnd)
    return new CodecError("section_headers", undefined, "over the header");
  if (shTo > shFrom && phTo > phFrom && shFrom < phTo && phFrom < shTo)
    return new CodecError("section_headers", undefined, "over program_headers");
  return undefined;
}

export function sizeof(v: Elf): number {
  return Math.max(
    v.ei_class === "Elf32" ? 52 : 64,
    Number(v.e_phoff) + v.program_headers.length * v.e_phentsize,
    Number(v.e_shoff) + v.section_headers.length * v.e_shentsize,
  );
}

function writeProgramHeader(d: DataView, o: number, p: ProgramHeader, is64: boolean, le: boolean) {
  d.setUint32(o, p.p_type, le);
  if (is64) {
    d.setUint32(o + 4, segmentWord(p.p_flags), le);
    set64(d, o + 8, p.p_offset, le);
    set64(d, o + 16, p.p_vaddr, le);
    set64(d, o + 24, p.p_paddr, le);
    set64(d, o + 32, p.p_filesz, le);
    set64(d, o + 40, p.p_memsz, le);
    set64(d, o + 48, p.p_align, le);
  } else {
    d.setUint32(o + 4, Number(p.p_offset), le);
    d.setUint32(o + 8, Number(p.p_vaddr), le);
    d.setUint32(o + 12, Number(p.p_paddr), le);
    d.setUint32(o + 16, Number(p.p_filesz), le);
    d.setUint32(o + 20, Number(p.p_memsz), le);
    d.setUint32(o + 24, segmentWord(p.p_flags), le);
    d.setUint32(o + 28, Number(p.p_align), le);
  }
}

function writeSectionHeader(d: DataView, o: number, s: SectionHeader, is64: boolean, le: boolean) {
  d.setUint32(o, s.sh_name, le);
  d.setUint32(o + 4, s.sh_type, le);
  if (is64) {
    set64(d, o + 8, s.sh_flags.unknown, le);
    d.setUint16(
      le ? o + 8 : o + 14,
      d.getUint16(le ? o + 8 : o + 14, le) | sectionNamedBits(s.sh_flags),
      le,
    );
    set64(d, o + 16, s.sh_addr, le);
    set64(d, o + 24, s.sh_offset, le);
    set64(d, o + 32, s.sh_size, le);
    d.setUint32(o + 40, s.sh_link, le);
    d.setUint32(o + 44, s.sh_info, le);
    set64(d, o + 48, s.sh_addralign, le);
    set64(d, o + 56, s.sh_entsize, le);
  } else {
    d.setUint32(o + 8, (Number(s.sh_flags.unknown) | sectionNamedBits(s.sh_flags)) >>> 0, le);
    d.setUint32(o + 12, Number(s.sh_addr), le);
    d.setUint32(o + 16, Number(s.sh_offset), le);
    d.setUint32(o + 20, Number(s.sh_size), le);
    d.setUint32(o + 24, s.sh_link, le);
    d.setUint32(o + 28, s.sh_info, le);
    d.setUint32(o + 32, Number(s.sh_addralign), le);
    d.setUint32(o + 36, Number(s.sh_entsize), le);
  }
}

export function write(v: Elf, buf: Uint8Array, at = 0): number | CodecError {
  const problem = check(v);
  if (problem !== undefined) return problem;
  const size = sizeof(v);
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < size)
    return new CodecError("", undefined, `needs ${size} bytes`);
  const d = viewOf(buf);
  const is64 = v.ei_class === "Elf64";
  const le = v.ei_data === "Lsb";
  d.setUint32(at, MAGIC);
  buf[at + 4] = is64 ? 2 : 1;
  buf[at + 5] = le ? 1 : 2;
  buf[at + 6] = v.ei_version;
  buf[at + 7] = v.ei_osabi;
  buf[at + 8] = v.ei_abiversion;
  buf.fill(0, at + 9, at + 16);
  d.setUint16(at + 16, v.e_type, le);
  d.setUint16(at + 18, v.e_machine, le);
  d.setUint32(at + 20, v.e_version, le);
  let rest: number;
  if (is64) {
    set64(d, at + 24, v.e_entry, le);
    set64(d, at + 32, v.e_phoff, le);
    set64(d, at + 40, v.e_shoff, le);
    rest = at + 48;
  } else {
    d.setUint32(at + 24, Number(v.e_entry), le);
    d.setUint32(at + 28, Number(v.e_phoff), le);
    d.setUint32(at + 32, Number(v.e_shoff), le);
    rest = at + 36;
  }
  d.setUint32(rest, v.e_flags, le);
  d.setUint16(rest + 4, v.e_ehsize, le);
  d.setUint16(rest + 6, v.e_phentsize, le);
  d.setUint16(rest + 8, v.e_phnum, le);
  d.setUint16(rest + 10, v.e_shentsize, le);
  d.setUint16(rest + 12, v.e_shnum, le);
  d.setUint16(rest + 14, v.e_shstrndx, le);
  const phSize = is64 ? 56 : 32;
  const phStride = v.e_phentsize;
  for (let i = 0, o = at + Number(v.e_phoff); i < v.e_phnum; i++, o += phStride) {
    writeProgramHeader(d, o, v.program_headers[i]!, is64, le);
    if (phStride > phSize) buf.fill(0, o + phSize, o + phStride);
  }
  const shSize = is64 ? 64 : 40;
  const shStride = v.e_shentsize;
  for (let i = 0, o = at + Number(v.e_shoff); i < v.e_shnum; i++, o += shStride) {
    writeSectionHeader(d, o, v.section_headers[i]!, is64, le);
    if (shStride > shSize) buf.fill(0, o + shSize, o + shStride);
  }
  return at + size;
}
