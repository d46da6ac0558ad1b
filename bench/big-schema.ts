/**
 * Synthetic schemas of any number of members, for measuring how generation
 * time grows with a schema (bench/generation-scaling.ts, and the complexity
 * guard in test/generation-scaling.test.ts). They are made of one block
 * repeated: an enum, a small fixed record, a union of three variants and an
 * entry record that uses them, with the member kinds real formats mix —
 * plain integers of every width, text, a fixed string, a UUID, flags, a bit
 * field, constants and magic, nested records, counted arrays, a union list,
 * `if` on fields, groups and padding, `valid` checks, a computed count and a
 * checksum. The root holds one entry of each block. Every schema is valid,
 * and the same size gives the same text.
 *
 * A member is one entry of a record's, a group's or a variant's member list
 * (flag bits, bit field parts and enum values are not counted).
 */

/** Members of one block: its records', groups' and variants' entries, and its field in the root. */
export const MEMBERS_PER_BLOCK = 39;

function block(i: number): string[] {
  const previous = i > 0 ? `Small${i - 1}` : undefined;
  return [
    `  Mode${i}:`,
    "    enum: u8",
    "    open: true",
    "    values:",
    "      Off: 0",
    "      On: 1",
    "      Auto: { value: 2, doc: Chosen by the reader }",
    `  Small${i}:`,
    `    doc: A small fixed record (block ${i}).`,
    "    record:",
    "      - { name: x, type: u16 }",
    "      - { name: y, type: i32, endian: little }",
    `      - { name: mode, type: Mode${i} }`,
    // A chain of nested records, four deep at most.
    ...(previous !== undefined && i % 4 !== 0
      ? [`      - { name: inner, type: ${previous} }`]
      : []),
    `  Chunk${i}:`,
    "    union: { tag: u16, length: u16, align: 4, end: 0 }",
    "    variants:",
    "      - name: Name",
    "        tag: 1",
    "        fields:",
    "          - { name: name, type: bytes }",
    "      - name: Point",
    "        tag: 2",
    "        fields:",
    "          - { name: x, type: i32 }",
    "          - { name: y, type: i32 }",
    `          - { name: small, type: Small${i} }`,
    "      - name: Other",
    "        fallback: true",
    "        fields:",
    "          - { name: type, type: u16, tag: true }",
    "          - { name: data, type: bytes }",
    `  Entry${i}:`,
    `    doc: An entry with every common kind of member (block ${i}).`,
    "    record:",
    `      - { name: signature, magic: "E${i % 10}" }`,
    "      - { name: version, type: u8, valid: [{ check: version >= 1, message: must be at least 1 }] }",
    "      - { name: kind, type: u8 }",
    "      - { name: length, type: u16 }",
    "      - { name: id, type: u32, doc: The entry's number }",
    "      - { name: offset, type: u64 }",
    "      - { name: delta, type: i16 }",
    "      - { name: marker, type: u16, const: 0xbeef }",
    "      - name: attributes",
    "        type: u32",
    "        flags:",
    "          - { bit: 0, name: hidden }",
    "          - { bit: 1, name: system }",
    "          - { bit: 4, name: archive, default: false }",
    "        unknown: attributes_unknown",
    "      - name: stamp",
    "        type: u16",
    "        endian: little",
    "        bitfield:",
    "          - { name: seconds2, bits: 5 }",
    "          - { name: minute, bits: 6 }",
    "          - { name: hour, bits: 5 }",
    "      - { name: label, type: text, encoding: ascii, size: 8 }",
    "      - { name: title, type: text, encoding: utf16le, size: 16 }",
    "      - { name: tag, type: string, size: 6 }",
    "      - { name: uuid, type: uuid }",
    `      - { name: mode, type: Mode${i} }`,
    `      - { name: origin, type: Small${i} }`,
    "      - { name: item_count, type: u8, value: count(items) }",
    `      - { name: items, type: "Small${i}[]", count: item_count }`,
    "      - { name: extra, type: u32, if: kind > 3 }",
    "      - { padding: 2, if: kind > 3 }",
    "      - { name: note, type: bytes, prefix: u8, if: (version & 1) == 1 }",
    "      - name: more",
    `        group: More${i}`,
    "        if: version >= 2",
    "        fields:",
    "          - { name: low, type: u32 }",
    "          - { name: high, type: u32 }",
    "          - { name: name, type: bytes, size: length & 15 }",
    "      - { padding: 3 }",
    "      - { name: sum, type: u32, checksum: crc32 }",
    `      - { name: chunks, type: "Chunk${i}[]" }`,
  ];
}

/** Blocks for about `members` members (at least one block). */
export function blocksFor(members: number): number {
  return Math.max(1, Math.round(members / MEMBERS_PER_BLOCK));
}

/** A schema of `blocks` blocks, as YAML text. */
export function bigSchema(blocks: number): string {
  const lines = [
    "format: big",
    `doc: A synthetic schema of ${blocks} blocks, for timing the generator.`,
    "endian: big",
    "root: Root",
    "types:",
  ];
  for (let i = 0; i < blocks; i++) lines.push(...block(i));
  lines.push("  Root:", "    record:");
  for (let i = 0; i < blocks; i++) lines.push(`      - { name: entry${i}, type: Entry${i} }`);
  lines.push("");
  return lines.join("\n");
}

/** The number of members of `bigSchema(blocks)`, counted from its text. */
export function membersOf(blocks: number): number {
  // Nested records are missing from every fourth block.
  let members = 0;
  for (let i = 0; i < blocks; i++) members += MEMBERS_PER_BLOCK - (i > 0 && i % 4 !== 0 ? 0 : 1);
  return members;
}
