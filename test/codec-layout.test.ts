/**
 * The byte layout behind `binschema decode --layout`: a module generated
 * with `trace` reads exactly as the committed one does, and says for every
 * member where its bytes are; the table puts each member beside its bytes,
 * in byte order, and shows the bytes no member covers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { generateFrom } from "../generator/generate.js";
import { modelOf } from "../generator/model-of.js";
import { layoutLines, shownValue } from "../program/commands/layout.js";
import type { LayoutNode } from "../runtime/trace.js";
import { getGuid, getUuid } from "../runtime/uuid.js";

const root = join(import.meta.dirname, "..");
const images = join(root, "test", "fixtures", "images");

interface Traced {
  read(buf: Uint8Array): { value: unknown; end: number } | { message: string };
  layout(
    buf: Uint8Array,
  ): { value: unknown; end: number; nodes: LayoutNode[] } | { message: string };
}

/** The codec of `schema` with `trace` (entry point `type`), loaded from memory as decode does. */
async function traced(schema: string, type?: string): Promise<Traced> {
  const file = join(root, "schema", schema);
  const checked = modelOf(file, readFileSync(file, "utf8"));
  if (!checked.ok) throw new Error(checked.problems.map((p) => p.message).join("\n"));
  let model = checked.model;
  if (type !== undefined) {
    const entry = model.types.find((t) => t.kind === "record" && t.name === type);
    if (entry?.kind !== "record") throw new Error(`no record ${type}`);
    model = { ...model, root: entry };
  }
  const files = await generateFrom(model, {
    runtime: { kind: "inline" },
    target: "js",
    trace: true,
  });
  const js = files.find((f) => f.name.endsWith(".js"))!.text;
  return (await import(
    `data:text/javascript;base64,${Buffer.from(js).toString("base64")}`
  )) as Traced;
}

function layoutOf(
  codec: Traced,
  buf: Uint8Array,
): { value: unknown; end: number; nodes: LayoutNode[] } {
  const result = codec.layout(buf);
  if (!("nodes" in result)) throw new Error(result.message);
  return result;
}

/** The node at a path of names (`additional`, `refcount_order`). */
function nodeAt(nodes: readonly LayoutNode[], ...path: string[]): LayoutNode {
  let current: LayoutNode | undefined;
  let list = nodes;
  for (const name of path) {
    current = list.find((n) => n.name === name);
    if (current === undefined)
      throw new Error(`no ${name} in ${list.map((n) => n.name).join(", ")}`);
    list = current.children;
  }
  return current!;
}

/** Every node lies within its parent, and siblings present do not overlap. */
function expectNested(nodes: readonly LayoutNode[], from: number, to: number, where = ""): void {
  const present = nodes.filter((n) => n.end > n.start).sort((a, b) => a.start - b.start);
  let cursor = from;
  for (const n of present) {
    const path = `${where}${n.name}`;
    expect(n.start, `${path} starts within its parent`).toBeGreaterThanOrEqual(cursor);
    expect(n.end, `${path} ends within its parent`).toBeLessThanOrEqual(to);
    expectNested(n.children, n.start, n.end, `${path}.`);
    cursor = n.end;
  }
}

const u32be = (buf: Uint8Array, at: number): number =>
  new DataView(buf.buffer, buf.byteOffset).getUint32(at, false);
const u32le = (buf: Uint8Array, at: number): number =>
  new DataView(buf.buffer, buf.byteOffset).getUint32(at, true);

