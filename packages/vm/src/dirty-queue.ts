/**
 * The flusher's queue of dirtied page cache pages, oldest first: each page's pfn and the time it was dirtied (the
 * order `wb_workfn()` writes back in, and the age `dirty_expire_interval` is measured against). Pages cleaned or
 * freed since stay in it and are skipped when reached.
 *
 * A write dirties its pages at one time, and a file's pages mostly come off the per-CPU lists in pfn order, so the
 * queue is kept as runs of consecutive pfns dirtied at one time: 16 bytes a run (first pfn, length, time). A
 * kernel build queues about 16 pages a run (22 M pages in 1.4 M runs at 1 TiB: 32 MB of arrays, where a pfn per
 * page took 134 MB).
 */
export class DirtyQueue {
  /** Each run's first pfn. */
  #firstPfns: Uint32Array;
  /** Each run's number of pages. */
  #lengths: Uint32Array;
  /** The time (ns) of each run. */
  #times: Float64Array;
  #runs = 0;
  /** The oldest run with pages not yet taken, and how many of its pages were taken. */
  #headRun = 0;
  #taken = 0;

  /** A queue with room for `capacity` runs before it grows. */
  constructor(capacity = 1024) {
    this.#firstPfns = new Uint32Array(capacity);
    this.#lengths = new Uint32Array(capacity);
    this.#times = new Float64Array(capacity);
  }

  /** Whether every page was taken. */
  get empty(): boolean {
    return this.#headRun === this.#runs;
  }

  /** Queues `pfn`, dirtied at `ns`. */
  push(pfn: number, ns: number): void {
    const last = this.#runs - 1;
    if (last >= this.#headRun && this.#times[last] === ns && this.#firstPfns[last]! + this.#lengths[last]! === pfn) {
      this.#lengths[last]!++;
      return;
    }
    if (this.#runs === this.#firstPfns.length) this.#grow();
    this.#firstPfns[this.#runs] = pfn;
    this.#lengths[this.#runs] = 1;
    this.#times[this.#runs] = ns;
    this.#runs++;
  }

  /** When the oldest page not yet taken was dirtied (ns); the queue must not be {@link empty}. */
  oldestTime(): number {
    return this.#times[this.#headRun]!;
  }

  /** Takes the oldest page; the queue must not be {@link empty}. */
  shift(): number {
    const run = this.#headRun;
    const pfn = this.#firstPfns[run]! + this.#taken;
    if (++this.#taken === this.#lengths[run]) {
      this.#headRun = run + 1;
      this.#taken = 0;
    }
    return pfn;
  }

  /** Gives back the room of the runs taken: all of it once every page is, else once they are over half of it. */
  compact(): void {
    const head = this.#headRun;
    if (head === this.#runs) {
      this.#runs = 0;
      this.#headRun = 0;
      this.#taken = 0;
      return;
    }
    if (head <= this.#firstPfns.length >>> 1) return;
    this.#firstPfns.copyWithin(0, head, this.#runs);
    this.#lengths.copyWithin(0, head, this.#runs);
    this.#times.copyWithin(0, head, this.#runs);
    this.#runs -= head;
    this.#headRun = 0;
  }

  #grow(): void {
    const capacity = this.#firstPfns.length * 2;
    this.#firstPfns = grown(this.#firstPfns, new Uint32Array(capacity));
    this.#lengths = grown(this.#lengths, new Uint32Array(capacity));
    this.#times = grown(this.#times, new Float64Array(capacity));
  }
}

/** `to`, holding `from` at its start. */
function grown<T extends Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
