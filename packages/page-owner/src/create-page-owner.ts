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
  /**
   * The machine's stack depot (v4.8, v6.18: `kernel.feature(stackDepot).depot`). v4.7 keeps its stacks inline in
   * page_ext and ignores it.
   */
  readonly depot?: StackDepot;
  /** `PAGE_OWNER_STACK_DEPTH` of the build, for the eras that save stacks in the depot (default the era's 16). */
  readonly stackDepth?: number;
}

/**
 * Builds page_owner for the machine's profile, on the machine's stack depot (v4.8 and later). v4.7 stores its 8
 * frames inline: mmsim keeps them deduplicated on the host in a private depot that takes no pages.
 */
export function createPageOwner(options: CreatePageOwnerOptions): PageOwner {
  const { memory } = options;
  let era = pageOwnerEras[memory.profile.name];
  if (options.stackDepth !== undefined && options.stackDepth !== era.depth) {
    if (era.inline) {
      throw new RangeError(
        `page_owner of ${era.name} stores ${era.depth} entries inline in page_ext: its depth is fixed`,
      );
    }
    era = { ...era, depth: options.stackDepth };
  }
  let depot = options.depot;
  if (era.inline) {
    depot = new StackDepot({
      era: memory.profile.era,
      gfp: memory.profile.gfp.flags,
      pages: { allocPages: () => 0, freePages: () => {} },
      buckets: 1 << 16,
      maxPools: 1 << 30,
    });
  }
  if (depot === undefined) throw new TypeError(`page_owner of ${era.name} needs the stack depot`);
  return new PageOwner({ ...options, depot, era });
}
