import { bootModules, modulePaths } from './module-paths';
import type { SimTask, Simulation } from './simulation';
import type { Workload } from './workload';

/** Options of the kernel-build workload. */
export interface KernelBuildOptions {
  /** Compile units; default 200 plus 40 per GiB of memory. */
  readonly units?: number;
  /** Parallel jobs (`make -j`); default twice the CPUs. */
  readonly jobs?: number;
}

/**
 * udev loads the machine's modules, then `make -j`: for each compile unit, make forks a compiler (kernel stack, page tables), which execs (page tables,
 * an exec buffer from kmalloc), reads the compiler binary, its source and a handful of shared headers through
 * the page cache (new dentries filling dentry slab pages), grows its heap by anonymous page faults, writes its
 * object file and exits, freeing its anonymous memory and page tables. The page cache is kept under a third of
 * memory by kswapd reclaiming the oldest pages. The stacks are the real kernel paths of each era.
 */
export function kernelBuild(options: KernelBuildOptions = {}): Workload {
  return {
    name: 'kernel-build',
    description: 'make -j: compilers fork, exec, read sources and headers, fault in heaps, write objects, exit',
    run(sim, progress) {
      const { kernel, paths } = sim;
      const g = kernel.profile.gfp.flags;
      const memory = kernel.memory;
      const gib = Math.max(1, Math.round((memory.presentPages * 4096) / 2 ** 30));
      const units = options.units ?? 200 + 40 * gib;
      const jobs = options.jobs ?? 2 * memory.cpus;
      const managed = memory.zones.reduce((sum, zone) => sum + zone.managedPages, 0);
      const cacheLimit = Math.floor(managed / 3);
      const heapPages = Math.max(64, Math.min(1500, Math.floor(managed / (jobs * 40))));
      const v6 = kernel.profile.era === 'v6';
      loadModules(sim);
      const make = sim.spawn('make');
      let dentries = 0;
      let kmallocs = 0;
      const openFile = (name: string, pages: number, write = false) => {
        if (!sim.files.has(name) && dentries++ % 21 === 0) {
          const pfn = sim.alloc(paths.slabDentry, g.GFP_KERNEL | g.RECLAIMABLE | g.NOWARN | g.NORETRY, 0);
          if (pfn >= 0) markSlab(sim, pfn);
        }
        sim.readFile(name, pages, write);
      };
      sim.run(make, () => {
        sim.fault(make, 400);
        for (let file = 0; file < 40; file++) openFile(`Makefile.${file}`, 2);
      });
      const running: SimTask[] = [];
      for (let unit = 0; unit < units; unit++) {
        const compiler = sim.spawn(unit % 7 === 0 ? 'as' : 'cc1');
        sim.run(make, () => {
          // fork(): the child's kernel stack and page tables.
          if (v6) {
            for (let page = 0; page < 4; page++) {
              const pfn = sim.alloc(paths.kernelStack, g.GFP_KERNEL_ACCOUNT | g.ZERO | g.HIGHMEM, 0);
              if (pfn >= 0) compiler.pageTables.push(pfn);
            }
          } else {
            const pfn = sim.alloc(paths.kernelStack, g.GFP_KERNEL | g.NOTRACK, 2);
            if (pfn >= 0) for (let page = 0; page < 4; page++) compiler.pageTables.push(pfn + page);
            if (pfn >= 0) kernel.buddy.splitPage(pfn, 2);
          }
          for (let page = 0; page < 4; page++) {
            const pfn = sim.alloc(paths.forkPageTable, g.GFP_KERNEL_ACCOUNT | g.ZERO, 0);
            if (pfn >= 0) compiler.pageTables.push(pfn);
          }
        });
        sim.step(200_000);
        sim.run(compiler, () => {
          // execve(): an exec buffer now and then, the new stack's page tables, the binary's segments, its text.
          if (kmallocs++ % 16 === 0) {
            const pfn = sim.alloc(paths.slabKmalloc, g.GFP_KERNEL | g.COMP | g.NOWARN | g.NORETRY, 1);
            if (pfn >= 0) markSlab(sim, pfn);
          }
          for (let page = 0; page < 2; page++) {
            const pfn = sim.alloc(paths.execPageTable, g.GFP_KERNEL_ACCOUNT | g.ZERO, 0);
            if (pfn >= 0) compiler.pageTables.push(pfn);
          }
          for (let page = 0; page < 8; page++) {
            const pfn = sim.alloc(paths.execFault, g.GFP_HIGHUSER_MOVABLE, 0);
            if (pfn >= 0) compiler.anon.push(pfn);
          }
          openFile(compiler.comm === 'as' ? 'usr/bin/as' : 'usr/libexec/gcc/cc1', compiler.comm === 'as' ? 180 : 900);
          sim.step(500_000);
          openFile(`src/unit${unit}.c`, sim.randomInt(4, 40));
          for (let header = 0; header < 12; header++)
            openFile(`include/header${sim.randomInt(0, 1999)}.h`, sim.randomInt(2, 12));
          sim.fault(compiler, sim.randomInt(heapPages >> 2, heapPages));
          openFile(`obj/unit${unit}.o`, sim.randomInt(4, 30), true);
        });
        running.push(compiler);
        if (running.length > jobs) sim.exit(running.shift()!);
        if (sim.cachedPages > cacheLimit) sim.reclaim(Math.floor(cacheLimit * 0.8));
        sim.step(1_000_000);
        if (unit % 16 === 0) progress?.(unit / units);
      }
      for (const task of running) sim.exit(task);
      sim.run(make, () => sim.writeShmem('tmp/make.log', 64));
      progress?.(1);
    },
  };
}

/**
 * udev loading the machine's modules: each module's init allocates a buffer and its probe a DMA ring, which stay
 * allocated (modules are not unloaded).
 */
function loadModules(sim: Simulation): void {
  const g = sim.kernel.profile.gfp.flags;
  const era = sim.kernel.profile.era;
  const udev = sim.spawn(era === 'v6' ? '(udev-worker)' : 'systemd-udevd');
  sim.run(udev, () => {
    for (const name of bootModules) {
      const paths = modulePaths(name, era);
      sim.alloc(paths.init, g.GFP_KERNEL | g.COMP, 1);
      sim.alloc(paths.probe, g.GFP_KERNEL, 2);
      sim.step(2_000_000);
    }
  });
  sim.tasks.delete(udev.pid);
}

/** Slab pages: `PG_slab` in v4.x, the slab page type in v6.x. */
function markSlab(sim: Simulation, pfn: number): void {
  const memory = sim.kernel.memory;
  const bit = memory.profile.pageFlags.bit.slab;
  if (bit >= 0) memory.setPageFlag(pfn, bit);
  else memory.setPageType(pfn, 1);
}
