/**
 * Hand-written helpers beside the generated qcow2 codec, mirroring the OCaml
 * library's `refcounts_per_cluster`, `max_refcount_table_size` and
 * `l2_tables_required`. Unlike the library, which assumes 16-bit refcounts,
 * these use the image's refcount width: 2 ** refcount_order bits for version
 * 3, and 16 bits for version 2 (which has no refcount_order).
 */
import type { Header } from "../generated/qcow2.js";

function clusterSize(clusterBits: number): bigint {
  if (!Number.isInteger(clusterBits) || clusterBits < 0 || clusterBits > 62) {
    throw new RangeError(`cluster_bits ${clusterBits} is outside 0..62`);
  }
  return 1n << BigInt(clusterBits);
}

function divRoundUp(n: bigint, d: bigint): bigint {
  return (n + d - 1n) / d;
}

/** Bits per refcount: 2 ** refcount_order (v3), 16 for v2. */
export function refcountBits(h: Header): number {
  const order = h.additional?.refcount_order ?? 4;
  if (!Number.isInteger(order) || order < 0 || order > 6) {
    throw new RangeError(`refcount_order ${order} is outside 0..6`);
  }
  return 2 ** order;
}

/** How many refcounts one refcount block (one cluster) holds. */
export function refcountsPerCluster(h: Header): bigint {
  return (clusterSize(h.cluster_bits) * 8n) / BigInt(refcountBits(h));
}

/**
 * The number of clusters the refcount table needs to cover every cluster of
 * an image of `h.size` bytes (the virtual size), as the OCaml library counts
 * it: one 8-byte table entry per refcount block.
 */
export function maxRefcountTableSize(h: Header): bigint {
  const cluster = clusterSize(h.cluster_bits);
  const size = h.size < 0n ? 0n : h.size;
  const clusters = divRoundUp(size, cluster);
  const blocks = divRoundUp(clusters, refcountsPerCluster(h));
  return divRoundUp(blocks * 8n, cluster);
}

/**
 * The number of L2 tables needed to map `size` bytes with clusters of
 * 2 ** clusterBits bytes: each L2 table is one cluster of 8-byte entries.
 */
export function l2TablesRequired(clusterBits: number, size: bigint): bigint {
  const cluster = clusterSize(clusterBits);
  if (clusterBits < 3)
    throw new RangeError(`cluster_bits ${clusterBits} is below 3: an L2 table holds no entry`);
  const bytesPerL2 = (cluster / 8n) * cluster;
  return divRoundUp(size < 0n ? 0n : size, bytesPerL2);
}
