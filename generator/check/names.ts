/**
 * Name rules. Schema names become TypeScript identifiers and property names
 * verbatim, so anything that could break or change the meaning of the
 * generated code is rejected here with a located problem.
 */

/**
 * No underscore: generated names join a type name and another name with one
 * (`readExtension_Bitmaps`, `Header_flags_bits`), so `Extension_Bitmaps` as a
 * type could clash with them.
 */
export const TYPE_NAME = /^[A-Z][A-Za-z0-9]*$/;
export const FIELD_NAME = /^[a-z_][a-z0-9_]*$/;
export const CONSTRUCTOR_NAME = /^[A-Z][A-Za-z0-9_]*$/;
export const FORMAT_NAME = /^[a-z][a-z0-9_-]*$/;

/** Properties every object inherits: as field names they would read or replace Object.prototype members. */
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Globals and runtime names the generated code refers to; a type of the same name would shadow them. */
const RESERVED_TYPE_NAMES = new Set([
  "Array",
  "ArrayBuffer",
  "BigInt",
  "Boolean",
  "CodecError",
  "DataView",
  "Date",
  "Decoded",
  "Error",
  "Function",
  "Infinity",
  "JSON",
  "Map",
  "Math",
  "NaN",
  "Number",
  "Object",
  "Partial",
  "Promise",
  "Readonly",
  "ReadonlyArray",
  "Record",
  "RegExp",
  "Set",
  "Sexp",
  "String",
  "Symbol",
  "Uint8Array",
  "WeakMap",
]);

/** Returns why a field name is not allowed, or undefined if it is. */
export function badFieldName(name: string): string | undefined {
  if (!FIELD_NAME.test(name))
    return `"${name}" is not a valid field name: use lower_snake_case (${FIELD_NAME.source})`;
  if (OBJECT_MEMBERS.has(name))
    return `"${name}" is reserved: it would clash with Object.prototype.${name}`;
  return undefined;
}

export function badTypeName(name: string): string | undefined {
  if (!TYPE_NAME.test(name))
    return `"${name}" is not a valid type name: use UpperCamelCase (${TYPE_NAME.source})`;
  if (RESERVED_TYPE_NAMES.has(name))
    return `"${name}" is reserved: the generated code uses the global or runtime name ${name}`;
  return undefined;
}

export function badConstructorName(name: string): string | undefined {
  if (!CONSTRUCTOR_NAME.test(name)) {
    return `"${name}" is not a valid enum value or variant name: start with a capital letter (${CONSTRUCTOR_NAME.source})`;
  }
  return undefined;
}
