/**
 * The model: a typed, resolved description of one binary format. It is the
 * only place that knows the format; emitters read it and nothing else.
 * Every node keeps the location of the schema text it came from.
 */
import type { Expr } from "./expr.js";

/** Where in the schema a node was written. */
export interface Loc {
  file: string;
  line: number;
  col: number;
  /** The schema path, e.g. `/types/Header/record/3/type`. */
  path: string;
}

export type Endian = "big" | "little";

/**
 * An integer's byte order: fixed, or `chosen` at run time by the record's
 * `byte_order` member (generated code holds it in a boolean `le`).
 */
export type ByteOrder = Endian | "chosen";

export interface IntType {
  kind: "int";
  bits: 8 | 16 | 32 | 64;
  signed: boolean;
  endian: ByteOrder;
}

/**
 * A string stored in exactly `size` bytes. NUL-padded (the default): the
 * value is the bytes before the first NUL, and the bytes after it are zero
 * (or kept by `tail`). Space-padded (`pad: "space"`, FAT's names and
 * labels): the value is the bytes without their trailing spaces, no byte is
 * a NUL, and `write` pads with spaces, so a value never ends in a space.
 */
export interface FixedStringType {
  kind: "fixedString";
  size: number;
  pad?: "space";
}

/** A value type a field can have. */
export type FieldType =
  | IntType
  | { kind: "enum"; enum: EnumDef; endian: ByteOrder }
  /** A record inline; `args` give its parameters, in the record's order. */
  | { kind: "record"; record: RecordDef; args: Expr[] }
  | { kind: "bytes"; size: ByteSize }
  /** A fixed-size string: NUL-padded, or space-padded with `pad: "space"`. */
  | FixedStringType
  /**
   * Records back to back: `count` of them, or (without a count) fixed-size
   * ones filling the rest of the enclosing payload.
   */
  | {
      kind: "array";
      element: RecordDef;
      count: Expr | undefined;
      /** The element records' parameters, in the record's order. */
      args: Expr[];
      /**
       * Bytes from the start of one element to the start of the next (with
       * `count` only): each element must fit in it, and the bytes after it
       * up to the stride must be zero.
       */
      stride: Expr | undefined;
      /** How a list of unknown length ends (`end: { zeros: 1024 }`), when it has no count. */
      end?: ArrayEnd;
      /**
       * With no count: records of any size back to back, filling exactly
       * this many bytes (`size:` on the array; ISO 9660's path table).
       */
      bytes?: Expr;
      /**
       * With `bytes`: records never cross a multiple of this many bytes
       * from the array's start, and each block's bytes after its last
       * record are zero (ISO 9660's directories, in 2048-byte sectors).
       * Records are placed greedily: one starts a new block only when it
       * does not fit in the rest of the current one.
       */
      block?: Expr;
    }
  /** 16 bytes shown as canonical lowercase text: RFC 4122 order, or Microsoft's mixed-endian GUID. */
  | { kind: "uuid"; layout: "rfc4122" | "guid" }
  /** Text in an encoding, NUL-padded within `size` bytes. */
  | { kind: "text"; encoding: TextEncoding; size: Expr }
  /** Framed union entries up to the end marker. */
  | { kind: "list"; union: UnionDef }
  /**
   * An unsigned integer stored as ASCII digits (tar's octal sizes and times):
   * `int` is its range and TypeScript type; the digits fill `spelling.size`
   * bytes (see {@link NumberText}).
   */
  | { kind: "textInt"; int: IntType; spelling: NumberText };

/**
 * How an integer is spelt as text: digits in `base`, zero-filled to the left,
 * then `terminator`, `size` bytes in all. That is the canonical spelling,
 * the one `write` makes; others (leading spaces, another terminator) are
 * read only into a kept property (see generator/emit/construct/text-number.ts).
 */
export interface NumberText {
  base: 8 | 10 | 16;
  size: number;
  /** Bytes after the digits, e.g. "\0" or "\0 " (tar's checksum). */
  terminator: string;
  /**
   * GNU tar's base-256 form for values the digits cannot hold: byte 0x80,
   * then the value big-endian in the other bytes (`base256: true`).
   */
  base256?: true;
}

const BASE_NAMES = { 8: "octal", 10: "decimal", 16: "hex" } as const;

/** `octal` and the like: how the schema names a base. */
export function baseName(base: NumberText["base"]): string {
  return BASE_NAMES[base];
}

