/**
 * A value for a codec's `write`, from the JSON `decode --json` prints. JSON
 * has no bigints, so 64-bit integers are printed as decimal strings; the
 * model says which fields those are, and they become bigints again. Nothing
 * else is converted or checked here: `write` checks every field and names
 * the path of the first it cannot encode.
 */
import type {
  FieldType,
  IntType,
  Member,
  RecordDef,
  UnionDef,
  ValueField,
} from "../../generator/model.js";

/** A JSON text that does not parse, at its line and column. */
export class JsonSyntaxError extends Error {}

/** Parses JSON text; a syntax error says the line and column. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    if (position === null) throw new JsonSyntaxError(`not JSON: ${message}`);
    const before = text.slice(0, Number(position[1]));
    const line = before.split("\n").length;
    const col = before.length - before.lastIndexOf("\n");
    const reason = message.replace(/ in JSON at position \d+.*$/s, "");
    throw new JsonSyntaxError(`line ${line}, col ${col}: not JSON: ${reason}`);
  }
}

/** A 64-bit integer from its decimal (or 0x hex) string or a safe number; anything else as it is. */
function bigintOf(v: unknown): unknown {
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?(\d+|0x[0-9a-f]+)$/i.test(v.trim())) {
    const text = v.trim();
    return text.startsWith("-") ? -BigInt(text.slice(1)) : BigInt(text);
  }
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function intValue(t: IntType, v: unknown): unknown {
  return t.bits === 64 ? bigintOf(v) : v;
}

function typed(t: FieldType, v: unknown): unknown {
  switch (t.kind) {
    case "int":
      return intValue(t, v);
    case "enum":
      if (t.enum.base.kind === "int" && isObject(v) && "unknown" in v)
        return { ...v, unknown: intValue(t.enum.base, v["unknown"]) };
      return v;
    case "record":
      return recordValue(t.record.members, v);
    case "array":
      return Array.isArray(v) ? v.map((e) => recordValue(t.element.members, e)) : v;
    case "list":
      return Array.isArray(v) ? v.map((e) => unionValue(t.union, e)) : v;
    case "bytes":
    case "fixedString":
    case "uuid":
    case "text":
      return v;
  }
}

function unionValue(union: UnionDef, v: unknown): unknown {
  if (!isObject(v)) return v;
  const variant = [...union.variants, ...(union.fallback ? [union.fallback] : [])].find(
    (x) => x.name === v["kind"],
  );
  return variant === undefined ? v : fields(variant.members, v);
}

/** The properties of `v` that the members' fields hold, converted; other properties as they are. */
function fields(members: readonly (Member | ValueField)[], v: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = { ...v };
  const convert = (name: string, f: (x: unknown) => unknown): void => {
    // JSON has no undefined: null, like a missing property, is an absent field.
    if (out[name] === null) delete out[name];
    else if (out[name] !== undefined) out[name] = f(out[name]);
  };
  for (const m of members) {
    if (m.kind === "value") convert(m.name, (x) => typed(m.type, x));
    else if (m.kind === "group") convert(m.name, (x) => recordValue(m.members, x));
    else if (m.kind === "flags" && m.nested !== undefined)
      convert(m.name, (x) =>
        isObject(x) ? { ...x, [m.unknown]: intValue(m.type, x[m.unknown]) } : x,
      );
    else if (m.kind === "flags") convert(m.unknown, (x) => intValue(m.type, x));
  }
  return out;
}

function recordValue(members: readonly Member[], v: unknown): unknown {
  return isObject(v) ? fields(members, v) : v;
}

/** The value of a `record` from its JSON (as `decode --json` prints it). */
export function valueFromJson(record: RecordDef, json: unknown): unknown {
  return recordValue(record.members, json);
}
