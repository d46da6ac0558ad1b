/**
 * The runtime a generated module uses: which of the runtime's exports its
 * code names, and either imports of them or the runtime's own declarations
 * inlined (the ones named and everything they depend on, nothing else).
 * The exports are read from `runtime/*.ts` itself, so a new runtime file
 * needs no change here.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Node,
  printStructure,
  Project,
  StructureKind,
  SyntaxKind,
  ts,
  type SourceFile,
  type Statement,
} from "ts-morph";

/** An export of the runtime: the module declaring it (`codec` for runtime/codec.ts) and whether it is a type only. */
interface RuntimeExport {
  module: string;
  typeOnly: boolean;
}

/** The folder holding the runtime's TypeScript sources: `runtime/` of this package. */
export function runtimeSourceDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "runtime", "codec.ts")))
      return join(dir, "runtime");
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the binschema runtime sources (runtime/*.ts)");
    dir = parent;
  }
}

/** The runtime's sources as an in-memory project: `/runtime/NAME.ts`. */
function runtimeProject(): Project {
  const project = new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    },
  });
  const dir = runtimeSourceDir();
  for (const name of readdirSync(dir).sort())
    if (name.endsWith(".ts") && !name.endsWith(".d.ts"))
      project.createSourceFile(`/runtime/${name}`, readFileSync(join(dir, name), "utf8"));
  return project;
}

const moduleOf = (file: SourceFile): string => file.getBaseNameWithoutExtension();

let exportsCache: Map<string, RuntimeExport> | undefined;

/** Every name the runtime exports, with the module that declares it. */
function runtimeExports(): Map<string, RuntimeExport> {
  if (exportsCache !== undefined) return exportsCache;
  const found = new Map<string, RuntimeExport>();
  const ambiguous = new Set<string>();
  for (const file of runtimeProject().getSourceFiles()) {
    for (const [name, declarations] of file.getExportedDeclarations()) {
      const declaration = declarations[0];
      if (declaration === undefined) continue;
      const entry = {
        module: moduleOf(declaration.getSourceFile()),
        typeOnly:
          Node.isInterfaceDeclaration(declaration) || Node.isTypeAliasDeclaration(declaration),
      };
      const seen = found.get(name);
      if (seen !== undefined && seen.module !== entry.module) ambiguous.add(name);
      found.set(name, entry);
    }
  }
  // A name two runtime files declare cannot be imported by name alone.
  for (const name of ambiguous) found.delete(name);
  exportsCache = found;
  return found;
}

/**
 * For each top-level statement of `file` (a batch of the module's
 * declarations), the identifiers spelled like a runtime export that it
 * refers to (not as a property name) and that `file` does not declare. The
 * caller leaves out the names other batches declare; what is left are the
 * runtime exports the statement uses. Only identifiers spelled like an
 * export are resolved, which keeps this quick.
 */
export function runtimeReferences(file: ts.SourceFile): string[][] {
  const all = runtimeExports();
  const checker = checkerOf(file);
  return file.statements.map((statement) => {
    const names = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && all.has(node.text) && !names.has(node.text)) {
        const parent = node.parent;
        const propertyName =
          (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
          (ts.isQualifiedName(parent) && parent.right === node);
        // An unresolved type name resolves to the checker's "unknown" symbol, which has no declarations.
        const declared = (checker.getSymbolAtLocation(node)?.declarations?.length ?? 0) > 0;
        if (!propertyName && !declared) names.add(node.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(statement);
    return [...names];
  });
}

/** The runtime exports among `names`, sorted by name. */
function usedExports(names: ReadonlySet<string>): Map<string, RuntimeExport> {
  const all = runtimeExports();
  const used = new Map<string, RuntimeExport>();
  for (const name of [...names].sort()) {
    const entry = all.get(name);
    if (entry !== undefined) used.set(name, entry);
  }
  return used;
}

/** A type checker of `file` alone (no library, no imports): enough to tell what it declares. */
function checkerOf(file: ts.SourceFile): ts.TypeChecker {
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === file.fileName ? file : undefined),
    getDefaultLibFileName: () => "lib.d.ts",
    writeFile: () => {},
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => name === file.fileName,
    readFile: () => undefined,
  };
  const options: ts.CompilerOptions = { noLib: true, noResolve: true, types: [] };
  return ts.createProgram({ rootNames: [file.fileName], options, host }).getTypeChecker();
}

