/**
 * What a check finds, and what it means for QEMU: each finding's severity,
 * field and reason (with QEMU's own message when QEMU refuses the image),
 * and the verdict of each way QEMU opens an image.
 */

/**
 * - error: QEMU refuses to open the image (in the ways of opening not listed in `skippedBy`);
 * - spec: the qcow2 specification forbids it, though QEMU opens the image;
 * - warning: QEMU opens the image but warns, repairs or changes something.
 */
export type Severity = "error" | "spec" | "warning";

/**
 * Ways QEMU opens an image, which skip different checks:
 * - info: `qemu-img info` (read-only, no I/O);
 * - check: `qemu-img check` (check mode: tolerates what it can repair);
 * - use: a read-write open for I/O (a VM, `qemu-img amend`/`resize`/`convert`).
 */
export type OpenMode = "info" | "check" | "use";

export interface Finding {
  readonly severity: Severity;
  /** The field, by its schema name: `cluster_bits`, `additional.header_length`, `extensions[1]`. */
  readonly field: string;
  readonly reason: string;
  /** QEMU's message when it refuses the image. */
  readonly qemu?: string;
  /** Ways of opening that do not make this check (for errors). */
  readonly skippedBy?: readonly OpenMode[];
}

/** Collects findings in order. */
export class Findings {
  readonly list: Finding[] = [];

  error(field: string, reason: string, qemu: string, skippedBy?: OpenMode[]): void {
    this.list.push({ severity: "error", field, reason, qemu, ...(skippedBy && { skippedBy }) });
  }

  spec(field: string, reason: string): void {
    this.list.push({ severity: "spec", field, reason });
  }

  warning(field: string, reason: string): void {
    this.list.push({ severity: "warning", field, reason });
  }

  /** True when an error or spec finding already concerns `field` (or a part or whole of it). */
  covers(field: string): boolean {
    const related = (a: string, b: string) =>
      a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
    return this.list.some(
      (f) => f.severity !== "warning" && (related(field, f.field) || related(f.field, field)),
    );
  }
}

/** Hex without 0x, as QEMU's PRIx64. */
export const hex = (n: bigint | number): string => n.toString(16);

/** What a way of opening does with the image: opens it, or refuses with QEMU's first message. */
export interface OpenVerdict {
  readonly opens: boolean;
  readonly message: string | undefined;
}

/** The verdict of each way of opening, from the findings in QEMU's order. */
export function qemuVerdicts(findings: readonly Finding[]): Record<OpenMode, OpenVerdict> {
  const verdict = (mode: OpenMode): OpenVerdict => {
    const first = findings.find(
      (f) => f.severity === "error" && !(f.skippedBy ?? []).includes(mode),
    );
    return { opens: first === undefined, message: first?.qemu };
  };
  return { info: verdict("info"), check: verdict("check"), use: verdict("use") };
}

/** True when nothing but warnings was found. */
export function passes(findings: readonly Finding[]): boolean {
  return findings.every((f) => f.severity === "warning");
}