/** `octal text of 8 bytes` and the like, for descriptions. */
export function numberTextName(s: NumberText): string {
  return `${baseName(s.base)} text of ${s.size} bytes ending ${JSON.stringify(s.terminator)}`;
}

/** The largest value the digits of a spelling hold. */
export function digitsMax(s: NumberText): bigint {
  return BigInt(s.base) ** BigInt(numberDigits(s)) - 1n;
}

/** The largest value a spelling and a type both hold (values above 2^53 are not read). */
export function textNumberMax(int: IntType, s: NumberText): bigint {
  const digits = s.base256 ? (1n << BigInt(8 * (s.size - 1))) - 1n : digitsMax(s);
  const type = (1n << BigInt(int.bits)) - 1n;
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  return [digits, type, safe].reduce((a, b) => (a < b ? a : b));
}

/** How many digits a number spelt this way has. */
export function numberDigits(s: NumberText): number {
  return s.size - s.terminator.length;
}

/**
 * What ends an array read up to a terminator rather than counted: `zeros`,
 * that many zero bytes where the next element would start (tar's two zero
 * blocks). The terminator is read and written after the last element.
 */
export interface ArrayEnd {
  kind: "zeros";
  size: number;
}

export type TextEncoding = "ascii" | "utf8" | "utf16le" | "utf16be";

export type ByteSize =
  | { kind: "expr"; expr: Expr }
  | { kind: "prefix"; length: IntType }
  /** Up to the first byte equal to `byte`, which follows them (PNG's NUL after a keyword). */
  | { kind: "terminated"; byte: number }
  | { kind: "fill" };

export interface Doc {
  doc: string | undefined;
  loc: Loc;
}

export interface Validation {
  check: Expr;
  message: string;
  loc: Loc;
}

/** A member of a record, in layout order. */
export type Member =
  | ValueField
  | ByteOrderMember
  | SwitchMember
  | ConstField
  | MagicField
  | ChecksumField
  | ComputedField
  | FlagsField
  | BitfieldMember
  | HighMember
  | MirrorMember
  | PaddingMember
  | GroupMember
  | LetMember;

/** A field stored in the value. */
export interface ValueField extends Doc {
  kind: "value";
  name: string;
  type: FieldType;
  /** Present only when this holds; the value's property is then optional. */
  cond: Expr | undefined;
  /**
   * Where the field is, from the start of the enclosing record, when it is
   * not stored in sequence (see {@link isPositioned}).
   */
  at: Expr | undefined;
  /**
   * Set when `at` counts from the start of the input (byte 0 of the buffer)
   * rather than of the record (`from: input`): a pointer to a structure
   * elsewhere, such as a ZIP entry's local header. It is read and written
   * there, and takes no room in its record (see {@link isPointer}).
   */
  fromInput?: true;
  valid: Validation[];
  /** Named bit masks of an integer field, documented and exported as constants. */
  bits: FlagBit[];
  /** Holds a union's tag (only in a fallback variant). */
  isTag: boolean;
  /**
   * The value assumed when the field is missing from an S-expression; a
   * value equal to it is left out when printing (ppx_sexp_conv's
   * `[@default]` with `[@sexp_drop_default]`).
   */
  default: DefaultValue | undefined;
  /** How an absent conditional field prints: `option` as `()` / `(x)`, `omit` by leaving it out. */
  absent: "option" | "omit";
  /**
   * For a fixed-size string (or string enum): the property keeping the bytes
   * after the terminating NUL, up to the last non-zero one, when any is not
   * zero (see generator/emit/construct/string-tail.ts). Without it such
   * bytes are an error. For a text-encoded number (`keep:` in the schema):
   * the property keeping all its bytes when they are not the canonical
   * spelling of its value (see generator/emit/construct/text-number.ts).
   */
  tail: string | undefined;
  /**
   * For a record found by searching backwards from the end of the input
   * (see generator/emit/construct/search.ts): how many bytes from the end
   * the search looks at. The field is its record's last member, right after
   * size-less `bytes` that run up to where the search found it.
   */
  search: Search | undefined;
  /**
   * Set when the value is stored in two halves far apart: this field's bytes
   * hold its low `lo.bits` bits, the later {@link HighMember} `high` the bits
   * above. `type` is then the whole value's type (unsigned, at least `bits`
   * wide); see {@link storedType}.
   */
  split: { lo: IntType; high: string; bits: number } | undefined;
  /**
   * A stored integer that means "absent" (`none: -1`): the property is
   * undefined when the field holds it, and writing undefined stores it.
   */
  none: bigint | undefined;
}

