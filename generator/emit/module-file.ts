/**
 * What the emitters write into: the declarations of one generated module,
 * in order, as ts-morph structures. Adding one costs nothing but the
 * structure; module.ts prints them all once at the end. (A ts-morph
 * SourceFile re-parses the whole file on every insertion, so building a
 * module declaration by declaration took time quadratic in its size.)
 */
import {
  type FunctionDeclarationStructure,
  type InterfaceDeclarationStructure,
  type OptionalKind,
  StructureKind,
  type TypeAliasDeclarationStructure,
  type VariableStatementStructure,
} from "ts-morph";

/** A top-level declaration of the module. */
export type Declaration =
  | FunctionDeclarationStructure
  | InterfaceDeclarationStructure
  | TypeAliasDeclarationStructure
  | VariableStatementStructure;

export class ModuleFile {
  readonly declarations: Declaration[] = [];

  addFunction(structure: OptionalKind<FunctionDeclarationStructure>): void {
    this.declarations.push({ ...structure, kind: StructureKind.Function });
  }

  addInterface(structure: OptionalKind<InterfaceDeclarationStructure>): void {
    this.declarations.push({ ...structure, kind: StructureKind.Interface });
  }

  addTypeAlias(structure: OptionalKind<TypeAliasDeclarationStructure>): void {
    this.declarations.push({ ...structure, kind: StructureKind.TypeAlias });
  }

  addVariableStatement(structure: OptionalKind<VariableStatementStructure>): void {
    this.declarations.push({ ...structure, kind: StructureKind.VariableStatement });
  }
}
