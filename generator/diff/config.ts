/**
 * The `diff:` section of a project's `binschema.yaml` (other top-level
 * sections, such as `generate:`, belong to other commands and are left
 * alone):
 *
 *     diff:
 *       schemas: [schema]            # folders (or files) `diff --against REV` compares
 *       fail-on: [old-readers, new-readers, api]
 *       approve:
 *         - rule: enum-value-added   # a change's rule ID
 *           subject: CryptMethod.Luks
 *           file: schema/qcow2.yaml  # optional: only in this schema
 *           reason: the 2016 library refuses LUKS images by design
 *
 * `fail-on` lists what makes the command exit 1: `old-readers`,
 * `new-readers`, `api`, `text` (text that does not parse, or parses to
 * another value) and `text-prints` (text that also merely prints back
 * differently). An approval accepts one change, on every axis, with a
 * reason; an approval that matches no change is itself reported.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import type { Loc } from "../model.js";

export const FAIL_ON = ["old-readers", "new-readers", "api", "text", "text-prints"] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface Approval {
  rule: string;
  subject: string;
  file: string | undefined;
  reason: string;
  loc: Loc;
}

export interface DiffConfig {
  /** Where the settings came from (undefined: defaults, no file). */
  file: string | undefined;
  schemas: string[];
  failOn: Set<FailOn>;
  approvals: Approval[];
}

export const DEFAULT_FAIL_ON: readonly FailOn[] = ["old-readers", "new-readers", "api"];

export function defaultConfig(): DiffConfig {
  return { file: undefined, schemas: ["schema"], failOn: new Set(DEFAULT_FAIL_ON), approvals: [] };
}

/** A problem in the config file, as `file:line:col: message`. */
export class ConfigError extends Error {}

/** Reads `file` if it exists; the defaults if it does not. */
export async function loadDiffConfig(file: string, mustExist: boolean): Promise<DiffConfig> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" && !mustExist) return undefined;
    throw new ConfigError(
      `${file}: cannot read: ${error.code === "ENOENT" ? "no such file" : error.message}`,
    );
  });
  return text === undefined ? defaultConfig() : parseDiffConfig(file, text);
}

export function parseDiffConfig(file: string, text: string): DiffConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const locOf = (node: Node | undefined, path: string): Loc => {
    const at = lines.linePos(node?.range?.[0] ?? 0);
    return { file, line: at.line, col: at.col, path };
  };
  const fail = (node: Node | undefined, path: string, message: string): never => {
    const loc = locOf(node, path);
    throw new ConfigError(`${file}:${loc.line}:${loc.col}: ${message}`);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = lines.linePos(e.pos[0]);
    throw new ConfigError(`${file}:${at.line}:${at.col}: ${e.message.split("\n")[0]}`);
  }
  const config = defaultConfig();
  config.file = file;
  const top = doc.contents;
  if (top === null) return config;
  if (!isMap(top)) return fail(top, "", "binschema.yaml must be a mapping of sections");
  const section = top.get("diff", true) as Node | undefined;
  if (section === undefined || (isScalar(section) && section.value === null)) return config;
  if (!isMap(section)) return fail(section, "/diff", "diff: must be a mapping");

  const strings = (node: Node, path: string): { value: string; node: Node }[] => {
    if (!isSeq(node)) return fail(node, path, "must be a list");
    return node.items.map((item, i) => {
      if (!isScalar(item) || typeof item.value !== "string")
        return fail(item as Node, `${path}/${i}`, "must be a string");
      return { value: item.value, node: item };
    });
  };
  for (const pair of section.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = pair.value as Node;
    const path = `/diff/${key}`;
    switch (key) {
      case "schemas":
        config.schemas = strings(value, path).map((s) => s.value);
        break;
      case "fail-on":
        config.failOn = new Set(
          strings(value, path).map(({ value: v, node }, i) => {
            if (!(FAIL_ON as readonly string[]).includes(v))
              fail(node, `${path}/${i}`, `fail-on takes ${FAIL_ON.join(", ")}; got "${v}"`);
            return v as FailOn;
          }),
        );
        break;
      case "approve":
        if (!isSeq(value)) return fail(value, path, "approve: must be a list of approvals");
        config.approvals = value.items.map((item, i) => approval(item as Node, `${path}/${i}`));
        break;
      default:
        fail(
          pair.key as Node,
          path,
          `unknown diff setting "${key}" (known: schemas, fail-on, approve)`,
        );
    }
  }
  return config;

  function approval(node: Node, path: string): Approval {
    if (!isMap(node))
      return fail(node, path, "an approval is a mapping with rule, subject and reason");
    const field = (name: string, required: boolean): string | undefined => {
      const v = node.get(name, true) as Node | undefined;
      if (v === undefined) {
        if (required) fail(node, path, `an approval needs ${name}:`);
        return undefined;
      }
      if (!isScalar(v) || typeof v.value !== "string" || v.value.trim() === "")
        return fail(v, `${path}/${name}`, `${name}: must be a non-empty string`);
      return v.value;
    };
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!["rule", "subject", "file", "reason"].includes(key))
        fail(
          pair.key as Node,
          `${path}/${key}`,
          `unknown approval key "${key}" (known: rule, subject, file, reason)`,
        );
    }
    return {
      rule: field("rule", true)!,
      subject: field("subject", true)!,
      file: field("file", false),
      reason: field("reason", true)!,
      loc: locOf(node, path),
    };
  }
}
