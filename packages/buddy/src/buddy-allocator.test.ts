import { describe, expect, it } from 'vitest';
import { checkInvariants } from './__tests__/invariants';
import { bootMachine, GIB, MIB, reportMachine } from './__tests__/machine';
import type { BuddyAllocator } from './buddy-allocator';
import { formatBuddyinfo } from './proc-buddyinfo';
import { formatPagetypeinfo } from './proc-pagetypeinfo';

describe('boot (memblock_free_all)', () => {
  it('puts every managed page on the free lists, in maximal blocks, with the DMA zone of a real PC', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 4 * GIB });
    const managed = memory.zones.reduce((sum, zone) => sum + zone.managedPages, 0);
    expect(buddy.totalFreePages()).toBe(managed);
    checkInvariants(buddy, []);
    // The real machine's DMA rows: one order-8 Unmovable block (pageblock 0 starts in a hole), then Movable 1×9, 3×10.
    expect(formatPagetypeinfo(buddy)).toContain(
      'Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      1      0      0 \n' +
        'Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      0      1      3 ',
    );
    expect(formatPagetypeinfo(buddy)).toContain('Node 0, zone      DMA            1            7            0');
    expect(formatBuddyinfo(buddy).split('\n')[0]).toBe(
      'Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 ',
    );
  });

  it('computes min_free_kbytes, watermarks, lowmem reserves and pcp sizes as the kernel does', () => {
    const { buddy } = bootMachine('v6.18', { memory: 24 * GIB });
    // THP's recommended minimum for three populated zones: 512 × 3 × 11 pages = 67584 KiB.
    expect(buddy.minFreeKbytes).toBe(67584);
    const [dma, dma32, normal] = buddy.zones;
    expect(dma!.lowmemReserve).toEqual([
      0,
      Math.floor(dma32!.zone.managedPages / 256),
      Math.floor((dma32!.zone.managedPages + normal!.zone.managedPages) / 256),
      Math.floor((dma32!.zone.managedPages + normal!.zone.managedPages) / 256),
      Math.floor((dma32!.zone.managedPages + normal!.zone.managedPages) / 256),
    ]);
    // The sample machine's DMA pageset: batch 1, high_min = low/2 CPUs, high_max = managed/8/2.
    expect([dma!.pcpBatch, dma!.pcpHighMin, dma!.pcpHighMax]).toEqual([
      1,
      Math.max(Math.floor(dma!.watermark.low / 2), 4),
      Math.floor(3840 / 16),
    ]);
    expect(dma32!.pcpBatch).toBe(63);
  });

  it('keeps v4.8 per-CPU lists at 6 × batch', () => {
    const { buddy } = bootMachine('v4.8', { memory: 4 * GIB });
    const normal = buddy.zones[2]!;
    expect([normal.pcpBatch, normal.pcpHighMin]).toEqual([31, 186]);
    expect([buddy.zones[0]!.pcpBatch, buddy.zones[0]!.pcpHighMin]).toEqual([1, 0]);
  });
});

