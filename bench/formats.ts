/**
 * Benchmark cases for the disk-image family beyond qcow2 (QED, VDI, ...):
 * for each schema, header regions that qemu-img made (the committed
 * fixtures of test/fixtures/images), decoded and encoded by the generated
 * codec, by a hand-written codec of the same fields, checks and value
 * shape (bench/handwritten/), and by the peers that can describe the
 * format. Checked as in bench/cases.ts: every decoder gives the generated
 * codec's value, every encoder writes the fixture's bytes.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as qed from "../generated/qed.js";
import * as vdi from "../generated/vdi.js";
import * as vhd from "../generated/vhd.js";
import * as vhdx from "../generated/vhdx.js";
import * as vmdk from "../generated/vmdk.js";
import { CodecError, type Decoded } from "../runtime/codec.js";
import type { Case, Implementation, Wanted } from "./cases.js";
import { expectEqual, sameBytes } from "./expect.js";
import * as handQed from "./handwritten/qed.js";
import * as handVdi from "./handwritten/vdi.js";
import * as handVhd from "./handwritten/vhd.js";
import * as handVhdx from "./handwritten/vhdx.js";
import * as handVmdk from "./handwritten/vmdk.js";
import type { BenchInput } from "./inputs.js";
import { qedBinaryParser, vdiBinaryParser } from "./peers/binary-parser-formats.js";
import { qedKaitai, vdiKaitai, vmdkKaitai } from "./peers/kaitai-formats.js";

/** A fixture region of one format: its bytes, and the generated codec's decode of them. */
export interface FormatInput extends BenchInput {
  readonly format: string;
  readonly bytes: Uint8Array;
  readonly end: number;
  readonly value: unknown;
}

interface Codec<V> {
  readonly read: (buf: Uint8Array) => Decoded<V> | CodecError;
  readonly write: (value: V, buf: Uint8Array) => number | CodecError;
  readonly sizeof: (value: V) => number;
}

/** A peer decoder, and how to turn what it returns into the generated codec's value. */
export interface PeerDecoder {
  readonly impl: Implementation;
  readonly decode: (buf: Uint8Array) => unknown;
  readonly normalise: (output: unknown, what: string) => unknown;
}

interface Format<V> {
  /** Synthetic inputs whose work grows with a count, to show cost is linear in it. */
  readonly scaling?: () => FormatInput[];
  readonly format: string;
  /** Fixture names (test/fixtures/images/FORMAT/NAME.PART.bin) and what each holds. */
  readonly fixtures: readonly (readonly [string, string])[];
  readonly part: string;
  /** A record inside the part rather than all of it: its name (for the input's) and byte range. */
  readonly record?: { readonly name: string; readonly offset: number; readonly length: number };
  readonly generated: Codec<V>;
  readonly handWritten: Codec<V>;
  readonly peers: readonly PeerDecoder[];
}

const FIXTURES = fileURLToPath(new URL("../test/fixtures/images/", import.meta.url));

function fixtureBytes(format: string, name: string, part: string): Uint8Array {
  const path = `${FIXTURES}${format}/${name}.${part}.bin`;
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch {
    raw = gunzipSync(readFileSync(`${path}.gz`));
  }
  // A fresh ArrayBuffer of its own, not a slice of Node's pool.
  const bytes = new Uint8Array(raw.length);
  bytes.set(raw);
  return bytes;
}

const QED: Format<qed.Header> = {
  format: "qed",
  fixtures: [
    ["qed-default", "QED header, 64 KiB clusters, no backing file"],
    ["qed-backing-qed", "QED header with a backing file name (a QED image)"],
    ["qed-cluster-1M-table-16", "QED header, 1 MiB clusters, tables of 16 clusters"],
  ],
  part: "header",
  generated: qed,
  handWritten: handQed,
  peers: [qedKaitai, qedBinaryParser],
};

const VDI: Format<vdi.Header> = {
  format: "vdi",
  fixtures: [
    ["vdi-dynamic", "VDI header of a dynamic image: banner, GUIDs, geometries"],
    ["vdi-static", "VDI header of a static (preallocated) image"],
  ],
  part: "header",
  generated: vdi,
  handWritten: handVdi,
  peers: [vdiKaitai, vdiBinaryParser],
};

