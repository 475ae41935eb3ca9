import { compactionCounters, migrate } from '@mm/migrate';
import { PAGE_SIZE } from '@mm/physmem';
import type { Simulation } from './simulation';
import type { Workload } from './workload';

/**
 * `fragment`: a process faults in anonymous memory until no free block of order 9 is left (stopping short of the
 * low watermarks, below which reclaim and the OOM killer would step in), with an unmovable kernel
 * allocation (a slab page) after every 64 pages, then gives back every other page (`MADV_DONTNEED`); a driver takes
 * the few large blocks the allocator had kept whole inside the watermark reserves. Half the memory is free again,
 * but in single pages: an order-9 allocation fails. Compaction (`compact_memory`) moves the
 * remaining movable pages together and the same allocation succeeds. Direct compaction is off during the first
 * try, so that it really fails; the counters (`compactionCounters` of @mm/migrate, whose summary shows them) record
 * both tries and the pages compaction migrated. The kernel needs the migration feature (`migrate()`).
 */
export function fragmentWorkload(): Workload {
  return {
    name: 'fragment',
    description:
      'interleaved movable and unmovable pages, half freed; an order-9 allocation before and after compaction',
    run(sim: Simulation, progress) {
      const { kernel } = sim;
      const { vm, buddy } = kernel;
      const compaction = kernel.feature(migrate)?.compaction;
      if (compaction === undefined) throw new Error('the fragment workload needs a kernel with migrate() (compaction)');
      const g = kernel.profile.gfp.flags;
      const pages = buddy.totalFreePages();
      /** Whether a free block of order 9 or more is left anywhere. */
      const largeBlockLeft = () => buddy.zones.some((zone) => zone.nrFree[9]! > 0 || zone.nrFree[10]! > 0);
      // Below the low watermarks reclaim, then the OOM killer, would step in: the fragmenter stops short of them.
      const low = buddy.zones.reduce((sum, zone) => sum + zone.watermark.low, 0);
      const runner = sim.spawn('fragmenter');
      const task = runner.vm;
      const start = vm.mmap(task, { pages });
      let touched = 0;
      sim.run(runner, () => {
        // Fault memory in until no large free block is left (checked every pageblock's worth of pages).
        while (touched < pages && (touched % 512 !== 0 || largeBlockLeft()) && buddy.nrFreePages() > low + 1024) {
          if (vm.touch(task, start + touched * PAGE_SIZE, true) < 0) break;
          touched++;
          if (touched % 64 === 0) sim.alloc(sim.paths.slabKmalloc, g.GFP_KERNEL, 0);
          if (touched % 65536 === 0) progress?.((touched / pages) * 0.6);
        }
        for (let page = 1; page < touched; page += 2) vm.discard(task, start + page * PAGE_SIZE, 1);
        // The blocks the allocator kept whole inside the zones' reserves: a driver takes them for its 2 MiB DMA
        // buffers (unmovable), so that all free memory left is in the holes of the movable pages.
        while (largeBlockLeft() && sim.alloc(sim.paths.slabKmalloc, g.GFP_NOWAIT | g.NOWARN, 9) >= 0) {}
      });
      progress?.(0.7);
      const huge = g.GFP_HIGHUSER_MOVABLE | g.NOWARN;
      compaction.disableDirectCompaction();
      const before = buddy.allocPages(huge, 9);
      compaction.enableDirectCompaction(kernel.hooks);
      if (before >= 0) buddy.freePages(before, 9);
      const migrated = compaction.compactMemory();
      progress?.(0.9);
      const after = buddy.allocPages(huge, 9);
      if (after >= 0) buddy.freePages(after, 9);
      sim.count(compactionCounters.order9Before, before >= 0 ? 1 : 0);
      sim.count(compactionCounters.order9After, after >= 0 ? 1 : 0);
      sim.count(compactionCounters.migratedPages, migrated);
      progress?.(1);
    },
  };
}
