/**
 * The seeded sequence every workload draws from (xorshift32, Marsaglia 2003): fast, deterministic for a seed, and
 * good enough for choosing call paths and pages. A seed of 0 becomes 1 (0 is xorshift's fixed point).
 */
export class Xorshift32 {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }

  /** A number in [0, 1). */
  next(): number {
    let value = this.#state;
    value ^= value << 13;
    value ^= value >>> 17;
    value ^= value << 5;
    this.#state = value >>> 0;
    return this.#state / 4294967296;
  }
}
