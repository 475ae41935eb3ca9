import {
  globalNodeCounter,
  globalZoneCounter,
  MIGRATE_TYPES,
  NR_PAGE_ORDERS,
  nodeCounter,
  type VmCounters,
  zoneCounter,
} from '@mm/physmem';
import type { BuddyAllocator } from './buddy-allocator';

const MIGRATETYPE_LETTERS = ['U', 'M', 'E', 'H', 'I'];

/** Pages of a transparent huge page (`HPAGE_PMD_NR`, x86_64): /proc/vmstat counts THPs, `show_mem()` kB. */
const HPAGE_PMD_NR = 512;

/** What else `show_mem()` is told. */
export interface ShowMemOptions {
  /**
   * v6.18 `__show_mem()`'s `max_zone_idx` (`gfp_zone()` of the failed request): zones above it are left out, and
   * nodes with no managed zone up to it. Default: every zone. v4.8 `show_mem()` has no such filter.
   */
  readonly maxZoneIndex?: number;
  /** `all_unreclaimable?` of a node: v6.18 `kswapd_failures >= MAX_RECLAIM_RETRIES`, v4.8 `!pgdat_reclaimable()`. */
  readonly nodeUnreclaimable?: (node: number) => boolean;
}

/**
 * `show_mem()`, the `Mem-Info:` block of an allocation failure or an OOM kill, in each era's exact format: v6.18
 * mm/show_mem.c `__show_mem()` / `show_free_areas()`, v4.8 lib/show_mem.c `show_mem()` with mm/page_alloc.c
 * `show_free_areas()` and mm/swap_state.c `show_swap_cache_info()`. The free pages, per-CPU pages, watermarks,
 * lowmem reserves, present and managed pages and the free lists (with their migratetype letters) come from the
 * allocator; every other value from `counters` (the machine's /proc/vmstat items: node items via `nodeCounter()`,
 * zone items via `zoneCounter()`, as each era keeps them: v4.8's slab, kernel stack and page table counters are zone
 * items, v6.18's node items), 0 without them. mmsim has no swap, hugetlb pages, CMA or bounce buffers: those print 0.
 *
 * v4.8's node line prints its THP values shifted: its format names `shmem`, `shmem_thp`, `shmem_pmdmapped`,
 * `anon_thp` while its arguments pass the three THP counters before `NR_SHMEM` (a bug of 4.8's
 * `show_free_areas()`); mmsim prints what 4.8 prints.
 */
