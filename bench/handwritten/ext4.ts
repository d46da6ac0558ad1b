/**
 * An ext2/3/4 superblock codec written by hand for the benchmark: the same
 * fields, checks and value shape as generated/ext4.ts (block counts and
 * times as bigints joined from their low and high halves; mtime, the error
 * times and max_mnt_count undefined when stored as 0 or -1; the state bits
 * as booleans; open enums as names or `{ unknown }`; UUIDs as text; text
 * fields as byte strings with a non-zero tail after the NUL kept; reserved
 * bytes kept when not zero; the CRC-32C over bytes 0 to 1020 checked with
 * metadata_csum and computed on write), as fast as we can write it. The
 * CRC is the runtime's (the checksum benchmark times it on its own).
 */
import type {
  CreatorOs,
  EncryptionMode,
  ErrorPolicy,
  HashVersion,
  JournalWord,
  Superblock,
  Superblock_feature_compat,
  Superblock_feature_incompat,
  Superblock_feature_ro_compat,
} from "../../generated/ext4.js";
import { crc32c } from "../../runtime/checksum.js";
import { CodecError, type Decoded } from "../../runtime/codec.js";
import {
  bytesToString,
  firstNonZero,
  isByteString,
  isU32,
  isU64,
  isUuid,
  readU64le,
  readUuid,
  stringToBytes,
  viewOf,
  writeU64le,
  writeUuid,
} from "./common.js";

const SIZE = 1024;
const MAGIC = 0xef53;
const METADATA_CSUM = 0x400;
const TWO_32 = 0x100000000;

const ERROR_POLICIES: readonly (ErrorPolicy | undefined)[] = [
  undefined,
  "Continue",
  "Remount_ro",
  "Panic",
];
const CREATOR_OSES: readonly CreatorOs[] = ["Linux", "Hurd", "Masix", "FreeBSD", "Lites"];
const HASH_VERSIONS: readonly HashVersion[] = [
  "Legacy",
  "Half_md4",
  "Tea",
  "Legacy_unsigned",
  "Half_md4_unsigned",
  "Tea_unsigned",
  "Siphash",
];

