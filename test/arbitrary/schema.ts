/**
 * Random schemas, as YAML text, covering the language: integers of every
 * width and byte order, enums (integer and string, open and closed, integer
 * ones with `valid` checks), records nested by value, groups with and
 * without conditions, conditional fields and padding, constants, magic
 * strings, computed offsets, flags, byte strings of every sizing, fixed
 * strings (NUL- or space-padded), text in every encoding, UUIDs and GUIDs, arrays filling a payload
 * or counted, computed sizes and counts, bit fields, values split into
 * halves, `none` values, conditions comparing an enum field with a value's
 * name, nested flags words (conditional, and used in expressions), union lists (framed in either header order, with a
 * checksum trailer, ending on an end tag or on a `last` entry), checksums
 * (binary and as text, over a record or a group, over the bytes before them,
 * or only while a condition holds), members at their own offsets, numbers
 * stored as text (with kept spellings), arrays ended by zero bytes, padding
 * to the end, the keep constructs (kept end markers and padding, string
 * tails), and roots ending in bytes that run to the end of the input or up
 * to a record found by searching backwards. Every schema drawn is valid, so
 * the generator must accept it; expressions use only the earlier,
 * always-present integer fields the language allows.
 */
import { Rng } from "../../generator/diff/verify/prng.js";
import { modelOf } from "../../generator/model-of.js";

const INTS = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"] as const;
type IntName = (typeof INTS)[number];

interface Scope {
  /** Names taken in the record (its groups included). */
  taken: Set<string>;
  /** Earlier always-present integer fields of at most 32 bits, usable in expressions. */
  ints: { name: string; type: IntName }[];
}

interface TypeInfo {
  name: string;
  kind: "enum" | "record" | "union";
  /** For records: does its size never depend on the value? */
  fixed: boolean;
  /** For enums: is it stored as a fixed-size string? */
  stringEnum?: boolean;
  /** For string enums: space-padded (no tail then)? */
  spaced?: boolean;
  /** For enums: the names of its values. */
  valueNames?: string[];
  /** For integer enums: the values, by name. */
  values?: { name: string; value: number }[];
}

/**
 * A field or parameter a `byte_order` or `switch` may test, with the values
 * it is drawn from (as the schema writes them: numbers, or value names of
 * its enum) and their numbers.
 */
interface Selector {
  name: string;
  values: { text: string; value: number }[];
}

/** A record with parameters (drawn apart from `known`, whose users give no `args`). */
interface ParamRecord {
  name: string;
  params: { name: string; type: string; selector: Selector }[];
  /** Does its size never depend on the value or the parameters? */
  fixed: boolean;
}

/** What the run-time layout members of one record have drawn so far. */
interface LayoutState {
  /** The record's parameters, and the selector fields drawn in it. */
  selectors: Selector[];
  /** Is this a record with parameters (which holds none itself)? */
  params: boolean;
  /** Has the record a `byte_order` member yet? */
  byteOrder: boolean;
  /** Layout members drawn in the record. */
  drawn: number;
}

class SchemaDraw {
  readonly types: string[] = [];
  readonly known: TypeInfo[] = [];
  /**
   * Always-present integer enum fields, by the `ints` list of the scope they
   * were drawn in (a conditional field's or group's scope is a list of its
   * own, dropped after it, as its ints are).
   */
  private readonly enumFields = new WeakMap<Scope["ints"], { name: string; values: string[] }[]>();
  private counter = 0;

  /** Records with parameters, for fields that give `args`. */
  readonly paramRecords: ParamRecord[] = [];

  /** Draws switches read ahead (set apart, so the schemas drawn before stay what they were). */
  aheadRng: Rng | undefined;

  /**
   * `rng` draws the language before run-time layouts; `layoutRng` decides
   * and draws byte orders, switches, parameters and strides, so that a
   * schema without them is what it was before they were drawn.
   */
  constructor(
    readonly rng: Rng,
    readonly layoutRng: Rng = rng,
    /** Draws lets (and the choices in them), so the schemas drawn before stay what they were. */
    readonly letRng: Rng = layoutRng,
  ) {}

  private fresh(prefix: string, scope: Scope): string {
    let name: string;
    do name = `${prefix}${this.counter++}`;
    while (scope.taken.has(name));
    scope.taken.add(name);
    return name;
  }

