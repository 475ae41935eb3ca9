import type { Kernel } from '@mm/kernel';
import { markIdle, pageIdle } from '@mm/page-idle';
import { PAGE_SIZE } from '@mm/physmem';
import type { VmTask } from '@mm/vm';
import type { Simulation } from './simulation';
import type { Workload } from './workload';
import { Xorshift32 } from './xorshift32';

/** One process of the working-set workload. */
export interface WssProcessSpec {
  readonly comm: string;
  /** Private anonymous pages (heap). */
  readonly anonPages: number;
  /** Pages of a file of its own, mapped shared (a database's data file). */
  readonly filePages: number;
  /** Pages of the tmpfs segment every process with sharedPages > 0 maps (`/dev/shm/wss`). */
  readonly sharedPages: number;
  /** The fraction of its pages it touches every tick (the same pages each time: its working set). */
  readonly hotFraction: number;
}

/** Three services with different working sets, two of them sharing a tmpfs segment. */
export const defaultWssProcesses: readonly WssProcessSpec[] = [
  { comm: 'postgres', anonPages: 4096, filePages: 4096, sharedPages: 1024, hotFraction: 0.25 },
  { comm: 'redis-server', anonPages: 8192, filePages: 0, sharedPages: 0, hotFraction: 0.1 },
  { comm: 'nginx', anonPages: 1024, filePages: 2048, sharedPages: 1024, hotFraction: 0.5 },
];

/** A process of the workload: its task, where its mappings are, and which of its pages are hot. */
export interface WssProcess {
  readonly spec: WssProcessSpec;
  readonly task: VmTask;
  /** Virtual address of each of its pages (anonymous, then file, then shared). */
  readonly addresses: Float64Array;
  /** 1 for the pages it touches every tick. */
  readonly hot: Uint8Array;
}

/**
 * The `wss` workload: processes with anonymous, file-backed and shared memory, each touching a fixed hot fraction
 * of its pages (through its page tables) every tick, a tenth of them with writes. It keeps the ground truth idle
 * tracking estimates: which pages anyone touched since {@link resetTouched}.
 */
export class WssWorkload {
  readonly kernel: Kernel;
  readonly processes: WssProcess[] = [];
  /** Per pfn: touched since the last reset. */
  readonly #touched: Uint8Array;
  ticks = 0;

  constructor(kernel: Kernel, specs: readonly WssProcessSpec[] = defaultWssProcesses, seed = 1) {
    this.kernel = kernel;
    const random = new Xorshift32(seed);
    this.#touched = new Uint8Array(kernel.memory.maxPfn);
    const { vm } = kernel;
    const sharedPages = Math.max(0, ...specs.map((spec) => spec.sharedPages));
    const shared = sharedPages > 0 ? vm.createFile('/dev/shm/wss', sharedPages, { shmem: true }) : undefined;
    for (const spec of specs) {
      const task = vm.createProcess(spec.comm);
      const regions: { start: number; pages: number }[] = [];
      if (spec.anonPages > 0) regions.push({ start: vm.mmap(task, { pages: spec.anonPages }), pages: spec.anonPages });
      if (spec.filePages > 0) {
        const file = vm.createFile(`/var/lib/${spec.comm}/data`, spec.filePages);
        regions.push({ start: vm.mmap(task, { pages: spec.filePages, file, shared: true }), pages: spec.filePages });
      }
      if (spec.sharedPages > 0 && shared !== undefined) {
        regions.push({
          start: vm.mmap(task, { pages: spec.sharedPages, file: shared, shared: true }),
          pages: spec.sharedPages,
        });
      }
      const total = regions.reduce((sum, region) => sum + region.pages, 0);
      const addresses = new Float64Array(total);
      let at = 0;
      for (const region of regions) {
        for (let page = 0; page < region.pages; page++) addresses[at++] = region.start + page * PAGE_SIZE;
      }
      const hot = new Uint8Array(total);
      for (let page = 0; page < total; page++) hot[page] = random.next() < spec.hotFraction ? 1 : 0;
      this.processes.push({ spec, task, addresses, hot });
    }
  }

  /**
   * Faults every page in (each process touches all of its memory once). Returns the pages it could not map: a
   * process the OOM killer chose stops there (it would exit), and the rest of its pages count as not mapped.
   */
  populate(): number {
    let failed = 0;
    for (const process of this.processes) {
      const { addresses, task } = process;
      for (let page = 0; page < addresses.length; page++) {
        if (task.mm.oomKilled) {
          failed += addresses.length - page;
          break;
        }
        if (this.#touch(task, addresses[page]!, false) < 0) failed++;
      }
    }
    return failed;
  }

  /** One tick: every process touches its hot pages, writing to a tenth of them; time moves on 10 ms. */
  tick(): void {
    for (const process of this.processes) {
      const { addresses, hot, task } = process;
      for (let page = 0; page < addresses.length; page++) {
        if (hot[page] === 1) this.#touch(task, addresses[page]!, page % 10 === 0);
      }
    }
    this.kernel.memory.clock.advance(10e6);
    this.ticks++;
  }

  /** Forgets what was touched (the ground truth starts again, as when the idle bits are set). */
  resetTouched(): void {
    this.#touched.fill(0);
  }

  /** The process's mapped pages that anyone touched since the last reset (each page once). */
  touchedPages(process: WssProcess): number {
    const { vm } = this.kernel;
    const seen = new Set<number>();
    for (const address of process.addresses) {
      const pfn = vm.translate(process.task, address);
      if (pfn >= 0 && this.#touched[pfn] === 1) seen.add(pfn);
    }
    return seen.size;
  }

  #touch(task: VmTask, address: number, write: boolean): number {
    const pfn = this.kernel.vm.touch(task, address, write);
    if (pfn >= 0) this.#touched[pfn] = 1;
    return pfn;
  }
}

/**
 * `wss` for `mmsim run`: the default processes fault their memory in; with idle page tracking, every mapped page is
 * then marked idle through /sys/kernel/mm/page_idle/bitmap, as a working-set estimate starts; then 20 ticks. The
 * bitmap at the end shows the cold pages, the rest of the LRU pages are the working set.
 */
export function wssWorkload(ticks = 20): Workload {
  return {
    name: 'wss',
    description: 'three services touching a fixed hot fraction of their anonymous, file and shared pages each tick',
    run(sim: Simulation, progress) {
      const { kernel } = sim;
      const workload = new WssWorkload(kernel, defaultWssProcesses, sim.randomInt(1, 2 ** 31 - 1));
      workload.populate();
      const idle = kernel.feature(pageIdle);
      if (idle !== undefined) {
        const pfns = workload.processes.flatMap((process) =>
          [...process.addresses].map((address) => kernel.vm.translate(process.task, address)).filter((pfn) => pfn >= 0),
        );
        markIdle(
          idle.bitmapFile(),
          [...new Set(pfns)].sort((a, b) => a - b),
        );
      }
      for (let tick = 0; tick < ticks; tick++) {
        workload.tick();
        progress?.((tick + 1) / ticks);
      }
    },
  };
}
