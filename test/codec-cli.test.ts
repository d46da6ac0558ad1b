/**
 * `binschema decode` and `binschema encode` with any schema: the program
 * prints what the generated module reads, one field alone for scripts,
 * other records than the root and records at an offset, and writes back
 * exactly the bytes it read; values that do not encode are refused.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CodecError } from "../runtime/codec.js";
import { read, toString } from "../generated/qcow2.js";
import { binschema, PROJECT_ROOT } from "./support/cli.js";

const QCOW2 = join(PROJECT_ROOT, "schema", "qcow2.yaml");
const MYHDR = join(PROJECT_ROOT, "test", "fixtures", "consumer", "myhdr.yaml");
const IMAGE = join(PROJECT_ROOT, "test", "fixtures", "qcow2", "backing.bin");
const scratch = mkdtempSync(join(tmpdir(), "binschema-codec-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const image = readFileSync(IMAGE);
const header = read(image);
if (header instanceof CodecError) throw new Error(header.message);

describe("binschema decode", () => {
  test("prints the value as the generated module's toString does, or as JSON, or one field", async () => {
    const [sexp, json, field, list] = await Promise.all([
      binschema(["decode", "--schema", QCOW2, IMAGE]),
      binschema(["decode", "--schema", QCOW2, "--json", IMAGE]),
      binschema(["decode", "--schema", QCOW2, "--field", "additional.refcount_order", IMAGE]),
      binschema(["decode", "--schema", QCOW2, "--field", "extensions[0].format", IMAGE]),
    ]);
    expect(sexp).toEqual({ status: 0, stdout: `${toString(header.value)}\n`, stderr: "" });
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(parsed["size"]).toBe(header.value.size.toString());
    expect(parsed["version"]).toBe(header.value.version);
    expect(field.stdout).toBe(`${header.value.additional?.refcount_order}\n`);
    expect(list.stdout).toBe("qcow2\n");
  }, 300_000);

  test("reads other records, at an offset, and names the field and byte of an error", async () => {
    const file = join(scratch, "prefixed.bin");
    // FullDiskEncryption (offset u64, length u64, big-endian) 5 bytes into the file.
    writeFileSync(file, Buffer.from("ffffffffff" + "0000000000010000" + "0000000000000200", "hex"));
    const [record, short, noField] = await Promise.all([
      binschema([
        "decode",
        "--schema",
        QCOW2,
        "--type",
        "FullDiskEncryption",
        "--at",
        "5",
        "--json",
        file,
      ]),
      binschema([
        "decode",
        "--schema",
        QCOW2,
        "--type",
        "FullDiskEncryption",
        "--at",
        "0x10",
        file,
      ]),
      binschema(["decode", "--schema", QCOW2, "--field", "additional.nope", IMAGE]),
    ]);
    expect(record.stderr).toBe("");
    expect(JSON.parse(record.stdout)).toEqual({ offset: "65536", length: "512" });
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(
      /^.*prefixed\.bin: offset at byte 0: .*\(byte offsets from --at 16\)\n$/,
    );
    expect(noField).toMatchObject({
      status: 2,
      stderr: "--field additional.nope: the value has no additional.nope\n",
    });
  }, 300_000);
});

describe("binschema decode --layout", () => {
  test("prints every member at its offset beside its bytes; one way of printing at a time", async () => {
    const [table, both] = await Promise.all([
      binschema(["decode", "--schema", QCOW2, "--layout", IMAGE]),
      binschema(["decode", "--schema", QCOW2, "--layout", "--json", IMAGE]),
    ]);
    expect(table.stderr).toBe("");
    expect(table.status).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^offset +size +field +type +value +bytes$/);
    expect(lines[1]).toMatch(
      /^0x0000 +4 {2}magic +u32 = 0x514649fb +1363560955 \(0x514649fb\) +51 46 49 fb$/,
    );
    const order = header.value.additional?.refcount_order;
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^0x0060 +4 {4}refcount_order +i32 +${order} +00 00 00 0${order}$`),
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^0x0078 +5 {6}format +bytes filling the payload +"qcow2" +71 63 6f 77 32$/,
      ),
    );
    expect(both).toMatchObject({
      status: 2,
      stderr: "decode: give at most one of --json, --field and --layout\n",
    });
  }, 300_000);
});

describe("binschema encode", () => {
  test("writes back exactly the bytes decode read, for qcow2 and for a user's schema", async () => {
    const mine = join(scratch, "mine.bin");
    writeFileSync(mine, Buffer.from("4d484452030002000010000000000000", "hex"));
    for (const [schema, file] of [
      [QCOW2, IMAGE],
      [MYHDR, mine],
    ] as const) {
      const decoded = await binschema(["decode", "--schema", schema, file]);
      expect(decoded.status).toBe(0);
      const text = join(scratch, "value.sexp");
      writeFileSync(text, decoded.stdout);
      const out = join(scratch, "out.bin");
      const encoded = await binschema(["encode", "--schema", schema, text, "-o", out]);
      expect(encoded).toEqual({ status: 0, stdout: "", stderr: "" });
      const bytes = readFileSync(out);
      expect(bytes.length).toBeGreaterThan(0);
      expect(bytes.toString("hex")).toBe(
        readFileSync(file).subarray(0, bytes.length).toString("hex"),
      );
    }
  }, 300_000);

  test("refuses text that does not parse and values that do not encode", async () => {
    const bad = join(scratch, "bad.sexp");
    // 16-bit fields parse as OCaml ints do (t_of_sexp takes any int there), so
    // 70000 parses and is refused by write; a word is refused by the parser.
    writeFileSync(bad, "((version 70000) (kind Index) (length 1))\n");
    const never = join(scratch, "never.bin");
    const run = await binschema(["encode", "--schema", MYHDR, bad, "-o", never]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `${bad}: does not encode: version: expected an integer from 0 to 65535, got 70000\n`,
    );
    writeFileSync(bad, "((version seven) (kind Index) (length 1))\n");
    const word = await binschema(["encode", "--schema", MYHDR, bad, "-o", never]);
    expect(word.status).toBe(1);
    expect(word.stderr).toMatch(/^\S+bad\.sexp: line 1, col 11: version: /);
    expect(existsSync(never)).toBe(false);
  }, 300_000);
});
