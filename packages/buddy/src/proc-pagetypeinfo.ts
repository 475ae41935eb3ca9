import { MIGRATE_TYPES, migratetypeNames, NR_PAGE_ORDERS, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER } from '@mm/physmem';
import type { BuddyAllocator } from './buddy-allocator';
import type { BuddyZone } from './buddy-zone';

/** Counts pageblocks per migratetype for one zone, for `Number of blocks type` (and page_owner's mixed counts). */
export function pageblockCounts(allocator: BuddyAllocator, zone: BuddyZone): number[] {
  const counts = new Array<number>(MIGRATE_TYPES).fill(0);
  const { memory } = allocator;
  // The kernel steps from zone_start_pfn by pageblock_nr_pages without aligning: a zone starting at pfn 1 samples
  // pfns 1, 513, ...; each sample reads the migratetype of the block containing it.
  for (let pfn = zone.zone.startPfn; pfn < zone.zone.endPfn; pfn += PAGEBLOCK_NR_PAGES) {
    if (!memory.pfnValid(pfn) || memory.zoneOf(pfn) !== zone.zone) continue;
    counts[memory.pageblockMigratetype(pfn)]!++;
  }
  return counts;
}

/** A per-zone table appended to /proc/pagetypeinfo: a title and one count per migratetype for each zone. */
export interface PagetypeinfoSection {
  readonly title: string;
  readonly counts: (zone: BuddyZone) => readonly number[];
}

/**
 * `/proc/pagetypeinfo` (mm/vmstat.c `pagetypeinfo_show`): the pageblock order and size, the free block count per
 * zone, migratetype and order (v6.18 caps each at 100000 and prints `>100000`), and the pageblock counts per
 * migratetype. `extra` sections follow, as page_owner's `Number of mixed blocks` does when it is on.
 */
export function formatPagetypeinfo(allocator: BuddyAllocator, extra: readonly PagetypeinfoSection[] = []): string {
  const v6 = allocator.profile.era === 'v6';
  const zones = allocator.zones.filter((zone) => zone.zone.populated);
  const lines: string[] = [`Page block order: ${PAGEBLOCK_ORDER}`, `Pages per block:  ${PAGEBLOCK_NR_PAGES}`, ''];
  let header = `${'Free pages count per migrate type at order'.padEnd(43)} `;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) header += `${String(order).padStart(6)} `;
  lines.push(header);
  for (const zone of zones) {
    const counts = freeListLengths(allocator, zone);
    for (let type = 0; type < MIGRATE_TYPES; type++) {
      let line = `Node ${String(zone.zone.node).padStart(4)}, zone ${zone.zone.name.padStart(8)}, type ${migratetypeNames[type]!.padStart(12)} `;
      for (let order = 0; order < NR_PAGE_ORDERS; order++) {
        const count = counts[order * MIGRATE_TYPES + type]!;
        line += v6 && count >= 100000 ? `>${String(100000).padStart(6)} ` : `${String(count).padStart(6)} `;
      }
      lines.push(line);
    }
  }
  const table = (title: string, counts: (zone: BuddyZone) => readonly number[]) => {
    lines.push('');
    let head = title.padEnd(23);
    for (let type = 0; type < MIGRATE_TYPES; type++) head += `${migratetypeNames[type]!.padStart(12)} `;
    lines.push(head);
    for (const zone of zones) {
      let line = `Node ${zone.zone.node}, zone ${zone.zone.name.padStart(8)} `;
      for (const count of counts(zone)) line += `${String(count).padStart(12)} `;
      lines.push(line);
    }
  };
  table('Number of blocks type ', (zone) => pageblockCounts(allocator, zone));
  for (const section of extra) table(section.title, section.counts);
  return `${lines.join('\n')}\n`;
}

/** Lengths of a zone's free lists (walked, as the kernel counts them), indexed `order * MIGRATE_TYPES + type`. */
function freeListLengths(allocator: BuddyAllocator, zone: BuddyZone): number[] {
  const counts = new Array<number>(NR_PAGE_ORDERS * MIGRATE_TYPES).fill(0);
  allocator.forEachFreeBlock(zone, (_pfn, order, type) => {
    counts[order * MIGRATE_TYPES + type]!++;
  });
  return counts;
}
