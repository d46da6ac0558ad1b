/**
 * The image library in-process, without qemu-img: what it learns from the
 * codec (feature bits, extension tags), QEMU's view of a header against the
 * codec's, region planning (the backing file name moved, zero fill, the
 * first-cluster bound), field setting by type, and the line diff.
 */
import { describe, expect, test } from "vitest";
import { fromString, read, sizeof, write, type Header } from "../generated/qcow2.js";
import { CodecError } from "../runtime/codec.js";
import { SexpError } from "../runtime/sexp-convert.js";
import { checkRegion, qemuVerdicts } from "../formats/qcow2/check.js";
import { setEdit } from "../formats/qcow2/edits.js";
import {
  FieldError,
  extensionFromPayload,
  extensionTags,
  namedBits,
  resolveField,
  setFeatureBit,
  setField,
} from "../formats/qcow2/fields.js";
import {
  EditRefused,
  latin1,
  planRegion,
  regionAfter,
  regionFromBytes,
} from "../formats/qcow2/image.js";
import { qemuHeader } from "../formats/qcow2/qemu-view.js";
import { diffHunks, lineDiff } from "../formats/qcow2/view.js";

/** A header as `qemu-img create -b base.qcow2 -F qcow2` writes it (64 MiB, 64 KiB clusters). */
const OVERLAY = `((version Three) (backing_file_offset 0) (backing_file_size 10) (cluster_bits 16)
  (size 67108864) (crypt_method None) (l1_size 1) (l1_table_offset 196608)
  (refcount_table_offset 65536) (refcount_table_clusters 1) (nb_snapshots 0) (snapshots_offset 0)
  (additional (((dirty false) (corrupt false) (lazy_refcounts false) (autoclear_features 0)
    (refcount_order 4) (compression_type Zlib))))
  (extensions ((Backing_file qcow2))))`;

function parse(text: string): Header {
  const h = fromString(text);
  if (h instanceof SexpError) throw new Error(h.message);
  return h;
}

/** A 64 KiB first cluster holding `h` and, after its end marker, the backing file name. */
function cluster(h: Header, name = "base.qcow2"): Uint8Array {
  const out = new Uint8Array(65536);
  const at = sizeof(h);
  const withName = { ...h, backing_file_offset: BigInt(at), backing_file_size: name.length };
  if (write(withName, out) instanceof CodecError) throw new Error("write failed");
  out.set(Buffer.from(name, "latin1"), at);
  return out;
}

const FILE_SIZE = 3 * 65536;

describe("what the library learns from the codec", () => {
  test("named feature bits are QEMU's (block/qcow2.h)", () => {
    const bits = namedBits();
    expect(Object.fromEntries(bits.incompatible)).toEqual({
      dirty: 0,
      corrupt: 1,
      external_data_file: 2,
      compression_type_bit: 3,
      extended_l2: 4,
    });
    expect(Object.fromEntries(bits.compatible)).toEqual({ lazy_refcounts: 0 });
    expect(Object.fromEntries(bits.autoclear)).toEqual({ bitmaps: 0, raw_external_data: 1 });
  });

  test("extension tags are the specification's", () => {
    expect(Object.fromEntries(extensionTags())).toEqual({
      Backing_file: 0xe2792aca,
      Feature_name_table: 0x6803f857,
      Bitmaps: 0x23852875,
      Full_disk_encryption: 0x0537be77,
      External_data_file: 0x44415441,
    });
  });

  test("a payload decodes as its kind, or is refused", () => {
    expect(extensionFromPayload(0xe2792aca, Buffer.from("raw"))).toEqual({
      kind: "Backing_file",
      format: "raw",
    });
    expect(extensionFromPayload(0x12345678, new Uint8Array([1, 255]))).toEqual({
      kind: "Unknown",
      type: 0x12345678,
      data: "\x01\xff",
    });
    expect(() => extensionFromPayload(0x23852875, new Uint8Array(5))).toThrow(FieldError);
  });
});

