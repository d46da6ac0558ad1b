/**
 * Editing a decoded qcow2 header by schema names, without a second copy of
 * the layout: fields are set through the generated S-expression converters
 * (so values parse by the field's type: bigints for 64-bit fields, enums by
 * name, `(Unknown n)` for unknown enum values); feature bit positions and
 * extension type tags come from the tables the generated codec exports.
 */
import {
  Additional_autoclear_features_bits,
  Additional_compatible_features_bits,
  Additional_incompatible_features_bits,
  Extension_tags,
  additionalOfSexp,
  fromString,
  headerOfSexp,
  read,
  sexpOfAdditional,
  sexpOfHeader,
  sizeof,
  write,
  type Additional,
  type Extension,
  type Header,
} from "../../generated/qcow2.js";
import { CodecError } from "../../runtime/codec.js";
import { SexpError } from "../../runtime/sexp-convert.js";
import { parseSexp } from "../../runtime/sexp-parse.js";
import type { Sexp } from "../../runtime/sexp.js";

/** A problem with what the user asked for: an unknown name, or a value that does not parse. */
export class FieldError extends Error {}

/**
 * A header with every field at its default: version 3, zlib, 16-bit
 * refcounts, no features. Written in the seed's S-expression form, which
 * leaves out the fields that hold their defaults.
 */
const TEMPLATE_TEXT = `((version Three) (backing_file_offset 0) (backing_file_size 0) (cluster_bits 16)
  (size 0) (crypt_method None) (l1_size 0) (l1_table_offset 0) (refcount_table_offset 0)
  (refcount_table_clusters 0) (nb_snapshots 0) (snapshots_offset 0)
  (additional (((dirty false) (corrupt false) (lazy_refcounts false) (autoclear_features 0)
    (refcount_order 4) (compression_type Zlib))))
  (extensions ()))`;

function template(): Header {
  const h = fromString(TEMPLATE_TEXT);
  if (h instanceof SexpError) throw new Error(`the template header does not parse: ${h.message}`);
  return h;
}

/** The version 3 fields QEMU writes by default (what `set version Three` adds). */
export function defaultAdditional(): Additional {
  const a = template().additional;
  if (a === undefined) throw new Error("the template header has no additional fields");
  return a;
}

// ---------------------------------------------------------------------------
// Fields
// ---------------------------------------------------------------------------

/** Header fields `set` does not take: lists with their own subcommands, and the v3 group. */
const NOT_SETTABLE = new Set(["extensions", "additional"]);

/** Where a field lives: the header itself or its version 3 `additional` group. */
export interface FieldRef {
  readonly group: "header" | "additional";
  readonly name: string;
  /** `name` or `additional.name`, as findings and messages print it. */
  readonly path: string;
}

/** The fields `set` can change, from the codec's own values. */
export function settableFields(): FieldRef[] {
  const top = Object.keys(template()).filter((k) => !NOT_SETTABLE.has(k));
  const v3 = Object.keys(defaultAdditional());
  return [
    ...top.map((name) => ({ group: "header" as const, name, path: name })),
    ...v3.map((name) => ({ group: "additional" as const, name, path: `additional.${name}` })),
  ];
}

/** Resolves `size`, `additional.refcount_order` or the bare `refcount_order`. */
export function resolveField(name: string): FieldRef {
  const fields = settableFields();
  const found = fields.find((f) => f.path === name) ?? fields.find((f) => f.name === name);
  if (found !== undefined) return found;
  const hint =
    name === "magic"
      ? "magic is a constant"
      : /header_length$/.test(name)
        ? "header_length is computed from the fields present (set compression_type or header_extra)"
        : /^(additional\.)?incompatible_features$|^(additional\.)?compatible_features$/.test(name)
          ? "set feature bits with set-feature"
          : name === "extensions"
            ? "use add-ext and del-ext"
            : undefined;
  throw new FieldError(
    `unknown field ${name}${hint === undefined ? "" : ` (${hint})`}; fields: ${fields.map((f) => f.path).join(", ")}`,
  );
}

/** Parses a value as an S-expression; `()` means the field's default (or absent). */
function parseValue(text: string, path: string): Sexp | undefined {
  if (text.trim() === "()") return undefined;
  const parsed = parseSexp(text);
  if (!parsed.ok) throw new FieldError(`${path}: ${text} is not a value: ${parsed.error.message}`);
  return parsed.value;
}

