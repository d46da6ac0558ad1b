/**
 * The generated qcow2 codec against the committed fixtures: header regions cut
 * from real qemu-img images (`test/fixtures/qcow2/<config>.bin`) and the
 * `qemu-img info --output=json` of the same images (`<config>.info.json`).
 * Needs no qemu-img; test/qcow2-qemu.test.ts does the same on live images.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { fixtureBinPath, fixtureInfoPath } from "./fixtures/make-qcow2-fixtures.js";
import { IMAGE_CONFIGS, parseQemuInfo, type QemuInfo } from "./support/qemu.js";
import { decodeHeader, expectAgreesWithInfo, expectReencodes } from "./support/qcow2-expect.js";

const names = IMAGE_CONFIGS.map((config) => config.name);

// ---------------------------------------------------------------------------

function fixtureBin(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixtureBinPath(name)));
}

function fixtureInfo(name: string): QemuInfo {
  return parseQemuInfo(readFileSync(fixtureInfoPath(name), "utf8"));
}

test.each(names)("%s: the fixture decodes and agrees with its qemu-img info", (name) => {
  const bin = fixtureBin(name);
  const { value } = decodeHeader(bin);
  expectAgreesWithInfo(value, bin, fixtureInfo(name));
});

test.each(names)(
  "%s: read ends at the end marker, and write(read(bytes)) reproduces bytes [0, end)",
  (name) => {
    const bin = fixtureBin(name);
    const { value, end } = decodeHeader(bin);
    // The fixture runs to the end marker, or to the end of the backing file
    // name, which QEMU stores right after the end marker.
    if (value.backing_file_offset === 0n) {
      expect(end, "end of the fixture").toBe(bin.length);
    } else {
      expect(value.backing_file_offset, "backing file name offset").toBe(BigInt(end));
      expect(end + value.backing_file_size, "end of the fixture").toBe(bin.length);
    }
    expectReencodes(value, bin.subarray(0, end));
  },
);
