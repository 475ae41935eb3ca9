import { MIGRATE_TYPES, NR_PAGE_ORDERS } from '@mm/physmem';
import type { BuddyAllocator } from './buddy-allocator';

const MIGRATETYPE_LETTERS = ['U', 'M', 'E', 'H', 'I'];

/**
 * `show_mem()` (mm/show_mem.c; mm/page_alloc.c `show_free_areas` in v4.8): the `Mem-Info:` block of an allocation
 * failure. mmsim fills in what the allocator knows (free, per-CPU, watermarks, managed and present pages, the free
 * lists with their migratetype letters); page cache, anon and slab counters are 0 until a package tracks them.
 */
export function formatShowMem(allocator: BuddyAllocator): string[] {
  const { memory, profile } = allocator;
  const v6 = profile.era === 'v6';
  const kb = (pages: number) => `${pages * 4}kB`;
  let free = 0;
  let freePcp = 0;
  for (const zone of allocator.zones) {
    free += zone.freePages;
    freePcp += zone.pcpPages;
  }
  const lines = ['Mem-Info:'];
  if (v6) {
    lines.push(
      'active_anon:0 inactive_anon:0 isolated_anon:0',
      ' active_file:0 inactive_file:0 isolated_file:0',
      ' unevictable:0 dirty:0 writeback:0',
      ' slab_reclaimable:0 slab_unreclaimable:0',
      ' mapped:0 shmem:0 pagetables:0',
      ' sec_pagetables:0 bounce:0',
      ' kernel_misc_reclaimable:0',
      ` free:${free} free_pcp:${freePcp} free_cma:0`,
    );
  } else {
    lines.push(
      'active_anon:0 inactive_anon:0 isolated_anon:0',
      ' active_file:0 inactive_file:0 isolated_file:0',
      ' unevictable:0 dirty:0 writeback:0 unstable:0',
      ' slab_reclaimable:0 slab_unreclaimable:0',
      ' mapped:0 shmem:0 pagetables:0 bounce:0',
      ` free:${free} free_pcp:${freePcp} free_cma:0`,
    );
  }
  for (const node of memory.nodes) {
    lines.push(
      v6
        ? `Node ${node.id} active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB writeback:0kB shmem:0kB shmem_thp:0kB shmem_pmdmapped:0kB anon_thp:0kB kernel_stack:0kB pagetables:0kB sec_pagetables:0kB all_unreclaimable? no Balloon:0kB`
        : `Node ${node.id} active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB writeback:0kB shmem:0kB shmem_thp: 0kB shmem_pmdmapped: 0kB anon_thp: 0kB writeback_tmp:0kB unstable:0kB pages_scanned:0 all_unreclaimable? no`,
    );
  }
  const cpu = memory.current.cpu;
  for (const zone of allocator.zones) {
    if (!zone.zone.populated) continue;
    const name = `Node ${zone.zone.node} ${zone.zone.name}`;
    const { min, low, high } = zone.watermark;
    const present = kb(zone.zone.presentPages);
    const managed = kb(zone.zone.managedPages);
    const pcp = `free_pcp:${kb(zone.pcpPages)} local_pcp:${kb(zone.pcpCount[cpu] ?? 0)}`;
    lines.push(
      v6
        ? `${name} free:${kb(zone.freePages)} boost:0kB min:${kb(min)} low:${kb(low)} high:${kb(high)} reserved_highatomic:0KB free_highatomic:0KB active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB zspages:0kB present:${present} managed:${managed} mlocked:0kB bounce:0kB ${pcp} free_cma:0kB`
        : `${name} free:${kb(zone.freePages)} min:${kb(min)} low:${kb(low)} high:${kb(high)} active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB present:${present} managed:${managed} mlocked:0kB slab_reclaimable:0kB slab_unreclaimable:0kB kernel_stack:0kB pagetables:0kB bounce:0kB ${pcp} free_cma:0kB`,
    );
    const reserve = memory.nodes[zone.zone.node]!.zones.map((_, index) => zone.lowmemReserve[index] ?? 0);
    lines.push(`lowmem_reserve[]:${reserve.map((value) => ` ${value}`).join('')}`);
  }
  for (const zone of allocator.zones) {
    if (!zone.zone.populated) continue;
    let line = `Node ${zone.zone.node} ${zone.zone.name}: `;
    let total = 0;
    for (let order = 0; order < NR_PAGE_ORDERS; order++) {
      const count = zone.nrFree[order]!;
      line += `${count}*${4 << order}kB `;
      total += count << order;
      if (count === 0) continue;
      let letters = '';
      for (let type = 0; type < MIGRATE_TYPES; type++) {
        if (zone.freeCount[order * MIGRATE_TYPES + type]! > 0) letters += MIGRATETYPE_LETTERS[type];
      }
      line += `(${letters}) `;
    }
    lines.push(`${line}= ${kb(total)}`);
  }
  for (const node of memory.nodes) {
    lines.push(`Node ${node.id} hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB`);
    lines.push(`Node ${node.id} hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB`);
  }
  let reserved = 0;
  let highOrMovable = 0;
  for (const zone of memory.zones) {
    reserved += zone.presentPages - zone.managedPages;
    if (zone.type.name === 'HighMem' || zone.type.index === profile.arch.movableZoneIndex) {
      highOrMovable += zone.presentPages;
    }
  }
  lines.push(
    '0 total pagecache pages',
    '0 pages in swap cache',
    'Free swap  = 0kB',
    'Total swap = 0kB',
    `${memory.presentPages} pages RAM`,
    `${highOrMovable} pages HighMem/MovableOnly`,
    `${reserved} pages reserved`,
  );
  if (v6) lines.push('0 pages hwpoisoned');
  return lines;
}
