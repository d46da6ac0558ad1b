/**
 * The benchmark's inputs: real qcow2 header regions made by qemu-img (the
 * committed test fixtures), and synthetic headers whose work grows with a
 * parameter, to show that cost grows linearly.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  read,
  sizeof,
  write,
  type Extension,
  type Feature,
  type FeatureName,
  type FeatureType,
  type Header,
} from "../generated/qcow2.js";
import { CodecError } from "../runtime/codec.js";

/** What every benchmark input has, whatever its format. */
export interface BenchInput {
  /** Short name for the table, e.g. `v3-default`, `features×100` or `vdi-static`. */
  readonly name: string;
  readonly kind: "real" | "scaling";
  /** What it is, for the report. */
  readonly description: string;
  /** For scaling inputs: the number of entries that the work grows with. */
  readonly entries?: number;
  /** For scaling inputs: the series it belongs to (`features`, `unknown-extensions`). */
  readonly series?: string;
}

/** A qcow2 input. */
export interface Input extends BenchInput {
  /** The bytes to decode (a Uint8Array that owns its ArrayBuffer). */
  readonly bytes: Uint8Array;
  /** Where the header's end marker ends: what encoders write. */
  readonly end: number;
  /** The decoded value, the reference every implementation must match. */
  readonly header: Header;
}

const FIXTURES = fileURLToPath(new URL("../test/fixtures/qcow2/", import.meta.url));

/** The real inputs: file name in test/fixtures/qcow2 and what it holds. */
export const REAL_INPUTS: readonly (readonly [string, string])[] = [
  ["v2", "version 2 header, no extensions (compat=0.10)"],
  ["v3-default", "default version 3 header with QEMU's feature name table"],
  ["backing", "version 3 with a backing file name and a backing format extension"],
  ["bitmaps", "version 3 with the feature name table and a bitmaps extension"],
];

export const FEATURE_COUNTS: readonly number[] = [1, 10, 100, 1000];
export const UNKNOWN_EXTENSION_COUNTS: readonly number[] = [1, 10, 100, 1000];
/** The unknown-extension headers sit at the start of a buffer this large. */
export const LARGE_BUFFER = 1 << 20;

function decodeReference(bytes: Uint8Array, what: string): { header: Header; end: number } {
  const decoded = read(bytes);
  if (decoded instanceof CodecError) throw new Error(`${what}: ${decoded.message}`);
  return { header: decoded.value, end: decoded.end };
}

/** A copy of `bytes` in a fresh ArrayBuffer of its own (not a slice of Node's pool). */
function owned(bytes: Uint8Array, length = bytes.length): Uint8Array {
  const copy = new Uint8Array(length);
  copy.set(bytes);
  return copy;
}

export function realInputs(): Input[] {
  return REAL_INPUTS.map(([name, description]) => {
    const bytes = owned(readFileSync(`${FIXTURES}${name}.bin`));
    return { name, kind: "real", description, bytes, ...decodeReference(bytes, name) };
  });
}

const KNOWN_NAMES: readonly FeatureName[] = [
  "Dirty",
  "Corrupt",
  "External_data_file",
  "Compression_type",
  "Extended_l2",
  "Lazy_refcounts",
  "Bitmaps",
  "Raw_external_data",
];
const FEATURE_TYPES: readonly FeatureType[] = ["Incompatible", "Compatible", "Autoclear"];

/** Entry i of a synthetic feature name table: every other name is one QEMU does not write. */
function syntheticFeature(i: number): Feature {
  return {
    ty: FEATURE_TYPES[i % 3],
    bit: i % 64,
    feature: i % 2 === 0 ? KNOWN_NAMES[(i / 2) % 8] : { unknown: `vendor feature ${i}` },
  };
}

/** Encodes `header` with the generated codec into a buffer of `length` bytes (at least its size). */
function encodeInput(header: Header, length: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(length, sizeof(header)));
  const end = write(header, bytes);
  if (end instanceof CodecError) throw new Error(`synthetic input: ${end.message}`);
  return bytes;
}

export function scalingInputs(): Input[] {
  const base = decodeReference(owned(readFileSync(`${FIXTURES}v3-default.bin`)), "v3-default");
  const inputs: Input[] = [];
  for (const n of FEATURE_COUNTS) {
    const features = Array.from({ length: n }, (_, i) => syntheticFeature(i));
    const header: Header = {
      ...base.header,
      extensions: [{ kind: "Feature_name_table", features }],
    };
    const bytes = encodeInput(header, 0);
    inputs.push({
      name: `features×${n}`,
      kind: "scaling",
      description: `version 3 header with a feature name table of ${n} entries (half unknown names)`,
      bytes,
      ...decodeReference(bytes, `features×${n}`),
      entries: n,
      series: "features",
    });
  }
  for (const n of UNKNOWN_EXTENSION_COUNTS) {
    const extensions = Array.from({ length: n }, (_, i): Extension => ({
      kind: "Unknown",
      type: 0x7e570000 + i,
      data: `extension ${i}`.padEnd(13, "."),
    }));
    const bytes = encodeInput({ ...base.header, extensions }, LARGE_BUFFER);
    inputs.push({
      name: `unknown-ext×${n}`,
      kind: "scaling",
      description: `version 3 header with ${n} unknown 13-byte extensions, in a 1 MiB buffer`,
      bytes,
      ...decodeReference(bytes, `unknown-ext×${n}`),
      entries: n,
      series: "unknown-extensions",
    });
  }
  return inputs;
}
