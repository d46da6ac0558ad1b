// Plain Node, no loader, no build step: the codec generated from
// schema/myhdr.yaml, and the qcow2 codec the binschema package ships.
import { readFileSync } from "node:fs";
import { read as readQcow2, toString as qcow2ToString } from "binschema/generated/qcow2";
import { CodecError, read, sizeof, toString, write } from "./gen/myhdr.js";

// A made-up file's header: "MHDR", version 3, kind Index, length 4096.
const header = Uint8Array.from([0x4d, 0x48, 0x44, 0x52, 3, 0, 2, 0, 0, 0x10, 0, 0, 0, 0, 0, 0]);
const decoded = read(header);
if (decoded instanceof CodecError) throw new Error(decoded.message);
console.log(`myhdr: ${toString(decoded.value)}`);

const out = new Uint8Array(sizeof(decoded.value));
write({ ...decoded.value, length: 8192n }, out);
console.log(`myhdr re-encoded: ${Buffer.from(out).toString("hex")}`);

const truncated = read(header.subarray(0, 10));
console.log(`myhdr truncated: ${truncated instanceof CodecError ? truncated.message : "read?"}`);

// argv[2]: a qcow2 image (its first cluster is enough).
const image = readQcow2(readFileSync(process.argv[2] ?? "disk.qcow2"));
console.log(
  `qcow2: ${"value" in image ? qcow2ToString(image.value).split("\n")[0] : image.message}`,
);