describe('alloc_pages', () => {
  it('serves GFP_KERNEL from ZONE_NORMAL, lowest address first, and refills the per-CPU list by a batch', () => {
    const { buddy, memory } = bootMachine('v4.8', { memory: 8 * GIB });
    const normal = buddy.zones[2]!;
    const before = normal.freePages;
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 0);
    expect(pfn).toBe(normal.zone.startPfn);
    expect(normal.freePages).toBe(before - 31);
    expect(normal.pcpCount[0]).toBe(30);
    expect(memory.pageRefcount(pfn)).toBe(1);
  });

  it('honours zone modifiers and falls back to lower zones', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 4 * GIB });
    const g = memory.profile.gfp.flags;
    expect(memory.zoneOf(buddy.allocPages(g.GFP_KERNEL | g.DMA, 3))!.name).toBe('DMA');
    expect(memory.zoneOf(buddy.allocPages(g.GFP_KERNEL | g.DMA32, 3))!.name).toBe('DMA32');
    expect(memory.zoneOf(buddy.allocPages(g.GFP_HIGHUSER_MOVABLE, 3))!.name).toBe('Normal');
    // Fill Normal: GFP_KERNEL continues in DMA32.
    let pfn = 0;
    let zoneName = 'Normal';
    while (zoneName === 'Normal' && pfn >= 0) {
      pfn = buddy.allocPages(g.GFP_KERNEL | g.NOWARN, 10);
      if (pfn >= 0) zoneName = memory.zoneOf(pfn)!.name;
    }
    expect(zoneName).toBe('DMA32');
  });

  it('splits the smallest large-enough block and leaves one block of each order in between', () => {
    const { buddy, memory } = bootMachine('v4.8', { memory: 4 * GIB });
    const zone = buddy.zones[2]!;
    const before = [...zone.nrFree];
    const smallest = before.findIndex((count, order) => order >= 4 && count > 0);
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_HIGHUSER_MOVABLE, 4);
    expect(memory.zoneOf(pfn)).toBe(zone.zone);
    expect(zone.nrFree[smallest]).toBe(before[smallest]! - 1);
    for (let order = 4; order < smallest; order++) expect(zone.nrFree[order]).toBe(before[order]! + 1);
  });

  it('claims a pageblock for an unmovable fallback and keeps it there (v4.8 and v6.18)', () => {
    for (const profile of ['v4.8', 'v6.18'] as const) {
      const { buddy, memory } = bootMachine(profile, { memory: 64 * MIB, layout: 'flat' });
      const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 0);
      expect(memory.pageblockMigratetype(pfn)).toBe(0);
      expect(buddy.stats.pageblocksClaimed).toBeGreaterThan(0);
      expect(buddy.stats.fallbacks).toBe(1);
    }
  });

  it('fails below the min watermark, lets __GFP_HIGH dip into the reserve, and reports failures', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 256 * MIB, layout: 'flat' });
    const g = memory.profile.gfp.flags;
    while (buddy.allocPages(g.GFP_KERNEL | g.NOWARN, 0) >= 0);
    const failuresBefore = buddy.stats.allocFailures;
    expect(buddy.allocPages(g.GFP_KERNEL, 0)).toBe(-1);
    expect(buddy.stats.allocFailures).toBe(failuresBefore + 1);
    expect(buddy.allocPages(g.GFP_ATOMIC | g.NOWARN, 0)).toBeGreaterThanOrEqual(0);
    const log = memory.log.text();
    expect(log).toMatch(
      /swapper: page allocation failure: order:0, mode:0xcc0\(GFP_KERNEL\), nodemask=\(null\),cpuset=\/,mems_allowed=0\n/,
    );
    expect(log).toContain('Mem-Info:');
    expect(log).toMatch(/Node 0 DMA32: \d+\*4kB/);
    expect(log.match(/page allocation failure/g)).toHaveLength(1);
  });

  it('rate-limits allocation failure reports and prints the v4.8 form', () => {
    const { buddy, memory } = bootMachine('v4.8', { memory: 128 * MIB, layout: 'flat' });
    const g = memory.profile.gfp.flags;
    for (let index = 0; index < 40; index++) buddy.allocPages(g.GFP_KERNEL, 10);
    const failures = memory.log.text().match(/page allocation failure: order:10, mode:0x24000c0\(GFP_KERNEL\)\n/g);
    expect(failures).toHaveLength(10);
  });

  it('calls alloc_stall listeners before giving up and retries', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 128 * MIB, layout: 'flat' });
    const g = memory.profile.gfp.flags;
    const held: number[] = [];
    for (
      let pfn = buddy.allocPages(g.GFP_KERNEL | g.NOWARN, 9);
      pfn >= 0;
      pfn = buddy.allocPages(g.GFP_KERNEL | g.NOWARN, 9)
    ) {
      held.push(pfn);
    }
    const stalls: number[][] = [];
    buddy.hooks.alloc_stall.subscribe((order, gfp, zoneId) => {
      stalls.push([order, gfp, zoneId]);
      buddy.freePages(held.pop()!, 9);
    });
    expect(buddy.allocPages(g.GFP_KERNEL, 9)).toBeGreaterThanOrEqual(0);
    expect(stalls).toEqual([[9, g.GFP_KERNEL, 1]]);
  });

  it('warns once for an order above MAX_PAGE_ORDER', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 128 * MIB, layout: 'flat' });
    expect(buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 11)).toBe(-1);
    expect(buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 11)).toBe(-1);
    expect(memory.log.text().match(/WARNING: CPU: 0 PID: 0 at mm\/page_alloc.c/g)).toHaveLength(1);
  });

  it('marks compound pages head and tails and fires post_alloc with the block', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 128 * MIB, layout: 'flat' });
    const seen: number[][] = [];
    buddy.hooks.post_alloc.subscribe((pfn, order, gfp) => seen.push([pfn, order, gfp]));
    const g = memory.profile.gfp.flags;
    const pfn = buddy.allocPages(g.GFP_KERNEL | g.COMP, 2);
    expect(seen).toEqual([[pfn, 2, g.GFP_KERNEL | g.COMP]]);
    expect(memory.testPageFlag(pfn, memory.profile.pageFlags.bit.head)).toBe(true);
    expect(memory.pageState(pfn + 1)).toBe(4);
    buddy.freePages(pfn, 2);
    expect(memory.pageState(pfn + 1)).not.toBe(4);
  });
});

