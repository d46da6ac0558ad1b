/**
 * The generated qcow2 codec against the real qemu-img, in both directions:
 *
 * - images qemu-img creates decode to what `qemu-img info` reports, and
 *   re-encode to the same bytes;
 * - headers the codec edits are read by qemu-img as intended, pass
 *   `qemu-img check`, and survive QEMU rewriting the header (amend, resize).
 *
 * Every test creates its images in its own temporary directory.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { sizeof, write, type Additional, type Extension, type Header } from "../generated/qcow2.js";
import { CodecError } from "../runtime/codec.js";
import {
  IMAGE_CONFIGS,
  describeWithQemu,
  imageConfig,
  qemuCheck,
  qemuImgOrThrow,
  qemuInfo,
  withTempDir,
  type QemuImgResult,
} from "./support/qemu.js";
import {
  decodeHeader,
  expectAgreesWithInfo,
  expectReencodes,
  onlyExtension,
} from "./support/qcow2-expect.js";

const names = IMAGE_CONFIGS.map((config) => config.name);

/** Creating images (LUKS key derivation, 2 MiB clusters) can be slow on a busy machine. */
const TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------
// Reading and rewriting an image's header region in place
// ---------------------------------------------------------------------------

/**
 * The image's first cluster (where the header, its extensions and the backing
 * file name live), read without reading the rest of the file. Its size comes
 * from `qemu-img info`, so the codec's own cluster_bits is still checked
 * against it independently.
 */
function readFirstCluster(path: string): Uint8Array {
  const clusterSize = qemuInfo(path)["cluster-size"];
  const cluster = new Uint8Array(clusterSize);
  const fd = openSync(path, "r");
  try {
    const bytesRead = readSync(fd, cluster, 0, clusterSize, 0);
    expect(bytesRead, "the image holds a whole first cluster").toBe(clusterSize);
  } finally {
    closeSync(fd);
  }
  return cluster;
}

/** The header of the image at `path`, decoded with the codec. */
function readImageHeader(path: string): Header {
  return decodeHeader(readFirstCluster(path)).value;
}

/**
 * Decodes the image's header, lets `edit` change a copy of it, and writes the
 * result back over the header region at offset 0, leaving the rest of the file
 * alone. The backing file name is moved to just after the new end marker and
 * backing_file_offset updated, which is where QEMU itself stores it, so a
 * header that grows never overwrites the name. Returns the header written.
 */
function editImageHeader(path: string, edit: (header: Header) => void): Header {
  const cluster = readFirstCluster(path);
  const { value: original, end: originalEnd } = decodeHeader(cluster);

  let backingName: Uint8Array | undefined;
  let originalRegionEnd = originalEnd;
  if (original.backing_file_offset !== 0n) {
    const start = Number(original.backing_file_offset);
    originalRegionEnd = start + original.backing_file_size;
    expect(start, "backing file name starts after the end marker").toBeGreaterThanOrEqual(
      originalEnd,
    );
    backingName = cluster.slice(start, originalRegionEnd);
  }

  const edited = structuredClone(original);
  edit(edited);
  const headerEnd = sizeof(edited);
  if (backingName !== undefined) edited.backing_file_offset = BigInt(headerEnd);
  const regionEnd = headerEnd + (backingName?.length ?? 0);
  if (regionEnd > cluster.length) {
    throw new Error(`the edited header region (${regionEnd} bytes) outgrows the first cluster`);
  }

  // Zero-filled and at least as long as the old region, so nothing of the
  // old header is left behind past the new end marker or name.
  const region = new Uint8Array(Math.max(originalRegionEnd, regionEnd));
  const written = write(edited, region);
  if (written instanceof CodecError) throw new Error(`write failed: ${written.message}`);
  expect(written).toBe(headerEnd);
  if (backingName !== undefined) region.set(backingName, headerEnd);

  const fd = openSync(path, "r+");
  try {
    expect(writeSync(fd, region, 0, region.length, 0)).toBe(region.length);
  } finally {
    closeSync(fd);
  }
  return edited;
}

/** The v3 fields of `header`, which must be a version 3 header. */
function v3Fields(header: Header): Additional {
  if (header.additional === undefined) throw new Error("not a version 3 header");
  return header.additional;
}

/** Checks that `qemu-img check` found the image clean, showing its output otherwise. */
function expectCheckPasses(result: QemuImgResult): void {
  expect(result.status, `qemu-img check:\n${result.stdout}${result.stderr}`).toBe(0);
}

// ---------------------------------------------------------------------------

describeWithQemu("qcow2 codec on images fresh from qemu-img", () => {
  test.each(names)(
    "%s: the first cluster decodes, agrees with qemu-img info and re-encodes byte for byte",
    (name) => {
      withTempDir((dir) => {
        const path = imageConfig(name).create(dir);
        const info = qemuInfo(path);
        const cluster = readFirstCluster(path);
        const { value, end } = decodeHeader(cluster);
        expectAgreesWithInfo(value, cluster, info);
        expectReencodes(value, cluster.subarray(0, end));
      });
    },
    TIMEOUT_MS,
  );
});

