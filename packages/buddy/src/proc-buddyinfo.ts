import type { BuddyAllocator } from './buddy-allocator';

/** One zone's line of /proc/buddyinfo: free blocks per order. */
export interface BuddyinfoZone {
  readonly node: number;
  readonly name: string;
  readonly freeBlocks: readonly number[];
}

/**
 * `/proc/buddyinfo` (mm/vmstat.c `frag_show_print`): per populated zone, `Node %d, zone %8s ` then `%6lu ` per
 * order, then a newline.
 */
export function formatBuddyinfoTable(zones: readonly BuddyinfoZone[]): string {
  let text = '';
  for (const zone of zones) {
    text += `Node ${zone.node}, zone ${zone.name.padStart(8)} `;
    for (const count of zone.freeBlocks) text += `${String(count).padStart(6)} `;
    text += '\n';
  }
  return text;
}

/** The allocator's /proc/buddyinfo. */
export function formatBuddyinfo(allocator: BuddyAllocator): string {
  return formatBuddyinfoTable(
    allocator.zones
      .filter((zone) => zone.zone.populated)
      .map((zone) => ({ node: zone.zone.node, name: zone.zone.name, freeBlocks: Array.from(zone.nrFree) })),
  );
}