describe('__free_pages and split_page', () => {
  it('merges freed blocks back and fires free_prepare', () => {
    const { buddy, memory } = bootMachine('v4.8', { memory: 64 * MIB, layout: 'flat' });
    const before = formatBuddyinfo(buddy);
    const freed: number[][] = [];
    buddy.hooks.free_prepare.subscribe((pfn, order) => freed.push([pfn, order]));
    const g = memory.profile.gfp.flags;
    const blocks = [1, 2, 3, 0, 5].map((order) => ({ pfn: buddy.allocPages(g.GFP_HIGHUSER_MOVABLE, order), order }));
    for (const block of blocks) buddy.freePages(block.pfn, block.order);
    buddy.drainAllPages();
    expect(freed).toEqual(blocks.map((block) => [block.pfn, block.order]));
    expect(formatBuddyinfo(buddy)).toBe(before);
  });

  it('keeps a page referenced twice until the last put', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 64 * MIB, layout: 'flat' });
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL | memory.profile.gfp.flags.COMP, 1);
    memory.section(pfn).refcount[pfn - memory.section(pfn).startPfn] = 2;
    buddy.freePages(pfn, 1);
    expect(memory.pageRefcount(pfn)).toBe(1);
    buddy.freePages(pfn, 1);
    expect(memory.pageState(pfn)).not.toBe(0);
  });

  it('splits an order-3 block into 8 independently freeable pages', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 64 * MIB, layout: 'flat' });
    const splits: number[][] = [];
    buddy.hooks.split.subscribe((pfn, oldOrder, newOrder) => splits.push([pfn, oldOrder, newOrder]));
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 3);
    buddy.splitPage(pfn, 3);
    expect(splits).toEqual([[pfn, 3, 0]]);
    const held = Array.from({ length: 8 }, (_, index) => ({ pfn: pfn + index, order: 0 }));
    checkInvariants(buddy, held);
    for (const block of held) buddy.freePages(block.pfn, 0);
    checkInvariants(buddy, []);
    expect(() => buddy.splitPage(pfn, 3)).toThrow(/not an allocated page/);
  });

  it('make_alloc_exact: keeps the first pages; v6.18 frees the rest to the buddy, v4.8 through the per-CPU lists', () => {
    for (const profile of ['v6.18', 'v4.8'] as const) {
      // 1 GiB: per-CPU lists that hold pages (on 64 MiB, v4.8's high is 0 and every free goes through at once).
      const { buddy, memory } = bootMachine(profile, { memory: GIB, layout: 'flat' });
      const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 4);
      const zone = buddy.zones.find((candidate) => candidate.zone.spans(pfn))!;
      const onPcp = zone.pcpCount[memory.current.cpu]!;
      const free = buddy.totalFreePages();
      // 5 pages kept, 11 freed: [5], [6, 8), [8, 16) once merged.
      buddy.makeAllocExact(pfn, 4, 5);
      const held = Array.from({ length: 5 }, (_, index) => ({ pfn: pfn + index, order: 0 }));
      checkInvariants(buddy, held);
      if (profile === 'v6.18') {
        expect(zone.pcpCount[memory.current.cpu]).toBe(onPcp);
        expect(buddy.totalFreePages()).toBe(free + 11);
        expect([5, 6, 8].map((offset) => memory.pageOrder(pfn + offset))).toEqual([0, 1, 3]);
      } else {
        expect(zone.pcpCount[memory.current.cpu]).toBe(onPcp + 11);
      }
      for (const block of held) buddy.freePages(block.pfn, 0);
    }
  });

  it('make_alloc_exact (v6.18): the freed pages end at the lists’ tails in address order; a bad page stays out', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: GIB, layout: 'flat' });
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 4);
    const zone = buddy.zones.find((candidate) => candidate.zone.spans(pfn))!;
    // PG_lru is checked at free: page 9 is reported and leaks, as __free_pages_ok() leaves a bad page.
    memory.setPageFlag(pfn + 9, memory.profile.pageFlags.bit.lru);
    buddy.makeAllocExact(pfn, 4, 5);
    expect(memory.log.lines().some((line) => line.includes('BUG: Bad page state'))).toBe(true);
    expect(buddy.stats.leakedPages).toBe(1);
    // Page by page from 5, each merged as far as it goes and put at its list's tail: [5], [6, 8), [8], then
    // [10, 12) and [12, 16) around the bad page 9.
    const lists = new Map<string, number[]>();
    buddy.forEachFreeBlock(zone, (block, order, migratetype) => {
      const key = `${order}/${migratetype}`;
      lists.set(key, [...(lists.get(key) ?? []), block]);
    });
    const type = memory.pageblockMigratetype(pfn);
    const tails = (order: number, count: number) => lists.get(`${order}/${type}`)!.slice(-count);
    expect(tails(0, 2)).toEqual([pfn + 5, pfn + 8]);
    expect(tails(1, 2)).toEqual([pfn + 6, pfn + 10]);
    expect(tails(2, 1)).toEqual([pfn + 12]);
    // Page 9 is neither free nor held: the invariants count it as leaked.
    checkInvariants(
      buddy,
      [0, 1, 2, 3, 4].map((offset) => ({ pfn: pfn + offset, order: 0 })),
    );
  });
});