/**
 * A backward search for a record: the candidates are the positions within
 * the last `within` bytes of the input where `signature` (the record's
 * leading magic or constant, as stored) starts; the match is the one
 * closest to the end from which the record reads without error and ends
 * exactly at the end of the input.
 */
export interface Search {
  within: number;
  /** The stored bytes of the record's first member, one character a byte. */
  signature: string;
}

/** The type stored in a value field's own bytes: its low half when split, else its type. */
export function storedType(m: ValueField): FieldType {
  return m.split?.lo ?? m.type;
}

/** Can a value field's property be undefined (an `if`, or a `none` value)? */
export function isOptionalField(m: ValueField): boolean {
  return m.cond !== undefined || m.none !== undefined;
}

/** A field's default, already checked against its type. */
export type DefaultValue =
  | { kind: "int"; value: bigint }
  | { kind: "enum"; name: string }
  | { kind: "bytes"; value: string };

/** A magic number: checked on read, written on write, absent from the value. */
export interface ConstField extends Doc {
  kind: "const";
  name: string;
  type: IntType;
  value: bigint;
}

/** A magic byte string (`"conectix"`): checked on read, written on write, absent from the value. */
export interface MagicField extends Doc {
  kind: "magic";
  name: string;
  /** One character per byte, U+0000 to U+00FF. */
  value: string;
}

export type ChecksumAlgorithm =
  "crc32" | "crc32c" | "crc32c-raw" | "ones-complement-sum" | "byte-sum";

/**
 * A checksum over the bytes of the enclosing record (this field taken as
 * zero), or over those before it: computed on write, verified on read,
 * absent from the value.
 */
export interface ChecksumField extends Doc {
  kind: "checksum";
  name: string;
  type: IntType;
  algorithm: ChecksumAlgorithm;
  /**
   * `record`: every byte of the record, this field taken as zero. `before`:
   * the bytes from the record's start up to this field (ext4's superblock).
   */
  covers: "record" | "before";
  /**
   * `when: EXPR`: the field is a checksum only while EXPR holds (ext4's
   * `metadata_csum`); otherwise its bytes are zero, as padding is, or kept
   * in the optional property `keep` when some byte is not.
   */
  when: Expr | undefined;
  keep: string | undefined;
  /**
   * Stored as text (tar's header checksum, octal digits then NUL and space)
   * rather than as a binary integer; the field is then taken as spaces, not
   * zeros, while computing it.
   */
  text: NumberText | undefined;
}

/**
 * What a computed field holds: the byte offset of a later top-level member
 * from the start of the record (`offset`) or of the byte just past it
 * (`end`: the record's size, when it is the last), the size in bytes of a later sibling whose
 * `size` is this field, or the number of entries of a later sibling array
 * whose `count` is this field.
 */
export type ComputedOf = "offset" | "end" | "size" | "count";

/** A field computed on write from the rest of the value; read, checked, then dropped. */
export interface ComputedField extends Doc {
  kind: "computed";
  name: string;
  type: IntType;
  of: ComputedOf;
  /** The member whose offset, size or count this is. */
  target: string;
  valid: Validation[];
}

/**
 * The members an `offset(F)` or `end(F)` counts: those before F, and for
 * `end` F too. Their size is the value write stores.
 */
export function membersBeforeTarget(members: readonly Member[], m: ComputedField): Member[] {
  const index = members.findIndex((x) => "name" in x && x.name === m.target);
  return members.slice(0, m.of === "end" ? index + 1 : index);
}

/** How a computed field is written in a schema: `offset(extensions)`. */
export function computedText(m: ComputedField): string {
  return `${m.of}(${m.target})`;
}

/**
 * An integer whose named bits become boolean properties; the other bits are
 * kept. Flattened (the default), the bits and `unknown` are properties of
 * the record; `nested`, they are properties of one object, the property
 * `name`, so bit names have a namespace of their own and the word is an
 * integer in expressions.
 */
export interface FlagsField extends Doc {
  kind: "flags";
  name: string;
  type: IntType;
  flags: FlagBit[];
  /** Property holding the bits that have no name. */
  unknown: string;
  /** Only a nested word may have one. */
  cond: Expr | undefined;
  nested?: NestedFlags | undefined;
}