/** A 64-bit count from its halves; one bigint when the high half is zero, as it mostly is. */
function join64(lo: number, hi: number): bigint {
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** A 40-bit time from its low 32 bits and high byte. */
function time40(lo: number, hi: number): bigint {
  return BigInt(hi * TWO_32 + lo);
}

/** The index of the first NUL in [from, to), or `to`. */
function nulIn(b: Uint8Array, from: number, to: number): number {
  const i = b.indexOf(0, from);
  return i === -1 || i > to ? to : i;
}

/** The non-zero bytes after a text field's NUL, up to the last non-zero one, or undefined. */
function tailOf(b: Uint8Array, nul: number, to: number): string | undefined {
  for (let i = to; i > nul + 1; i--) if (b[i - 1] !== 0) return bytesToString(b, nul + 1, i);
  return undefined;
}

/** Bytes [from, to) as a byte string when any is non-zero, else undefined. */
function keptBytes(b: Uint8Array, from: number, to: number): string | undefined {
  return firstNonZero(b, from, to) === -1 ? undefined : bytesToString(b, from, to);
}

export function read(buf: Uint8Array, at = 0): Decoded<Superblock> | CodecError {
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length)
    return new CodecError("", 0, `offset ${at} is outside the buffer`);
  if (buf.length - at < SIZE) return new CodecError("", at, "truncated superblock");
  const d = viewOf(buf);
  const log_block_size = d.getUint32(at + 24, true);
  if (log_block_size > 6) return new CodecError("log_block_size", at + 24, "must be at most 6");
  if (d.getUint16(at + 56, true) !== MAGIC) return new CodecError("magic", at + 56, "bad magic");
  const feature_ro_compat = d.getUint32(at + 100, true);
  const checksum = d.getUint32(at + 1020, true);
  const csum = (feature_ro_compat & METADATA_CSUM) !== 0;
  if (csum && checksum !== ~crc32c(buf, at, at + 1020) >>> 0)
    return new CodecError("checksum", at + 1020, "CRC-32C mismatch");

  const max_mnt_count = d.getInt16(at + 54, true);
  const state = d.getUint16(at + 58, true);
  const errorsRaw = d.getUint16(at + 60, true);
  const creatorRaw = d.getUint32(at + 72, true);
  const hashRaw = buf[at + 252]!;
  const mtimeLo = d.getUint32(at + 44, true);
  const mtimeHi = buf[at + 629]!;
  const firstErrorLo = d.getUint32(at + 408, true);
  const firstErrorHi = buf[at + 632]!;
  const lastErrorLo = d.getUint32(at + 460, true);
  const lastErrorHi = buf[at + 633]!;
  const volumeNul = nulIn(buf, at + 120, at + 136);
  const mountedNul = nulIn(buf, at + 136, at + 200);
  const firstFuncNul = nulIn(buf, at + 424, at + 456);
  const lastFuncNul = nulIn(buf, at + 480, at + 512);
  const optsNul = nulIn(buf, at + 512, at + 576);

  const jnl_blocks = new Array<JournalWord>(17);
  for (let i = 0; i < 17; i++) jnl_blocks[i] = { word: d.getUint32(at + 268 + 4 * i, true) };
  const encrypt_algos: EncryptionMode[] = [
    { mode: buf[at + 596]! },
    { mode: buf[at + 597]! },
    { mode: buf[at + 598]! },
    { mode: buf[at + 599]! },
  ];

  const value: Superblock = {
    inodes_count: d.getUint32(at, true),
    blocks_count: join64(d.getUint32(at + 4, true), d.getUint32(at + 336, true)),
    r_blocks_count: join64(d.getUint32(at + 8, true), d.getUint32(at + 340, true)),
    free_blocks_count: join64(d.getUint32(at + 12, true), d.getUint32(at + 344, true)),
    free_inodes_count: d.getUint32(at + 16, true),
    first_data_block: d.getUint32(at + 20, true),
    log_block_size,
    log_cluster_size: d.getUint32(at + 28, true),
    blocks_per_group: d.getUint32(at + 32, true),
    clusters_per_group: d.getUint32(at + 36, true),
    inodes_per_group: d.getUint32(at + 40, true),
    mtime: (mtimeLo | mtimeHi) === 0 ? undefined : time40(mtimeLo, mtimeHi),
    wtime: time40(d.getUint32(at + 48, true), buf[at + 628]!),
    mnt_count: d.getUint16(at + 52, true),
    max_mnt_count: max_mnt_count === -1 ? undefined : max_mnt_count,
    valid_fs: (state & 1) !== 0,
    error_fs: (state & 2) !== 0,
    orphan_fs: (state & 4) !== 0,
    state_unknown: state & ~7,
    errors: ERROR_POLICIES[errorsRaw] ?? { unknown: errorsRaw },
    minor_rev_level: d.getUint16(at + 62, true),
    lastcheck: time40(d.getUint32(at + 64, true), buf[at + 631]!),
    checkinterval: d.getUint32(at + 68, true),
    creator_os: CREATOR_OSES[creatorRaw] ?? { unknown: creatorRaw },
    rev_level: d.getUint32(at + 76, true),
    def_resuid: d.getUint16(at + 80, true),
    def_resgid: d.getUint16(at + 82, true),
    first_ino: d.getUint32(at + 84, true),
    inode_size: d.getUint16(at + 88, true),
    block_group_nr: d.getUint16(at + 90, true),
    feature_compat: readFeatureCompat(d.getUint32(at + 92, true)),
    feature_incompat: readFeatureIncompat(d.getUint32(at + 96, true)),
    feature_ro_compat: readFeatureRoCompat(feature_ro_compat),
    uuid: readUuid(buf, at + 104),
    volume_name: bytesToString(buf, at + 120, volumeNul),
    last_mounted: bytesToString(buf, at + 136, mountedNul),
    algorithm_usage_bitmap: d.getUint32(at + 200, true),
    prealloc_blocks: buf[at + 204]!,
    prealloc_dir_blocks: buf[at + 205]!,
    reserved_gdt_blocks: d.getUint16(at + 206, true),
    journal_uuid: readUuid(buf, at + 208),
    journal_inum: d.getUint32(at + 224, true),
    journal_dev: d.getUint32(at + 228, true),
    last_orphan: d.getUint32(at + 232, true),
    hash_seed: readUuid(buf, at + 236),
    def_hash_version: HASH_VERSIONS[hashRaw] ?? { unknown: hashRaw },
    jnl_backup_type: buf[at + 253]!,
    desc_size: d.getUint16(at + 254, true),
    default_mount_opts: d.getUint32(at + 256, true),
    first_meta_bg: d.getUint32(at + 260, true),
    mkfs_time: time40(d.getUint32(at + 264, true), buf[at + 630]!),
    jnl_blocks,
    min_extra_isize: d.getUint16(at + 348, true),
    want_extra_isize: d.getUint16(at + 350, true),
    flags: d.getUint32(at + 352, true),
    raid_stride: d.getUint16(at + 356, true),
    mmp_update_interval: d.getUint16(at + 358, true),
    mmp_block: readU64le(d, at + 360),
    raid_stripe_width: d.getUint32(at + 368, true),
    log_groups_per_flex: buf[at + 372]!,
    checksum_type: buf[at + 373]!,
    encryption_level: buf[at + 374]!,
    kbytes_written: readU64le(d, at + 376),
    snapshot_inum: d.getUint32(at + 384, true),
    snapshot_id: d.getUint32(at + 388, true),
    snapshot_r_blocks_count: readU64le(d, at + 392),
    snapshot_list: d.getUint32(at + 400, true),
    error_count: d.getUint32(at + 404, true),
    first_error_time:
      (firstErrorLo | firstErrorHi) === 0 ? undefined : time40(firstErrorLo, firstErrorHi),
    first_error_ino: d.getUint32(at + 412, true),
    first_error_block: readU64le(d, at + 416),
    first_error_func: bytesToString(buf, at + 424, firstFuncNul),
    first_error_line: d.getUint32(at + 456, true),
    last_error_time:
      (lastErrorLo | lastErrorHi) === 0 ? undefined : time40(lastErrorLo, lastErrorHi),
    last_error_ino: d.getUint32(at + 464, true),
    last_error_line: d.getUint32(at + 468, true),
    last_error_block: readU64le(d, at + 472),
    last_error_func: bytesToString(buf, at + 480, lastFuncNul),
    mount_opts: bytesToString(buf, at + 512, optsNul),
    usr_quota_inum: d.getUint32(at + 576, true),
    grp_quota_inum: d.getUint32(at + 580, true),
    overhead_clusters: d.getUint32(at + 584, true),
    backup_bg_first: d.getUint32(at + 588, true),
    backup_bg_second: d.getUint32(at + 592, true),
    encrypt_algos,
    encrypt_pw_salt: readUuid(buf, at + 600),
    lpf_ino: d.getUint32(at + 616, true),
    prj_quota_inum: d.getUint32(at + 620, true),
    checksum_seed: d.getUint32(at + 624, true),
    first_error_errcode: buf[at + 634]!,
    last_error_errcode: buf[at + 635]!,
    encoding: d.getUint16(at + 636, true),
    encoding_flags: d.getUint16(at + 638, true),
    orphan_file_inum: d.getUint32(at + 640, true),
  };
  const volume_name_tail = tailOf(buf, volumeNul, at + 136);
  if (volume_name_tail !== undefined) value.volume_name_tail = volume_name_tail;
  const last_mounted_tail = tailOf(buf, mountedNul, at + 200);
  if (last_mounted_tail !== undefined) value.last_mounted_tail = last_mounted_tail;
  if (buf[at + 375] !== 0) value.reserved_pad = bytesToString(buf, at + 375, at + 376);
  const first_error_func_tail = tailOf(buf, firstFuncNul, at + 456);
  if (first_error_func_tail !== undefined) value.first_error_func_tail = first_error_func_tail;
  const last_error_func_tail = tailOf(buf, lastFuncNul, at + 512);
  if (last_error_func_tail !== undefined) value.last_error_func_tail = last_error_func_tail;
  const mount_opts_tail = tailOf(buf, optsNul, at + 576);
  if (mount_opts_tail !== undefined) value.mount_opts_tail = mount_opts_tail;
  const reserved = keptBytes(buf, at + 644, at + 1020);
  if (reserved !== undefined) value.reserved = reserved;
  if (!csum && checksum !== 0) value.checksum_unused = bytesToString(buf, at + 1020, at + 1024);
  return { value, end: at + SIZE };
}

