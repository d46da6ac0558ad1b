/**
 * Helpers for tests that run a format's own tool (tar, zip, readelf, mke2fs…),
 * the way test/support/qemu.ts does for qemu-img.
 *
 * - `describeWithTool` registers a suite that is skipped loudly when the tool
 *   is missing, and fails instead when CI=true (CI installs every tool).
 * - `runTool` runs a tool and returns its status and output; it never throws.
 */
import { spawnSync } from "node:child_process";
import { describe, it, type SuiteFactory } from "vitest";

/** A command-line tool and the Debian package that provides it. */
export interface Tool {
  /** The command, looked up on PATH. */
  readonly command: string;
  /** The Debian package `.ci/run` installs it from. */
  readonly debianPackage: string;
  /** Arguments that make the tool print its version and exit 0. */
  readonly versionArgs?: readonly string[];
}

const available = new Map<string, boolean>();

/** True when the tool starts and exits 0 on its version arguments. Cached. */
export function toolAvailable(tool: Tool): boolean {
  let known = available.get(tool.command);
  if (known === undefined) {
    const result = spawnSync(tool.command, [...(tool.versionArgs ?? ["--version"])], {
      encoding: "utf8",
    });
    known = result.error === undefined && result.status === 0;
    available.set(tool.command, known);
  }
  return known;
}

/** Why the tools cannot run, or undefined when they all can. */
export function toolsSkipReason(tools: readonly Tool[]): string | undefined {
  const missing = tools.filter((tool) => !toolAvailable(tool));
  if (missing.length === 0) return undefined;
  return missing
    .map((tool) => `${tool.command} not found: install Debian package ${tool.debianPackage}`)
    .join("; ");
}

const warned = new Set<string>();

/**
 * `describe` for suites that need the given tools. Without them the suite is
 * skipped (a console warning and the reason in its name); when CI=true it
 * registers one failing test instead, because CI must not skip them silently.
 */
export function describeWithTools(
  tools: readonly Tool[],
  name: string,
  factory: SuiteFactory,
): void {
  const reason = toolsSkipReason(tools);
  if (reason !== undefined && process.env.CI === "true") {
    describe(name, () => {
      it("requires its tools (CI=true, so this fails instead of skipping)", () => {
        throw new Error(`${reason} (CI=true: refusing to skip "${name}")`);
      });
    });
    return;
  }
  if (reason !== undefined && !warned.has(reason)) {
    warned.add(reason);
    console.warn(`[tools] skipping "${name}": ${reason}`);
  }
  describe.skipIf(reason !== undefined)(
    reason === undefined ? name : `${name} [skipped: ${reason}]`,
    factory,
  );
}

export interface ToolResult {
  /** Exit status; -1 when the tool could not be started or was killed. */
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunToolOptions {
  readonly cwd?: string;
  /** Bytes written to the tool's standard input. */
  readonly input?: string | Uint8Array;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a tool; never throws on a non-zero status, returns it instead. */
export function runTool(
  command: string,
  args: readonly string[],
  options: RunToolOptions = {},
): ToolResult {
  const result = spawnSync(command, [...args], {
    encoding: "utf8",
    cwd: options.cwd,
    input: options.input,
    env: options.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const spawnError = result.error === undefined ? "" : `${result.error.message}\n`;
  return {
    status: result.status ?? -1,
    stdout: result.stdout ?? "",
    stderr: spawnError + (result.stderr ?? ""),
  };
}

/** Like `runTool`, but throws with the tool's stderr on a non-zero status. */
export function runToolOrThrow(
  command: string,
  args: readonly string[],
  options: RunToolOptions = {},
): ToolResult {
  const result = runTool(command, args, options);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stderr}`);
  return result;
}