/** How a nested flags word's object is typed and printed. */
export interface NestedFlags {
  /** The object's interface: the enclosing record's (or group's) type name, `_`, the word's name. */
  typeName: string;
  /** How an absent conditional word prints (see {@link ValueField.absent}). */
  absent: "option" | "omit";
}

/**
 * A nested flags word as the group it is typed, compared and printed like:
 * one property holding an object whose members are the flattened word's.
 */
export function flagsGroup(m: FlagsField & { nested: NestedFlags }): GroupMember {
  return {
    kind: "group",
    name: m.name,
    typeName: m.nested.typeName,
    cond: m.cond,
    at: undefined,
    members: [{ ...m, nested: undefined, cond: undefined }],
    absent: m.nested.absent,
    doc: m.doc,
    loc: m.loc,
  };
}

/** The properties a flags word gives its record: the word (nested) or its bits and unknown bits. */
export function flagsProperties(w: FlagsField): string[] {
  return w.nested !== undefined ? [w.name] : [...w.flags.map((f) => f.name), w.unknown];
}

/** Is `m` a nested flags word? */
export function isNestedFlags(m: Member): m is FlagsField & { nested: NestedFlags } {
  return m.kind === "flags" && m.nested !== undefined;
}

/**
 * A word of 1 to 8 bytes split into unsigned integers of any width, each a
 * property. The parts are listed in storage order: in a big-endian word
 * the first takes the most significant bits, in a little-endian word the
 * least significant, so either way the first part starts in the first byte.
 * The parts fill the word exactly, so every bit read is kept.
 */
export interface BitfieldMember extends Doc {
  kind: "bitfield";
  /** Names the word (for `offset(...)` and errors); not a property. */
  name: string;
  bytes: number;
  /**
   * `chosen` after a `byte_order` member (a 1-, 2- or 4-byte word): the
   * parts' shifts are then the little-endian ones, and in a big-endian
   * input a part's shift is {@link bigEndianShift}.
   */
  endian: ByteOrder;
  parts: BitPart[];
}

export interface BitPart extends Doc {
  name: string;
  /** Width in bits, 1 to 64; a part over 32 bits is a bigint. */
  bits: number;
  /** Position of its least significant bit, counted from bit 0 of the word. */
  shift: number;
  valid: Validation[];
}

/** A part's shift in a big-endian word, from its little-endian one: the parts run the other way. */
export function bigEndianShift(m: BitfieldMember, p: BitPart): number {
  return m.bytes * 8 - p.shift - p.bits;
}

/** Is a bit field part a bigint in the value? */
export function isBigPart(p: BitPart): boolean {
  return p.bits > 32;
}

/**
 * The high half of a value stored in two places (`high: blocks_count`): the
 * bits of `low`'s value above `low.split.lo`. It has no property of its own.
 */
export interface HighMember extends Doc {
  kind: "high";
  name: string;
  type: IntType;
  /** The field whose value this completes (it has `split`). */
  low: ValueField;
  /** The bit of the whole value this half's bit 0 stands for: the low half's width. */
  shift: number;
}

/**
 * The second copy of an integer stored in both byte orders (`endian: both`,
 * ISO 9660's 7.2.3 and 7.3.3): the big-endian one, right after the
 * little-endian field `of`. Read checks the copies agree; write stores the
 * field's value again. It has no property of its own.
 */
export interface MirrorMember extends Doc {
  kind: "mirror";
  /** The field (little-endian, just before) whose value this repeats. */
  of: string;
  /** The copy's type: the field's, big-endian. */
  type: IntType;
}

export interface FlagBit extends Doc {
  bit: number;
  name: string;
  /** A default of false lets S-expressions leave the bit out while it is clear. */
  defaultFalse: boolean;
}

/** Zero bytes: checked on read, written on write. */
export interface PaddingMember extends Doc {
  kind: "padding";
  /** Bytes of zeros, when a number. */
  size: number;
  /** The size, when an expression over earlier fields (then `size` is 0). */
  sizeExpr: Expr | undefined;
  cond: Expr | undefined;
  /**
   * For conditional padding: the conditional field just before it, with the
   * same condition. A value has no property for padding, so on write the
   * padding is present exactly when that field is.
   */
  follows: string | undefined;
  /**
   * For padding that runs to the end of the input (or the enclosing
   * payload): the property holding how many zero bytes there are (tar's
   * zeros up to the end of the last record). Then `size` is 0.
   */
  rest: string | undefined;
  /**
   * The property keeping the padding's bytes when any is not zero (see
   * generator/emit/construct/padding-keep.ts). Without it such bytes are an
   * error.
   */
  keep: string | undefined;
}