const isU8 = (v: unknown): v is number => typeof v === "number" && (v & 0xff) === v;
const isU16 = (v: unknown): v is number => typeof v === "number" && (v & 0xffff) === v;
const isI16 = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= -32768 && v <= 32767;
const isU40 = (v: unknown): v is bigint => typeof v === "bigint" && v >= 0n && v <= 0xffffffffffn;
/** An optional time: undefined, or a 40-bit value other than 0 (which stores "none"). */
const isTime = (v: unknown): boolean => v === undefined || (isU40(v) && v !== 0n);

/** The stored value of an open enum: its index in `names`, or its `{ unknown }` number. */
function enumCode<T>(
  v: T | { unknown: number },
  names: readonly (T | undefined)[],
  max: number,
): number {
  if (typeof v === "string") {
    const i = names.indexOf(v);
    return i;
  }
  if (typeof v !== "object" || v === null) return -1;
  const u = (v as { unknown: unknown }).unknown;
  return typeof u === "number" &&
    Number.isInteger(u) &&
    u >= 0 &&
    u <= max &&
    names[u] === undefined
    ? u
    : -1;
}

function textOk(v: unknown, size: number): v is string {
  return isByteString(v) && v.length <= size && !v.includes("\0");
}

function tailOk(tail: string | undefined, text: string, size: number): boolean {
  if (tail === undefined) return true;
  return (
    isByteString(tail) &&
    tail.length > 0 &&
    tail.charCodeAt(tail.length - 1) !== 0 &&
    tail.length <= size - text.length - 1
  );
}

function keptOk(v: string | undefined, size: number): boolean {
  if (v === undefined) return true;
  if (!isByteString(v) || v.length !== size) return false;
  for (let i = 0; i < size; i++) if (v.charCodeAt(i) !== 0) return true;
  return false;
}

