/**
 * The qcow2 header as QEMU's block/qcow2.c reads it when it opens an image:
 * the fixed `QCowHeader` struct (112 bytes, every field unsigned, bytes past
 * the end of the file reading as zero), and the header extensions walked
 * frame by frame from header_length up to the backing file name or the end
 * of the first cluster, stopping at the end marker.
 *
 * This is deliberately QEMU's view rather than the codec's: QEMU reads the
 * compression type whatever the padding holds, ignores extension padding,
 * accepts a list without an end marker, and bounds the walk by the backing
 * file offset. The checks in check.ts apply QEMU's rules to this view,
 * and the codec's stricter reading separately.
 */

/** Extension types QEMU knows (block/qcow2.c QCOW2_EXT_MAGIC_*). */
export const EXT = {
  end: 0,
  backingFormat: 0xe2792aca,
  featureTable: 0x6803f857,
  cryptoHeader: 0x0537be77,
  bitmaps: 0x23852875,
  dataFile: 0x44415441,
} as const;

/** QEMU's limits and feature bits (block/qcow2.h, block/qcow2.c). */
const MiB = 1024n * 1024n;
export const QCOW_MAX_REFTABLE_SIZE = 8n * MiB;
export const QCOW_MAX_L1_SIZE = 32n * MiB;
export const QCOW_MAX_SNAPSHOTS = 65536n;
export const SNAPSHOT_HEADER_SIZE = 40n;
export const QCOW2_MAX_BITMAPS = 65535;
export const QCOW2_MAX_BITMAP_DIRECTORY_SIZE = 1024n * 65535n;
export const MAX_BACKING_NAME = 1023;
export const BACKING_FORMAT_BUFFER = 16;
export const INCOMPAT_MASK = 0x1fn;
export const AUTOCLEAR_MASK = 0x3n;
export const INT64_MAX = 2n ** 63n - 1n;
/**
 * BDRV_MAX_LENGTH: the block layer's largest byte offset, INT64_MAX rounded
 * down to 1 GiB. A read ending past it fails with EIO, and an image whose
 * virtual size is past it does not open.
 */
export const BDRV_MAX_LENGTH = 2n ** 63n - 2n ** 30n;
export const UINT64 = 2n ** 64n;
export const INT_MAX = 2n ** 31n - 1n;

export const INCOMPAT = { dirty: 1n, corrupt: 2n, dataFile: 4n, compression: 8n, extendedL2: 16n };
export const AUTOCLEAR = { bitmaps: 1n, dataFileRaw: 2n };

/** QEMU's struct QCowHeader, as QEMU reads it (v2 images get QEMU's v3 defaults). */
export interface QemuHeader {
  magic: number;
  version: number;
  backing_file_offset: bigint;
  backing_file_size: number;
  cluster_bits: number;
  size: bigint;
  crypt_method: number;
  l1_size: number;
  l1_table_offset: bigint;
  refcount_table_offset: bigint;
  refcount_table_clusters: number;
  nb_snapshots: number;
  snapshots_offset: bigint;
  incompatible_features: bigint;
  compatible_features: bigint;
  autoclear_features: bigint;
  refcount_order: number;
  header_length: number;
  /** The byte at offset 104 when header_length > 104, else zlib (0). */
  compression_type: number;
}

/** One extension frame as QEMU walks it. */
export interface QemuExtension {
  /** Index in the walk, matching the codec's `extensions[i]`. */
  index: number;
  /** Offset of the frame (its type field). */
  at: number;
  type: number;
  length: number;
  payload: Uint8Array;
}

/** The result of QEMU's extension walk. */
export interface QemuExtensionWalk {
  /** Where the walk started (header_length) and the bound it may not cross. */
  start: number;
  end: number;
  /** The frames read before the end marker, the bound, or a framing error. */
  frames: QemuExtension[];
  /** Where the end marker is, if the walk found it. */
  endMarkerAt: number | undefined;
  /** The frame whose length runs past the bound ("Header extension too large"). */
  tooLarge: { index: number; at: number; type: number; length: number } | undefined;
}

