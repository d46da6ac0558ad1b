meta:
  id: vdi_header
  title: VirtualBox VDI image header (version 1.1)
  endian: le
  ks-version: 0.11
doc: |
  The VDI header sector, after QEMU's block/vdi.c: the same fields and
  value checks as schema/vdi.yaml, for the benchmark's Kaitai Struct peer.
  Kaitai cannot say "zero after the NUL" of a fixed-size string, and keeps
  GUIDs as 16 raw bytes (the normaliser makes their text, untimed).
  Compiled to VdiHeader.cjs by bench/kaitai/compile.ts.
seq:
  - id: file_info
    type: strz
    size: 64
    encoding: ASCII
  - id: signature
    contents: [0x7f, 0x10, 0xda, 0xbe]
  - id: version
    type: u4
    valid: 0x00010001
  - id: header_size
    type: u4
    valid:
      min: 0x180
      max: 0x1b8
  - id: image_type
    type: u4
    enum: image_type
  - id: image_flags
    type: u4
  - id: description
    type: strz
    size: 256
    encoding: UTF-8
  - id: offset_bmap
    type: u4
    valid:
      expr: _ % 512 == 0
  - id: offset_data
    type: u4
    valid:
      expr: _ % 512 == 0
  - id: legacy_geometry
    type: geometry
  - id: unused1
    type: u4
  - id: disk_size
    type: u8
  - id: block_size
    type: u4
  - id: block_extra
    type: u4
  - id: blocks_in_image
    type: u4
  - id: blocks_allocated
    type: u4
  - id: uuid_image
    size: 16
  - id: uuid_last_snap
    size: 16
  - id: uuid_link
    size: 16
  - id: uuid_parent
    size: 16
  - id: lchs_geometry
    type: geometry
  - id: reserved
    type: u4
    repeat: expr
    repeat-expr: 10
types:
  geometry:
    seq:
      - id: cylinders
        type: u4
      - id: heads
        type: u4
      - id: sectors
        type: u4
      - id: sector_size
        type: u4
enums:
  image_type:
    1: dynamic
    2: static
    3: undo
    4: diff
