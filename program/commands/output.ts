/**
 * What every subcommand shares: exit statuses, and colour only on a
 * terminal (and never with NO_COLOR set).
 */

import { relative } from "node:path";

/** How a file is shown in messages: relative to the working directory when it is below it. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

/** Exit statuses: success, a finding (stale files, breaking changes, a bad image), usage or I/O errors. */
export const EXIT = { ok: 0, finding: 1, usage: 2 } as const;

const useColour = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env.NO_COLOR === undefined;

function paint(code: number, stream: NodeJS.WriteStream): (text: string) => string {
  return (text) => (useColour(stream) ? `\u001b[${code}m${text}\u001b[0m` : text);
}

export const red = paint(31, process.stderr);
export const yellow = paint(33, process.stdout);
export const green = paint(32, process.stdout);
export const bold = paint(1, process.stdout);

/** A failure that ends the command with a message and an exit status. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly status: number = EXIT.usage,
  ) {
    super(message);
  }
}

/**
 * An error as one line for a user: Node's I/O errors as `CODE: what`
 * (`ENOSPC: no space left on device`), without the syscall and path Node
 * appends (messages name the file themselves), anything else by its message.
 */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as NodeJS.ErrnoException;
  let message = e.message;
  if (e.syscall !== undefined) {
    const at = message.indexOf(`, ${e.syscall}`);
    if (at > 0) message = message.slice(0, at);
  }
  return message.split("\n")[0] ?? message;
}

/**
 * An error no command turned into a message, as one line: Node's I/O errors
 * name the file and what failed (`out/a.ts: cannot open: EACCES: permission
 * denied`); anything else is reported as the internal error it is.
 */
export function unexpected(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof e.code === "string" && e.syscall !== undefined) {
    const place = e.path === undefined ? "" : `${e.path}: `;
    return `${place}cannot ${e.syscall}: ${reasonOf(error)}`;
  }
  return `binschema: internal error: ${reasonOf(error)} (BINSCHEMA_DEBUG=1 shows where)`;
}
