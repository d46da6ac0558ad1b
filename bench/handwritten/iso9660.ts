/**
 * An ISO 9660 primary volume descriptor codec written by hand for the
 * benchmark: the same fields, checks and value shape as
 * generated/iso9660.ts (space-padded identifiers without their trailing
 * spaces, integers stored in both byte orders checked to agree, dates as
 * 16 decimal digits and an offset, the root directory's record with its
 * flags as booleans), as fast as we can write it.
 */
import type {
  DateTime,
  RootDirectoryRecord,
  PrimaryVolumeDescriptor,
  RecordingTime,
} from "../../generated/iso9660.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import {
  bytesToString,
  firstNonZero,
  isByteString,
  isU32,
  stringToBytes,
  viewOf,
} from "./common.js";

const SIZE = 2048;

/** A space-padded identifier at [o, o + n): its text without trailing spaces, or undefined if it holds a NUL. */
function readSpaced(b: Uint8Array, o: number, n: number): string | undefined {
  let end = o + n;
  const nul = b.indexOf(0, o);
  if (nul !== -1 && nul < end) return undefined;
  while (end > o && b[end - 1] === 0x20) end--;
  return bytesToString(b, o, end);
}

/** `n` decimal digits at `o`, or -1 if any byte is not a digit. */
function digits(b: Uint8Array, o: number, n: number): number {
  let v = 0;
  for (let i = o; i < o + n; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function readDate(b: Uint8Array, d: DataView, o: number): DateTime | undefined {
  const year = digits(b, o, 4);
  const month = digits(b, o + 4, 2);
  const day = digits(b, o + 6, 2);
  const hour = digits(b, o + 8, 2);
  const minute = digits(b, o + 10, 2);
  const second = digits(b, o + 12, 2);
  const hundredths = digits(b, o + 14, 2);
  if ((year | month | day | hour | minute | second | hundredths) < 0) return undefined;
  return { year, month, day, hour, minute, second, hundredths, gmt_offset: d.getInt8(o + 16) };
}

function readRecord(b: Uint8Array, d: DataView, o: number): RootDirectoryRecord | undefined {
  if (b[o] !== 34 || b[o + 32] !== 1) return undefined;
  const extent = d.getUint32(o + 2, true);
  const data_length = d.getUint32(o + 10, true);
  const volume_sequence_number = d.getUint16(o + 28, true);
  if (
    d.getUint32(o + 6) !== extent ||
    d.getUint32(o + 14) !== data_length ||
    d.getUint16(o + 30) !== volume_sequence_number
  )
    return undefined;
  const recorded: RecordingTime = {
    years_since_1900: b[o + 18]!,
    month: b[o + 19]!,
    day: b[o + 20]!,
    hour: b[o + 21]!,
    minute: b[o + 22]!,
    second: b[o + 23]!,
    gmt_offset: d.getInt8(o + 24),
  };
  const flags = b[o + 25]!;
  return {
    extended_attribute_length: b[o + 1]!,
    extent,
    data_length,
    recorded,
    hidden: (flags & 0x01) !== 0,
    directory: (flags & 0x02) !== 0,
    associated: (flags & 0x04) !== 0,
    record_format: (flags & 0x08) !== 0,
    protection: (flags & 0x10) !== 0,
    multi_extent: (flags & 0x80) !== 0,
    other_flags: flags & 0x60,
    file_unit_size: b[o + 26]!,
    interleave_gap_size: b[o + 27]!,
    volume_sequence_number,
    name: b[o + 33]!,
  };
}

const fail = (at: number, message: string): CodecError => new CodecError("", at, message);

export function read(buf: Uint8Array, at = 0): Decoded<PrimaryVolumeDescriptor> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return fail(0, `offset ${at} is outside the buffer`);
  if (buf.length - at < SIZE) return fail(at, "truncated descriptor");
  const b = buf;
  const d = viewOf(buf);
  const o = at;
  if (b[o] !== 1 || d.getUint32(o + 1) !== 0x43443030 || b[o + 5] !== 0x31 || b[o + 6] !== 1)
    return fail(o, "not a primary volume descriptor");
  if (b[o + 7] !== 0 || b[o + 882] !== 0 || b[o + 881] !== 1) return fail(o, "bad fixed bytes");
  if (
    firstNonZero(b, o + 72, o + 80) !== -1 ||
    firstNonZero(b, o + 88, o + 120) !== -1 ||
    firstNonZero(b, o + 1395, o + 2048) !== -1
  )
    return fail(o, "non-zero unused bytes");
  const volume_space_size = d.getUint32(o + 80, true);
  const volume_set_size = d.getUint16(o + 120, true);
  const volume_sequence_number = d.getUint16(o + 124, true);
  const logical_block_size = d.getUint16(o + 128, true);
  const path_table_size = d.getUint32(o + 132, true);
  if (
    d.getUint32(o + 84) !== volume_space_size ||
    d.getUint16(o + 122) !== volume_set_size ||
    d.getUint16(o + 126) !== volume_sequence_number ||
    d.getUint16(o + 130) !== logical_block_size ||
    d.getUint32(o + 136) !== path_table_size
  )
    return fail(o + 80, "the two byte orders disagree");
  if (logical_block_size !== 512 && logical_block_size !== 1024 && logical_block_size !== 2048)
    return fail(o + 128, "bad logical block size");
  const system_id = readSpaced(b, o + 8, 32);
  const volume_id = readSpaced(b, o + 40, 32);
  const volume_set_id = readSpaced(b, o + 190, 128);
  const publisher_id = readSpaced(b, o + 318, 128);
  const data_preparer_id = readSpaced(b, o + 446, 128);
  const application_id = readSpaced(b, o + 574, 128);
  const copyright_file_id = readSpaced(b, o + 702, 37);
  const abstract_file_id = readSpaced(b, o + 739, 37);
  const bibliographic_file_id = readSpaced(b, o + 776, 37);
  if (
    system_id === undefined ||
    volume_id === undefined ||
    volume_set_id === undefined ||
    publisher_id === undefined ||
    data_preparer_id === undefined ||
    application_id === undefined ||
    copyright_file_id === undefined ||
    abstract_file_id === undefined ||
    bibliographic_file_id === undefined
  )
    return fail(o, "an identifier holds a NUL");
  const root_directory = readRecord(b, d, o + 156);
  if (root_directory === undefined) return fail(o + 156, "bad root directory record");
  const creation = readDate(b, d, o + 813);
  const modification = readDate(b, d, o + 830);
  const expiration = readDate(b, d, o + 847);
  const effective = readDate(b, d, o + 864);
  if (
    creation === undefined ||
    modification === undefined ||
    expiration === undefined ||
    effective === undefined
  )
    return fail(o + 813, "a date is not digits");
  return {
    value: {
      system_id,
      volume_id,
      volume_space_size,
      volume_set_size,
      volume_sequence_number,
      logical_block_size,
      path_table_size,
      type_l_path_table: d.getUint32(o + 140, true),
      opt_type_l_path_table: d.getUint32(o + 144, true),
      type_m_path_table: d.getUint32(o + 148),
      opt_type_m_path_table: d.getUint32(o + 152),
      root_directory,
      volume_set_id,
      publisher_id,
      data_preparer_id,
      application_id,
      copyright_file_id,
      abstract_file_id,
      bibliographic_file_id,
      creation,
      modification,
      expiration,
      effective,
      application_use: bytesToString(b, o + 883, o + 1395),
    },
    end: at + SIZE,
  };
}

const isU8 = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xff;
const isU16 = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff;
const isI8 = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= -128 && (v as number) <= 127;

/** A text that space padding gives back: a byte string of at most `n` bytes, no NUL, no trailing space. */
function isSpaced(v: unknown, n: number): v is string {
  return (
    isByteString(v) &&
    v.length <= n &&
    !v.includes("\0") &&
    (v.length === 0 || v.charCodeAt(v.length - 1) !== 0x20)
  );
}

function isDate(t: DateTime): boolean {
  const under = (v: unknown, max: number): boolean =>
    Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
  return (
    typeof t === "object" &&
    t !== null &&
    under(t.year, 9999) &&
    under(t.month, 99) &&
    under(t.day, 99) &&
    under(t.hour, 99) &&
    under(t.minute, 99) &&
    under(t.second, 99) &&
    under(t.hundredths, 99) &&
    isI8(t.gmt_offset)
  );
}

function isRecord(r: RootDirectoryRecord): boolean {
  const t = r.recorded;
  return (
    typeof r === "object" &&
    r !== null &&
    isU8(r.extended_attribute_length) &&
    isU32(r.extent) &&
    isU32(r.data_length) &&
    typeof t === "object" &&
    t !== null &&
    isU8(t.years_since_1900) &&
    isU8(t.month) &&
    isU8(t.day) &&
    isU8(t.hour) &&
    isU8(t.minute) &&
    isU8(t.second) &&
    isI8(t.gmt_offset) &&
    typeof r.hidden === "boolean" &&
    typeof r.directory === "boolean" &&
    typeof r.associated === "boolean" &&
    typeof r.record_format === "boolean" &&
    typeof r.protection === "boolean" &&
    typeof r.multi_extent === "boolean" &&
    Number.isInteger(r.other_flags) &&
    (r.other_flags & ~0x60) === 0 &&
    isU8(r.file_unit_size) &&
    isU8(r.interleave_gap_size) &&
    isU16(r.volume_sequence_number) &&
    isU8(r.name)
  );
}

function check(v: PrimaryVolumeDescriptor): CodecError | undefined {
  if (
    !isSpaced(v.system_id, 32) ||
    !isSpaced(v.volume_id, 32) ||
    !isSpaced(v.volume_set_id, 128) ||
    !isSpaced(v.publisher_id, 128) ||
    !isSpaced(v.data_preparer_id, 128) ||
    !isSpaced(v.application_id, 128) ||
    !isSpaced(v.copyright_file_id, 37) ||
    !isSpaced(v.abstract_file_id, 37) ||
    !isSpaced(v.bibliographic_file_id, 37)
  )
    return fail(0, "bad identifier");
  if (
    !isU32(v.volume_space_size) ||
    !isU16(v.volume_set_size) ||
    !isU16(v.volume_sequence_number) ||
    !isU16(v.logical_block_size) ||
    !isU32(v.path_table_size) ||
    !isU32(v.type_l_path_table) ||
    !isU32(v.opt_type_l_path_table) ||
    !isU32(v.type_m_path_table) ||
    !isU32(v.opt_type_m_path_table)
  )
    return fail(0, "bad integer");
  const s = v.logical_block_size;
  if (s !== 512 && s !== 1024 && s !== 2048) return fail(0, "bad logical block size");
  if (!isRecord(v.root_directory)) return fail(0, "bad root directory record");
  if (
    !isDate(v.creation) ||
    !isDate(v.modification) ||
    !isDate(v.expiration) ||
    !isDate(v.effective)
  )
    return fail(0, "bad date");
  if (!isByteString(v.application_use) || v.application_use.length !== 512)
    return fail(0, "bad application use");
  return undefined;
}

/** Writes `text` at `o`, then spaces to `n` bytes. */
function writeSpaced(b: Uint8Array, o: number, n: number, text: string): void {
  stringToBytes(b, o, text);
  b.fill(0x20, o + text.length, o + n);
}

function writeDigits(b: Uint8Array, o: number, n: number, value: number): void {
  let v = value;
  for (let i = o + n - 1; i >= o; i--) {
    const digit = v % 10;
    b[i] = 0x30 + digit;
    v = (v - digit) / 10;
  }
}

function writeDate(b: Uint8Array, d: DataView, o: number, t: DateTime): void {
  writeDigits(b, o, 4, t.year);
  writeDigits(b, o + 4, 2, t.month);
  writeDigits(b, o + 6, 2, t.day);
  writeDigits(b, o + 8, 2, t.hour);
  writeDigits(b, o + 10, 2, t.minute);
  writeDigits(b, o + 12, 2, t.second);
  writeDigits(b, o + 14, 2, t.hundredths);
  d.setInt8(o + 16, t.gmt_offset);
}

function both32(d: DataView, o: number, v: number): void {
  d.setUint32(o, v, true);
  d.setUint32(o + 4, v);
}

function both16(d: DataView, o: number, v: number): void {
  d.setUint16(o, v, true);
  d.setUint16(o + 2, v);
}

export function write(v: PrimaryVolumeDescriptor, buf: Uint8Array, at = 0): number | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < SIZE)
    return fail(at, `needs ${SIZE} bytes at offset ${at}`);
  const problem = check(v);
  if (problem !== undefined) return problem;
  const b = buf;
  const d = viewOf(buf);
  const o = at;
  b[o] = 1;
  b.set([0x43, 0x44, 0x30, 0x30, 0x31], o + 1);
  b[o + 6] = 1;
  b[o + 7] = 0;
  writeSpaced(b, o + 8, 32, v.system_id);
  writeSpaced(b, o + 40, 32, v.volume_id);
  b.fill(0, o + 72, o + 80);
  both32(d, o + 80, v.volume_space_size);
  b.fill(0, o + 88, o + 120);
  both16(d, o + 120, v.volume_set_size);
  both16(d, o + 124, v.volume_sequence_number);
  both16(d, o + 128, v.logical_block_size);
  both32(d, o + 132, v.path_table_size);
  d.setUint32(o + 140, v.type_l_path_table, true);
  d.setUint32(o + 144, v.opt_type_l_path_table, true);
  d.setUint32(o + 148, v.type_m_path_table);
  d.setUint32(o + 152, v.opt_type_m_path_table);
  const r = v.root_directory;
  const ro = o + 156;
  b[ro] = 34;
  b[ro + 1] = r.extended_attribute_length;
  both32(d, ro + 2, r.extent);
  both32(d, ro + 10, r.data_length);
  const t = r.recorded;
  b[ro + 18] = t.years_since_1900;
  b[ro + 19] = t.month;
  b[ro + 20] = t.day;
  b[ro + 21] = t.hour;
  b[ro + 22] = t.minute;
  b[ro + 23] = t.second;
  d.setInt8(ro + 24, t.gmt_offset);
  b[ro + 25] =
    (r.hidden ? 0x01 : 0) |
    (r.directory ? 0x02 : 0) |
    (r.associated ? 0x04 : 0) |
    (r.record_format ? 0x08 : 0) |
    (r.protection ? 0x10 : 0) |
    (r.multi_extent ? 0x80 : 0) |
    r.other_flags;
  b[ro + 26] = r.file_unit_size;
  b[ro + 27] = r.interleave_gap_size;
  both16(d, ro + 28, r.volume_sequence_number);
  b[ro + 32] = 1;
  b[ro + 33] = r.name;
  writeSpaced(b, o + 190, 128, v.volume_set_id);
  writeSpaced(b, o + 318, 128, v.publisher_id);
  writeSpaced(b, o + 446, 128, v.data_preparer_id);
  writeSpaced(b, o + 574, 128, v.application_id);
  writeSpaced(b, o + 702, 37, v.copyright_file_id);
  writeSpaced(b, o + 739, 37, v.abstract_file_id);
  writeSpaced(b, o + 776, 37, v.bibliographic_file_id);
  writeDate(b, d, o + 813, v.creation);
  writeDate(b, d, o + 830, v.modification);
  writeDate(b, d, o + 847, v.expiration);
  writeDate(b, d, o + 864, v.effective);
  b[o + 881] = 1;
  b[o + 882] = 0;
  stringToBytes(b, o + 883, v.application_use);
  b.fill(0, o + 1395, o + SIZE);
  return at + SIZE;
}

export function sizeof(_value: PrimaryVolumeDescriptor): number {
  return SIZE;
}