  private typeName(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  enumType(): void {
    const name = this.typeName("E");
    const open = this.rng.chance(0.4);
    const lines = [`  ${name}:`, `    enum: ${this.pickEnumBase()}`];
    const values: { name: string; value: number }[] = [];
    const base = lines[1]!.slice("    enum: ".length);
    if (open) lines.push("    open: true");
    lines.push("    values:");
    const count = 1 + this.rng.below(4);
    const valueNames = Array.from({ length: count }, (_, i) => `V${i}`);
    if (base.startsWith("{")) {
      const size = Number(/\d+/.exec(base)![0]);
      for (let i = 0; i < count; i++) {
        const text = `v${i}`.padEnd(1 + this.rng.below(size), "x").slice(0, size);
        lines.push(`      V${i}: ${JSON.stringify(text)}`);
      }
    } else {
      const used = new Set<number>();
      for (let i = 0; i < count; i++) {
        let v = this.rng.below(120);
        while (used.has(v)) v++;
        used.add(v);
        lines.push(`      V${i}: ${v}`);
        values.push({ name: `V${i}`, value: v });
      }
    }
    this.types.push(lines.join("\n"));
    this.known.push({
      name,
      kind: "enum",
      fixed: true,
      stringEnum: base.startsWith("{"),
      spaced: base.includes("pad: space"),
      valueNames,
      ...(values.length > 0 ? { values } : {}),
    });
  }

  private pickEnumBase(): string {
    return this.rng.pick([
      "u8",
      "u16",
      "u32",
      "i8",
      "i16",
      "i32",
      `{ string: ${2 + this.rng.below(6)} }`,
      `{ string: ${2 + this.rng.below(6)}, pad: space }`,
    ]);
  }

  /** A record whose first byte is never zero, to be an entry of a list ended by zeros. */
  terminatedEntry(name: string): void {
    const scope: Scope = { taken: new Set(), ints: [] };
    const lines = [
      `  ${name}:`,
      "    record:",
      `      - { name: sig, magic: "\\x${(1 + this.rng.below(255)).toString(16).padStart(2, "0")}" }`,
    ];
    scope.taken.add("sig");
    for (let i = 0, n = this.rng.below(3); i < n; i++)
      lines.push(`      ${this.plainField(scope, false).line}`);
    this.types.push(lines.join("\n"));
  }

  /**
   * A record told from a block's zeros, to be an entry of an array packed in
   * blocks: a non-zero magic first, or a length byte whose check refuses 0.
   */
  blockEntry(name: string, rng: Rng): void {
    const scope: Scope = { taken: new Set(["klength", "ksig"]), ints: [] };
    const lines = [`  ${name}:`, "    record:"];
    if (rng.chance(0.5)) {
      const check = rng.pick(["klength != 0", "klength >= 1", "klength > 0 && klength < 200"]);
      lines.push(
        `      - { name: klength, type: u8, valid: [{ check: "${check}", message: is never 0 }] }`,
      );
    } else
      lines.push(
        `      - { name: ksig, magic: "\\x${(1 + rng.below(255)).toString(16).padStart(2, "0")}" }`,
      );
    for (let i = 0, n = rng.below(3); i < n; i++)
      lines.push(`      ${this.plainField(scope, false).line}`);
    this.types.push(lines.join("\n"));
  }

  /**
   * A record type; `root` records may hold lists and variable-size fields
   * anywhere. `terminated` adds an array of that type ended by zeros;
   * `rest` ends the record with padding to the end.
   */
  recordType(
    name: string,
    fixedOnly: boolean,
    terminated?: string,
    rest = false,
    params?: ParamRecord["params"],
    /** Members of an array packed in blocks, and what they take, to go first. */
    blocked?: string[],
  ): void {
    const scope: Scope = { taken: new Set(), ints: [] };
    const members: string[] = [];
    const layout: LayoutState = {
      selectors: (params ?? []).map((p) => p.selector),
      params: params !== undefined,
      byteOrder: false,
      drawn: 0,
    };
    for (const p of params ?? []) {
      scope.taken.add(p.name);
      if (INTS.includes(p.type as IntName))
        scope.ints.push({ name: p.name, type: p.type as IntName });
    }
    if (terminated !== undefined)
      members.push(
        `      - { name: ${this.fresh("entries", scope)}, type: "${terminated}", end: { zeros: ${this.rng.pick([1, 2, 512])} } }`,
      );
    if (blocked !== undefined) {
      members.push(...blocked);
      for (const line of blocked) scope.taken.add(/name: (\w+)/.exec(line)![1]!);
    }
    const count = 1 + this.rng.below(7);
    let fixed = blocked === undefined;
    for (let i = 0; i < count; i++) {
      // A run-time layout member now and then, besides the others.
      const extra = this.runTimeLayout(scope, fixedOnly, layout);
      if (extra !== undefined) {
        members.push(...extra.lines);
        fixed &&= extra.fixed;
      }
      // (In the root only: a record of varying size would change the draws of records using it.)
      if (name === "Root" && this.aheadRng?.chance(0.08) === true) {
        members.push(...this.aheadSwitch(scope, this.aheadRng));
        fixed = false;
      }
      const m = this.member(scope, 0, fixedOnly);
      members.push(...m.lines);
      fixed &&= m.fixed;
      const lets = this.letMember(scope, fixedOnly);
      members.push(...lets.lines);
      fixed &&= lets.fixed;
    }
    // A checksum over the record, and a member at its own offset, now and then.
    if (this.rng.chance(0.2)) {
      // Now and then a checksum only while a condition on an earlier field holds.
      const cond = this.rng.chance(0.3) ? this.condition(scope) : undefined;
      const line = `      ${this.checksum(scope, true, cond)}`;
      if (cond === undefined && this.rng.chance(0.5)) members.unshift(line);
      else members.push(line);
    }
    const small = scope.ints.filter((i) => i.type === "u8");
    if (!fixedOnly && small.length > 0 && this.rng.chance(0.3)) {
      // Past the members in sequence: an array ended by zeros takes its zeros and entries first.
      // So do strided arrays, up to three records of up to 2048 bytes each.
      const base = members.some((m) => m.includes("stride: "))
        ? 8192
        : terminated === undefined && blocked === undefined
          ? 512
          : 4096;
      const where = `${base + this.rng.below(64)} + ${this.rng.pick(small).name}`;
      const field = this.plainField({ taken: scope.taken, ints: [] }, this.rng.chance(0.5));
      const cond = this.rng.chance(0.3)
        ? `, if: ${JSON.stringify(`${this.rng.pick(small).name} > 100`)}`
        : "";
      members.push(`      ${field.line.replace(/ }$/, `, at: ${JSON.stringify(where)}${cond} }`)}`);
      fixed = false;
    }
    // A computed offset of a later top-level field, now and then.
    if (this.rng.chance(0.25)) {
      const offsetName = this.fresh("off", scope);
      const target = this.fresh("after", scope);
      // Now and then the offset just past it instead (drawn apart, so other schemas stay).
      const of = this.aheadRng?.chance(0.3) === true ? "end" : "offset";
      members.unshift(
        `      - { name: ${offsetName}, type: ${this.rng.pick(["u16", "u32"])}, value: ${of}(${target}) }`,
      );
      members.push(`      - { name: ${target}, type: u8 }`);
    }
    // Zeros to the end cannot share the end with a member at its own offset.
    if (rest && !members.some((m) => m.includes(", at: ")))
      members.push(`      - { name: ${this.fresh("fill", scope)}, padding: rest }`);
    this.ownEndians(members);
    const head = [`  ${name}:`];
    if (params !== undefined)
      head.push(
        "    params:",
        ...params.map((p) => `      - { name: ${p.name}, type: ${p.type} }`),
      );
    // Bytes between positioned members left as the buffer holds them, now and then.
    if (members.some((m) => m.includes(", at: ")) && this.layoutRng.chance(0.5))
      head.push("    gaps: untouched");
    this.types.push([...head, "    record:", ...members].join("\n"));
    if (params !== undefined) this.paramRecords.push({ name, params, fixed });
    else this.known.push({ name, kind: "record", fixed });
  }

  /**
   * Now and then the root ends in bytes that run to the end of the input,
   * alone or up to a record found by searching backwards for its signature
   * (a magic string or a constant), as a ZIP archive's end record is.
   */
  endAtInput(rng: Rng): void {
    const root = this.types.length - 1;
    const text = this.types[root]!;
    // Members at their own offset would overlap bytes that run to the end.
    // Nor can they follow padding that already runs there.
    if (text.includes(", at: ") || text.includes("padding: rest") || !rng.chance(0.3)) return;
    const scope: Scope = {
      taken: new Set(text.match(/name: \w+/g)?.map((n) => n.slice(6))),
      ints: [],
    };
    const body = this.fresh("rest", scope);
    const lines = [`      - { name: ${body}, type: bytes }`];
    if (rng.chance(0.7)) {
      const name = this.typeName("Found");
      const signature = rng.chance(0.5)
        ? `      - { name: sig, magic: ${JSON.stringify(rng.pick(["PK\x05\x06", "E", "\0\0", "END!"]))} }`
        : `      - { name: sig, type: ${rng.pick(["u8", "u16", "u32", "i64"])}, const: ${rng.below(256)} }`;
      const fields = [signature, "      - { name: n, type: u8 }"];
      if (rng.chance(0.5))
        fields.push(
          "      - { name: note_length, type: u16, value: size(note) }",
          "      - { name: note, type: bytes, size: note_length }",
        );
      else fields.push(`      - { name: note, type: bytes, prefix: ${rng.pick(["u8", "u16"])} }`);
      this.types.push([`  ${name}:`, "    record:", ...fields].join("\n"));
      lines.push(
        `      - { name: ${this.fresh("found", scope)}, type: ${name}, search: ${rng.pick([64, 300, 65557])} }`,
      );
    }
    this.types[root] = [text, ...lines].join("\n");
  }

