meta:
  id: qcow2_header
  title: qcow2 image header and header extensions
  endian: be
  ks-version: 0.11
doc: |
  The qcow2 header and its header extensions, as QEMU's docs/interop/qcow2.txt
  describes them: the same fields as schema/qcow2.yaml, for the benchmark's
  Kaitai Struct peer. Byte strings use encoding ASCII, which the JavaScript
  runtime decodes one character per byte, like the generated codec.
  Compiled to Qcow2Header.cjs by bench/kaitai/compile.ts.
seq:
  - id: magic
    contents: [0x51, 0x46, 0x49, 0xfb]
  - id: version
    type: u4
    enum: version
    valid:
      any-of: [version::one, version::two, version::three]
  - id: backing_file_offset
    type: s8
  - id: backing_file_size
    type: s4
  - id: cluster_bits
    type: s4
  - id: size
    type: s8
  - id: crypt_method
    type: u4
    enum: crypt_method
    valid:
      any-of: [crypt_method::none, crypt_method::aes, crypt_method::luks]
  - id: l1_size
    type: s4
  - id: l1_table_offset
    type: s8
  - id: refcount_table_offset
    type: s8
  - id: refcount_table_clusters
    type: s4
  - id: nb_snapshots
    type: s4
  - id: snapshots_offset
    type: s8
  - id: additional
    type: additional
    if: version.to_i >= 3
instances:
  extensions:
    doc: Header extensions, from header_length (version 3) or byte 72 (version 2) up to the end marker, which is included.
    pos: "version.to_i >= 3 ? additional.header_length : 72"
    type: extension
    repeat: until
    repeat-until: _.type == 0
types:
  additional:
    seq:
      - id: incompatible_features
        type: u8
      - id: compatible_features
        type: u8
      - id: autoclear_features
        type: s8
      - id: refcount_order
        type: s4
      - id: header_length
        type: u4
        valid:
          min: 104
      - id: compression_type
        type: u1
        if: header_length > 104
      - id: padding
        size: 7
        if: header_length > 104
      - id: header_extra
        size: header_length - 112
        type: str
        encoding: ASCII
        if: header_length > 112
  extension:
    seq:
      - id: type
        type: u4
      - id: length
        type: u4
      - id: body
        size: length
        type:
          switch-on: type
          cases:
            0xe2792aca: byte_string
            0x6803f857: feature_name_table
            0x23852875: bitmaps
            0x0537be77: full_disk_encryption
            0x44415441: byte_string
            _: byte_string
      - id: padding
        size: (8 - length % 8) % 8
  byte_string:
    seq:
      - id: value
        size-eos: true
        type: str
        encoding: ASCII
  feature_name_table:
    seq:
      - id: features
        type: feature
        repeat: eos
  feature:
    seq:
      - id: ty
        type: u1
        enum: feature_type
      - id: bit
        type: u1
      - id: name
        size: 46
        type: str
        terminator: 0
        encoding: ASCII
  bitmaps:
    seq:
      - id: nb_bitmaps
        type: u4
      - id: reserved
        type: u4
      - id: bitmap_directory_size
        type: u8
      - id: bitmap_directory_offset
        type: u8
  full_disk_encryption:
    seq:
      - id: offset
        type: u8
      - id: length
        type: u8
enums:
  version:
    1: one
    2: two
    3: three
  crypt_method:
    0: none
    1: aes
    2: luks
  feature_type:
    0: incompatible
    1: compatible
    2: autoclear
