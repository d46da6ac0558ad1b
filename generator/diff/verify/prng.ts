/**
 * A small seeded random number generator (mulberry32), so that a
 * verification run can be repeated exactly with `--seed`.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** A uniformly random bigint of `bits` bits (unsigned). */
  bits(bits: number): bigint {
    let value = 0n;
    for (let done = 0; done < bits; done += 16) value = (value << 16n) | BigInt(this.below(65536));
    return value & ((1n << BigInt(bits)) - 1n);
  }
}
