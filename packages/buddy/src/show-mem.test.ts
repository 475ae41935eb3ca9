import { VmCountersBuilder } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { bootMachine, MIB } from './__tests__/machine';
import { formatShowMem } from './show-mem';

/**
 * `show_mem()`'s `Mem-Info:` block with the machine's counters. Truth: v6.18 mm/show_mem.c (`__show_mem()`,
 * `show_free_areas()`, `show_migration_types()`), mm/hugetlb.c `hugetlb_show_meminfo_node()`, mm/swap_state.c
 * `show_swap_cache_info()`; v4.8 lib/show_mem.c `show_mem()`, mm/page_alloc.c `show_free_areas()`, mm/hugetlb.c
 * `hugetlb_show_meminfo()`, mm/swap_state.c `show_swap_cache_info()`.
 */

/** Counters with a distinct value per item, as each era keeps them (v4.8: slab, stack, page tables per zone). */
function counters(era: 'v4' | 'v6', zones: number): VmCountersBuilder {
  const builder = new VmCountersBuilder(zones, 1);
  const node: [string, number][] = [
    ['nr_active_anon', 11],
    ['nr_inactive_anon', 12],
    ['nr_isolated_anon', 13],
    ['nr_active_file', 14],
    ['nr_inactive_file', 15],
    ['nr_isolated_file', 16],
    ['nr_unevictable', 17],
    ['nr_dirty', 18],
    ['nr_writeback', 19],
    ['nr_mapped', 20],
    ['nr_shmem', 21],
    ['nr_file_pages', 22],
    ['nr_shmem_hugepages', 1],
    ['nr_shmem_pmdmapped', 2],
    ['nr_anon_transparent_hugepages', 3],
  ];
  for (const [item, value] of node) builder.addNode(0, item, value);
  if (era === 'v6') {
    for (const [item, value] of [
      ['nr_slab_reclaimable', 31],
      ['nr_slab_unreclaimable', 32],
      ['nr_page_table_pages', 33],
      ['nr_sec_page_table_pages', 34],
      ['nr_kernel_misc_reclaimable', 35],
      ['nr_kernel_stack', 36],
      ['nr_balloon_pages', 37],
    ] as const) {
      builder.addNode(0, item, value);
    }
  } else {
    builder.addNode(0, 'nr_unstable', 38);
    builder.addNode(0, 'nr_writeback_temp', 39);
    builder.addNode(0, 'nr_pages_scanned', 40);
  }
  // Zone 1 (DMA32) gets the zone items.
  for (const [item, value] of [
    ['nr_zone_active_anon', 41],
    ['nr_zone_inactive_anon', 42],
    ['nr_zone_active_file', 43],
    ['nr_zone_inactive_file', 44],
    ['nr_zone_unevictable', 45],
    ['nr_zone_write_pending', 46],
    ['nr_mlock', 47],
    ['nr_zspages', 48],
  ] as const) {
    builder.addZone(1, item, value);
  }
  if (era === 'v4') {
    for (const [item, value] of [
      ['nr_slab_reclaimable', 51],
      ['nr_slab_unreclaimable', 52],
      ['nr_kernel_stack', 56],
      ['nr_page_table_pages', 53],
    ] as const) {
      builder.addZone(1, item, value);
    }
  }
  return builder;
}

