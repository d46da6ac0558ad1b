/**
 * Hand-written helpers beside the generated qcow2 codec, mirroring the OCaml
 * library's `refcounts_per_cluster`, `max_refcount_table_size`,
 * `l2_tables_required` and `Feature.understood`. Unlike the library, which
 * assumes 16-bit refcounts, these use the image's refcount width:
 * 2 ** refcount_order bits for version 3, and 16 bits for version 2 (which
 * has no refcount_order).
 *
 * An argument they cannot use is refused with a RangeError (a TypeError for
 * the wrong kind of value) whose message names the function, the argument
 * and what is wrong with it:
 * `l2TablesRequired: clusterBits is 70: must be an integer from 3 to 62`.
 */
import {
  Additional_autoclear_features_bits,
  Additional_compatible_features_bits,
  Additional_incompatible_features_bits,
  type Feature,
  type FeatureName,
  type FeatureType,
  type Header,
} from "../../generated/qcow2.js";

function shown(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

function refuse(fn: string, arg: string, value: unknown, rule: string): RangeError {
  return new RangeError(`${fn}: ${arg} is ${shown(value)}: ${rule}`);
}

function expectHeader(fn: string, h: unknown): asserts h is Header {
  if (typeof h !== "object" || h === null)
    throw new TypeError(`${fn}: h is ${shown(h)}: must be a Header`);
}

function integerIn(fn: string, arg: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    throw refuse(fn, arg, v, `must be an integer from ${min} to ${max}`);
  return v;
}

function bigintArg(fn: string, arg: string, v: unknown): bigint {
  if (typeof v !== "bigint") throw new TypeError(`${fn}: ${arg} is ${shown(v)}: must be a bigint`);
  return v;
}

function divRoundUp(n: bigint, d: bigint): bigint {
  return (n + d - 1n) / d;
}

function bitsOf(fn: string, h: Header): number {
  const order = h.additional === undefined ? 4 : h.additional.refcount_order;
  return 2 ** integerIn(fn, "h.additional.refcount_order", order, 0, 6);
}

function perCluster(fn: string, h: Header): bigint {
  const clusterBits = integerIn(fn, "h.cluster_bits", h.cluster_bits, 0, 62);
  const bits = bitsOf(fn, h);
  const refcounts = ((1n << BigInt(clusterBits)) * 8n) / BigInt(bits);
  if (refcounts === 0n)
    throw refuse(
      fn,
      "h.cluster_bits",
      clusterBits,
      `a ${2 ** clusterBits}-byte cluster cannot hold one ${bits}-bit refcount (refcount_order ${Math.log2(bits)})`,
    );
  return refcounts;
}

/** Bits per refcount: 2 ** refcount_order (v3), 16 for v2. */
export function refcountBits(h: Header): number {
  expectHeader("refcountBits", h);
  return bitsOf("refcountBits", h);
}

/** How many refcounts one refcount block (one cluster) holds. */
export function refcountsPerCluster(h: Header): bigint {
  expectHeader("refcountsPerCluster", h);
  return perCluster("refcountsPerCluster", h);
}

/**
 * The number of clusters the refcount table needs to cover every cluster of
 * an image of `h.size` bytes (the virtual size), as the OCaml library counts
 * it: one 8-byte table entry per refcount block. A negative size counts as 0.
 */
export function maxRefcountTableSize(h: Header): bigint {
  const fn = "maxRefcountTableSize";
  expectHeader(fn, h);
  const refcounts = perCluster(fn, h);
  const cluster = 1n << BigInt(h.cluster_bits);
  const size = bigintArg(fn, "h.size", h.size);
  const clusters = divRoundUp(size < 0n ? 0n : size, cluster);
  const blocks = divRoundUp(clusters, refcounts);
  return divRoundUp(blocks * 8n, cluster);
}

/**
 * The number of L2 tables needed to map `size` bytes with clusters of
 * 2 ** clusterBits bytes: each L2 table is one cluster of 8-byte entries.
 * clusterBits must be 3 to 62 (a smaller cluster holds no entry); a negative
 * size counts as 0.
 */
export function l2TablesRequired(clusterBits: number, size: bigint): bigint {
  const fn = "l2TablesRequired";
  const bits = integerIn(fn, "clusterBits", clusterBits, 3, 62);
  const bytes = bigintArg(fn, "size", size);
  const cluster = 1n << BigInt(bits);
  const bytesPerL2 = (cluster / 8n) * cluster;
  return divRoundUp(bytes < 0n ? 0n : bytes, bytesPerL2);
}

function featuresOf(
  ty: FeatureType,
  bits: Readonly<Record<string, bigint>>,
  names: Readonly<Record<string, FeatureName>>,
): Feature[] {
  return Object.entries(bits).map(([bit, mask]) => {
    const feature = names[bit];
    if (feature === undefined) throw new Error(`no feature name for the ${ty} bit ${bit}`);
    return { ty, bit: mask.toString(2).length - 1, feature };
  });
}

/**
 * The features this codec understands — every feature bit the schema names —
 * as the feature name table entries QEMU writes for them, in QEMU's order.
 * The seed's `Feature.understood` lists only the three it knew (dirty,
 * corrupt, lazy refcounts).
 */
export const understoodFeatures: readonly Feature[] = Object.freeze([
  ...featuresOf("Incompatible", Additional_incompatible_features_bits, {
    dirty: "Dirty",
    corrupt: "Corrupt",
    external_data_file: "External_data_file",
    compression_type_bit: "Compression_type",
    extended_l2: "Extended_l2",
  }),
  ...featuresOf("Compatible", Additional_compatible_features_bits, {
    lazy_refcounts: "Lazy_refcounts",
  }),
  ...featuresOf("Autoclear", Additional_autoclear_features_bits, {
    bitmaps: "Bitmaps",
    raw_external_data: "Raw_external_data",
  }),
]);
