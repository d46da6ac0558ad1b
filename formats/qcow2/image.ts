/**
 * Reading a qcow2 image's header region, and writing it back safely.
 *
 * The header region is the start of the first cluster: the header, its
 * extensions, the end marker and the backing file name. Images are often
 * many gigabytes, so this reads the first cluster at most (plus the backing
 * file name if it lies elsewhere), never the whole file. Writing builds the
 * whole new region in memory and stores it with one positioned write and an
 * fdatasync, after checking that it fits in the first cluster and keeps every
 * byte it does not mean to change.
 */
import { fstatSync } from "node:fs";
import { read, sizeof, write, type Header } from "../../generated/qcow2.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import { readAt, writeAt } from "../../program/file-region.js";

export { readAt, RegionWriteError, type WriteState } from "../../program/file-region.js";

/** QEMU's cluster size limits (block/qcow2.h MIN_CLUSTER_BITS, MAX_CLUSTER_BITS). */
export const MIN_CLUSTER_BITS = 9;
export const MAX_CLUSTER_BITS = 21;

/**
 * Where cluster_bits is stored (a big-endian u32; see generated/qcow2.md).
 * It is peeked before decoding, to know how much to read.
 */
const CLUSTER_BITS_AT = 20;

/** How much to read when cluster_bits is out of range: QEMU's default cluster size. */
const FALLBACK_READ = 65536;

/** The backing file name as stored: where, and its bytes (one char per byte). */
export interface BackingName {
  readonly offset: number;
  readonly bytes: string;
  /** True when the name lies inside the bytes read (the first cluster). */
  readonly inRegion: boolean;
}

/** What was read from the start of an image. */
export interface HeaderRegion {
  /** The bytes from offset 0: the first cluster, or less if the file is shorter. */
  readonly bytes: Uint8Array;
  readonly fileSize: number;
  /** 2 ** cluster_bits when cluster_bits is in QEMU's range 9..21, else undefined. */
  readonly clusterSize: number | undefined;
  /** The header decoded with the codec, or why it cannot be. */
  readonly decoded: Decoded<Header> | CodecError;
  /** The backing file name, when backing_file_offset is not 0 and the name could be read. */
  readonly backingName: BackingName | undefined;
}

/** The cluster size a header's bytes declare, if QEMU accepts it. */
function peekClusterSize(prefix: Uint8Array): number | undefined {
  if (prefix.length < CLUSTER_BITS_AT + 4) return undefined;
  const bits = new DataView(prefix.buffer, prefix.byteOffset).getUint32(CLUSTER_BITS_AT);
  return bits >= MIN_CLUSTER_BITS && bits <= MAX_CLUSTER_BITS ? 2 ** bits : undefined;
}

/**
 * Reads the header region of the image open as `fd`: the first cluster (as
 * its cluster_bits says; 64 KiB when that is out of range), decoded with the
 * codec, and the backing file name. A name outside the first cluster is read
 * on its own when it is at most 4 KiB long (QEMU's limit is 1023 bytes).
 */
export function readHeaderRegion(fd: number): HeaderRegion {
  const fileSize = fstatSync(fd).size;
  const prefix = readAt(fd, 0, Math.min(fileSize, 2 ** MIN_CLUSTER_BITS));
  const want = Math.min(fileSize, peekClusterSize(prefix) ?? FALLBACK_READ);
  const bytes = want <= prefix.length ? prefix.subarray(0, want) : readAt(fd, 0, want);
  return regionFromBytes(bytes, fileSize, (start, size) => readAt(fd, start, size));
}

/**
 * The header region held in `bytes` (the start of a file of `fileSize`
 * bytes). `readElsewhere` reads a backing file name lying past `bytes`; without
 * it such a name is left unread.
 */
export function regionFromBytes(
  bytes: Uint8Array,
  fileSize: number,
  readElsewhere?: (start: number, size: number) => Uint8Array,
): HeaderRegion {
  const decoded = read(bytes);
  const backingName =
    decoded instanceof CodecError ? undefined : backingNameOf(decoded.value, bytes, readElsewhere);
  return { bytes, fileSize, clusterSize: peekClusterSize(bytes), decoded, backingName };
}

const MAX_NAME_READ = 4096;

function backingNameOf(
  header: Header,
  bytes: Uint8Array,
  readElsewhere: ((start: number, size: number) => Uint8Array) | undefined,
): BackingName | undefined {
  const offset = header.backing_file_offset;
  const size = header.backing_file_size >>> 0;
  if (offset <= 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const start = Number(offset);
  if (start + size <= bytes.length) {
    return { offset: start, bytes: latin1(bytes.subarray(start, start + size)), inRegion: true };
  }
  if (readElsewhere === undefined || size > MAX_NAME_READ) return undefined;
  return { offset: start, bytes: latin1(readElsewhere(start, size)), inRegion: false };
}

/**
 * The region as it will be once `plan` is written: the old bytes with the
 * plan's bytes over them.
 */
export function regionAfter(region: HeaderRegion, plan: RegionPlan): HeaderRegion {
  const bytes = new Uint8Array(Math.max(region.bytes.length, plan.bytes.length));
  bytes.set(region.bytes);
  bytes.set(plan.bytes);
  return regionFromBytes(bytes.subarray(0, region.bytes.length), region.fileSize);
}

/** Bytes as a byte string (one char per byte), the codec's representation. */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** A byte string as bytes. */
export function fromLatin1(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "latin1"));
}