function check(v: Superblock): string | undefined {
  if (typeof v !== "object" || v === null) return "not a Superblock";
  if (
    !isU32(v.inodes_count) ||
    !isU32(v.free_inodes_count) ||
    !isU32(v.first_data_block) ||
    !isU32(v.log_block_size) ||
    !isU32(v.log_cluster_size) ||
    !isU32(v.blocks_per_group) ||
    !isU32(v.clusters_per_group) ||
    !isU32(v.inodes_per_group) ||
    !isU32(v.checkinterval) ||
    !isU32(v.rev_level) ||
    !isU32(v.first_ino) ||
    !isU32(v.algorithm_usage_bitmap) ||
    !isU32(v.journal_inum) ||
    !isU32(v.journal_dev) ||
    !isU32(v.last_orphan) ||
    !isU32(v.default_mount_opts) ||
    !isU32(v.first_meta_bg) ||
    !isU32(v.flags) ||
    !isU32(v.raid_stripe_width) ||
    !isU32(v.snapshot_inum) ||
    !isU32(v.snapshot_id) ||
    !isU32(v.snapshot_list) ||
    !isU32(v.error_count) ||
    !isU32(v.first_error_ino) ||
    !isU32(v.first_error_line) ||
    !isU32(v.last_error_ino) ||
    !isU32(v.last_error_line) ||
    !isU32(v.usr_quota_inum) ||
    !isU32(v.grp_quota_inum) ||
    !isU32(v.overhead_clusters) ||
    !isU32(v.backup_bg_first) ||
    !isU32(v.backup_bg_second) ||
    !isU32(v.lpf_ino) ||
    !isU32(v.prj_quota_inum) ||
    !isU32(v.checksum_seed) ||
    !isU32(v.orphan_file_inum)
  )
    return "a u32 field is out of range";
  if (
    !isU16(v.mnt_count) ||
    !isU16(v.state_unknown) ||
    !isU16(v.minor_rev_level) ||
    !isU16(v.def_resuid) ||
    !isU16(v.def_resgid) ||
    !isU16(v.inode_size) ||
    !isU16(v.block_group_nr) ||
    !isU16(v.reserved_gdt_blocks) ||
    !isU16(v.desc_size) ||
    !isU16(v.min_extra_isize) ||
    !isU16(v.want_extra_isize) ||
    !isU16(v.raid_stride) ||
    !isU16(v.mmp_update_interval) ||
    !isU16(v.encoding) ||
    !isU16(v.encoding_flags)
  )
    return "a u16 field is out of range";
  if (
    !isU8(v.prealloc_blocks) ||
    !isU8(v.prealloc_dir_blocks) ||
    !isU8(v.jnl_backup_type) ||
    !isU8(v.log_groups_per_flex) ||
    !isU8(v.checksum_type) ||
    !isU8(v.encryption_level) ||
    !isU8(v.first_error_errcode) ||
    !isU8(v.last_error_errcode)
  )
    return "a u8 field is out of range";
  if (
    !isU64(v.blocks_count) ||
    !isU64(v.r_blocks_count) ||
    !isU64(v.free_blocks_count) ||
    !isU64(v.mmp_block) ||
    !isU64(v.kbytes_written) ||
    !isU64(v.snapshot_r_blocks_count) ||
    !isU64(v.first_error_block) ||
    !isU64(v.last_error_block)
  )
    return "a u64 field is out of range";
  if (!isU40(v.wtime) || !isU40(v.lastcheck) || !isU40(v.mkfs_time))
    return "a time is out of range";
  if (!isTime(v.mtime) || !isTime(v.first_error_time) || !isTime(v.last_error_time))
    return "an optional time is out of range, or 0 (leave it undefined)";
  if (v.max_mnt_count !== undefined && (!isI16(v.max_mnt_count) || v.max_mnt_count === -1))
    return "max_mnt_count: out of range, or -1 (leave it undefined)";
  if (
    typeof v.valid_fs !== "boolean" ||
    typeof v.error_fs !== "boolean" ||
    typeof v.orphan_fs !== "boolean"
  )
    return "a state flag is not a boolean";
  if ((v.state_unknown & 7) !== 0) return "state_unknown: sets a named bit";
  if (enumCode(v.errors, ERROR_POLICIES, 0xffff) < 0) return "errors: not an ErrorPolicy";
  if (enumCode(v.creator_os, CREATOR_OSES, 0xffffffff) < 0) return "creator_os: not a CreatorOs";
  if (enumCode(v.def_hash_version, HASH_VERSIONS, 0xff) < 0)
    return "def_hash_version: not a HashVersion";
  if (!isUuid(v.uuid) || !isUuid(v.journal_uuid) || !isUuid(v.hash_seed))
    return "a UUID is not canonical text";
  if (!isUuid(v.encrypt_pw_salt)) return "encrypt_pw_salt: not canonical UUID text";
  if (!textOk(v.volume_name, 16) || !textOk(v.last_mounted, 64) || !textOk(v.mount_opts, 64))
    return "a text field is not a byte string that fits";
  if (!textOk(v.first_error_func, 32) || !textOk(v.last_error_func, 32))
    return "an error function name is not a byte string that fits";
  if (
    !tailOk(v.volume_name_tail, v.volume_name, 16) ||
    !tailOk(v.last_mounted_tail, v.last_mounted, 64) ||
    !tailOk(v.first_error_func_tail, v.first_error_func, 32) ||
    !tailOk(v.last_error_func_tail, v.last_error_func, 32) ||
    !tailOk(v.mount_opts_tail, v.mount_opts, 64)
  )
    return "a text tail does not fit or does not end in a non-zero byte";
  const jnl = v.jnl_blocks;
  if (!Array.isArray(jnl) || jnl.length !== 17) return "jnl_blocks: not 17 words";
  for (const w of jnl)
    if (typeof w !== "object" || w === null || !isU32(w.word)) return "jnl_blocks: not a word";
  const algos = v.encrypt_algos;
  if (!Array.isArray(algos) || algos.length !== 4) return "encrypt_algos: not 4 modes";
  for (const m of algos)
    if (typeof m !== "object" || m === null || !isU8(m.mode)) return "encrypt_algos: not a mode";
  if (!keptOk(v.reserved_pad, 1) || !keptOk(v.reserved, 376) || !keptOk(v.checksum_unused, 4))
    return "kept bytes are not the field's size, or all zero";
  if (!featureCompatOk(v.feature_compat)) return "feature_compat: not its bits";
  if (!featureIncompatOk(v.feature_incompat)) return "feature_incompat: not its bits";
  if (!featureRoCompatOk(v.feature_ro_compat)) return "feature_ro_compat: not its bits";
  if (v.checksum_unused !== undefined && v.feature_ro_compat.metadata_csum)
    return "checksum_unused: set with metadata_csum";
  if (v.log_block_size > 6) return "log_block_size: must be at most 6";
  return undefined;
}