describe('bad page reports', () => {
  it('reports a double free like the kernel (v6.18) and leaves the lists alone', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 64 * MIB, layout: 'flat' });
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 5);
    buddy.freePages(pfn, 5);
    const before = formatBuddyinfo(buddy);
    memory.current.comm = 'leaky-driver';
    buddy.freePages(pfn, 5);
    expect(formatBuddyinfo(buddy)).toBe(before);
    const lines = memory.log.lines().map((line) => line.slice(15));
    expect(lines[0]).toBe(`BUG: Bad page state in process leaky-driver  pfn:${pfn.toString(16).padStart(5, '0')}`);
    // __free_pages() dropped the reference first (put_page_testzero()): the page is seen with _refcount -1.
    expect(lines[1]).toBe(`page: refcount:-1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x${pfn.toString(16)}`);
    expect(lines[2]).toBe('flags: 0xfffffc0000000(node=0|zone=1|lastcpupid=0x1fffff)');
    expect(lines[3]).toBe('page_type: f0(buddy)');
    expect(lines[4]).toMatch(/^raw: 000fffffc0000000 ffffea[0-9a-f]{10} ffffea[0-9a-f]{10} 0000000000000000$/);
    expect(lines[5]).toBe(
      `raw: 0000000000000000 ${memory.pageOrder(pfn).toString(16).padStart(16, '0')} 00000000f0000000 0000000000000000`,
    );
    expect(lines[6]).toBe('page dumped because: nonzero _refcount');
    expect(lines[7]).toBe('Modules linked in:');
    // lib/dump_stack.c dump_stack_print_info(): "... %s " BUILD_ID_FMT "\n" ends in a space without a build id.
    expect(lines[8]).toBe('CPU: 0 UID: 0 PID: 0 Comm: leaky-driver Not tainted 6.18.2 #1 PREEMPT(voluntary) ');
    expect(lines.at(-1)).toBe('Disabling lock debugging due to kernel taint');
    expect(memory.taint.print()).toBe('Tainted: G    B              ');
    checkInvariants(buddy, []);
  });

  it('prints the v4.8 form and leaks a page freed with PG_reserved', () => {
    const { buddy, memory } = bootMachine('v4.8', { memory: 64 * MIB, layout: 'flat' });
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 0);
    memory.setPageFlag(pfn, memory.profile.pageFlags.bit.reserved);
    buddy.freePages(pfn, 0);
    const lines = memory.log.lines().map((line) => line.slice(15));
    expect(lines[1]).toMatch(/^page:ffffea00000[0-9a-f]{5} count:0 mapcount:0 mapping: {10}\(null\) index:0x0$/);
    expect(lines[2]).toBe('flags: 0x1fffff80000400(reserved)');
    expect(lines[3]).toBe('page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
    expect(lines[4]).toBe('bad because of flags: 0x400(reserved)');
    expect(buddy.stats.leakedPages).toBe(1);
    checkInvariants(buddy, []);
  });

  it('checks every page of a high-order block: a bad tail is reported at its own pfn and the block leaks', () => {
    for (const profile of ['v4.8', 'v6.18'] as const) {
      const { buddy, memory } = bootMachine(profile, { memory: 64 * MIB, layout: 'flat' });
      const { GFP_KERNEL, COMP } = memory.profile.gfp.flags;
      // A plain order-3 block whose fifth page still has PG_lru; a compound one whose third page lost PageTail.
      const plain = buddy.allocPages(GFP_KERNEL, 3);
      memory.setPageFlag(plain + 4, memory.profile.pageFlags.bit.lru);
      const compound = buddy.allocPages(GFP_KERNEL | COMP, 3);
      memory.pages.flags[compound + 2] = 0;
      const free = buddy.nrFreePages();
      buddy.freePages(plain, 3);
      buddy.freePages(compound, 3);
      const reports = memory.log.lines().filter((line) => line.includes('BUG: Bad page state'));
      expect(reports.map((line) => line.slice(line.indexOf('pfn:') + 4))).toEqual([
        (plain + 4).toString(16).padStart(5, '0'),
        (compound + 2).toString(16).padStart(5, '0'),
      ]);
      expect(memory.log.text()).toContain('page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
      expect(memory.log.text()).toContain('page dumped because: PageTail not set');
      expect(buddy.nrFreePages()).toBe(free);
      expect(buddy.stats.leakedPages).toBe(16);
    }
  });

  it('stops after 60 reports a minute and says how many it suppressed', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 64 * MIB, layout: 'flat' });
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 5);
    buddy.freePages(pfn, 5);
    for (let index = 0; index < 70; index++) buddy.freePages(pfn, 5);
    expect(memory.log.text().match(/BUG: Bad page state in process/g)).toHaveLength(60);
    memory.clock.advance(61e9);
    buddy.freePages(pfn, 5);
    expect(memory.log.text()).toContain('BUG: Bad page state: 10 messages suppressed');
  });

  it('rejects pfns that have no struct page', () => {
    const { buddy } = bootMachine('v6.18', { memory: 4 * GIB });
    expect(() => buddy.freePages(0xc0000, 0)).toThrow(/no such page/);
    // Outside the per-page arrays, below 0, or not a pfn at all: the order-0 fast path leaves each to the check.
    for (const pfn of [-1, 2 ** 40, 0.5]) expect(() => buddy.freePages(pfn, 0)).toThrow(/no such page/);
    expect(() => buddy.freePages(0x1000, 0.5)).toThrow(/no such page/);
  });
});

