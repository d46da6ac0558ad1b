/**
 * List every change between two models: the format's name and
 * documentation, the root, and each type (matched by name; a type renamed
 * keeps its shape), then what changed inside each type both revisions have.
 */
import type { Model, TypeDef } from "../model.js";
import type { Change } from "./change.js";
import { ChangeList, placeOf, type Place } from "./change-list.js";
import { listEnum } from "./list-enum.js";
import { listRecord } from "./list-members.js";
import { listUnion } from "./list-union.js";
import { matchTypes, typeRenames } from "./matchers.js";

export function listChanges(oldModel: Model, newModel: Model): Change[] {
  const pairs = matchTypes(oldModel, newModel);
  const list = new ChangeList(oldModel, newModel, typeRenames(pairs));

  const file = (model: Model) => ({ loc: { file: model.file, line: 1, col: 1, path: "" } });
  const top = placeOf(newModel.format, ["(module)"], file(oldModel), file(newModel));
  if (oldModel.format !== newModel.format)
    list.add(
      top,
      { kind: "format-renamed" },
      `format ${oldModel.format} → ${newModel.format}: the generated module is now ${newModel.format}.ts`,
    );
  list.doc(top, { doc: oldModel.doc, loc: top.old! }, { doc: newModel.doc, loc: top.new! });
  if (list.typeNames(oldModel.root.name) !== newModel.root.name)
    list.add(
      placeOf(
        newModel.root.name,
        [oldModel.root.name, newModel.root.name],
        oldModel.root,
        newModel.root,
      ),
      { kind: "root-changed" },
      `root ${oldModel.root.name} → ${newModel.root.name}`,
    );

  for (const p of pairs) {
    const def = (p.new ?? p.old)!;
    const place = placeOf(def.name, [p.old?.name, p.new?.name].filter(isName), p.old, p.new);
    if (p.old === undefined) {
      list.add(place, { kind: "type-added" }, `${kindText(def)} ${def.name} added`);
    } else if (p.new === undefined) {
      list.add(place, { kind: "type-removed" }, `${kindText(def)} ${def.name} removed`);
    } else {
      if (p.renamed)
        list.add(
          place,
          { kind: "type-renamed" },
          `${kindText(def)} renamed from ${p.old.name} to ${p.new.name}`,
        );
      list.doc(place, p.old, p.new);
      compareType(list, p.old, p.new, oldModel, newModel);
    }
  }
  if (oldModel.endian !== newModel.endian) groupByteOrder(list, top, oldModel, newModel);
  return list.changes;
}

/**
 * A change of the schema's byte order is one change, with the fields and
 * union framings it reaches beneath it, rather than one change for each.
 * Fields that give their own byte order, and single bytes, are not reached.
 */
function groupByteOrder(list: ChangeList, top: Place, oldModel: Model, newModel: Model): void {
  const reached = list.changes.filter((c) => c.kind === "byte-order-changed");
  if (reached.length === 0) return;
  const rest = list.changes.filter((c) => c.kind !== "byte-order-changed");
  list.changes.length = 0;
  list.changes.push(...rest);
  list.add(
    {
      ...top,
      owners: reached.flatMap((c) => c.owners),
      loci: reached.flatMap((c) => c.loci),
    },
    { kind: "byte-order-changed" },
    `byte order ${oldModel.endian} → ${newModel.endian} for the whole schema: ${reached.length === 1 ? "1 member reads its" : `${reached.length} members read their`} bytes in reverse`,
  );
  const grouped = list.changes.pop()!;
  grouped.consequences.push(...reached.map((c) => `${c.subject}: ${c.description}`));
  const after = list.changes.findIndex(
    (c) => c.kind !== "format-renamed" && c.subject !== top.subject,
  );
  list.changes.splice(after < 0 ? list.changes.length : after, 0, grouped);
}

function compareType(
  list: ChangeList,
  o: TypeDef,
  n: TypeDef,
  oldModel: Model,
  newModel: Model,
): void {
  if (o.kind === "enum" && n.kind === "enum") return listEnum(list, o, n);
  if (o.kind === "union" && n.kind === "union") return listUnion(list, o, n);
  if (o.kind === "record" && n.kind === "record")
    return listRecord(list, {
      subject: n.name,
      owners: { old: o.name, new: n.name },
      old: o.members,
      new: n.members,
      isRoot: o === oldModel.root && n === newModel.root,
    });
  list.add(
    placeOf(n.name, [o.name, n.name], o, n),
    { kind: "type-kind-changed" },
    `${o.name} was ${kindText(o)}, now ${kindText(n)}`,
  );
}

function kindText(def: TypeDef): string {
  return def.kind === "enum" ? (def.open ? "open enum" : "enum") : def.kind;
}

function isName(name: string | undefined): name is string {
  return name !== undefined;
}
