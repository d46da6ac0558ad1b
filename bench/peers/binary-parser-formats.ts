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
import type { Header as QedHeader } from "../../generated/qed.js";
import type { Geometry, Header as VdiHeader, ImageType } from "../../generated/vdi.js";
import type { PeerDecoder } from "../formats.js";
import { readGuid } from "../handwritten/common.js";
import { big, list, num, record, str } from "./normalise.js";

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