export type RuntimeSource =
  /** Import each name from the module `specifier` maps a runtime module name (`codec`) to. */
  | { kind: "import"; specifier: (module: string) => string }
  /** Copy the runtime's declarations into the module. */
  | { kind: "inline" };

/** Names of the runtime's classes the file uses: results are instances of them, so the module re-exports them for `instanceof`. */
function usedClasses(used: Map<string, RuntimeExport>): string[] {
  const project = runtimeProject();
  return [...used.keys()].filter((name) =>
    project.getSourceFiles().some((file) => file.getClass(name)?.isExported() === true),
  );
}

/** What a module needs of the runtime, as text placed before its own code. */
export interface RuntimeText {
  /** The runtime's declarations, when inlined. */
  inlined: string;
  /** The module's import declarations and its re-export of runtime classes. */
  header: string;
}

/**
 * What a module's code needs of the runtime, given the runtime names it
 * uses (`runtimeReferences`, less the module's own names) and the names its
 * code declares: import declarations, or the runtime's declarations
 * inlined. Either way the runtime classes it uses are exported from the
 * module (re-exported, or inlined with their `export`).
 */
export function runtimeFor(
  names: ReadonlySet<string>,
  declared: ReadonlySet<string>,
  source: RuntimeSource,
): RuntimeText {
  const used = usedExports(names);
  const classes = usedClasses(used);
  // Inlined, the classes' own declarations keep their `export`.
  if (source.kind === "inline")
    return {
      inlined: inlineRuntime(new Set(declared), used, new Set(classes)),
      header: "",
    };
  const reexport =
    classes.length > 0
      ? `${printStructure({ kind: StructureKind.ExportDeclaration, namedExports: classes })}\n\n`
      : "";

  const byModule = new Map<string, string[]>();
  for (const [name, entry] of used) {
    const named = byModule.get(entry.module) ?? [];
    named.push(entry.typeOnly ? `type ${name}` : name);
    byModule.set(entry.module, named);
  }
  const imports = [...byModule.keys()].sort().map((module) => {
    const named = byModule.get(module) ?? [];
    const typeOnly = named.every((n) => n.startsWith("type "));
    return printStructure({
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: source.specifier(module),
      isTypeOnly: typeOnly,
      namedImports: typeOnly ? named.map((n) => n.slice("type ".length)) : named,
    });
  });
  return {
    inlined: "",
    header: `${imports.length > 0 ? `${imports.join("\n")}\n\n` : ""}${reexport}`,
  };
}

/** The top-level statement of a runtime file that declares `node`. */
function topLevel(node: Node): Statement | undefined {
  let current: Node = node;
  for (let parent = current.getParent(); parent !== undefined; parent = current.getParent()) {
    if (Node.isSourceFile(parent)) return Node.isStatement(current) ? current : undefined;
    current = parent;
  }
  return undefined;
}

/** The names a top-level statement declares, with their name nodes. */
function declaredNames(statement: Statement): { name: string; rename: (to: string) => void }[] {
  if (Node.isVariableStatement(statement))
    return statement
      .getDeclarations()
      .map((d) => ({ name: d.getName(), rename: (to) => d.rename(to) }));
  if (
    Node.isFunctionDeclaration(statement) ||
    Node.isClassDeclaration(statement) ||
    Node.isInterfaceDeclaration(statement) ||
    Node.isTypeAliasDeclaration(statement) ||
    Node.isEnumDeclaration(statement)
  ) {
    const name = statement.getName();
    return name === undefined ? [] : [{ name, rename: (to) => statement.rename(to) }];
  }
  return [];
}

