/**
 * The checks QEMU makes when it opens a qcow2 image (block/qcow2.c
 * qcow2_do_open and qcow2_read_extensions, QEMU 7.2), applied to the header
 * region alone, plus the rules of the qcow2 specification that QEMU does
 * not enforce but the codec does.
 *
 * Each finding names the field (by its schema name), the reason, and, for
 * the ones QEMU refuses, QEMU's own message. Findings come in QEMU's order,
 * so the first error a way of opening does not skip is the message qemu-img
 * prints. What needs more than the header region (the L1 and refcount
 * tables' contents, the snapshot table, the bitmap directory, the LUKS
 * header, the data file) is not checked.
 */
import { CodecError } from "../../runtime/codec.js";
import {
  backingNameChecks,
  dataFileChecks,
  duplicateChecks,
  extensionChecks,
  unsupportedFeatures,
} from "./check-extensions.js";
import { keptChecks } from "./check-kept.js";
import { Findings, hex, type Finding, type OpenMode } from "./findings.js";
import { MAX_CLUSTER_BITS, MIN_CLUSTER_BITS, type HeaderRegion } from "./image.js";
import {
  AUTOCLEAR_MASK,
  BDRV_MAX_LENGTH,
  EXT,
  INCOMPAT,
  INCOMPAT_MASK,
  INT64_MAX,
  INT_MAX,
  QCOW_MAX_L1_SIZE,
  QCOW_MAX_REFTABLE_SIZE,
  QCOW_MAX_SNAPSHOTS,
  SNAPSHOT_HEADER_SIZE,
  UINT64,
  qemuExtensions,
  qemuHeader,
  type QemuExtensionWalk,
  type QemuHeader,
} from "./qemu-view.js";

export type { Finding, OpenMode, OpenVerdict, Severity } from "./findings.js";
export { passes, qemuVerdicts } from "./findings.js";

/** Runs every check on a header region; returns the findings in QEMU's order. */
export function checkRegion(region: HeaderRegion): Finding[] {
  const out = new Findings();
  const h = qemuHeader(region.bytes);
  if (region.bytes.length < 72) {
    out.spec("header", `the file is ${region.fileSize} bytes, shorter than the 72-byte header`);
  }
  if (identityChecks(h, out)) {
    const clusterSize = 2 ** h.cluster_bits;
    const walkable = placementChecks(h, clusterSize, out);
    compressionChecks(h, out);
    const walk = walkable
      ? qemuExtensions(region.bytes, h.header_length, extensionsEnd(h, clusterSize))
      : undefined;
    featureChecks(h, clusterSize, walk, out);
    tableChecks(h, clusterSize, out);
    if (h.crypt_method > 2) {
      out.error(
        "crypt_method",
        `is ${h.crypt_method}; QEMU knows None (0), Aes (1) and Luks (2)`,
        `Unsupported encryption method ${h.crypt_method}`,
      );
    }
    if (walk !== undefined) {
      const found = extensionChecks(walk, h, clusterSize, out);
      dataFileChecks(h, found.dataFile, out);
      if (h.crypt_method === 2 && !found.crypto) {
        out.error(
          "crypt_method",
          "is Luks, but no full disk encryption extension locates the LUKS header " +
            "(qemu-img 7.2 info crashes on such an image)",
          "Missing CRYPTO header for crypt method 2",
          ["info"],
        );
      }
      backingNameChecks(region, h, clusterSize, out);
      duplicateChecks(walk.frames, out);
    }
    snapshotEntryChecks(region, h, out);
    sizeLimit(h, out);
    warnings(h, out);
  }
  codecChecks(region, h, out);
  if (h.magic === 0x514649fb) keptChecks(region, out);
  return out.list;
}

/** Magic, version and cluster size: without them QEMU reads nothing more. */
function identityChecks(h: QemuHeader, out: Findings): boolean {
  if (h.magic !== 0x514649fb) {
    out.error(
      "magic",
      `is 0x${hex(h.magic)}, not 0x514649fb ("QFI\\xfb")`,
      "Image is not in qcow2 format",
    );
    return false;
  }
  if (h.version < 2 || h.version > 3) {
    out.error(
      "version",
      `is ${h.version}; QEMU opens versions 2 and 3`,
      `Unsupported qcow2 version ${h.version}`,
    );
    return false;
  }
  if (h.cluster_bits < MIN_CLUSTER_BITS || h.cluster_bits > MAX_CLUSTER_BITS) {
    out.error(
      "cluster_bits",
      `is ${h.cluster_bits}; QEMU supports 9 to 21 (512-byte to 2 MiB clusters)`,
      `Unsupported cluster size: 2^${h.cluster_bits}`,
    );
    return false;
  }
  return true;
}

