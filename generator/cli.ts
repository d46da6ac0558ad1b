/**
 * The binschema command line. Each subcommand lives in generator/commands/;
 * every one answers --help and exits 0 on success, 1 on a finding (stale
 * files, a breaking change, an image that fails its checks) and 2 on a
 * usage or I/O error.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { registerGenerate } from "./commands/generate.js";
import { CommandError, EXIT, red, unexpected } from "./commands/output.js";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

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
  .showHelpAfterError()
  .exitOverride();

registerGenerate(program, projectRoot, run);
// `generate` must work even when generated/ is stale or broken, so the other
// commands, whose modules import the generated codecs, load only when needed.
if (process.argv[2] !== "generate") {
  const { registerDiff } = await import("./commands/diff.js");
  const { registerImageCommands } = await import("./commands/image.js");
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