export function sizeof(_v: Superblock): number {
  return SIZE;
}

/** A 64-bit count's low half at `lo` and high half at `hi`. */
function put64(d: DataView, lo: number, hi: number, v: bigint): void {
  writeU64le(d, lo, v);
  d.setUint32(hi, d.getUint32(lo + 4, true), true);
}

/** A 40-bit time's low 32 bits at `lo` and high byte at `hi`. */
function put40(b: Uint8Array, d: DataView, lo: number, hi: number, v: bigint | undefined): void {
  const n = v === undefined ? 0 : Number(v);
  d.setUint32(lo, n >>> 0, true);
  b[hi] = Math.floor(n / TWO_32);
}

function putText(b: Uint8Array, at: number, end: number, text: string, tail: string | undefined) {
  stringToBytes(b, at, text);
  b.fill(0, at + text.length, end);
  if (tail !== undefined) stringToBytes(b, at + text.length + 1, tail);
}

export function write(v: Superblock, buf: Uint8Array, at = 0): number | CodecError {
  const why = check(v);
  if (why !== undefined) return new CodecError("", undefined, why);
  if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < SIZE)
    return new CodecError("", undefined, `needs ${SIZE} bytes`);
  const d = viewOf(buf);
  d.setUint32(at, v.inodes_count, true);
  // The 64-bit counts go first as whole words at their low halves; the next fields overwrite
  // the spill, and each high half goes to its own place.
  put64(d, at + 4, at + 336, v.blocks_count);
  put64(d, at + 8, at + 340, v.r_blocks_count);
  put64(d, at + 12, at + 344, v.free_blocks_count);
  d.setUint32(at + 16, v.free_inodes_count, true);
  d.setUint32(at + 20, v.first_data_block, true);
  d.setUint32(at + 24, v.log_block_size, true);
  d.setUint32(at + 28, v.log_cluster_size, true);
  d.setUint32(at + 32, v.blocks_per_group, true);
  d.setUint32(at + 36, v.clusters_per_group, true);
  d.setUint32(at + 40, v.inodes_per_group, true);
  put40(buf, d, at + 44, at + 629, v.mtime);
  put40(buf, d, at + 48, at + 628, v.wtime);
  d.setUint16(at + 52, v.mnt_count, true);
  d.setInt16(at + 54, v.max_mnt_count ?? -1, true);
  d.setUint16(at + 56, MAGIC, true);
  d.setUint16(
    at + 58,
    v.state_unknown | (v.valid_fs ? 1 : 0) | (v.error_fs ? 2 : 0) | (v.orphan_fs ? 4 : 0),
    true,
  );
  d.setUint16(at + 60, enumCode(v.errors, ERROR_POLICIES, 0xffff), true);
  d.setUint16(at + 62, v.minor_rev_level, true);
  put40(buf, d, at + 64, at + 631, v.lastcheck);
  d.setUint32(at + 68, v.checkinterval, true);
  d.setUint32(at + 72, enumCode(v.creator_os, CREATOR_OSES, 0xffffffff), true);
  d.setUint32(at + 76, v.rev_level, true);
  d.setUint16(at + 80, v.def_resuid, true);
  d.setUint16(at + 82, v.def_resgid, true);
  d.setUint32(at + 84, v.first_ino, true);
  d.setUint16(at + 88, v.inode_size, true);
  d.setUint16(at + 90, v.block_group_nr, true);
  d.setUint32(at + 92, featureCompatWord(v.feature_compat), true);
  d.setUint32(at + 96, featureIncompatWord(v.feature_incompat), true);
  d.setUint32(at + 100, featureRoCompatWord(v.feature_ro_compat), true);
  writeUuid(buf, at + 104, v.uuid);
  putText(buf, at + 120, at + 136, v.volume_name, v.volume_name_tail);
  putText(buf, at + 136, at + 200, v.last_mounted, v.last_mounted_tail);
  d.setUint32(at + 200, v.algorithm_usage_bitmap, true);
  buf[at + 204] = v.prealloc_blocks;
  buf[at + 205] = v.prealloc_dir_blocks;
  d.setUint16(at + 206, v.reserved_gdt_blocks, true);
  writeUuid(buf, at + 208, v.journal_uuid);
  d.setUint32(at + 224, v.journal_inum, true);
  d.setUint32(at + 228, v.journal_dev, true);
  d.setUint32(at + 232, v.last_orphan, true);
  writeUuid(buf, at + 236, v.hash_seed);
  buf[at + 252] = enumCode(v.def_hash_version, HASH_VERSIONS, 0xff);
  buf[at + 253] = v.jnl_backup_type;
  d.setUint16(at + 254, v.desc_size, true);
  d.setUint32(at + 256, v.default_mount_opts, true);
  d.setUint32(at + 260, v.first_meta_bg, true);
  put40(buf, d, at + 264, at + 630, v.mkfs_time);
  for (let i = 0; i < 17; i++) d.setUint32(at + 268 + 4 * i, v.jnl_blocks[i]!.word, true);
  d.setUint16(at + 348, v.min_extra_isize, true);
  d.setUint16(at + 350, v.want_extra_isize, true);
  d.setUint32(at + 352, v.flags, true);
  d.setUint16(at + 356, v.raid_stride, true);
  d.setUint16(at + 358, v.mmp_update_interval, true);
  writeU64le(d, at + 360, v.mmp_block);
  d.setUint32(at + 368, v.raid_stripe_width, true);
  buf[at + 372] = v.log_groups_per_flex;
  buf[at + 373] = v.checksum_type;
  buf[at + 374] = v.encryption_level;
  buf[at + 375] = v.reserved_pad === undefined ? 0 : v.reserved_pad.charCodeAt(0);
  writeU64le(d, at + 376, v.kbytes_written);
  d.setUint32(at + 384, v.snapshot_inum, true);
  d.setUint32(at + 388, v.snapshot_id, true);
  writeU64le(d, at + 392, v.snapshot_r_blocks_count);
  d.setUint32(at + 400, v.snapshot_list, true);
  d.setUint32(at + 404, v.error_count, true);
  put40(buf, d, at + 408, at + 632, v.first_error_time);
  d.setUint32(at + 412, v.first_error_ino, true);
  writeU64le(d, at + 416, v.first_error_block);
  putText(buf, at + 424, at + 456, v.first_error_func, v.first_error_func_tail);
  d.setUint32(at + 456, v.first_error_line, true);
  put40(buf, d, at + 460, at + 633, v.last_error_time);
  d.setUint32(at + 464, v.last_error_ino, true);
  d.setUint32(at + 468, v.last_error_line, true);
  writeU64le(d, at + 472, v.last_error_block);
  putText(buf, at + 480, at + 512, v.last_error_func, v.last_error_func_tail);
  putText(buf, at + 512, at + 576, v.mount_opts, v.mount_opts_tail);
  d.setUint32(at + 576, v.usr_quota_inum, true);
  d.setUint32(at + 580, v.grp_quota_inum, true);
  d.setUint32(at + 584, v.overhead_clusters, true);
  d.setUint32(at + 588, v.backup_bg_first, true);
  d.setUint32(at + 592, v.backup_bg_second, true);
  for (let i = 0; i < 4; i++) buf[at + 596 + i] = v.encrypt_algos[i]!.mode;
  writeUuid(buf, at + 600, v.encrypt_pw_salt);
  d.setUint32(at + 616, v.lpf_ino, true);
  d.setUint32(at + 620, v.prj_quota_inum, true);
  d.setUint32(at + 624, v.checksum_seed, true);
  buf[at + 634] = v.first_error_errcode;
  buf[at + 635] = v.last_error_errcode;
  d.setUint16(at + 636, v.encoding, true);
  d.setUint16(at + 638, v.encoding_flags, true);
  d.setUint32(at + 640, v.orphan_file_inum, true);
  if (v.reserved === undefined) buf.fill(0, at + 644, at + 1020);
  else stringToBytes(buf, at + 644, v.reserved);
  if (v.feature_ro_compat.metadata_csum)
    d.setUint32(at + 1020, ~crc32c(buf, at, at + 1020) >>> 0, true);
  else if (v.checksum_unused !== undefined) stringToBytes(buf, at + 1020, v.checksum_unused);
  else d.setUint32(at + 1020, 0, true);
  return at + SIZE;
}

