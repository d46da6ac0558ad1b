/**
 * Edits killed with SIGKILL at random moments: the header is always the old
 * one or the new one (never torn), qemu-img check passes, the dead edit's
 * locks are gone (the next edit is not refused), and restore brings back the
 * old header whenever the undo file was saved. BINSCHEMA_KILL_ROUNDS sets
 * the rounds (CI runs a few; the long run is BINSCHEMA_KILL_ROUNDS=150).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadUndo, undoState } from "../formats/qcow2/undo.js";
import { PROJECT_ROOT, binschemaSync } from "./support/cli.js";
import {
  describeWithQemu,
  makeTempDir,
  qemuCheck,
  qemuImgOrThrow,
  qemuInfo,
} from "./support/qemu.js";

const ROUNDS = Number(process.env.BINSCHEMA_KILL_ROUNDS ?? "4");
const NEW_SIZE = 128 * 1024 * 1024;
const BIN = join(PROJECT_ROOT, "bin", "binschema.js");

const dir = makeTempDir("binschema-kill-");
afterAll(() => dir.cleanup());
const template = join(dir.path, "template.qcow2");
const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Starts `set IMAGE size 128M` and kills it after `ms`; resolves when it is gone. */
function killedEdit(image: string, ms: number): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, "set", image, "size", String(NEW_SIZE)], {
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
}

describeWithQemu("edits killed at random moments", () => {
  qemuImgOrThrow(["create", "-q", "-f", "qcow2", template, "64M"]);
  const original = sha(template);

  test(
    `${ROUNDS} kills: never a torn header, always a valid image, restore undoes what landed`,
    async () => {
      // Time a whole edit, to spread the kills over its life.
      const probe = join(dir.path, "probe.qcow2");
      copyFileSync(template, probe);
      const started = performance.now();
      expect(binschemaSync(["set", probe, "size", String(NEW_SIZE)]).status).toBe(0);
      const life = performance.now() - started;
      const tally = { killedBefore: 0, killedAfter: 0, finished: 0, torn: 0 };
      for (let n = 0; n < ROUNDS; n++) {
        const image = join(dir.path, `kill-${n}.qcow2`);
        copyFileSync(template, image);
        const code = await killedEdit(image, Math.random() * life * 1.2);
        if (code === 0) tally.finished++;
        const undoFile = `${image}.binschema-undo`;
        const landed = qemuInfo(image)["virtual-size"] === NEW_SIZE;
        if (code !== 0) {
          if (landed) tally.killedAfter++;
          else tally.killedBefore++;
        }
        expect(landed || sha(image) === original, "the old header, or the new one").toBe(true);
        expect(qemuCheck(image).status).toBe(0);
        if (existsSync(undoFile)) {
          const undo = loadUndo(undoFile);
          const state = undoState(undo, readFileSync(image).subarray(0, undo.before.length));
          if (state === "torn") tally.torn++;
          expect(state).toBe(landed ? "after" : "before");
        } else {
          expect(landed, "nothing is written before the undo file is saved").toBe(false);
        }
        // The dead edit's locks went with it: restore (or a new edit) is not refused.
        const next = existsSync(undoFile)
          ? binschemaSync(["restore", image])
          : binschemaSync(["set", image, "size", "67108864", "--no-undo"]);
        expect(next.status, next.stderr).toBe(0);
        expect(sha(image)).toBe(original);
      }
      console.log(`kills: ${JSON.stringify({ rounds: ROUNDS, ...tally })}`);
      expect(tally.torn).toBe(0);
    },
    ROUNDS * 20_000 + 20_000,
  );
});
