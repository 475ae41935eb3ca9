/** What {@link Ratelimit.check} decided. */
export interface RatelimitVerdict {
  readonly allowed: boolean;
  /** Calls suppressed in the previous interval, to report once (`%s: %d callbacks suppressed`). */
  readonly suppressedBefore: number;
}

/**
 * `__ratelimit()` (lib/ratelimit.c) on simulated time: at most `burst` calls per `intervalNs`; when a new
 * interval starts, the number suppressed in the last one is handed back once.
 */
export class Ratelimit {
  readonly #intervalNs: number;
  readonly #burst: number;
  #begin = Number.NEGATIVE_INFINITY;
  #printed = 0;
  #missed = 0;

  constructor(intervalNs: number, burst: number) {
    this.#intervalNs = intervalNs;
    this.#burst = burst;
  }

  check(nowNs: number): RatelimitVerdict {
    let suppressedBefore = 0;
    if (nowNs >= this.#begin + this.#intervalNs) {
      suppressedBefore = this.#missed;
      this.#begin = nowNs;
      this.#printed = 0;
      this.#missed = 0;
    }
    if (this.#printed < this.#burst) {
      this.#printed++;
      return { allowed: true, suppressedBefore };
    }
    this.#missed++;
    return { allowed: false, suppressedBefore };
  }
}
