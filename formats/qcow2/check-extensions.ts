/**
 * QEMU's checks of the header extensions (block/qcow2.c
 * qcow2_read_extensions), of what they point at once read (the data file
 * name, the LUKS header), and of the backing file name, which ends them.
 */
import { CodecError } from "../../runtime/codec.js";
import { hex, type Findings } from "./findings.js";
import type { HeaderRegion } from "./image.js";
import {
  AUTOCLEAR,
  BACKING_FORMAT_BUFFER,
  EXT,
  INCOMPAT,
  MAX_BACKING_NAME,
  QCOW2_MAX_BITMAPS,
  QCOW2_MAX_BITMAP_DIRECTORY_SIZE,
  payloadU32,
  payloadU64,
  qemuFeatureTable,
  type QemuExtension,
  type QemuExtensionWalk,
  type QemuHeader,
} from "./qemu-view.js";

/** QEMU's "Unsupported qcow2 feature(s)" message, naming bits from the feature name table. */
export function unsupportedFeatures(mask: bigint, table: QemuExtension | undefined): string {
  const names: string[] = [];
  let left = mask;
  for (const entry of table === undefined ? [] : qemuFeatureTable(table.payload)) {
    const bit = 1n << BigInt(entry.bit & 63);
    if (entry.type === 0 && (left & bit) !== 0n) {
      names.push(entry.name);
      left &= ~bit;
    }
  }
  if (left !== 0n) names.push(`Unknown incompatible feature: ${hex(left)}`);
  return `Unsupported qcow2 feature(s): ${names.join(", ")}`;
}

/** What the extension walk found that the later checks need. */
export interface ExtensionsFound {
  /** Whether a full disk encryption extension was seen (valid or not: QEMU stops at a bad one). */
  crypto: boolean;
  /** The index of the (last) external data file extension. */
  dataFile: number | undefined;
}

/** The checks of qcow2_read_extensions, frame by frame. */
export function extensionChecks(
  walk: QemuExtensionWalk,
  h: QemuHeader,
  clusterSize: number,
  out: Findings,
): ExtensionsFound {
  let crypto = false;
  let dataFile: number | undefined;
  for (const f of walk.frames) {
    const field = `extensions[${f.index}]`;
    switch (f.type) {
      case EXT.backingFormat:
        if (f.length >= BACKING_FORMAT_BUFFER) {
          out.error(
            field,
            `the backing format name is ${f.length} bytes; QEMU takes at most 15`,
            `ERROR: ext_backing_format: len=${f.length} too large (>=16)`,
          );
        }
        break;
      case EXT.cryptoHeader:
        crypto = true; // even a bad one: QEMU stops at it, so it is never "missing"
        if (h.crypt_method !== 2) {
          out.error(
            field,
            "is a full disk encryption extension, but crypt_method is not Luks",
            "CRYPTO header extension only expected with LUKS encryption method",
          );
        } else if (f.length !== 16) {
          out.error(
            field,
            `the full disk encryption extension is ${f.length} bytes, not 16`,
            `CRYPTO header extension size ${f.length}, but expected size 16`,
          );
        } else {
          const offset = payloadU64(f.payload, 0);
          if (offset % BigInt(clusterSize) !== 0n) {
            out.error(
              `${field}.encryption.offset`,
              `is ${offset}, not a multiple of the cluster size ${clusterSize}`,
              `Encryption header offset '${offset}' is not a multiple of cluster size '${clusterSize}'`,
            );
          }
        }
        break;
      case EXT.bitmaps:
        bitmapsChecks(f, field, h, clusterSize, out);
        break;
      case EXT.dataFile:
        dataFile = f.index;
        break;
    }
  }
  if (walk.tooLarge !== undefined) {
    const t = walk.tooLarge;
    out.error(
      `extensions[${t.index}]`,
      `type 0x${hex(t.type)} at byte ${t.at} has length ${t.length}, past byte ${walk.end} where extensions must end`,
      "Header extension too large",
    );
  }
  return { crypto, dataFile };
}

