/**
 * `binschema decode` and `binschema encode` with any schema: the program
 * prints what the generated module reads, one field alone for scripts,
 * other records than the root and records at an offset, and writes back
 * exactly the bytes it read; values that do not encode are refused.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CodecError } from "../runtime/codec.js";
import { read, toString } from "../generated/qcow2.js";
import { readFooter } from "../generated/vhd.js";
import { binschema, PROJECT_ROOT } from "./support/cli.js";

const QCOW2 = join(PROJECT_ROOT, "schema", "qcow2.yaml");
const VHD = join(PROJECT_ROOT, "schema", "vhd.yaml");
const FOOTER = join(PROJECT_ROOT, "test", "fixtures", "images", "vhd", "vpc-dynamic.footer.bin");
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

describe("binschema encode from JSON, and into a file", () => {
  test("JSON as decode --json prints it writes back the same bytes (64-bit fields, UUIDs, checksums)", async () => {
    for (const [schema, file, type] of [
      [QCOW2, IMAGE, []],
      [VHD, FOOTER, ["--type", "Footer"]],
    ] as const) {
      const decoded = await binschema(["decode", "--schema", schema, ...type, "--json", file]);
      expect(decoded.status).toBe(0);
      const json = join(scratch, "value.json");
      writeFileSync(json, decoded.stdout);
      const out = join(scratch, "from-json.bin");
      const encoded = await binschema(["encode", "--schema", schema, ...type, json, "-o", out]);
      expect(encoded).toEqual({ status: 0, stdout: "", stderr: "" });
      const bytes = readFileSync(out);
      expect(bytes.toString("hex")).toBe(
        readFileSync(file).subarray(0, bytes.length).toString("hex"),
      );
    }
  }, 300_000);

  test("--into --at writes the record in place, recomputing its checksum; nothing else changes", async () => {
    const footer = readFooter(readFileSync(FOOTER));
    if (footer instanceof CodecError) throw new Error(footer.message);
    const edited = { ...footer.value, saved_state: 1 };
    const json = join(scratch, "edited.json");
    // 64-bit fields as decimal strings, as decode --json prints them.
    writeFileSync(
      json,
      JSON.stringify(edited, (_k, v: unknown) => (typeof v === "bigint" ? `${v}` : v)),
    );
    const file = join(scratch, "disk.vhd");
    const before = Buffer.concat([
      Buffer.alloc(1000, 0xee),
      readFileSync(FOOTER),
      Buffer.alloc(7, 0xdd),
    ]);
    writeFileSync(file, before);
    const run = await binschema([
      "encode",
      "--schema",
      VHD,
      "--type",
      "Footer",
      json,
      "--into",
      file,
      "--at",
      "1000",
    ]);
    expect(run).toEqual({ status: 0, stdout: "", stderr: "" });
    const after = readFileSync(file);
    expect(after.length).toBe(before.length);
    expect(after.subarray(0, 1000).equals(before.subarray(0, 1000))).toBe(true);
    expect(after.subarray(1512).equals(before.subarray(1512))).toBe(true);
    const reread = readFooter(after, 1000);
    if (reread instanceof CodecError) throw new Error(reread.message);
    expect(reread.value).toEqual({ ...footer.value, saved_state: 1 });
    // Only saved_state (byte 0x54) and the checksum (0x40..0x44) differ.
    const changed = [...after.subarray(1000, 1512)].flatMap((b, i) =>
      b === before[1000 + i] ? [] : [i],
    );
    expect(changed.every((i) => i === 0x54 || (i >= 0x40 && i < 0x44))).toBe(true);
    expect(changed).toContain(0x54);
  }, 300_000);

  test("--dry-run prints the difference the write would make, and writes nothing", async () => {
    const file = join(scratch, "dry.vhd");
    writeFileSync(file, readFileSync(FOOTER));
    const mtime = statSync(file).mtimeMs;
    const decoded = await binschema(["decode", "--schema", VHD, "--type", "Footer", FOOTER]);
    const value = join(scratch, "dry.sexp");
    writeFileSync(value, decoded.stdout.replace("(saved_state 0)", "(saved_state 1)"));
    const footer = ["encode", "--schema", VHD, "--type", "Footer", value];
    const [dry, alone] = await Promise.all([
      binschema([...footer, "--into", file, "--dry-run"]),
      binschema([...footer, "--dry-run"]),
    ]);
    expect(dry.stderr).toBe("");
    expect(dry.status).toBe(0);
    const lines = dry.stdout.trimEnd().split("\n");
    expect(lines.slice(0, 2)).toEqual([`--- ${file} at 0 (now)`, `+++ ${file} at 0 (after)`]);
    expect(lines.filter((l) => /^[-+] /.test(l))).toEqual([
      "-  (saved_state 0))",
      "+  (saved_state 1))",
    ]);
    // saved_state, and the checksum over the footer.
    expect(lines.at(-1)).toBe(`${file}: dry run: 512 bytes at 0 not written (2 would change)`);
    expect(readFileSync(file).equals(readFileSync(FOOTER))).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(alone).toMatchObject({
      status: 2,
      stderr: "encode: --dry-run needs --into FILE (the file it would write into)\n",
    });
  }, 300_000);

  test("refusals leave the file untouched, and say where", async () => {
    const file = join(scratch, "keep.vhd");
    writeFileSync(file, readFileSync(FOOTER));
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const good = join(scratch, "good.json");
    const decoded = await binschema([
      "decode",
      "--schema",
      VHD,
      "--type",
      "Footer",
      "--json",
      FOOTER,
    ]);
    writeFileSync(good, decoded.stdout);
    const bad = join(scratch, "bad.json");
    writeFileSync(bad, decoded.stdout.replace(/"heads": \d+/, '"heads": 256'));
    const broken = join(scratch, "broken.json");
    writeFileSync(broken, '{\n  "cookie": 1,\n  oops\n}\n');
    const footer = ["encode", "--schema", VHD, "--type", "Footer"];
    const [wont, pastEnd, missing, syntax, atAlone, both] = await Promise.all([
      binschema([...footer, bad, "--into", file]),
      binschema([...footer, good, "--into", file, "--at", "1"]),
      binschema([...footer, good, "--into", join(scratch, "absent.vhd")]),
      binschema([...footer, broken, "--into", file]),
      binschema([...footer, good, "--at", "1"]),
      binschema([...footer, good, "--into", file, "-o", join(scratch, "x.bin")]),
    ]);
    expect(wont).toMatchObject({
      status: 1,
      stderr: `${bad}: does not encode: disk_geometry.heads: expected an integer from 0 to 255, got 256\n`,
    });
    expect(pastEnd.status).toBe(1);
    expect(pastEnd.stderr).toMatch(
      /keep\.vhd: refused: 512 bytes at 1 run past the end of the file \(512 bytes\); the file is untouched\n$/,
    );
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/absent\.vhd: cannot open: ENOENT/);
    expect(syntax.status).toBe(1);
    expect(syntax.stderr).toMatch(/^\S+broken\.json: line 3, col 3: not JSON: /);
    expect(atAlone).toMatchObject({
      status: 2,
      stderr: "encode: --at needs --into FILE (the file to write into)\n",
    });
    expect(both.status).toBe(2);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(existsSync(join(scratch, "x.bin"))).toBe(false);
  }, 300_000);

  const straceMissing =
    spawnSync("strace", ["-V"]).status === 0
      ? undefined
      : "strace not found: install Debian package strace";
  test.skipIf(straceMissing !== undefined && process.env.CI !== "true")(
    `a failed write or sync says what the file holds${straceMissing === undefined ? "" : ` [${straceMissing}]`}`,
    () => {
      const file = join(scratch, "fault.vhd");
      writeFileSync(file, readFileSync(FOOTER));
      const before = readFileSync(file);
      const value = join(scratch, "fault.sexp");
      const decoded = spawnSync(
        process.execPath,
        [
          join(PROJECT_ROOT, "bin", "binschema.js"),
          "decode",
          "--schema",
          VHD,
          "--type",
          "Footer",
          FOOTER,
        ],
        { encoding: "utf8" },
      );
      writeFileSync(value, decoded.stdout.replace("(saved_state 0)", "(saved_state 1)"));
      const under = (fault: string): { status: number | null; stderr: string } => {
        const syscall = fault.split(":")[0]!;
        const r = spawnSync(
          "strace",
          [
            "-f",
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            `trace=${syscall}`,
            "-e",
            `inject=${fault}`,
            process.execPath,
            join(PROJECT_ROOT, "bin", "binschema.js"),
            "encode",
            "--schema",
            VHD,
            "--type",
            "Footer",
            value,
            "--into",
            file,
          ],
          { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
        );
        return { status: r.status, stderr: r.stderr };
      };
      const write = under("pwrite64:error=ENOSPC");
      expect(write).toEqual({
        status: 2,
        stderr: `${file}: cannot write: ENOSPC: no space left on device; the file is unchanged\n`,
      });
      expect(readFileSync(file).equals(before)).toBe(true);
      const sync = under("fdatasync:error=EIO");
      expect(sync).toEqual({
        status: 2,
        stderr: `${file}: cannot sync the new bytes to disk: EIO: i/o error; the new bytes were written but may not be on disk\n`,
      });
    },
    300_000,
  );
});
