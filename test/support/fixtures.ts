/**
 * The committed test data: the qcow2 header fixtures (test/fixtures/qcow2/*.bin,
 * cut from images qemu-img made), as bytes and as decoded headers, and the
 * vectors the OCaml library printed (test/fixtures/vectors/*.jsonl.gz).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
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

export const VECTOR_DIR = fileURLToPath(new URL("../fixtures/vectors/", import.meta.url));

/** The vector files committed under test/fixtures/vectors/ (see its README). */
export type VectorFile = "sexp-header" | "compare-header" | "sexp-spellings";

/**
 * The lines of vector file `name`, each parsed as JSON and paired with its
 * 1-based line number so a failing test can point at the line.
 */
export function vectorLines(name: VectorFile): { line: number; json: unknown }[] {
  const text = gunzipSync(readFileSync(join(VECTOR_DIR, `${name}.jsonl.gz`))).toString("utf8");
  return text
    .split("\n")
    .map((raw, i) => ({ raw, line: i + 1 }))
    .filter(({ raw }) => raw.trim() !== "")
    .map(({ raw, line }) => {
      try {
        return { line, json: JSON.parse(raw) as unknown };
      } catch (e) {
        throw new Error(`${name}.jsonl line ${line}: ${(e as Error).message}`);
      }
    });
}
