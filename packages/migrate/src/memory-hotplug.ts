import { MemoryAction } from '@mm/hooks';
import type { KernelCore } from '@mm/kernel-spec';
import {
  type MemSection,
  PAGES_PER_SUBSECTION,
  PageState,
  PageType,
  type PhysicalMemory,
  type Zone,
} from '@mm/physmem';
import type { Migration } from './migration';

/**
 * What taking a section offline did, or why it could not. A failure changed nothing. `alreadyOffline` marks the
 * refusal of a section that is offline already: writing `offline` to its memory block's `state` fails with EINVAL
 * (drivers/base/core.c `device_offline()` returns 1, which `state_store()` turns into -EINVAL), and nothing is done.
 */
export type OfflineResult =
  | { readonly offlinedPages: number; readonly migratedPages: number }
  | { readonly error: string; readonly alreadyOffline?: true };

/** `%#010llx` of a pfn's physical address (plus `delta` bytes). */
function hexAddress(pfn: number, delta = 0): string {
  return `0x${(pfn * 4096 + delta).toString(16).padStart(8, '0')}`;
}

/**
 * Memory hot-remove of one memory section, as `echo offline > /sys/devices/system/memory/memoryN/state` does it
 * with one section per memory block (drivers/base/memory.c `memory_block_offline()` → mm/memory_hotplug.c
 * `offline_pages()`):
 * - refused with EINVAL, changing nothing, when the section is already offline (`device_offline()`);
 * - refused with EBUSY, changing nothing, when it holds a page that cannot move (kernel memory, memblock-reserved
 *   pages, holes: `has_unmovable_pages()`), with v6.18's `memory offlining ... failed due to unmovable page` line;
 * - refused with EINVAL, changing nothing, when it spans more than one zone (`mem->zone` is NULL). The kernel checks
 *   this, and v6.18 holes (`memory holes`), before looking at the pages; mmsim looks at the pages first, so a mixed
 *   or holey section with kernel memory (section 0 of a PC) is refused for its unmovable pages;
 * - otherwise its pageblocks are isolated, the `MEM_GOING_OFFLINE` notifiers run, its movable pages migrate away
 *   (`memory_hotplug`); if a page is still in use after that, the isolation is undone and `MEM_CANCEL_OFFLINE` runs
 *   (v6.18 would retry until a signal interrupts it: EINTR, `signal backoff`; v4.8 fails at once: EBUSY);
 * - then `__offline_isolated_pages()` takes its free pages out of the allocator for good and marks it offline,
 *   `adjust_managed_page_count()` and `adjust_present_page_count()` take its pages from the zone (and MemTotal) and
 *   the node, `init_per_zone_wmark_min()` recomputes min_free_kbytes, watermarks, lowmem reserves and the per-CPU
 *   limits, an emptied zone leaves the zonelists (`build_all_zonelists()`), the `MEM_OFFLINE` notifiers run
 *   (page_ext frees the section's table, and with it every client's data there), and v6.18's
 *   `remove_pfn_range_from_zone()` shrinks the zone's and node's span when the section was at an edge.
 * v4.8 differs where its `__offline_pages()` did: the pageblocks go back to MIGRATE_MOVABLE, the zone's per-CPU
 * limits alone are updated, its span stays, and it prints `Offlined Pages N`.
 */
