import { PAGE_SIZE } from '@mm/physmem';
import type { Simulation } from './simulation';
import type { Workload } from './workload';

/** The counter of pages the hog got. */
export const HOG_COUNTER = 'hog.pages';

/**
 * `hog`: a process maps a region as large as memory and touches it until a fault finds no page (the allocator's
 * watermarks stop it, with the kernel's allocation failure report), then holds what it got: the machine as a memory
 * hog leaves it.
 */
export function hogWorkload(): Workload {
  return {
    name: 'hog',
    description: 'a process touching anonymous memory until no page is left, then holding it',
    run(sim: Simulation, progress) {
      const { vm, buddy } = sim.kernel;
      const pages = buddy.totalFreePages();
      const runner = sim.spawn('memhog');
      const task = vm.createProcess(runner.comm, runner.pid);
      const start = vm.mmap(task, { pages });
      let got = 0;
      sim.run(runner, () => {
        while (got < pages && vm.touch(task, start + got * PAGE_SIZE, true) >= 0) {
          got++;
          if (got % 65536 === 0) progress?.(got / pages);
        }
      });
      sim.count(HOG_COUNTER, got);
      progress?.(1);
    },
  };
}