/** The top-level runtime statements `statement` depends on. */
function dependencies(statement: Statement): Statement[] {
  const found = new Set<Statement>();
  for (const id of statement.getDescendantsOfKind(SyntaxKind.Identifier)) {
    let symbol = id.getSymbol();
    if (symbol?.isAlias() === true) symbol = symbol.getAliasedSymbol();
    for (const declaration of symbol?.getDeclarations() ?? []) {
      const top = topLevel(declaration);
      if (top !== undefined && top !== statement && declaredNames(top).length > 0) found.add(top);
    }
  }
  return [...found];
}

/**
 * Inlining copies declarations only, so a runtime file whose top level does
 * anything else (a loop filling a table) would be copied without it and
 * misbehave quietly; it is refused instead.
 */
function checkInlinable(project: Project): void {
  for (const file of project.getSourceFiles()) {
    for (const statement of file.getStatements()) {
      const copied =
        declaredNames(statement).length > 0 ||
        Node.isImportDeclaration(statement) ||
        Node.isExportDeclaration(statement);
      if (!copied)
        throw new Error(
          `runtime/${file.getBaseName()}:${statement.getStartLineNumber()}: a top-level statement that declares nothing cannot be inlined; make it part of a declaration`,
        );
    }
  }
}

function inlineRuntime(
  taken: Set<string>,
  used: Map<string, RuntimeExport>,
  exported: Set<string>,
): string {
  const project = runtimeProject();
  checkInlinable(project);
  const roots: Statement[] = [];
  for (const [name, entry] of used) {
    const declaring = project.getSourceFileOrThrow(`/runtime/${entry.module}.ts`);
    const statement = declaring
      .getStatements()
      .find((s) => declaredNames(s).some((d) => d.name === name));
    if (statement === undefined)
      throw new Error(`runtime/${entry.module}.ts: no declaration of ${name}`);
    roots.push(statement);
  }

  // Dependencies before dependants; otherwise in file and source order.
  const fileOrder = project.getSourceFiles().map((f) => f.getFilePath());
  const position = (s: Statement): [number, number] => [
    fileOrder.indexOf(s.getSourceFile().getFilePath()),
    s.getStart(),
  ];
  const byPosition = (a: Statement, b: Statement): number => {
    const [fa, pa] = position(a);
    const [fb, pb] = position(b);
    return fa - fb || pa - pb;
  };
  const ordered: Statement[] = [];
  const visiting = new Set<Statement>();
  const visit = (statement: Statement): void => {
    if (ordered.includes(statement) || visiting.has(statement)) return;
    visiting.add(statement);
    for (const dependency of dependencies(statement).sort(byPosition)) visit(dependency);
    ordered.push(statement);
  };
  for (const root of roots.sort(byPosition)) visit(root);

  // Private names that clash (with the module's own, or across runtime files) get a suffix.
  for (const statement of ordered) {
    for (const { name, rename } of declaredNames(statement)) {
      if (!taken.has(name)) {
        taken.add(name);
        continue;
      }
      if (used.has(name))
        throw new Error(
          `the generated module declares ${name}, which clashes with the runtime's ${name}`,
        );
      let fresh = `${name}_${moduleOf(statement.getSourceFile()).replace(/\W/g, "_")}`;
      while (taken.has(fresh)) fresh += "_";
      rename(fresh);
      taken.add(fresh);
    }
  }

  const modules = [...new Set(ordered.map((s) => `runtime/${moduleOf(s.getSourceFile())}.ts`))];
  const parts = [
    `// The binschema runtime this module uses, inlined from ${modules.join(", ")}.`,
    ...ordered.map((statement) => {
      const docs = Node.isJSDocable(statement) ? statement.getJsDocs().map((d) => d.getText()) : [];
      const keepExport = declaredNames(statement).some((d) => exported.has(d.name));
      const code = statement.getText(false).replace(/^export\s+/, keepExport ? "export " : "");
      return [...docs, code].join("\n");
    }),
  ];
  return `${parts.join("\n\n")}\n\n// End of the inlined runtime.\n`;
}
