/**
 * The qcow2 header in binary-parser 2.x, which compiles a parser from a
 * builder chain. It reads 64-bit fields as bigints and cannot encode. Byte
 * strings decode with TextDecoder("latin1") (really windows-1252: the same
 * as one char per byte for the ASCII names in these inputs).
 */
import { Parser } from "binary-parser";
import {
  TAG,
  beforeNul,
  big,
  list,
  num,
  record,
  str,
  toHeader,
  type RawExtension,
  type RawHeader,
  type Untyped,
} from "./normalise.js";
import type { Header } from "../../generated/qcow2.js";

const padding = function (this: { length: number }): number {
  return (8 - (this.length % 8)) % 8;
};

const feature = new Parser()
  .uint8("ty")
  .uint8("bit")
  .string("name", { length: 46, encoding: "latin1", stripNull: true });

const bytesPayload = new Parser().string("bytes", { length: "length", encoding: "latin1" });

const extension = new Parser()
  .uint32be("tag")
  .uint32be("length")
  .choice({
    tag: "tag",
    choices: {
      [TAG.featureNameTable]: new Parser().array("features", {
        type: feature,
        lengthInBytes: "length",
      }),
      [TAG.bitmaps]: new Parser()
        .uint32be("nbBitmaps")
        .uint32be("reserved")
        .uint64be("directorySize")
        .uint64be("directoryOffset"),
      [TAG.fullDiskEncryption]: new Parser().uint64be("offset").uint64be("encryptionLength"),
      0: new Parser().seek(0),
    },
    defaultChoice: bytesPayload,
  })
  .seek(padding);

const additional = new Parser()
  .uint64be("incompatibleFeatures")
  .uint64be("compatibleFeatures")
  .int64be("autoclearFeatures")
  .int32be("refcountOrder")
  .uint32be("headerLength")
  .choice("compression", {
    tag: function (this: { headerLength: number }): number {
      return this.headerLength > 104 ? 1 : 0;
    },
    choices: {
      0: new Parser().seek(0),
      1: new Parser().uint8("type").seek(7),
    },
  })
  .choice("extra", {
    tag: function (this: { headerLength: number }): number {
      return this.headerLength > 112 ? 1 : 0;
    },
    choices: {
      0: new Parser().seek(0),
      1: new Parser().string("bytes", {
        length: function (this: { $parent: { headerLength: number } }): number {
          return this.$parent.headerLength - 112;
        },
        encoding: "latin1",
      }),
    },
  });

const header = new Parser()
  .useContextVars()
  .endianness("big")
  .uint32("magic", { assert: 0x514649fb })
  .uint32("version")
  .int64("backingFileOffset")
  .int32("backingFileSize")
  .int32("clusterBits")
  .int64("size")
  .uint32("cryptMethod")
  .int32("l1Size")
  .int64("l1TableOffset")
  .int64("refcountTableOffset")
  .int32("refcountTableClusters")
  .int32("nbSnapshots")
  .int64("snapshotsOffset")
  .choice("additional", {
    tag: function (this: { version: number }): number {
      return this.version >= 3 ? 1 : 0;
    },
    choices: { 0: new Parser().seek(0), 1: additional },
  })
  .array("extensions", {
    type: extension,
    readUntil: (item: { tag: number }) => item.tag === 0,
  });

/** Decodes a header (binary-parser's own shape; throws on bad input). */
export function decode(buf: Uint8Array): unknown {
  return header.parse(buf);
}

/** binary-parser's output as the generated codec's `Header`. */
export function normalise(parsed: unknown): Header {
  const h = record(parsed, "header");
  const version = num(h, "version");
  const raw: RawHeader = {
    version,
    backingFileOffset: big(h, "backingFileOffset"),
    backingFileSize: num(h, "backingFileSize"),
    clusterBits: num(h, "clusterBits"),
    size: big(h, "size"),
    cryptMethod: num(h, "cryptMethod"),
    l1Size: num(h, "l1Size"),
    l1TableOffset: big(h, "l1TableOffset"),
    refcountTableOffset: big(h, "refcountTableOffset"),
    refcountTableClusters: num(h, "refcountTableClusters"),
    nbSnapshots: num(h, "nbSnapshots"),
    snapshotsOffset: big(h, "snapshotsOffset"),
    additional: undefined,
    extensions: [],
  };
  if (version >= 3) {
    const a = record(h.additional, "additional");
    const headerLength = num(a, "headerLength");
    raw.additional = {
      incompatibleFeatures: big(a, "incompatibleFeatures"),
      compatibleFeatures: big(a, "compatibleFeatures"),
      autoclearFeatures: big(a, "autoclearFeatures"),
      refcountOrder: num(a, "refcountOrder"),
      compressionType:
        headerLength > 104 ? num(record(a.compression, "compression"), "type") : undefined,
      headerExtra: headerLength > 112 ? str(record(a.extra, "extra"), "bytes") : undefined,
    };
  }
  const extensions = list(h.extensions, "extensions");
  // The last entry is the end marker.
  for (const item of extensions.slice(0, -1)) raw.extensions.push(extensionOf(record(item, "ext")));
  return toHeader(raw);
}

function extensionOf(e: Untyped): RawExtension {
  const tag = num(e, "tag");
  switch (tag) {
    case TAG.featureNameTable:
      return {
        tag,
        features: list(e.features, "features").map((item) => {
          const f = record(item, "feature");
          return { ty: num(f, "ty"), bit: num(f, "bit"), name: beforeNul(str(f, "name")) };
        }),
      };
    case TAG.bitmaps:
      return {
        tag,
        nbBitmaps: num(e, "nbBitmaps"),
        reserved: num(e, "reserved"),
        directorySize: big(e, "directorySize"),
        directoryOffset: big(e, "directoryOffset"),
      };
    case TAG.fullDiskEncryption:
      return { tag, offset: big(e, "offset"), length: big(e, "encryptionLength") };
    default:
      return { tag, bytes: str(e, "bytes") };
  }
}
