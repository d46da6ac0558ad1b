/**
 * schema/png.yaml against netpbm's pnmtopng (which writes PNGs with libpng),
 * pngcheck and pngtopnm: PNGs made in several configurations are decoded,
 * their chunk list, lengths, offsets and values compared with what
 * `pngcheck -v` prints, written back byte for byte; a flipped byte is a CRC
 * error naming the chunk and the byte; an edit made with the codec (the
 * CRCs recomputed on write) is accepted by pngcheck, which shows the new
 * values, and pngtopnm still decodes the same pixels.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  Chunk_tags,
  CodecError,
  read,
  sizeof,
  write,
  type Chunk,
  type Png,
} from "../generated/png.js";
import { describeWithTools, runTool } from "./support/tools.js";

const PNGCHECK = { command: "pngcheck", debianPackage: "pngcheck", versionArgs: ["-h"] };
const PNMTOPNG = { command: "pnmtopng", debianPackage: "netpbm" };
const PNGTOPNM = { command: "pngtopnm", debianPackage: "netpbm" };

let dir: string;

/** Runs a netpbm tool with binary standard input and output. */
function netpbm(command: string, args: readonly string[], input: Uint8Array): Uint8Array {
  const r = spawnSync(command, [...args], { input, maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

/** A PPM (or PGM) image of `w` x `h` pixels whose samples come from `sample`. */
function netpbmImage(
  kind: "P5" | "P6",
  w: number,
  h: number,
  sample: (x: number, y: number, c: number) => number,
): Uint8Array {
  const channels = kind === "P6" ? 3 : 1;
  const head = new TextEncoder().encode(`${kind}\n${w} ${h}\n255\n`);
  const body = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < channels; c++) body[(y * w + x) * channels + c] = sample(x, y, c) & 0xff;
  return new Uint8Array([...head, ...body]);
}

/** A pseudo-random byte, so that an image compresses badly (and needs several IDATs). */
const noise = (x: number, y: number, c: number): number =>
  Math.imul((x * 73856093) ^ (y * 19349663) ^ (c * 83492791), 0x9e3779b1) >>> 24;

interface Config {
  name: string;
  image: Uint8Array;
  args: string[];
  /** What pngcheck's IHDR line says about the pixels. */
  pixels: string;
}

function configs(): Config[] {
  const grey = netpbmImage("P5", 16, 8, (x, y) => x * 16 + y);
  const rgb = netpbmImage("P6", 12, 10, (x, y, c) => x * 20 + y * 7 + c * 50);
  const few = netpbmImage("P6", 8, 8, (x, y, c) => ((x + y) % 3) * 100 + c);
  const mask = join(dir, "mask.pgm");
  writeFileSync(
    mask,
    netpbmImage("P5", 12, 10, (x) => x * 21),
  );
  const text = join(dir, "text.txt");
  writeFileSync(text, "Title A test image\nAuthor pnmtopng and binschema\n");
  const ztxt = join(dir, "ztxt.txt");
  writeFileSync(ztxt, "Comment Compressed with zlib, kept as bytes\n");
  return [
    { name: "greyscale", image: grey, args: ["-force"], pixels: "8-bit grayscale" },
    {
      name: "greyscale with gamma and pHYs",
      image: grey,
      args: ["-force", "-gamma=0.45455", "-size=3780 3780 1"],
      pixels: "8-bit grayscale",
    },
    { name: "RGB", image: rgb, args: ["-force"], pixels: "24-bit RGB" },
    {
      name: "palette with PLTE and hIST",
      image: few,
      args: ["-hist"],
      pixels: "palette",
    },
    {
      name: "RGB with alpha",
      image: rgb,
      args: ["-force", `-alpha=${mask}`],
      pixels: "32-bit RGB+alpha",
    },
    {
      name: "transparent colour (tRNS) and background",
      image: rgb,
      args: ["-force", "-transparent=rgb:00/00/64", "-background=rgb:ff/ff/ff"],
      pixels: "24-bit RGB",
    },
    {
      name: "interlaced with text, time and sRGB",
      image: rgb,
      args: [
        "-force",
        "-interlace",
        `-text=${text}`,
        "-modtime=2026-12-01 13:30:00",
        "-srgbintent=perceptual",
      ],
      pixels: "24-bit RGB",
    },
    {
      name: "compressed text (zTXt)",
      image: grey,
      args: ["-force", `-ztxt=${ztxt}`],
      pixels: "8-bit grayscale",
    },
    {
      name: "several IDAT chunks",
      image: netpbmImage("P6", 40, 30, noise),
      args: ["-force", "-comp_buffer_size=512"],
      pixels: "24-bit RGB",
    },
  ];
}

/** A chunk's four-letter type. */
function typeOf(c: Chunk): string {
  const tag = c.kind === "Unknown" ? c.type : Chunk_tags[c.kind];
  return String.fromCharCode(tag >>> 24, (tag >>> 16) & 0xff, (tag >>> 8) & 0xff, tag & 0xff);
}

/** Each chunk's type, file offset and data length, as the codec sees them. */
function chunkTable(png: Png): { type: string; offset: number; length: number }[] {
  return png.chunks.map((c, i) => {
    const offset = sizeof({ chunks: png.chunks.slice(0, i) });
    const length = sizeof({ chunks: png.chunks.slice(0, i + 1) }) - offset - 12;
    return { type: typeOf(c), offset, length };
  });
}

/** The chunk lines of `pngcheck -v`: type, offset and length. */
function pngcheckTable(out: string): { type: string; offset: number; length: number }[] {
  return [...out.matchAll(/^ {2}chunk (\S{4}) at offset 0x([0-9a-f]+), length (\d+)/gm)].map(
    // pngcheck gives the offset of the chunk's type, after its 4-byte length.
    (m) => ({ type: m[1]!, offset: parseInt(m[2]!, 16) - 4, length: Number(m[3]) }),
  );
}

function decode(bytes: Uint8Array): Png {
  const r = read(bytes);
  if (r instanceof CodecError) throw new Error(r.message);
  expect(r.end).toBe(bytes.length);
  return r.value;
}

function encode(value: Png): Uint8Array {
  const out = new Uint8Array(sizeof(value));
  const end = write(value, out);
  if (end instanceof CodecError) throw new Error(end.message);
  expect(end).toBe(out.length);
  return out;
}

function pngcheck(bytes: Uint8Array, flags = "-v"): { status: number; out: string } {
  const file = join(dir, "check.png");
  writeFileSync(file, bytes);
  const r = runTool("pngcheck", [flags, file]);
  return { status: r.status, out: r.stdout + r.stderr };
}

describeWithTools([PNGCHECK, PNMTOPNG, PNGTOPNM], "PNG files made by pnmtopng", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "binschema-png-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("decodes each configuration as pngcheck lists it, and writes it back byte for byte", () => {
    let compared = 0;
    for (const config of configs()) {
      const file = netpbm("pnmtopng", config.args, config.image);
      const check = pngcheck(file);
      expect(check.status, `${config.name}: ${check.out}`).toBe(0);
      const png = decode(file);
      expect(chunkTable(png), config.name).toEqual(pngcheckTable(check.out));
      compared += png.chunks.length;

      const header = png.chunks[0]!;
      if (header.kind !== "Header") throw new Error(`${config.name}: IHDR is not first`);
      const interlace = header.interlace_method === "Adam7" ? "interlaced" : "non-interlaced";
      expect(check.out).toContain(`${header.width} x ${header.height} image, `);
      expect(check.out).toContain(`, ${interlace}`);
      expect(check.out).toContain(config.pixels);
      if (config.pixels === "palette") {
        expect(header.colour_type).toBe("Indexed");
        const plte = png.chunks.find((c) => c.kind === "Palette");
        expect(check.out).toContain(`: ${plte?.entries.length} palette entries`);
        expect(png.chunks.some((c) => c.kind === "Histogram")).toBe(true);
      }
      for (const c of png.chunks) {
        if (c.kind === "Gamma") expect(check.out).toContain(`: ${(c.gamma / 100000).toFixed(5)}`);
        if (c.kind === "Physical")
          expect(check.out).toContain(
            `: ${c.pixels_per_unit_x}x${c.pixels_per_unit_y} pixels/meter`,
          );
        if (c.kind === "Time")
          expect(check.out).toContain(
            `: ${String(c.day).padStart(2)} Dec ${c.year} ${c.hour}:${c.minute}:${String(c.second).padStart(2, "0")} UTC`,
          );
        if (c.kind === "Text" || c.kind === "Compressed_text")
          expect(check.out).toContain(`keyword: ${c.keyword}`);
        compared++;
      }
      if (config.name === "several IDAT chunks")
        expect(png.chunks.filter((c) => c.kind === "Image_data").length).toBeGreaterThan(3);
      expect(png.chunks.at(-1)).toEqual({ kind: "End" });
      expect(Buffer.from(encode(png)).equals(Buffer.from(file)), config.name).toBe(true);
    }
    expect(compared).toBeGreaterThan(60);
  });

  it("reports a flipped byte as a CRC error naming the chunk and the byte", () => {
    const config = configs().find((c) => c.name.startsWith("interlaced"))!;
    const file = netpbm("pnmtopng", config.args, config.image);
    const table = chunkTable(decode(file));
    for (const [i, chunk] of table.entries()) {
      const bad = file.slice();
      bad[chunk.offset + 4 + 1] ^= 0x20; // a letter of the chunk type
      if (chunk.length > 0) bad[chunk.offset + 8 + chunk.length - 1] ^= 0x01; // the last data byte
      const r = read(bad);
      const crcAt = chunk.offset + 8 + chunk.length;
      expect(r instanceof CodecError && r.message, chunk.type).toMatch(
        new RegExp(
          `^chunks\\[${i}\\]\\.crc at byte ${crcAt}: is 0x[0-9a-f]{8}, but the crc32 of bytes ${chunk.offset + 4} to ${crcAt} is 0x[0-9a-f]{8}$`,
        ),
      );
      expect(pngcheck(bad).status).not.toBe(0);
    }
  });

  it("writes an edited tEXt and gAMA that pngcheck accepts and shows, and pngtopnm decodes", () => {
    const config = configs().find((c) => c.name.startsWith("interlaced"))!;
    // sRGB implies its own gamma, so libpng refuses another with it.
    const args = config.args.filter((a) => !a.startsWith("-srgbintent"));
    const file = netpbm("pnmtopng", [...args, "-gamma=0.5"], config.image);
    const png = decode(file);
    const chunks = png.chunks.map((c): Chunk => {
      if (c.kind === "Text" && c.keyword === "Title")
        return { ...c, text: "Edited by the binschema codec, a longer title" };
      if (c.kind === "Gamma") return { ...c, gamma: 45455 };
      return c;
    });
    const edited = encode({ chunks });
    expect(edited.length).toBe(
      file.length + "Edited by the binschema codec, a longer title".length - "A test image".length,
    );
    const check = pngcheck(edited, "-vt");
    expect(check.status, check.out).toBe(0);
    expect(check.out).toContain("Edited by the binschema codec, a longer title");
    expect(check.out).toContain("length 4: 0.45455");
    expect(pngcheck(file, "-vt").out).toContain("length 4: 0.50000");
    expect(Buffer.from(netpbm("pngtopnm", [], edited))).toEqual(
      Buffer.from(netpbm("pngtopnm", [], file)),
    );
    expect(decode(edited).chunks).toEqual(chunks);
  });

  it("stops after IEND: bytes after it are left to the caller", () => {
    const config = configs()[0]!;
    const file = netpbm("pnmtopng", config.args, config.image);
    const longer = new Uint8Array([...file, 1, 2, 3]);
    const r = read(longer);
    expect(r instanceof CodecError ? r.message : r.end).toBe(file.length);
  });
});

