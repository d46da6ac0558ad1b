/**
 * `binschema inspect IMAGE [--mach | --json | --field PATH]`: prints a qcow2
 * image's header, every extension decoded, and the backing file name,
 * reading the first cluster at most (plus the backing file name); or one
 * raw header field alone, for scripts.
 */
import type { Command } from "commander";
import { sizeof } from "../../../generated/qcow2.js";
import { toStringHum, toStringMach } from "../../../runtime/sexp.js";
import { CodecError } from "../../../runtime/codec.js";
import { inspectJson, inspectSexp } from "../view.js";
import { fieldAt, showField } from "../../../program/commands/field-path.js";
import { decodedHeader, loadRegion, noteWriter, shown, withImage } from "./image-common.js";
import { CommandError, EXIT } from "../../../program/commands/output.js";

export interface InspectOptions {
  mach?: boolean;
  json?: boolean;
  field?: string;
}

/** Runs the command; returns the exit status. */
export function runInspect(path: string, options: InspectOptions): number {
  const ways = [options.mach === true, options.json === true, options.field !== undefined];
  if (ways.filter(Boolean).length > 1) {
    throw new CommandError("inspect: give at most one of --mach, --json and --field", EXIT.usage);
  }
  noteWriter(path);
  return withImage(path, false, (fd) => {
    const region = loadRegion(path, fd);
    const header = decodedHeader(path, region, "inspect it");
    const name = region.backingName?.bytes;
    if (options.field !== undefined) {
      // The header's fields as the codec decodes them, and the name inspect prints last.
      const value = options.field === "backing_file" ? name : fieldAt(header, options.field);
      console.log(showField(value));
    } else if (options.json === true) {
      const end = region.decoded instanceof CodecError ? 0 : region.decoded.end;
      const json = inspectJson(shown(path), header, name, {
        // Where the fixed fields end is where the codec starts the extensions.
        header_length: sizeof({ ...header, extensions: [] }) - 8,
        end,
        cluster_size: region.clusterSize,
        bytes_read: region.bytes.length,
      });
      console.log(JSON.stringify(json, null, 2));
    } else {
      const sexp = inspectSexp(header, name);
      console.log(options.mach === true ? toStringMach(sexp) : toStringHum(sexp));
    }
    return EXIT.ok;
  });
}

export function registerInspect(
  program: Command,
  run: (work: () => Promise<number>) => void,
): void {
  program
    .command("inspect")
    .description(
      "print a qcow2 image's header, its extensions and backing file name (reads the first cluster at most)",
    )
    .argument("<image>", "qcow2 image file")
    .option("--mach", "the machine S-expression form (one line)")
    .option("--json", "JSON, with 64-bit values as strings")
    .option(
      "--field <path>",
      "print one header field's value alone, e.g. l1_table_offset, additional.refcount_order, extensions[0].kind, backing_file",
    )
    .action((image: string, options: InspectOptions) =>
      run(async () => runInspect(image, options)),
    );
}
