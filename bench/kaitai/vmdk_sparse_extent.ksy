meta:
  id: vmdk_sparse_extent
  title: VMDK hosted sparse extent header and embedded descriptor
  endian: le
  ks-version: 0.11
doc: |
  The header sector of a VMDK hosted sparse extent and the descriptor
  embedded where it points, after QEMU's block/vmdk.c: the same fields and
  value checks as schema/vmdk.yaml, for the benchmark's Kaitai Struct peer.
  Kaitai does not check the padding is zero or that nothing but NULs
  follows the descriptor's text. Compiled to VmdkSparseExtent.cjs by
  bench/kaitai/compile.ts.
seq:
  - id: magic
    contents: "KDMV"
  - id: version
    type: u4
    valid:
      min: 1
      max: 3
  - id: flags
    type: u4
  - id: capacity
    type: u8
  - id: grain_size
    type: u8
  - id: desc_offset
    type: u8
  - id: desc_size
    type: u8
  - id: num_gtes_per_gt
    type: u4
  - id: rgd_offset
    type: u8
  - id: gd_offset
    type: u8
  - id: overhead
    type: u8
  - id: unclean_shutdown
    type: u1
  - id: newline_check
    size: 4
  - id: compress_algorithm
    type: u2
    enum: compress_algorithm
  - id: padding
    size: 433
instances:
  descriptor:
    pos: desc_offset * 512
    size: desc_size * 512
    type: strz
    encoding: UTF-8
    if: desc_offset != 0
enums:
  compress_algorithm:
    0: none
    1: deflate
