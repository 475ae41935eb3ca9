import { PAGE_SIZE } from '@mm/physmem';
import type { Simulation } from './simulation';
import type { Workload } from './workload';

/** The counter of pages the hog got. */
export const HOG_COUNTER = 'hog.pages';

/**
 * `hog`: a process maps a region as large as memory and touches it until no page is left: reclaim frees what page
 * cache there is, then the OOM killer picks the hog (the largest process), prints the kernel's report and the OOM
 * reaper frees its memory; the run goes on. The counter is the pages it had when it was killed.
 */
export function hogWorkload(): Workload {
  return {
    name: 'hog',
    description: 'a process touching anonymous memory until the OOM killer kills it',
    run(sim: Simulation, progress) {
      const { vm, buddy } = sim.kernel;
      const pages = buddy.totalFreePages();
      const runner = sim.spawn('memhog');
      const task = runner.vm;
      const start = vm.mmap(task, { pages });
      let got = 0;
      sim.run(runner, () => {
        while (got < pages && !task.mm.oomKilled && vm.touch(task, start + got * PAGE_SIZE, true) >= 0) {
          got++;
          if (got % 65536 === 0) progress?.(got / pages);
        }
      });
      sim.count(HOG_COUNTER, got);
      sim.exit(runner);
      progress?.(1);
    },
  };
}
