import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getGuid, getUuid, isUuid, setGuid, setUuid } from "../runtime/uuid.js";
import { describeWithQemu, qemuImgOrThrow, withTempDir } from "./support/qemu.js";

const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/[0-9a-f]{2}/gi) ?? [], (h) => parseInt(h, 16));

/** Reference text for bytes in text order: hex with dashes after 4, 6, 8 and 10 bytes. */
function referenceText(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join("-");
}

/** A stored GUID in text order: the first three groups byte-reversed. */
const guidToTextOrder = (b: Uint8Array): Uint8Array =>
  Uint8Array.of(b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8, 16));

// VHDX GUIDs (VHDX specification; QEMU block/vhdx.c), as text and as stored bytes.
const VHDX_GUIDS: [string, string, string][] = [
  ["BAT region", "2dc27766-f623-4200-9d64-115e9bfd4a08", "6677c22d23f600429d64115e9bfd4a08"],
  ["metadata region", "8b7ca206-4790-4b9a-b8fe-575f050f886e", "06a27c8b90479a4bb8fe575f050f886e"],
  ["file parameters", "caa16737-fa36-4d43-b3b6-33f0aa44e76b", "3767a1ca36fa434db3b633f0aa44e76b"],
  ["virtual disk size", "2fa54224-cd1b-4876-b211-5dbed83bf4b8", "2442a52f1bcd7648b2115dbed83bf4b8"],
];

describe("known GUIDs", () => {
  for (const [name, text, stored] of VHDX_GUIDS) {
    it(`VHDX ${name} GUID reads and writes as ${text}`, () => {
      const buf = new Uint8Array(20);
      buf.set(fromHex(stored), 3);
      expect(getGuid(buf, 3)).toBe(text);
      const out = new Uint8Array(20).fill(0xee);
      setGuid(out, 3, text);
      expect(out).toEqual(Uint8Array.of(0xee, 0xee, 0xee, ...fromHex(stored), 0xee));
      // The same bytes read in RFC 4122 order are a different value.
      expect(getUuid(buf, 3)).toBe(referenceText(fromHex(stored)));
      expect(getUuid(buf, 3)).not.toBe(text);
    });
  }

  it("RFC 4122 order is text order", () => {
    const bytes = fromHex("00112233445566778899aabbccddeeff");
    expect(getUuid(bytes, 0)).toBe("00112233-4455-6677-8899-aabbccddeeff");
    expect(getGuid(bytes, 0)).toBe("33221100-5544-7766-8899-aabbccddeeff");
  });

  it("the nil and max UUIDs", () => {
    expect(getUuid(new Uint8Array(16), 0)).toBe("00000000-0000-0000-0000-000000000000");
    expect(getGuid(new Uint8Array(16).fill(0xff), 0)).toBe("ffffffff-ffff-ffff-ffff-ffffffffffff");
  });
});

describe("round trips", () => {
  it("getUuid matches a reference and setUuid writes the bytes back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(8), (bytes, at) => {
        const buf = new Uint8Array(at + 16 + 3);
        buf.set(bytes, at);
        const text = getUuid(buf, at);
        expect(text).toBe(referenceText(bytes));
        expect(isUuid(text)).toBe(true);
        const out = new Uint8Array(buf.length);
        setUuid(out, at, text);
        expect(out).toEqual(buf);
      }),
      { numRuns: 500 },
    );
  });

  it("getGuid matches a reference and setGuid writes the bytes back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(8), (bytes, at) => {
        const buf = new Uint8Array(at + 16 + 3);
        buf.set(bytes, at);
        const text = getGuid(buf, at);
        expect(text).toBe(referenceText(guidToTextOrder(bytes)));
        expect(isUuid(text)).toBe(true);
        const out = new Uint8Array(buf.length);
        setGuid(out, at, text);
        expect(out).toEqual(buf);
      }),
      { numRuns: 500 },
    );
  });

  it("text from crypto.randomUUID survives setUuid then getUuid, and setGuid then getGuid", () => {
    for (let i = 0; i < 200; i++) {
      const text = randomUUID();
      expect(isUuid(text)).toBe(true);
      const buf = new Uint8Array(16);
      setUuid(buf, 0, text);
      expect(getUuid(buf, 0)).toBe(text);
      setGuid(buf, 0, text);
      expect(getGuid(buf, 0)).toBe(text);
    }
  });
});