export function offlineSection(kernel: KernelCore, migration: Migration, nr: number): OfflineResult {
  const { memory, buddy, vm, hooks } = kernel;
  const v6 = memory.profile.era === 'v6';
  const section = memory.sections[nr];
  if (section === undefined) return { error: `section ${nr} has no memory` };
  if (memory.model !== 'sparsemem') return { error: 'memory hot-remove needs SPARSEMEM (CONFIG_MEMORY_HOTREMOVE)' };
  // state_store() → device_offline(): the block is offline already.
  if (!section.online) return { error: `memory block ${nr} is already offline (EINVAL)`, alreadyOffline: true };
  const nrPages = memory.pagesPerSection;
  const start = section.startPfn;
  const end = start + nrPages;
  const range = `[mem ${hexAddress(start)}-${hexAddress(end, -1)}]`;
  // start_isolate_page_range() → has_unmovable_pages() (MEMORY_OFFLINE): reserved pages (memblock's, and the holes
  // of a section, which are PageReserved) and pages in use that are not on an LRU stop it; free pages (per-CPU ones
  // too), pages without a reference and PageOffline pages do not. The kernel has drained the per-CPU lists by then
  // (zone_pcp_disable()). v6.18 prints the reason (pr_debug); v4.8 prints nothing here.
  const movable: number[] = [];
  const reservedBit = memory.profile.pageFlags.bit.reserved;
  for (let pfn = start; pfn < end; pfn++) {
    if (memory.pageState(pfn) !== PageState.none) continue;
    const reserved = memory.testPageFlag(pfn, reservedBit);
    if (!reserved && (memory.pageRefcount(pfn) === 0 || memory.pageType(pfn) === PageType.offline)) continue;
    if (reserved || !vm.isMovable(pfn)) {
      buddy.drainAllPages();
      if (v6) memory.log.printk(`memory offlining ${range} failed due to unmovable page`);
      return { error: `pfn ${pfn} holds an unmovable page (EBUSY)` };
    }
    movable.push(pfn);
  }
  // memory_block_offline(): a block whose pages are in several zones has no mem->zone and cannot go offline.
  const zone = memoryBlockZone(memory, section);
  if (zone === undefined) return { error: `memory block ${nr} spans more than one zone (EINVAL)` };
  // zone_pcp_disable(), start_isolate_page_range() (which drains the per-CPU lists first): nothing of the range
  // stays on a per-CPU list or can be allocated.
  buddy.isolateRange(start, end);
  hooks.memory_notify.call(MemoryAction.going_offline, start, nrPages);
  // scan_movable_pages() / do_migrate_range(), then test_pages_isolated().
  const migratedPages = migration.migratePages(movable, migration.reason('memory_hotplug'));
  buddy.drainAllPages();
  if (!buddy.testPagesIsolated(start, end)) {
    // v6.18 retries until a signal stops it (-EINTR), undoes the isolation, then notifies; v4.8's
    // check_pages_isolated() fails at once (-EBUSY) and notifies first.
    if (v6) buddy.undoIsolateRange(start, end);
    hooks.memory_notify.call(MemoryAction.cancel_offline, start, nrPages);
    if (!v6) buddy.undoIsolateRange(start, end);
    memory.log.printk(`memory offlining ${range} failed${v6 ? ' due to signal backoff' : ''}`);
    return { error: `pages of memory block ${nr} could not be migrated (${v6 ? 'EINTR' : 'EBUSY'})` };
  }
  // The point of no return: the sections go offline and their free pages leave the buddy lists. v4.8 says so
  // first, and makes the pageblocks movable again after.
  if (!v6) memory.log.printk(`Offlined Pages ${nrPages}`);
  const managedPages = buddy.offlineIsolatedPages(start, end);
  if (!v6) buddy.undoIsolateRange(start, end);
  buddy.adjustManagedPageCount(start, -managedPages);
  adjustPresentPageCount(memory, start, -nrPages);
  buddy.initPerZoneWmarkMin();
  if (!zone.populated) {
    // zone_pcp_reset(): its per-CPU lists are empty already; the zone leaves every zonelist.
    buddy.buildAllZonelists();
  } else if (!v6) {
    buddy.zonePcpUpdate(buddy.zones[zone.id]!);
  }
  hooks.memory_notify.call(MemoryAction.offline, start, nrPages);
  if (v6) removePfnRangeFromZone(memory, zone, start, nrPages);
  return { offlinedPages: nrPages, migratedPages };
}

/**
 * drivers/base/memory.c `early_node_zone_for_memory_block()`: the zone a boot memory block belongs to, the one
 * populated zone of its node whose span intersects it (`zone_intersects()`), or undefined when there are several.
 */
function memoryBlockZone(memory: PhysicalMemory, section: MemSection): Zone | undefined {
  const start = section.startPfn;
  const end = start + memory.pagesPerSection;
  let match: Zone | undefined;
  for (const zone of memory.nodes[section.node]!.zones) {
    if (!zone.populated || zone.spannedPages === 0 || start >= zone.endPfn || end <= zone.startPfn) continue;
    if (match !== undefined) return undefined;
    match = zone;
  }
  return match;
}

/**
 * mm/memory_hotplug.c `adjust_present_page_count()`: the zone's `present_pages` (and `present_early_pages`, for an
 * early section: all of mmsim's) and its node's `node_present_pages` change by `nrPages`.
 */
