#!/usr/bin/env node
// The binschema program. An installed package runs the compiled JavaScript
// in dist/; a checkout of the repository (where the TypeScript sources are)
// runs those through tsx, so development needs no build step.
import { existsSync } from "node:fs";

const source = new URL("../program/cli.ts", import.meta.url);
const compiled = new URL("../dist/program/cli.js", import.meta.url);

if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  // The program's dependencies are optional peers, so that importing a codec installs nothing.
  const missing = ["commander", "yaml", "ts-morph", "prettier"].filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    console.error(
      `binschema: the program needs ${missing.join(", ")}, which an install for codecs alone leaves out:\n` +
        `  npm install --save-dev ${missing.join(" ")}`,
    );
    process.exit(2);
  }
  await import(compiled.href);
}
