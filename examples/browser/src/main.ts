// Decodes, in the page, the header of a qcow2 image fetched beside it (with
// the qcow2 codec the binschema package ships) and a header of this
// project's own format (with the codec generated from schema/myhdr.yaml).
// The page runs under Content-Security-Policy: script-src 'self'.
import { read as readQcow2, toString as qcow2ToString } from "binschema/generated/qcow2";
import { CodecError, read, toString } from "./gen/myhdr.js";

const show = (id: string, text: string): void => {
  const element = document.getElementById(id);
  if (element !== null) element.textContent = text;
};

const mine = read(Uint8Array.from([0x4d, 0x48, 0x44, 0x52, 3, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0]));
show("myhdr", mine instanceof CodecError ? mine.message : toString(mine.value));

const response = await fetch("disk.qcow2");
const image = readQcow2(new Uint8Array(await response.arrayBuffer()));
show("qcow2", "value" in image ? qcow2ToString(image.value) : image.message);
document.body.dataset["done"] = "true";
