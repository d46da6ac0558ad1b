/**
 * Two edits of one image started together never lose an update: the
 * read–modify–write of each runs under QEMU's image locks, so the other is
 * refused (exit 1, its edit not made) or, with --wait, waits its turn. Before
 * the locks, 14 of 100 rounds lost an edit, 9 of them with both exiting 0.
 *
 * Each round starts `set-feature IMAGE compatible lazy_refcounts` and
 * `set IMAGE size 128M` at once on a fresh image and asks qemu-img what
 * the image holds. BINSCHEMA_RACE_ROUNDS sets the rounds (CI runs a few;
 * the long run is BINSCHEMA_RACE_ROUNDS=100).
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { binschema, type CliRun } from "./support/cli.js";
import {
  describeWithQemu,
  makeTempDir,
  qemuCheck,
  qemuImgOrThrow,
  qemuInfo,
} from "./support/qemu.js";

const ROUNDS = Number(process.env.BINSCHEMA_RACE_ROUNDS ?? "4");
const NEW_SIZE = 128 * 1024 * 1024;

const dir = makeTempDir("binschema-race-");
afterAll(() => dir.cleanup());
const template = join(dir.path, "template.qcow2");

interface Tally {
  rounds: number;
  bothWritten: number;
  oneRefused: number;
  bothRefused: number;
  lost: number;
}

/** One round: both edits at once on a fresh copy; counts what landed and what was lost. */
async function round(n: number, extra: readonly string[], tally: Tally): Promise<void> {
  const image = join(dir.path, `round-${n}.qcow2`);
  copyFileSync(template, image);
  const [feature, size] = await Promise.all([
    binschema(["set-feature", image, "compatible", "lazy_refcounts", "--no-undo", ...extra]),
    binschema(["set", image, "size", String(NEW_SIZE), "--no-undo", ...extra]),
  ]);
  const info = qemuInfo(image);
  const landed = {
    feature: info["format-specific"].data["lazy-refcounts"] === true,
    size: info["virtual-size"] === NEW_SIZE,
  };
  const refused = (r: CliRun): boolean => {
    if (r.status === 0) return false;
    // The only way an edit of a good image may fail here: the other holds it.
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/: refused: Failed to get (shared )?"[a-z ]+" lock: another process/);
    return true;
  };
  const featureRefused = refused(feature);
  const sizeRefused = refused(size);
  // An edit that reported success must be in the image; a refused one must not.
  if (!featureRefused && !landed.feature) tally.lost++;
  if (!sizeRefused && !landed.size) tally.lost++;
  expect(landed.feature).toBe(!featureRefused);
  expect(landed.size).toBe(!sizeRefused);
  expect(qemuCheck(image).status).toBe(0);
  tally.rounds++;
  const refusals = Number(featureRefused) + Number(sizeRefused);
  if (refusals === 0) tally.bothWritten++;
  else if (refusals === 1) tally.oneRefused++;
  else tally.bothRefused++;
}

describeWithQemu("concurrent edits of one image", () => {
  qemuImgOrThrow(["create", "-q", "-f", "qcow2", template, "64M"]);

  test(
    `${ROUNDS} rounds: an edit either lands or is refused, never lost`,
    async () => {
      const tally: Tally = { rounds: 0, bothWritten: 0, oneRefused: 0, bothRefused: 0, lost: 0 };
      for (let n = 0; n < ROUNDS; n++) await round(n, [], tally);
      console.log(`race without --wait: ${JSON.stringify(tally)}`);
      expect(tally.lost).toBe(0);
    },
    ROUNDS * 20_000,
  );

  test(
    `${ROUNDS} rounds with --wait: both edits land every time`,
    async () => {
      const tally: Tally = { rounds: 0, bothWritten: 0, oneRefused: 0, bothRefused: 0, lost: 0 };
      for (let n = 0; n < ROUNDS; n++) await round(ROUNDS + n, ["--wait", "60"], tally);
      console.log(`race with --wait: ${JSON.stringify(tally)}`);
      expect(tally.bothWritten).toBe(ROUNDS);
    },
    ROUNDS * 20_000,
  );
});
