/**
 * Checks shared by the codec tests that compare a decoded qcow2 header with
 * `qemu-img info` and re-encode it: the committed fixtures
 * (test/qcow2-fixtures.test.ts) and live images (test/qcow2-qemu.test.ts).
 */
import { expect } from "vitest";
import { read, sizeof, write, type Extension, type Header } from "../../generated/qcow2.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import type { QemuInfo } from "./qemu.js";

/** Decodes a qcow2 header, failing the test with the codec's message on error. */
export function decodeHeader(bytes: Uint8Array): Decoded<Header> {
  const decoded = read(bytes);
  if (decoded instanceof CodecError) throw new Error(`read failed: ${decoded.message}`);
  return decoded;
}

/** The only extension of `kind` in `header`, or undefined; fails if there are several. */
export function onlyExtension<K extends Extension["kind"]>(
  header: Header,
  kind: K,
): Extract<Extension, { kind: K }> | undefined {
  const found = header.extensions.filter(
    (e): e is Extract<Extension, { kind: K }> => e.kind === kind,
  );
  expect(found.length, `number of ${kind} extensions`).toBeLessThanOrEqual(1);
  return found[0];
}

/** A byte string (one char per byte) decoded as UTF-8, as qemu-img prints names. */
export function utf8(byteString: string): string {
  return Buffer.from(byteString, "latin1").toString("utf8");
}

/** The backing file name stored in `region` at backing_file_offset, or undefined. */
export function backingFileName(header: Header, region: Uint8Array): string | undefined {
  if (header.backing_file_offset === 0n) return undefined;
  const start = Number(header.backing_file_offset);
  const end = start + header.backing_file_size;
  expect(end, "backing file name lies within the bytes read").toBeLessThanOrEqual(region.length);
  return Buffer.from(region.subarray(start, end)).toString("utf8");
}

/** How `qemu-img info` names a compression type (absent field: zlib). */
export function compressionName(header: Header): string {
  const type = header.additional?.compression_type;
  if (type === undefined || type === "Zlib") return "zlib";
  if (type === "Zstd") return "zstd";
  return `unknown type ${type.unknown}`;
}

const COMPAT_VERSION = { "0.10": "Two", "1.1": "Three" } as const;
const AUTOCLEAR_BITMAPS = 1n;
const AUTOCLEAR_RAW_EXTERNAL_DATA = 2n;

/**
 * Checks that a decoded header says what `qemu-img info` says about the image.
 * `region` holds the header's bytes from offset 0, backing file name included.
 */
export function expectAgreesWithInfo(header: Header, region: Uint8Array, info: QemuInfo): void {
  const data = info["format-specific"].data;
  const v3 = header.additional;

  expect(header.size, "virtual-size").toBe(BigInt(info["virtual-size"]));
  expect(2 ** header.cluster_bits, "cluster-size").toBe(info["cluster-size"]);
  expect(header.version, `compat ${data.compat}`).toBe(COMPAT_VERSION[data.compat]);
  expect(v3 !== undefined, "v3 fields are present exactly for version Three").toBe(
    header.version === "Three",
  );
  expect(v3 === undefined ? 16 : 2 ** v3.refcount_order, "refcount-bits").toBe(
    data["refcount-bits"],
  );
  // qemu-img reports these only for v3 images, so both sides are undefined for v2.
  expect(v3?.lazy_refcounts, "lazy-refcounts").toBe(data["lazy-refcounts"]);
  expect(v3?.extended_l2, "extended-l2").toBe(data["extended-l2"]);
  expect(v3?.corrupt, "corrupt").toBe(data.corrupt);
  expect(v3?.dirty ?? false, "dirty-flag").toBe(info["dirty-flag"]);

  const compression = compressionName(header);
  expect(compression, "compression-type").toBe(data["compression-type"] ?? "zlib");
  expect(v3?.compression_type_bit ?? false, "compression type feature bit").toBe(
    compression !== "zlib",
  );

  const backingFormat = onlyExtension(header, "Backing_file")?.format;
  expect(backingFormat === undefined ? undefined : utf8(backingFormat), "backing format").toBe(
    info["backing-filename-format"],
  );
  expect(backingFileName(header, region), "backing-filename").toBe(info["backing-filename"]);

  const dataFile = onlyExtension(header, "External_data_file")?.filename;
  expect(dataFile === undefined ? undefined : utf8(dataFile), "data-file").toBe(data["data-file"]);
  expect(v3?.external_data_file ?? false, "external data file feature bit").toBe(
    data["data-file"] !== undefined,
  );
  const rawBit = ((v3?.autoclear_features ?? 0n) & AUTOCLEAR_RAW_EXTERNAL_DATA) !== 0n;
  expect(dataFile === undefined ? undefined : rawBit, "data-file-raw").toBe(data["data-file-raw"]);

  const encryptFormat = { None: undefined, Aes: "aes", Luks: "luks" }[header.crypt_method];
  expect(encryptFormat, "encrypt.format").toBe(data.encrypt?.format);
  expect(header.crypt_method !== "None", "encrypted").toBe(info.encrypted ?? false);
  const fde = onlyExtension(header, "Full_disk_encryption");
  expect(fde !== undefined, "full disk encryption extension iff LUKS").toBe(
    header.crypt_method === "Luks",
  );
  if (fde !== undefined) {
    // QEMU sizes the qcow2 LUKS header area to the LUKS header, whose end is
    // the payload offset qemu-img reports.
    expect(fde.encryption.length, "encryption header length").toBe(
      BigInt(data.encrypt?.["payload-offset"] ?? -1),
    );
  }

  const bitmaps = onlyExtension(header, "Bitmaps");
  expect(bitmaps?.bitmaps.nb_bitmaps, "number of bitmaps").toBe(data.bitmaps?.length);
  if (v3 !== undefined) {
    expect((v3.autoclear_features & AUTOCLEAR_BITMAPS) !== 0n, "bitmaps autoclear bit").toBe(
      data.bitmaps !== undefined,
    );
  }
}

/** Checks that `write` re-encodes `header` as exactly `expected`, and `sizeof` agrees. */
export function expectReencodes(header: Header, expected: Uint8Array): void {
  expect(sizeof(header), "sizeof").toBe(expected.length);
  // A sentinel fill shows that write sets every byte (padding included) and
  // stops at its end.
  const SENTINEL = 0xa5;
  const out = new Uint8Array(expected.length + 8).fill(SENTINEL);
  const end = write(header, out);
  if (end instanceof CodecError) throw new Error(`write failed: ${end.message}`);
  expect(end, "write's end offset").toBe(expected.length);
  expect(out.subarray(0, end)).toEqual(expected);
  expect([...out.subarray(end)], "bytes after the header").toEqual(Array(8).fill(SENTINEL));
}
