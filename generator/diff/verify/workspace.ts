/**
 * A temporary folder holding both revisions' generated modules, side by
 * side with a copy of the project's runtime as the modules expect it:
 *
 *     old/FORMAT.ts  new/FORMAT.ts  runtime/*.ts  probe/probe.ts
 *
 * each .ts beside its JavaScript, which is what this process loads (so it
 * works in plain Node as well as under tsx), with what the verifier calls
 * on them; the compiler type-checks the probes against the .ts.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ts } from "ts-morph";
import { generate } from "../../generate.js";

/** The functions of a generated module the verifier uses; values are unchecked. */
export interface Codec {
  format: string;
  /** Absolute path of the module's source. */
  path: string;
  read: (buf: Uint8Array) => unknown;
  write: (value: unknown, buf: Uint8Array) => unknown;
  sizeof: (value: unknown) => number;
  toMachineString: (value: unknown) => string;
  fromString: (text: string) => unknown;
}

export interface Workspace {
  dir: string;
  old: Codec;
  new: Codec;
  /** The runtime's error classes, as the modules see them. */
  isCodecError: (x: unknown) => x is { path: string; message: string };
  isSexpError: (x: unknown) => x is { path: string; message: string };
  remove: () => Promise<void>;
}

export interface Source {
  name: string;
  text: string;
}

export async function makeWorkspace(
  projectRoot: string,
  old: Source,
  neu: Source,
): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), "binschema-diff-"));
  try {
    await writeFile(join(dir, "package.json"), '{ "type": "module" }\n');
    await cp(join(projectRoot, "runtime"), join(dir, "runtime"), { recursive: true });
    for (const name of await readdir(join(dir, "runtime")))
      if (name.endsWith(".ts")) await writeJavaScript(join(dir, "runtime", name));
    const oldCodec = await place(dir, "old", old);
    const newCodec = await place(dir, "new", neu);
    const codecErrors = await load(join(dir, "runtime", "codec.js"));
    const sexpErrors = await load(join(dir, "runtime", "sexp-convert.js"));
    const CodecError = codecErrors.CodecError;
    const SexpError = sexpErrors.SexpError;
    if (typeof CodecError !== "function" || typeof SexpError !== "function")
      throw new Error("the runtime does not export CodecError and SexpError");
    return {
      dir,
      old: oldCodec,
      new: newCodec,
      isCodecError: (x): x is { path: string; message: string } => x instanceof CodecError,
      isSexpError: (x): x is { path: string; message: string } => x instanceof SexpError,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Writes `path`'s JavaScript beside it (`x.ts` -> `x.js`). */
async function writeJavaScript(path: string): Promise<string> {
  const js = ts.transpileModule(await readFile(path, "utf8"), {
    fileName: path,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  const target = path.replace(/\.ts$/, ".js");
  await writeFile(target, js.outputText);
  return target;
}

async function load(path: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

/** Generates one revision into `dir/side/` and loads it. */
async function place(dir: string, side: "old" | "new", source: Source): Promise<Codec> {
  const generated = await generate(source.name, source.text);
  if (!generated.ok) throw new Error(`${source.name}: the schema has problems`);
  await mkdir(join(dir, side));
  const module = generated.files.find((f) => f.name.endsWith(".ts"))!;
  const path = join(dir, side, module.name);
  await writeFile(path, module.text);
  const m = await load(await writeJavaScript(path));
  const fn = (name: string): unknown => {
    if (typeof m[name] !== "function") throw new Error(`${path} does not export ${name}`);
    return m[name];
  };
  return {
    format: generated.model.format,
    path,
    read: fn("read") as Codec["read"],
    write: fn("write") as Codec["write"],
    sizeof: fn("sizeof") as Codec["sizeof"],
    toMachineString: fn("toMachineString") as Codec["toMachineString"],
    fromString: fn("fromString") as Codec["fromString"],
  };
}
