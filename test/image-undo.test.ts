/**
 * Undo: an edit saves the bytes it replaces (beside the image, at
 * --undo-file, or not with --no-undo), `restore` puts them back and refuses
 * when the image changed since, and a torn write (only part of the new
 * region on disk) is told by `check` and repaired by `restore`.
 */
import { createHash } from "node:crypto";
import { existsSync, openSync, closeSync, readFileSync, readdirSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { loadUndo } from "../formats/qcow2/undo.js";
import { binschema, type CliRun } from "./support/cli.js";
import {
  describeWithQemu,
  makeTempDir,
  qemuCheck,
  qemuImgOrThrow,
  qemuInfo,
} from "./support/qemu.js";

const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

const dirs: Array<{ cleanup(): void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.cleanup();
});

function freshImage(): { dir: string; image: string } {
  const dir = makeTempDir("binschema-undo-");
  dirs.push(dir);
  const image = join(dir.path, "disk.qcow2");
  qemuImgOrThrow(["create", "-q", "-f", "qcow2", image, "64M"]);
  return { dir: dir.path, image };
}

async function run(args: readonly string[], status = 0): Promise<CliRun> {
  const r = await binschema(args);
  expect(r.status, `binschema ${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(status);
  return r;
}

/** Writes bytes over the start of the image, as a write cut short would leave them. */
function overwrite(image: string, bytes: Uint8Array): void {
  const fd = openSync(image, "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, 0);
  } finally {
    closeSync(fd);
  }
}

describeWithQemu("undo files and restore", () => {
  test("restore undoes the last edit, byte for byte, and removes the undo file", async () => {
    const { dir, image } = freshImage();
    const original = sha(image);
    await run(["set-feature", image, "compatible", "lazy_refcounts"]);
    const afterFirst = sha(image);
    const edit = await run(["set", image, "size", "134217728"]);
    expect(edit.stdout).toContain(`the old header is saved in ${image}.binschema-undo`);
    const undo = loadUndo(`${image}.binschema-undo`);
    expect(undo.edit).toBe("set size 134217728");
    expect(undo.image).toBe(image);

    const restored = await run(["restore", image]);
    expect(restored.stdout).toBe(
      `${image}: undid \`set size 134217728\`: wrote the ${undo.before.length} bytes saved in ` +
        `${image}.binschema-undo at offset 0 and synced\n`,
    );
    expect(sha(image)).toBe(afterFirst);
    expect(qemuInfo(image)["virtual-size"]).toBe(64 * 1024 * 1024);
    expect(readdirSync(dir)).toEqual(["disk.qcow2"]);
    // Only the last edit can be undone.
    await run(["restore", image], 2);
    expect(sha(image)).not.toBe(original);
  });

  test("--undo-file puts it elsewhere; --no-undo and --dry-run save none", async () => {
    const { dir, image } = freshImage();
    const original = sha(image);
    await run(["set", image, "size", "134217728", "--dry-run"]);
    await run(["set", image, "size", "134217728", "--no-undo"]);
    expect(readdirSync(dir)).toEqual(["disk.qcow2"]);
    const undoFile = join(dir, "saved.undo");
    await run(["set", image, "size", "67108864", "--undo-file", undoFile]);
    expect(existsSync(`${image}.binschema-undo`)).toBe(false);
    await run(["restore", image], 2);
    await run(["restore", image, "--undo-file", undoFile]);
    expect(qemuInfo(image)["virtual-size"]).toBe(134217728);
    expect(sha(image)).not.toBe(original);
  });

  test("restore refuses an image changed since the edit, unless --force", async () => {
    const { image } = freshImage();
    await run(["set", image, "size", "134217728"]);
    qemuImgOrThrow(["amend", "-f", "qcow2", "-o", "lazy_refcounts=on", image]);
    const amended = sha(image);
    const refused = await run(["restore", image], 1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^${image}: refused: the image changed since \`set size 134217728\` .*; the file is untouched\\n$`,
      ),
    );
    expect(sha(image)).toBe(amended);
    await run(["restore", image, "--force"]);
    expect(qemuInfo(image)["virtual-size"]).toBe(64 * 1024 * 1024);
    expect(qemuCheck(image).status).toBe(0);
  });

  test("restore leaves an image already as before alone", async () => {
    const { image } = freshImage();
    const original = readFileSync(image).subarray(0, 65536);
    await run(["set", image, "size", "134217728"]);
    overwrite(image, original);
    const r = await run(["restore", image]);
    expect(r.stdout).toBe(
      `${image}: already holds the header from before \`set size 134217728\`; nothing written\n`,
    );
  });

  test("check tells a torn write and restore repairs it", async () => {
    const { image } = freshImage();
    const original = sha(image);
    await run(["add-ext", image, "0x12345678", "--data", "00112233445566778899aabbccddeeff"]);
    await run(["check", image]);
    const undo = loadUndo(`${image}.binschema-undo`);
    // A write cut short: the new bytes up to the middle of what changed, the old ones after.
    const changed = [...undo.before.keys()].filter((i) => undo.before[i] !== undo.after[i]);
    expect(changed.length).toBeGreaterThan(4);
    const cut = changed[Math.floor(changed.length / 2)]!;
    const torn = new Uint8Array(undo.before);
    torn.set(undo.after.subarray(0, cut));
    overwrite(image, torn);
    const landed = changed.filter((i) => i < cut).length;

    const checked = await run(["check", image], 1);
    expect(checked.stdout.split("\n")[0]).toBe(
      `${image}: torn write: ${landed} of the ${changed.length} bytes \`add-ext 0x12345678\` changed ` +
        `hold the new value, the rest the old; \`binschema restore ${image}\` puts the old header back`,
    );
    const json = JSON.parse((await run(["check", "--json", image], 1)).stdout) as {
      passes: boolean;
      torn_write: { new_bytes: number; changed_bytes: number } | null;
    };
    expect(json.passes).toBe(false);
    expect(json.torn_write).toMatchObject({ new_bytes: landed, changed_bytes: changed.length });

    const restored = await run(["restore", image]);
    expect(restored.stdout).toContain("repaired a torn write of `add-ext 0x12345678`");
    expect(sha(image)).toBe(original);
    await run(["check", image]);
    expect(qemuCheck(image).status).toBe(0);
  });
});
