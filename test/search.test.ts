/**
 * Records found by searching backwards from the end of the input
 * (`search: N`), on ZIP end records worked out by hand: which candidate is
 * the match (the one closest to the end that reads and ends exactly at the
 * end), what the bytes before it hold, what write refuses, and the traced
 * layout, which shows only the match. The schema is schema/zip.yaml's end
 * record after the bytes before it, generated here: zip.yaml's root also
 * reads the central directory the end record points at (test/zip-root.test.ts).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { generateFrom } from "../generator/generate.js";
import { modelOf } from "../generator/model-of.js";
import type { LayoutNode } from "../runtime/trace.js";
import { CodecError } from "../runtime/codec.js";

/** A ZIP end record after the bytes before it (schema/zip.yaml's root reads what it points at too). */
const TAIL_SCHEMA = `
format: tail
endian: little
root: Zip
types:
  Zip:
    record:
      - { name: body, type: bytes }
      - { name: end, type: EndOfCentralDirectory, search: 65557 }
  EndOfCentralDirectory:
    record:
      - { name: signature, magic: "PK\\x05\\x06" }
      - { name: disk_number, type: u16 }
      - { name: cd_disk, type: u16 }
      - { name: disk_entries, type: u16 }
      - { name: total_entries, type: u16 }
      - { name: cd_size, type: u32 }
      - { name: cd_offset, type: u32 }
      - { name: comment_length, type: u16, value: size(comment) }
      - { name: comment, type: bytes, size: comment_length }
`;

interface Zip {
  body: string;
  end: {
    disk_number: number;
    cd_disk: number;
    disk_entries: number;
    total_entries: number;
    cd_size: number;
    cd_offset: number;
    comment: string;
  };
}

interface Codec {
  layout(buf: Uint8Array): { nodes: LayoutNode[] } | { message: string };
  read(buf: Uint8Array): { value: Zip; end: number } | CodecError;
  write(value: Zip, buf: Uint8Array): number | CodecError;
  sizeof(value: Zip): number;
}

