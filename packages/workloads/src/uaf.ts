import { INJECTED_BUGS_COUNTER } from '@mm/debug-pagealloc';
import { ioctlPath } from './driver-paths';
import type { KernelPath } from './kernel-paths';
import type { Simulation } from './simulation';
import type { Workload } from './workload';

/**
 * `uaf`: two buggy drivers among normal traffic. `uaf_drv` writes to its buffer page after freeing it; `scribble`
 * frees a page and then a stray pointer writes 8 bytes into it. With debug_pagealloc unmapping freed pages both
 * writes fault (an oops each, the simulation goes on); with poisoning only, the writes land and the next allocation
 * of the page finds the damage (the drivers' next allocation gets the same page from the per-CPU list). Each bug is
 * counted in the simulation's `debug_pagealloc.injected` counter.
 */
export function uafWorkload(rounds = 8): Workload {
  return {
    name: 'uaf',
    description: 'two buggy drivers: writes after free and stray writes into freed pages, among normal traffic',
    run(sim: Simulation, progress) {
      const { kernel } = sim;
      const era = kernel.profile.era;
      const paths = {
        alloc: ioctlPath(era, 'uaf_drv_ioctl+0x4c/0x1a0 [uaf_drv]', 'alloc'),
        free: ioctlPath(era, 'uaf_drv_ioctl+0xe1/0x1a0 [uaf_drv]', 'free'),
        scribble: ioctlPath(era, 'scribble_ioctl+0x3a/0x120 [scribble]', 'alloc'),
        scribbleFree: ioctlPath(era, 'scribble_ioctl+0xb2/0x120 [scribble]', 'free'),
        use: ioctlPath(era, 'uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]', 'access'),
        scribbleUse: ioctlPath(era, 'scribble_ioctl+0xc9/0x120 [scribble]', 'access'),
      };
      /** A driver's write through the direct map, with its ioctl on the stack. */
      const write = (path: KernelPath, pfn: number, offset: number, data: Uint8Array) => {
        const depth = kernel.stack.depth;
        kernel.stack.pushAll(sim.resolve(path));
        try {
          directMap.write(pfn, offset, data);
        } finally {
          kernel.stack.unwindTo(depth);
        }
      };
      const { directMap } = kernel.memory;
      const g = kernel.profile.gfp.flags;
      kernel.memory.modules.push('uaf_drv', 'scribble');
      const task = sim.spawn('uaf-test');
      sim.run(task, () => {
        for (let round = 0; round < rounds; round++) {
          // Normal traffic between the bugs.
          sim.fault(task, 16);
          const buffer = sim.alloc(paths.alloc, g.GFP_KERNEL, 0);
          if (buffer >= 0) {
            directMap.write(buffer, 0, new TextEncoder().encode(`uaf_drv buffer ${round}`));
            sim.free(paths.free, buffer, 0);
            sim.step(10_000);
            // The bug: the driver still holds the pointer and writes through it (its ioctl on the stack, so that
            // a fault names it).
            write(paths.use, buffer, 0x10, Uint8Array.of(0x01, 0x00, 0x00, 0x00));
            sim.count(INJECTED_BUGS_COUNTER);
          }
          const page = sim.alloc(paths.scribble, g.GFP_KERNEL, 0);
          if (page >= 0) {
            sim.free(paths.scribbleFree, page, 0);
            sim.step(10_000);
            write(paths.scribbleUse, page, 0x808, Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x00));
            sim.count(INJECTED_BUGS_COUNTER);
            // The next allocation on this CPU takes the same page back: poisoning checks it here.
            const again = sim.alloc(paths.scribble, g.GFP_KERNEL, 0);
            if (again >= 0) sim.free(paths.scribbleFree, again, 0);
          }
          progress?.((round + 1) / rounds);
          // Seconds between the bugs (the kernel's poison reports are rate limited to 10 per 5 s).
          sim.step(3e9);
        }
      });
      sim.exit(task);
    },
  };
}