export function formatShowMem(
  allocator: BuddyAllocator,
  counters?: VmCounters,
  options: ShowMemOptions = {},
): string[] {
  const { memory, profile } = allocator;
  const v6 = profile.era === 'v6';
  const kb = (pages: number) => `${pages * 4}kB`;
  const empty: VmCounters = { zones: [], nodes: [], events: new Map() };
  const c = counters ?? empty;
  const node = (id: number, item: string) => nodeCounter(c, id, item);
  const zone = (id: number, item: string) => zoneCounter(c, id, item);
  const globalNode = (item: string) => globalNodeCounter(c, item);
  const globalZone = (item: string) => globalZoneCounter(c, item);
  const maxZone = v6 ? (options.maxZoneIndex ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  const shown = allocator.zones.filter((entry) => entry.zone.populated && entry.zone.type.index <= maxZone);
  const unreclaimable = (id: number) => (options.nodeUnreclaimable?.(id) === true ? 'yes' : 'no');
  let free = 0;
  for (const entry of allocator.zones) free += entry.freePages;
  let freePcp = 0;
  for (const entry of shown) freePcp += entry.pcpPages;

  const lines = ['Mem-Info:'];
  if (v6) {
    lines.push(
      `active_anon:${globalNode('nr_active_anon')} inactive_anon:${globalNode('nr_inactive_anon')} isolated_anon:${globalNode('nr_isolated_anon')}`,
      ` active_file:${globalNode('nr_active_file')} inactive_file:${globalNode('nr_inactive_file')} isolated_file:${globalNode('nr_isolated_file')}`,
      ` unevictable:${globalNode('nr_unevictable')} dirty:${globalNode('nr_dirty')} writeback:${globalNode('nr_writeback')}`,
      ` slab_reclaimable:${globalNode('nr_slab_reclaimable')} slab_unreclaimable:${globalNode('nr_slab_unreclaimable')}`,
      ` mapped:${globalNode('nr_mapped')} shmem:${globalNode('nr_shmem')} pagetables:${globalNode('nr_page_table_pages')}`,
      ` sec_pagetables:${globalNode('nr_sec_page_table_pages')} bounce:0`,
      ` kernel_misc_reclaimable:${globalNode('nr_kernel_misc_reclaimable')}`,
      ` free:${free} free_pcp:${freePcp} free_cma:${globalZone('nr_free_cma')}`,
    );
  } else {
    lines.push(
      `active_anon:${globalNode('nr_active_anon')} inactive_anon:${globalNode('nr_inactive_anon')} isolated_anon:${globalNode('nr_isolated_anon')}`,
      ` active_file:${globalNode('nr_active_file')} inactive_file:${globalNode('nr_inactive_file')} isolated_file:${globalNode('nr_isolated_file')}`,
      ` unevictable:${globalNode('nr_unevictable')} dirty:${globalNode('nr_dirty')} writeback:${globalNode('nr_writeback')} unstable:${globalNode('nr_unstable')}`,
      ` slab_reclaimable:${globalZone('nr_slab_reclaimable')} slab_unreclaimable:${globalZone('nr_slab_unreclaimable')}`,
      ` mapped:${globalNode('nr_mapped')} shmem:${globalNode('nr_shmem')} pagetables:${globalZone('nr_page_table_pages')} bounce:${globalZone('nr_bounce')}`,
      ` free:${free} free_pcp:${freePcp} free_cma:${globalZone('nr_free_cma')}`,
    );
  }
  for (const { id } of memory.nodes) {
    const thp = (item: string) => kb(node(id, item) * HPAGE_PMD_NR);
    const common =
      `Node ${id} active_anon:${kb(node(id, 'nr_active_anon'))} inactive_anon:${kb(node(id, 'nr_inactive_anon'))}` +
      ` active_file:${kb(node(id, 'nr_active_file'))} inactive_file:${kb(node(id, 'nr_inactive_file'))}` +
      ` unevictable:${kb(node(id, 'nr_unevictable'))} isolated(anon):${kb(node(id, 'nr_isolated_anon'))}` +
      ` isolated(file):${kb(node(id, 'nr_isolated_file'))} mapped:${kb(node(id, 'nr_mapped'))}` +
      ` dirty:${kb(node(id, 'nr_dirty'))} writeback:${kb(node(id, 'nr_writeback'))}`;
    if (v6) {
      if (!shown.some((entry) => entry.zone.node === id && entry.zone.managedPages > 0)) continue;
      lines.push(
        `${common} shmem:${kb(node(id, 'nr_shmem'))} shmem_thp:${thp('nr_shmem_hugepages')}` +
          ` shmem_pmdmapped:${thp('nr_shmem_pmdmapped')} anon_thp:${thp('nr_anon_transparent_hugepages')}` +
          ` kernel_stack:${node(id, 'nr_kernel_stack')}kB pagetables:${kb(node(id, 'nr_page_table_pages'))}` +
          ` sec_pagetables:${kb(node(id, 'nr_sec_page_table_pages'))} all_unreclaimable? ${unreclaimable(id)}` +
          ` Balloon:${kb(node(id, 'nr_balloon_pages'))}`,
      );
    } else {
      // 4.8's arguments: the three THP values, then NR_SHMEM, against the format's shmem, shmem_thp,
      // shmem_pmdmapped, anon_thp.
      lines.push(
        `${common} shmem:${thp('nr_shmem_hugepages')} shmem_thp: ${thp('nr_shmem_pmdmapped')}` +
          ` shmem_pmdmapped: ${thp('nr_anon_transparent_hugepages')} anon_thp: ${kb(node(id, 'nr_shmem'))}` +
          ` writeback_tmp:${kb(node(id, 'nr_writeback_temp'))} unstable:${kb(node(id, 'nr_unstable'))}` +
          ` pages_scanned:${node(id, 'nr_pages_scanned')} all_unreclaimable? ${unreclaimable(id)}`,
      );
    }
  }
  const cpu = memory.current.cpu;
  for (const entry of shown) {
    const id = entry.zone.id;
    const name = `Node ${entry.zone.node} ${entry.zone.name}`;
    const { min, low, high } = entry.watermark;
    const lru =
      `active_anon:${kb(zone(id, 'nr_zone_active_anon'))} inactive_anon:${kb(zone(id, 'nr_zone_inactive_anon'))}` +
      ` active_file:${kb(zone(id, 'nr_zone_active_file'))} inactive_file:${kb(zone(id, 'nr_zone_inactive_file'))}` +
      ` unevictable:${kb(zone(id, 'nr_zone_unevictable'))} writepending:${kb(zone(id, 'nr_zone_write_pending'))}`;
    const sizes = `present:${kb(entry.zone.presentPages)} managed:${kb(entry.zone.managedPages)}`;
    const pcp = `free_pcp:${kb(entry.pcpPages)} local_pcp:${kb(entry.pcpCount[cpu] ?? 0)}`;
    const cma = `free_cma:${kb(zone(id, 'nr_free_cma'))}`;
    const mlocked = `mlocked:${kb(zone(id, 'nr_mlock'))}`;
    lines.push(
      v6
        ? `${name} free:${kb(entry.freePages)} boost:0kB min:${kb(min)} low:${kb(low)} high:${kb(high)} reserved_highatomic:0KB free_highatomic:0KB ${lru} zspages:${kb(zone(id, 'nr_zspages'))} ${sizes} ${mlocked} bounce:0kB ${pcp} ${cma}`
        : `${name} free:${kb(entry.freePages)} min:${kb(min)} low:${kb(low)} high:${kb(high)} ${lru} ${sizes} ${mlocked}` +
            ` slab_reclaimable:${kb(zone(id, 'nr_slab_reclaimable'))} slab_unreclaimable:${kb(zone(id, 'nr_slab_unreclaimable'))}` +
            ` kernel_stack:${zone(id, 'nr_kernel_stack')}kB pagetables:${kb(zone(id, 'nr_page_table_pages'))}` +
            ` bounce:${kb(zone(id, 'nr_bounce'))} ${pcp} ${cma}`,
    );
    const reserve = memory.nodes[entry.zone.node]!.zones.map((_, index) => entry.lowmemReserve[index] ?? 0);
    lines.push(`lowmem_reserve[]:${reserve.map((value) => ` ${value}`).join('')}`);
  }
  for (const entry of shown) {
    let line = `Node ${entry.zone.node} ${entry.zone.name}: `;
    let total = 0;
    for (let order = 0; order < NR_PAGE_ORDERS; order++) {
      const count = entry.nrFree[order]!;
      line += `${count}*${4 << order}kB `;
      total += count << order;
      if (count === 0) continue;
      let letters = '';
      for (let type = 0; type < MIGRATE_TYPES; type++) {
        if (entry.freeCount[order * MIGRATE_TYPES + type]! > 0) letters += MIGRATETYPE_LETTERS[type];
      }
      line += `(${letters}) `;
    }
    lines.push(`${line}= ${kb(total)}`);
  }
  for (const { id } of memory.nodes) {
    lines.push(`Node ${id} hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB`);
    lines.push(`Node ${id} hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB`);
  }
  lines.push(`${globalNode('nr_file_pages')} total pagecache pages`, '0 pages in swap cache');
  if (!v6) lines.push('Swap cache stats: add 0, delete 0, find 0/0');
  lines.push('Free swap  = 0kB', 'Total swap = 0kB');
  let present = 0;
  let reserved = 0;
  let highmem = 0;
  // is_highmem_idx(): with CONFIG_HIGHMEM (i386), ZONE_HIGHMEM and ZONE_MOVABLE (which then takes its pages from
  // highmem); without (x86_64) nothing, so a 64-bit kernel prints 0 pages HighMem/MovableOnly.
  const configHighmem = profile.zoneTypes.some((type) => type.name === 'HighMem');
  for (const entry of memory.zones) {
    if (!entry.populated) continue;
    present += entry.presentPages;
    reserved += entry.presentPages - entry.managedPages;
    if (configHighmem && (entry.type.name === 'HighMem' || entry.type.name === 'Movable')) {
      highmem += entry.presentPages;
    }
  }
  lines.push(`${present} pages RAM`, `${highmem} pages HighMem/MovableOnly`, `${reserved} pages reserved`);
  if (v6) lines.push('0 pages hwpoisoned');
  return lines;
}