describeWithQemu("qcow2 headers edited with the codec, opened by qemu-img", () => {
  test(
    "v3-default: setting lazy_refcounts is reported by qemu-img info and passes check",
    () => {
      withTempDir((dir) => {
        const path = imageConfig("v3-default").create(dir);
        expect(qemuInfo(path)["format-specific"].data["lazy-refcounts"]).toBe(false);

        editImageHeader(path, (header) => {
          v3Fields(header).lazy_refcounts = true;
        });

        // compatible_features is the u64 at bytes 80-87; lazy refcounts is bit 0.
        expect(readFirstCluster(path)[87] & 1, "stored compatible bit 0").toBe(1);
        expect(qemuInfo(path)["format-specific"].data["lazy-refcounts"]).toBe(true);
        expectCheckPasses(qemuCheck(path));
      });
    },
    TIMEOUT_MS,
  );

  test(
    "backing format: renaming a wrong qcow2 to raw over a raw base makes the image usable",
    () => {
      // A format QEMU can verify: with the wrong name (qcow2) it cannot open
      // the backing file at all; with the codec's fix (raw) it can.
      withTempDir((dir) => {
        qemuImgOrThrow(["create", "-q", "-f", "raw", "base.raw", "64M"], { cwd: dir });
        // -u: create without opening the backing file, which is not qcow2.
        qemuImgOrThrow(
          [
            "create",
            "-q",
            "-f",
            "qcow2",
            "-u",
            "-b",
            "base.raw",
            "-F",
            "qcow2",
            "overlay.qcow2",
            "64M",
          ],
          { cwd: dir },
        );
        const path = join(dir, "overlay.qcow2");
        expect(qemuInfo(path)["backing-filename-format"]).toBe("qcow2");
        const before = qemuCheck(path);
        expect(before.status, "check cannot open a raw backing file as qcow2").toBe(1);
        expect(before.stderr).toMatch(/not in qcow2 format/);

        editImageHeader(path, (header) => {
          const extension = onlyExtension(header, "Backing_file");
          if (extension === undefined) throw new Error("no backing format extension");
          extension.format = "raw";
        });

        const info = qemuInfo(path);
        expect(info["backing-filename-format"]).toBe("raw");
        expect(info["backing-filename"]).toBe("base.raw");
        expectCheckPasses(qemuCheck(path));
      });
    },
    TIMEOUT_MS,
  );

  /** An extension type QEMU does not know, with a payload that needs padding. */
  const UNKNOWN: Extension = { kind: "Unknown", type: 0x12345678, data: "\x01\x02\x03\xfe\xff" };

  /**
   * Configs to add the extension to, and how to make QEMU rewrite the header
   * afterwards: amend (v3 only: lazy refcounts need compat 1.1) or resize.
   */
  const REWRITES: readonly (readonly [string, "amend" | "resize"])[] = [
    ["v3-default", "amend"],
    ["backing", "amend"],
    ["v2", "resize"],
    ["v2-backing", "resize"],
  ];

  test.each(REWRITES)(
    "%s: an added unknown extension is accepted, and kept by qemu-img %s",
    (name, rewrite) => {
      withTempDir((dir) => {
        const path = imageConfig(name).create(dir);
        const infoBefore = qemuInfo(path);

        const edited = editImageHeader(path, (header) => {
          header.extensions.push(UNKNOWN);
        });
        expect(readImageHeader(path)).toEqual(edited);

        const info = qemuInfo(path);
        expect(info["virtual-size"]).toBe(infoBefore["virtual-size"]);
        expect(info["backing-filename"]).toBe(infoBefore["backing-filename"]);
        expect(info["backing-filename-format"]).toBe(infoBefore["backing-filename-format"]);
        expectCheckPasses(qemuCheck(path));

        const newSize = 2 * infoBefore["virtual-size"];
        qemuImgOrThrow(
          rewrite === "amend"
            ? ["amend", "-f", "qcow2", "-o", "lazy_refcounts=on", path]
            : ["resize", "-f", "qcow2", path, String(newSize)],
        );

        const infoAfter = qemuInfo(path);
        if (rewrite === "amend") {
          expect(infoAfter["format-specific"].data["lazy-refcounts"]).toBe(true);
        } else {
          expect(infoAfter["virtual-size"]).toBe(newSize);
        }
        expect(infoAfter["backing-filename"]).toBe(infoBefore["backing-filename"]);
        expectCheckPasses(qemuCheck(path));
        const cluster = readFirstCluster(path);
        const rewritten = decodeHeader(cluster).value;
        // QEMU writes the extensions it knows first and the unknown ones
        // after them, so one appended UNKNOWN keeps the list as it was.
        // (It writes several unknown ones back in reverse order, as
        // test/image-edit.test.ts shows.)
        expect(rewritten.extensions).toEqual(edited.extensions);
        expectAgreesWithInfo(rewritten, cluster, infoAfter);
      });
    },
    TIMEOUT_MS,
  );

  test(
    "v3-default: a 104-byte header without compression_type is read as zlib",
    () => {
      withTempDir((dir) => {
        const path = imageConfig("v3-default").create(dir);

        const edited = editImageHeader(path, (header) => {
          v3Fields(header).compression_type = undefined;
        });

        const cluster = readFirstCluster(path);
        // header_length is the u32 at bytes 100-103.
        expect(new DataView(cluster.buffer).getUint32(100), "stored header_length").toBe(104);
        expect(decodeHeader(cluster).value).toEqual(edited);
        const info = qemuInfo(path);
        expect(info["format-specific"].data["compression-type"]).toBe("zlib");
        expectAgreesWithInfo(edited, cluster, info);
        expectCheckPasses(qemuCheck(path));
      });
    },
    TIMEOUT_MS,
  );

  test(
    "zstd: a 104-byte header cannot say zstd, so qemu-img refuses the image",
    () => {
      withTempDir((dir) => {
        const path = imageConfig("zstd").create(dir);

        // The compression type feature bit stays set, but the field that
        // names the algorithm is gone.
        editImageHeader(path, (header) => {
          v3Fields(header).compression_type = undefined;
        });

        const check = qemuCheck(path);
        expect(check.status, "qemu-img check cannot open the image").toBe(1);
        expect(check.stderr).toMatch(/Compression type incompatible feature bit must not be set/);
      });
    },
    TIMEOUT_MS,
  );
});