const VMDK: Format<vmdk.SparseExtent> = {
  format: "vmdk",
  fixtures: [
    [
      "vmdk-monolithic-sparse",
      "VMDK monolithicSparse extent: header sector and 10 KiB embedded descriptor",
    ],
    [
      "vmdk-stream-optimized",
      "VMDK streamOptimized extent (compressed grains, markers, version 3)",
    ],
    ["vmdk-backing", "VMDK extent of an image over a backing file (parentFileNameHint)"],
  ],
  part: "extent",
  generated: vmdk,
  handWritten: handVmdk,
  peers: [vmdkKaitai],
};

const VHD: Format<vhd.Footer> = {
  format: "vhd",
  fixtures: [
    ["vpc-fixed", "VHD footer of a fixed disk (one's complement byte-sum checksum)"],
    ["vpc-dynamic", "VHD footer of a dynamic disk"],
    ["vpc-dynamic-force-size", "VHD footer of a dynamic disk made with force_size (creator qem2)"],
  ],
  part: "footer",
  generated: vhd,
  handWritten: handVhd,
  peers: [],
};

const VHDX_FIXTURES: readonly (readonly [string, string])[] = [
  ["vhdx-dynamic", "VHDX image, dynamic, 32 MiB blocks"],
  ["vhdx-block-1M", "VHDX image, 1 MiB blocks"],
];

const VHDX_HEADER: Format<vhdx.Header> = {
  format: "vhdx",
  fixtures: VHDX_FIXTURES.map(([n, d]) => [n, `${d}: the first 4 KiB header (CRC-32C over 4 KiB)`]),
  part: "header-section",
  record: { name: "header", offset: 65536, length: 4096 },
  generated: { read: vhdx.readHeader, write: vhdx.writeHeader, sizeof: vhdx.sizeofHeader },
  handWritten: handVhdx.header,
  peers: [],
};

const VHDX_REGION_TABLE: Format<vhdx.RegionTable> = {
  format: "vhdx",
  fixtures: VHDX_FIXTURES.map(([n, d]) => [
    n,
    `${d}: the first region table (two entries, CRC-32C over 64 KiB)`,
  ]),
  part: "header-section",
  record: { name: "region-table", offset: 196608, length: 65536 },
  generated: {
    read: vhdx.readRegionTable,
    write: vhdx.writeRegionTable,
    sizeof: vhdx.sizeofRegionTable,
  },
  handWritten: handVhdx.regionTable,
  peers: [],
  scaling: regionTableScaling,
};

export const REGION_ENTRY_COUNTS: readonly number[] = [1, 10, 100, 1000];

/** Region tables of 1 to 1000 entries, written by the generated codec (always 64 KiB). */
function regionTableScaling(): FormatInput[] {
  return REGION_ENTRY_COUNTS.map((n) => {
    const entries = Array.from({ length: n }, (_, i): vhdx.RegionEntry => {
      const hex = (i * 2654435761).toString(16).padStart(8, "0").slice(-8);
      return {
        guid: `${hex}-f623-4200-9d64-${hex}${(i & 0xffff).toString(16).padStart(4, "0")}`,
        file_offset: BigInt(i + 1) * 1048576n,
        length: 1048576,
        required: i % 2 === 0,
        flags_unknown: 0,
      };
    });
    const value: vhdx.RegionTable = { reserved: 0, entries };
    const bytes = new Uint8Array(65536);
    const end = vhdx.writeRegionTable(value, bytes);
    if (end instanceof CodecError) throw new Error(`region table of ${n}: ${end.message}`);
    return {
      name: `region-table×${n}`,
      kind: "scaling",
      description: `VHDX region table of ${n} entries (CRC-32C over 64 KiB whatever the count)`,
      format: "vhdx",
      bytes,
      end,
      value,
      entries: n,
      series: "vhdx-region-entries",
    };
  });
}