describe("isUuid", () => {
  const good = "2dc27766-f623-4200-9d64-115e9bfd4a08";

  it("accepts canonical lowercase text", () => {
    expect(isUuid(good)).toBe(true);
    expect(isUuid("00000000-0000-0000-0000-000000000000")).toBe(true);
  });

  const bad: [string, unknown][] = [
    ["uppercase", good.toUpperCase()],
    ["one uppercase digit", good.replace("c", "C")],
    ["braces", `{${good}}`],
    ["no dashes", good.replaceAll("-", "")],
    ["a dash moved", "2dc2776-6f623-4200-9d64-115e9bfd4a08"],
    ["a dash replaced", good.replace("-", "_")],
    ["a non-hex letter", good.replace("d", "g")],
    ["too short", good.slice(0, 35)],
    ["too long", `${good}0`],
    ["a trailing newline", `${good}\n`],
    ["leading space", ` ${good.slice(1)}`],
    ["a digit beyond 'f'", good.replace("a", "{")],
    ["a character just below '0'", good.replace("0", "/")],
    ["a character just past '9'", good.replace("9", ":")],
    ["a character just below 'a'", good.replace("a", "`")],
    ["a full-width digit", good.replace("0", "\uff10")],
    ["the empty string", ""],
    ["a number", 42],
    ["bytes", new Uint8Array(16)],
    ["undefined", undefined],
    ["null", null],
  ];
  for (const [name, value] of bad) {
    it(`rejects ${name}`, () => {
      expect(isUuid(value)).toBe(false);
    });
  }

  it("rejects every single-character change that is not another lowercase hex digit", () => {
    for (let i = 0; i < 36; i++) {
      for (let c = 0; c < 0x80; c++) {
        const text = good.slice(0, i) + String.fromCharCode(c) + good.slice(i + 1);
        const isDashPlace = i === 8 || i === 13 || i === 18 || i === 23;
        const expected = isDashPlace ? c === 0x2d : /[0-9a-f]/.test(String.fromCharCode(c));
        expect(isUuid(text), JSON.stringify(text)).toBe(expected);
      }
    }
  });
});

describeWithQemu("GUIDs in an image made by qemu-img", () => {
  it("the VHDX region table names the BAT and metadata regions by their GUIDs", () => {
    withTempDir((dir) => {
      const path = join(dir, "x.vhdx");
      qemuImgOrThrow(["create", "-q", "-f", "vhdx", path, "10M"]);
      const image = new Uint8Array(readFileSync(path));
      const table = 192 * 1024;
      expect(new TextDecoder().decode(image.subarray(table, table + 4))).toBe("regi");
      const count = new DataView(image.buffer).getUint32(table + 8, true);
      const guids = Array.from({ length: count }, (_, i) => getGuid(image, table + 16 + 32 * i));
      expect(guids.sort()).toEqual([VHDX_GUIDS[0]![1], VHDX_GUIDS[1]![1]].sort());
    });
  });
});

describe("inlined into a module", () => {
  // Inlining copies the runtime's declarations; tables filled by a loop
  // after their declaration were once copied empty, so every UUID read as
  // NULs and isUuid refused every value.
  it("reads and writes UUIDs and GUIDs as the runtime does", async () => {
    const { generate } = await import("../generator/generate.js");
    const schema = [
      "format: ids",
      "root: Ids",
      "types:",
      "  Ids:",
      "    record:",
      "      - { name: id, type: uuid }",
      "      - { name: guid, type: guid }",
    ].join("\n");
    const generated = await generate("ids.yaml", schema, {
      runtime: { kind: "inline" },
      target: "js",
    });
    if (!generated.ok) throw new Error(generated.problems.map((p) => p.message).join("\n"));
    const js = generated.files.find((f) => f.name === "ids.js")!.text;
    const ids = (await import(
      `data:text/javascript;base64,${Buffer.from(js).toString("base64")}`
    )) as {
      read(buf: Uint8Array): { value: { id: string; guid: string } } | Error;
      write(value: { id: string; guid: string }, buf: Uint8Array): number | Error;
    };
    const [name, text, stored] = VHDX_GUIDS[1]!;
    const bytes = fromHex(`${stored}${stored}`);
    const result = ids.read(bytes);
    if (result instanceof Error) throw result;
    expect(result.value, name).toEqual({ id: getUuid(bytes, 0), guid: text });
    const out = new Uint8Array(32);
    expect(ids.write(result.value, out)).toBe(32);
    expect(out).toEqual(bytes);
  }, 120_000);
});
