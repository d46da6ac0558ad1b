/**
 * Gathering evidence: random values of each revision are written with its
 * codec and read with the other's, and printed with its converters and
 * parsed (and printed again) with the other's. Every failure is kept with
 * the value path where it showed and the types along that path.
 */
import type { Member, Model } from "../../model.js";
import { parseSexp } from "../../../runtime/sexp-parse.js";
import type { Sexp } from "../../../runtime/sexp.js";
import { matchTypes } from "../matchers.js";
import { Correspondence } from "./correspond.js";
import { Rng } from "./prng.js";
import {
  defaultHint,
  keptParts,
  loneKeptHint,
  randomRoot,
  type Hints,
  type Obj,
} from "./random-value.js";
import { parsePath, typesAlong } from "./type-path.js";
import type { Codec, Workspace } from "./workspace.js";

export interface Failure {
  /**
   * `could not read`, `read back as something else` (data); `did not parse`,
   * `parsed to another value`, `printed differently` (text: only the last is
   * the softer `prints differently`).
   */
  what: string;
  path: string;
  types: string[];
  message: string;
  /** The written value's S-expression, shortened. */
  example: string;
}

export interface Trials {
  tried: number;
  failures: Failure[];
}

export interface Evidence {
  /** The new codec wrote; the old codec read. */
  oldReaders: Trials;
  /** The old codec wrote; the new codec read. */
  newReaders: Trials;
  /** The old converters printed; the new ones parsed and printed again. */
  text: Trials;
  /** The new converters printed; the old ones parsed (shown, not judged: the text axis is one-way). */
  textBack: Trials;
  /** Values drawn that a codec refused to write, and were drawn again. */
  refused: { old: number; new: number };
}

export interface EvidenceOptions {
  runs: number;
  seed: number;
}

interface Side {
  model: Model;
  codec: Codec;
  hints: Hints;
}

export function gatherEvidence(
  ws: Workspace,
  oldModel: Model,
  newModel: Model,
  options: EvidenceOptions,
): Evidence {
  const rng = new Rng(options.seed);
  const hints = hintsFor(oldModel, newModel);
  const old: Side = { model: oldModel, codec: ws.old, hints: hints.old };
  const neu: Side = { model: newModel, codec: ws.new, hints: hints.new };
  const same = new Correspondence(oldModel, newModel);
  const sameText = new Correspondence(oldModel, newModel, "names");
  const evidence: Evidence = {
    oldReaders: { tried: 0, failures: [] },
    newReaders: { tried: 0, failures: [] },
    text: { tried: 0, failures: [] },
    textBack: { tried: 0, failures: [] },
    refused: { old: 0, new: 0 },
  };
  const shorten = (text: string): string => (text.length > 160 ? `${text.slice(0, 157)}...` : text);

  /** Writes `value` with `from`'s codec and reads the bytes with `to`'s. */
  const cross = (from: Side, to: Side, value: Obj, bytes: Uint8Array, trials: Trials): void => {
    trials.tried++;
    const example = shorten(from.codec.toMachineString(value));
    const read = guard(() => to.codec.read(bytes));
    if (ws.isCodecError(read) || read instanceof Error) {
      const path = ws.isCodecError(read) ? read.path : "";
      trials.failures.push({
        what: "could not read",
        path,
        types: along(from, to, value, path),
        message: read.message,
        example,
      });
      return;
    }
    const decoded = (read as { value: unknown }).value;
    const mismatch =
      from === old ? same.compareRoots(value, decoded) : same.compareRoots(decoded, value);
    if (mismatch !== undefined)
      trials.failures.push({
        what: "read back as something else",
        path: mismatch.path,
        types: mismatch.types,
        message: mismatch.reason,
        example,
      });
  };

  /** Prints `value` with `from`'s converters; parses and prints again with `to`'s. */
  const text = (from: Side, to: Side, value: Obj, trials: Trials): void => {
    trials.tried++;
    const printed = from.codec.toMachineString(value);
    const parsed = guard(() => to.codec.fromString(printed));
    if (ws.isSexpError(parsed) || parsed instanceof Error) {
      const path = ws.isSexpError(parsed) ? parsed.path : "";
      trials.failures.push({
        what: "did not parse",
        path,
        types: along(from, to, value, path),
        message: parsed.message,
        example: shorten(printed),
      });
      return;
    }
    const mismatch =
      from === old ? sameText.compareRoots(value, parsed) : sameText.compareRoots(parsed, value);
    if (mismatch !== undefined) {
      trials.failures.push({
        what: "parsed to another value",
        path: mismatch.path,
        types: mismatch.types,
        message: mismatch.reason,
        example: shorten(printed),
      });
      return;
    }
    const again = to.codec.toMachineString(parsed);
    if (again === printed) return;
    const segments = sexpDifference(printed, again);
    const path = segments
      .map((s) => (typeof s === "number" ? `[${s}]` : `.${s}`))
      .join("")
      .replace(/^\./, "");
    trials.failures.push({
      what: "printed differently",
      path,
      types: [
        ...typesAlong(from.model, value, segments),
        ...typesAlong(to.model, undefined, segments),
      ],
      message: `printed back as ${shorten(again)}`,
      example: shorten(printed),
    });
  };

  for (let run = 0; run < options.runs; run++) {
    const a = draw(old, rng, evidence.refused, "old");
    if (a !== undefined) {
      cross(old, neu, a.value, a.bytes, evidence.newReaders);
      text(old, neu, a.value, evidence.text);
    }
    const b = draw(neu, rng, evidence.refused, "new");
    if (b !== undefined) {
      cross(neu, old, b.value, b.bytes, evidence.oldReaders);
      text(neu, old, b.value, evidence.textBack);
    }
  }
  return evidence;
}

