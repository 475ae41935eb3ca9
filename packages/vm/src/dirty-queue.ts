/**
 * The flusher's queue of dirtied page cache pages, oldest first: each page's pfn and the time it was dirtied (the
 * order `wb_workfn()` writes back in, and the age `dirty_expire_interval` is measured against). Pages cleaned or
 * freed since stay in it and are skipped when reached.
 *
 * A write dirties its pages at one time, so times come in runs: each run's time is kept once (4 bytes a page and
 * 12 a run, where a time per page took 12 bytes a page; a kernel build has about 30 pages a run).
 */
export class DirtyQueue {
  #pfns: Uint32Array;
  /** The index in {@link #pfns} of each run's first page. */
  #runStarts: Uint32Array;
  /** The time (ns) of each run. */
  #runTimes: Float64Array;
  #count = 0;
  #runCount = 0;
  /** The oldest page not yet taken, and the run it is in. */
  #head = 0;
  #headRun = 0;

  /** A queue with room for `capacity` pages (and as many runs) before it grows. */
  constructor(capacity = 1024) {
    this.#pfns = new Uint32Array(capacity);
    this.#runStarts = new Uint32Array(capacity);
    this.#runTimes = new Float64Array(capacity);
  }

  /** Whether every page was taken. */
  get empty(): boolean {
    return this.#head === this.#count;
  }

  /** Queues `pfn`, dirtied at `ns`. */
  push(pfn: number, ns: number): void {
    if (this.#count === this.#pfns.length) this.#pfns = grown(this.#pfns, new Uint32Array(this.#pfns.length * 2));
    const runs = this.#runCount;
    if (runs === 0 || this.#runTimes[runs - 1] !== ns) {
      if (runs === this.#runStarts.length) {
        this.#runStarts = grown(this.#runStarts, new Uint32Array(runs * 2));
        this.#runTimes = grown(this.#runTimes, new Float64Array(runs * 2));
      }
      this.#runStarts[runs] = this.#count;
      this.#runTimes[runs] = ns;
      this.#runCount = runs + 1;
    }
    this.#pfns[this.#count++] = pfn;
  }

  /** When the oldest page not yet taken was dirtied (ns); the queue must not be {@link empty}. */
  oldestTime(): number {
    return this.#runTimes[this.#runOfHead()]!;
  }

  /** The run the oldest page not yet taken is in (the head only moves forward, and so does its run). */
  #runOfHead(): number {
    let run = this.#headRun;
    while (run + 1 < this.#runCount && this.#runStarts[run + 1]! <= this.#head) run++;
    this.#headRun = run;
    return run;
  }

  /** Takes the oldest page; the queue must not be {@link empty}. */
  shift(): number {
    return this.#pfns[this.#head++]!;
  }

  /** Gives back the room of the pages taken: all of it once every page is, else once they are over half of it. */
  compact(): void {
    if (this.#head === this.#count) {
      this.#head = 0;
      this.#count = 0;
      this.#headRun = 0;
      this.#runCount = 0;
      return;
    }
    const head = this.#head;
    if (head <= this.#pfns.length >>> 1) return;
    const firstRun = this.#runOfHead();
    this.#pfns.copyWithin(0, head, this.#count);
    this.#count -= head;
    this.#head = 0;
    this.#runStarts.copyWithin(0, firstRun, this.#runCount);
    this.#runTimes.copyWithin(0, firstRun, this.#runCount);
    this.#runCount -= firstRun;
    this.#headRun = 0;
    // The head's run may have begun before the head: it begins at the head now.
    this.#runStarts[0] = 0;
    for (let run = 1; run < this.#runCount; run++) this.#runStarts[run]! -= head;
  }
}

/** `to`, holding `from` at its start. */
function grown<T extends Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
