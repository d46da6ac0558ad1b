/**
 * schema/elf.yaml against binutils: ELF files made by gcc, as/ld (32-bit)
 * and objcopy (big-endian, both classes) are decoded and compared with what
 * `readelf -h -l -S -W` prints, written back byte for byte, and edited with
 * the codec (e_flags, a section's sh_addralign, a segment's p_align) so that
 * readelf shows the new value and still reads the file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CodecError, read, readProgramHeader, write, type Elf } from "../generated/elf.js";
import { describeWithTools, runToolOrThrow } from "./support/tools.js";

const TOOLS = [
  { command: "readelf", debianPackage: "binutils" },
  { command: "objcopy", debianPackage: "binutils" },
  { command: "as", debianPackage: "binutils" },
  { command: "ld", debianPackage: "binutils" },
  { command: "gcc", debianPackage: "gcc" },
];

let dir = "";

/** Each configuration: a name and how to make it in `dir`. */
const CONFIGS: { name: string; make: () => void; class: 32 | 64; big: boolean }[] = [
  { name: "a64.o", class: 64, big: false, make: () => gcc(["-c", "a.c", "-o", "a64.o"]) },
  { name: "a64.exe", class: 64, big: false, make: () => gcc(["-Os", "a.c", "-o", "a64.exe"]) },
  {
    name: "a64.so",
    class: 64,
    big: false,
    make: () => gcc(["-shared", "-fPIC", "a.c", "-o", "a64.so"]),
  },
  {
    name: "a64s.exe",
    class: 64,
    big: false,
    make: () => tool("strip", ["-o", "a64s.exe", "a64.exe"]),
  },
  {
    name: "s32.exe",
    class: 32,
    big: false,
    make: () => {
      tool("as", ["--32", "s.s", "-o", "s32.o"]);
      tool("ld", ["-m", "elf_i386", "s32.o", "-o", "s32.exe"]);
    },
  },
  {
    name: "d32be.o",
    class: 32,
    big: true,
    make: () => tool("objcopy", ["-I", "binary", "-O", "elf32-big", "d.bin", "d32be.o"]),
  },
  {
    name: "d64be.o",
    class: 64,
    big: true,
    make: () => tool("objcopy", ["-I", "binary", "-O", "elf64-big", "d.bin", "d64be.o"]),
  },
];

function tool(command: string, args: string[]): string {
  return runToolOrThrow(command, args, { cwd: dir }).stdout;
}
function gcc(args: string[]): void {
  tool("gcc", args);
}

function decode(name: string): { bytes: Uint8Array; elf: Elf } {
  const bytes = new Uint8Array(readFileSync(join(dir, name)));
  const result = read(bytes);
  if (result instanceof CodecError) throw new Error(`${name}: ${result.message}`);
  return { bytes, elf: result.value };
}

/** The value after a label in readelf -h's output ("Entry point address:  0x401000"). */
function headerValue(text: string, label: string): string {
  const line = text.split("\n").find((l) => l.trim().startsWith(`${label}:`));
  if (line === undefined) throw new Error(`readelf printed no "${label}"`);
  return line.slice(line.indexOf(":") + 1).trim();
}

const hex = (n: bigint | number): string => `0x${n.toString(16)}`;

/** Section header lines of readelf -S -W: [Nr] Name Type Address Off Size ES Flg Lk Inf Al. */
function sectionRows(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => /^\s+\[\s*\d+\]/.test(l))
    .map((l) =>
      l
        .replace(/^\s+\[\s*\d+\]\s/, "")
        .trim()
        .split(/\s+/),
    );
}

/** readelf's Flg letters for the named bits of sh_flags, lowest bit first (W A X M S I L O G T C). */
function sectionFlagLetters(f: Elf["section_headers"][number]["sh_flags"]): string {
  const named: [boolean, string][] = [
    [f.write, "W"],
    [f.alloc, "A"],
    [f.execinstr, "X"],
    [f.merge, "M"],
    [f.strings, "S"],
    [f.info_link, "I"],
    [f.link_order, "L"],
    [f.os_nonconforming, "O"],
    [f.group, "G"],
    [f.tls, "T"],
    [f.compressed, "C"],
  ];
  return named.map(([set, letter]) => (set ? letter : "")).join("");
}