describe("a module generated with trace", () => {
  test("qcow2: reads as read does; every header field, extension and feature at its offset", async () => {
    const codec = await traced("qcow2.yaml");
    const buf = new Uint8Array(
      readFileSync(join(root, "test", "fixtures", "qcow2", "backing.bin")),
    );
    const { value, end, nodes } = layoutOf(codec, buf);
    expect(codec.read(buf)).toEqual({ value, end });
    expectNested(nodes, 0, end);
    expect(nodeAt(nodes, "magic")).toMatchObject({ start: 0, end: 4, value: 0x514649fb });
    expect(nodeAt(nodes, "size")).toMatchObject({ start: 24, end: 32, type: "i64" });
    const order = nodeAt(nodes, "additional", "refcount_order");
    expect(order).toMatchObject({ start: 0x60, end: 0x64, value: u32be(buf, 0x60) });
    expect(nodeAt(nodes, "additional", "header_length").value).toBe(u32be(buf, 0x64));
    const extensions = nodeAt(nodes, "extensions");
    expect(extensions.start).toBe(u32be(buf, 0x64));
    expect(extensions.end).toBe(end);
    // Each entry: its tag and length first, then the payload's fields.
    const first = nodeAt(nodes, "extensions", "[0]");
    expect(first.children.map((n) => n.name)).toEqual(["tag", "length", "format", "(padding)"]);
    expect(nodeAt(first.children, "tag").value).toBe(u32be(buf, first.start));
    const feature = nodeAt(nodes, "extensions", "[1]", "features", "[2]", "feature");
    expect(feature.type).toBe("FeatureName (46-byte string)");
    expect(feature.value).toBe("External_data_file");
    expect(nodeAt(nodes, "extensions", "(end)")).toMatchObject({ end, start: end - 8 });
  }, 120_000);

  test("VHDX: parts at their offsets, checksums as stored, GUIDs as text", async () => {
    const codec = await traced("vhdx.yaml");
    const buf = new Uint8Array(
      gunzipSync(readFileSync(join(images, "vhdx", "vhdx-dynamic.header-section.bin.gz"))),
    );
    const { value, end, nodes } = layoutOf(codec, buf);
    expect(codec.read(buf)).toEqual({ value, end });
    expectNested(nodes, 0, end);
    expect(nodeAt(nodes, "header_1").start).toBe(0x10000);
    expect(nodeAt(nodes, "header_2").start).toBe(0x20000);
    expect(nodeAt(nodes, "header_1", "checksum")).toMatchObject({
      start: 0x10004,
      type: "crc32c checksum (u32 little-endian)",
      value: u32le(buf, 0x10004),
    });
    const guid = nodeAt(nodes, "header_1", "file_write_guid");
    expect(guid.value).toBe(getGuid(buf, guid.start));
    expect(nodeAt(nodes, "identifier", "creator").value).toMatch(/^QEMU/);
    const entries = nodeAt(nodes, "region_table_1", "entries");
    expect(entries.children.map((n) => n.name)).toEqual(["[0]", "[1]"]);
  }, 120_000);

  test("VHD footer: flags, a UUID and zero padding", async () => {
    const codec = await traced("vhd.yaml", "Footer");
    const buf = new Uint8Array(readFileSync(join(images, "vhd", "vpc-dynamic.footer.bin")));
    const { end, nodes } = layoutOf(codec, buf);
    expect(end).toBe(512);
    expectNested(nodes, 0, end);
    const id = nodeAt(nodes, "unique_id");
    expect(id).toMatchObject({ start: 0x44, end: 0x54, value: getUuid(buf, 0x44) });
    expect(nodeAt(nodes, "features").value).toMatchObject({ reserved_one: true });
    expect(nodes.at(-1)).toMatchObject({ name: "(padding)", end: 512 });
  }, 120_000);

  test("QED: a backing file name positioned by backing_filename_offset, or absent", async () => {
    const codec = await traced("qed.yaml");
    const withName = new Uint8Array(
      readFileSync(join(images, "qed", "qed-backing-raw.header.bin")),
    );
    const named = layoutOf(codec, withName);
    const name = nodeAt(named.nodes, "backing_filename");
    const offset = nodeAt(named.nodes, "backing_filename_offset").value as number;
    expect(name.start).toBe(offset);
    expect(name.end - name.start).toBe(nodeAt(named.nodes, "backing_filename_size").value);
    const plain = new Uint8Array(readFileSync(join(images, "qed", "qed-default.header.bin")));
    const none = layoutOf(codec, plain);
    expect(nodeAt(none.nodes, "backing_filename")).toMatchObject({ value: undefined });
    expect(layoutLines(none.nodes, plain, 0, none.end).join("\n")).not.toContain(
      "backing_filename ",
    );
  }, 120_000);

  test("a read that fails leaves no spans behind for the next one", async () => {
    const codec = await traced("vhd.yaml", "Footer");
    const good = new Uint8Array(readFileSync(join(images, "vhd", "vpc-dynamic.footer.bin")));
    expect(codec.layout(good.subarray(0, 100))).toMatchObject({ path: "padding", offset: 85 });
    const { nodes } = layoutOf(codec, good);
    expect(nodes[0]).toMatchObject({ name: "cookie", start: 0 });
  }, 120_000);
});

describe("the layout table", () => {
  const leaf = (name: string, start: number, end: number, value: unknown): LayoutNode => ({
    name,
    type: "u8",
    start,
    end,
    value,
    children: [],
  });

  test("members in byte order beside their bytes, offsets from --at, gaps shown, absent members not", () => {
    const buf = Uint8Array.from({ length: 40 }, (_, i) => i);
    const nodes: LayoutNode[] = [
      leaf("late", 8, 10, 2056),
      leaf("early", 0, 2, 1),
      leaf("absent", 2, 2, undefined),
      {
        name: "inner",
        type: "Inner",
        start: 12,
        end: 40,
        value: {},
        children: [leaf("long", 12, 40, "x".repeat(100))],
      },
    ];
    const lines = layoutLines(nodes, buf, 0x1000, 40);
    expect(lines[0]).toMatch(/^offset +size +field +type +value +bytes$/);
    const rows = lines.slice(1).map((l) => l.split(/ {2,}/));
    expect(rows.map((r) => r[2])).toEqual(["early", "(gap)", "late", "(gap)", "inner", "long"]);
    expect(rows[0]).toEqual(["0x1000", "2", "early", "u8", "1", "00 01"]);
    expect(rows[1]!.slice(0, 2)).toEqual(["0x1002", "6"]);
    expect(rows[2]).toEqual(["0x1008", "2", "late", "u8", "2056 (0x808)", "08 09"]);
    // A composite shows its range and type; its members are indented under it.
    expect(lines[5]).toMatch(/^0x100c +28 {2}inner +Inner$/);
    expect(lines[6]).toMatch(
      /^0x100c +28 {4}long +u8 +"x+… +0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b …$/,
    );
  });

  test("values as a reader wants them", () => {
    expect(shownValue(4)).toBe("4");
    expect(shownValue(65536n)).toBe("65536 (0x10000)");
    expect(shownValue(-20)).toBe("-20 (-0x14)");
    expect(shownValue("QFI\u00fb\u0000")).toBe('"QFI\\xfb\\x00"');
    expect(shownValue({ unknown: 7 })).toBe("unknown 7");
    expect(shownValue({ dirty: true, corrupt: false, unknown: 0 })).toBe("dirty");
    expect(shownValue({ dirty: false, unknown: 0x10 })).toBe("unknown=16 (0x10)");
    expect(shownValue({ dirty: false, unknown: 0n })).toBe("(none set)");
    expect(shownValue(undefined)).toBe("");
  });
});
