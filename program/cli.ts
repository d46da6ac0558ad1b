/**
 * The binschema command line. Each generic subcommand lives in program/commands/,
 * and each format's own in formats/NAME/commands/ (qcow2's image commands);
 * every one answers --help and exits 0 on success, 1 on a finding (stale
 * files, a breaking change, an image that fails its checks) and 2 on a
 * usage or I/O error.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { registerCodecCommands } from "./commands/codec.js";
import { registerGenerate } from "./commands/generate.js";
import { CommandError, EXIT, red, unexpected } from "./commands/output.js";

/** The package's folder: where package.json is, from program/ or from dist/program/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: unknown;
      };
      if (manifest.name === "binschema") return dir;
    } catch {
      // not here; look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(dirname(fileURLToPath(import.meta.url)), "..");
    dir = parent;
  }
}

const projectRoot = packageRoot();
const { version } = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as {
  version: string;
};

/** Runs a subcommand's work and exits with its status; errors become messages, not stack traces. */
function run(work: () => Promise<number>): void {
  work().then(
    (status) => process.exit(status),
    (error: unknown) => {
      if (error instanceof CommandError) {
        console.error(red(error.message));
        process.exit(error.status);
      }
      // Anything else is one line too, never a stack trace (BINSCHEMA_DEBUG=1 shows it).
      if (process.env.BINSCHEMA_DEBUG === "1") console.error(error);
      else console.error(red(unexpected(error)));
      process.exit(EXIT.usage);
    },
  );
}

const program = new Command("binschema")
  .description("Declarative binary-schema codec generator, and tools for the formats it knows")
  .version(version, "-V, --version", "print the version")
  .showHelpAfterError()
  .exitOverride();

registerGenerate(program, run);
registerCodecCommands(program, run);
// `generate` must work even when generated/ is stale or broken, so the other
// commands, whose modules import the generated codecs, load only when needed;
// `decode` and `encode` need none of them, and start faster without.
if (!["generate", "decode", "encode"].includes(process.argv[2] ?? "")) {
  const { registerDiff } = await import("./commands/diff.js");
  const { registerImageCommands } = await import("../formats/qcow2/commands/image.js");
  registerDiff(program, projectRoot, run);
  registerImageCommands(program, run);
}

try {
  program.parse();
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end with status 0; every other parse error is a usage error.
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  throw error;
}
