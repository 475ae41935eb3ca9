import type { PagePalette } from '@mm/physmem';

/** The first index of the run's contexts ({@link TaskContexts.startRun}), above every stored one. */
const RUN_BASE = 0x10000000;
/**
 * The two parts of a per-page allocation slot. An enum, which esbuild writes into the bundle as literals: an
 * exported `const` is a module binding, which V8 reads through a cell with a hole check at every use.
 */
export enum ContextSlot {
  /**
   * The bit saying the page is allocated (`PAGE_EXT_OWNER_ALLOCATED`), beside the context index (a slot holding a
   * context has `PAGE_EXT_OWNER`). Bit 29, so that a slot is a small integer (V8's Smi: below 2^30); a larger one
   * passed around or kept in a field is a heap-allocated double.
   */
  ALLOCATED = 0x20000000,
  /** The context index (without {@link ContextSlot.ALLOCATED}). */
  INDEX_MASK = 0x1fffffff,
}

/**
 * The (task, timestamp, stack handle, record info) of v6.18 allocations and frees, interned and shared by all the
 * pages that carry them. v6.18's `struct page_owner` keeps pid, tgid, comm, ts_nsec, the handles, gfp_mask and order
 * in every page (62 of its 64 bytes); sharing them is what keeps mmsim's page_owner near 8 host bytes a page. The
 * info is an allocation's gfp index and order (`makeInfo()` without reason or flags; 0 for a free). A per-page slot
 * may carry {@link ContextSlot.ALLOCATED} beside the index.
 *
 * Simulated time advances between workload steps, so the allocations of one step (a page fault, a syscall) share
 * a timestamp, a stack, and so a context. Entries are reference-counted by the pages that use them and recycled
 * at zero. Tasks (pid, tgid, comm) are interned once and kept: a context holds only the task's index.
 */
export class TaskContexts {
  #task = new Int32Array(256);
  #ts = new Float64Array(256);
  #handle = new Uint32Array(256);
  #info = new Uint32Array(256);
  #refcount = new Int32Array(256);
  #count = 1;
  readonly #free: number[] = [];
  readonly #pids: number[] = [0];
  readonly #tgids: number[] = [0];
  readonly #comms: string[] = [''];
  readonly #taskIds = new Map<string, number>();
  /** The last context made for allocations (0) and for frees (1), kept for reuse while they may match. */
  readonly #last = new Int32Array(2);
  #lastTask = 0;
  /** The run (see {@link startRun}): its task, first timestamp, step and handle, and how many it has handed out. */
  #runTask = 0;
  #runTs = 0;
  #runStep = 0;
  #runHandle = 0;
  #runInfo = 0;
  #runLength = 0;

  /**
   * The context for these values, reusing the last one made in `slot` (0: allocations, 1: frees) when it matches
   * (the usual case: many pages in one step). Index 0 is the empty context (never set). References are added by
   * {@link assign}.
   */
  intern(pid: number, tgid: number, comm: string, ts: number, handle: number, slot: 0 | 1, info = 0): number {
    let task = this.#lastTask;
    if (this.#pids[task] !== pid || this.#tgids[task] !== tgid || this.#comms[task] !== comm) {
      task = this.#internTask(pid, tgid, comm);
    }
    return this.internTask(task, ts, handle, slot, info);
  }

