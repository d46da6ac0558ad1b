/**
 * QED, VDI, VMDK, VHD and VHDX against qemu-img (issue 10).
 *
 * For every committed fixture (test/fixtures/images/, made by
 * test/fixtures/make-image-fixtures.ts) the generated codec of its schema
 * must read each part, agree with `qemu-img info`, and write it back byte for
 * byte; flipping one bit of a checksummed structure must be a checksum error.
 * With qemu-img installed, edits made with the codec in copies of real images
 * must be accepted by `qemu-img info` and `qemu-img check`.
 *
 * The generated modules are loaded by name (readX / writeX / sizeofX of the
 * record a fixture part names), so that one loop covers every format; a
 * module or entry point that is missing fails its suite.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { CodecError, type Decoded } from "../runtime/codec.js";
import {
  IMAGE_FIXTURE_CONFIGS,
  IMAGE_FIXTURE_DIR,
  createImage,
  readManifest,
  type ImageFixtureConfig,
  type ManifestEntry,
} from "./fixtures/make-image-fixtures.js";
import { describeWithQemu, makeTempDir, qemuImg, qemuImgOrThrow } from "./support/qemu.js";
import { runTool } from "./support/tools.js";

// ---------------------------------------------------------------------------
// Loading generated codecs without static types
// ---------------------------------------------------------------------------

/** A decoded record: generated interfaces seen through their property names. */
type Value = { readonly [key: string]: unknown };

interface RecordCodec {
  read(buf: Uint8Array, at?: number): Decoded<Value> | CodecError;
  write(value: Value, buf: Uint8Array, at?: number): number | CodecError;
  sizeof(value: Value): number;
}

const GENERATED_DIR = fileURLToPath(new URL("../generated/", import.meta.url));

function generatedModulePath(schema: string): string {
  return join(GENERATED_DIR, `${schema}.ts`);
}

/** The module's readX / writeX / sizeofX for each record name asked for. */
async function loadCodecs(schema: string): Promise<(record: string) => RecordCodec> {
  const loaded: unknown = await import(pathToFileURL(generatedModulePath(schema)).href);
  if (typeof loaded !== "object" || loaded === null)
    throw new Error(`generated/${schema}.ts is not a module`);
  const exports = loaded as { readonly [name: string]: unknown };
  return (record: string): RecordCodec => {
    const fns = [`read${record}`, `write${record}`, `sizeof${record}`].map((name) => {
      const fn = exports[name];
      if (typeof fn !== "function")
        throw new Error(`generated/${schema}.ts does not export ${name}`);
      return fn;
    });
    return {
      read: fns[0] as RecordCodec["read"],
      write: fns[1] as RecordCodec["write"],
      sizeof: fns[2] as RecordCodec["sizeof"],
    };
  };
}

function readOk(codec: RecordCodec, bytes: Uint8Array, at = 0): Value {
  const result = codec.read(bytes, at);
  if (result instanceof CodecError) throw new Error(`read failed: ${result.message}`);
  return result.value;
}

/** `value` written into a fresh buffer of sizeof(value) bytes. */
function writeOk(codec: RecordCodec, value: Value): Uint8Array {
  const buf = new Uint8Array(codec.sizeof(value));
  const end = codec.write(value, buf, 0);
  if (end instanceof CodecError) throw new Error(`write failed: ${end.message}`);
  expect(end).toBe(buf.byteLength);
  return buf;
}

/** `value` written at `at` into `buf` (an image in memory). */
function writeInto(codec: RecordCodec, value: Value, buf: Uint8Array, at: number): void {
  const end = codec.write(value, buf, at);
  if (end instanceof CodecError) throw new Error(`write failed: ${end.message}`);
  expect(end).toBe(at + codec.sizeof(value));
}

/** The property at a dotted path (`header.capacity`, `parent_locators.3.platform_code`). */
function get(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null)
      throw new Error(`${path}: no ${key} in ${String(current)}`);
    current = (current as { readonly [key: string]: unknown })[key];
  }
  return current;
}

function rec(value: unknown, path: string): Value {
  const found = get(value, path);
  if (typeof found !== "object" || found === null) throw new Error(`${path} is not a record`);
  return found as Value;
}

/** An integer property as a bigint (64-bit fields are bigints, narrower ones numbers). */
function int(value: unknown, path: string): bigint {
  const found = get(value, path);
  if (typeof found === "bigint") return found;
  if (typeof found === "number" && Number.isInteger(found)) return BigInt(found);
  throw new Error(`${path} is not an integer: ${String(found)}`);
}

function text(value: unknown, path: string): string {
  const found = get(value, path);
  if (typeof found !== "string") throw new Error(`${path} is not a string: ${String(found)}`);
  return found;
}