/** Generates a schema's module (with the runtime inlined) and imports it. */
async function load<T>(name: string, schema: string, trace = false): Promise<T> {
  const checked = modelOf(name, schema);
  if (!checked.ok) throw new Error(checked.problems.map((p) => p.message).join("\n"));
  const files = await generateFrom(checked.model, {
    runtime: { kind: "inline" },
    target: "js",
    trace,
  });
  const js = files.find((f) => f.name.endsWith(".js"))!.text;
  return (await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`)) as T;
}

let codec: Codec;
let read: Codec["read"];
let write: Codec["write"];
let sizeof: Codec["sizeof"];
beforeAll(async () => {
  // One module, traced, for the layout test too: generating takes seconds.
  codec = await load<Codec>("tail.yaml", TAIL_SCHEMA, true);
  // The module's errors are its own CodecError class; the tests compare messages.
  read = (buf) => {
    const r = codec.read(buf);
    return "value" in r ? r : Object.setPrototypeOf(r, CodecError.prototype);
  };
  write = (v, buf) => {
    const r = codec.write(v, buf);
    return typeof r === "number" ? r : Object.setPrototypeOf(r, CodecError.prototype);
  };
  sizeof = codec.sizeof;
}, 60_000);

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const u16 = (n: number): string => String.fromCharCode(n & 0xff, n >> 8);
const u32 = (n: number): string => u16(n & 0xffff) + u16(n >>> 16);

/** An end record: one disk, `entries` entries, the directory at `offset`, and a comment. */
function endRecord(entries: number, size: number, offset: number, comment: string): string {
  return (
    "PK\x05\x06" +
    u16(0) +
    u16(0) +
    u16(entries) +
    u16(entries) +
    u32(size) +
    u32(offset) +
    u16(comment.length) +
    comment
  );
}

function decode(text: string): Zip {
  const r = read(bytes(text));
  if (r instanceof CodecError) throw new Error(r.message);
  expect(r.end).toBe(text.length);
  const out = new Uint8Array(sizeof(r.value));
  expect(write(r.value, out)).toBe(text.length);
  expect(Buffer.compare(out, bytes(text))).toBe(0);
  return r.value;
}

describe("search from the end", () => {
  test("an empty archive is the 22-byte end record alone", () => {
    const z = decode(endRecord(0, 0, 0, ""));
    expect(z).toEqual({
      body: "",
      end: {
        disk_number: 0,
        cd_disk: 0,
        disk_entries: 0,
        total_entries: 0,
        cd_size: 0,
        cd_offset: 0,
        comment: "",
      },
    });
  });

  test("a signature in the comment that starts no whole record is comment text", () => {
    // Candidates at 28 (in the comment: too short to be a record) and 6 (the match).
    const text = "stub: " + endRecord(1, 46, 0, "see PK\x05\x06 here");
    const z = decode(text);
    expect(z.body).toBe("stub: ");
    expect(z.end.comment).toBe("see PK\x05\x06 here");
  });

  test("a record whose comment does not reach the end is not a match; one whose comment does is", () => {
    // The outer record's comment is 3 bytes short of the end, so only the inner one ends there.
    const inner = endRecord(2, 0, 7, "");
    const outer = endRecord(0, 0, 0, "x".repeat(5)).slice(0, -5);
    const text = outer + "xx" + inner;
    const z = decode(text);
    expect(z.body).toBe(outer + "xx");
    expect(z.end.total_entries).toBe(2);
    expect(z.end.cd_offset).toBe(7);
  });

  test("two records that both end at the end: the one closest to the end is the match", () => {
    const fake = endRecord(3, 0, 0, "");
    const text = endRecord(1, 0, 0, fake);
    const z = decode(text);
    expect(z.body).toBe(text.slice(0, 22));
    expect(z.end.total_entries).toBe(3);
    // Writing the outer record as the value would not read back, so write refuses it.
    const outer: Zip = {
      body: "",
      end: { ...z.end, total_entries: 1, disk_entries: 1, comment: fake },
    };
    const buf = new Uint8Array(sizeof(outer)).fill(7);
    const result = write(outer, buf);
    expect(result).toBeInstanceOf(CodecError);
    expect((result as CodecError).message).toBe(
      "end: holds another EndOfCentralDirectory at byte 22 of it that ends at the end of the input, which a search would find instead",
    );
    expect(buf.every((b) => b === 7)).toBe(true);
  });

  test("no match when the comment length runs past the end; the longest comment is within reach", () => {
    const text = endRecord(0, 0, 0, "abc").slice(0, -1);
    const r = read(bytes(text));
    expect(r).toBeInstanceOf(CodecError);
    expect((r as CodecError).message).toBe(
      "end at byte 0: no EndOfCentralDirectory ends exactly at the end of the input (byte 24) within its last 65557 bytes",
    );
    // The longest comment (65535 bytes) still reaches; the search never looks further back.
    const longest = "x" + endRecord(0, 0, 0, "c".repeat(65535));
    expect(decode(longest).body).toBe("x");
  });

  test("the traced layout shows the bytes before the match and the match, not the candidates tried", () => {
    // The candidate at 25 fails (its comment length, 9, runs past the end) before the match at 3.
    const cut = "PK\x05\x06" + "\0".repeat(16) + u16(9);
    const text = "abc" + endRecord(0, 0, 0, cut);
    const result = codec.layout(bytes(text));
    if (!("nodes" in result)) throw new Error(result.message);
    expect(result.nodes.map((n) => [n.name, n.start, n.end])).toEqual([
      ["body", 0, 3],
      ["end", 3, 47],
    ]);
    const children = result.nodes[1]!.children.map((n) => [n.name, n.start, n.end]);
    expect(children[0]).toEqual(["signature", 3, 7]);
    expect(children.slice(-2)).toEqual([
      ["comment_length", 23, 25],
      ["comment", 25, 47],
    ]);
  });
});
