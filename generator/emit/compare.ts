/**
 * Emit `compare`: a total order on values, consistent with structural
 * equality (0 exactly when two values are equal field by field), and the
 * order OCaml's polymorphic `compare` gives the OCaml type a value mirrors.
 * Fields compare in schema order; absent sorts before present, false before
 * true, integers by value, byte strings bytewise (a prefix first), lists
 * element-wise (a prefix first). Enum values and union variants sort by
 * constructor rank (generator/order.ts): constructors without arguments
 * (named enum values, field-less variants) first, then those with (an open
 * enum's unknown values, variants with fields), each group in schema order
 * or by OCaml's hash of the name as the type's `order` says; values of one
 * constructor then compare by their arguments.
 */
import { VariableDeclarationKind } from "ts-morph";
import type { ModuleFile } from "./module-file.js";
import type { EnumDef, FieldType, Member, Model, UnionDef } from "../model.js";
import { flagsGroup, isNestedFlags, isOptionalField, unionKinds, valueMembers } from "../model.js";
import { constructorRanks } from "../order.js";
import { Code, prop, str } from "./code.js";
import { compareKeptPadding, hasPaddingProperty } from "./construct/union-padding.js";

export function emitCompare(model: Model, file: ModuleFile): void {
  file.addFunction({
    name: "compare",
    isExported: true,
    docs: [
      `A total order on {@link ${model.root.name}} values: negative, zero or positive as \`a\` sorts before, equal to or after \`b\`. Zero exactly when the values are structurally equal.`,
    ],
    parameters: [
      { name: "a", type: model.root.name },
      { name: "b", type: model.root.name },
    ],
    returnType: "number",
    statements: `return compare${model.root.name}(a, b);`,
  });
  file.addFunction({
    name: "equal",
    isExported: true,
    docs: ["Structural equality: `compare(a, b) === 0`."],
    parameters: [
      { name: "a", type: model.root.name },
      { name: "b", type: model.root.name },
    ],
    returnType: "boolean",
    statements: `return compare${model.root.name}(a, b) === 0;`,
  });
  for (const def of model.types) {
    if (def.kind === "enum") emitCompareEnum(def, file);
    if (def.kind === "record") emitCompareMembers(file, def.name, def.members, true);
    if (def.kind === "union") emitCompareUnion(def, file);
  }
  for (const group of groups(model.types)) emitCompareMembers(file, group.typeName, group.members);
}

function groups(types: Model["types"]): Extract<Member, { kind: "group" }>[] {
  const found: Extract<Member, { kind: "group" }>[] = [];
  const visit = (members: readonly Member[]): void => {
    for (const m of valueMembers(members)) {
      if (m.kind === "group") {
        found.push(m);
        visit(m.members);
      }
      // A nested flags word's object compares like a group of its bits.
      if (isNestedFlags(m)) found.push(flagsGroup(m));
    }
  };
  for (const def of types) if (def.kind === "record") visit(def.members);
  return found;
}

/** Code comparing `a` and `b` of type `t`, as a number expression. */
function compareValues(t: FieldType, a: string, b: string): string {
  switch (t.kind) {
    case "int":
    case "textInt":
    case "bytes":
    case "fixedString":
    case "uuid":
    case "text":
      return `compareScalars(${a}, ${b})`;
    case "enum":
      return `compare${t.enum.name}(${a}, ${b})`;
    case "record":
      return `compare${t.record.name}(${a}, ${b})`;
    case "array":
      return `compareLists(${a}, ${b}, compare${t.element.name})`;
    case "list":
      return `compareLists(${a}, ${b}, compare${t.union.name})`;
  }
}

function emitCompareMembers(
  file: ModuleFile,
  name: string,
  members: readonly Member[],
  exported = false,
): void {
  const code = new Code();
  let first = true;
  const step = (expr: string): void => {
    code.line(first ? `let c = ${expr};` : `c = ${expr};`);
    code.line("if (c !== 0) return c;");
    first = false;
  };
  for (const m of valueMembers(members)) {
    switch (m.kind) {
      case "value": {
        const [a, b] = [prop("a", m.name), prop("b", m.name)];
        step(
          !isOptionalField(m)
            ? compareValues(m.type, a, b)
            : `compareOptions(${a}, ${b}, (x, y) => ${compareValues(m.type, "x", "y")})`,
        );
        if (m.tail !== undefined) step(compareKept(m.tail));
        break;
      }
      case "bitfield":
        for (const p of m.parts) step(`compareScalars(${prop("a", p.name)}, ${prop("b", p.name)})`);
        break;
      case "padding":
      case "checksum":
        if (m.keep !== undefined) step(compareKept(m.keep));
        if (m.kind === "padding" && m.rest !== undefined)
          step(`compareScalars(${prop("a", m.rest)}, ${prop("b", m.rest)})`);
        break;
      case "flags":
        if (isNestedFlags(m)) {
          const [a, b] = [prop("a", m.name), prop("b", m.name)];
          const type = m.nested.typeName;
          step(
            m.cond === undefined
              ? `compare${type}(${a}, ${b})`
              : `compareOptions(${a}, ${b}, compare${type})`,
          );
          break;
        }
        for (const f of m.flags) step(`compareScalars(${prop("a", f.name)}, ${prop("b", f.name)})`);
        step(`compareScalars(${prop("a", m.unknown)}, ${prop("b", m.unknown)})`);
        break;
      case "group": {
        const [a, b] = [prop("a", m.name), prop("b", m.name)];
        step(
          m.cond === undefined
            ? `compare${m.typeName}(${a}, ${b})`
            : `compareOptions(${a}, ${b}, compare${m.typeName})`,
        );
        break;
      }
      default:
        break;
    }
  }
  code.line("return 0;");
  // A record with nothing but constants and padding has one value.
  const [a, b] = first ? ["_a", "_b"] : ["a", "b"];
  file.addFunction({
    name: `compare${name}`,
    isExported: exported,
    docs: exported
      ? [`A total order on {@link ${name}} values, as {@link compare} is on the root.`]
      : [],
    parameters: [
      { name: a, type: name },
      { name: b, type: name },
    ],
    returnType: "number",
    statements: code.text(),
  });
  if (exported)
    file.addFunction({
      name: `equal${name}`,
      isExported: true,
      docs: [`Structural equality of {@link ${name}} values.`],
      parameters: [
        { name: "a", type: name },
        { name: "b", type: name },
      ],
      returnType: "boolean",
      statements: `return compare${name}(a, b) === 0;`,
    });
}