/**
 * header_length and backing_file_offset, which bound the extensions.
 * Returns false when the extensions cannot be walked as QEMU would.
 */
function placementChecks(h: QemuHeader, clusterSize: number, out: Findings): boolean {
  let walkable = true;
  if (h.version === 3) {
    if (h.header_length < 104) {
      out.error(
        "additional.header_length",
        `is ${h.header_length}; it must be at least 104`,
        "qcow2 header too short",
      );
      walkable = false;
    } else if (h.header_length % 8 !== 0) {
      out.spec(
        "additional.header_length",
        `is ${h.header_length}; the specification requires a multiple of 8`,
      );
    }
  }
  if (h.header_length > clusterSize) {
    out.error(
      "additional.header_length",
      `is ${h.header_length}, more than the ${clusterSize}-byte first cluster`,
      "qcow2 header exceeds cluster size",
    );
    walkable = false;
  }
  if (h.backing_file_offset > BigInt(clusterSize)) {
    out.error(
      "backing_file_offset",
      `is ${h.backing_file_offset}, past the end of the ${clusterSize}-byte first cluster`,
      "Invalid backing file offset",
    );
    walkable = false;
  }
  return walkable;
}

/** Extensions end where the backing file name starts, or at the end of the first cluster. */
function extensionsEnd(h: QemuHeader, clusterSize: number): number {
  return h.backing_file_offset !== 0n ? Number(h.backing_file_offset) : clusterSize;
}

function compressionChecks(h: QemuHeader, out: Findings): void {
  const bitSet = (h.incompatible_features & INCOMPAT.compression) !== 0n;
  if (h.compression_type > 1) {
    out.error(
      "additional.compression_type",
      `is ${h.compression_type}; QEMU knows zlib (0) and zstd (1)`,
      `qcow2: unknown compression type: ${h.compression_type}`,
    );
  } else if (h.compression_type === 0 && bitSet) {
    out.error(
      "additional.compression_type_bit",
      "is set, but the compression type is zlib",
      "qcow2: Compression type incompatible feature bit must not be set",
    );
  } else if (h.compression_type !== 0 && !bitSet) {
    out.error(
      "additional.compression_type_bit",
      "is clear, but the compression type is not zlib",
      "qcow2: Compression type incompatible feature bit must be set",
    );
  }
}

/** QEMU's qcow2_validate_table: the entry count against a byte limit, and the offset. */
function validateTable(
  out: Findings,
  fields: { offset: string; count: string },
  name: string,
  offset: bigint,
  entries: bigint,
  entryLength: bigint,
  maxBytes: bigint,
  clusterSize: number,
  skippedBy?: OpenMode[],
): void {
  if (entries > maxBytes / entryLength) {
    out.error(
      fields.count,
      `is ${entries}: the table would exceed QEMU's limit of ${maxBytes} bytes`,
      `${name} too large`,
      skippedBy,
    );
    return;
  }
  if (INT64_MAX - entries * entryLength < offset) {
    out.error(
      fields.offset,
      `is ${offset}: the table would end past the largest file offset`,
      `${name} offset invalid`,
      skippedBy,
    );
  } else if (offset % BigInt(clusterSize) !== 0n) {
    out.error(
      fields.offset,
      `is ${offset}, not a multiple of the cluster size ${clusterSize}`,
      `${name} offset invalid`,
      skippedBy,
    );
  }
}