it("the PNG codec refuses a chunk list that does not end with exactly one IEND", () => {
  const header: Chunk = {
    kind: "Header",
    width: 1,
    height: 1,
    bit_depth: 8,
    colour_type: "Greyscale",
    compression_method: "Deflate",
    filter_method: "Adaptive",
    interlace_method: "None",
  };
  const buf = new Uint8Array(64);
  const missing = write({ chunks: [header] }, buf);
  expect(missing instanceof CodecError && missing.message).toBe(
    "chunks: must end with an End entry, which ends the list",
  );
  const early = write({ chunks: [header, { kind: "End" }, { kind: "End" }] }, buf);
  expect(early instanceof CodecError && early.message).toBe(
    "chunks[1]: an End entry ends the list, so it can only be the last",
  );
  expect(buf.every((b) => b === 0)).toBe(true);
  // IEND's CRC is the CRC-32 of "IEND", ae 42 60 82, as every PNG ends.
  const end = write({ chunks: [header, { kind: "End" }] }, buf);
  expect(end).toBe(8 + 25 + 12);
  expect(Buffer.from(buf.subarray(33, 45)).toString("hex")).toBe("0000000049454e44ae426082");
  expect(Buffer.from(buf.subarray(0, 33)).toString("hex")).toBe(
    "89504e470d0a1a0a" + "0000000d" + "49484452" + "00000001000000010800000000" + "3a7e9b55",
  );
});
