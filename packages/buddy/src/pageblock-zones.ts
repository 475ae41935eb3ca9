import { PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, type PhysicalMemory } from '@mm/physmem';

/**
 * `page_zone()` per pageblock, for the allocator's order-0 free path: pageblock number → id of the zone of the
 * pageblock's node whose span holds the whole pageblock, or -1 where zones change inside it (or none spans it),
 * which sends those pages to the general path. Zone boundaries usually fall on pageblocks (16 MiB, 4 GiB, the
 * MAX_ORDER-aligned start of ZONE_MOVABLE), so this covers the pages of a section that two zones share, such as
 * the first 128 MiB of a PC, where ZONE_DMA ends at 16 MiB. 2 host bytes per 2 MiB of physical address space.
 */
export function pageblockZones(memory: PhysicalMemory): Int16Array {
  const zones = new Int16Array(memory.pages.pageblockFlags.length).fill(-1);
  const blocksPerSection = memory.pagesPerSection >>> PAGEBLOCK_ORDER;
  for (const section of memory.sections) {
    if (section === undefined) continue;
    const first = section.startPfn >>> PAGEBLOCK_ORDER;
    if (section.zoneId >= 0) {
      zones.fill(section.zoneId, first, first + blocksPerSection);
      continue;
    }
    const candidates = memory.nodes[section.node]!.zones;
    for (let block = first; block < first + blocksPerSection; block++) {
      const start = block << PAGEBLOCK_ORDER;
      const zone = candidates.find(
        (candidate) => candidate.spans(start) && candidate.spans(start + PAGEBLOCK_NR_PAGES - 1),
      );
      if (zone !== undefined) zones[block] = zone.id;
    }
  }
  return zones;
}