/** Replaces (or, with `undefined`, drops) one `(name value)` pair of a record S-expression. */
function withPair(record: Sexp, name: string, value: Sexp | undefined): Sexp[] {
  if (typeof record === "string") throw new Error("a record S-expression is a list");
  const pairs = record.filter((p) => !(Array.isArray(p) && p[0] === name));
  return value === undefined ? pairs : [...pairs, [name, value]];
}

function orThrow<T>(value: T | SexpError, path: string): T {
  if (value instanceof SexpError) {
    throw new FieldError(value.path === "" ? `${path}: ${value.reason}` : value.message);
  }
  return value;
}

/**
 * A copy of `h` with `field` set to the value `text` parses to, converted by
 * the field's generated converter. Setting `version` adds QEMU's default
 * version 3 fields, or drops them when they hold their defaults.
 */
export function setField(h: Header, field: FieldRef, text: string): Header {
  const value = parseValue(text, field.path);
  if (field.group === "additional") {
    if (h.additional === undefined) {
      throw new FieldError(
        `${field.path}: a version ${h.version} header has no version 3 fields (set version Three first)`,
      );
    }
    const sexp = withPair(sexpOfAdditional(h.additional), field.name, value);
    const additional = orThrow(additionalOfSexp(sexp), field.path);
    return { ...h, additional };
  }
  const changed = orThrow(headerOfSexp(withPair(sexpOfHeader(h), field.name, value)), field.path);
  return field.name === "version" ? withVersionFields(h, changed) : changed;
}

/** Adds or drops the version 3 fields to match a new version. */
function withVersionFields(before: Header, after: Header): Header {
  const v3 = after.version === "Three";
  if (v3 && after.additional === undefined) return { ...after, additional: defaultAdditional() };
  if (!v3 && after.additional !== undefined) {
    const defaults = sexpOfAdditional(defaultAdditional());
    if (JSON.stringify(sexpOfAdditional(after.additional)) !== JSON.stringify(defaults)) {
      throw new FieldError(
        `version: the version 3 fields hold more than their defaults (${before.version} to ${after.version} would lose them); ` +
          "use qemu-img amend -o compat=0.10",
      );
    }
    return { ...after, additional: undefined };
  }
  return after;
}

// ---------------------------------------------------------------------------
// Feature bits
// ---------------------------------------------------------------------------

export type FeatureGroup = "incompatible" | "compatible" | "autoclear";
export const FEATURE_GROUPS: readonly FeatureGroup[] = ["incompatible", "compatible", "autoclear"];

/** The boolean field of `Additional` a named bit is, per group: name → bit number. */
export type NamedBits = Record<FeatureGroup, Map<string, number>>;

type FlagName = {
  [K in keyof Additional]-?: Additional[K] extends boolean ? K : never;
}[keyof Additional];

/** Bit numbers by name, from a generated table of masks. */
function bitNumbers(masks: Record<string, bigint>): Map<string, number> {
  return new Map(Object.entries(masks).map(([name, mask]) => [name, mask.toString(2).length - 1]));
}

/** The named feature bits of each group, from the masks the generated codec exports. */
const NAMED_BITS: NamedBits = {
  incompatible: bitNumbers(Additional_incompatible_features_bits),
  compatible: bitNumbers(Additional_compatible_features_bits),
  autoclear: bitNumbers(Additional_autoclear_features_bits),
};

export function namedBits(): NamedBits {
  return NAMED_BITS;
}

/** Resolves a bit given by number (0-63) or by name within a group. */
export function resolveBit(group: FeatureGroup, bitOrName: string): number {
  const names = namedBits()[group];
  const byName = names.get(bitOrName);
  if (byName !== undefined) return byName;
  if (/^\d+$/.test(bitOrName) && Number(bitOrName) <= 63) return Number(bitOrName);
  throw new FieldError(
    `${bitOrName} is not a ${group} feature bit: give a number from 0 to 63 or one of ${[...names.keys()].join(", ")}`,
  );
}

