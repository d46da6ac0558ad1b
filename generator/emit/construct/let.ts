/**
 * Lets (`let: cluster_count`, `value: EXPR`): a value worked out from
 * earlier fields, neither stored nor a property. `read` works it out once,
 * into a local, where it stands among the members; `write` and `sizeof`
 * have the whole value, so there a use of the let is its expression over
 * the value's fields, worked out the same way.
 */
import { exprText, type Expr } from "../../expr.js";
import { caseLets, type LetMember, type Member, type SwitchMember } from "../../model.js";
import { emitExpr, type ExprRef, type Resolve } from "../expr.js";
import type { Code, Locals } from "../code.js";
import type { SequenceReader } from "../read.js";

/** Keys of model objects that lead to other types or to locations, not to the record's expressions. */
const ELSEWHERE = new Set(["record", "element", "union", "enum", "loc"]);

/** Does any expression under `node` name `name`? */
function mentions(node: unknown, name: string): boolean {
  if (typeof node !== "object" || node === null) return false;
  if (Array.isArray(node)) return node.some((x) => mentions(x, name));
  const o = node as Record<string, unknown>;
  if (o.kind === "ref" && o.name === name) return true;
  return Object.entries(o).some(([key, value]) => !ELSEWHERE.has(key) && mentions(value, name));
}

/**
 * Is the let used: by a member's expression, or by a later let that is? A
 * let nothing uses is not worked out by `read` (its local would be unused).
 */
function isUsed(m: LetMember, members: readonly Member[]): boolean {
  return usedBy(m.name, members.slice(members.indexOf(m) + 1), members);
}

/** Do `after` (later members of `members`) use `name`, counting lets only where they are used? */
function usedBy(name: string, after: readonly Member[], members: readonly Member[]): boolean {
  return after.some((x) => {
    if (x.kind === "let") return mentions(x.value, name) && isUsed(x, members);
    if (x.kind !== "switch") return mentions(x, name);
    const own = new Set(caseLets(x).map((l) => l.name));
    return (
      x.cases.some((k) =>
        k.members.some((y) =>
          y.kind === "let" && own.has(y.name)
            ? mentions(y.value, name) && isCaseLetUsed(x, y.name, members)
            : mentions(y, name),
        ),
      ) || mentions(x.on, name)
    );
  });
}

/**
 * Is a let the cases of `sw` give used: by a later member of its case, or
 * after the switch? One nothing uses is not worked out.
 */
export function isCaseLetUsed(sw: SwitchMember, name: string, members: readonly Member[]): boolean {
  if (usedBy(name, members.slice(members.indexOf(sw) + 1), members)) return true;
  return sw.cases.some((k) => {
    const at = k.members.findIndex((x) => x.kind === "let" && x.name === name);
    return k.members.slice(at + 1).some((y) => mentions(y, name));
  });
}

/**
 * A let that is a literal (`let: block, value: 512`) would be typed as
 * that literal, which TypeScript refuses to compare with another one
 * (`block == 1024`), so its type is given. (A choice of literals is widened
 * where it is emitted.)
 */
function literalTyped(e: Expr): boolean {
  return e.kind === "num";
}

/** Reads a let: its expression over the locals read so far, into a local of its own. */
export function readLet(r: SequenceReader, m: LetMember, members: readonly Member[]): void {
  if (r.caseLets.has(m.name)) {
    // A case's value of its switch's let, into the local declared before the switch.
    const local = r.locals.field(m.name);
    r.refuseZeroDivisions([m.value], r.prefix + m.name, r.cursor.at());
    r.code.line(`${local} = ${emitExpr(m.value, r.resolve)};`);
    r.lets.set(m.name, { code: local, bigint: m.bigint, derived: true });
    return;
  }
  // Traced, it is shown with the members, so it is worked out even when unused.
  if (!r.trace && !isUsed(m, members)) return;
  const local = r.locals.field(m.name);
  const type = literalTyped(m.value) ? `: ${m.bigint ? "bigint" : "number"}` : "";
  r.refuseZeroDivisions([m.value], r.prefix + m.name, r.cursor.at());
  r.code.line(`const ${local}${type} = ${emitExpr(m.value, r.resolve)};`);
  r.lets.set(m.name, { code: local, bigint: m.bigint, derived: true });
}

