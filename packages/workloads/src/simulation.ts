import type { Kernel } from '@mm/kernel';
import { type KernelPath, type KernelPaths, pathsV4, pathsV6 } from './kernel-paths';
import { Xorshift32 } from './xorshift32';

/** A simulated task: what `current` is while it runs, and the pages it holds. */
export interface SimTask {
  readonly pid: number;
  readonly tgid: number;
  comm: string;
  readonly cpu: number;
  /** Anonymous pages (order 0) mapped by the task. */
  readonly anon: number[];
  /** Page table pages. */
  readonly pageTables: number[];
}

/** A file in the page cache: its cached pages. */
export interface SimFile {
  readonly name: string;
  readonly pages: number[];
  /** tmpfs files are never reclaimed. */
  readonly shmem: boolean;
}

/**
 * The API workloads are written against: tasks, simulated time, kernel call paths, and the pages they allocate
 * and free through the kernel's allocator. Everything is deterministic for a given seed.
 *
 * ```ts
 * const sim = new Simulation(kernel, { seed: 1 });
 * const task = sim.spawn('myapp');
 * sim.run(task, () => sim.fault(task, 100)); // 100 anonymous page faults
 * sim.exit(task);
 * ```
 */
export class Simulation {
  readonly kernel: Kernel;
  /** The era's call paths (v4 or v6 function names). */
  readonly paths: KernelPaths;
  readonly tasks = new Map<number, SimTask>();
  readonly files = new Map<string, SimFile>();
  /** Page cache pages in the order they were added (oldest first), for reclaim. */
  readonly #cacheOrder: { file: SimFile; pfn: number }[] = [];
  #cacheHead = 0;
  #nextPid = 200;
  readonly #random: Xorshift32;
  readonly #resolved = new Map<KernelPath, Uint32Array[]>();
  /** Pages the workload could not get (allocation failures). */
  failures = 0;
  /** What workloads count of their own (`debug_pagealloc.injected`, ...). */
  readonly counters = new Map<string, number>();

  constructor(kernel: Kernel, options: { seed?: number } = {}) {
    this.kernel = kernel;
    this.paths = kernel.profile.era === 'v4' ? pathsV4 : pathsV6;
    this.#random = new Xorshift32(options.seed ?? 1);
    // The vm's faults and frees go through the nearest paths workloads know (one variant each, chosen once).
    const { callPaths } = kernel.vm;
    const paths = this.paths;
    callPaths.anonFault = this.resolve(paths.anonFault);
    callPaths.cowFault = this.resolve(paths.cowFault);
    callPaths.fileFault = this.resolve(paths.execFault);
    callPaths.fileRead = this.resolve(paths.fileRead);
    callPaths.shmemFault = this.resolve(paths.shmemWrite);
    callPaths.pageTable = this.resolve(paths.execPageTable);
    callPaths.unmapFree = this.resolve(paths.exitFree);
    callPaths.pageTableFree = this.resolve(paths.pageTableFree);
    callPaths.cacheFree = this.resolve(paths.reclaimFree);
  }

  /** A number in [0, 1) from the seeded sequence (xorshift32). */
  random(): number {
    return this.#random.next();
  }

  /** An integer in [min, max]. */
  randomInt(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** Adds `amount` to a counter. */
  count(name: string, amount = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + amount);
  }

  /** Lets simulated time pass (nanoseconds). */
  step(nanoseconds: number): void {
    this.kernel.memory.clock.advance(nanoseconds);
  }

  /** Creates a task (a new thread group unless `tgid` is given), on a CPU chosen round-robin. */
  spawn(comm: string, tgid?: number): SimTask {
    const pid = this.#nextPid++;
    const task: SimTask = {
      pid,
      tgid: tgid ?? pid,
      comm: comm.slice(0, 15),
      cpu: pid % this.kernel.memory.cpus,
      anon: [],
      pageTables: [],
    };
    this.tasks.set(pid, task);
    return task;
  }

  /** Runs `body` as `task`: `current` and the CPU are the task's. */
  run<T>(task: SimTask, body: () => T): T {
    return this.kernel.memory.current.runAs(task, body);
  }

