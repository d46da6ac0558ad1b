/**
 * What every subcommand shares: exit statuses, and colour only on a
 * terminal (and never with NO_COLOR set).
 */

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