/** Program header lines of readelf -l -W: Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align. */
function segmentRows(text: string): string[][] {
  const start = text.indexOf("Program Headers:");
  if (start < 0) return [];
  const end = text.indexOf("Section to Segment", start);
  return text
    .slice(start, end < 0 ? undefined : end)
    .split("\n")
    .slice(2)
    .map((l) => l.trim())
    .filter((l) => /^[A-Z_]+\s+0x/.test(l) && !l.startsWith("[Requesting"))
    .map((l) => l.split(/\s+/));
}

/** Section names from the section name table, as readelf prints them. */
function sectionName(bytes: Uint8Array, elf: Elf, index: number): string {
  const table = elf.section_headers[elf.e_shstrndx];
  const entry = elf.section_headers[index];
  if (table === undefined || entry === undefined) return "";
  let at = Number(table.sh_offset) + entry.sh_name;
  let name = "";
  while (bytes[at] !== 0 && at < bytes.length) name += String.fromCharCode(bytes[at++]!);
  return name;
}

describeWithTools(TOOLS, "ELF files made by gcc, as/ld and objcopy, read by readelf", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "binschema-elf-"));
    writeFileSync(join(dir, "a.c"), "int g = 3;\nint main(void) { return g; }\n");
    writeFileSync(
      join(dir, "s.s"),
      ".globl _start\n.text\n_start: movl $1, %eax\n int $0x80\n.data\nx: .long 5\n",
    );
    writeFileSync(join(dir, "d.bin"), "hello\n");
    for (const c of CONFIGS) c.make();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CONFIGS.map((c) => [c.name, c] as const))(
    "%s: header, segments and sections agree with readelf; writes back byte for byte",
    (name, config) => {
      const { bytes, elf } = decode(name);
      const text = tool("readelf", ["-h", "-l", "-S", "-W", name]);
      expect(elf.ei_class).toBe(config.class === 64 ? "Elf64" : "Elf32");
      expect(elf.ei_data).toBe(config.big ? "Msb" : "Lsb");
      expect(headerValue(text, "Entry point address")).toBe(hex(elf.e_entry));
      expect(headerValue(text, "Start of program headers")).toBe(
        `${elf.e_phoff} (bytes into file)`,
      );
      expect(headerValue(text, "Start of section headers")).toBe(
        `${elf.e_shoff} (bytes into file)`,
      );
      expect(headerValue(text, "Flags")).toMatch(new RegExp(`^${hex(elf.e_flags)}`));
      expect(headerValue(text, "Size of this header")).toBe(`${elf.e_ehsize} (bytes)`);
      expect(headerValue(text, "Number of program headers")).toBe(String(elf.e_phnum));
      expect(headerValue(text, "Number of section headers")).toBe(String(elf.e_shnum));
      expect(headerValue(text, "Section header string table index")).toBe(String(elf.e_shstrndx));
      expect(elf.e_phentsize).toBe(
        elf.e_phnum === 0 ? elf.e_phentsize : config.class === 64 ? 56 : 32,
      );

      const sections = sectionRows(text);
      expect(elf.section_headers.length).toBe(sections.length);
      elf.section_headers.forEach((s, i) => {
        const row = sections[i]!;
        // The NULL section has no name, so its row has one column fewer.
        const cols = i === 0 ? ["", ...row] : row;
        expect(sectionName(bytes, elf, i)).toBe(cols[0]);
        expect(BigInt(`0x${cols[2]}`)).toBe(s.sh_addr);
        expect(BigInt(`0x${cols[3]}`)).toBe(s.sh_offset);
        expect(BigInt(`0x${cols[4]}`)).toBe(s.sh_size);
        expect(BigInt(`0x${cols[5]}`)).toBe(s.sh_entsize);
        // Flg: readelf's letter for each set bit, lowest first; bits without a name come after.
        const letters = sectionFlagLetters(s.sh_flags);
        const flg = cols.slice(6, -3).join("");
        if (s.sh_flags.unknown === 0n) expect(flg).toBe(letters);
        else expect(flg.startsWith(letters)).toBe(true);
        expect(cols[cols.length - 1]).toBe(String(s.sh_addralign));
        expect(cols[cols.length - 2]).toBe(String(s.sh_info));
        expect(cols[cols.length - 3]).toBe(String(s.sh_link));
      });

      const segments = segmentRows(text);
      expect(elf.program_headers.length).toBe(segments.length);
      elf.program_headers.forEach((p, i) => {
        const [, offset, vaddr, paddr, filesz, memsz, ...rest] = segments[i]!;
        expect(BigInt(offset!)).toBe(p.p_offset);
        expect(BigInt(vaddr!)).toBe(p.p_vaddr);
        expect(BigInt(paddr!)).toBe(p.p_paddr);
        expect(BigInt(filesz!)).toBe(p.p_filesz);
        expect(BigInt(memsz!)).toBe(p.p_memsz);
        expect(BigInt(rest[rest.length - 1]!)).toBe(p.p_align);
        const flags = rest.slice(0, -1).join("");
        const { r, w, x, unknown } = p.p_flags;
        expect(flags).toBe(`${r ? "R" : ""}${w ? "W" : ""}${x ? "E" : ""}`);
        expect(unknown).toBe(0);
      });

      // Written into a copy of the file, the value gives back every byte.
      const copy = bytes.slice();
      expect(write(elf, copy)).not.toBeInstanceOf(CodecError);
      expect(Buffer.from(copy).equals(Buffer.from(bytes))).toBe(true);
    },
  );

  it.each(CONFIGS.map((c) => [c.name] as const))(
    "%s: e_flags, a section's sh_addralign and sh_flags and a segment's p_align and p_flags edited by the codec show in readelf",
    (name) => {
      const { bytes, elf } = decode(name);
      const lastSection = elf.section_headers.length - 1;
      const edited: Elf = {
        ...elf,
        e_flags: 0x5,
        section_headers: elf.section_headers.map((s, i) =>
          i === lastSection
            ? { ...s, sh_addralign: 16n, sh_flags: { ...s.sh_flags, write: true, tls: true } }
            : s,
        ),
        program_headers: elf.program_headers.map((p, i) =>
          i === 0
            ? { ...p, p_align: p.p_align * 2n, p_flags: { ...p.p_flags, w: !p.p_flags.w } }
            : p,
        ),
      };
      const copy = bytes.slice();
      expect(write(edited, copy)).not.toBeInstanceOf(CodecError);
      const out = `${name}.edited`;
      writeFileSync(join(dir, out), copy);
      const text = tool("readelf", ["-h", "-l", "-S", "-W", out]);
      expect(headerValue(text, "Flags")).toMatch(/^0x5\b/);
      const last = sectionRows(text)[lastSection]!;
      expect(last.at(-1)).toBe("16");
      expect(last.slice(6, -3).join("")).toBe(
        sectionFlagLetters(edited.section_headers[lastSection]!.sh_flags),
      );
      if (elf.program_headers.length > 0) {
        const row = segmentRows(text)[0]!;
        expect(BigInt(row.at(-1)!)).toBe(elf.program_headers[0]!.p_align * 2n);
        expect(row.slice(6, -1).join("").includes("W")).toBe(!elf.program_headers[0]!.p_flags.w);
      }
      const again = decode(out).elf;
      expect(again.e_flags).toBe(5);
      expect(again.section_headers[lastSection]!.sh_addralign).toBe(16n);
    },
  );

  it("refuses a value too wide for a 32-bit file, naming the field, and leaves the buffer untouched", () => {
    const { bytes, elf } = decode("s32.exe");
    const copy = bytes.slice();
    const result = write({ ...elf, e_entry: 1n << 32n }, copy);
    expect(result).toBeInstanceOf(CodecError);
    expect((result as CodecError).message).toContain("e_entry");
    expect((result as CodecError).message).toContain("ei_class is Elf32");
    const phdr = write(
      {
        ...elf,
        program_headers: elf.program_headers.map((p) => ({ ...p, p_offset: 1n << 33n })),
      },
      copy,
    );
    expect((phdr as CodecError).message).toMatch(/^program_headers\[0\]\.p_offset/);
    const flags = write(
      {
        ...elf,
        section_headers: elf.section_headers.map((s, i) =>
          i === 3 ? { ...s, sh_flags: { ...s.sh_flags, unknown: 1n << 32n } } : s,
        ),
      },
      copy,
    );
    expect((flags as CodecError).message).toBe(
      "section_headers[3].sh_flags.unknown: expected a bigint from 0 to 4294967295 (class is Elf32: a 32-bit word), got 4294967296n",
    );
    expect(Buffer.from(copy).equals(Buffer.from(bytes))).toBe(true);
  });

  it("refuses program headers larger than their stride, after each header's own errors", () => {
    const { bytes, elf } = decode("a64.exe");
    const copy = bytes.slice();
    const narrow = write({ ...elf, e_phentsize: 32 }, copy);
    expect((narrow as CodecError).message).toBe("program_headers[0]: is larger than its stride");
    const unsound = write(
      {
        ...elf,
        e_phentsize: 32,
        program_headers: elf.program_headers.map((p) => ({
          ...p,
          p_flags: { ...p.p_flags, unknown: 1 },
        })),
      },
      copy,
    );
    expect((unsound as CodecError).message).toBe(
      "program_headers[0].p_flags.unknown: sets a bit that has a name; set its boolean property instead",
    );
    expect(Buffer.from(copy).equals(Buffer.from(bytes))).toBe(true);
  });

  it("reads program headers with a stride larger than the record: zero bytes after it are accepted, others refused", () => {
    const { bytes, elf } = decode("a64.exe");
    // A 64-byte stride: copy each 56-byte header into a table of 64-byte slots at the end.
    const n = elf.e_phnum;
    const grown = new Uint8Array(bytes.length + n * 64);
    grown.set(bytes);
    for (let i = 0; i < n; i++)
      grown.set(
        bytes.subarray(Number(elf.e_phoff) + i * 56, Number(elf.e_phoff) + i * 56 + 56),
        bytes.length + i * 64,
      );
    const moved: Elf = { ...elf, e_phoff: BigInt(bytes.length), e_phentsize: 64 };
    const at = write(moved, grown);
    expect(at).not.toBeInstanceOf(CodecError);
    const back = read(grown);
    if (back instanceof CodecError) throw new Error(back.message);
    expect(back.value.program_headers).toEqual(elf.program_headers);
    expect(readProgramHeader(grown, bytes.length, 2, 1)).not.toBeInstanceOf(CodecError);
    grown[bytes.length + 60] = 1;
    const refused = read(grown);
    expect(refused).toBeInstanceOf(CodecError);
    expect((refused as CodecError).message).toMatch(
      /^program_headers\[0\] at byte \d+: the bytes after a ProgramHeader up to its stride of 64 must be zero/,
    );
  });

  it("reports a byte order and a class that are neither, at their bytes", () => {
    const { bytes } = decode("a64.o");
    const badData = bytes.slice();
    badData[5] = 3;
    expect((read(badData) as CodecError).message).toMatch(/^ei_data at byte 5: 3 is not a Data/);
    const badClass = bytes.slice();
    badClass[4] = 0;
    expect((read(badClass) as CodecError).message).toMatch(/^ei_class at byte 4: 0 is not a Class/);
  });
});
