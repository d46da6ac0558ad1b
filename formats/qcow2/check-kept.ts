/**
 * The odd bytes the codec keeps as read (schema/qcow2.yaml's `keep` and
 * `tail`): bytes the qcow2 specification says are zero, which QEMU ignores
 * and opens the image with. Each is a spec finding naming the field and the
 * first odd byte's offset, as the codec would have reported it had it
 * refused them.
 */
import { CodecError } from "../../runtime/codec.js";
import { FeatureName, type Feature, type Header } from "../../generated/qcow2.js";
import { hex, type Findings } from "./findings.js";
import type { HeaderRegion } from "./image.js";

/** The first non-zero byte of a kept byte string: its index and value. */
function firstOdd(bytes: string): { index: number; byte: number } {
  const index = bytes.search(/[^\0]/);
  return { index, byte: bytes.charCodeAt(index) };
}

const byteHex = (n: number): string => `0x${hex(n).padStart(2, "0")}`;

/** Spec findings for each odd part the decoded header keeps. */
export function keptChecks(region: HeaderRegion, out: Findings): void {
  if (region.decoded instanceof CodecError) return;
  const h = region.decoded.value;
  const a = h.additional;
  if (a?.padding !== undefined) {
    // The 7 padding bytes follow compression_type at byte 104.
    const { index, byte } = firstOdd(a.padding);
    out.spec(
      "additional.padding",
      `expected zero padding, got ${byteHex(byte)} (at byte ${105 + index}; QEMU ignores it, and the codec keeps it as read)`,
    );
  }
  extensionChecks(h, region.bytes, out);
}

function extensionChecks(h: Header, bytes: Uint8Array, out: Findings): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Frames start at header_length (72 for version 2), as the codec reads them.
  let at = h.additional === undefined ? 72 : view.getUint32(100);
  h.extensions.forEach((e, i) => {
    const field = `extensions[${i}]`;
    const length = view.getUint32(at + 4);
    const end = at + 8 + length;
    if (e.kind === "End") {
      out.spec(
        `${field}.length`,
        `the end marker has length ${e.length} (at byte ${at + 4}); the specification says 0, and QEMU ignores it`,
      );
      return;
    }
    if ("padding" in e && e.padding !== undefined) {
      const { index, byte } = firstOdd(e.padding);
      out.spec(
        `${field}.padding`,
        `expected zero padding, got ${byteHex(byte)} (at byte ${end + index}; QEMU ignores it, and the codec keeps it as read)`,
      );
    }
    if (e.kind === "Feature_name_table") featureChecks(e.features, field, at + 8, out);
    at = end + ((8 - (length % 8)) % 8);
  });
}

function featureChecks(
  features: readonly Feature[],
  field: string,
  at: number,
  out: Findings,
): void {
  features.forEach((f, j) => {
    if (f.feature_tail === undefined) return;
    const { index, byte } = firstOdd(f.feature_tail);
    // The tail starts just after the stored name's NUL.
    const nameLength =
      typeof f.feature === "object" ? f.feature.unknown.length : FeatureName[f.feature].length;
    out.spec(
      `${field}.features[${j}].feature`,
      `bytes after the terminating NUL must be zero, got ${byteHex(byte)} (at byte ${at + 48 * j + 2 + nameLength + 1 + index}; QEMU reads the name up to its NUL, and the codec keeps the rest as read)`,
    );
  });
}