/** Incompatible feature bits, refcount width and encryption method, as qcow2_do_open checks them. */
function featureChecks(
  h: QemuHeader,
  clusterSize: number,
  walk: QemuExtensionWalk | undefined,
  out: Findings,
): void {
  const unknownIncompat = h.incompatible_features & ~INCOMPAT_MASK;
  if (unknownIncompat !== 0n) {
    const table = walk?.frames.filter((f) => f.type === EXT.featureTable).at(-1);
    out.error(
      "additional.incompatible_features",
      `has bits QEMU does not know (0x${hex(unknownIncompat)})`,
      unsupportedFeatures(unknownIncompat, table),
    );
  }
  if ((h.incompatible_features & INCOMPAT.corrupt) !== 0n) {
    out.error(
      "additional.corrupt",
      "is set: QEMU opens the image read-only until `qemu-img check -r` repairs it",
      "qcow2: Image is corrupt; cannot be opened read/write",
      ["info", "check"],
    );
  }
  if ((h.incompatible_features & INCOMPAT.extendedL2) !== 0n && clusterSize / 32 < 512) {
    out.error(
      "additional.extended_l2",
      `is set with ${clusterSize}-byte clusters: subclusters would be ${clusterSize / 32} bytes, under 512`,
      `Unsupported subcluster size: ${clusterSize / 32}`,
    );
  }
  if (h.refcount_order > 6) {
    out.error(
      "additional.refcount_order",
      `is ${h.refcount_order}; refcounts may be at most 64 bits wide (order 6)`,
      "Reference count entry width too large; may not exceed 64 bits",
    );
  }
  if (h.crypt_method === 1) {
    out.warning(
      "crypt_method",
      "is Aes: QEMU's system emulators refuse legacy AES images (qemu-img still opens them)",
    );
  }
}

function tableChecks(h: QemuHeader, clusterSize: number, out: Findings): void {
  if (h.refcount_table_clusters === 0) {
    out.error(
      "refcount_table_clusters",
      "is 0: the image has no refcount table",
      "Image does not contain a reference count table",
      ["check"],
    );
  }
  validateTable(
    out,
    { offset: "refcount_table_offset", count: "refcount_table_clusters" },
    "Reference count table",
    h.refcount_table_offset,
    BigInt(h.refcount_table_clusters),
    BigInt(clusterSize),
    QCOW_MAX_REFTABLE_SIZE,
    clusterSize,
  );
  validateTable(
    out,
    { offset: "snapshots_offset", count: "nb_snapshots" },
    "Snapshot table",
    h.snapshots_offset,
    BigInt(h.nb_snapshots),
    SNAPSHOT_HEADER_SIZE,
    SNAPSHOT_HEADER_SIZE * QCOW_MAX_SNAPSHOTS,
    clusterSize,
    ["check"],
  );
  const before = out.list.length;
  validateTable(
    out,
    { offset: "l1_table_offset", count: "l1_size" },
    "Active L1 table",
    h.l1_table_offset,
    BigInt(h.l1_size),
    8n,
    QCOW_MAX_L1_SIZE,
    clusterSize,
  );
  if (out.list.length !== before) return;
  // size_to_l1, in QEMU's unsigned 64-bit arithmetic.
  const extendedL2 = (h.incompatible_features & INCOMPAT.extendedL2) !== 0n;
  const l2Bits = h.cluster_bits - (extendedL2 ? 4 : 3);
  const shift = BigInt(h.cluster_bits + l2Bits);
  const l1Needed = ((h.size + (1n << shift) - 1n) % UINT64) >> shift;
  if (l1Needed > INT_MAX) {
    out.error(
      "size",
      `is ${h.size}: it needs ${l1Needed} L1 entries, more than QEMU allows`,
      "Image is too big",
    );
  } else if (BigInt(h.l1_size) < l1Needed) {
    out.error(
      "l1_size",
      `is ${h.l1_size}, but a virtual size of ${h.size} bytes needs ${l1Needed} L1 entries`,
      "L1 table is too small",
    );
  } else {
    tableReads(h, clusterSize, out);
  }
}

/**
 * The L1 and refcount tables pass QEMU's checks but are read next (the L1
 * table, then the refcount table): a table that ends past the largest offset
 * the block layer reads (BDRV_MAX_LENGTH) fails with EIO, even though
 * qcow2_validate_table allowed it (it allows up to INT64_MAX).
 */
function tableReads(h: QemuHeader, clusterSize: number, out: Findings): void {
  const l1Bytes = BigInt(h.l1_size) * 8n;
  if (h.l1_size > 0 && h.l1_table_offset + l1Bytes > BDRV_MAX_LENGTH) {
    out.error(
      "l1_table_offset",
      `is ${h.l1_table_offset}: the table would end past byte ${BDRV_MAX_LENGTH}, the last QEMU reads`,
      "Could not read L1 table: Input/output error",
    );
    return;
  }
  const refcountBytes = BigInt(h.refcount_table_clusters) * BigInt(clusterSize);
  if (h.refcount_table_clusters > 0 && h.refcount_table_offset + refcountBytes > BDRV_MAX_LENGTH) {
    out.error(
      "refcount_table_offset",
      `is ${h.refcount_table_offset}: the table would end past byte ${BDRV_MAX_LENGTH}, the last QEMU reads`,
      "Could not initialize refcount handling: Input/output error",
    );
  }
}

