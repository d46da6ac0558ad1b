import { describe, expect, test } from "vitest";
import { compare, equal } from "../generated/qcow2.js";
import {
  l2TablesRequired,
  maxRefcountTableSize,
  refcountBits,
  refcountsPerCluster,
} from "../formats/qcow2/helpers.js";
import { fixtureHeader } from "./support/fixtures.js";

describe("refcount helpers use the image's refcount width", () => {
  test.each([
    // config, refcount bits, refcounts per 64 KiB cluster
    ["v2", 16, 32768n],
    ["v3-default", 16, 32768n],
    ["refcount-1", 1, 524288n],
    ["refcount-64", 64, 8192n],
    ["cluster-512", 16, 256n],
  ])("%s", (name, bits, perCluster) => {
    const h = fixtureHeader(name);
    expect(refcountBits(h)).toBe(bits);
    expect(refcountsPerCluster(h)).toBe(perCluster);
  });

  test("maxRefcountTableSize counts table clusters for the virtual size", () => {
    // 64 MiB in 64 KiB clusters = 1024 clusters: one refcount block, one 8-byte entry, one table cluster.
    expect(maxRefcountTableSize(fixtureHeader("v3-default"))).toBe(1n);
    // 1 PiB in 512-byte clusters with 256 refcounts a block: 2^50 / 2^9 / 2^8 = 2^33 blocks,
    // 2^36 bytes of table entries, 2^27 table clusters.
    const big = { ...fixtureHeader("cluster-512"), size: 1n << 50n };
    expect(maxRefcountTableSize(big)).toBe(1n << 27n);
  });

  test("l2TablesRequired: one L2 table maps cluster_size / 8 clusters", () => {
    expect(l2TablesRequired(16, 64n << 20n)).toBe(1n); // one table maps 512 MiB
    expect(l2TablesRequired(16, (512n << 20n) + 1n)).toBe(2n);
    expect(l2TablesRequired(9, 1n << 20n)).toBe(32n); // 64 entries of 512 bytes = 32 KiB per table
    expect(l2TablesRequired(16, 0n)).toBe(0n);
  });

  test("negative sizes count as 0", () => {
    expect(l2TablesRequired(16, -1n)).toBe(0n);
    expect(maxRefcountTableSize({ ...fixtureHeader("v3-default"), size: -512n })).toBe(0n);
  });
});

describe("helpers refuse arguments they cannot use, naming the function and the argument", () => {
  const h = fixtureHeader("v3-default");
  const withOrder = (refcount_order: number): typeof h => ({
    ...h,
    additional: { ...h.additional!, refcount_order },
  });
  test.each([
    [
      () => l2TablesRequired(70, 1n),
      RangeError,
      "l2TablesRequired: clusterBits is 70: must be an integer from 3 to 62",
    ],
    [
      () => l2TablesRequired(2, 1n),
      RangeError,
      "l2TablesRequired: clusterBits is 2: must be an integer from 3 to 62",
    ],
    [
      () => l2TablesRequired(16.5, 1n),
      RangeError,
      "l2TablesRequired: clusterBits is 16.5: must be an integer from 3 to 62",
    ],
    [
      () => l2TablesRequired(16, 5 as unknown as bigint),
      TypeError,
      "l2TablesRequired: size is 5: must be a bigint",
    ],
    [
      () => refcountBits(withOrder(7)),
      RangeError,
      "refcountBits: h.additional.refcount_order is 7: must be an integer from 0 to 6",
    ],
    [
      () => refcountsPerCluster({ ...h, cluster_bits: -1 }),
      RangeError,
      "refcountsPerCluster: h.cluster_bits is -1: must be an integer from 0 to 62",
    ],
    // 2^1-byte clusters are 16 bits: no room for a 64-bit refcount (this was a bare "Division by zero").
    [
      () => maxRefcountTableSize({ ...withOrder(6), cluster_bits: 1 }),
      RangeError,
      "maxRefcountTableSize: h.cluster_bits is 1: a 2-byte cluster cannot hold one 64-bit refcount (refcount_order 6)",
    ],
    [
      () => maxRefcountTableSize({ ...withOrder(6), cluster_bits: 2 }),
      RangeError,
      "maxRefcountTableSize: h.cluster_bits is 2: a 4-byte cluster cannot hold one 64-bit refcount (refcount_order 6)",
    ],
    [
      () => maxRefcountTableSize({ ...h, size: 1 as unknown as bigint }),
      TypeError,
      "maxRefcountTableSize: h.size is 1: must be a bigint",
    ],
    [
      () => refcountBits(undefined as unknown as typeof h),
      TypeError,
      "refcountBits: h is undefined: must be a Header",
    ],
  ] as const)("%#", (call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});

describe("compare is a total order consistent with equality", () => {
  const names = ["v2", "v3-default", "backing", "zstd", "bitmaps", "luks", "refcount-1"];
  const headers = names.map(fixtureHeader);

  test("equal values compare 0, different ones do not", () => {
    for (const [i, a] of headers.entries()) {
      for (const [j, b] of headers.entries()) {
        expect(compare(a, b) === 0).toBe(i === j);
        expect(equal(a, b)).toBe(i === j);
        expect(Math.sign(compare(a, b)) + Math.sign(compare(b, a))).toBe(0);
      }
    }
  });

  test("a copy is equal; changing any one field makes it unequal", () => {
    const h = fixtureHeader("backing");
    expect(compare(h, structuredClone(h))).toBe(0);
    expect(compare(h, { ...h, size: h.size + 1n })).toBeLessThan(0);
    expect(
      compare(h, { ...h, additional: { ...h.additional!, lazy_refcounts: true } }),
    ).toBeLessThan(0);
    expect(compare(h, { ...h, extensions: h.extensions.slice(1) })).not.toBe(0);
  });

  test("sorting is transitive (sorted order is consistent pairwise)", () => {
    const sorted = [...headers].sort(compare);
    for (let i = 0; i + 1 < sorted.length; i++)
      expect(compare(sorted[i], sorted[i + 1])).toBeLessThan(0);
  });
});