describe('exact allocations (trace replay) and memory offlining', () => {
  it('allocExact takes exactly the asked block out of a larger free one and gives the rest back', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 1 * GIB });
    const gfp = memory.profile.gfp.flags.GFP_KERNEL;
    const free = buddy.totalFreePages();
    const pfn = 0x30000 + 12;
    expect(buddy.allocExact(pfn, 2, gfp)).toBe(true);
    expect(buddy.totalFreePages()).toBe(free - 4);
    expect(memory.pageRefcount(pfn)).toBe(1);
    // Already allocated, or not aligned to its order: refused.
    expect(buddy.allocExact(pfn, 0, gfp)).toBe(false);
    expect(buddy.allocExact(0x30001, 1, gfp)).toBe(false);
    buddy.freePages(pfn, 2);
    buddy.drainAllPages();
    expect(buddy.totalFreePages()).toBe(free);
    checkInvariants(buddy, []);
  });

  it('isolates a range (frees there stay out of use) and takes its free pages offline', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 1 * GIB });
    const gfp = memory.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
    const start = 0x20000;
    const end = start + memory.pagesPerSection;
    expect(buddy.allocExact(start + 5, 0, gfp)).toBe(true);
    buddy.isolateRange(start, end);
    const before = buddy.totalFreePages();
    for (let index = 0; index < 1000; index++) {
      const pfn = buddy.allocPages(gfp, 0);
      expect(pfn < start || pfn >= end).toBe(true);
      buddy.freePages(pfn, 0);
    }
    buddy.freePages(start + 5, 0);
    expect(buddy.offlineIsolatedPages(start, end)).toBe(memory.pagesPerSection);
    expect(buddy.totalFreePages()).toBeLessThan(before);
    expect(memory.pageType(start + 5)).toBe(3 /* PageType.offline */);
  });

  it.each(['v4.8', 'v6.18'] as const)(
    '%s: undoes an isolation (undo_isolate_page_range): types back, free blocks merged and allocatable again',
    (profile) => {
      const { buddy, memory } = bootMachine(profile, { memory: 1 * GIB });
      const gfp = memory.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
      const start = 0x20000;
      const end = start + memory.pagesPerSection;
      // A pageblock of another type, and a page in use, in the range.
      memory.setPageblockMigratetype(start + 512, 2 /* MIGRATE_RECLAIMABLE */);
      expect(buddy.allocExact(start + 7, 0, gfp)).toBe(true);
      const free = buddy.totalFreePages();
      buddy.isolateRange(start, end);
      expect(memory.pageblockMigratetype(start + 512)).toBe(4 /* MIGRATE_ISOLATE */);
      // test_pages_isolated(): the page in use fails it; freed (to the isolate lists), it passes.
      expect(buddy.testPagesIsolated(start, end)).toBe(false);
      buddy.freePages(start + 7, 0);
      expect(buddy.testPagesIsolated(start, end)).toBe(true);
      expect(buddy.testPagesIsolated(start - 512, end)).toBe(false);
      buddy.undoIsolateRange(start, end);
      // v6.18 clears PB_migrate_isolate and the old type shows again; v4.8 makes every block MIGRATE_MOVABLE.
      expect(memory.pageblockMigratetype(start + 512)).toBe(profile === 'v6.18' ? 2 : 1);
      expect(memory.pageblockMigratetype(start)).toBe(1);
      expect(buddy.totalFreePages()).toBe(free + 1);
      checkInvariants(buddy, []);
      // Nothing is left on the isolate lists.
      buddy.forEachFreeBlock(buddy.zones[memory.zoneOf(start)!.id]!, (_pfn, _order, type) => expect(type).not.toBe(4));
    },
  );

  it('takes an isolated range offline only when all of it is free (__offline_isolated_pages BUG_ON)', () => {
    const { buddy, memory } = bootMachine('v6.18', { memory: 1 * GIB });
    const start = 0x20000;
    const end = start + memory.pagesPerSection;
    expect(buddy.allocExact(start + 9, 0, memory.profile.gfp.flags.GFP_KERNEL)).toBe(true);
    buddy.isolateRange(start, end);
    const free = buddy.totalFreePages();
    expect(() => buddy.offlineIsolatedPages(start, end)).toThrow(/neither free on an isolated pageblock nor offline/);
    expect(buddy.totalFreePages()).toBe(free);
    expect(memory.sections[start / memory.pagesPerSection]!.online).toBe(true);
    buddy.freePages(start + 9, 0);
    expect(buddy.offlineIsolatedPages(start, end)).toBe(memory.pagesPerSection);
    expect(memory.sections[start / memory.pagesPerSection]!.online).toBe(false);
    // Its pages are PageOffline now: a second pass finds them offline already and has no managed pages to give.
    expect(buddy.testPagesIsolated(start, end)).toBe(true);
    expect(buddy.offlineIsolatedPages(start, end)).toBe(0);
  });
});

