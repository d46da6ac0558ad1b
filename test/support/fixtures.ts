/**
 * The committed qcow2 header fixtures (test/fixtures/qcow2/*.bin, cut from
 * images qemu-img made), as bytes and as decoded headers.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { read, type Header } from "../../generated/qcow2.js";
import { CodecError } from "../../runtime/codec.js";
import { FIXTURE_DIR, fixtureBinPath } from "../fixtures/make-qcow2-fixtures.js";

/** The bytes of fixture `name` (e.g. "v3-default"). */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixtureBinPath(name)));
}

/** The header in fixture `name`; a read error fails the test. */
export function fixtureHeader(name: string): Header {
  const result = read(fixtureBytes(name));
  if (result instanceof CodecError) throw new Error(`fixture ${name}: ${result.message}`);
  return result.value;
}

/** Every fixture, by name, in name order. */
export const FIXTURES: readonly { name: string; bytes: Uint8Array }[] = readdirSync(FIXTURE_DIR)
  .filter((file) => file.endsWith(".bin"))
  .sort()
  .map((file) => ({
    name: file.slice(0, -".bin".length),
    bytes: new Uint8Array(readFileSync(join(FIXTURE_DIR, file))),
  }));