  /** {@link intern} with a task index (from {@link task}). */
  internTask(task: number, ts: number, handle: number, slot: 0 | 1, info = 0): number {
    const last = this.#last[slot]!;
    if (
      last !== 0 &&
      this.#task[last] === task &&
      this.#ts[last] === ts &&
      this.#handle[last] === handle &&
      this.#info[last] === info
    ) {
      return last;
    }
    // The previous "last" was kept out of the free list while it could be reused; retire it now if unused.
    if (last !== 0 && this.#refcount[last]! <= 0 && last !== this.#last[1 - slot]) this.#free.push(last);
    const index = this.#free.length > 0 ? this.#free.pop()! : this.#grow();
    this.#task[index] = task;
    this.#ts[index] = ts;
    this.#handle[index] = handle;
    this.#info[index] = info;
    this.#refcount[index] = 0;
    this.#last[slot] = index;
    return index;
  }

  /**
   * Allocation context `context` with `info` (an allocation split or migrated): itself when it has that info, else
   * the context of the same task, ts and handle with it.
   */
  withInfo(context: number, info: number): number {
    if (context !== 0 && this.info(context) === info) return context;
    return this.internTask(this.task(context), this.ts(context), this.handle(context), 0, info);
  }

  /**
   * Points `count` slots of a per-page context array from `start` at `slot` (a context, with or without
   * {@link ContextSlot.ALLOCATED}), moving the references: an entry no slot uses any more is recycled.
   */
  assign(slots: Uint32Array, start: number, count: number, slot: number): void {
    const context = slot & ContextSlot.INDEX_MASK;
    for (let index = start; index < start + count; index++) {
      const old = slots[index]! & ContextSlot.INDEX_MASK;
      if (old !== context) this.#move(old, context);
      slots[index] = slot;
    }
  }

  /**
   * {@link assign} for contexts kept in a {@link PagePalette} (page_owner's free contexts): points the `count` pages
   * from `pfn` at `context` (without {@link ContextSlot.ALLOCATED}), moving the references.
   */
  assignPages(palette: PagePalette, pfn: number, count: number, context: number): void {
    for (let page = pfn; page < pfn + count; page++) {
      const old = palette.get(page);
      if (old === context) continue;
      this.#move(old, context);
      palette.set(page, context);
    }
  }

  /** A slot moves from context `old` to `context`: an entry no slot uses any more is recycled. */
  #move(old: number, context: number): void {
    const refcount = this.#refcount;
    if (old !== 0 && old < RUN_BASE && --refcount[old]! <= 0 && old !== this.#last[0] && old !== this.#last[1]) {
      this.#free.push(old);
    }
    if (context !== 0 && context < RUN_BASE) refcount[context]!++;
  }

  /**
   * Starts the run: contexts of one task and stack handle whose timestamps go up by `step` from `ts`, one per page
   * of page_owner's sweep of the early allocated pages (each page has its own `local_clock()`). They are computed,
   * not stored, and not counted: {@link nextInRun} hands out the next. A machine has one run.
   */
  startRun(pid: number, tgid: number, comm: string, ts: number, step: number, handle: number, info = 0): void {
    if (this.#runStep !== 0) throw new Error('task contexts: a run was already started');
    this.#runTask = this.#internTask(pid, tgid, comm);
    this.#runTs = ts;
    this.#runStep = step;
    this.#runHandle = handle;
    this.#runInfo = info;
  }

  /** The run's next context (its timestamp is the run's first plus `step` times the contexts before it). */
  nextInRun(): number {
    if (this.#runLength === ContextSlot.INDEX_MASK - RUN_BASE) throw new RangeError('task contexts: the run is full');
    return RUN_BASE + this.#runLength++;
  }

  /** The task index of a context. */
  task(index: number): number {
    return index >= RUN_BASE ? this.#runTask : this.#task[index]!;
  }

  pid(index: number): number {
    return this.#pids[this.task(index)]!;
  }

  tgid(index: number): number {
    return this.#tgids[this.task(index)]!;
  }

  comm(index: number): string {
    return this.#comms[this.task(index)]!;
  }

  ts(index: number): number {
    return index >= RUN_BASE ? this.#runTs + (index - RUN_BASE) * this.#runStep : this.#ts[index]!;
  }

  handle(index: number): number {
    return index >= RUN_BASE ? this.#runHandle : this.#handle[index]!;
  }

  /** The info of a context (an allocation's gfp index and order; see the class). */
  info(index: number): number {
    return index >= RUN_BASE ? this.#runInfo : this.#info[index]!;
  }

  /** Contexts in use. */
  get live(): number {
    return this.#count - 1 - this.#free.length;
  }

  /** Host bytes of the tables (the task table counted at 32 bytes a task). */
  hostBytes(): number {
    return this.#task.length * (4 + 8 + 4 + 4 + 4) + this.#pids.length * 32;
  }

  #internTask(pid: number, tgid: number, comm: string): number {
    const key = `${pid}\0${tgid}\0${comm}`;
    let task = this.#taskIds.get(key);
    if (task === undefined) {
      task = this.#pids.length;
      this.#pids.push(pid);
      this.#tgids.push(tgid);
      this.#comms.push(comm);
      this.#taskIds.set(key, task);
    }
    this.#lastTask = task;
    return task;
  }

  #grow(): number {
    if (this.#count === RUN_BASE) throw new RangeError(`task contexts: more than ${RUN_BASE} in use`);
    if (this.#count === this.#task.length) {
      const size = this.#task.length * 2;
      const grow = <T extends Int32Array | Uint32Array | Float64Array>(array: T): T => {
        const grown = new (array.constructor as new (length: number) => T)(size);
        grown.set(array);
        return grown;
      };
      this.#task = grow(this.#task);
      this.#ts = grow(this.#ts);
      this.#handle = grow(this.#handle);
      this.#info = grow(this.#info);
      this.#refcount = grow(this.#refcount);
    }
    return this.#count++;
  }
}