// Each format's value type differs; cases only pass values between its own functions.
const FORMATS: readonly Format<never>[] = [
  QED,
  VDI,
  VMDK,
  VHDX_HEADER,
  VHDX_REGION_TABLE,
  VHD,
] as unknown as readonly Format<never>[];

function inputsOf<V>(f: Format<V>): FormatInput[] {
  return f.fixtures.map(([fixture, description]) => {
    const part = fixtureBytes(f.format, fixture, f.part);
    const r = f.record;
    const bytes = r === undefined ? part : part.slice(r.offset, r.offset + r.length);
    const name = r === undefined ? fixture : `${fixture}/${r.name}`;
    const decoded = f.generated.read(bytes);
    if (decoded instanceof CodecError) throw new Error(`${name}: ${decoded.message}`);
    return {
      name,
      kind: "real",
      description,
      format: f.format,
      bytes,
      end: decoded.end,
      value: decoded.value,
    };
  });
}

function unwrap(what: string, result: unknown, input: FormatInput): unknown {
  if (result instanceof CodecError) throw new Error(`${what}: ${result.message}`);
  if (typeof result !== "object" || result === null || !("value" in result) || !("end" in result))
    throw new Error(`${what}: not a decoded value`);
  expectEqual(`${what} end`, result.end, input.end);
  return result.value;
}

function casesOf<V>(f: Format<V>, wanted: Wanted): Case[] {
  const cases: Case[] = [];
  const inputs = [...inputsOf(f), ...(f.scaling?.() ?? [])];
  for (const input of inputs) {
    const bytes = input.bytes;
    const decoders: PeerDecoder[] = [
      {
        impl: "generated",
        decode: (buf) => f.generated.read(buf),
        normalise: (out, what) => unwrap(what, out, input),
      },
      {
        impl: "hand-written",
        decode: (buf) => f.handWritten.read(buf),
        normalise: (out, what) => unwrap(what, out, input),
      },
      ...f.peers,
    ];
    for (const { impl, decode, normalise } of decoders) {
      if (!wanted(`decode ${input.name} ${impl}`)) continue;
      const what = `decode ${input.name} by ${impl}`;
      cases.push({
        op: "decode",
        input,
        impl,
        run: () => decode(bytes),
        check: () => expectEqual(what, normalise(decode(bytes), what), input.value),
      });
    }
  }
  for (const input of inputs) {
    const value = input.value as V;
    for (const [impl, codec] of [
      ["generated", f.generated],
      ["hand-written", f.handWritten],
    ] as const) {
      if (!wanted(`encode ${input.name} ${impl}`)) continue;
      const out = new Uint8Array(input.bytes.length);
      const what = `encode ${input.name} by ${impl}`;
      cases.push({
        op: "encode",
        input,
        impl,
        run: () => codec.write(value, out),
        check: () => {
          out.fill(0xa5);
          sameBytes(what, out, codec.write(value, out), input.bytes, input.end);
        },
      });
    }
  }
  for (const input of inputs.filter((i) => i.kind === "real")) {
    const value = input.value as V;
    for (const [impl, codec] of [
      ["generated", f.generated],
      ["hand-written", f.handWritten],
    ] as const) {
      if (!wanted(`sizeof ${input.name} ${impl}`)) continue;
      const run = (): number => codec.sizeof(value);
      cases.push({
        op: "sizeof",
        input,
        impl,
        run,
        check: () => expectEqual(`sizeof ${input.name} by ${impl}`, run(), input.end),
      });
    }
  }
  return cases;
}

/** For tests: each format's fixture inputs with its generated and hand-written codecs. */
export function formatCodecs(): {
  format: string;
  inputs: FormatInput[];
  generated: Codec<unknown>;
  handWritten: Codec<unknown>;
}[] {
  return (FORMATS as unknown as readonly Format<unknown>[]).map((f) => ({
    format: f.format,
    inputs: inputsOf(f),
    generated: f.generated,
    handWritten: f.handWritten,
  }));
}

/** Every case of every format but qcow2, grouped by format, then operation and input. */
export function formatCases(wanted: Wanted): Case[] {
  return FORMATS.flatMap((f) => casesOf(f, wanted));
}
