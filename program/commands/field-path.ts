/**
 * One field of a decoded value, for scripts: `--field PATH` on `decode` and
 * `inspect` (`additional.refcount_order`, `extensions[0].kind`) prints that
 * field's value alone.
 */
import { CommandError } from "./output.js";

/** JSON for a decoded value: bigints as decimal strings, byte strings as they are. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** The value at `path` (`additional.refcount_order`, `extensions[0].kind`) within `value`. */
export function fieldAt(value: unknown, path: string): unknown {
  let current = value;
  let walked = "";
  for (const step of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    const key = step.startsWith("[") ? Number(step.slice(1, -1)) : step;
    walked += typeof key === "number" ? step : walked === "" ? step : `.${step}`;
    if (current === null || typeof current !== "object" || !(key in current))
      throw new CommandError(`--field ${path}: the value has no ${walked}`);
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** One field's value for scripts: scalars bare, anything else as JSON. */
export function showField(v: unknown): string {
  if (
    typeof v === "string" ||
    typeof v === "number" ||
    typeof v === "bigint" ||
    typeof v === "boolean"
  )
    return String(v);
  return v === undefined ? "" : toJson(v);
}