function bitmapsChecks(
  f: QemuExtension,
  field: string,
  h: QemuHeader,
  clusterSize: number,
  out: Findings,
): void {
  if (f.length !== 24) {
    out.error(
      field,
      `the bitmaps extension is ${f.length} bytes, not 24`,
      "bitmaps_ext: Invalid extension length",
    );
    return;
  }
  if ((h.autoclear_features & AUTOCLEAR.bitmaps) === 0n) {
    out.warning(
      field,
      "the bitmaps autoclear bit is clear, so QEMU considers every bitmap inconsistent and drops the extension on its next read-write open",
    );
    return;
  }
  const nb = payloadU32(f.payload, 0);
  const reserved = payloadU32(f.payload, 4);
  const directorySize = payloadU64(f.payload, 8);
  const directoryOffset = payloadU64(f.payload, 16);
  if (reserved !== 0) {
    out.error(
      `${field}.bitmaps.reserved`,
      `is ${reserved}; it must be 0`,
      "bitmaps_ext: Reserved field is not zero",
    );
  } else if (nb > QCOW2_MAX_BITMAPS) {
    out.error(
      `${field}.bitmaps.nb_bitmaps`,
      `is ${nb}; QEMU supports at most ${QCOW2_MAX_BITMAPS}`,
      `bitmaps_ext: Image has ${nb} bitmaps, exceeding the QEMU supported maximum of ${QCOW2_MAX_BITMAPS}`,
    );
  } else if (nb === 0) {
    out.error(
      `${field}.bitmaps.nb_bitmaps`,
      "is 0; a bitmaps extension must describe at least one bitmap",
      "found bitmaps extension with zero bitmaps",
    );
  } else if (directoryOffset % BigInt(clusterSize) !== 0n) {
    out.error(
      `${field}.bitmaps.bitmap_directory_offset`,
      `is ${directoryOffset}, not a multiple of the cluster size ${clusterSize}`,
      "bitmaps_ext: invalid bitmap directory offset",
    );
  } else if (directorySize > QCOW2_MAX_BITMAP_DIRECTORY_SIZE) {
    out.error(
      `${field}.bitmaps.bitmap_directory_size`,
      `is ${directorySize}; QEMU supports at most ${QCOW2_MAX_BITMAP_DIRECTORY_SIZE}`,
      `bitmaps_ext: bitmap directory size (${directorySize}) exceeds the maximum supported size (${QCOW2_MAX_BITMAP_DIRECTORY_SIZE})`,
    );
  }
}

/** The external data file bits against the data file name extension. */
export function dataFileChecks(h: QemuHeader, nameAt: number | undefined, out: Findings): void {
  if ((h.incompatible_features & INCOMPAT.dataFile) !== 0n) {
    if (nameAt === undefined) {
      out.error(
        "additional.external_data_file",
        "is set, but no external data file extension names the file",
        "'data-file' is required for this image",
        ["info"],
      );
    }
  } else {
    if ((h.autoclear_features & AUTOCLEAR.dataFileRaw) !== 0n) {
      out.error(
        "additional.autoclear_features",
        "has raw_external_data (bit 1) set, but the image has no external data file",
        "data-file-raw requires a data file",
        ["info"],
      );
    }
    if (nameAt !== undefined) {
      out.warning(
        `extensions[${nameAt}]`,
        "an external data file extension is present, but external_data_file is clear, so QEMU ignores the name",
      );
    }
  }
}

/** The backing file name must fit QEMU's buffer and the first cluster, after the extensions. */
export function backingNameChecks(
  region: HeaderRegion,
  h: QemuHeader,
  clusterSize: number,
  out: Findings,
): void {
  if (h.backing_file_offset === 0n) return;
  const room = clusterSize - Number(h.backing_file_offset);
  if (h.backing_file_size > Math.min(MAX_BACKING_NAME, room)) {
    out.error(
      "backing_file_size",
      h.backing_file_size > MAX_BACKING_NAME
        ? `is ${h.backing_file_size}; QEMU takes names of at most ${MAX_BACKING_NAME} bytes`
        : `is ${h.backing_file_size}: the name at byte ${h.backing_file_offset} would run past the first cluster`,
      "Backing file name too long",
    );
  }
  if (
    !(region.decoded instanceof CodecError) &&
    BigInt(region.decoded.end) > h.backing_file_offset
  ) {
    out.spec(
      "backing_file_offset",
      `is ${h.backing_file_offset}: the backing file name overlaps the header and its extensions, which end at byte ${region.decoded.end}`,
    );
  }
}

/** The specification allows each extension type once; QEMU uses the last. */
export function duplicateChecks(frames: readonly QemuExtension[], out: Findings): void {
  const seen = new Map<number, number>();
  for (const f of frames) {
    const first = seen.get(f.type);
    if (first === undefined) {
      seen.set(f.type, f.index);
    } else {
      out.spec(
        `extensions[${f.index}]`,
        `repeats extension type 0x${hex(f.type)} of extensions[${first}]; each type may appear once (QEMU uses the last)`,
      );
    }
  }
}
