/**
 * `value: end(F)`: the offset just past F, which write works out from the
 * value and read checks against where F really ends. Of a record's last
 * member it is the record's size, as ISO 9660's directory record stores its
 * length first and sizes its last bytes by it; of an earlier one, a header's
 * size. Checked against bytes worked out by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  expectRoundTrip,
  generateSchemas,
  loadRootCodec,
  type RootCodec,
  type SchemaModules,
} from "./support/schema-modules.js";

// The record's size first, its last bytes sized by it.
const RECORD = `
format: recordsize
endian: little
root: Rec
types:
  Rec:
    record:
      - { name: length, type: u8, value: end(rest), valid: [{ check: length >= 3, message: at least 3 }] }
      - { name: kind, type: u16 }
      - { name: rest, type: bytes, size: length - 3 }
`;

// A header's size, then what follows the header.
const HEADER = `
format: headersize
endian: big
root: File
types:
  File:
    record:
      - { name: header_size, type: u16, value: end(flags) }
      - { name: version, type: u8 }
      - { name: flags, type: u16 }
      - { name: body, type: bytes }
`;

// A size expression that disagrees with the layout: rest takes length - 2 bytes after 3.
const WRONG = `
format: wrongsize
endian: little
root: Rec
types:
  Rec:
    record:
      - { name: length, type: u8, value: end(rest) }
      - { name: kind, type: u16 }
      - { name: rest, type: bytes, size: length - 2 }
`;

let modules: SchemaModules;
let rec: RootCodec;
let file: RootCodec;
let wrong: RootCodec;

beforeAll(async () => {
  modules = await generateSchemas([
    { name: "test/recordsize.yaml", text: RECORD },
    { name: "test/headersize.yaml", text: HEADER },
    { name: "test/wrongsize.yaml", text: WRONG },
  ]);
  [rec, file, wrong] = await Promise.all(modules.schemas.map((s) => loadRootCodec(modules, s)));
}, 120_000);

afterAll(async () => {
  await modules?.remove();
});

const error = (r: unknown): string | false => modules.isError(r) && r.message;

describe("end(F)", () => {
  test("compile under the strictest settings", () => {
    expect(modules.typeErrors()).toEqual([]);
  });

  test("write stores the offset just past F; read, sizeof and S-expressions agree", () => {
    expectRoundTrip(rec, { kind: 0x0201, rest: "abc" }, [6, 1, 2, 0x61, 0x62, 0x63]);
    expectRoundTrip(rec, { kind: 7, rest: "" }, [3, 7, 0]);
    expectRoundTrip(
      file,
      { version: 1, flags: 0x8000, body: "xy" },
      [0, 5, 1, 0x80, 0, 0x78, 0x79],
    );
  });

  test("read checks that F ends there; write refuses what the size expression cannot hold", () => {
    expect(error(file.read(new Uint8Array([0, 6, 1, 0x80, 0, 0x78])))).toBe(
      "header_size at byte 0: is 6, but flags ends at byte 5",
    );
    // A stored size below the fields before rest: its size would be negative.
    expect(error(rec.read(new Uint8Array([2, 1, 2])))).toBe("length at byte 0: is 2: at least 3");
    // The schema's expression disagrees with the layout: no byte string reads, no value writes.
    expect(error(wrong.read(new Uint8Array([4, 1, 2, 0x61, 0x62])))).toBe(
      "length at byte 0: is 4, but rest ends at byte 5",
    );
    const buf = new Uint8Array(8).fill(9);
    expect(error(wrong.write({ kind: 1, rest: "ab" }, buf))).toBe(
      "rest: is 2 bytes, but length - 2 is 3",
    );
    // Too long for the u8 it is stored in.
    expect(error(rec.write({ kind: 1, rest: "z".repeat(253) }, buf))).toBe(
      "length: is computed as 256 (the offset just past rest), more than an integer from 0 to 255 can hold",
    );
    expect(buf.every((b) => b === 9)).toBe(true);
  });
});
