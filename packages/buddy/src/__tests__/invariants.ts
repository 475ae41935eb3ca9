import { MAX_PAGE_ORDER, MIGRATE_TYPES, NR_PAGE_ORDERS, PageState } from '@mm/physmem';
import type { BuddyAllocator } from '../buddy-allocator';
import { formatBuddyinfo } from '../proc-buddyinfo';

/** An allocation the test holds: its first pfn and order. */
export interface HeldBlock {
  readonly pfn: number;
  readonly order: number;
}

/**
 * Checks every structural invariant of the allocator and throws with a description of the first one broken:
 * conservation (free + held + leaked = managed), no page in two blocks, free blocks aligned and fully coalesced,
 * list links consistent, per-order and per-migratetype counters equal to the lists, buddyinfo equal to the lists.
 */
export function checkInvariants(
  buddy: BuddyAllocator,
  held: Iterable<HeldBlock>,
  /** Pages held out of the allocator for a replay (`holdFreePages()`): neither free nor allocated. */
  outside: Iterable<number> = [],
): void {
  const { memory } = buddy;
  const owner = new Uint8Array(memory.maxPfn);
  const claim = (pfn: number, order: number, what: string) => {
    for (let page = pfn; page < pfn + (1 << order); page++) {
      if (owner[page] !== 0) throw new Error(`pfn 0x${page.toString(16)} belongs to two blocks (${what})`);
      owner[page] = 1;
    }
  };
  let managed = 0;
  let free = 0;
  const walkedOrders: number[][] = [];
  for (const zone of buddy.zones) {
    managed += zone.zone.managedPages;
    const orders = new Array<number>(NR_PAGE_ORDERS).fill(0);
    const lists = new Array<number>(NR_PAGE_ORDERS * MIGRATE_TYPES).fill(0);
    let zoneFree = 0;
    buddy.forEachFreeBlock(zone, (pfn, order, type) => {
      if (pfn % (1 << order) !== 0) throw new Error(`free block 0x${pfn.toString(16)} not aligned to order ${order}`);
      if (!zone.zone.spans(pfn) || !zone.zone.spans(pfn + (1 << order) - 1)) {
        throw new Error(`free block 0x${pfn.toString(16)} outside ${zone.zone.name}`);
      }
      if (memory.pageState(pfn) !== PageState.buddy || memory.pageOrder(pfn) !== order) {
        throw new Error(
          `free block 0x${pfn.toString(16)} has state ${memory.pageState(pfn)} order ${memory.pageOrder(pfn)}`,
        );
      }
      const buddyPfn = pfn ^ (1 << order);
      if (
        order < MAX_PAGE_ORDER &&
        zone.zone.spans(buddyPfn) &&
        memory.pfnValid(buddyPfn) &&
        memory.pageState(buddyPfn) === PageState.buddy &&
        memory.pageOrder(buddyPfn) === order &&
        (buddy.profile.era === 'v4' ||
          order < 9 ||
          memory.pageblockMigratetype(pfn) === memory.pageblockMigratetype(buddyPfn))
      ) {
        throw new Error(`free block 0x${pfn.toString(16)} order ${order} not coalesced with its free buddy`);
      }
      claim(pfn, order, 'free list');
      orders[order]!++;
      lists[order * MIGRATE_TYPES + type]!++;
      zoneFree += 1 << order;
    });
    let pcp = 0;
    buddy.forEachPcpBlock(zone, (pfn, order) => {
      if (memory.pageState(pfn) !== PageState.pcp) throw new Error(`pcp page 0x${pfn.toString(16)} in wrong state`);
      // The allocator's order-0 fast path relies on it: it sets the refcount and leaves the mapcount as it is.
      for (let page = pfn; page < pfn + (1 << order); page++) {
        if (memory.pages.refcount[page] !== 0 || memory.pages.mapcount[page] !== 0) {
          throw new Error(`pcp page 0x${page.toString(16)} has a refcount or mapcount`);
        }
      }
      claim(pfn, order, 'pcp list');
      pcp += 1 << order;
    });
    for (let order = 0; order < NR_PAGE_ORDERS; order++) {
      if (zone.nrFree[order] !== orders[order]) {
        throw new Error(
          `${zone.zone.name} nr_free[${order}] = ${zone.nrFree[order]} but the lists hold ${orders[order]}`,
        );
      }
    }
    for (let list = 0; list < lists.length; list++) {
      if (zone.freeCount[list] !== lists[list]) throw new Error(`${zone.zone.name} list ${list} count mismatch`);
    }
    if (zone.freePages !== zoneFree)
      throw new Error(`${zone.zone.name} NR_FREE_PAGES ${zone.freePages} != ${zoneFree}`);
    if (zone.pcpPages !== pcp) throw new Error(`${zone.zone.name} pcp count ${zone.pcpPages} != ${pcp}`);
    free += zoneFree + pcp + zone.guardPages;
    walkedOrders.push(orders);
  }
  let heldPages = 0;
  for (const block of held) {
    claim(block.pfn, block.order, 'held allocation');
    if (memory.pageState(block.pfn) !== PageState.none || memory.pageRefcount(block.pfn) < 1) {
      throw new Error(`held block 0x${block.pfn.toString(16)} is not allocated`);
    }
    heldPages += 1 << block.order;
  }
  for (const pfn of outside) {
    claim(pfn, 0, 'page held out of the allocator');
    if (!buddy.isHeld(pfn) || memory.pageRefcount(pfn) !== 0) {
      throw new Error(`page 0x${pfn.toString(16)} is not held out of the allocator`);
    }
    heldPages++;
  }
  const leaked = buddy.stats.leakedPages;
  if (free + heldPages + leaked !== managed) {
    throw new Error(`conservation: free ${free} + held ${heldPages} + leaked ${leaked} != managed ${managed}`);
  }
  const buddyinfo = formatBuddyinfo(buddy)
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/\s+/).slice(4).filter(Boolean).map(Number));
  const populated = walkedOrders.filter((_, index) => buddy.zones[index]!.zone.populated);
  if (JSON.stringify(buddyinfo) !== JSON.stringify(populated)) throw new Error('buddyinfo disagrees with the lists');
}
