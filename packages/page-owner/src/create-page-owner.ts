import type { BuddyAllocator } from '@mm/buddy';
import type { HookBus } from '@mm/hooks';
import type { PhysicalMemory } from '@mm/physmem';
import { StackDepot } from '@mm/stackdepot';
import type { KernelText, ShadowStack } from '@mm/stacktrace';
import { PageOwner } from './page-owner';
import { pageOwnerEras } from './page-owner-era';

/** What {@link createPageOwner} needs. */
export interface CreatePageOwnerOptions {
  readonly memory: PhysicalMemory;
  readonly hooks: HookBus;
  readonly buddy: BuddyAllocator;
  readonly text: KernelText;
  readonly stack: ShadowStack;
  /** Whether `page_owner=` turned it on. */
  readonly enabled: boolean;
  /** Hash buckets of the depot: v4.8's static 2^20; v6.18's early-init size (see `stackDepotHashEntries`). */
  readonly depotBuckets?: number;
  /**
   * Fault injection: fails this fraction (0..1, from a seeded sequence) of the depot's pool allocations made once
   * page_owner is running (its own dummy/failure/early registrations at init are spared).
   */
  readonly depotFailureRate?: number;
}

/**
 * Builds page_owner with its stack depot for the machine's profile. The depot takes its pools from the buddy
 * allocator through the depot's own code path (`depot_save_stack` / `stack_depot_save_flags` frames on the shadow
 * stack), so a pool allocation reaches page_owner's hook like any other and is caught as recursion.
 */
export function createPageOwner(options: CreatePageOwnerOptions): PageOwner {
  const { memory, buddy, stack, text } = options;
  const era = pageOwnerEras[memory.profile.name];
  const depotFrames = text.sites(era.depotAllocFrames);
  let seed = 0x2545f491;
  const failureRate = options.depotFailureRate ?? 0;
  const pages = era.inline
    ? // v4.7 keeps stacks inline in page_ext: this depot is only mmsim's way of storing them once on the host.
      { allocPages: () => 0, freePages: () => {} }
    : {
        allocPages: (gfp: number, order: number) => {
          if (failureRate > 0 && owner.inited) {
            seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
            if (seed / 4294967296 < failureRate) return -1;
          }
          const depth = stack.depth;
          stack.pushAll(depotFrames);
          const pfn = buddy.allocPages(gfp, order);
          stack.unwindTo(depth);
          return pfn;
        },
        freePages: (pfn: number, order: number) => buddy.freePages(pfn, order),
      };
  const depot = new StackDepot({
    era: memory.profile.era,
    gfp: memory.profile.gfp.flags,
    pages,
    buckets: options.depotBuckets ?? (era.inline ? 1 << 16 : 1 << 20),
    ...(era.inline ? { maxPools: 1 << 30 } : {}),
    warn: (message) => memory.log.printk(`WARNING: ${message}`),
  });
  const owner = new PageOwner({ ...options, depot, era });
  return owner;
}

/**
 * v6.18 `stack_depot_early_init()` → `alloc_large_system_hash("stackdepot", 16, 0, 14, ...)`: one bucket per
 * 16 KiB of kernel memory (rounded up to 1 MiB, then to a power of two), between 2^12 and 2^20.
 */
export function stackDepotHashEntries(kernelPages: number): number {
  const rounded = Math.ceil(kernelPages / 256) * 256;
  const entries = 2 ** Math.ceil(Math.log2(Math.max(1, rounded >> 2)));
  return Math.min(Math.max(entries, 1 << 12), 1 << 20);
}