/** Members stored inline but gathered into one optional property. */
export interface GroupMember extends Doc {
  kind: "group";
  name: string;
  typeName: string;
  cond: Expr | undefined;
  /** Where the group is, from the start of the enclosing record, when not in sequence. */
  at: Expr | undefined;
  members: Member[];
  /** How an absent group prints in S-expressions (see {@link ValueField.absent}). */
  absent: "option" | "omit";
}

/**
 * Sets the byte order of the members after it (those without an `endian`
 * of their own) at run time: little-endian when `on` equals `little`,
 * big-endian when it equals `big`, an error otherwise.
 */
export interface ByteOrderMember extends Doc {
  kind: "byteOrder";
  on: Expr;
  /** The schema text of `on`, for error messages. */
  onText: string;
  little: number;
  big: number;
  /** How the values read in errors: `Lsb (little-endian)`. */
  littleName: string;
  bigName: string;
}

/**
 * One of several layouts, chosen at run time by `on`. A field every case
 * has, as an integer or an enum, is one property (`fields`) with the widest
 * type any case gives it, and later members may use it. A field only some
 * cases have, or of another type, is `only`: a property present exactly
 * when one of its cases is selected.
 */
export interface SwitchMember extends Doc {
  kind: "switch";
  on: Expr;
  onText: string;
  cases: SwitchCase[];
  /** The integer and enum properties every case has, in the first case's order, with their merged types. */
  fields: ValueField[];
  /**
   * The flags words the cases have (each case has each, naming the same
   * bits), in the first case's order, each with the widest width any case
   * gives it; the cases hold their own copies, read and written at their
   * own widths.
   */
  flags: FlagsField[];
  /**
   * The other properties, each with the type every case holding it gives it
   * and a `cond` (the test of those cases) when not every case holds it; the
   * cases hold their own copies, which are the ones read and written.
   */
  only: ValueField[];
  /**
   * When `on` names a field every case holds at the same offset (a VFAT
   * entry's attribute byte, after its name): where it is from the switch's
   * start and its type. Read picks the case by reading it there first.
   */
  ahead?: SelectorAhead;
}

export interface SelectorAhead {
  offset: number;
  type: IntType;
}

export interface SwitchCase {
  /**
   * The value of `on` that selects it, and how it is written in the schema;
   * `undefined` for the default case, which any other value selects.
   */
  when: number | undefined;
  whenName: string;
  /**
   * Its fields, fixed-size padding and lets. A field of `only` carries the
   * property's `cond` here too, so the value code treats it as conditional.
   * Every case gives each of the switch's lets (see {@link caseLets}).
   */
  members: Member[];
  loc: Loc;
}

/**
 * A switch's merged fields and flags words, in the order of its first case
 * (which has them all): the order its value's properties are in.
 */
export function mergedInOrder(m: SwitchMember): (ValueField | FlagsField)[] {
  const byName = new Map<string, ValueField | FlagsField>(
    [...m.fields, ...m.flags].map((x) => [x.name, x]),
  );
  return (m.cases[0]?.members ?? []).flatMap((x) => {
    const merged = "name" in x && x.kind !== "let" ? byName.get(x.name) : undefined;
    return merged === undefined ? [] : [merged];
  });
}

/** A switch's properties, in {@link valueMembers}' order: merged fields and flags words, then the others. */
export function switchProperties(m: SwitchMember): string[] {
  return [
    ...mergedInOrder(m).flatMap((x) => (x.kind === "flags" ? flagsProperties(x) : [x.name])),
    ...m.only.map((f) => f.name),
  ];
}

/** A switch's cases as its `switch` statement lists them: the default case last. */
export function casesInOrder(m: SwitchMember): SwitchCase[] {
  return [
    ...m.cases.filter((k) => k.when !== undefined),
    ...m.cases.filter((k) => k.when === undefined),
  ];
}

/**
 * The lets a switch's cases give (each case gives every one): after the
 * switch each is the selected case's value, which later members may use.
 */