  /**
   * The return addresses of a path. A path with alternatives has several variants (all resolved once, at most 256);
   * each call picks one with the seeded sequence, as different callers come through different code.
   */
  resolve(path: KernelPath): Uint32Array {
    let variants = this.#resolved.get(path);
    if (variants === undefined) {
      let combinations: string[][] = [[]];
      for (const part of path) {
        const runs = typeof part === 'string' ? [[part]] : part;
        combinations = combinations.flatMap((prefix) => runs.map((run) => [...prefix, ...run])).slice(0, 256);
      }
      variants = combinations.map((frames) => this.kernel.text.sites(frames));
      this.#resolved.set(path, variants);
    }
    return variants.length === 1 ? variants[0]! : variants[Math.floor(this.random() * variants.length)]!;
  }

  /** Allocates through a kernel path: the path's frames are on the stack while the allocator runs. */
  alloc(path: KernelPath, gfp: number, order: number): number {
    const { stack, buddy } = this.kernel;
    const depth = stack.depth;
    stack.pushAll(this.resolve(path));
    const pfn = buddy.allocPages(gfp, order);
    stack.unwindTo(depth);
    if (pfn < 0) this.failures++;
    return pfn;
  }

  /** Frees through a kernel path (its last frame is the free function). */
  free(path: KernelPath, pfn: number, order: number): void {
    const { stack, buddy } = this.kernel;
    const depth = stack.depth;
    stack.pushAll(this.resolve(path));
    buddy.freePages(pfn, order);
    stack.unwindTo(depth);
  }

  /** `count` anonymous page faults by `task` (zeroed user pages). */
  fault(task: SimTask, count: number, cow = false): number {
    const g = this.kernel.profile.gfp.flags;
    let got = 0;
    for (let index = 0; index < count; index++) {
      const pfn = this.alloc(cow ? this.paths.cowFault : this.paths.anonFault, g.GFP_HIGHUSER_MOVABLE | g.ZERO, 0);
      if (pfn < 0) break;
      task.anon.push(pfn);
      got++;
      this.step(1500);
    }
    return got;
  }

  /** Reads `pages` pages of a file into the page cache (cached pages cost nothing). */
  readFile(name: string, pages: number, write = false): void {
    let file = this.files.get(name);
    if (file === undefined) {
      file = { name, pages: [], shmem: false };
      this.files.set(name, file);
    }
    const g = this.kernel.profile.gfp.flags;
    const gfp = write ? g.GFP_HIGHUSER_MOVABLE : g.GFP_HIGHUSER_MOVABLE | g.NORETRY | g.NOWARN;
    while (file.pages.length < pages) {
      const pfn = this.alloc(write ? this.paths.fileWrite : this.paths.fileRead, gfp, 0);
      if (pfn < 0) return;
      file.pages.push(pfn);
      this.#cacheOrder.push({ file, pfn });
      this.step(400);
    }
  }

  /** Writes `pages` pages to a tmpfs file. */
  writeShmem(name: string, pages: number): void {
    let file = this.files.get(name);
    if (file === undefined) {
      file = { name, pages: [], shmem: true };
      this.files.set(name, file);
    }
    const g = this.kernel.profile.gfp.flags;
    for (let index = 0; index < pages; index++) {
      const pfn = this.alloc(this.paths.shmemWrite, g.GFP_HIGHUSER_MOVABLE, 0);
      if (pfn < 0) return;
      file.pages.push(pfn);
      this.step(600);
    }
  }

  /** Page cache pages currently cached. */
  get cachedPages(): number {
    return this.#cacheOrder.length - this.#cacheHead;
  }

  /** kswapd: frees the oldest page cache pages until at most `keep` are cached. */
  reclaim(keep: number): number {
    const kswapd = this.spawn('kswapd0', 0);
    let freed = 0;
    this.run(kswapd, () => {
      while (this.cachedPages > keep) {
        const entry = this.#cacheOrder[this.#cacheHead++]!;
        const at = entry.file.pages.indexOf(entry.pfn);
        if (at >= 0) entry.file.pages.splice(at, 1);
        this.free(this.paths.reclaimFree, entry.pfn, 0);
        freed++;
      }
    });
    this.tasks.delete(kswapd.pid);
    if (this.#cacheHead > 65536) {
      this.#cacheOrder.splice(0, this.#cacheHead);
      this.#cacheHead = 0;
    }
    return freed;
  }

  /** Process exit: its anonymous pages and page tables go back. */
  exit(task: SimTask): void {
    this.run(task, () => {
      for (const pfn of task.anon) this.free(this.paths.exitFree, pfn, 0);
      for (const pfn of task.pageTables) this.free(this.paths.pageTableFree, pfn, 0);
    });
    task.anon.length = 0;
    task.pageTables.length = 0;
    this.tasks.delete(task.pid);
  }
}
