import { debugPagealloc, INJECTED_BUGS_COUNTER } from '@mm/debug-pagealloc';
import { boot } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
import { Simulation, uafWorkload } from '@mm/workloads';

/** Runs the `uaf` workload on a machine booted with `cmdline`; returns what was injected and caught, and the log. */
export function useAfterFree(cmdline = 'debug_pagealloc=on page_owner=on') {
  const kernel = boot({ memory: '512M', cmdline, features: [debugPagealloc(), pageOwner()] });
  const sim = new Simulation(kernel, { seed: 1 });
  uafWorkload(4).run(sim);
  const stats = kernel.feature(debugPagealloc)!.stats;
  return {
    injected: sim.counters.get(INJECTED_BUGS_COUNTER) ?? 0,
    caught: stats.faults + stats.corruptions,
    dmesg: kernel.dmesg(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { injected, caught, dmesg } = useAfterFree(process.argv[2]);
  const first = Math.max(dmesg.indexOf('BUG: unable to handle'), dmesg.indexOf('pagealloc: '));
  console.log(`${caught} of ${injected} injected bugs caught. The first report:`);
  console.log(
    dmesg
      .slice(dmesg.lastIndexOf('\n', first) + 1)
      .split('\n')
      .slice(0, 40)
      .join('\n'),
  );
}
