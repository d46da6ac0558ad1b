/**
 * The qcow2 header in Kaitai Struct: bench/kaitai/qcow2_header.ksy, compiled
 * to bench/kaitai/Qcow2Header.cjs by the npm kaitai-struct-compiler and run
 * on the npm kaitai-struct runtime. Kaitai's JavaScript reads 64-bit fields
 * as plain numbers (inexact past 2^53: the normaliser fails loudly on those),
 * parses `instances` (here the extensions) lazily, and cannot encode.
 */
import { createRequire } from "node:module";
import type { Header } from "../../generated/qcow2.js";
import {
  TAG,
  beforeNul,
  exactBig,
  list,
  num,
  record,
  str,
  toHeader,
  type RawExtension,
  type RawHeader,
  type Untyped,
} from "./normalise.js";

// Both are untyped CommonJS for us (kaitai-struct's typings describe an ES
// default export its UMD build does not have): load them as the compiled
// parser does, and check they are classes.
type StreamClass = new (buffer: ArrayBuffer, byteOffset: number) => object;
type ParserClass = new (io: object) => { readonly extensions: unknown };

function isStreamClass(v: unknown): v is StreamClass {
  return typeof v === "function";
}

function isParserClass(v: unknown): v is ParserClass {
  return typeof v === "function";
}

const require = createRequire(import.meta.url);
const KaitaiStream: unknown = require("kaitai-struct/KaitaiStream");
const Qcow2Header = record(require("../kaitai/Qcow2Header.cjs"), "Qcow2Header.cjs").Qcow2Header;
if (!isStreamClass(KaitaiStream)) throw new Error("kaitai-struct: no KaitaiStream class");
if (!isParserClass(Qcow2Header)) throw new Error("Qcow2Header.cjs: no Qcow2Header class");
const Stream: StreamClass = KaitaiStream;
const Parser: ParserClass = Qcow2Header;

/**
 * Decodes a header, extensions included: reading `extensions` forces the
 * lazy instance, so the timed call does the same work as the others.
 */
export function decode(buf: Uint8Array): unknown {
  const buffer = buf.buffer;
  if (!(buffer instanceof ArrayBuffer)) throw new Error("KaitaiStream reads an ArrayBuffer");
  // The stream spans the ArrayBuffer from byteOffset on: the inputs own theirs.
  const parsed = new Parser(new Stream(buffer, buf.byteOffset));
  if (parsed.extensions === undefined) throw new Error("no extensions");
  return parsed;
}

/** Kaitai's object tree as the generated codec's `Header`. */
export function normalise(parsed: unknown): Header {
  const h = record(parsed, "header");
  const version = num(h, "version");
  const raw: RawHeader = {
    version,
    backingFileOffset: exactBig(h, "backingFileOffset"),
    backingFileSize: num(h, "backingFileSize"),
    clusterBits: num(h, "clusterBits"),
    size: exactBig(h, "size"),
    cryptMethod: num(h, "cryptMethod"),
    l1Size: num(h, "l1Size"),
    l1TableOffset: exactBig(h, "l1TableOffset"),
    refcountTableOffset: exactBig(h, "refcountTableOffset"),
    refcountTableClusters: num(h, "refcountTableClusters"),
    nbSnapshots: num(h, "nbSnapshots"),
    snapshotsOffset: exactBig(h, "snapshotsOffset"),
    additional: undefined,
    extensions: [],
  };
  if (version >= 3) {
    const a = record(h.additional, "additional");
    const headerLength = num(a, "headerLength");
    raw.additional = {
      incompatibleFeatures: exactBig(a, "incompatibleFeatures"),
      compatibleFeatures: exactBig(a, "compatibleFeatures"),
      autoclearFeatures: exactBig(a, "autoclearFeatures"),
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
  const tag = num(e, "type");
  const body = record(e.body, "body");
  switch (tag) {
    case TAG.featureNameTable:
      return {
        tag,
        features: list(body.features, "features").map((item) => {
          const f = record(item, "feature");
          return { ty: num(f, "ty"), bit: num(f, "bit"), name: beforeNul(str(f, "name")) };
        }),
      };
    case TAG.bitmaps:
      return {
        tag,
        nbBitmaps: num(body, "nbBitmaps"),
        reserved: num(body, "reserved"),
        directorySize: exactBig(body, "bitmapDirectorySize"),
        directoryOffset: exactBig(body, "bitmapDirectoryOffset"),
      };
    case TAG.fullDiskEncryption:
      return { tag, offset: exactBig(body, "offset"), length: exactBig(body, "length") };
    default:
      return { tag, bytes: str(body, "value") };
  }
}
