meta:
  id: qed_header
  title: QED image header
  endian: le
  ks-version: 0.11
doc: |
  The QED header, as QEMU's docs/interop/qed_spec.rst describes it: the same
  fields and checks as schema/qed.yaml, for the benchmark's Kaitai Struct
  peer. The backing file name is an instance at backing_filename_offset,
  present when bit 0 of features is set; encoding ASCII, which the
  JavaScript runtime decodes one character per byte, like the generated
  codec. Compiled to QedHeader.cjs by bench/kaitai/compile.ts.
seq:
  - id: magic
    contents: ["QED", 0]
  - id: cluster_size
    type: u4
    valid:
      expr: (_ & (_ - 1)) == 0 and _ >= 4096 and _ <= 67108864
  - id: table_size
    type: u4
    valid:
      expr: (_ & (_ - 1)) == 0 and _ >= 1 and _ <= 16
  - id: header_size
    type: u4
    valid:
      min: 1
  - id: features
    type: u8
  - id: compat_features
    type: u8
  - id: autoclear_features
    type: u8
  - id: l1_table_offset
    type: u8
  - id: image_size
    type: u8
    valid:
      expr: _ % 512 == 0
  - id: backing_filename_offset
    type: u4
  - id: backing_filename_size
    type: u4
instances:
  backing_filename:
    pos: backing_filename_offset
    size: backing_filename_size
    type: str
    encoding: ASCII
    if: (features & 1) == 1