/** A byte string shown as text: decoded as UTF-8, as qemu-img prints names. */
export function byteStringText(text: string): string {
  return Buffer.from(text, "latin1").toString("utf8");
}

// ---------------------------------------------------------------------------
// Planning and writing an edit
// ---------------------------------------------------------------------------

/** How an edit treats the backing file name. */
export type BackingNamePolicy =
  /** Move the name to just after the new end marker and point at it, as QEMU does. */
  | "move"
  /** The edit set backing_file_offset or backing_file_size itself: keep the name bytes where they are. */
  | "keep";

/** A new header region, ready to write. */
export interface RegionPlan {
  readonly before: Header;
  readonly after: Header;
  /** The bytes to write at offset 0: header, extensions, end marker, name, zero fill. */
  readonly bytes: Uint8Array;
  /** Where the new header (with its end marker) ends, and the new region (with the name). */
  readonly headerEnd: number;
  readonly regionEnd: number;
  /** The most the region may take: the first cluster (and never past the end of the file). */
  readonly limit: number;
}

/** Why an edit cannot be written; the file is left untouched. */
export class EditRefused extends Error {}

/**
 * The size the new region must fit in: the first cluster as the image's
 * current cluster_bits says. When cluster_bits is out of range the real
 * cluster size is unknown, so the bound is what is surely inside the first
 * cluster: 512 bytes (QEMU's smallest cluster) or the region the header
 * already takes, whichever is larger. Never past the end of the file.
 */
function regionLimit(region: HeaderRegion, oldRegionEnd: number): number {
  const cluster = region.clusterSize ?? Math.max(2 ** MIN_CLUSTER_BITS, oldRegionEnd);
  return Math.min(cluster, region.fileSize);
}

/**
 * Builds the new header region for `after`, an edited copy of the region's
 * header. With the "move" policy the backing file name goes just after the
 * new end marker and backing_file_offset follows it; with "keep" the name's
 * bytes stay where they were (and `after`'s pointer is written as given).
 * Everything from the end of the new region to the end of the old one is
 * zeroed, so nothing of the old header is left behind. Throws
 * {@link EditRefused} when the region would not fit in the first cluster,
 * would overwrite the name, or cannot be encoded.
 */
export function planRegion(
  region: HeaderRegion,
  edited: Header,
  policy: BackingNamePolicy,
): RegionPlan {
  if (region.decoded instanceof CodecError) {
    throw new EditRefused(`the header cannot be decoded: ${region.decoded.message}`);
  }
  const before = region.decoded.value;
  const after: Header = { ...edited };
  const name = region.backingName;
  const oldHeaderEnd = region.decoded.end;
  const oldNameEnd = name?.inRegion === true ? name.offset + name.bytes.length : 0;
  const oldRegionEnd = Math.max(oldHeaderEnd, oldNameEnd);
  const limit = regionLimit(region, oldRegionEnd);

  const headerEnd = sizeof(after);
  let regionEnd = headerEnd;
  if (before.backing_file_offset !== 0n && policy === "move") {
    if (name === undefined || !name.inRegion) {
      throw new EditRefused(
        "the backing file name does not lie inside the first cluster, so it cannot be moved; " +
          "fix backing_file_offset and backing_file_size first",
      );
    }
    after.backing_file_offset = BigInt(headerEnd);
    regionEnd = headerEnd + name.bytes.length;
  } else if (name?.inRegion === true) {
    if (headerEnd > name.offset && name.bytes.length > 0) {
      throw new EditRefused(
        `the new header (${headerEnd} bytes) would overwrite the backing file name at byte ${name.offset}`,
      );
    }
    regionEnd = Math.max(headerEnd, oldNameEnd);
  }
  if (regionEnd > limit) {
    const bound =
      limit === region.fileSize
        ? "the whole file"
        : region.clusterSize === undefined
          ? "all that is surely inside the first cluster, as cluster_bits is out of range"
          : "the first cluster";
    throw new EditRefused(
      `the new header region (${regionEnd} bytes with the backing file name) does not fit in ` +
        `the first ${limit} bytes (${bound})`,
    );
  }

  const bytes = new Uint8Array(Math.max(regionEnd, oldRegionEnd));
  const written = write(after, bytes);
  if (written instanceof CodecError) {
    throw new EditRefused(`the edited header cannot be encoded: ${written.message}`);
  }
  if (name?.inRegion === true) {
    const at = policy === "move" && before.backing_file_offset !== 0n ? headerEnd : name.offset;
    bytes.set(fromLatin1(name.bytes), at);
  }
  return { before, after, bytes, headerEnd, regionEnd, limit };
}

/**
 * Writes `bytes` over the start of the image with one positioned write,
 * then fdatasyncs (as QEMU syncs images). `old` is what they replace. On
 * failure throws a {@link RegionWriteError} saying what the image holds
 * now. `fd` must be open for reading and writing.
 */
export function writeHeaderBytes(fd: number, bytes: Uint8Array, old: Uint8Array): void {
  writeAt(fd, 0, bytes, old);
}

/** The bytes a plan overwrites: the start of the region as read. */
export function bytesReplaced(region: HeaderRegion, plan: RegionPlan): Uint8Array {
  return region.bytes.subarray(0, plan.bytes.length);
}

/** Writes a planned region (see {@link writeHeaderBytes}). */
export function writeRegion(fd: number, region: HeaderRegion, plan: RegionPlan): void {
  writeHeaderBytes(fd, plan.bytes, bytesReplaced(region, plan));
}