/** A reader over the region that, like QEMU's reads past EOF, sees zeros past its end. */
class ZeroPadded {
  constructor(private readonly bytes: Uint8Array) {}

  u8(at: number): number {
    return at < this.bytes.length ? this.bytes[at] : 0;
  }

  u32(at: number): number {
    return (
      ((this.u8(at) << 24) | (this.u8(at + 1) << 16) | (this.u8(at + 2) << 8) | this.u8(at + 3)) >>>
      0
    );
  }

  u64(at: number): bigint {
    return (BigInt(this.u32(at)) << 32n) | BigInt(this.u32(at + 4));
  }

  slice(start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start);
    out.set(
      this.bytes.subarray(Math.min(start, this.bytes.length), Math.min(end, this.bytes.length)),
    );
    return out;
  }
}

/** Reads the fixed header as QEMU's qcow2_do_open does. */
export function qemuHeader(bytes: Uint8Array): QemuHeader {
  const r = new ZeroPadded(bytes);
  const version = r.u32(4);
  const v3 = version !== 2;
  const header_length = v3 ? r.u32(100) : 72;
  return {
    magic: r.u32(0),
    version,
    backing_file_offset: r.u64(8),
    backing_file_size: r.u32(16),
    cluster_bits: r.u32(20),
    size: r.u64(24),
    crypt_method: r.u32(32),
    l1_size: r.u32(36),
    l1_table_offset: r.u64(40),
    refcount_table_offset: r.u64(48),
    refcount_table_clusters: r.u32(56),
    nb_snapshots: r.u32(60),
    snapshots_offset: r.u64(64),
    incompatible_features: v3 ? r.u64(72) : 0n,
    compatible_features: v3 ? r.u64(80) : 0n,
    autoclear_features: v3 ? r.u64(88) : 0n,
    refcount_order: v3 ? r.u32(96) : 4,
    header_length,
    compression_type: header_length > 104 ? r.u8(104) : 0,
  };
}

/**
 * Walks the extensions from `start` while below `end`, as
 * qcow2_read_extensions does: each frame's length must fit before `end`;
 * the walk stops at the end marker; padding is skipped unread.
 */
export function qemuExtensions(bytes: Uint8Array, start: number, end: number): QemuExtensionWalk {
  const r = new ZeroPadded(bytes);
  const frames: QemuExtension[] = [];
  let offset = start;
  while (offset < end) {
    const at = offset;
    const type = r.u32(at);
    const length = r.u32(at + 4);
    offset += 8;
    if (offset > end || length > end - offset) {
      return {
        start,
        end,
        frames,
        endMarkerAt: undefined,
        tooLarge: { index: frames.length, at, type, length },
      };
    }
    if (type === EXT.end) return { start, end, frames, endMarkerAt: at, tooLarge: undefined };
    frames.push({
      index: frames.length,
      at,
      type,
      length,
      payload: r.slice(offset, offset + length),
    });
    offset += (length + 7) & ~7;
  }
  return { start, end, frames, endMarkerAt: undefined, tooLarge: undefined };
}

/** A feature name table entry as QEMU reads it. */
export interface QemuFeature {
  type: number;
  bit: number;
  /** The name up to its NUL (at most 46 bytes), as a byte string. */
  name: string;
}

/**
 * The entries of a feature name table payload, up to the first entry with
 * an empty name (QEMU's loop stops there).
 */
export function qemuFeatureTable(payload: Uint8Array): QemuFeature[] {
  const entries: QemuFeature[] = [];
  for (let at = 0; at + 48 <= payload.length; at += 48) {
    const raw = payload.subarray(at + 2, at + 48);
    const nul = raw.indexOf(0);
    const name = Buffer.from(nul === -1 ? raw : raw.subarray(0, nul)).toString("latin1");
    if (name === "") break;
    entries.push({ type: payload[at], bit: payload[at + 1], name });
  }
  return entries;
}

/** Big-endian unsigned fields of an extension payload. */
export function payloadU32(payload: Uint8Array, at: number): number {
  return new ZeroPadded(payload).u32(at);
}

export function payloadU64(payload: Uint8Array, at: number): bigint {
  return new ZeroPadded(payload).u64(at);
}