export function caseLets(m: SwitchMember): LetMember[] {
  return (m.cases[0]?.members ?? []).filter((x): x is LetMember => x.kind === "let");
}

/**
 * A case let as one expression, for where the whole value is at hand:
 * `on == 0 ? ext32.fat_size_32 : fat_size_16`, the cases tested in
 * `switch` order and the last (the default, if any) taken otherwise. Its
 * branches use fields only their case has, which are there when it is taken.
 */
export function caseLetValue(m: SwitchMember, name: string): Expr {
  const ordered = casesInOrder(m);
  const valueIn = (k: SwitchCase): Expr =>
    k.members.find((x): x is LetMember => x.kind === "let" && x.name === name)!.value;
  const col = m.on.col;
  return ordered.slice(0, -1).reduceRight<Expr>(
    (rest, k) => ({
      kind: "choose",
      cond: {
        kind: "binary",
        op: "==",
        left: m.on,
        right: {
          kind: "num",
          value: BigInt(k.when!),
          col,
          ...(k.whenName === String(k.when) ? {} : { name: k.whenName }),
        },
        col,
      },
      then: valueIn(k),
      else: rest,
      col,
    }),
    valueIn(ordered[ordered.length - 1]!),
  );
}

/** When case `k` is selected, as text: `kind is Ping`, or for the default `kind is none of Ping, Data`. */
export function caseCondition(m: SwitchMember, k: SwitchCase, quote = ""): string {
  const on = `${quote}${m.onText}${quote}`;
  if (k.when !== undefined) return `${on} is ${k.whenName}`;
  const others = m.cases.flatMap((c) => (c.when === undefined ? [] : [c.whenName]));
  return `${on} is ${others.length === 1 ? "not" : "none of"} ${others.join(", ")}`;
}

/**
 * A value worked out from earlier fields (`let: cluster_count`): not stored
 * and not a property of the value. Later expressions use it like an
 * earlier field; read works it out once, write and sizeof from the value's
 * fields in the same way. A top-level member of a record.
 */
export interface LetMember extends Doc {
  kind: "let";
  name: string;
  value: Expr;
  /** Is it a bigint (its expression uses 64-bit values), else a number? */
  bigint: boolean;
}

/** A record's parameter: an integer given by whoever reads or writes it, not stored. */
export interface Param extends Doc {
  name: string;
  /** An integer of at most 32 bits, or an integer enum (passed as its stored value). */
  type: IntType | EnumDef;
}

export interface RecordDef extends Doc {
  kind: "record";
  name: string;
  members: Member[];
  /** Integers its members' expressions may use, passed in by the enclosing record (`args`). */
  params: Param[];
  /**
   * The bytes between its positioned parts: `zero` (read checks them, write
   * fills them), or `untouched` (they belong to no member: read ignores
   * them, write leaves them as the buffer holds them), for a file's tables
   * found by offsets among data the schema does not describe (ELF).
   */
  gaps: "zero" | "untouched";
}

export interface EnumValue extends Doc {
  name: string;
  /** A number for integer enums, a byte string for string enums. */
  value: number | string;
}

/**
 * How `compare` orders a type's constructors (see generator/order.ts): those
 * without arguments first, then in schema order (`declared`, as OCaml orders
 * a plain variant) or by OCaml's hash of the name (`hash`, as OCaml orders a
 * polymorphic variant).
 */
export type VariantOrder = "declared" | "hash";

export interface EnumDef extends Doc {
  kind: "enum";
  name: string;
  base: IntType | FixedStringType;
  /** An open enum keeps unknown values as `{ unknown }`; a closed one rejects them. */
  open: boolean;
  order: VariantOrder;
  values: EnumValue[];
}

export interface Variant extends Doc {
  name: string;
  /** The tag, or undefined for the fallback variant. */
  tag: number | undefined;
  members: ValueField[];
  /** An entry of this variant ends a list: it is the list's last (PNG's IEND). */
  last: boolean;
}

/** The parts of a framed entry, in the order a framing's `header` and `covers` name them. */
export type FramePart = "tag" | "length" | "payload";

/**
 * A checksum stored after each entry's payload (PNG's CRC-32 over chunk
 * type and data): computed on write, verified on read, not in the value.
 */
export interface Trailer extends Doc {
  name: string;
  type: IntType;
  algorithm: ChecksumAlgorithm;
  /** The parts it is computed over: a run of consecutive parts, in storage order. */
  covers: FramePart[];
}

