/**
 * The header edits of the image subcommands, as pure functions from a
 * decoded header to the edited one (with how to treat the backing file name,
 * and notes to show). Names and values are resolved through fields.ts;
 * what cannot be encoded throws a {@link FieldError}.
 */
import type { Extension, Header } from "../../generated/qcow2.js";
import {
  FieldError,
  extensionFromPayload,
  extensionTag,
  featureBit,
  resolveField,
  setFeatureBit,
  setField,
  tagHex,
  type FeatureGroup,
} from "./fields.js";
import { latin1, type BackingNamePolicy } from "./image.js";

/** What an edit produces: the new header, and how to treat the backing file name. */
export interface Edited {
  readonly header: Header;
  readonly policy?: BackingNamePolicy;
  /** Lines to print before the diff, e.g. what was removed. */
  readonly notes?: readonly string[];
}

export type Edit = (header: Header) => Edited;

/** `set FIELD VALUE`: a header field by its schema name, the value parsed by its type. */
export function setEdit(fieldName: string, value: string): Edit {
  const field = resolveField(fieldName);
  const keepsPointer = field.name === "backing_file_offset" || field.name === "backing_file_size";
  return (h) => ({ header: setField(h, field, value), policy: keepsPointer ? "keep" : "move" });
}

/** `set-feature GROUP BIT [--clear]`. */
export function setFeatureEdit(group: FeatureGroup, bit: number, clear: boolean): Edit {
  return (h) => {
    const was = featureBit(h, group, bit);
    const header = setFeatureBit(h, group, bit, !clear);
    const notes =
      was === !clear ? [`${group} bit ${bit} is already ${clear ? "clear" : "set"}`] : [];
    return { header, notes };
  };
}

/** `add-ext TYPE`: an extension appended after the others, decoded by the codec. */
export function addExtEdit(type: number, payload: Uint8Array): Edit {
  return (h) => {
    const extension = extensionFromPayload(type, payload);
    const same = h.extensions.filter((e) => extensionTag(e) === type).length;
    const notes =
      same > 0
        ? [`an extension of type ${tagHex(type)} is already there; the specification allows one`]
        : [];
    return { header: { ...h, extensions: appended(h.extensions, extension) }, notes };
  };
}

/** `list` with `e` after its extensions, before a kept end marker (which stays last). */
function appended(list: readonly Extension[], e: Extension): Extension[] {
  const end = list.at(-1)?.kind === "End" ? list.length - 1 : list.length;
  return [...list.slice(0, end), e, ...list.slice(end)];
}

/** `del-ext TYPE`: every extension of the type removed; none is an error. */
export function delExtEdit(type: number): Edit {
  return (h) => {
    const kept = h.extensions.filter((e) => extensionTag(e) !== type);
    const removed = h.extensions.length - kept.length;
    if (removed === 0) throw new FieldError(`no extension of type ${tagHex(type)} to delete`);
    return {
      header: { ...h, extensions: kept },
      notes: [`deleting ${removed} extension(s) of type ${tagHex(type)}`],
    };
  };
}

/** `set-backing-format NAME`: changes the format, or adds the extension first in the list, where QEMU writes it. */
export function setBackingFormatEdit(name: string): Edit {
  const format = latin1(new Uint8Array(Buffer.from(name, "utf8")));
  return (h) => {
    const notes =
      h.backing_file_offset === 0n
        ? ["the image has no backing file; QEMU ignores a backing format without one"]
        : [];
    const has = h.extensions.some((e) => e.kind === "Backing_file");
    const extensions: Extension[] = has
      ? // A new format is a new payload: padding kept after the old one goes with it.
        h.extensions.map((e): Extension =>
          e.kind === "Backing_file" ? { kind: e.kind, format } : e,
        )
      : [{ kind: "Backing_file", format }, ...h.extensions];
    return { header: { ...h, extensions }, notes };
  };
}