/** Kept bytes (a padding's, a string's tail) compare as optional byte strings, absent first. */
function compareKept(name: string): string {
  return `compareOptions(${prop("a", name)}, ${prop("b", name)}, compareScalars)`;
}

/** How a type's `order` reads in a doc comment. */
function orderText(order: EnumDef["order"]): string {
  return order === "hash" ? "by OCaml's hash of the name" : "in schema order";
}

function emitCompareEnum(def: EnumDef, file: ModuleFile): void {
  const code = new Code();
  if (def.open) {
    // Unknown values share the last rank, and then order by their stored value.
    code.line(`const ra = rank${def.name}(a);`);
    code.line(`const rb = rank${def.name}(b);`);
    code.line("if (ra !== rb) return ra - rb;");
    code.line(
      'return typeof a === "object" && typeof b === "object" ? compareScalars(a.unknown, b.unknown) : 0;',
    );
  } else {
    code.line(`return rank${def.name}(a) - rank${def.name}(b);`);
  }
  file.addFunction({
    name: `compare${def.name}`,
    isExported: true,
    docs: [`The order {@link compare} puts ${def.name} values in (see {@link rank${def.name}}).`],
    parameters: [
      { name: "a", type: def.name },
      { name: "b", type: def.name },
    ],
    returnType: "number",
    statements: code.text(),
  });
  file.addFunction({
    name: `equal${def.name}`,
    isExported: true,
    docs: [`Equality of {@link ${def.name}} values: \`compare${def.name}(a, b) === 0\`.`],
    parameters: [
      { name: "a", type: def.name },
      { name: "b", type: def.name },
    ],
    returnType: "boolean",
    statements: `return compare${def.name}(a, b) === 0;`,
  });
  const ranks = constructorRanks(
    def.values.map((v) => ({ name: v.name, hasArguments: false })),
    def.order,
  );
  const rank = new Code();
  rank.block("switch (v)", (c) => {
    def.values.forEach((value, index) =>
      c.line(`case ${str(value.name)}: return ${ranks[index]};`),
    );
    c.line(`default: return ${def.values.length};`);
  });
  file.addFunction({
    name: `rank${def.name}`,
    docs: [
      `The rank of a ${def.name} in compare's order: named values ${orderText(def.order)}${def.open ? ", then unknown values" : ""}.`,
    ],
    parameters: [{ name: "v", type: def.name }],
    returnType: "number",
    statements: rank.text(),
  });
}

function emitCompareUnion(def: UnionDef, file: ModuleFile): void {
  const code = new Code();
  const rank = (v: string): string => `${def.name}Rank[${v}.kind]`;
  code.line(`if (a.kind !== b.kind) return ${rank("a")} - ${rank("b")};`);
  const kinds = unionKinds(def);
  if (kinds.some((v) => v.members.length > 0)) code.line("let c = 0;");
  code.block("switch (a.kind)", (c) => {
    for (const v of kinds) {
      c.block(`case ${str(v.name)}:`, (body) => {
        body.line(`if (b.kind !== ${str(v.name)}) return 0;`);
        for (const m of v.members) {
          body.line(`c = ${compareValues(m.type, prop("a", m.name), prop("b", m.name))};`);
          body.line("if (c !== 0) return c;");
        }
        // Kept padding orders after the fields, absent first.
        if (hasPaddingProperty(def, v)) body.lines.push(...compareKeptPadding());
        body.line("return 0;");
      });
    }
  });
  const ranks = constructorRanks(
    kinds.map((v) => ({ name: v.name, hasArguments: v.members.length > 0 })),
    def.order,
  );
  file.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    docs: [
      `The rank of each ${def.name} variant in compare's order: variants without fields first, then the others, each ${orderText(def.order)}.`,
    ],
    declarations: [
      {
        name: `${def.name}Rank`,
        type: `Record<${def.name}["kind"], number>`,
        initializer: `{ ${kinds.map((v, i) => `${v.name}: ${ranks[i]}`).join(", ")} }`,
      },
    ],
  });
  file.addFunction({
    name: `compare${def.name}`,
    parameters: [
      { name: "a", type: def.name },
      { name: "b", type: def.name },
    ],
    returnType: "number",
    statements: code.text(),
  });
}
