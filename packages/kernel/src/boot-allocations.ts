import type { BuddyAllocator } from '@mm/buddy';
import { PageType } from '@mm/physmem';

/** A kernel subsystem that takes pages from the buddy allocator while the kernel boots. */
export interface BootAllocationSite {
  /** The kernel function that allocates (the innermost frame above the page allocator). */
  readonly caller: string;
  readonly order: number;
  /** gfp, from the profile's gfp flags. */
  readonly gfp: (flags: BuddyAllocator['profile']['gfp']['flags']) => number;
  /** How many blocks for a machine of `gib` GiB and `cpus` CPUs. */
  readonly blocks: (gib: number, cpus: number) => number;
  /** The page type the subsystem gives its pages. */
  readonly type: 'slab' | 'table' | 'none';
}

/**
 * What a kernel allocates from the buddy allocator between `memblock_free_all()` and userspace, roughly scaled to
 * the machine: slab caches (kmalloc, dentry and inode caches), per-CPU chunks, kernel page tables for vmalloc and
 * kernel stacks. The amounts are typical of a distribution kernel's boot (about 0.5% of memory plus a fixed part);
 * they are the "early allocated pages" page_owner finds when it starts.
 */
export const bootAllocationSites: readonly BootAllocationSite[] = [
  {
    caller: 'allocate_slab',
    order: 0,
    gfp: (g) => g.GFP_KERNEL | g.NOWARN,
    blocks: (gib) => 900 + 160 * gib,
    type: 'slab',
  },
  {
    caller: 'allocate_slab',
    order: 1,
    gfp: (g) => g.GFP_KERNEL | g.COMP | g.NOWARN | g.NORETRY,
    blocks: (gib) => 120 + 24 * gib,
    type: 'slab',
  },
  {
    caller: 'allocate_slab',
    order: 3,
    gfp: (g) => g.GFP_KERNEL | g.COMP | g.NOWARN | g.NORETRY,
    blocks: (gib) => 40 + 8 * gib,
    type: 'slab',
  },
  {
    caller: 'allocate_slab',
    order: 1,
    gfp: (g) => g.GFP_KERNEL | g.RECLAIMABLE | g.COMP | g.NOWARN | g.NORETRY,
    blocks: (gib) => 60 + 40 * gib,
    type: 'slab',
  },
  {
    caller: 'pcpu_alloc_pages',
    order: 0,
    gfp: (g) => g.GFP_KERNEL | g.HIGHMEM,
    blocks: (_gib, cpus) => 24 * cpus,
    type: 'none',
  },
  {
    caller: '__pte_alloc_kernel',
    order: 0,
    gfp: (g) => g.GFP_KERNEL | g.ZERO,
    blocks: (gib) => 40 + 2 * gib,
    type: 'table',
  },
  {
    caller: 'alloc_thread_stack_node',
    order: 0,
    gfp: (g) => g.GFP_KERNEL_ACCOUNT | g.ZERO,
    blocks: (_gib, cpus) => 4 * (40 + 6 * cpus),
    type: 'none',
  },
];

/** A block the kernel holds since boot. */
export interface BootAllocation {
  readonly pfn: number;
  readonly order: number;
  readonly caller: string;
}

/** Performs the boot-time allocations on `buddy` and returns them (they are never freed). */
export function allocateBootMemory(buddy: BuddyAllocator, sites = bootAllocationSites): BootAllocation[] {
  const { memory, profile } = buddy;
  const gib = Math.max(1, Math.round((memory.presentPages * 4096) / 2 ** 30));
  const slabBit = profile.pageFlags.bit.slab;
  const allocations: BootAllocation[] = [];
  for (const site of sites) {
    const gfp = site.gfp(profile.gfp.flags);
    const count = site.blocks(gib, memory.cpus);
    for (let index = 0; index < count; index++) {
      const pfn = buddy.allocPages(gfp, site.order);
      if (pfn < 0) break;
      if (site.type === 'slab') {
        if (slabBit >= 0) memory.setPageFlag(pfn, slabBit);
        else memory.setPageType(pfn, PageType.slab);
      } else if (site.type === 'table') {
        memory.setPageType(pfn, PageType.table);
      }
      allocations.push({ pfn, order: site.order, caller: site.caller });
    }
  }
  return allocations;
}