// The three feature words, each an object of its named bits and the rest as `unknown`.

function readFeatureCompat(w: number): Superblock_feature_compat {
  return {
    dir_prealloc: (w & 0x1) !== 0,
    imagic_inodes: (w & 0x2) !== 0,
    has_journal: (w & 0x4) !== 0,
    ext_attr: (w & 0x8) !== 0,
    resize_inode: (w & 0x10) !== 0,
    dir_index: (w & 0x20) !== 0,
    lazy_bg: (w & 0x40) !== 0,
    snapshot_bitmap: (w & 0x100) !== 0,
    sparse_super2: (w & 0x200) !== 0,
    fast_commit: (w & 0x400) !== 0,
    stable_inodes: (w & 0x800) !== 0,
    orphan_file: (w & 0x1000) !== 0,
    unknown: (w & ~0x1f7f) >>> 0,
  };
}

function featureCompatWord(f: Superblock_feature_compat): number {
  return (
    (f.unknown |
      (f.dir_prealloc ? 0x1 : 0) |
      (f.imagic_inodes ? 0x2 : 0) |
      (f.has_journal ? 0x4 : 0) |
      (f.ext_attr ? 0x8 : 0) |
      (f.resize_inode ? 0x10 : 0) |
      (f.dir_index ? 0x20 : 0) |
      (f.lazy_bg ? 0x40 : 0) |
      (f.snapshot_bitmap ? 0x100 : 0) |
      (f.sparse_super2 ? 0x200 : 0) |
      (f.fast_commit ? 0x400 : 0) |
      (f.stable_inodes ? 0x800 : 0) |
      (f.orphan_file ? 0x1000 : 0)) >>>
    0
  );
}

