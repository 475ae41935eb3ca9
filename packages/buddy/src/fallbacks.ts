import { Migratetype } from '@mm/physmem';

/**
 * `fallbacks[]` (mm/page_alloc.c): when a migratetype's free lists are empty, the types to take from, in order.
 * Both v4.8 and v6.18 use the same order for the three per-CPU types.
 */
export const fallbacks: readonly (readonly number[])[] = [
  [Migratetype.RECLAIMABLE, Migratetype.MOVABLE],
  [Migratetype.RECLAIMABLE, Migratetype.UNMOVABLE],
  [Migratetype.UNMOVABLE, Migratetype.MOVABLE],
];

/**
 * `can_steal_fallback()` (v4.8) / `should_try_claim_block()` (v6.18): whether a fallback of a block of `order`
 * may take over the whole pageblock. Blocks of half a pageblock or more always may; unmovable and reclaimable
 * allocations always try, since they fragment memory most.
 */
export function canClaimBlock(order: number, startMigratetype: number, pageblockOrder: number): boolean {
  if (order >= pageblockOrder) return true;
  return (
    order >= pageblockOrder / 2 ||
    startMigratetype === Migratetype.RECLAIMABLE ||
    startMigratetype === Migratetype.UNMOVABLE
  );
}
