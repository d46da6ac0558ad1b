#!/usr/bin/env node
// The binschema command: runs the TypeScript CLI through tsx's loader, so
// the tool needs no build step.
import { register } from "tsx/esm/api";

register();
await import("../generator/cli.ts");