function featureCompatOk(f: Superblock_feature_compat): boolean {
  if (typeof f !== "object" || f === null) return false;
  if (
    typeof f.dir_prealloc !== "boolean" ||
    typeof f.imagic_inodes !== "boolean" ||
    typeof f.has_journal !== "boolean" ||
    typeof f.ext_attr !== "boolean" ||
    typeof f.resize_inode !== "boolean" ||
    typeof f.dir_index !== "boolean" ||
    typeof f.lazy_bg !== "boolean" ||
    typeof f.snapshot_bitmap !== "boolean" ||
    typeof f.sparse_super2 !== "boolean" ||
    typeof f.fast_commit !== "boolean" ||
    typeof f.stable_inodes !== "boolean" ||
    typeof f.orphan_file !== "boolean"
  )
    return false;
  return isU32(f.unknown) && (f.unknown & 0x1f7f) === 0;
}

function readFeatureIncompat(w: number): Superblock_feature_incompat {
  return {
    compression: (w & 0x1) !== 0,
    filetype: (w & 0x2) !== 0,
    needs_recovery: (w & 0x4) !== 0,
    journal_dev: (w & 0x8) !== 0,
    meta_bg: (w & 0x10) !== 0,
    extent: (w & 0x40) !== 0,
    _64bit: (w & 0x80) !== 0,
    mmp: (w & 0x100) !== 0,
    flex_bg: (w & 0x200) !== 0,
    ea_inode: (w & 0x400) !== 0,
    dirdata: (w & 0x1000) !== 0,
    metadata_csum_seed: (w & 0x2000) !== 0,
    large_dir: (w & 0x4000) !== 0,
    inline_data: (w & 0x8000) !== 0,
    encrypt: (w & 0x10000) !== 0,
    casefold: (w & 0x20000) !== 0,
    unknown: (w & ~0x3f7df) >>> 0,
  };
}

