/**
 * Runs the binschema program as a real process, as a user would: node on
 * bin/binschema.js, with output captured and the exit status returned
 * (never thrown).
 */
import { spawn, spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(PROJECT_ROOT, "bin", "binschema.js");

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `binschema ARGS...`; several may run side by side (each start takes a moment). */
export function binschema(args: readonly string[], cwd = PROJECT_ROOT): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ status: code ?? -1, stdout, stderr }));
  });
}

/** The same, waiting for the process. */
export function binschemaSync(args: readonly string[], cwd = PROJECT_ROOT): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
