import { boot, type Kernel } from '@mm/kernel';
import { forEachPageOwnerRecord, pageOwner } from '@mm/page-owner';
import { PAGE_SIZE } from '@mm/physmem';
import { beforeAll, describe, expect, it } from 'vitest';
// @mm/workloads by file, not as a dependency: its own tests boot @mm/defaults, which will build this feature in,
// and a dependency back on it would make a cycle of packages.
import { kernelBuild, Simulation } from '../../workloads/src/index';
import { type AllocTag, allocTag, codetagToText, NO_TAG } from '../src/index';

/** /proc/allocinfo's tag lines as a map from the tag's text to its bytes and calls (the header checked). */
function parseAllocinfo(text: string): Map<string, { bytes: number; calls: number }> {
  const lines = text.split('\n');
  expect(lines.slice(0, 2)).toEqual(['allocinfo - version: 2.0', '#     <size>  <calls> <tag info>']);
  expect(lines.at(-1)).toBe('');
  const sites = new Map<string, { bytes: number; calls: number }>();
  for (const line of lines.slice(2, -1)) {
    const match = /^ *(-?\d+) +(\d+) (.+) $/.exec(line);
    expect(match, line).not.toBeNull();
    sites.set(match![3]!, { bytes: Number(match![1]), calls: Number(match![2]) });
  }
  return sites;
}

/** The allocator's count of allocated pages: managed pages on neither a free list nor a per-CPU list. */
function allocatedPages(kernel: Kernel): number {
  return kernel.memory.zones.reduce((sum, zone) => sum + zone.managedPages, 0) - kernel.buddy.totalFreePages();
}

describe('after make -j (1 GiB, 60 compile units) with page_owner beside it', () => {
  let kernel: Kernel;
  let tags: AllocTag;
  /** The allocator's allocated pages when boot returned. */
  let allocatedAtBoot = 0;
  beforeAll(() => {
    kernel = boot({
      memory: '1G',
      cmdline: 'page_owner=on sysctl.vm.mem_profiling=1',
      cpus: 2,
      features: [pageOwner(), allocTag()],
    });
    allocatedAtBoot = allocatedPages(kernel);
    kernelBuild({ units: 60 }).run(new Simulation(kernel, { seed: 7 }));
    tags = kernel.feature(allocTag)!;
  });

  it("/proc/allocinfo's per-site totals are page_owner's per-stack totals, aggregated by allocating function", () => {
    const owner = kernel.feature(pageOwner)!;
    const listSlabs = new Set(owner.listSlabPfns);
    const byOwner = new Map<string, { bytes: number; calls: number }>();
    let early = 0;
    let depotPools = 0;
    forEachPageOwnerRecord(owner, (pfn, handle, order) => {
      // Allocated before page_ext existed: no reference, in no tag (page_owner's early sweep found them).
      if (handle === owner.earlyHandle) {
        expect(tags.refOf(pfn)).toBe(NO_TAG);
        early++;
        return;
      }
      let id: number;
      if (handle === owner.dummyHandle) {
        // page_owner records its own nested allocations with the dummy stack: the depot's pools, whose call site
        // the depot pushes (lib/stackdepot.c:677), and the kmalloc-16 slabs of page_owner_stacks, which mmsim
        // allocates with the caller's stack still on top (the kernel would charge alloc_slab_page). Those take
        // the tag the profiler gave them.
        id = tags.refOf(pfn);
        if (!listSlabs.has(pfn)) {
          expect(codetagToText(tags.sites.tag(id))).toBe('lib/stackdepot.c:677 func:stack_depot_save_flags');
          depotPools++;
        }
      } else {
        id = tags.sites.resolveFrames(owner.depot.framesOf(handle));
        // The same page, the same tag: what the profiler stored for the head page.
        expect(tags.refOf(pfn)).toBe(id);
      }
      const site = id === NO_TAG ? 'none' : codetagToText(tags.sites.tag(id));
      const counts = byOwner.get(site) ?? { bytes: 0, calls: 0 };
      counts.bytes += PAGE_SIZE * 2 ** order;
      counts.calls++;
      byOwner.set(site, counts);
    });
    expect(early).toBeGreaterThan(0);
    expect(depotPools).toBeGreaterThan(0);
    // Every allocation of the workload came through a call site of the table or a module's function.
    expect(byOwner.has('none')).toBe(false);
    expect(tags.untagged).toBe(0);

    const allocinfo = parseAllocinfo(kernel.readFile('proc/allocinfo')!);
    const used = new Map([...allocinfo].filter(([, counts]) => counts.calls !== 0 || counts.bytes !== 0));
    expect(used).toEqual(byOwner);
    // What the build holds at its end: page cache, anonymous memory, page tables, slabs, the depot's pools, the
    // modules' DMA rings and buffers (the compilers' kernel stacks went with them when they exited).
    for (const site of [
      'mm/readahead.c:189 func:ractl_alloc_folio',
      'mm/filemap.c:2012 func:__filemap_get_folio',
      'mm/memory.c:1190 func:folio_prealloc',
      'arch/x86/mm/pgtable.c:18 func:pte_alloc_one',
      'mm/slub.c:3059 func:alloc_slab_page',
      'lib/stackdepot.c:677 func:stack_depot_save_flags',
      'unknown:0 [xfs] func:xfs_init',
      'kernel/dma/direct.c:141 func:__dma_direct_alloc_pages',
    ]) {
      expect(used.get(site)?.bytes ?? 0, site).toBeGreaterThan(0);
    }
  });

  it('sums to the pages the buddy allocator handed out during the workload and has not taken back', () => {
    const allocinfo = parseAllocinfo(kernel.readFile('proc/allocinfo')!);
    const charged = [...allocinfo.values()].reduce((sum, counts) => sum + counts.bytes, 0) / PAGE_SIZE;
    // Nothing allocated after page_ext_init was left when boot returned (the core kernel allocates nothing after
    // it), and nothing the workload frees was allocated before (boot's slabs, tables and stacks, page_ext, the
    // depot's first pools stay): the difference is the workload's.
    expect(charged).toBe(allocatedPages(kernel) - allocatedAtBoot);
  });
});
