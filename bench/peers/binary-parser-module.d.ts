/**
 * binary-parser's package exports its ESM build without typings (its
 * "exports" have no "types" condition); these are the typings of its
 * CommonJS build, which has the same API.
 */
declare module "binary-parser" {
  export { Parser } from "binary-parser/dist/binary_parser.js";
}
