/**
 * QED and VDI headers and VMDK sparse extents in Kaitai Struct:
 * bench/kaitai/{qed_header,vdi_header,vmdk_sparse_extent}.ksy, compiled to
 * QedHeader.cjs, VdiHeader.cjs and VmdkSparseExtent.cjs by the npm
 * kaitai-struct-compiler, run on the npm kaitai-struct runtime. Kaitai's
 * JavaScript reads 64-bit fields as plain numbers (inexact past 2^53: the
 * normalisers fail loudly on those) and cannot encode. The normalisers
 * (untimed) turn its objects into the generated codecs' values.
 */
import { createRequire } from "node:module";
import type { Header as QedHeader } from "../../generated/qed.js";
import type { Geometry, Header as VdiHeader, ImageType } from "../../generated/vdi.js";
import type { CompressAlgorithm, SparseExtent } from "../../generated/vmdk.js";
import type { PeerDecoder } from "../formats.js";
import { bytesToString, readGuid } from "../handwritten/common.js";
import { exactBig, list, num, record, str, type Untyped } from "./normalise.js";

type StreamClass = new (buffer: ArrayBuffer, byteOffset: number) => object;
type ParserClass = new (io: object) => Untyped;

const require = createRequire(import.meta.url);

function loadClass(path: string, name: string): ParserClass {
  const c = record(require(path), path)[name];
  if (typeof c !== "function") throw new Error(`${path}: no ${name} class`);
  return c as ParserClass;
}

const KaitaiStream: unknown = require("kaitai-struct/KaitaiStream");
if (typeof KaitaiStream !== "function") throw new Error("kaitai-struct: no KaitaiStream class");
const Stream = KaitaiStream as StreamClass;
const Qed = loadClass("../kaitai/QedHeader.cjs", "QedHeader");
const Vdi = loadClass("../kaitai/VdiHeader.cjs", "VdiHeader");
const Vmdk = loadClass("../kaitai/VmdkSparseExtent.cjs", "VmdkSparseExtent");

function streamOf(buf: Uint8Array): object {
  const buffer = buf.buffer;
  if (!(buffer instanceof ArrayBuffer)) throw new Error("KaitaiStream reads an ArrayBuffer");
  // The stream spans the ArrayBuffer from byteOffset on: the inputs own theirs.
  return new Stream(buffer, buf.byteOffset);
}

export const qedKaitai: PeerDecoder = {
  impl: "kaitai",
  decode(buf) {
    const parsed = new Qed(streamOf(buf));
    // Reading the lazy instance does the same work as the other decoders.
    if (parsed.backingFilename === null) throw new Error("no backing file name");
    return parsed;
  },
  normalise(output): QedHeader {
    const h = record(output, "header");
    const features = exactBig(h, "features");
    return {
      cluster_size: num(h, "clusterSize"),
      table_size: num(h, "tableSize"),
      header_size: num(h, "headerSize"),
      features,
      compat_features: exactBig(h, "compatFeatures"),
      autoclear_features: exactBig(h, "autoclearFeatures"),
      l1_table_offset: exactBig(h, "l1TableOffset"),
      image_size: exactBig(h, "imageSize"),
      backing_filename_offset: num(h, "backingFilenameOffset"),
      backing_filename_size: num(h, "backingFilenameSize"),
      backing_filename: (features & 1n) === 1n ? str(h, "backingFilename") : undefined,
    };
  },
};

const IMAGE_TYPES: readonly ImageType[] = ["Dynamic", "Static", "Undo", "Diff"];

function geometry(v: unknown): Geometry {
  const g = record(v, "geometry");
  return {
    cylinders: num(g, "cylinders"),
    heads: num(g, "heads"),
    sectors: num(g, "sectors"),
    sector_size: num(g, "sectorSize"),
  };
}

function guid(o: Untyped, key: string): string {
  const v = o[key];
  if (!(v instanceof Uint8Array) || v.length !== 16) throw new Error(`${key}: expected 16 bytes`);
  return readGuid(v, 0);
}

export const vdiKaitai: PeerDecoder = {
  impl: "kaitai",
  decode: (buf) => new Vdi(streamOf(buf)),
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
      legacy_geometry: geometry(h.legacyGeometry),
      unused1: num(h, "unused1"),
      disk_size: exactBig(h, "diskSize"),
      block_size: num(h, "blockSize"),
      block_extra: num(h, "blockExtra"),
      blocks_in_image: num(h, "blocksInImage"),
      blocks_allocated: num(h, "blocksAllocated"),
      uuid_image: guid(h, "uuidImage"),
      uuid_last_snap: guid(h, "uuidLastSnap"),
      uuid_link: guid(h, "uuidLink"),
      uuid_parent: guid(h, "uuidParent"),
      lchs_geometry: geometry(h.lchsGeometry),
      reserved: list(h.reserved, "reserved").map((w) => {
        if (typeof w !== "number") throw new Error("reserved: expected numbers");
        return { value: w };
      }),
    };
  },
};

export const vmdkKaitai: PeerDecoder = {
  impl: "kaitai",
  decode(buf) {
    const parsed = new Vmdk(streamOf(buf));
    // Reading the lazy instance does the same work as the other decoders.
    if (parsed.descriptor === null) throw new Error("no descriptor");
    return parsed;
  },
  normalise(output): SparseExtent {
    const h = record(output, "extent");
    const flags = num(h, "flags");
    const compress = num(h, "compressAlgorithm");
    const newline = h.newlineCheck;
    if (!(newline instanceof Uint8Array)) throw new Error("newlineCheck: expected bytes");
    const descOffset = exactBig(h, "descOffset");
    return {
      header: {
        version: num(h, "version"),
        valid_newline_test: (flags & 0x1) !== 0,
        redundant_grain_table: (flags & 0x2) !== 0,
        zeroed_grain_gte: (flags & 0x4) !== 0,
        compressed_grains: (flags & 0x10000) !== 0,
        markers: (flags & 0x20000) !== 0,
        flags_unknown: (flags & ~0x30007) >>> 0,
        capacity: exactBig(h, "capacity"),
        grain_size: exactBig(h, "grainSize"),
        desc_offset: descOffset,
        desc_size: exactBig(h, "descSize"),
        num_gtes_per_gt: num(h, "numGtesPerGt"),
        rgd_offset: exactBig(h, "rgdOffset"),
        gd_offset: exactBig(h, "gdOffset"),
        overhead: exactBig(h, "overhead"),
        unclean_shutdown: num(h, "uncleanShutdown"),
        newline_check: bytesToString(newline, 0, 4),
        compress_algorithm: ((): CompressAlgorithm =>
          compress === 0 ? "None" : compress === 1 ? "Deflate" : { unknown: compress })(),
      },
      descriptor: descOffset !== 0n ? str(h, "descriptor") : undefined,
    };
  },
};
