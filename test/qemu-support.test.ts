import { existsSync, readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  FIXTURE_DIR,
  TEMP_DIR_PLACEHOLDER,
  cutHeaderRegion,
  fixtureBinPath,
  fixtureInfoPath,
} from "./fixtures/make-qcow2-fixtures.js";
import {
  IMAGE_CONFIGS,
  VIRTUAL_SIZE_BYTES,
  describeWithQemu,
  imageConfig,
  makeTempDir,
  parseQemuInfo,
  qemuCheck,
  qemuImg,
  qemuInfo,
} from "./support/qemu.js";

const QCOW2_MAGIC = [0x51, 0x46, 0x49, 0xfb]; // "QFI\xfb"
const names = IMAGE_CONFIGS.map((config) => config.name);

const REGENERATE = "regenerate with: npx tsx test/fixtures/make-qcow2-fixtures.ts";

describe("committed qcow2 fixtures", () => {
  it("config names are unique", () => {
    expect(new Set(names).size).toBe(names.length);
  });

  it("has a .bin and .info.json for every config and nothing else", () => {
    const expected = names.flatMap((n) => [`${n}.bin`, `${n}.info.json`]);
    const actual = readdirSync(FIXTURE_DIR).filter((f) => /\.(bin|info\.json)$/.test(f));
    expect(actual.sort(), REGENERATE).toEqual(expected.sort());
  });

  describe.each(names)("%s", (name) => {
    it(".bin starts with the qcow2 magic and is exactly its header region", () => {
      expect(existsSync(fixtureBinPath(name)), REGENERATE).toBe(true);
      const bin = new Uint8Array(readFileSync(fixtureBinPath(name)));
      expect([...bin.subarray(0, 4)]).toEqual(QCOW2_MAGIC);
      // Cutting a fixture again keeps all of it: it contains the whole
      // extension list (with end marker) and backing file name, no more.
      expect(cutHeaderRegion(bin)).toEqual(bin);
      expect(bin.byteLength).toBeLessThanOrEqual(4096);
    });

    it(".info.json parses as qcow2 info with no temp-dir paths", () => {
      const text = readFileSync(fixtureInfoPath(name), "utf8");
      const info = parseQemuInfo(text);
      expect(info["virtual-size"]).toBe(VIRTUAL_SIZE_BYTES);
      expect(info.filename).toBe(`${TEMP_DIR_PLACEHOLDER}/${name}.qcow2`);
      expect(text).not.toMatch(/qcow2-fixture-/);
    });
  });
});

describeWithQemu("qemu-img support (real qemu-img)", () => {
  it("qemuImg returns a non-zero status instead of throwing", () => {
    const result = qemuImg(["info", "/nonexistent/missing.qcow2"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/missing\.qcow2/);
  });

  it("a fresh v3-default image's header region equals the committed fixture", () => {
    const tmp = makeTempDir();
    try {
      const path = imageConfig("v3-default").create(tmp.path);
      const fresh = cutHeaderRegion(new Uint8Array(readFileSync(path)));
      const committed = new Uint8Array(readFileSync(fixtureBinPath("v3-default")));
      const version = qemuImg(["--version"]).stdout.split("\n")[0];
      expect(
        Buffer.from(fresh).toString("hex"),
        `fixtures drifted from ${version}; ${REGENERATE} and update the README`,
      ).toBe(Buffer.from(committed).toString("hex"));

      const info = qemuInfo(path);
      expect(info["format-specific"].data.compat).toBe("1.1");
      expect(info["virtual-size"]).toBe(VIRTUAL_SIZE_BYTES);
      expect(qemuCheck(path).status).toBe(0);
    } finally {
      tmp.cleanup();
    }
  });

  it("qemuCheck opens LUKS images with the config's secret", () => {
    const tmp = makeTempDir();
    try {
      const config = imageConfig("luks");
      const path = config.create(tmp.path);
      expect(qemuCheck(path).status).toBe(1); // no key: cannot open
      expect(qemuCheck(path, { secret: config.secret }).status).toBe(0);
    } finally {
      tmp.cleanup();
    }
  });
});