export function adjustPresentPageCount(memory: PhysicalMemory, pfn: number, nrPages: number): void {
  const zone = memory.zoneOf(pfn)!;
  if (memory.section(pfn).early) zone.presentEarlyPages += nrPages;
  zone.presentPages += nrPages;
  memory.nodes[zone.node]!.presentPages += nrPages;
}

/**
 * mm/memory_hotplug.c `remove_pfn_range_from_zone()` (v6.18): `shrink_zone_span()` and `update_pgdat_span()`. The
 * kernel poisons the range's struct pages first (`page_init_poison()`, under CONFIG_DEBUG_VM); mmsim keeps them
 * as `__offline_isolated_pages()` left them.
 */
export function removePfnRangeFromZone(memory: PhysicalMemory, zone: Zone, start: number, nrPages: number): void {
  // ZONE_DEVICE spans are not shrunk.
  if (zone.type.index > memory.profile.arch.movableZoneIndex) return;
  shrinkZoneSpan(memory, zone, start, start + nrPages);
  updatePgdatSpan(memory, zone.node);
}

/**
 * `shrink_zone_span()`: a range removed at the zone's start moves the start to the next online pfn of the zone
 * (found subsection by subsection); one removed at its end pulls the end back to the last one; one in the middle
 * leaves a hole. A zone with nothing left spans nothing from pfn 0.
 */
function shrinkZoneSpan(memory: PhysicalMemory, zone: Zone, start: number, end: number): void {
  const nid = zone.node;
  if (zone.startPfn === start) {
    const pfn = findSmallestSectionPfn(memory, nid, zone, end, zone.endPfn);
    if (pfn !== 0) {
      zone.spannedPages = zone.endPfn - pfn;
      zone.startPfn = pfn;
    } else {
      zone.startPfn = 0;
      zone.spannedPages = 0;
    }
  } else if (zone.endPfn === end) {
    const pfn = findBiggestSectionPfn(memory, nid, zone, zone.startPfn, start);
    if (pfn !== 0) {
      zone.spannedPages = pfn - zone.startPfn + 1;
    } else {
      zone.startPfn = 0;
      zone.spannedPages = 0;
    }
  }
}

/** Whether `pfn` is an online page of `zone` on node `nid` (the test of `find_{smallest,biggest}_section_pfn()`). */
function onlineIn(memory: PhysicalMemory, nid: number, zone: Zone, pfn: number): boolean {
  return memory.pfnToOnlinePage(pfn) && memory.nodeOf(pfn) === nid && memory.zoneOf(pfn) === zone;
}

/** `find_smallest_section_pfn()`: the first online pfn of the zone in [start, end), by subsection; 0 for none. */
function findSmallestSectionPfn(memory: PhysicalMemory, nid: number, zone: Zone, start: number, end: number): number {
  for (let pfn = start; pfn < end; pfn += PAGES_PER_SUBSECTION) if (onlineIn(memory, nid, zone, pfn)) return pfn;
  return 0;
}

/** `find_biggest_section_pfn()`: the last online pfn of the zone in [start, end), by subsection; 0 for none. */
function findBiggestSectionPfn(memory: PhysicalMemory, nid: number, zone: Zone, start: number, end: number): number {
  for (let pfn = end - 1; pfn >= start; pfn -= PAGES_PER_SUBSECTION) if (onlineIn(memory, nid, zone, pfn)) return pfn;
  return 0;
}

/** `update_pgdat_span()`: the node spans from its lowest zone's start to its highest zone's end (0, 0 if none). */
function updatePgdatSpan(memory: PhysicalMemory, nid: number): void {
  const node = memory.nodes[nid]!;
  let nodeStart = 0;
  let nodeEnd = 0;
  for (const zone of node.zones) {
    if (zone.spannedPages === 0) continue;
    if (nodeEnd === 0) {
      nodeStart = zone.startPfn;
      nodeEnd = zone.endPfn;
      continue;
    }
    if (zone.endPfn > nodeEnd) nodeEnd = zone.endPfn;
    if (zone.startPfn < nodeStart) nodeStart = zone.startPfn;
  }
  node.startPfn = nodeStart;
  node.endPfn = nodeEnd;
}
