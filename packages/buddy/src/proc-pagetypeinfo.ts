import { MIGRATE_TYPES, migratetypeNames, NR_PAGE_ORDERS, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER } from '@mm/physmem';
import type { BuddyAllocator } from './buddy-allocator';
import type { BuddyZone } from './buddy-zone';

/** One populated zone's rows of /proc/pagetypeinfo. */
export interface PagetypeinfoZone {
  readonly node: number;
  readonly name: string;
  /** Free list lengths, `[migratetype][order]`. */
  readonly freeBlocks: readonly (readonly number[])[];
  /** Pageblocks per migratetype. */
  readonly pageblocks: readonly number[];
}

/** A table appended after `Number of blocks type` (page_owner's `Number of mixed blocks`). */
export interface PagetypeinfoSection {
  readonly title: string;
  /** Per zone (same order as the zones), a count per migratetype. */
  readonly counts: readonly (readonly number[])[];
}

/**
 * `/proc/pagetypeinfo` (mm/vmstat.c `pagetypeinfo_show`): the pageblock order and size; the free list lengths per
 * zone, migratetype and order (`>100000` beyond 100000 in v6.18); the pageblocks per migratetype; then any extra
 * sections.
 */
export function formatPagetypeinfoTable(
  era: 'v4' | 'v6',
  zones: readonly PagetypeinfoZone[],
  extra: readonly PagetypeinfoSection[] = [],
): string {
  const lines: string[] = [`Page block order: ${PAGEBLOCK_ORDER}`, `Pages per block:  ${PAGEBLOCK_NR_PAGES}`, ''];
  let header = `${'Free pages count per migrate type at order'.padEnd(43)} `;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) header += `${String(order).padStart(6)} `;
  lines.push(header);
  for (const zone of zones) {
    zone.freeBlocks.forEach((orders, type) => {
      let line = `Node ${String(zone.node).padStart(4)}, zone ${zone.name.padStart(8)}, type ${migratetypeNames[type]!.padStart(12)} `;
      for (const count of orders) {
        line += era === 'v6' && count >= 100000 ? `>${String(100000).padStart(6)} ` : `${String(count).padStart(6)} `;
      }
      lines.push(line);
    });
  }
  const table = (title: string, counts: readonly (readonly number[])[]) => {
    lines.push('');
    let head = title.padEnd(23);
    for (let type = 0; type < MIGRATE_TYPES; type++) head += `${migratetypeNames[type]!.padStart(12)} `;
    lines.push(head);
    zones.forEach((zone, index) => {
      let line = `Node ${zone.node}, zone ${zone.name.padStart(8)} `;
      for (const count of counts[index]!) line += `${String(count).padStart(12)} `;
      lines.push(line);
    });
  };
  table(
    'Number of blocks type ',
    zones.map((zone) => zone.pageblocks),
  );
  for (const section of extra) table(section.title, section.counts);
  return `${lines.join('\n')}\n`;
}

/**
 * Pageblocks of a zone per migratetype. Like the kernel, it steps from `zone_start_pfn` by pageblock_nr_pages
 * without aligning: a zone starting at pfn 1 samples pfns 1, 513, ... and reads the block containing each. v6.18
 * (`pfn_to_online_page()`) passes over sections memory hot-remove took offline; v4.8 (`pfn_valid()`) counts them.
 */
export function pageblockCounts(allocator: BuddyAllocator, zone: BuddyZone): number[] {
  const counts = new Array<number>(MIGRATE_TYPES).fill(0);
  const { memory } = allocator;
  const v6 = allocator.profile.era === 'v6';
  for (let pfn = zone.zone.startPfn; pfn < zone.zone.endPfn; pfn += PAGEBLOCK_NR_PAGES) {
    if (!memory.pfnValid(pfn) || memory.zoneOf(pfn) !== zone.zone) continue;
    if (v6 && !memory.section(pfn).online) continue;
    counts[memory.pageblockMigratetype(pfn)]!++;
  }
  return counts;
}

/** Lengths of a zone's free lists, walked as the kernel counts them: `[migratetype][order]`. */
export function freeListLengths(allocator: BuddyAllocator, zone: BuddyZone): number[][] {
  const counts = Array.from({ length: MIGRATE_TYPES }, () => new Array<number>(NR_PAGE_ORDERS).fill(0));
  allocator.forEachFreeBlock(zone, (_pfn, order, type) => {
    counts[type]![order]!++;
  });
  return counts;
}

/** A table a client adds to /proc/pagetypeinfo, computed zone by zone (page_owner's `Number of mixed blocks`). */
export interface PagetypeinfoExtra {
  readonly title: string;
  /** A count per migratetype for one populated zone. */
  counts(zone: BuddyZone): readonly number[];
}

/** The allocator's /proc/pagetypeinfo, with optional extra sections per populated zone. */
export function formatPagetypeinfo(allocator: BuddyAllocator, extra: readonly PagetypeinfoExtra[] = []): string {
  const zones = allocator.zones.filter((zone) => zone.zone.populated);
  return formatPagetypeinfoTable(
    allocator.profile.era,
    zones.map((zone) => ({
      node: zone.zone.node,
      name: zone.zone.name,
      freeBlocks: freeListLengths(allocator, zone),
      pageblocks: pageblockCounts(allocator, zone),
    })),
    extra.map((section) => ({ title: section.title, counts: zones.map((zone) => section.counts(zone)) })),
  );
}