describe('pages reserved by whole pageblocks, their words not stored (PageArrays.reservedBlocks)', () => {
  /** What each machine shows after `act`: the log (no timestamps), the error thrown, and the block's pages. */
  function outcome(stored: boolean, act: (buddy: BuddyAllocator, pfn: number) => unknown) {
    const { memory, buddy } = reportMachine('v6.18', ['do_syscall_64+0x71', '__free_pages+0x25/0x30']);
    const image = memory.memblockReserved.find((region) => region.owner === 'kernel image')!;
    const block = Math.ceil(image.start / 512) * 512;
    expect(memory.pages.reservedBlocks[block >>> 9]).toBe(1);
    if (stored) memory.materializeReserved(0, memory.maxPfn);
    let thrown = '';
    try {
      act(buddy, block + 8);
    } catch (error) {
      thrown = String(error);
    }
    const pages = Array.from({ length: 512 }, (_, index) => [
      memory.pageWord(block + index),
      memory.pageRefcount(block + index),
      memory.pageMapcount(block + index),
    ]);
    const log = memory.log.lines().map((line) => line.replace(/^\[ *\d+\.\d+\] /, ''));
    return { log, thrown, pages, free: buddy.totalFreePages() };
  }

  it.each<[string, (buddy: BuddyAllocator, pfn: number) => unknown]>([
    ['__free_pages() of one', (buddy, pfn) => buddy.freePages(pfn, 0)],
    ['__free_pages() of an order-3 block', (buddy, pfn) => buddy.freePages(pfn, 3)],
    ['split_page()', (buddy, pfn) => buddy.splitPage(pfn, 2)],
    ['a free that holds the pages', (buddy, pfn) => buddy.freeAndHold(pfn, 0)],
    ['free_reserved_area()', (buddy, pfn) => buddy.freeReservedPages(pfn, pfn + 700)],
    ['an exact allocation (trace replay)', (buddy, pfn) => buddy.allocExact(pfn, 0, 0xcc0)],
  ])('%s: as with the words stored', (_, act) => {
    const lazy = outcome(false, act);
    const stored = outcome(true, act);
    expect(lazy).toEqual(stored);
    expect(lazy.log.join('\n') + lazy.thrown + lazy.free).not.toBe('');
  });
});