/** Types along a path, seen in the writer's value and in the reader's types. */
function along(from: Side, to: Side, value: Obj, path: string): string[] {
  const segments = parsePath(path);
  return [
    ...new Set([
      ...typesAlong(from.model, value, segments),
      ...typesAlong(to.model, undefined, segments),
    ]),
  ];
}

/** A value the side's codec writes, with its bytes; drawn again up to 100 times. */
function draw(
  side: Side,
  rng: Rng,
  refused: Evidence["refused"],
  which: "old" | "new",
): { value: Obj; bytes: Uint8Array } | undefined {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = randomRoot(side.model, rng, side.hints);
    const bytes = guard(() => {
      const buf = new Uint8Array(side.codec.sizeof(value));
      const written = side.codec.write(value, buf);
      return typeof written === "number" ? buf : undefined;
    });
    if (bytes instanceof Uint8Array) return { value, bytes };
    refused[which]++;
  }
  return undefined;
}

function guard<T>(work: () => T): T | Error {
  try {
    return work();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Where two S-expressions first part, as field names, variant names and list indexes. */
export function sexpDifference(a: string, b: string): (string | number)[] {
  const x = parseSexp(a);
  const y = parseSexp(b);
  if (!x.ok || !y.ok) return [];
  // A `(name value)` pair: a record field, or a variant with its argument.
  const named = (s: Sexp | undefined): s is readonly [string, Sexp] =>
    s !== undefined && typeof s !== "string" && s.length === 2 && typeof s[0] === "string";
  const walk = (p: Sexp, q: Sexp, path: (string | number)[]): (string | number)[] => {
    if (typeof p === "string" || typeof q === "string") return path;
    for (let i = 0; i < Math.max(p.length, q.length); i++) {
      const e: Sexp | undefined = p[i];
      const f: Sexp | undefined = q[i];
      if (e !== undefined && f !== undefined && JSON.stringify(e) === JSON.stringify(f)) continue;
      if (named(e) && named(f) && e[0] === f[0]) return walk(e[1], f[1], [...path, e[0]]);
      // A field one side lacks or has in another place: name the first of them.
      const first = named(e) ? e : named(f) ? f : undefined;
      if (first !== undefined) return [...path, first[0]];
      if (e === undefined || f === undefined) return path;
      return walk(e, f, [...path, i]);
    }
    return path;
  };
  return walk(x.value, y.value, []);
}

/** The integer defaults of the fields among `members`, groups looked into. */
function intDefaults(members: readonly Member[]): [string, number][] {
  return members.flatMap((m): [string, number][] =>
    m.kind === "group"
      ? intDefaults(m.members)
      : m.kind === "value" && m.default?.kind === "int"
        ? [[m.name, Number(m.default.value)]]
        : [],
  );
}

/**
 * Stored values each revision lacks and the other has, for matched enums
 * (values) and unions (tags), so that random unknown values and fallback
 * entries often hold them.
 */
function hintsFor(oldModel: Model, newModel: Model): { old: Hints; new: Hints } {
  const hints = { old: new Map() as Hints, new: new Map() as Hints };
  // Odd bytes only the new revision keeps come only from data holding them,
  // which the old one refused to read already: new values leave them out.
  // (Old data may hold odd bytes the old revision keeps: those stay.)
  const kept = keptParts(oldModel);
  for (const part of keptParts(newModel))
    if (!kept.has(part)) hints.new.set(loneKeptHint(part), []);
  for (const p of matchTypes(oldModel, newModel)) {
    const o = p.old;
    const n = p.new;
    // Integer defaults of the other revision, by field name, for both sides to draw often.
    for (const [def, into] of [
      [o, hints.new],
      [n, hints.old],
    ] as const)
      if (def?.kind === "record")
        for (const [name, value] of intDefaults(def.members)) into.set(defaultHint(name), [value]);
    if (o?.kind === "enum" && n?.kind === "enum") {
      const stored = (e: typeof o): (number | string)[] => e.values.map((v) => v.value);
      hints.old.set(
        o.name,
        stored(n).filter((v) => !stored(o).includes(v)),
      );
      hints.new.set(
        n.name,
        stored(o).filter((v) => !stored(n).includes(v)),
      );
    }
    if (o?.kind === "union" && n?.kind === "union") {
      const tags = (u: typeof o): number[] =>
        u.variants.flatMap((v) => (v.tag === undefined ? [] : [v.tag]));
      hints.old.set(
        o.name,
        tags(n).filter((t) => !tags(o).includes(t)),
      );
      hints.new.set(
        n.name,
        tags(o).filter((t) => !tags(n).includes(t)),
      );
    }
  }
  return hints;
}
