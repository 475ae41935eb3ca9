import { boot } from '@mm/kernel';
import { compactionCounters, formatUnusableIndex, migrate } from '@mm/migrate';
import { pageOwner } from '@mm/page-owner';
import { fragmentWorkload, Simulation } from '@mm/workloads';

/** Fragments a machine (the `fragment` workload compacts it in the end) and reports before and after. */
export function compactionDemo() {
  const kernel = boot({ memory: '512M', cmdline: 'page_owner=on', features: [migrate(), pageOwner()] });
  const sim = new Simulation(kernel, { seed: 1 });
  fragmentWorkload().run(sim);
  return {
    order9Before: sim.counters.get(compactionCounters.order9Before) === 1,
    order9After: sim.counters.get(compactionCounters.order9After) === 1,
    migratedPages: sim.counters.get(compactionCounters.migratedPages) ?? 0,
    unusableIndex: formatUnusableIndex(kernel.buddy),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = compactionDemo();
  console.log(`order-9 allocation before compaction: ${result.order9Before ? 'succeeded' : 'failed'}`);
  console.log(`compaction migrated ${result.migratedPages} pages`);
  console.log(`order-9 allocation after: ${result.order9After ? 'succeeded' : 'failed'}`);
  console.log(`/sys/kernel/debug/extfrag/unusable_index now:\n${result.unusableIndex}`);
}
