/**
 * Mutation round trips for a codec: copies of real bytes with a few bytes
 * changed, each of which `read` must either refuse with an error value or
 * accept — and then `write` must give back exactly the bytes it read.
 */
import { expect } from "vitest";
import { CodecError } from "../../runtime/codec.js";

export interface MutationResult<T> {
  /** The values read from the copies `read` accepted. */
  accepted: T[];
  /** The errors of the copies it refused, with the copy's number. */
  refused: { round: number; error: CodecError }[];
}

/**
 * `rounds` copies of `bytes`, each changed by `mutate`, read; every copy
 * read is written back over itself and must come out the same.
 */
export function mutationRoundTrips<T>(
  bytes: Uint8Array,
  rounds: number,
  mutate: (copy: Uint8Array) => void,
  read: (buf: Uint8Array) => { value: T } | CodecError,
  write: (value: T, buf: Uint8Array) => number | CodecError,
): MutationResult<T> {
  const out: MutationResult<T> = { accepted: [], refused: [] };
  for (let round = 0; round < rounds; round++) {
    const mutated = new Uint8Array(bytes);
    mutate(mutated);
    const result = read(mutated);
    if (result instanceof CodecError) {
      out.refused.push({ round, error: result });
      continue;
    }
    out.accepted.push(result.value);
    const again = new Uint8Array(mutated);
    const end = write(result.value, again);
    if (end instanceof CodecError) throw new Error(`mutation ${round}: ${end.message}`);
    expect(Buffer.compare(again, mutated), `mutation ${round}`).toBe(0);
  }
  return out;
}
