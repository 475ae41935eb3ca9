import { NR_PAGE_ORDERS } from '@mm/physmem';
import type { BuddyAllocator } from './buddy-allocator';

/**
 * `/proc/buddyinfo` (mm/vmstat.c `frag_show_print`): per populated zone, the number of free blocks of each order,
 * `Node %d, zone %8s ` then `%6lu ` per order.
 */
export function formatBuddyinfo(allocator: BuddyAllocator): string {
  let text = '';
  for (const zone of allocator.zones) {
    if (!zone.zone.populated) continue;
    text += `Node ${zone.zone.node}, zone ${zone.zone.name.padStart(8)} `;
    for (let order = 0; order < NR_PAGE_ORDERS; order++) text += `${String(zone.nrFree[order]).padStart(6)} `;
    text += '\n';
  }
  return text;
}