  unionType(): void {
    const name = this.typeName("U");
    const tag = this.rng.pick(["u8", "u16", "u32"] as const);
    const length = this.rng.pick(["u8", "u16", "u32"] as const);
    const align = this.rng.pick([1, 1, 4, 8]);
    // The header in either order; a checksum trailer over a run of the entry's parts (unpadded only).
    const header = this.rng.pick([
      ["tag", "length"],
      ["length", "tag"],
    ]);
    const parts = [...header, "payload"];
    const from = this.rng.below(3);
    const covers = parts.slice(from, from + 1 + this.rng.below(3 - from));
    const trailer = align === 1 && this.rng.chance(0.4);
    // The list ends on its end tag (its length now and then kept), or on a `last` entry.
    const end = this.rng.pick(["tag", "keep", "last"] as const);
    const lines = [
      `  ${name}:`,
      "    union:",
      `      tag: ${tag}`,
      `      length: ${length}`,
      `      header: [${header.join(", ")}]`,
      `      align: ${align}`,
      ...(trailer
        ? [
            `      trailer: { name: check, type: u32, checksum: ${this.rng.pick(["crc32", "crc32c", "ones-complement-sum"])}${this.rng.chance(0.7) ? `, covers: [${covers.join(", ")}]` : ""} }`,
          ]
        : []),
      ...(end === "keep" && !trailer
        ? ["      end: { tag: 0, keep: End }"]
        : end === "last"
          ? []
          : ["      end: 0"]),
      ...(align > 1 && this.rng.chance(0.5) ? ["      padding: keep"] : []),
      "    variants:",
    ];
    const count = 1 + this.rng.below(3);
    for (let i = 0; i < count; i++) {
      lines.push(`      - name: K${i}`, `        tag: ${i + 1}`);
      if (end === "last" && i === 0) lines.push("        last: true");
      const fieldsAt = lines.push("        fields:") - 1;
      const scope: Scope = { taken: new Set(["kind"]), ints: [] };
      const fields = this.rng.below(3);
      for (let f = 0; f < fields; f++) lines.push(`          ${this.plainField(scope, true).line}`);
      // The last field may fill the rest of the payload.
      const records = this.known.filter((t) => t.kind === "record" && t.fixed);
      const last = this.rng.below(3);
      if (last === 1) lines.push(`          - { name: ${this.fresh("rest", scope)}, type: bytes }`);
      if (this.rng.chance(0.2))
        lines.splice(
          fieldsAt + 1,
          0,
          `          - { name: ${this.fresh("key", scope)}, type: bytes, terminator: ${this.rng.pick([0, 0x20, 0xff])} }`,
        );
      if (last === 2 && records.length > 0)
        lines.push(
          `          - { name: ${this.fresh("items", scope)}, type: "${this.rng.pick(records).name}[]" }`,
        );
      if (lines.length === fieldsAt + 1) lines[fieldsAt] = "        fields: []";
    }
    if (this.rng.chance(0.5)) {
      const signed = this.rng.chance(0.3) ? tag.replace("u", "i") : tag;
      lines.push(
        "      - name: Other",
        "        fallback: true",
        "        fields:",
        `          - { name: code, type: ${signed}, tag: true }`,
        "          - { name: data, type: bytes }",
      );
    }
    this.types.push(lines.join("\n"));
    this.known.push({ name, kind: "union", fixed: false });
  }

