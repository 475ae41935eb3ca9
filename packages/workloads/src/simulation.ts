import type { Kernel } from '@mm/kernel';
import { PAGE_SIZE } from '@mm/physmem';
import type { VmFile, VmTask } from '@mm/vm';
import { type KernelPath, type KernelPaths, pathsV4, pathsV6 } from './kernel-paths';
import { Xorshift32 } from './xorshift32';

/** A simulated task: what `current` is while it runs, its process in the vm, and its kernel pages. */
export interface SimTask {
  readonly pid: number;
  readonly tgid: number;
  comm: string;
  readonly cpu: number;
  /** The task's memory cgroup (a `MemoryCgroups` id). */
  readonly memcg: number;
  /** Its process in the vm: address space, mappings, page tables (`kernel.vm`). */
  readonly vm: VmTask;
  /** Its anonymous heap: where it starts, how many pages it spans, how many it has faulted. */
  readonly heap: { address: number; pages: number; used: number };
  /** Kernel pages it holds besides its mappings (its kernel stack), freed at exit: [pfn, pages]. */
  readonly kernelPages: [number, number][];
}

/** How to create a task. */
export interface SpawnOptions {
  /** Join this thread group (default: a new one). */
  readonly tgid?: number;
  /** Its memory cgroup's name (`cgroup_name()`: the last component of its path); default the simulation's. */
  readonly memcg?: string;
}

/** The most variants of a path resolved (the first ones of the product of its alternatives). */
const MAX_VARIANTS = 1024;
/** Pages a read or write handles before time passes (readahead's and the writer's batch). */
const IO_CHUNK = 32;
/** Pages an anonymous heap grows by when a task faults past its end (`brk()` in steps). */
const HEAP_GROWTH = 4096;