function list(value: unknown, path: string): readonly Value[] {
  const found = get(value, path);
  if (!Array.isArray(found)) throw new Error(`${path} is not an array`);
  return found as readonly Value[];
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const VHDX_BAT_GUID = "2dc27766-f623-4200-9d64-115e9bfd4a08";
const VHDX_METADATA_GUID = "8b7ca206-4790-4b9a-b8fe-575f050f886e";
const VHDX_ITEMS = {
  FileParameters: "caa16737-fa36-4d43-b3b6-33f0aa44e76b",
  VirtualDiskSize: "2fa54224-cd1b-4876-b211-5dbed83bf4b8",
  Page83Data: "beca12ab-b2e6-4523-93ef-c309e000c746",
  LogicalSectorSize: "8141bf1d-a96f-4709-ba47-f233a8faab5f",
  PhysicalSectorSize: "cda348c7-445d-4471-9cc9-e9885251c556",
} as const;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

interface Info {
  readonly [key: string]: unknown;
}

interface LoadedPart {
  readonly part: string;
  readonly record: string;
  readonly offset: number;
  readonly bytes: Uint8Array;
  /** The leading bytes that `record` covers. */
  readonly recordBytes: Uint8Array;
}

interface LoadedFixture {
  readonly entry: ManifestEntry;
  readonly info: Info;
  readonly parts: ReadonlyMap<string, LoadedPart>;
  /** `-o` options of the image's create command, by name. */
  readonly options: ReadonlyMap<string, string>;
}

function loadFixture(entry: ManifestEntry): LoadedFixture {
  const dir = join(IMAGE_FIXTURE_DIR, entry.schema);
  const info = JSON.parse(readFileSync(join(dir, entry.info), "utf8")) as Info;
  const parts = new Map<string, LoadedPart>();
  for (const part of entry.parts) {
    const stored = readFileSync(join(dir, part.file));
    const bytes = new Uint8Array(part.file.endsWith(".gz") ? gunzipSync(stored) : stored);
    if (bytes.byteLength !== part.length) {
      throw new Error(`${part.file}: ${bytes.byteLength} bytes, the manifest says ${part.length}`);
    }
    parts.set(part.part, {
      part: part.part,
      record: part.record,
      offset: part.offset,
      bytes,
      recordBytes: bytes.subarray(0, part.recordLength),
    });
  }
  const options = new Map<string, string>();
  const create = entry.commands[entry.commands.length - 1] ?? [];
  const o = create.indexOf("-o");
  if (o >= 0) {
    for (const option of (create[o + 1] ?? "").split(",")) {
      const [key, val] = option.split("=");
      if (key !== undefined && val !== undefined) options.set(key, val);
    }
  }
  return { entry, info, parts, options };
}

function partOf(fixture: LoadedFixture, name: string): LoadedPart {
  const found = fixture.parts.get(name);
  if (found === undefined) throw new Error(`${fixture.entry.name} has no part ${name}`);
  return found;
}

const MANIFEST = readManifest();

function fixturesOf(schema: string): readonly ManifestEntry[] {
  return MANIFEST.fixtures.filter((entry) => entry.schema === schema);
}

function configNamed(name: string): ImageFixtureConfig {
  const found = IMAGE_FIXTURE_CONFIGS.find((config) => config.name === name);
  if (found === undefined) throw new Error(`no image fixture config ${name}`);
  return found;
}

/** A copy of `bytes` with bit `bit` of byte `at` flipped. */
function flipBit(bytes: Uint8Array, at: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[at] = (copy[at] ?? 0) ^ (1 << bit);
  return copy;
}

/** Reading `bytes` fails at the checksum field `path` (from the record read), naming the algorithm. */
function expectChecksumError(codec: RecordCodec, bytes: Uint8Array, path: string): void {
  const result = codec.read(bytes, 0);
  expect(result).toBeInstanceOf(CodecError);
  if (!(result instanceof CodecError)) return;
  expect(result.path, result.message).toBe(path);
  expect(result.message).toMatch(/is 0x[0-9a-f]{8}, but the (crc32c|ones-complement-sum) of bytes/);
}

// ---------------------------------------------------------------------------
// Per-format agreement with qemu-img info
// ---------------------------------------------------------------------------

type Codecs = (record: string) => RecordCodec;

/** QED's incompatible feature bits (docs/interop/qed_spec.rst); `features` is one u64. */
const QED_BACKING_FILE = 1n;
const QED_NEED_CHECK = 2n;
const QED_BACKING_FORMAT_NO_PROBE = 4n;

function hasBit(value: unknown, path: string, mask: bigint): boolean {
  return (int(value, path) & mask) !== 0n;
}

function checkQed(fixture: LoadedFixture, codecs: Codecs): void {
  const header = readOk(codecs("Header"), partOf(fixture, "header").bytes);
  const info = fixture.info;
  expect(int(header, "image_size")).toBe(BigInt(info["virtual-size"] as number));
  expect(int(header, "cluster_size")).toBe(BigInt(info["cluster-size"] as number));
  expect(hasBit(header, "features", QED_NEED_CHECK)).toBe(info["dirty-flag"]);
  expect(int(header, "table_size")).toBe(BigInt(fixture.options.get("table_size") ?? "4"));
  if (info["backing-filename"] === undefined) {
    expect(hasBit(header, "features", QED_BACKING_FILE)).toBe(false);
    expect(get(header, "backing_filename")).toBeUndefined();
  } else {
    expect(hasBit(header, "features", QED_BACKING_FILE)).toBe(true);
    expect(text(header, "backing_filename")).toBe(info["backing-filename"]);
    expect(hasBit(header, "features", QED_BACKING_FORMAT_NO_PROBE)).toBe(
      info["backing-filename-format"] === "raw",
    );
  }
}

function checkVdi(fixture: LoadedFixture, codecs: Codecs): void {
  const header = readOk(codecs("Header"), partOf(fixture, "header").bytes);
  const info = fixture.info;
  const diskSize = int(header, "disk_size");
  // QEMU rounds an odd disk size up to whole sectors.
  expect(((diskSize + 511n) / 512n) * 512n).toBe(BigInt(info["virtual-size"] as number));
  expect(int(header, "block_size")).toBe(BigInt(info["cluster-size"] as number));
  const isStatic = fixture.options.get("static") === "on";
  expect(get(header, "image_type")).toBe(isStatic ? "Static" : "Dynamic");
  const blocks = int(header, "blocks_in_image");
  expect(blocks).toBe((diskSize + 1048575n) / 1048576n);
  if (isStatic) expect(int(header, "blocks_allocated")).toBe(blocks);
  expect(text(header, "file_info")).toBe("<<< QEMU VM Virtual Disk Image >>>\n");
  expect(int(header, "header_size")).toBe(0x180n);
  expect(text(header, "uuid_image")).toMatch(UUID_TEXT);
  expect(text(header, "uuid_image")).not.toBe(NIL_UUID);
  // QEMU's random UUIDs are version 4: the GUID byte order puts the version in the third group.
  expect(text(header, "uuid_image")[14]).toBe("4");
  expect(get(header, "uuid_link")).toBe(NIL_UUID);
  expect(get(header, "uuid_parent")).toBe(NIL_UUID);
}

function descriptorValue(descriptor: string, key: string): string | undefined {
  const match = new RegExp(`^${key}=(.*)$`, "m").exec(descriptor);
  return match?.[1];
}

function checkVmdk(fixture: LoadedFixture, codecs: Codecs): void {
  const extent = readOk(codecs("SparseExtent"), partOf(fixture, "extent").bytes);
  const data = rec(fixture.info, "format-specific.data");
  const extents = list(data, "extents");
  const first = extents[0];
  if (first === undefined) throw new Error("qemu-img info lists no extent");
  expect(int(extent, "header.capacity") * 512n).toBe(int(first, "virtual-size"));
  expect(int(extent, "header.grain_size") * 512n).toBe(int(first, "cluster-size"));
  expect(get(extent, "header.compressed_grains")).toBe(first["compressed"] === true);
  const compress = get(extent, "header.compress_algorithm");
  expect(compress).toBe(first["compressed"] === true ? "Deflate" : "None");
  expect(get(extent, "header.valid_newline_test")).toBe(true);
  expect(get(extent, "header.newline_check")).toBe("\n \r\n");
  expect(get(extent, "header.zeroed_grain_gte")).toBe(fixture.options.get("zeroed_grain") === "on");
  expect(int(extent, "header.version")).toBe(
    first["compressed"] === true ? 3n : fixture.options.get("zeroed_grain") === "on" ? 2n : 1n,
  );

  const descriptor = text(extent, "descriptor");
  if (fixture.options.get("subformat") === "twoGbMaxExtentSparse") {
    // The descriptor is the separate image file; the extent's embedded one is empty.
    expect(descriptor).toBe("");
    return;
  }
  expect(Number.parseInt(descriptorValue(descriptor, "CID") ?? "", 16)).toBe(data["cid"]);
  expect(Number.parseInt(descriptorValue(descriptor, "parentCID") ?? "", 16)).toBe(
    data["parent-cid"],
  );
  expect(descriptorValue(descriptor, "createType")).toBe(`"${String(data["create-type"])}"`);
  const hint = descriptorValue(descriptor, "parentFileNameHint");
  expect(hint).toBe(
    fixture.info["backing-filename"] === undefined
      ? undefined
      : `"${String(fixture.info["backing-filename"])}"`,
  );
  expect(descriptor).toContain(`RW ${int(extent, "header.capacity")} SPARSE "image.vmdk"`);
}

function checkVhd(fixture: LoadedFixture, codecs: Codecs): void {
  const footer = readOk(codecs("Footer"), partOf(fixture, "footer").bytes);
  const info = fixture.info;
  const geometry =
    int(footer, "disk_geometry.cylinders") *
    int(footer, "disk_geometry.heads") *
    int(footer, "disk_geometry.sectors_per_track") *
    512n;
  const forced = fixture.options.get("force_size") === "on";
  expect(text(footer, "creator_application")).toBe(forced ? "qem2" : "qemu");
  expect(forced ? int(footer, "current_size") : geometry).toBe(
    BigInt(info["virtual-size"] as number),
  );
  expect(text(footer, "creator_host_os")).toBe("Wi2k");
  expect(get(footer, "reserved_one")).toBe(true);
  expect(text(footer, "unique_id")).toMatch(UUID_TEXT);
  expect("checksum" in footer).toBe(false);
  const fixed = fixture.options.get("subformat") === "fixed";
  expect(get(footer, "disk_type")).toBe(fixed ? "Fixed" : "Dynamic");
  if (fixed) {
    expect(int(footer, "data_offset")).toBe(0xffffffffffffffffn);
    expect(fixture.parts.has("dynamic-header")).toBe(false);
    return;
  }
  // The copy at byte 0 is the footer, and data_offset locates the dynamic header.
  expect(readOk(codecs("Footer"), partOf(fixture, "footer-copy").bytes)).toEqual(footer);
  expect(int(footer, "data_offset")).toBe(512n);
  expect(partOf(fixture, "dynamic-header").offset).toBe(512);
  const dynamic = readOk(codecs("DynamicHeader"), partOf(fixture, "dynamic-header").bytes);
  expect(int(dynamic, "block_size")).toBe(BigInt(info["cluster-size"] as number));
  expect(int(dynamic, "max_table_entries") * int(dynamic, "block_size")).toBeGreaterThanOrEqual(
    BigInt(info["virtual-size"] as number),
  );
  expect(int(dynamic, "table_offset")).toBe(1536n);
  expect(text(dynamic, "parent_unicode_name")).toBe("");
  const locators = list(dynamic, "parent_locators");
  expect(locators).toHaveLength(8);
  for (const locator of locators) expect(get(locator, "platform_code")).toBe("None");
}

function vhdxItemOffset(metadata: Value, itemId: string): number {
  const entry = list(metadata, "entries").find((e) => e["item_id"] === itemId);
  if (entry === undefined) throw new Error(`no metadata item ${itemId}`);
  return Number(int(entry, "offset"));
}

function checkVhdx(fixture: LoadedFixture, codecs: Codecs): void {
  const info = fixture.info;
  const section = readOk(codecs("HeaderSection"), partOf(fixture, "header-section").bytes);
  expect(text(section, "identifier.creator")).toMatch(/^QEMU v\d/);
  for (const header of ["header_1", "header_2"]) {
    expect(int(section, `${header}.version`)).toBe(1n);
    expect(int(section, `${header}.log_length`)).toBe(
      fixture.options.get("log_size") === "4M" ? 4194304n : 1048576n,
    );
    expect(int(section, `${header}.log_offset`)).toBe(1048576n);
    expect(get(section, `${header}.log_guid`)).toBe(NIL_UUID); // closed cleanly: no log to replay
    expect(text(section, `${header}.data_write_guid`)).toMatch(UUID_TEXT);
  }
  expect(int(section, "header_1.sequence_number")).not.toBe(
    int(section, "header_2.sequence_number"),
  );
  expect(get(section, "region_table_2")).toEqual(get(section, "region_table_1"));
  const regions = list(section, "region_table_1.entries");
  expect(regions.map((r) => r["guid"]).sort()).toEqual([VHDX_BAT_GUID, VHDX_METADATA_GUID].sort());
  const metadataRegion = regions.find((r) => r["guid"] === VHDX_METADATA_GUID);
  const metadataPart = partOf(fixture, "metadata");
  expect(int(metadataRegion, "file_offset")).toBe(BigInt(metadataPart.offset));
  // The specification marks both regions required; QEMU 7.2 writes their flags as zero.
  for (const region of regions) expect(get(region, "required")).toBe(false);

  const metadata = readOk(codecs("MetadataTable"), metadataPart.bytes);
  expect(list(metadata, "entries")).toHaveLength(5);
  const item = (record: keyof typeof VHDX_ITEMS): Value => {
    const codec = codecs(record);
    const at = vhdxItemOffset(metadata, VHDX_ITEMS[record]);
    const value = readOk(codec, metadataPart.bytes, at);
    // Each item writes back as it was, and is as long as its table entry says.
    const entry = list(metadata, "entries").find((e) => e["item_id"] === VHDX_ITEMS[record]);
    expect(BigInt(codec.sizeof(value))).toBe(int(entry, "length"));
    const written = writeOk(codec, value);
    expect(
      Buffer.from(written).equals(
        Buffer.from(metadataPart.bytes.subarray(at, at + written.byteLength)),
      ),
    ).toBe(true);
    return value;
  };
  const params = item("FileParameters");
  expect(int(params, "block_size")).toBe(BigInt(info["cluster-size"] as number));
  expect(get(params, "leave_blocks_allocated")).toBe(fixture.options.get("subformat") === "fixed");
  expect(get(params, "has_parent")).toBe(false);
  expect(int(item("VirtualDiskSize"), "virtual_disk_size")).toBe(
    BigInt(info["virtual-size"] as number),
  );
  expect(int(item("LogicalSectorSize"), "logical_sector_size")).toBe(512n);
  expect(int(item("PhysicalSectorSize"), "physical_sector_size")).toBe(512n);
  expect(text(item("Page83Data"), "page_83_data")).toMatch(UUID_TEXT);
}

const CHECKS: Readonly<Record<string, (fixture: LoadedFixture, codecs: Codecs) => void>> = {
  qed: checkQed,
  vdi: checkVdi,
  vmdk: checkVmdk,
  vhd: checkVhd,
  vhdx: checkVhdx,
};

/**
 * Byte offsets (in a part) of a field under a checksum, and the error path
 * expected when one of its bits is flipped.
 */
const CHECKSUMMED: Readonly<Record<string, readonly { part: string; at: number; path: string }[]>> =
  {
    vhd: [
      { part: "footer", at: 0x30, path: "checksum" }, // current_size
      { part: "footer", at: 0x40, path: "checksum" }, // the checksum itself
      { part: "footer-copy", at: 0x28, path: "checksum" }, // the copy's original_size
      { part: "dynamic-header", at: 0x1c, path: "checksum" }, // max_table_entries
      { part: "dynamic-header", at: 0x40, path: "checksum" }, // parent_unicode_name
    ],
    vhdx: [
      { part: "header-section", at: 65536 + 8, path: "header_1.checksum" }, // sequence_number
      { part: "header-section", at: 131072 + 16, path: "header_2.checksum" }, // file_write_guid
      // an entry's GUID
      { part: "header-section", at: 196608 + 16 + 8 + 2, path: "region_table_1.checksum" },
      { part: "header-section", at: 262144 + 4, path: "region_table_2.checksum" }, // the checksum itself
    ],
  };

// ---------------------------------------------------------------------------
// The suites: one per schema, skipped while its generated module is missing
// ---------------------------------------------------------------------------

for (const schema of ["qed", "vdi", "vmdk", "vhd", "vhdx"]) {
  describe(`${schema} fixtures`, () => {
    let codecs: Codecs;
    beforeAll(async () => {
      codecs = await loadCodecs(schema);
    });

    const entries = fixturesOf(schema);
    it("has fixtures", () => {
      expect(entries.length).toBeGreaterThanOrEqual(5);
    });

    describe.each(entries.map((entry) => [entry.name, entry] as const))("%s", (_name, entry) => {
      const fixture = loadFixture(entry);

      it("agrees with qemu-img info", () => {
        const check = CHECKS[schema];
        if (check === undefined) throw new Error(`no checks for ${schema}`);
        check(fixture, codecs);
      });

      it.each(entry.parts.map((part) => [part.part, part] as const))(
        "write(read(%s)) gives back every byte",
        (partName) => {
          const part = partOf(fixture, partName);
          const codec = codecs(part.record);
          const result = codec.read(part.recordBytes, 0);
          if (result instanceof CodecError) throw new Error(result.message);
          expect(result.end).toBe(part.recordBytes.byteLength);
          expect(codec.sizeof(result.value)).toBe(part.recordBytes.byteLength);
          expect(
            Buffer.from(writeOk(codec, result.value)).equals(Buffer.from(part.recordBytes)),
          ).toBe(true);
          // Written at an offset into a larger buffer, nothing else changes.
          const big = new Uint8Array(part.recordBytes.byteLength + 7).fill(0xa5);
          writeInto(codec, result.value, big, 3);
          expect(
            Buffer.from(big.subarray(3, 3 + part.recordBytes.byteLength)).equals(
              Buffer.from(part.recordBytes),
            ),
          ).toBe(true);
          expect([...big.subarray(0, 3), ...big.subarray(3 + part.recordBytes.byteLength)]).toEqual(
            [0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5],
          );
        },
      );

      const flips = (CHECKSUMMED[schema] ?? []).filter((flip) => fixture.parts.has(flip.part));
      if (flips.length > 0) {
        it.each(flips.map((flip) => [flip.part, flip.at, flip] as const))(
          "a flipped bit in %s at byte %i is a checksum error",
          (_part, _at, flip) => {
            const part = partOf(fixture, flip.part);
            expectChecksumError(codecs(part.record), flipBit(part.bytes, flip.at), flip.path);
          },
        );
      }

      it("a truncated part is a read error, not a crash", () => {
        const part = [...fixture.parts.values()][0];
        if (part === undefined) throw new Error("no parts");
        const result = codecs(part.record).read(
          part.bytes.subarray(0, part.bytes.byteLength - 1),
          0,
        );
        expect(result).toBeInstanceOf(CodecError);
      });
    });
  });
}

// ---------------------------------------------------------------------------
// Edits in copies of real images, judged by qemu-img
// ---------------------------------------------------------------------------

interface Workspace {
  readonly dir: string;
  readonly image: string;
  bytes(): Uint8Array;
  save(bytes: Uint8Array): void;
  info(): Info;
  /** `qemu-img check` status (0 clean) and output. */
  check(): { status: number; output: string };
}

function withImage(configName: string, fn: (ws: Workspace) => void): void {
  const config = configNamed(configName);
  const tmp = makeTempDir(`disk-format-edit-${configName}-`);
  try {
    const image = createImage(config, tmp.path);
    const ws: Workspace = {
      dir: tmp.path,
      image,
      bytes: () => new Uint8Array(readFileSync(image)),
      save: (bytes) => writeFileSync(image, bytes),
      info: () =>
        JSON.parse(
          qemuImgOrThrow(["info", "--output=json", "-f", config.format, image], { cwd: tmp.path })
            .stdout,
        ) as Info,
      check: () => {
        const result = qemuImg(["check", "-f", config.format, image], { cwd: tmp.path });
        return { status: result.status, output: result.stdout + result.stderr };
      },
    };
    fn(ws);
  } finally {
    tmp.cleanup();
  }
}

const EDIT_SCHEMAS = ["qed", "vdi", "vmdk", "vhd", "vhdx"];

describeWithQemu("disk-format edits accepted by qemu-img", () => {
  const codecsBySchema = new Map<string, Codecs>();
  beforeAll(async () => {
    for (const schema of EDIT_SCHEMAS) codecsBySchema.set(schema, await loadCodecs(schema));
  });
  const codecsOf = (schema: string): Codecs => {
    const found = codecsBySchema.get(schema);
    if (found === undefined) throw new Error(`generated/${schema}.ts is missing`);
    return found;
  };

  it("QED: a new size and a new backing file name", () => {
    withImage("qed-backing-qed", (ws) => {
      qemuImgOrThrow(["create", "-f", "qed", "base-renamed.qed", "128M"], { cwd: ws.dir });
      const codec = codecsOf("qed")("Header");
      const bytes = ws.bytes();
      const header = readOk(codec, bytes);
      const name = "base-renamed.qed";
      // backing_filename_size is not computed on write (see schema/qed.yaml).
      writeInto(
        codec,
        {
          ...header,
          image_size: 128n * 1024n * 1024n,
          backing_filename: name,
          backing_filename_size: name.length,
        },
        bytes,
        0,
      );
      ws.save(bytes);
      const info = ws.info();
      expect(info["virtual-size"]).toBe(128 * 1024 * 1024);
      expect(info["backing-filename"]).toBe(name);
      expect(ws.check().status, ws.check().output).toBe(0);
    });
  });

  it("QED: a name that runs past the header clusters is refused by qemu-img, not silently truncated", () => {
    withImage("qed-cluster-4K-table-2", (ws) => {
      const codec = codecsOf("qed")("Header");
      const bytes = ws.bytes();
      const header = readOk(codec, bytes);
      const name = "x".repeat(5000); // header_size is one 4 KiB cluster
      const edited = {
        ...header,
        features: int(header, "features") | QED_BACKING_FILE,
        backing_filename_offset: 64,
        backing_filename_size: name.length,
        backing_filename: name,
      };
      const buf = new Uint8Array(Math.max(bytes.byteLength, codec.sizeof(edited)));
      buf.set(bytes);
      writeInto(codec, edited, buf, 0);
      ws.save(buf);
      expect(qemuImg(["info", "-f", "qed", ws.image]).status).not.toBe(0);
    });
  });

  it("VDI: a new image UUID and a smaller disk size", () => {
    withImage("vdi-dynamic", (ws) => {
      const codec = codecsOf("vdi")("Header");
      const bytes = ws.bytes();
      const header = readOk(codec, bytes);
      const uuid = "0123abcd-4567-4def-8901-23456789abcd";
      writeInto(codec, { ...header, uuid_image: uuid, disk_size: 32n * 1024n * 1024n }, bytes, 0);
      ws.save(bytes);
      expect(ws.info()["virtual-size"]).toBe(32 * 1024 * 1024);
      expect(ws.check().status, ws.check().output).toBe(0);
      expect(get(readOk(codec, ws.bytes()), "uuid_image")).toBe(uuid);
      // Mixed-endian on disk: the first group is stored little-endian.
      expect([...ws.bytes().subarray(0x188, 0x18c)]).toEqual([0xcd, 0xab, 0x23, 0x01]);
    });
  });

  it("VMDK: a new CID and a new parent file name in the embedded descriptor", () => {
    withImage("vmdk-backing", (ws) => {
      copyFileSync(join(ws.dir, "base.vmdk"), join(ws.dir, "base-renamed.vmdk"));
      const codec = codecsOf("vmdk")("SparseExtent");
      const bytes = ws.bytes();
      const extent = readOk(codec, bytes);
      const descriptor = text(extent, "descriptor")
        .replace(/^CID=.*$/m, "CID=12345678")
        .replace(/^parentFileNameHint=.*$/m, 'parentFileNameHint="base-renamed.vmdk"');
      writeInto(codec, { ...extent, descriptor }, bytes, 0);
      ws.save(bytes);
      const info = ws.info();
      expect(info["backing-filename"]).toBe("base-renamed.vmdk");
      expect(get(info, "format-specific.data.cid")).toBe(0x12345678);
      expect(ws.check().status, ws.check().output).toBe(0);
    });
  });

  it("VHD: a new size and UUID in both footers, checksums recomputed", () => {
    withImage("vpc-dynamic-force-size", (ws) => {
      const footerCodec = codecsOf("vhd")("Footer");
      const bytes = ws.bytes();
      const footerAt = bytes.byteLength - 512;
      const uuid = "89abcdef-0123-4567-89ab-cdef01234567";
      const footer = {
        ...readOk(footerCodec, bytes, footerAt),
        current_size: 32n * 1024n * 1024n,
        unique_id: uuid,
      };
      expect(readOk(footerCodec, bytes, 0)).toEqual(readOk(footerCodec, bytes, footerAt));
      writeInto(footerCodec, footer, bytes, 0);
      writeInto(footerCodec, footer, bytes, footerAt);
      // Both copies carry the recomputed checksum: they read back as written.
      expect(readOk(footerCodec, bytes, 0)).toEqual(footer);
      expect(readOk(footerCodec, bytes, footerAt)).toEqual(footer);
      ws.save(bytes);
      expect(ws.info()["virtual-size"]).toBe(32 * 1024 * 1024);
      // qemu-img check does not support vpc: reading the data is the check.
      const io = qemuImg(["convert", "-f", "vpc", "-O", "raw", ws.image, join(ws.dir, "out.raw")]);
      expect(io.status, io.stderr).toBe(0);
    });
  });

  it("VHD: qemu-img refuses a footer with a flipped bit, as our read does", () => {
    withImage("vpc-fixed", (ws) => {
      const bytes = ws.bytes();
      const at = bytes.byteLength - 512 + 0x30;
      const flipped = flipBit(bytes, at);
      expectChecksumError(
        codecsOf("vhd")("Footer"),
        flipped.subarray(flipped.byteLength - 512),
        "checksum",
      );
      ws.save(flipped);
      const result = qemuImg(["info", "-f", "vpc", ws.image]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/checksum/i);
    });
  });

  it("VHDX: a new sequence number and data GUID, and a smaller virtual size", () => {
    withImage("vhdx-dynamic", (ws) => {
      const sectionCodec = codecsOf("vhdx")("HeaderSection");
      const bytes = ws.bytes();
      const section = readOk(sectionCodec, bytes);
      const h1 = rec(section, "header_1");
      const h2 = rec(section, "header_2");
      const next =
        (int(h1, "sequence_number") > int(h2, "sequence_number")
          ? int(h1, "sequence_number")
          : int(h2, "sequence_number")) + 10n;
      const guid = "01234567-89ab-4cde-8f01-23456789abcd";
      writeInto(
        sectionCodec,
        { ...section, header_2: { ...h2, sequence_number: next, data_write_guid: guid } },
        bytes,
        0,
      );

      const region = list(section, "region_table_1.entries").find(
        (r) => r["guid"] === VHDX_METADATA_GUID,
      );
      const metadataOffset = Number(int(region, "file_offset"));
      const metadata = readOk(codecsOf("vhdx")("MetadataTable"), bytes, metadataOffset);
      const sizeAt = metadataOffset + vhdxItemOffset(metadata, VHDX_ITEMS.VirtualDiskSize);
      const sizeCodec = codecsOf("vhdx")("VirtualDiskSize");
      writeInto(
        sizeCodec,
        { ...readOk(sizeCodec, bytes, sizeAt), virtual_disk_size: 32n * 1024n * 1024n },
        bytes,
        sizeAt,
      );
      ws.save(bytes);

      expect(ws.info()["virtual-size"]).toBe(32 * 1024 * 1024);
      expect(ws.check().status, ws.check().output).toBe(0);
      // Opened read-only, qemu-img leaves the headers as written.
      const reread = readOk(sectionCodec, ws.bytes());
      expect(int(reread, "header_2.sequence_number")).toBe(next);
      expect(get(reread, "header_2.data_write_guid")).toBe(guid);
    });
  });

  it("VHDX: BAT entries (bit fields of a 64-bit word) locate the blocks qemu-io wrote, and entries the codec rewrites move and unmap blocks as qemu-io reads them", () => {
    withImage("vhdx-block-1M", (ws) => {
      const io = (...commands: string[]) =>
        runTool("qemu-io", ["-f", "vhdx", ...commands.flatMap((c) => ["-c", c]), ws.image]);
      const wrote = io("write -P 0xab 0 1M", "write -P 0xcd 5M 64k");
      expect(wrote.status, wrote.stderr).toBe(0);
      const bytes = ws.bytes();
      const section = readOk(codecsOf("vhdx")("HeaderSection"), bytes);
      const region = list(section, "region_table_1.entries").find(
        (r) => r["guid"] === VHDX_BAT_GUID,
      );
      const batAt = Number(int(region, "file_offset"));
      const batCodec = codecsOf("vhdx")("BatEntry");
      // 64 blocks of 1 MiB, fewer than the chunk ratio (2^23 × 512 / 2^20 = 4096): all payload entries.
      const entries = Array.from({ length: 64 }, (_, i) => readOk(batCodec, bytes, batAt + 8 * i));
      const present = entries.flatMap((e, i) => (int(e, "state") === 6n ? [i] : []));
      expect(present).toEqual([0, 5]);
      for (const [i, e] of entries.entries()) {
        expect(int(e, "reserved"), `entry ${i}`).toBe(0n);
        if (!present.includes(i)) expect(int(e, "file_offset_mb"), `entry ${i}`).toBe(0n);
        // Each entry writes back as it was.
        expect([...writeOk(batCodec, e)]).toEqual([
          ...bytes.subarray(batAt + 8 * i, batAt + 8 * i + 8),
        ]);
      }
      // Where the entries say the blocks are, the file holds what qemu-io wrote.
      const blockAt = (e: Value): number => Number(int(e, "file_offset_mb")) * 1048576;
      const block0 = blockAt(entries[0]!);
      const block5 = blockAt(entries[5]!);
      expect(bytes.subarray(block0, block0 + 1048576).every((b) => b === 0xab)).toBe(true);
      expect(bytes.subarray(block5, block5 + 65536).every((b) => b === 0xcd)).toBe(true);

      // Block 1 now points at block 5's data; block 5 is no longer in the file.
      writeInto(
        batCodec,
        { ...entries[1]!, state: 6, file_offset_mb: int(entries[5], "file_offset_mb") },
        bytes,
        batAt + 8,
      );
      writeInto(batCodec, { ...entries[5]!, state: 0, file_offset_mb: 0n }, bytes, batAt + 40);
      ws.save(bytes);
      const moved = io("read -P 0xcd 1M 64k", "read -P 0 5M 64k", "read -P 0xab 0 1M");
      expect(moved.status, moved.stdout + moved.stderr).toBe(0);
      expect(moved.stdout).not.toMatch(/Pattern verification failed/);
      // A file offset past 44 bits is refused, and the image is left as it was.
      const refused = batCodec.write(
        { ...entries[1]!, file_offset_mb: 1n << 44n },
        bytes,
        batAt + 8,
      );
      expect(refused instanceof CodecError && refused.message).toMatch(
        /^file_offset_mb: expected an integer from 0 to 17592186044415 \(a bigint\)/,
      );
      expect(readOk(batCodec, bytes, batAt + 8)).toEqual({
        ...entries[1]!,
        state: 6,
        file_offset_mb: int(entries[5], "file_offset_mb"),
      });
    });
  });

  it("VHDX: with both headers' checksums broken qemu-img finds no valid header, and our read names the header", () => {
    withImage("vhdx-dynamic", (ws) => {
      const flipped = flipBit(flipBit(ws.bytes(), 65536 + 8), 131072 + 8);
      expectChecksumError(codecsOf("vhdx")("HeaderSection"), flipped, "header_1.checksum");
      ws.save(flipped);
      const result = qemuImg(["info", "-f", "vhdx", ws.image]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/No valid VHDX header found/);
    });
  });
});