  private member(
    scope: Scope,
    depth: number,
    fixedOnly: boolean,
  ): { lines: string[]; fixed: boolean } {
    const indent = "      ".padEnd(6 + depth * 4);
    const roll = this.rng.below(100);
    if (roll < 8) {
      const type = this.rng.pick(INTS);
      const max = type.startsWith("u") ? 2 ** Math.min(Number(type.slice(1)), 32) - 1 : 100;
      return {
        lines: [
          `${indent}- { name: ${this.fresh("magic", scope)}, type: ${type}, const: ${this.rng.below(max)} }`,
        ],
        fixed: true,
      };
    }
    const small = scope.ints.filter((i) => i.type === "u8");
    if (roll < 11 && !fixedOnly && small.length > 0) {
      const size = `${this.rng.pick(small).name} & ${this.rng.pick([3, 7, 15])}`;
      return { lines: [`${indent}- { padding: ${JSON.stringify(size)} }`], fixed: false };
    }
    if (roll < 14)
      return {
        lines: [`${indent}- { padding: ${1 + this.rng.below(5)}${this.keep(scope)} }`],
        fixed: true,
      };
    if (roll < 17) {
      const magic = Array.from(
        { length: 1 + this.rng.below(6) },
        () => `\\x${this.rng.below(256).toString(16).padStart(2, "0")}`,
      ).join("");
      return {
        lines: [`${indent}- { name: ${this.fresh("sig", scope)}, magic: "${magic}" }`],
        fixed: true,
      };
    }
    if (roll < 22) {
      const type = this.rng.pick(["u8", "u16", "u32", "u64"] as const);
      const bits = Number(type.slice(1));
      const flags = Array.from(
        { length: 1 + this.rng.below(3) },
        (_, i) => i * 3 + this.rng.below(3),
      ).filter((b) => b < bits);
      if (this.rng.chance(0.4)) {
        // Nested: the bits are named in the word's own namespace (`f0` may
        // also be a field), the word may have an `if`, and an unconditional
        // one of up to 32 bits is an integer later expressions may use.
        const name = this.fresh("flags", scope);
        const cond = fixedOnly || this.rng.chance(0.4) ? undefined : this.condition(scope);
        const when =
          cond === undefined
            ? ""
            : `, if: ${JSON.stringify(cond)}${this.rng.chance(0.5) ? ", absent: omit" : ""}`;
        const named = flags.map((b, i) => `{ bit: ${b}, name: f${i} }`);
        if (cond === undefined && type !== "u64") scope.ints.push({ name, type });
        return {
          lines: [
            `${indent}- { name: ${name}, type: ${type}, nested: true${when}, flags: [${named.join(", ")}], unknown: rest }`,
          ],
          fixed: cond === undefined,
        };
      }
      const unknown = this.fresh("rest", scope);
      return {
        lines: [
          `${indent}- { name: ${this.fresh("flags", scope)}, type: ${type}, flags: [${flags.map((b) => `{ bit: ${b}, name: ${this.fresh("bit", scope)} }`).join(", ")}], unknown: ${unknown} }`,
        ],
        fixed: true,
      };
    }
    if (roll < 30 && depth < 2) {
      const name = this.fresh("group", scope);
      const cond = fixedOnly ? undefined : this.condition(scope);
      const inner: string[] = [];
      let fixed = cond === undefined;
      // Fields inside a conditional group cannot be used after it.
      const innerScope: Scope =
        cond === undefined ? scope : { taken: scope.taken, ints: [...scope.ints] };
      for (let i = 0, n = 1 + this.rng.below(3); i < n; i++) {
        const m = this.member(innerScope, depth + 1, fixedOnly);
        inner.push(...m.lines);
        fixed &&= m.fixed;
      }
      const head = [`${indent}- name: ${name}`, `${indent}  group: ${this.typeName("G")}`];
      if (cond !== undefined) head.push(`${indent}  if: ${JSON.stringify(cond)}`);
      if (cond !== undefined && this.rng.chance(0.5)) head.push(`${indent}  absent: omit`);
      head.push(`${indent}  fields:`);
      // A checksum of the group's own, now and then: it covers the group.
      if (this.rng.chance(0.15)) inner.push(`${indent}    ${this.checksum(scope)}`);
      return { lines: [...head, ...inner], fixed };
    }
    if (roll < 38 && !fixedOnly) {
      const cond = this.condition(scope);
      if (cond !== undefined) {
        const field = this.plainField({ taken: scope.taken, ints: [] }, fixedOnly);
        const lines = [`${indent}${field.line.replace(/ }$/, `, if: ${JSON.stringify(cond)} }`)}`];
        if (this.rng.chance(0.4))
          lines.push(
            `${indent}- { padding: ${1 + this.rng.below(3)}, if: ${JSON.stringify(cond)}${this.keep(scope)} }`,
          );
        return { lines, fixed: false };
      }
    }
    if (roll >= 48 && roll < 52) {
      // A bit field word of 1 to 8 bytes, in random parts that fill it.
      const bytes = 1 + this.rng.below(8);
      const endian = this.rng.pick(["big", "little"]);
      const parts: string[] = [];
      const small: { name: string; type: "u8" }[] = [];
      for (let left = bytes * 8; left > 0;) {
        const bits = Math.min(left, 1 + this.rng.below(this.rng.chance(0.2) ? 64 : 12));
        const name = this.fresh("part", scope);
        parts.push(`{ name: ${name}, bits: ${bits} }`);
        if (bits <= 8) small.push({ name, type: "u8" });
        left -= bits;
      }
      scope.ints.push(...small);
      return {
        lines: [
          // Now and then in the record's byte order, which a byte_order member may choose.
          `${indent}- { name: ${this.fresh("word", scope)}, type: u${bytes * 8}${this.letRng.chance(0.3) ? "" : `, endian: ${endian}`}, bitfield: [${parts.join(", ")}] }`,
        ],
        fixed: true,
      };
    }
    if (roll >= 52 && roll < 56) {
      // A value split into a low and a high half with fields between them, or an integer
      // with a stored "absent" value; either now and then with both.
      const lo = this.rng.pick(["u8", "u16", "u32"] as const);
      const hi = this.rng.pick(["u8", "u16", "u32"] as const);
      const name = this.fresh("whole", scope);
      const split = this.rng.chance(0.7);
      const bits = split ? Number(lo.slice(1)) + Number(hi.slice(1)) : Number(lo.slice(1));
      const all = (1n << BigInt(bits)) - 1n;
      const none = this.rng.chance(0.5)
        ? `, none: ${this.rng.pick([`"0x${all.toString(16)}"`, "0", "1"])}`
        : "";
      const lines = [`${indent}- { name: ${name}, type: ${lo}${none} }`];
      if (split) {
        for (let i = this.rng.below(3); i > 0; i--)
          lines.push(`${indent}${this.plainField({ taken: scope.taken, ints: [] }, true).line}`);
        lines.push(`${indent}- { name: ${this.fresh("high", scope)}, type: ${hi}, high: ${name} }`);
      }
      if (none === "" && bits <= 32) scope.ints.push({ name, type: bits <= 8 ? "u8" : "u32" });
      return { lines, fixed: true };
    }
    if (roll < 48 && roll >= 44 && !fixedOnly) {
      // A computed size or count, and what it sizes, with a field between them now and then.
      const length = this.fresh("len", scope);
      const target = this.fresh("sized", scope);
      const records = this.known.filter((t) => t.kind === "record");
      const pick = records.length > 0 && this.rng.chance(0.5) ? 0 : 1 + this.rng.below(2);
      const between = this.rng.chance(0.3)
        ? [`${indent}${this.plainField({ taken: scope.taken, ints: [] }, true).line}`]
        : [];
      // Now and then records of any size filling the bytes a computed size gives,
      // records with parameters among them (given as values they are tested for).
      if (this.paramRecords.length > 0 && this.letRng.chance(0.6)) {
        const record = this.letRng.pick(this.paramRecords);
        const args = record.params.map(
          (p) => `${p.name}: ${this.letRng.pick(p.selector.values).value}`,
        );
        return {
          lines: [
            `${indent}- { name: ${length}, type: ${this.rng.pick(["u16", "u32"])}, value: size(${target}) }`,
            ...between,
            `${indent}- { name: ${target}, type: "${record.name}[]", size: ${length}, args: { ${args.join(", ")} } }`,
          ],
          fixed: false,
        };
      }
      if (records.length > 0 && this.letRng.chance(0.5))
        return {
          lines: [
            `${indent}- { name: ${length}, type: ${this.rng.pick(["u8", "u16", "u32"])}, value: size(${target}) }`,
            ...between,
            `${indent}- { name: ${target}, type: "${this.rng.pick(records).name}[]", size: ${length} }`,
          ],
          fixed: false,
        };
      if (pick === 0 && records.length > 0)
        return {
          lines: [
            `${indent}- { name: ${length}, type: ${this.rng.pick(["u8", "u16"])}, value: count(${target}) }`,
            ...between,
            `${indent}- { name: ${target}, type: "${this.rng.pick(records).name}[]", count: ${length} }`,
          ],
          fixed: false,
        };
      const sized =
        pick === 1
          ? `type: text, encoding: ${this.rng.pick(["ascii", "utf8", "utf16le", "utf16be"])}`
          : "type: bytes";
      return {
        lines: [
          `${indent}- { name: ${length}, type: ${this.rng.pick(["u8", "u16", "u32"])}, value: size(${target}) }`,
          ...between,
          `${indent}- { name: ${target}, ${sized}, size: ${length} }`,
        ],
        fixed: false,
      };
    }
    if (roll < 44 && !fixedOnly) {
      const unions = this.known.filter((t) => t.kind === "union");
      if (unions.length > 0)
        return {
          lines: [
            `${indent}- { name: ${this.fresh("list", scope)}, type: "${this.rng.pick(unions).name}[]" }`,
          ],
          fixed: false,
        };
    }
    const field = this.plainField(scope, fixedOnly, true);
    return { lines: [`${indent}${field.line}`], fixed: field.fixed };
  }

  /** A checksum member: binary, or stored as text wide enough for any 32-bit sum. */
  /**
   * A checksum member: stored as text now and then, else binary; a record's
   * own (`inRecord`) may cover only the bytes before it, and with `when` is
   * a checksum only while that condition holds.
   */
  checksum(scope: Scope, inRecord = false, when?: string): string {
    const name = this.fresh("sum", scope);
    if (when === undefined && this.rng.chance(0.3))
      return `- { name: ${name}, type: u32, checksum: byte-sum, text: ${this.rng.pick(["octal", "decimal"])}, size: 12, terminator: "\\0 " }`;
    const algorithm = this.rng.pick([
      "crc32",
      "crc32c",
      "crc32c-raw",
      "ones-complement-sum",
      "byte-sum",
    ]);
    const covers = inRecord && this.rng.chance(0.3) ? ", covers: before" : "";
    const condition =
      when === undefined
        ? ""
        : `, when: ${JSON.stringify(when)}${this.rng.chance(0.5) ? `, keep: ${this.fresh("unused", scope)}` : ""}`;
    return `- { name: ${name}, type: u32, checksum: ${algorithm}${covers}${condition} }`;
  }

  /** Now and then, `keep` on padding: the property its non-zero bytes are kept in. */
  private keep(scope: Scope): string {
    return this.rng.chance(0.4) ? `, keep: ${this.fresh("kept", scope)}` : "";
  }

  /** Now and then, `tail` on a fixed-size string: the property the bytes after its NUL are kept in. */
  private tail(scope: Scope, allowed: boolean): string {
    return allowed && this.rng.chance(0.4) ? `, tail: ${this.fresh("tail", scope)}` : "";
  }

  /** A condition over an earlier integer, or undefined if there is none. */
  private condition(scope: Scope): string | undefined {
    const enums = this.enumFields.get(scope.ints) ?? [];
    if (enums.length > 0 && this.rng.chance(0.7)) {
      // An enum field compared with one of its values' names, either way round.
      const e = this.rng.pick(enums);
      const value = this.rng.pick(e.values);
      const op = this.rng.pick(["==", "!=", ">="]);
      return this.rng.chance(0.5) ? `${e.name} ${op} ${value}` : `${value} ${op} ${e.name}`;
    }
    if (scope.ints.length === 0) return undefined;
    const { name } = this.rng.pick(scope.ints);
    return this.rng.pick([
      `${name} > 100`,
      `${name} != 0`,
      `(${name} & 1) == 1`,
      `${name} <= 50 || ${name} == 200`,
    ]);
  }

  /**
   * A plain field; `tails` allows a kept string tail and both byte orders (a
   * record's unconditional field only).
   */
  private plainField(
    scope: Scope,
    fixedOnly: boolean,
    tails = false,
  ): { line: string; fixed: boolean } {
    const roll = this.rng.below(100);
    const name = this.fresh("f", scope);
    if (roll < 45) {
      const type = this.rng.pick(INTS);
      // Both byte orders only for a record's unconditional field of 16 bits or more.
      const orders = tails && !type.endsWith("8") ? ["big", "little", "both"] : ["big", "little"];
      const endian = this.rng.chance(0.2) ? `, endian: ${this.rng.pick(orders)}` : "";
      if (!type.endsWith("64")) scope.ints.push({ name, type });
      return { line: `- { name: ${name}, type: ${type}${endian} }`, fixed: true };
    }
    if (roll < 55) {
      const enums = this.known.filter((t) => t.kind === "enum");
      if (enums.length > 0) {
        const e = this.rng.pick(enums);
        // Now and then an integer enum allows only some numbers (never one it names).
        const valid =
          e.stringEnum !== true && this.rng.chance(0.3)
            ? `, valid: [{ check: "${name} != ${120 + this.rng.below(8)}", message: reserved }]`
            : "";
        if (e.stringEnum !== true) {
          const list = this.enumFields.get(scope.ints) ?? [];
          list.push({ name, values: e.valueNames ?? [] });
          this.enumFields.set(scope.ints, list);
        }
        return {
          line: `- { name: ${name}, type: ${e.name}${valid}${this.tail(scope, tails && e.stringEnum === true && e.spaced !== true)} }`,
          fixed: true,
        };
      }
    }
    if (roll < 65) {
      const records = this.known.filter((t) => t.kind === "record" && (t.fixed || !fixedOnly));
      if (records.length > 0) {
        const record = this.rng.pick(records);
        return { line: `- { name: ${name}, type: ${record.name} }`, fixed: record.fixed };
      }
    }
    if (roll < 72) {
      // A space-padded string has no NUL, so nothing for a tail to keep.
      const spaced = this.rng.chance(0.3);
      return {
        line: `- { name: ${name}, type: string, size: ${1 + this.rng.below(9)}${spaced ? ", pad: space" : this.tail(scope, tails)} }`,
        fixed: true,
      };
    }
    if (roll < 76)
      return { line: `- { name: ${name}, type: ${this.rng.pick(["uuid", "guid"])} }`, fixed: true };
    if (roll < 82) {
      const encoding = this.rng.pick(["ascii", "utf8", "utf16le", "utf16be"] as const);
      const small = scope.ints.filter((i) => i.type === "u8" || i.type === "u16");
      if (!fixedOnly && small.length > 0 && this.rng.chance(0.4)) {
        const size = this.rng.pick(small).name;
        const even = encoding.startsWith("utf16") ? `(${size} & 0x3e)` : `(${size} & 0x3f)`;
        return {
          line: `- { name: ${name}, type: text, encoding: ${encoding}, size: ${JSON.stringify(even)} }`,
          fixed: false,
        };
      }
      const size = (1 + this.rng.below(8)) * (encoding.startsWith("utf16") ? 2 : 1);
      return {
        line: `- { name: ${name}, type: text, encoding: ${encoding}, size: ${size} }`,
        fixed: true,
      };
    }
    if (roll < 86) {
      const records = this.known.filter((t) => t.kind === "record" && (t.fixed || !fixedOnly));
      const small = scope.ints.filter((i) => i.type === "u8");
      if (records.length > 0) {
        const record = this.rng.pick(records);
        if (!fixedOnly && small.length > 0 && this.rng.chance(0.5))
          return {
            line: `- { name: ${name}, type: "${record.name}[]", count: ${JSON.stringify(`${this.rng.pick(small).name} & 3`)} }`,
            fixed: false,
          };
        return {
          line: `- { name: ${name}, type: "${record.name}[]", count: ${this.rng.below(4)} }`,
          fixed: record.fixed,
        };
      }
    }
    if (roll >= 92 && roll < 96) {
      // A number stored as text, its other spellings kept now and then.
      const type = this.rng.pick(["u8", "u16", "u32", "u64"] as const);
      const base = this.rng.pick(["octal", "decimal", "hex"]);
      const terminator = this.rng.pick(["", ', terminator: "\\0 "', ', terminator: " "', ""]);
      const keep = tails && this.rng.chance(0.5) ? `, keep: ${this.fresh("spelt", scope)}` : "";
      if (type === "u8") scope.ints.push({ name, type });
      return {
        line: `- { name: ${name}, type: ${type}, text: ${base}, size: ${3 + this.rng.below(10)}${terminator}${keep} }`,
        fixed: true,
      };
    }
    if (!fixedOnly && roll < 92) {
      const small = scope.ints.filter((i) => i.type === "u8" || i.type === "u16");
      if (small.length > 0 && this.rng.chance(0.6)) {
        const size = this.rng.pick(small).name;
        return {
          line: `- { name: ${name}, type: bytes, size: ${JSON.stringify(this.rng.pick([size, `${size} % 7`, `${size} & 3`]))} }`,
          fixed: false,
        };
      }
      return {
        line: `- { name: ${name}, type: bytes, prefix: ${this.rng.pick(["u8", "u16", "u32"])} }`,
        fixed: false,
      };
    }
    const type = this.rng.pick(["u8", "i16", "u32"] as const);
    scope.ints.push({ name, type });
    return { line: `- { name: ${name}, type: ${type} }`, fixed: true };
  }

  /**
   * Now and then a let over earlier integers, most often a choice; later
   * members may use it as an integer (one of at most 255 as a u8, which
   * sizes and counts take). Now and then a bigint let over a 64-bit field
   * drawn with it, which a conditional field after it tests.
   */
  private letMember(scope: Scope, fixedOnly: boolean): { lines: string[]; fixed: boolean } {
    const rng = this.letRng;
    const none = { lines: [], fixed: true };
    if (!rng.chance(0.15)) return none;
    const indent = "      ";
    const name = this.fresh("let", scope);
    if (!fixedOnly && rng.chance(0.25)) {
      const wide = this.fresh("wide", scope);
      const value = rng.pick([
        `${wide} > 1000 ? ${wide} - 1000 : ${wide} & 255`,
        `${wide} / 3`,
        `${wide} == 0 ? 7 : ${wide}`,
      ]);
      return {
        lines: [
          `${indent}- { name: ${wide}, type: ${rng.pick(["u64", "i64"])} }`,
          `${indent}- { let: ${name}, value: ${JSON.stringify(value)} }`,
          `${indent}- { name: ${this.fresh("f", scope)}, type: u8, if: ${JSON.stringify(`${name} > 5`)} }`,
        ],
        fixed: false,
      };
    }
    const narrow = scope.ints.filter((i) => !i.type.endsWith("64"));
    if (narrow.length === 0) return none;
    const a = rng.pick(narrow);
    const b = rng.pick(narrow);
    const bytes = a.type === "u8" && b.type === "u8";
    const value = rng.pick(
      bytes
        ? [
            `${a.name} > ${b.name} ? ${a.name} - ${b.name} : ${b.name} - ${a.name}`,
            `(${a.name} & 15) + 1`,
            `${a.name} != 0 ? ${a.name} % 7 : ${b.name} / 2`,
          ]
        : [`${a.name} > 100 ? 1 : ${b.name} < 0 ? 2 : 3`, `(${a.name} & 15) + (${b.name} & 7)`],
    );
    // Each of these is from 0 to 255.
    scope.ints.push({ name, type: "u8" });
    return { lines: [`${indent}- { let: ${name}, value: ${JSON.stringify(value)} }`], fixed: true };
  }

  // Run-time layouts: byte_order, switch, record params with args, array stride.

  /**
   * Now and then (at most three times a record) a run-time layout member:
   * a byte order chosen by a field or parameter, a switch of layouts, a
   * field of a record with parameters, or a counted array with a stride.
   */
  private runTimeLayout(
    scope: Scope,
    fixedOnly: boolean,
    state: LayoutState,
  ): { lines: string[]; fixed: boolean } | undefined {
    if (state.drawn >= 3) return undefined;
    const rng = this.layoutRng;
    const roll = rng.below(100);
    let drawn: { lines: string[]; fixed: boolean } | undefined;
    if (roll < 9 && !state.byteOrder) {
      const { lines, selector } = this.selectorFor(scope, state);
      const [little, big] = shuffle(rng, [...selector.values]);
      state.byteOrder = true;
      drawn = {
        lines: [
          ...lines,
          `      - { byte_order: ${selector.name}, little: ${little!.text}, big: ${big!.text} }`,
        ],
        fixed: true,
      };
    } else if (roll < 18 && !fixedOnly) {
      const { lines, selector } = this.selectorFor(scope, state);
      drawn = { lines: [...lines, ...this.switchMember(scope, selector)], fixed: false };
    } else if (roll < 26 && !fixedOnly && !state.params && this.paramRecords.length > 0) {
      drawn = { lines: this.paramField(scope), fixed: false };
    } else if (roll < 30 && !fixedOnly && !state.params) {
      // (Not in a record with parameters: its own strides leave room for it.)
      const records = this.known.filter((t) => t.kind === "record");
      if (records.length > 0) {
        const record = rng.pick(records);
        const count = this.countOf(scope);
        drawn = {
          lines: [
            `      - { name: ${this.fresh("strided", scope)}, type: "${record.name}[]", count: ${count}, stride: ${this.strideOf(scope, record.fixed)} }`,
          ],
          fixed: false,
        };
      }
    }
    if (drawn !== undefined) state.drawn++;
    return drawn;
  }

  /**
   * A switch on a field its cases hold at the same offset, read ahead: in
   * each case fixed-size members of the same total size before it, the
   * selector (one integer type), then fields of the case's own.
   */
  private aheadSwitch(scope: Scope, rng: Rng): string[] {
    const selector = this.fresh("ahead", scope);
    const type = rng.pick(["u8", "u16", "i16", "u32"]);
    const before = rng.below(5);
    const whens = new Set<number>();
    for (let n = 1 + rng.below(3); whens.size < n;) whens.add(rng.pick([1, 2, 15, 64, 100]));
    const cases: (number | undefined)[] = [...whens];
    if (rng.chance(0.5)) cases.splice(rng.below(cases.length + 1), 0, undefined);
    const lines = [`      - switch: ${selector}`, "        cases:"];
    for (const when of cases) {
      lines.push(when === undefined ? "          - default: true" : `          - when: ${when}`);
      lines.push("            fields:");
      // Fixed-size members filling the bytes before the selector.
      for (let left = before; left > 0;) {
        const size = 1 + rng.below(left);
        const kind = rng.below(4);
        lines.push(
          kind === 0 && size <= 2
            ? `              - { name: ${this.fresh("pre", scope)}, type: u${size * 8} }`
            : kind === 1
              ? `              - { padding: ${size} }`
              : kind === 2
                ? `              - { name: ${this.fresh("pre", scope)}, type: string, size: ${size} }`
                : `              - { name: ${this.fresh("pre", scope)}, type: bytes, size: ${size} }`,
        );
        left -= size;
      }
      lines.push(`              - { name: ${selector}, type: ${type} }`);
      for (let i = rng.below(3); i > 0; i--)
        lines.push(
          `              - { name: ${this.fresh("post", scope)}, type: ${rng.pick(["u8", "u32", "i64", "string, size: 2", "bytes, size: 3"])} }`,
        );
    }
    if (type !== "u32") scope.ints.push({ name: selector, type: type as IntName });
    return lines;
  }

  /**
   * What a byte order or switch tests: a parameter of the record or a
   * selector drawn before now and then, else a new field (an integer, or an
   * integer enum of two values or more), whose lines come first.
   */
  private selectorFor(scope: Scope, state: LayoutState): { lines: string[]; selector: Selector } {
    const rng = this.layoutRng;
    if (state.selectors.length > 0 && rng.chance(state.params ? 0.7 : 0.3))
      return { lines: [], selector: rng.pick(state.selectors) };
    const { line, selector } = this.selectorField(
      scope,
      this.rng.pick(["u8", "u16", "u32", "i16"]),
    );
    state.selectors.push(selector);
    return { lines: [`      ${line}`], selector };
  }

  /** A field of an integer type (or, half the time, an integer enum) that a selector tests. */
  private selectorField(scope: Scope, int: string): { line: string; selector: Selector } {
    const rng = this.layoutRng;
    const name = this.fresh("sel", scope);
    const { type, selector } = this.selectorType(name, int);
    if (INTS.includes(type as IntName)) scope.ints.push({ name, type: type as IntName });
    return {
      line: `- { name: ${name}, type: ${type}${rng.chance(0.1) ? ", endian: big" : ""} }`,
      selector,
    };
  }

  /** A type a selector named `name` has, and the values it is tested for. */
  private selectorType(name: string, int: string): { type: string; selector: Selector } {
    const rng = this.layoutRng;
    const enums = this.known.filter((t) => (t.values?.length ?? 0) >= 2);
    if (enums.length > 0 && rng.chance(0.5)) {
      const e = rng.pick(enums);
      const values = e.values!.map((v) => ({
        // A case may give the number as well as the name.
        text: rng.chance(0.8) ? v.name : String(v.value),
        value: v.value,
      }));
      return { type: e.name, selector: { name, values } };
    }
    const values = new Set<number>();
    for (let n = 2 + rng.below(3); values.size < n;)
      values.add(rng.pick([0, 1, 2, 3, 7, 64, 100, 127]));
    return {
      type: int,
      selector: { name, values: [...values].map((v) => ({ text: String(v), value: v })) },
    };
  }

  /**
   * A switch over `selector`'s values: every case the same fields (unsigned
   * or signed integers of any width, or one enum), in its own order now and
   * then, with fixed padding, fields of its own and a default case now and
   * then. Fields every case has and none stores in 64 bits may be used after it.
   */
  private switchMember(scope: Scope, selector: Selector): string[] {
    const rng = this.layoutRng;
    const enums = this.known.filter((t) => t.kind === "enum" && t.stringEnum !== true);
    const fields = Array.from({ length: 1 + rng.below(4) }, () => {
      const roll = rng.below(100);
      const family: string[] =
        roll < 70
          ? ["u8", "u16", "u32", "u64"]
          : roll < 85 || enums.length === 0
            ? ["i8", "i16", "i32", "i64"]
            : [rng.pick(enums).name];
      return { name: this.fresh("alt", scope), family, types: [] as string[] };
    });
    // Always a case for the first value, which a byte order on the selector accepts too.
    const cases: { text: string | undefined }[] = shuffle(
      rng,
      selector.values.slice(0, 1 + rng.below(selector.values.length)),
    );
    // Now and then a default case, for the values no other case is for.
    if (cases.length < selector.values.length && rng.chance(0.3))
      cases.splice(rng.below(cases.length + 1), 0, { text: undefined });
    // Now and then fields of a case's own: integers, strings or bytes, some
    // in two cases (with one type), where they are properties present with
    // their cases.
    const own = rng.chance(0.4)
      ? Array.from({ length: 1 + rng.below(3) }, () => ({
          name: this.fresh("own", scope),
          type: rng.pick([
            "u8",
            "u16",
            "i32",
            "u64",
            "string, size: 3",
            "bytes, size: 2",
            "string, size: 4, pad: space",
          ]),
        }))
      : [];
    // Now and then a let every case gives, from a field of its own or a literal, which later members may use.
    const caseLet = this.letRng.chance(0.3) ? this.fresh("clet", scope) : undefined;
    // Now and then a flags word every case has, naming the same bits (below 8, so any width
    // holds them), flattened or nested, of its own width in each case.
    const word = this.letRng.chance(0.25) ? this.caseFlagsWord(scope) : undefined;
    const lines = [`      - switch: ${selector.name}`, "        cases:"];
    // Each case's lines, and the fields a let in it may use, its line added once every case is drawn.
    const drawn: { lines: string[]; narrow: string[] }[] = [];
    for (const c of cases) {
      const narrow: string[] = [];
      const caseLines: string[] = [];
      drawn.push({ lines: caseLines, narrow });
      caseLines.push(
        c.text === undefined ? "          - default: true" : `          - when: ${c.text}`,
        "            fields:",
      );
      const order = rng.chance(0.5) ? shuffle(rng, [...fields]) : fields;
      const entries = order.map((f) => {
        const type = rng.pick(f.family.filter((t) => !t.endsWith("64") || rng.chance(0.3)));
        f.types.push(type);
        if (INTS.includes(type as IntName) && !type.endsWith("64")) narrow.push(f.name);
        // Now and then both byte orders, for integers of 16 bits or more.
        const both =
          INTS.includes(type as IntName) && !type.endsWith("8") && this.letRng.chance(0.1);
        const endian = both
          ? ", endian: both"
          : rng.chance(0.1)
            ? `, endian: ${rng.pick(["big", "little"])}`
            : "";
        return `              - { name: ${f.name}, type: ${type}${endian} }`;
      });
      if (rng.chance(0.3))
        entries.splice(
          rng.below(entries.length + 1),
          0,
          `              - { padding: ${1 + rng.below(4)} }`,
        );
      if (word !== undefined) {
        const type = this.letRng.pick(["u8", "u16", "u32", "u64"]);
        entries.splice(
          this.letRng.below(entries.length + 1),
          0,
          `              - { name: ${word.name}, type: ${type}, ${word.rest} }`,
        );
      }
      for (const f of own)
        if (rng.chance(0.5))
          entries.splice(
            rng.below(entries.length + 1),
            0,
            `              - { name: ${f.name}, type: ${f.type} }`,
          );
      caseLines.push(...entries);
    }
    // A field another case stores in 64 bits is a bigint in the value: a case's let does not use it.
    const wide = new Set(
      fields.filter((f) => f.types.some((t) => t.endsWith("64"))).map((f) => f.name),
    );
    for (const d of drawn) {
      if (caseLet !== undefined) {
        const narrow = d.narrow.filter((n) => !wide.has(n));
        // Each is from 0 to 255.
        const value =
          narrow.length > 0 && this.letRng.chance(0.6)
            ? `${this.letRng.pick(narrow)} & 255`
            : String(this.letRng.below(256));
        d.lines.push(`              - { let: ${caseLet}, value: ${JSON.stringify(value)} }`);
      }
      lines.push(...d.lines);
    }
    if (caseLet !== undefined) scope.ints.push({ name: caseLet, type: "u8" });
    for (const f of fields) {
      const widest = f.types.reduce((a, b) => (Number(b.slice(1)) > Number(a.slice(1)) ? b : a));
      if (f.family[0] === "u8" && widest !== "u64")
        scope.ints.push({ name: f.name, type: widest as IntName });
    }
    return lines;
  }

  /** A flags word for a switch's cases: its name, and the rest of its line (bits, unknown, nesting). */
  private caseFlagsWord(scope: Scope): { name: string; rest: string } {
    const rng = this.letRng;
    const name = this.fresh("cflags", scope);
    const nested = rng.chance(0.5);
    const bits = shuffle(rng, [0, 1, 2, 3, 4, 5, 6, 7]).slice(0, 1 + rng.below(3));
    const named = bits.map((bit, i) => {
      const bitName = nested ? `b${i}` : this.fresh("cbit", scope);
      return `{ bit: ${bit}, name: ${bitName} }`;
    });
    const unknown = nested ? "rest" : this.fresh("crest", scope);
    return {
      name,
      rest: `flags: [${named.join(", ")}], unknown: ${unknown}${nested ? ", nested: true" : ""}`,
    };
  }

  /**
   * A field of a record with parameters, the arguments fields drawn just
   * before it (of the parameter's type), values it is tested for, or earlier
   * integers; alone, or as a counted array with (or where its size is not
   * fixed, always with) a stride.
   */
  private paramField(scope: Scope): string[] {
    const rng = this.layoutRng;
    const record = rng.pick(this.paramRecords);
    const lines: string[] = [];
    const args = record.params.map((p) => {
      const roll = rng.below(100);
      if (roll < 25) return `${p.name}: ${rng.pick(p.selector.values).value}`;
      if (roll < 40 && scope.ints.some((i) => !i.type.endsWith("64")))
        return `${p.name}: ${rng.pick(scope.ints.filter((i) => !i.type.endsWith("64"))).name}`;
      const name = this.fresh("arg", scope);
      lines.push(`      - { name: ${name}, type: ${p.type} }`);
      if (INTS.includes(p.type as IntName)) scope.ints.push({ name, type: p.type as IntName });
      return `${p.name}: ${name}`;
    });
    const given = `args: { ${args.join(", ")} }`;
    const name = this.fresh("with", scope);
    if (rng.chance(0.4)) lines.push(`      - { name: ${name}, type: ${record.name}, ${given} }`);
    else {
      const stride =
        !record.fixed || rng.chance(0.5) ? `, stride: ${this.strideOf(scope, false)}` : "";
      lines.push(
        `      - { name: ${name}, type: "${record.name}[]", count: ${this.countOf(scope)}${stride}, ${given} }`,
      );
    }
    return lines;
  }

  /** A record type with one or two parameters (integers or integer enums), which its members test. */
  paramRecordType(name: string): void {
    const rng = this.layoutRng;
    const params = Array.from({ length: 1 + rng.below(2) }, (_, i) => {
      const pname = `p${i}`;
      const { type, selector } = this.selectorType(pname, rng.pick(["u8", "u16", "u32"]));
      return { name: pname, type, selector };
    });
    this.recordType(name, rng.chance(0.3), undefined, false, params);
    // A switch over a parameter makes the record's size depend on it.
    const drawn = this.paramRecords[this.paramRecords.length - 1]!;
    if (this.types[this.types.length - 1]!.includes("- switch: ")) drawn.fixed = false;
  }

  /** An entry count: a few, or an earlier byte's low bits. */
  private countOf(scope: Scope): string {
    const small = scope.ints.filter((i) => i.type === "u8");
    return small.length > 0 && this.layoutRng.chance(0.5)
      ? JSON.stringify(`${this.layoutRng.pick(small).name} & 3`)
      : String(this.layoutRng.below(4));
  }

  /** A stride: a number of bytes, or an earlier byte or 16-bit field, now and then plus some. */
  private strideOf(scope: Scope, fixed: boolean): string {
    // A record whose size varies gets room to vary in.
    if (!fixed) return String(this.layoutRng.pick([1024, 2048]));
    // Not a selector or a let: the few values they mostly take would rarely leave room.
    const small = scope.ints.filter(
      (i) => (i.type === "u8" || i.type === "u16") && !/^(sel|arg|let)\d/.test(i.name),
    );
    if (small.length === 0 || this.layoutRng.chance(0.5))
      return String(this.layoutRng.pick([64, 100, 255, 1024]));
    const field = this.layoutRng.pick(small).name;
    return this.layoutRng.chance(0.5)
      ? field
      : JSON.stringify(`${field} + ${64 + this.layoutRng.below(64)}`);
  }

  /**
   * After a `byte_order` member, flags words, constants, checksums and bit
   * fields of 1, 2 or 4 bytes keep the chosen order half of the time; other
   * bit fields (read in halves or joined from bytes) a third of the time.
   */
  private ownEndians(members: string[]): void {
    const from = members.findIndex((m) => m.includes("byte_order: "));
    if (from < 0) return;
    for (let i = from + 1; i < members.length; i++) {
      const m = members[i]!;
      // Now and then a bit field drawn with an endian of its own takes the chosen order instead.
      if (/\bbitfield: /.test(m) && /endian: (big|little)/.test(m) && this.aheadRng?.chance(0.5)) {
        members[i] = m.replace(/, endian: (big|little)/, "");
        continue;
      }
      if (m.includes("endian: ")) continue;
      // (Other words drawn apart, so the schemas drawn before stay what they were.)
      const fixed =
        /\bbitfield: /.test(m) &&
        !/type: u(8|16|32)\b/.test(m) &&
        this.aheadRng?.chance(0.33) !== true;
      if (fixed || (/\b(checksum|const|flags|bitfield): /.test(m) && this.layoutRng.chance(0.5)))
        members[i] = m.replace(
          /type: (\w+)/,
          `type: $1, endian: ${this.layoutRng.pick(["big", "little"])}`,
        );
    }
  }
}