/** A copy of `h` with one feature bit set (or cleared). */
export function setFeatureBit(h: Header, group: FeatureGroup, bit: number, on: boolean): Header {
  if (h.additional === undefined) {
    throw new FieldError(
      `a version ${h.version} header has no feature bits (set version Three first)`,
    );
  }
  const a: Additional = { ...h.additional };
  const name = [...namedBits()[group]].find(([, b]) => b === bit)?.[0];
  const mask = 1n << BigInt(bit);
  const apply = (word: bigint) => (on ? word | mask : word & ~mask);
  if (group === "autoclear") {
    a.autoclear_features = BigInt.asIntN(64, apply(BigInt.asUintN(64, a.autoclear_features)));
  } else if (name !== undefined) {
    a[name as FlagName] = on;
  } else if (group === "incompatible") {
    a.incompatible_unknown = apply(a.incompatible_unknown);
  } else {
    a.compatible_unknown = apply(a.compatible_unknown);
  }
  return { ...h, additional: a };
}

/** Whether a feature bit is set in `h`. */
export function featureBit(h: Header, group: FeatureGroup, bit: number): boolean {
  const a = h.additional;
  if (a === undefined) return false;
  const name = [...namedBits()[group]].find(([, b]) => b === bit)?.[0];
  const mask = 1n << BigInt(bit);
  if (group === "autoclear") return (BigInt.asUintN(64, a.autoclear_features) & mask) !== 0n;
  if (name !== undefined) return a[name as FlagName];
  return ((group === "incompatible" ? a.incompatible_unknown : a.compatible_unknown) & mask) !== 0n;
}

// ---------------------------------------------------------------------------
// Extensions
// ---------------------------------------------------------------------------

type KnownKind = Exclude<Extension["kind"], "Unknown" | "End">;

/** The type tag of each known extension kind, as the generated codec exports them. */
export function extensionTags(): Map<KnownKind, number> {
  return new Map(Object.entries(Extension_tags) as [KnownKind, number][]);
}

/** An extension's type tag, as an unsigned 32-bit number. */
export function extensionTag(e: Extension): number {
  if (e.kind === "Unknown") return e.type >>> 0;
  if (e.kind === "End") return 0;
  const tag = extensionTags().get(e.kind);
  if (tag === undefined) throw new Error(`no tag for ${e.kind}`);
  return tag;
}

/** Aliases for the known kinds, as qemu-img and the qcow2 specification name them. */
const KIND_ALIASES: Record<string, KnownKind> = {
  "backing-format": "Backing_file",
  "feature-table": "Feature_name_table",
  "feature-name-table": "Feature_name_table",
  bitmaps: "Bitmaps",
  crypto: "Full_disk_encryption",
  "full-disk-encryption": "Full_disk_encryption",
  "data-file": "External_data_file",
  "external-data-file": "External_data_file",
};

/** Parses an extension type: a number (`0x12345678`, decimal) or a kind name. */
export function parseExtensionType(text: string): number {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) {
    const n = Number(text);
    if (n > 0 && n <= 0xffffffff) return n;
    throw new FieldError(`extension type ${text} must be from 1 to 0xffffffff (0 ends the list)`);
  }
  const tags = extensionTags();
  const kind =
    [...tags.keys()].find((k) => k.toLowerCase() === text.toLowerCase()) ??
    KIND_ALIASES[text.toLowerCase()];
  if (kind === undefined) {
    throw new FieldError(
      `unknown extension type ${text}: give a number or one of ${[...tags.keys(), ...Object.keys(KIND_ALIASES)].join(", ")}`,
    );
  }
  return tags.get(kind) ?? 0;
}

/** A type tag as `0x%08x`. */
export function tagHex(tag: number): string {
  return `0x${tag.toString(16).padStart(8, "0")}`;
}

/**
 * The extension a type and payload decode to, read by the codec from a
 * probe header holding just that extension: a known type becomes its
 * variant (and a payload that variant cannot hold is an error), any other
 * type an Unknown extension.
 */
export function extensionFromPayload(type: number, payload: Uint8Array): Extension {
  const base = template();
  const head = sizeof(base) - 8;
  const padded = payload.length + ((8 - (payload.length % 8)) % 8);
  const buf = new Uint8Array(head + 8 + padded + 8);
  const end = write(base, buf);
  if (end instanceof CodecError) throw new Error(`probe header: ${end.message}`);
  const view = new DataView(buf.buffer);
  view.setUint32(head, type);
  view.setUint32(head + 4, payload.length);
  buf.set(payload, head + 8);
  const decoded = read(buf);
  if (decoded instanceof CodecError) {
    throw new FieldError(
      `a type ${tagHex(type)} extension cannot hold this payload: ${decoded.reason}`,
    );
  }
  const [extension] = decoded.value.extensions;
  return extension;
}