describe("QEMU's view and the checks", () => {
  test("QEMU's view of the fixed fields is the codec's, read unsigned", () => {
    const h = parse(OVERLAY);
    const q = qemuHeader(cluster(h));
    expect(q.version).toBe(3);
    expect(q.cluster_bits).toBe(h.cluster_bits);
    expect(q.size).toBe(h.size);
    expect(q.l1_table_offset).toBe(h.l1_table_offset);
    expect(q.refcount_table_clusters).toBe(h.refcount_table_clusters);
    expect(q.header_length).toBe(112);
    expect(q.backing_file_offset).toBe(BigInt(sizeof(h)));
    const negative = qemuHeader(cluster({ ...h, l1_size: -1 }));
    expect(negative.l1_size).toBe(0xffffffff);
  });

  test("a sound header passes; each violation names its field and QEMU's message", () => {
    const h = parse(OVERLAY);
    expect(checkRegion(regionFromBytes(cluster(h), FILE_SIZE))).toEqual([]);
    const broken = setFeatureBit({ ...h, refcount_table_clusters: 0 }, "incompatible", 40, true);
    const findings = checkRegion(regionFromBytes(cluster(broken), FILE_SIZE));
    expect(findings.map((f) => [f.field, f.qemu])).toEqual([
      [
        "additional.incompatible_features",
        "Unsupported qcow2 feature(s): Unknown incompatible feature: 10000000000",
      ],
      ["refcount_table_clusters", "Image does not contain a reference count table"],
    ]);
    const verdicts = qemuVerdicts(findings);
    expect(verdicts.check.message).toMatch(/^Unsupported qcow2 feature/);
  });
});

describe("planning a new header region", () => {
  const h = parse(OVERLAY);
  const region = regionFromBytes(cluster(h), FILE_SIZE);

  test("the backing file name moves after the new end marker; the rest is zeroed", () => {
    const before = region.decoded instanceof CodecError ? undefined : region.decoded.value;
    if (before === undefined) throw new Error("does not decode");
    const grown = {
      ...before,
      extensions: [...before.extensions, { kind: "Unknown" as const, type: 7, data: "x" }],
    };
    const plan = planRegion(region, grown, "move");
    expect(plan.after.backing_file_offset).toBe(BigInt(plan.headerEnd));
    const after = regionAfter(region, plan);
    expect(after.backingName?.bytes).toBe("base.qcow2");
    const shrunk = planRegion(after, before, "move");
    expect(latin1(shrunk.bytes)).toBe(latin1(region.bytes.subarray(0, shrunk.bytes.length)));
  });

  test("a region past the first cluster is refused", () => {
    const before = region.decoded instanceof CodecError ? undefined : region.decoded.value;
    if (before === undefined) throw new Error("does not decode");
    const huge = {
      ...before,
      extensions: [{ kind: "Unknown" as const, type: 7, data: "x".repeat(65536) }],
    };
    expect(() => planRegion(region, huge, "move")).toThrow(EditRefused);
  });

  test("set parses by the field's type, through the codec's converters", () => {
    expect(setField(h, resolveField("size"), "0x8000000").size).toBe(0x8000000n);
    expect(setField(h, resolveField("refcount_order"), "5").additional?.refcount_order).toBe(5);
    expect(
      setField(h, resolveField("compression_type"), "(Unknown 7)").additional?.compression_type,
    ).toEqual({ unknown: 7 });
    expect(setField(h, resolveField("compression_type"), "()").additional?.compression_type).toBe(
      undefined,
    );
    expect(() => setField(h, resolveField("cluster_bits"), "x")).toThrow(/expected an int32/);
    expect(() => resolveField("header_length")).toThrow(/computed/);
    expect(setEdit("backing_file_size", "3")(h).policy).toBe("keep");
    const v2 = setField(h, resolveField("version"), "Two");
    expect(v2.additional).toBe(undefined);
    expect(read(cluster(v2))).not.toBeInstanceOf(CodecError);
  });
});

describe("line diff", () => {
  test("removals come before additions; far unchanged lines fold into ...", () => {
    const a = ["1", "2", "3", "4", "5", "6", "7"].join("\n");
    const b = ["1", "2", "3", "4", "x", "6", "7"].join("\n");
    expect(lineDiff(a, b).filter((d) => d.op !== " ")).toEqual([
      { op: "-", text: "5" },
      { op: "+", text: "x" },
    ]);
    expect(diffHunks(lineDiff(a, b), 1).map((d) => d.op + d.text)).toEqual([
      " ...",
      " 4",
      "-5",
      "+x",
      " 6",
      " ...",
    ]);
  });
});
