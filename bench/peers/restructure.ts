/**
 * The qcow2 header in restructure 3.x, which reads and writes. It has no
 * 64-bit integers, so each 64-bit field is a {hi, lo} struct of two 32-bit
 * ones; it has no "repeat until" either, so the extension list is a small
 * custom type (restructure's documented extension point) that runs a
 * VersionedStruct keyed by the tag up to the end marker, and a plain Struct
 * for tags it does not know. Byte strings are `String` with encoding
 * "ascii" (TextDecoder's windows-1252 when reading, one byte per char when
 * writing); feature names are read as all 46 bytes, NULs included.
 */
import * as r from "restructure";
import type { Header } from "../../generated/qcow2.js";
import {
  TAG,
  beforeNul,
  list,
  num,
  record,
  str,
  toHeader,
  type RawExtension,
  type RawHeader,
  type Untyped,
} from "./normalise.js";

/** The struct itself: restructure passes it when reading, and {parent, val} when sizing or writing. */
function own(p: r.Parent): Untyped {
  return "val" in p ? record(p.val, "val") : p;
}

function field(p: r.Parent, key: string): number {
  return num(own(p), key);
}

const u64 = new r.Struct({ hi: r.uint32be, lo: r.uint32be });
const i64 = new r.Struct({ hi: r.int32be, lo: r.uint32be });
const padding = new r.Reserved(r.uint8, (p) => (8 - (field(p, "length") % 8)) % 8);
const bytes = new r.String("length", "ascii");

const feature = new r.Struct({ ty: r.uint8, bit: r.uint8, name: new r.String(46, "ascii") });

const knownExtension = new r.VersionedStruct(r.uint32be, {
  0: { length: r.uint32be },
  [TAG.backingFile]: { length: r.uint32be, bytes, padding },
  [TAG.featureNameTable]: {
    length: r.uint32be,
    features: new r.Array(feature, "length", "bytes"),
    padding,
  },
  [TAG.bitmaps]: {
    length: r.uint32be,
    nbBitmaps: r.uint32be,
    reserved: r.uint32be,
    directorySize: u64,
    directoryOffset: u64,
    padding,
  },
  [TAG.fullDiskEncryption]: { length: r.uint32be, offset: u64, encryptionLength: u64, padding },
  [TAG.externalDataFile]: { length: r.uint32be, bytes, padding },
});
const KNOWN_TAGS: ReadonlySet<number> = new Set([0, ...Object.values(TAG)]);
const unknownExtension = new r.Struct({ tag: r.uint32be, length: r.uint32be, bytes, padding });

function codecOf(entry: unknown): r.Codec {
  return "version" in record(entry, "extension") ? knownExtension : unknownExtension;
}

/** Extensions up to and including the end marker (tag 0). */
const extensionList: r.Codec = {
  decode(stream, parent) {
    const entries: unknown[] = [];
    for (;;) {
      const tag = stream.view.getUint32(stream.pos);
      const codec = KNOWN_TAGS.has(tag) ? knownExtension : unknownExtension;
      entries.push(codec.decode(stream, parent));
      if (tag === 0) return entries;
    }
  },
  size(value, parent) {
    let size = 0;
    for (const entry of list(value, "extensions")) size += codecOf(entry).size(entry, parent);
    return size;
  },
  encode(stream, value, parent) {
    for (const entry of list(value, "extensions")) codecOf(entry).encode(stream, entry, parent);
  },
};

const additional = new r.Struct({
  incompatibleFeatures: u64,
  compatibleFeatures: u64,
  autoclearFeatures: i64,
  refcountOrder: r.int32be,
  headerLength: r.uint32be,
  compressionType: new r.Optional(r.uint8, (p) => field(p, "headerLength") > 104),
  padding: new r.Optional(new r.Reserved(r.uint8, 7), (p) => field(p, "headerLength") > 104),
  headerExtra: new r.Optional(
    new r.String((p) => field(p, "headerLength") - 112, "ascii"),
    (p) => field(p, "headerLength") > 112,
  ),
});

const header = new r.Struct({
  magic: r.uint32be,
  version: r.uint32be,
  backingFileOffset: i64,
  backingFileSize: r.int32be,
  clusterBits: r.int32be,
  size: i64,
  cryptMethod: r.uint32be,
  l1Size: r.int32be,
  l1TableOffset: i64,
  refcountTableOffset: i64,
  refcountTableClusters: r.int32be,
  nbSnapshots: r.int32be,
  snapshotsOffset: i64,
  additional: new r.Optional(additional, (p) => field(p, "version") >= 3),
  extensions: extensionList,
});

/** Decodes a header (restructure's own shape; throws on input it cannot read). */
export function decode(buf: Uint8Array): unknown {
  return header.decode(new r.DecodeStream(buf));
}

/** Encodes a value of restructure's own shape (as {@link decode} returns) into `buf`; returns the end. */
export function encode(value: unknown, buf: Uint8Array): number {
  const stream = new r.EncodeStream(buf);
  header.encode(stream, value);
  return stream.pos;
}

/** The number of bytes {@link encode} writes. */
export function sizeof(value: unknown): number {
  return header.size(value);
}

function join(o: Untyped, key: string): bigint {
  const halves = record(o[key], key);
  return (BigInt(num(halves, "hi")) << 32n) | BigInt(num(halves, "lo"));
}

/** restructure's output as the generated codec's `Header`. */
export function normalise(parsed: unknown): Header {
  const h = record(parsed, "header");
  if (num(h, "magic") !== 0x514649fb) throw new Error("bad magic");
  const version = num(h, "version");
  const raw: RawHeader = {
    version,
    backingFileOffset: join(h, "backingFileOffset"),
    backingFileSize: num(h, "backingFileSize"),
    clusterBits: num(h, "clusterBits"),
    size: join(h, "size"),
    cryptMethod: num(h, "cryptMethod"),
    l1Size: num(h, "l1Size"),
    l1TableOffset: join(h, "l1TableOffset"),
    refcountTableOffset: join(h, "refcountTableOffset"),
    refcountTableClusters: num(h, "refcountTableClusters"),
    nbSnapshots: num(h, "nbSnapshots"),
    snapshotsOffset: join(h, "snapshotsOffset"),
    additional: undefined,
    extensions: [],
  };
  if (version >= 3) {
    const a = record(h.additional, "additional");
    const headerLength = num(a, "headerLength");
    raw.additional = {
      incompatibleFeatures: join(a, "incompatibleFeatures"),
      compatibleFeatures: join(a, "compatibleFeatures"),
      autoclearFeatures: join(a, "autoclearFeatures"),
      refcountOrder: num(a, "refcountOrder"),
      compressionType: headerLength > 104 ? num(a, "compressionType") : undefined,
      headerExtra: headerLength > 112 ? str(a, "headerExtra") : undefined,
    };
  }
  const extensions = list(h.extensions, "extensions");
  // The last entry is the end marker.
  for (const item of extensions.slice(0, -1)) raw.extensions.push(extensionOf(record(item, "ext")));
  return toHeader(raw);
}

function extensionOf(e: Untyped): RawExtension {
  const tag = "version" in e ? num(e, "version") : num(e, "tag");
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
        directorySize: join(e, "directorySize"),
        directoryOffset: join(e, "directoryOffset"),
      };
    case TAG.fullDiskEncryption:
      return { tag, offset: join(e, "offset"), length: join(e, "encryptionLength") };
    default:
      return { tag, bytes: str(e, "bytes") };
  }
}
