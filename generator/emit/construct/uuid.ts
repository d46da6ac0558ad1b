/**
 * UUID and GUID fields: 16 bytes whose value is canonical lowercase text.
 * RFC 4122 keeps the bytes in text order; Microsoft's GUID layout stores
 * the first three groups little-endian.
 */
import type { FieldType } from "../../model.js";

type Uuid = Extract<FieldType, { kind: "uuid" }>;

export function readUuid(t: Uuid, at: string): string {
  return `${t.layout === "guid" ? "getGuid" : "getUuid"}(buf, ${at})`;
}

export function writeUuid(t: Uuid, at: string, acc: string): string {
  return `${t.layout === "guid" ? "setGuid" : "setUuid"}(buf, ${at}, ${acc});`;
}

/** The condition under which `acc` is a value the field can hold. */
export function isUuidValue(acc: string): string {
  return `isUuid(${acc})`;
}

export const UUID_EXPECTED =
  "a UUID in lowercase canonical text (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)";