export interface UnionDef extends Doc {
  kind: "union";
  name: string;
  tag: IntType;
  length: IntType;
  /** The header's order: the tag first (the default) or the length first (PNG). */
  lengthFirst: boolean;
  /** Payloads are padded with zeros to a multiple of this. */
  align: number;
  /** A checksum after each entry's payload (and after the end marker), if any. */
  trailer: Trailer | undefined;
  /**
   * The tag that ends a list (written with length 0, not an entry), or
   * undefined when the list ends on an entry of a `last` variant instead.
   */
  end: number | undefined;
  /**
   * The variant an end marker with a non-zero length reads as (one field,
   * `length`), always the list's last entry; undefined if such a marker is
   * an error (see generator/emit/construct/end-length.ts).
   */
  endKept: Variant | undefined;
  /**
   * Non-zero padding after a payload is kept in the entry's `padding`
   * property rather than refused (see generator/emit/construct/union-padding.ts).
   */
  paddingKept: boolean;
  variants: Variant[];
  fallback: Variant | undefined;
  order: VariantOrder;
}

export type TypeDef = RecordDef | EnumDef | UnionDef;

export interface Model {
  /** Schema file, relative to the project, e.g. `schema/qcow2.yaml`. */
  file: string;
  format: string;
  doc: string | undefined;
  endian: Endian;
  root: RecordDef;
  /** In schema order. */
  types: TypeDef[];
}

/** The name of a kept end marker's one field (`{ kind: "End", length }`). */
export const END_LENGTH_FIELD = "length";
/** The property a union with `padding: keep` keeps non-zero padding in. */
export const UNION_PADDING_PROPERTY = "padding";

/**
 * Every kind an entry of a union list can have: the variants, then the kept
 * end marker (which has no tag of its own in `variants`).
 */
export function unionKinds(u: UnionDef): Variant[] {
  return u.endKept === undefined ? u.variants : [...u.variants, u.endKept];
}

/** Bytes of an entry's header: its tag and its length. */
export function headerSize(u: UnionDef): number {
  return intSize(u.tag) + intSize(u.length);
}

/** Where an entry's tag and length are, from the start of the entry. */
export function tagOffset(u: UnionDef): number {
  return u.lengthFirst ? intSize(u.length) : 0;
}

export function lengthOffset(u: UnionDef): number {
  return u.lengthFirst ? 0 : intSize(u.tag);
}

/** Bytes of the trailer after each payload (0 without one). */
export function trailerSize(u: UnionDef): number {
  return u.trailer === undefined ? 0 : intSize(u.trailer.type);
}

/** The variants whose entries end a list. */
export function lastVariants(u: UnionDef): Variant[] {
  return u.variants.filter((v) => v.last);
}

/** Bytes an integer type occupies. */
export function intSize(t: IntType): number {
  return t.bits / 8;
}

/** The size of a value of this type when it does not depend on the value. */
export function fixedTypeSize(t: FieldType): number | undefined {
  switch (t.kind) {
    case "int":
      return intSize(t);
    case "enum":
      return t.enum.base.kind === "int" ? intSize(t.enum.base) : t.enum.base.size;
    case "fixedString":
      return t.size;
    case "uuid":
      return 16;
    case "textInt":
      return t.spelling.size;
    case "text":
      return t.size.kind === "num" ? Number(t.size.value) : undefined;
    case "record":
      return fixedRecordSize(t.record.members);
    case "array": {
      const element = fixedRecordSize(t.element.members);
      if (t.count?.kind !== "num" || t.end !== undefined) return undefined;
      // Strided records take their stride each (when it is a number), whatever their own size.
      if (t.stride !== undefined)
        return t.stride.kind === "num" ? Number(t.count.value) * Number(t.stride.value) : undefined;
      return element !== undefined ? Number(t.count.value) * element : undefined;
    }
    case "bytes":
    case "list":
      return undefined;
  }
}

/** Is `m` placed by an `at` expression rather than stored in sequence? */
export function isPositioned(m: Member): m is (ValueField | GroupMember) & { at: Expr } {
  return (m.kind === "value" || m.kind === "group") && m.at !== undefined;
}

/**
 * Is `m` a pointer (`at` with `from: input`): placed from the start of the
 * input, and no part of its record's extent?
 */
