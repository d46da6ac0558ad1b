/**
 * Holds an edit's QEMU image locks on an image until its standard input
 * closes: `node --import tsx test/support/hold-lock.ts IMAGE`. Prints
 * "locked" once it holds them, or the refusal and exits 1. The tests use it
 * to keep an edit's locks in place while QEMU tries to open the image.
 */
import { openSync } from "node:fs";
import { LockConflict, lockForEdit } from "../../formats/qcow2/lock.js";

const image = process.argv[2];
if (image === undefined) {
  console.error("usage: hold-lock.ts IMAGE");
  process.exit(2);
}
const fd = openSync(image, "r+");
try {
  lockForEdit(fd);
} catch (error) {
  if (!(error instanceof LockConflict)) throw error;
  console.log(`refused: ${error.message}`);
  process.exit(1);
}
console.log("locked");
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