function featureIncompatWord(f: Superblock_feature_incompat): number {
  return (
    (f.unknown |
      (f.compression ? 0x1 : 0) |
      (f.filetype ? 0x2 : 0) |
      (f.needs_recovery ? 0x4 : 0) |
      (f.journal_dev ? 0x8 : 0) |
      (f.meta_bg ? 0x10 : 0) |
      (f.extent ? 0x40 : 0) |
      (f._64bit ? 0x80 : 0) |
      (f.mmp ? 0x100 : 0) |
      (f.flex_bg ? 0x200 : 0) |
      (f.ea_inode ? 0x400 : 0) |
      (f.dirdata ? 0x1000 : 0) |
      (f.metadata_csum_seed ? 0x2000 : 0) |
      (f.large_dir ? 0x4000 : 0) |
      (f.inline_data ? 0x8000 : 0) |
      (f.encrypt ? 0x10000 : 0) |
      (f.casefold ? 0x20000 : 0)) >>>
    0
  );
}

function featureIncompatOk(f: Superblock_feature_incompat): boolean {
  if (typeof f !== "object" || f === null) return false;
  if (
    typeof f.compression !== "boolean" ||
    typeof f.filetype !== "boolean" ||
    typeof f.needs_recovery !== "boolean" ||
    typeof f.journal_dev !== "boolean" ||
    typeof f.meta_bg !== "boolean" ||
    typeof f.extent !== "boolean" ||
    typeof f._64bit !== "boolean" ||
    typeof f.mmp !== "boolean" ||
    typeof f.flex_bg !== "boolean" ||
    typeof f.ea_inode !== "boolean" ||
    typeof f.dirdata !== "boolean" ||
    typeof f.metadata_csum_seed !== "boolean" ||
    typeof f.large_dir !== "boolean" ||
    typeof f.inline_data !== "boolean" ||
    typeof f.encrypt !== "boolean" ||
    typeof f.casefold !== "boolean"
  )
    return false;
  return isU32(f.unknown) && (f.unknown & 0x3f7df) === 0;
}

function readFeatureRoCompat(w: number): Superblock_feature_ro_compat {
  return {
    sparse_super: (w & 0x1) !== 0,
    large_file: (w & 0x2) !== 0,
    huge_file: (w & 0x8) !== 0,
    uninit_bg: (w & 0x10) !== 0,
    dir_nlink: (w & 0x20) !== 0,
    extra_isize: (w & 0x40) !== 0,
    snapshot: (w & 0x80) !== 0,
    quota: (w & 0x100) !== 0,
    bigalloc: (w & 0x200) !== 0,
    metadata_csum: (w & 0x400) !== 0,
    replica: (w & 0x800) !== 0,
    read_only: (w & 0x1000) !== 0,
    project: (w & 0x2000) !== 0,
    shared_blocks: (w & 0x4000) !== 0,
    verity: (w & 0x8000) !== 0,
    orphan_present: (w & 0x10000) !== 0,
    unknown: (w & ~0x1fffb) >>> 0,
  };
}

function featureRoCompatWord(f: Superblock_feature_ro_compat): number {
  return (
    (f.unknown |
      (f.sparse_super ? 0x1 : 0) |
      (f.large_file ? 0x2 : 0) |
      (f.huge_file ? 0x8 : 0) |
      (f.uninit_bg ? 0x10 : 0) |
      (f.dir_nlink ? 0x20 : 0) |
      (f.extra_isize ? 0x40 : 0) |
      (f.snapshot ? 0x80 : 0) |
      (f.quota ? 0x100 : 0) |
      (f.bigalloc ? 0x200 : 0) |
      (f.metadata_csum ? 0x400 : 0) |
      (f.replica ? 0x800 : 0) |
      (f.read_only ? 0x1000 : 0) |
      (f.project ? 0x2000 : 0) |
      (f.shared_blocks ? 0x4000 : 0) |
      (f.verity ? 0x8000 : 0) |
      (f.orphan_present ? 0x10000 : 0)) >>>
    0
  );
}

function featureRoCompatOk(f: Superblock_feature_ro_compat): boolean {
  if (typeof f !== "object" || f === null) return false;
  if (
    typeof f.sparse_super !== "boolean" ||
    typeof f.large_file !== "boolean" ||
    typeof f.huge_file !== "boolean" ||
    typeof f.uninit_bg !== "boolean" ||
    typeof f.dir_nlink !== "boolean" ||
    typeof f.extra_isize !== "boolean" ||
    typeof f.snapshot !== "boolean" ||
    typeof f.quota !== "boolean" ||
    typeof f.bigalloc !== "boolean" ||
    typeof f.metadata_csum !== "boolean" ||
    typeof f.replica !== "boolean" ||
    typeof f.read_only !== "boolean" ||
    typeof f.project !== "boolean" ||
    typeof f.shared_blocks !== "boolean" ||
    typeof f.verity !== "boolean" ||
    typeof f.orphan_present !== "boolean"
  )
    return false;
  return isU32(f.unknown) && (f.unknown & 0x1fffb) === 0;
}
