// A strict TypeScript program using the codec generated from
// schema/myhdr.yaml and the qcow2 codec the binschema package ships.
import { readFileSync } from "node:fs";
import { read as readQcow2, type Header as Qcow2Header } from "binschema/generated/qcow2";
import { CodecError as RuntimeCodecError } from "binschema/runtime/codec";
import { CodecError, type Header, read, sizeof, write } from "./gen/myhdr.js";

/** The header a new file of this format starts with. */
export function newHeader(length: bigint): Header {
  return { version: 3, kind: "Data", length };
}

export function encode(header: Header): Uint8Array | CodecError {
  const out = new Uint8Array(sizeof(header));
  const end = write(header, out);
  return typeof end === "number" ? out : end;
}

const bytes = encode(newHeader(4096n));
if (bytes instanceof CodecError) throw new Error(bytes.message);
const back = read(bytes);
if (back instanceof CodecError) throw new Error(back.message);
console.log(`myhdr: ${back.value.kind} version ${back.value.version}, ${back.value.length} bytes`);

// The generated module re-exports the runtime's own class.
console.log(`one CodecError: ${CodecError === RuntimeCodecError}`);

const image = readQcow2(readFileSync(process.argv[2] ?? "disk.qcow2"));
if (image instanceof CodecError) throw new Error(image.message);
const h: Qcow2Header = image.value;
console.log(
  `qcow2: version ${h.version}, ${h.size} bytes, backing file at ${h.backing_file_offset}`,
);
