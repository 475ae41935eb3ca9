/**
 * The simulated time: nanoseconds since boot, what `local_clock()` returns. Nothing in mmsim reads the host's
 * clock, so a run is reproducible.
 */
export class SimClock {
  /** Nanoseconds since boot. */
  ns = 0;

  /** Moves time forward. */
  advance(nanoseconds: number): void {
    this.ns += nanoseconds;
  }
}
