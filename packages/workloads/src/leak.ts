import { ioctlPath } from './driver-paths';
import type { Simulation } from './simulation';
import type { Workload } from './workload';

/** The counter of pages the `leak` workload's driver leaked. */
export const LEAKED_COUNTER = 'leak.pages';

/**
 * `leak`: normal traffic (short-lived processes faulting memory and reading files, then exiting) with a driver,
 * `leaky_drv`, whose ioctl allocates 8 pages and frees only 7 each tick. Two page_owner dumps an interval apart,
 * compared with `mmsim diff`, name its stack as the one that grows.
 */
export function leakWorkload(ticks = 40): Workload {
  return {
    name: 'leak',
    description: 'a driver leaking one page a tick among normal traffic (two dumps and mmsim diff find it)',
    run(sim: Simulation, progress) {
      const { kernel } = sim;
      const era = kernel.profile.era;
      const alloc = ioctlPath(era, 'leaky_drv_ioctl+0x5a/0x1c0 [leaky_drv]', 'alloc');
      const free = ioctlPath(era, 'leaky_drv_ioctl+0x13b/0x1c0 [leaky_drv]', 'free');
      const g = kernel.profile.gfp.flags;
      kernel.memory.modules.push('leaky_drv');
      const daemon = sim.spawn('leakyd');
      for (let tick = 0; tick < ticks; tick++) {
        const worker = sim.spawn(`worker${tick % 4}`);
        sim.run(worker, () => {
          sim.fault(worker, 64);
          sim.readFile(`/usr/share/data/${tick % 8}`, 32);
        });
        sim.exit(worker);
        sim.run(daemon, () => {
          const pages = Array.from({ length: 8 }, () => sim.alloc(alloc, g.GFP_KERNEL, 0));
          for (const pfn of pages.slice(1)) if (pfn >= 0) sim.free(free, pfn, 0);
          if (pages[0]! >= 0) sim.count(LEAKED_COUNTER);
        });
        sim.step(100e6);
        progress?.((tick + 1) / ticks);
      }
    },
  };
}