/**
 * The draw cannot tell a record's size, so a stride given as a number may
 * be less than it, which the checker refuses: such strides become the
 * record's size plus a few bytes (the same for the same text).
 */
function roomyStrides(name: string, text: string): string {
  const result = modelOf(name, text);
  if (result.ok) return text;
  const lines = text.split("\n");
  for (const p of result.problems) {
    const m = /a stride of (\d+) bytes is less than the (\d+) bytes/.exec(p.message);
    if (m === null) continue;
    lines[p.line - 1] = lines[p.line - 1]!.replace(
      `stride: ${m[1]}`,
      `stride: ${Number(m[2]) + (Number(m[1]) % 8)}`,
    );
  }
  return lines.join("\n");
}

/** `xs` in a random order. */
function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** A random valid schema; the same seed gives the same text. */
export function randomSchema(seed: number): { name: string; text: string } {
  const rng = new Rng(seed);
  const draw = new SchemaDraw(rng, new Rng(seed * 31 + 17), new Rng(seed * 13 + 5));
  draw.aheadRng = new Rng(seed * 17 + 11);
  for (let i = 0, n = rng.below(3); i < n; i++) draw.enumType();
  for (let i = 0, n = rng.below(3); i < n; i++) draw.recordType(`R${i}`, true);
  if (draw.layoutRng.chance(0.4)) draw.paramRecordType("P0");
  for (let i = 0, n = rng.below(2); i < n; i++) draw.recordType(`V${i}`, false);
  if (rng.chance(0.5)) draw.unionType();
  // Entries up to a run of zeros: each starts with a non-zero magic, so none reads as the end.
  const terminated = rng.chance(0.25);
  if (terminated) draw.terminatedEntry("Z");
  // Now and then entries packed in blocks (drawn apart, so the other schemas stay as they were).
  const blockRng = new Rng(seed * 11 + 9);
  const blocked = blockRng.chance(0.15)
    ? [
        "      - { name: klen, type: u8 }",
        ...(blockRng.chance(0.3) ? ["      - { name: kblock, type: u8 }"] : []),
      ]
    : undefined;
  if (blocked !== undefined) {
    const block = blocked.length > 1 ? "kblock" : String(blockRng.pick([8, 16, 64, 256]));
    blocked.push(`      - { name: kept, type: "K[]", size: klen, block: ${block} }`);
  }
  draw.recordType(
    "Root",
    false,
    terminated ? `Z[]` : undefined,
    rng.chance(0.2),
    undefined,
    blocked,
  );
  // A separate generator, so the schemas drawn before stay what they were.
  draw.endAtInput(new Rng(seed * 7 + 3));
  if (blocked !== undefined) draw.blockEntry("K", blockRng);
  const format = `random${seed}`;
  const drawn = [
    `format: ${format}`,
    `endian: ${rng.pick(["big", "little"])}`,
    "root: Root",
    "types:",
    ...draw.types,
    "",
  ].join("\n");
  const name = `random/${format}.yaml`;
  return { name, text: roomyStrides(name, drawn) };
}