/**
 * The API workloads are written against: tasks with processes in the kernel's vm, simulated time, kernel call
 * paths, and the pages they allocate and free through the kernel's allocator and page cache. Everything is
 * deterministic for a given seed. Faults, reads and writes go through `kernel.vm` (page tables, the LRU lists,
 * the page cache, memory cgroups), so pages carry the flags, mapcounts and charges of a real machine, and kswapd
 * and the flusher run when time passes ({@link step}).
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
  /** The files read and written, by name. */
  readonly files = new Map<string, VmFile>();
  /** The memory cgroup new tasks are in unless told otherwise (`cgroup_name()`). */
  defaultMemcg = '/';
  #nextPid = 200;
  readonly #random: Xorshift32;
  readonly #resolved = new Map<KernelPath, Uint32Array[]>();
  /** The task `run()` runs, whose context file reads and writes happen in. */
  #running: SimTask | undefined;
  /** Counts the operations (faults, read and write chunks): the vm's paths pick one variant per operation. */
  #operation = 0;
  /** Pages the workload could not get (allocation failures). */
  failures = 0;
  /** What workloads count of their own (`debug_pagealloc.injected`, ...). */
  readonly counters = new Map<string, number>();

  constructor(kernel: Kernel, options: { seed?: number } = {}) {
    this.kernel = kernel;
    this.paths = kernel.profile.era === 'v4' ? pathsV4 : pathsV6;
    this.#random = new Xorshift32(options.seed ?? 1);
    // The vm's faults and frees go through the paths workloads know: a variant picked for each operation (a fault,
    // a read or write of a chunk), which all its pages share, as the pages of one read() share its stack.
    const { callPaths } = kernel.vm;
    const paths = this.paths;
    const pick = (path: KernelPath) => {
      let epoch = -1;
      let frames: Uint32Array | undefined;
      return () => {
        if (epoch !== this.#operation || frames === undefined) {
          epoch = this.#operation;
          frames = this.resolve(path);
        }
        return frames;
      };
    };
    callPaths.anonFault = pick(paths.anonFault);
    callPaths.cowFault = pick(paths.cowFault);
    callPaths.fileFault = pick(paths.execFault);
    callPaths.fileRead = pick(paths.fileRead);
    callPaths.fileWrite = pick(paths.fileWrite);
    callPaths.shmemFault = pick(paths.shmemWrite);
    callPaths.pageTable = pick(paths.faultPageTable);
    callPaths.unmapFree = pick(paths.exitFree);
    callPaths.pageTableFree = pick(paths.pageTableFree);
    callPaths.cacheFree = pick(paths.reclaimFree);
    callPaths.directReclaimFree = pick(paths.directReclaimFree);
    callPaths.oomReapFree = pick(paths.oomReapFree);
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

  /**
   * Lets simulated time pass (nanoseconds); what the kernel does meanwhile runs: the flusher writes back dirty
   * pages, and kswapd reclaims if an allocation woke it.
   */
  step(nanoseconds: number): void {
    this.kernel.memory.clock.advance(nanoseconds);
    this.kernel.vm.background();
  }

  /**
   * Creates a task with a process of its own in the vm (a new thread group unless `tgid` is given), on a CPU
   * chosen round-robin, in the memory cgroup `memcg` (default {@link defaultMemcg}).
   */
  spawn(comm: string, options: SpawnOptions | number = {}): SimTask {
    const { tgid, memcg: memcgName } = typeof options === 'number' ? { tgid: options, memcg: undefined } : options;
    const pid = this.#nextPid++;
    const { vm } = this.kernel;
    const leader = tgid === undefined ? undefined : this.tasks.get(tgid);
    const memcg = leader?.memcg ?? this.kernel.memory.memcg.cgroup(memcgName ?? this.defaultMemcg);
    const process = leader === undefined ? vm.createProcess(comm, pid, memcg) : vm.createThread(leader.vm, comm);
    const task: SimTask = {
      pid,
      tgid: tgid ?? pid,
      comm: comm.slice(0, 15),
      cpu: pid % this.kernel.memory.cpus,
      memcg,
      vm: process,
      heap: { address: 0, pages: 0, used: 0 },
      kernelPages: [],
    };
    this.tasks.set(pid, task);
    return task;
  }

  /** Runs `body` as `task`: `current`, the CPU and the memory cgroup are the task's. */
  run<T>(task: SimTask, body: () => T): T {
    const running = this.#running;
    this.#running = task;
    try {
      return this.kernel.memory.current.runAs(task, body);
    } finally {
      this.#running = running;
    }
  }

  /**
   * The return addresses of a path. A path with alternatives has several variants (all resolved once, at most {@link MAX_VARIANTS});
   * each call picks one with the seeded sequence, as different callers come through different code.
   */
  resolve(path: KernelPath): Uint32Array {
    let variants = this.#resolved.get(path);
    if (variants === undefined) {
      let combinations: string[][] = [[]];
      for (const part of path) {
        const runs = typeof part === 'string' ? [[part]] : part;
        combinations = combinations.flatMap((prefix) => runs.map((run) => [...prefix, ...run])).slice(0, MAX_VARIANTS);
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

  /**
   * A new slab of a cache through `path` (`allocate_slab()`): `2^order` pages marked as a slab, counted as
   * reclaimable (dentries, inodes) or not, and in v6.18 with object extensions when its objects are charged to
   * cgroups (`SLAB_ACCOUNT`). Slabs stay allocated. Returns the pfn, or -1.
   */
  slab(
    path: KernelPath,
    gfp: number,
    order: number,
    options: { reclaimable?: boolean; accounted?: boolean } = {},
  ): number {
    const pfn = this.alloc(path, gfp, order);
    if (pfn >= 0) this.kernel.vm.slabPage(pfn, order, options.reclaimable ?? false, options.accounted ?? false);
    return pfn;
  }

  /** `count` anonymous page faults by `task` on its heap (zeroed user pages), growing the heap as needed. */
  fault(task: SimTask, count: number): number {
    const { vm } = this.kernel;
    const heap = task.heap;
    let got = 0;
    this.run(task, () => {
      for (let index = 0; index < count && !task.vm.mm.oomKilled; index++) {
        if (heap.used === heap.pages) {
          heap.address = vm.mmap(
            task.vm,
            heap.pages === 0 ? { pages: HEAP_GROWTH, name: '[heap]' } : { pages: HEAP_GROWTH },
          );
          heap.pages = HEAP_GROWTH;
          heap.used = 0;
        }
        this.#operation++;
        if (vm.touch(task.vm, heap.address + heap.used * PAGE_SIZE, true) < 0) break;
        heap.used++;
        got++;
        this.step(1500);
      }
    });
    return got;
  }

  /** The file called `name`, of `pages` pages (a regular file, or tmpfs), made on first use at that size. */
  file(name: string, pages: number, options: { shmem?: boolean } = {}): VmFile {
    let file = this.files.get(name);
    if (file === undefined) {
      file = this.kernel.vm.createFile(name, Math.max(1, pages), options);
      this.files.set(name, file);
    }
    return file;
  }

  /**
   * Reads (or writes) `pages` pages of a file through the page cache, as the running task, a chunk of
   * {@link IO_CHUNK} pages at a time with time passing in between (so kswapd keeps up, as it runs alongside).
   */
  readFile(name: string, pages: number, write = false): void {
    const task = this.#requireRunning('readFile');
    this.#io(task, this.file(name, pages), pages, write, 400);
  }

  /** Writes `pages` pages to a tmpfs file, as the running task. */
  writeShmem(name: string, pages: number): void {
    const task = this.#requireRunning('writeShmem');
    this.#io(task, this.file(name, pages, { shmem: true }), pages, true, 600);
  }

  #io(task: SimTask, file: VmFile, pages: number, write: boolean, nanosecondsPerPage: number): void {
    const { vm } = this.kernel;
    const count = Math.min(pages, file.pages);
    for (let index = 0; index < count && !task.vm.mm.oomKilled; index += IO_CHUNK) {
      const chunk = Math.min(IO_CHUNK, count - index);
      this.#operation++;
      if (write) vm.writeFile(task.vm, file, index, chunk);
      else vm.readFile(task.vm, file, index, chunk);
      this.step(nanosecondsPerPage * chunk);
    }
  }

  #requireRunning(what: string): SimTask {
    const task = this.#running;
    if (task === undefined) throw new Error(`Simulation.${what}() reads and writes as a task: call it inside run()`);
    return task;
  }

  /**
   * Process exit: its mappings (anonymous pages freed, file pages left cached) and page tables go (`exit_mmap()`),
   * then its kernel pages.
   */
  exit(task: SimTask): void {
    this.kernel.vm.exit(task.vm);
    this.run(task, () => {
      for (const [pfn, pages] of task.kernelPages) {
        this.kernel.vm.kernelStackPages(pfn, pages, false);
        for (let page = pfn; page < pfn + pages; page++) this.free(this.paths.exitFree, page, 0);
      }
    });
    task.kernelPages.length = 0;
    this.tasks.delete(task.pid);
  }
}
