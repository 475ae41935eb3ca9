import type { BuddyAllocator, BuddyZone } from '@mm/buddy';
import { NR_PAGE_ORDERS } from '@mm/physmem';

/** `fill_contig_page_info()`: free blocks, free pages, and blocks able to serve `order`. */
function contigInfo(zone: BuddyZone, order: number) {
  let blocksTotal = 0;
  let freePages = 0;
  let blocksSuitable = 0;
  for (let current = 0; current < NR_PAGE_ORDERS; current++) {
    const blocks = zone.nrFree[current]!;
    blocksTotal += blocks;
    freePages += blocks * 2 ** current;
    if (current >= order) blocksSuitable += blocks * 2 ** (current - order);
  }
  return { blocksTotal, freePages, blocksSuitable };
}

/** `unusable_free_index()`: thousandths of free memory unusable for an allocation of `order`. */
export function unusableIndex(zone: BuddyZone, order: number): number {
  const info = contigInfo(zone, order);
  if (info.freePages === 0) return 1000;
  return Math.floor(((info.freePages - info.blocksSuitable * 2 ** order) * 1000) / info.freePages);
}

/**
 * `__fragmentation_index()`: thousandths; toward 0 a failure of `order` would be for lack of memory, toward 1000 for
 * fragmentation; -1000 when a suitable block exists.
 */
export function fragmentationIndex(zone: BuddyZone, order: number): number {
  const info = contigInfo(zone, order);
  if (info.blocksTotal === 0) return 0;
  if (info.blocksSuitable > 0) return -1000;
  const requested = 2 ** order;
  return 1000 - Math.floor((1000 + Math.floor((info.freePages * 1000) / requested)) / info.blocksTotal);
}

/** `%d.%03d` of thousandths (C division: -1000 prints `-1.000`). */
function thousandths(value: number, width: number): string {
  const whole = Math.trunc(value / 1000);
  const fraction = Math.abs(value % 1000);
  return `${`${whole}`.padStart(width)}.${`${fraction}`.padStart(3, '0')}`;
}

function perZone(buddy: BuddyAllocator, line: (zone: BuddyZone) => string): string {
  let text = '';
  for (const zone of buddy.zones) {
    if (!zone.zone.populated) continue;
    text += `Node ${zone.zone.node}, zone ${zone.zone.name.padStart(8)} ${line(zone)}\n`;
  }
  return text;
}

/** `/sys/kernel/debug/extfrag/unusable_index` (mm/vmstat.c `unusable_show_print()`). */
export function formatUnusableIndex(buddy: BuddyAllocator): string {
  return perZone(buddy, (zone) =>
    Array.from({ length: NR_PAGE_ORDERS }, (_, order) => `${thousandths(unusableIndex(zone, order), 1)} `).join(''),
  );
}

/** `/sys/kernel/debug/extfrag/extfrag_index` (mm/vmstat.c `extfrag_show_print()`). */
export function formatExtfragIndex(buddy: BuddyAllocator): string {
  return perZone(buddy, (zone) =>
    Array.from({ length: NR_PAGE_ORDERS }, (_, order) => `${thousandths(fragmentationIndex(zone, order), 2)} `).join(
      '',
    ),
  );
}