export function isPointer(m: Member): m is ValueField & { at: Expr; fromInput: true } {
  return m.kind === "value" && m.at !== undefined && m.fromInput === true;
}

/**
 * Is `def` found from the end with nothing before it in sequence: its first
 * member a searched record, the others positioned (`gaps: untouched`)?
 */
export function searchedFirst(def: { members: readonly Member[] }): ValueField | undefined {
  const first = def.members[0];
  return first?.kind === "value" && first.search !== undefined ? first : undefined;
}

/**
 * The integer fields of a record that an expression may name through a
 * field holding it (`end.cd_offset`): its top-level plain integer fields
 * that are always there, and theirs in records it holds, by dotted path,
 * with whether each is a bigint.
 */
export function dottedFields(record: RecordDef): { path: string; int: IntType }[] {
  const result: { path: string; int: IntType }[] = [];
  for (const m of record.members) {
    if (m.kind !== "value" || m.cond !== undefined || m.none !== undefined) continue;
    if (m.at !== undefined) continue;
    if (m.type.kind === "int") result.push({ path: m.name, int: m.type });
    if (m.type.kind === "textInt") result.push({ path: m.name, int: m.type.int });
    if (m.type.kind === "record")
      for (const inner of dottedFields(m.type.record))
        result.push({ path: `${m.name}.${inner.path}`, int: inner.int });
  }
  return result;
}

const reachMemo = new WeakMap<object, boolean>();

/** Does writing a value of these members write anything through a pointer (`from: input`)? */
export function reachesOut(def: { members: readonly Member[] }, seen = new Set<object>()): boolean {
  const known = reachMemo.get(def);
  if (known !== undefined) return known;
  if (seen.has(def)) return false;
  seen.add(def);
  const result = def.members.some((m) => memberReaches(m, seen));
  if ("kind" in def) reachMemo.set(def, result);
  return result;
}

function memberReaches(m: Member, seen: Set<object>): boolean {
  if (isPointer(m)) return true;
  if (m.kind === "group") return m.members.some((x) => memberReaches(x, seen));
  if (m.kind !== "value") return false;
  const t = m.type;
  if (t.kind === "record") return reachesOut(t.record, seen);
  if (t.kind === "array") return reachesOut(t.element, seen);
  return false;
}

/** The size of a member that is always present with the same size, else undefined. */
export function fixedMemberSize(m: Member): number | undefined {
  if ("cond" in m && m.cond !== undefined) return undefined;
  if (isPositioned(m)) return undefined;
  switch (m.kind) {
    case "value":
      return fixedTypeSize(storedType(m));
    case "magic":
      return m.value.length;
    case "const":
    case "computed":
    case "flags":
    case "high":
    case "mirror":
      return intSize(m.type);
    case "checksum":
      return m.text === undefined ? intSize(m.type) : m.text.size;
    case "bitfield":
      return m.bytes;
    case "byteOrder":
    case "let":
      return 0;
    case "switch":
      // Each case checks its own bounds, even when all take the same room.
      return undefined;
    case "padding":
      return m.sizeExpr === undefined && m.rest === undefined ? m.size : undefined;
    case "group":
      return fixedRecordSize(m.members);
  }
}

/** The size of a sequence of members if it is fixed. */
export function fixedRecordSize(members: Member[]): number | undefined {
  let total = 0;
  for (const m of members) {
    const size = fixedMemberSize(m);
    if (size === undefined) return undefined;
    total += size;
  }
  return total;
}

/** Does a type hold 64-bit integers, represented as bigint? */
export function isBigInt(t: IntType): boolean {
  return t.bits === 64;
}

/**
 * The members as the value sees them: a switch stands for its properties
 * (merged fields and flags words in its first case's order, then fields
 * only some cases have), and a byte order, a let or a both-endian field's
 * second copy, which hold no value, for nothing. For the emitters of
 * types, comparison and S-expressions, which follow properties.
 */
export function valueMembers(members: readonly Member[]): Member[] {
  return members.flatMap((m) =>
    m.kind === "switch"
      ? [...mergedInOrder(m), ...m.only]
      : m.kind === "byteOrder" || m.kind === "let" || m.kind === "mirror"
        ? []
        : [m],
  );
}

/** Does a group hold a checksum of its own (at its top level), which covers the group? */
export function hasChecksum(members: readonly Member[]): boolean {
  return members.some((m) => m.kind === "checksum");
}