/** QCOW_MAX_SNAPSHOT_EXTRA_DATA: QEMU refuses more extra data in a snapshot table entry. */
const MAX_SNAPSHOT_EXTRA_DATA = 1024;

/**
 * qcow2_read_snapshots, as far as the header region shows the snapshot
 * table (bytes past the end of the file read as zeros, as QEMU reads them;
 * bytes in the file but past the region end the check): an entry with more
 * than 1024 bytes of extra data is refused, except by `qemu-img check`,
 * which opens the image to repair it.
 */
function snapshotEntryChecks(region: HeaderRegion, h: QemuHeader, out: Findings): void {
  if (h.nb_snapshots <= 0 || h.snapshots_offset > BigInt(Number.MAX_SAFE_INTEGER)) return;
  const { bytes, fileSize } = region;
  const known = (at: number, n: number): boolean => at + n <= bytes.length || at >= fileSize;
  const byte = (at: number): number => (at < bytes.length ? (bytes[at] ?? 0) : 0);
  const u16 = (at: number): number => byte(at) * 256 + byte(at + 1);
  const u32 = (at: number): number => u16(at) * 65536 + u16(at + 2);
  let at = Number(h.snapshots_offset);
  for (let i = 0; i < h.nb_snapshots; i++) {
    at = Math.ceil(at / 8) * 8;
    if (!known(at, 40)) return;
    const idSize = u16(at + 12);
    const nameSize = u16(at + 14);
    const extra = u32(at + 36);
    if (extra > MAX_SNAPSHOT_EXTRA_DATA) {
      out.error(
        "nb_snapshots",
        `is ${h.nb_snapshots}: snapshot table entry ${i} (at byte ${at}) has ${extra} bytes of extra data, more than QEMU's ${MAX_SNAPSHOT_EXTRA_DATA}`,
        `Too much extra metadata in snapshot table entry ${i}`,
        ["check"],
      );
      return;
    }
    at += 40 + extra + idSize + nameSize;
    // Past what the region shows, an entry's contents cannot be known.
    if (at > bytes.length && at < fileSize) return;
  }
}

/**
 * After qcow2 opens an image, the block layer refuses a virtual size past
 * BDRV_MAX_LENGTH. QEMU reads size unsigned, so a negative size is such a
 * size: those whose L1 table count wraps to a small number get this far.
 */
function sizeLimit(h: QemuHeader, out: Findings): void {
  if (out.covers("size") || h.size / 512n <= BDRV_MAX_LENGTH / 512n) return;
  const signed = BigInt.asIntN(64, h.size);
  out.error(
    "size",
    `is ${signed}${signed < 0n ? ` (${h.size} read unsigned, as QEMU does)` : ""}: past QEMU's largest virtual size, ${BDRV_MAX_LENGTH} bytes`,
    "Could not refresh total sector count: File too large",
  );
}

/** What QEMU opens but warns about or changes. */
function warnings(h: QemuHeader, out: Findings): void {
  const unknownAutoclear = h.autoclear_features & ~AUTOCLEAR_MASK;
  if (unknownAutoclear !== 0n) {
    out.warning(
      "additional.autoclear_features",
      `has bits QEMU does not know (0x${hex(unknownAutoclear)}); QEMU clears them on its next read-write open`,
    );
  }
  if ((h.incompatible_features & INCOMPAT.dirty) !== 0n) {
    out.warning(
      "additional.dirty",
      "is set: the image was not closed cleanly; QEMU repairs its refcounts on the next read-write open",
    );
  }
}

/**
 * The codec follows the specification more strictly than QEMU in places (an
 * end marker must end the list, feature table entries must be well formed;
 * odd padding and name tails it keeps, see qcow2-check-kept.ts); a header it
 * cannot decode is a finding unless a QEMU check already reported the same
 * field.
 */
function codecChecks(region: HeaderRegion, h: QemuHeader, out: Findings): void {
  if (!(region.decoded instanceof CodecError)) return;
  const e = region.decoded;
  const field = e.path === "" ? "header" : e.path;
  if (out.covers(field)) return;
  if (h.magic !== 0x514649fb || h.version < 2 || h.version > 3) return;
  out.spec(field, `${e.reason} (at byte ${e.offset ?? "?"}; the codec cannot decode the header)`);
}