describe('v6.18 __show_mem() with counters', () => {
  const { buddy, memory } = bootMachine('v6.18', { memory: 64 * MIB, layout: 'flat' });
  const lines = formatShowMem(buddy, counters('v6', memory.zones.length));
  const [dma, dma32] = buddy.zones;
  const free = buddy.zones.reduce((sum, zone) => sum + zone.freePages, 0);

  it('prints the global counters (show_free_areas()’s first printk), bounce always 0', () => {
    expect(lines.slice(0, 9)).toEqual([
      'Mem-Info:',
      'active_anon:11 inactive_anon:12 isolated_anon:13',
      ' active_file:14 inactive_file:15 isolated_file:16',
      ' unevictable:17 dirty:18 writeback:19',
      ' slab_reclaimable:31 slab_unreclaimable:32',
      ' mapped:20 shmem:21 pagetables:33',
      ' sec_pagetables:34 bounce:0',
      ' kernel_misc_reclaimable:35',
      ` free:${free} free_pcp:${buddy.zones.reduce((sum, zone) => sum + zone.pcpPages, 0)} free_cma:0`,
    ]);
  });

  it('prints the node line in kB (THP counters are huge pages in /proc/vmstat, pages in the kernel)', () => {
    expect(lines[9]).toBe(
      'Node 0 active_anon:44kB inactive_anon:48kB active_file:56kB inactive_file:60kB unevictable:68kB' +
        ' isolated(anon):52kB isolated(file):64kB mapped:80kB dirty:72kB writeback:76kB shmem:84kB' +
        ' shmem_thp:2048kB shmem_pmdmapped:4096kB anon_thp:6144kB kernel_stack:36kB pagetables:132kB' +
        ' sec_pagetables:136kB all_unreclaimable? no Balloon:148kB',
    );
  });

  it('prints each zone with its LRU counters and lowmem_reserve[]', () => {
    const zone = lines.find((line) => line.startsWith('Node 0 DMA32 free:'))!;
    expect(zone).toBe(
      `Node 0 DMA32 free:${dma32!.freePages * 4}kB boost:0kB min:${dma32!.watermark.min * 4}kB` +
        ` low:${dma32!.watermark.low * 4}kB high:${dma32!.watermark.high * 4}kB` +
        ' reserved_highatomic:0KB free_highatomic:0KB active_anon:164kB inactive_anon:168kB active_file:172kB' +
        ` inactive_file:176kB unevictable:180kB writepending:184kB zspages:192kB present:${dma32!.zone.presentPages * 4}kB` +
        ` managed:${dma32!.zone.managedPages * 4}kB mlocked:188kB bounce:0kB free_pcp:${dma32!.pcpPages * 4}kB` +
        ` local_pcp:${(dma32!.pcpCount[0] ?? 0) * 4}kB free_cma:0kB`,
    );
    expect(lines[lines.indexOf(zone) + 1]).toMatch(/^lowmem_reserve\[\]:(?: \d+)+$/);
  });

  it('ends with hugetlb, the page cache, swap and the totals', () => {
    expect(lines.slice(-10, -1)).toEqual([
      'Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB',
      'Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB',
      '22 total pagecache pages',
      '0 pages in swap cache',
      'Free swap  = 0kB',
      'Total swap = 0kB',
      `${memory.presentPages} pages RAM`,
      '0 pages HighMem/MovableOnly',
      `${memory.zones.reduce((sum, zone) => sum + zone.presentPages - zone.managedPages, 0)} pages reserved`,
    ]);
    // hwpoisoned (CONFIG_MEMORY_FAILURE) after the totals
    expect(formatShowMem(buddy).at(-1)).toBe('0 pages hwpoisoned');
  });

  it('leaves out the zones above max_zone_idx (warn_alloc_show_mem() passes gfp_zone())', () => {
    const dmaOnly = formatShowMem(buddy, undefined, { maxZoneIndex: 0 });
    expect(dmaOnly.some((line) => line.startsWith('Node 0 DMA free:'))).toBe(true);
    expect(dmaOnly.some((line) => line.startsWith('Node 0 DMA32'))).toBe(false);
    expect(dmaOnly[8]).toBe(` free:${free} free_pcp:${dma!.pcpPages} free_cma:0`);
  });

  it('prints zeros without counters, as before', () => {
    expect(formatShowMem(buddy)[1]).toBe('active_anon:0 inactive_anon:0 isolated_anon:0');
  });
});

describe('v4.8 show_mem() with counters', () => {
  const { buddy, memory } = bootMachine('v4.8', { memory: 64 * MIB, layout: 'flat' });
  const lines = formatShowMem(buddy, counters('v4', memory.zones.length));
  const [, dma32] = buddy.zones;

  it('prints the global counters, with the zone items (slab, page tables) summed over the zones', () => {
    expect(lines.slice(1, 6)).toEqual([
      'active_anon:11 inactive_anon:12 isolated_anon:13',
      ' active_file:14 inactive_file:15 isolated_file:16',
      ' unevictable:17 dirty:18 writeback:19 unstable:38',
      ' slab_reclaimable:51 slab_unreclaimable:52',
      ' mapped:20 shmem:21 pagetables:53 bounce:0',
    ]);
  });

  it('prints the node line with 4.8’s shifted THP arguments', () => {
    // Format: ... shmem:%lukB shmem_thp: %lukB shmem_pmdmapped: %lukB anon_thp: %lukB ...; arguments: the three THP
    // counters × HPAGE_PMD_NR, then NR_SHMEM.
    expect(lines[7]).toBe(
      'Node 0 active_anon:44kB inactive_anon:48kB active_file:56kB inactive_file:60kB unevictable:68kB' +
        ' isolated(anon):52kB isolated(file):64kB mapped:80kB dirty:72kB writeback:76kB shmem:2048kB' +
        ' shmem_thp: 4096kB shmem_pmdmapped: 6144kB anon_thp: 84kB writeback_tmp:156kB unstable:152kB' +
        ' pages_scanned:40 all_unreclaimable? no',
    );
  });

  it('prints the zone with its slab, kernel stack and page table counters', () => {
    const zone = lines.find((line) => line.startsWith('Node 0 DMA32 free:'))!;
    expect(zone).toBe(
      `Node 0 DMA32 free:${dma32!.freePages * 4}kB min:${dma32!.watermark.min * 4}kB low:${dma32!.watermark.low * 4}kB` +
        ` high:${dma32!.watermark.high * 4}kB active_anon:164kB inactive_anon:168kB active_file:172kB` +
        ` inactive_file:176kB unevictable:180kB writepending:184kB present:${dma32!.zone.presentPages * 4}kB` +
        ` managed:${dma32!.zone.managedPages * 4}kB mlocked:188kB slab_reclaimable:204kB slab_unreclaimable:208kB` +
        ` kernel_stack:56kB pagetables:212kB bounce:0kB free_pcp:${dma32!.pcpPages * 4}kB` +
        ` local_pcp:${(dma32!.pcpCount[0] ?? 0) * 4}kB free_cma:0kB`,
    );
  });

  it('prints 4.8’s swap cache statistics and no hwpoisoned count', () => {
    expect(lines.slice(-8)).toEqual([
      '22 total pagecache pages',
      '0 pages in swap cache',
      'Swap cache stats: add 0, delete 0, find 0/0',
      'Free swap  = 0kB',
      'Total swap = 0kB',
      `${memory.presentPages} pages RAM`,
      '0 pages HighMem/MovableOnly',
      `${memory.zones.reduce((sum, zone) => sum + zone.presentPages - zone.managedPages, 0)} pages reserved`,
    ]);
  });
});
