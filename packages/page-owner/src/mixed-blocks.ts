import type { BuddyZone } from '@mm/buddy';
import { MIGRATE_TYPES, PAGEBLOCK_NR_PAGES, PageState } from '@mm/physmem';
import { InfoBits, orderOf } from './owner-records';
import type { PageOwner } from './page-owner';

/**
 * `pagetypeinfo_showmixedcount_print()` (mm/vmstat.c in v4.8, mm/page_owner.c later): per zone, the pageblocks
 * holding at least one allocated page whose gfp migratetype differs from the block's, counted under the block's
 * type. Free pages are skipped by order, reserved pages and pages page_owner does not know are skipped, and an
 * owned page skips the rest of its allocation.
 */
export function mixedBlockCounts(owner: PageOwner, zone: BuddyZone): number[] {
  const counts = new Array<number>(MIGRATE_TYPES).fill(0);
  const { memory, records } = owner;
  const reserved = memory.profile.pageFlags.bit.reserved;
  const needAllocated = owner.era.everyPage;
  const start = zone.zone.startPfn;
  const end = zone.zone.endPfn;
  for (let pfn = start; pfn < end; ) {
    if (!memory.pfnValid(pfn)) {
      pfn = (Math.floor(pfn / 1024) + 1) * 1024;
      continue;
    }
    const blockEnd = Math.min((Math.floor(pfn / PAGEBLOCK_NR_PAGES) + 1) * PAGEBLOCK_NR_PAGES, end);
    const blockType = memory.pageblockMigratetype(pfn);
    for (; pfn < blockEnd; pfn++) {
      if (memory.zoneOf(pfn) !== zone.zone) continue;
      if (memory.pageState(pfn) === PageState.buddy) {
        pfn += (1 << memory.pageOrder(pfn)) - 1;
        continue;
      }
      if (memory.testPageFlag(pfn, reserved)) continue;
      const info = records.infoWord(pfn >>> records.shift, pfn & records.mask);
      if ((info & InfoBits.OWNER) === 0) continue;
      if (needAllocated && (info & InfoBits.OWNER_ALLOCATED) === 0) continue;
      const pageType = (records.gfpOf(info) & 0x18) >>> 3;
      if (pageType !== blockType) {
        // The kernel counts CMA blocks as Movable; mmsim has no CMA, so the block's own type is the column.
        counts[blockType]!++;
        pfn = blockEnd;
        break;
      }
      pfn += (1 << orderOf(info)) - 1;
    }
  }
  return counts;
}