/** A use of the let where the whole value is at hand (write, sizeof): its expression, inline. */
export function letRef(m: LetMember, resolve: Resolve): ExprRef {
  const code = emitExpr(m.value, resolve);
  return {
    code: literalTyped(m.value) ? `(${code} as ${m.bigint ? "bigint" : "number"})` : `(${code})`,
    bigint: m.bigint,
    derived: true,
  };
}

/** What a let holds, for the layout page and `layout` traces. */
export function letMeaning(m: LetMember): string {
  return `${m.bigint ? "bigint" : "number"}, not stored: \`${exprText(m.value)}\``;
}

/**
 * The lets of a record in its check function (write's first step). Checks
 * of a member's own value come first, then those over several members, in
 * order: a let is worked out into a local where the second pass reaches
 * it, and the checks after that use the local; before then (a later
 * member's own check, such as a record's `args`) a use is its expression,
 * inline. A local nothing ends up using is dropped.
 */
export class CheckLets {
  /** Lets met but not yet worked out. */
  private readonly pending = new Map<string, LetMember>();
  private readonly worked = new Map<
    string,
    { local: string; lines: string[]; used: boolean; usedBy: Set<string>; bigint: boolean }
  >();
  /** The let being worked out, whose expression may use earlier ones. */
  private working: string | undefined;

  constructor(
    private readonly code: Code,
    private readonly locals: Locals,
  ) {}

  /** A let met but not yet worked out, if `name` is one. */
  pendingLet(name: string): LetMember | undefined {
    return this.pending.get(name);
  }

  meet(m: LetMember): void {
    this.pending.set(m.name, m);
  }

  workOut(m: LetMember, resolve: Resolve): void {
    const local = this.locals.fresh(m.name);
    this.working = m.name;
    const type = literalTyped(m.value) ? `: ${m.bigint ? "bigint" : "number"}` : "";
    const line = `const ${local}${type} = ${emitExpr(m.value, resolve)};`;
    this.working = undefined;
    this.code.line(line);
    this.pending.delete(m.name);
    this.hold(m, local, line);
  }

  /** Records the local a let is worked out into, with the line declaring it. */
  private hold(m: LetMember, local: string, line: string): void {
    this.worked.set(m.name, {
      local,
      lines: [line],
      used: false,
      usedBy: new Set(),
      bigint: m.bigint,
    });
  }

  /**
   * A let a switch's cases give: its local is declared here, before the
   * switch, and each case assigns it ({@link assignCaseLet}) once its own
   * fields are checked.
   */
  declareCaseLet(m: LetMember): void {
    const local = this.locals.fresh(m.name);
    const line = `let ${local}: ${m.bigint ? "bigint" : "number"};`;
    this.code.line(line);
    this.hold(m, local, line);
  }

  assignCaseLet(m: LetMember, resolve: Resolve): void {
    const done = this.worked.get(m.name)!;
    this.working = m.name;
    const line = `${done.local} = ${emitExpr(m.value, resolve)};`;
    this.working = undefined;
    this.code.line(line);
    done.lines.push(line);
  }

  /** Is `name` a let whose local is there already? */
  has(name: string): boolean {
    return this.worked.has(name);
  }

  /** A use of a let, if `name` is one. */
  ref(name: string, resolve: Resolve): ExprRef | undefined {
    const done = this.worked.get(name);
    if (done !== undefined) {
      // Who reads the code uses the local: the let being worked out, or a check.
      const note = (): void => {
        if (this.working === undefined) done.used = true;
        else done.usedBy.add(this.working);
      };
      return {
        get code(): string {
          note();
          return done.local;
        },
        bigint: done.bigint,
        derived: true,
      };
    }
    const m = this.pending.get(name);
    return m === undefined ? undefined : letRef(m, resolve);
  }

  /** Drops the locals no check uses (nor a let a check uses). */
  dropUnused(): void {
    const kept = new Set<string>();
    for (const [name, l] of [...this.worked].reverse()) {
      if (l.used || [...l.usedBy].some((u) => kept.has(u))) kept.add(name);
      else for (const line of l.lines) this.code.lines.splice(this.code.lines.indexOf(line), 1);
    }
  }
}
