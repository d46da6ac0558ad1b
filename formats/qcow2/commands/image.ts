/**
 * The qcow2 image subcommands: inspect, check, and the in-place edits (set,
 * set-feature, add-ext, del-ext, set-backing-format), and restore, which
 * undoes the last edit.
 */
import type { Command } from "commander";
import { registerCheck } from "./image-check.js";
import { registerEdits } from "./image-edit.js";
import { registerInspect } from "./image-inspect.js";
import { registerRestore } from "./image-restore.js";

export function registerImageCommands(
  program: Command,
  run: (work: () => Promise<number>) => void,
): void {
  registerInspect(program, run);
  registerCheck(program, run);
  registerEdits(program, run);
  registerRestore(program, run);
}
