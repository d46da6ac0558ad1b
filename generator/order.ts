/**
 * The order `compare` puts constructors in, shared by the checker (which
 * rejects names an order cannot tell apart) and the compare emitter.
 *
 * Both orders are OCaml's polymorphic `compare` on the OCaml type a value
 * mirrors: a constructor without arguments is an immediate integer and one
 * with arguments a block, and immediates sort before blocks. Among each kind,
 * a plain variant's constructors sort by their position in the declaration
 * (`declared`) and a polymorphic variant's by the hash OCaml gives the name
 * (`hash`).
 */
import type { VariantOrder } from "./model.js";

/**
 * OCaml's hash of a polymorphic variant name (`caml_hash_variant`): each byte
 * folded in as `h = 223 * h + byte`, kept to 31 bits, read as a signed 31-bit
 * integer. Computed modulo 2^31 at each step, which leaves the result as is.
 */
export function ocamlVariantHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (223 * h + name.charCodeAt(i)) % 2 ** 31;
  return h >= 2 ** 30 ? h - 2 ** 31 : h;
}

/** A constructor to rank: its name and whether it carries arguments. */
export interface Constructor {
  name: string;
  hasArguments: boolean;
}

/**
 * Each constructor's rank under `order`, 0 first, by position in
 * `constructors`. Ranks are distinct as long as no two names share a hash
 * (see {@link hashClash}).
 */
export function constructorRanks(
  constructors: readonly Constructor[],
  order: VariantOrder,
): number[] {
  const keyed = constructors.map((c, index) => ({
    index,
    group: c.hasArguments ? 1 : 0,
    key: order === "hash" ? ocamlVariantHash(c.name) : index,
  }));
  const sorted = [...keyed].sort((a, b) => a.group - b.group || a.key - b.key);
  const ranks: number[] = new Array<number>(constructors.length).fill(0);
  sorted.forEach((c, rank) => (ranks[c.index] = rank));
  return ranks;
}

/** The first name in `names` whose hash an earlier name has, with that name. */
export function hashClash(names: readonly string[]): { name: string; earlier: string } | undefined {
  const seen = new Map<number, string>();
  for (const name of names) {
    const h = ocamlVariantHash(name);
    const earlier = seen.get(h);
    if (earlier !== undefined) return { name, earlier };
    seen.set(h, name);
  }
  return undefined;
}
