import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import {
  type EarlyAllocation,
  getProfile,
  type MachineConfig,
  type MemoryNode,
  PAGE_SIZE,
  PhysicalMemory,
  type ProfileName,
} from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { flatmemPageExtAllocations, PageExt, planPageExt } from './page-ext';
import type { PageExtClient } from './page-ext-client';
import { pageExtLayouts } from './page-ext-layout';

const GIB = 2 ** 30;
/** `sizeof(struct page_owner)` in v6.18 (mm/page_owner.c); @mm/page-owner exports it, which depends on us. */
const PAGE_OWNER_BYTES_V618 = 64;
/**
 * page_owner's fields in the fixed `struct page_ext` (include/linux/page_ext.h of each version), as @mm/page-owner
 * declares them: v3.19 order, gfp_mask, struct stack_trace and 8 entries; v4.7 order, gfp_mask, nr_entries,
 * last_migrate_reason and 8 entries; v4.8 order, gfp_mask, last_migrate_reason and a depot handle.
 */
const pageOwnerFields: Readonly<Record<string, Record<32 | 64, number>>> = {
  'v3.19': { 64: 4 + 4 + 24 + 64, 32: 4 + 4 + 16 + 32 },
  'v4.7': { 64: 4 + 4 + 4 + 4 + 64, 32: 4 + 4 + 4 + 4 + 32 },
  'v4.8': { 64: 4 + 4 + 4 + 4, 32: 4 + 4 + 4 + 4 },
};

/** Places in page_ext_ops[] (page-ext-client.ts). */
const places: Readonly<Record<string, number>> = {
  debug_pagealloc: 100,
  page_owner: 300,
  page_idle: 400,
  page_table_check: 600,
};

function client(name: string, size: number, needSharedFlags: boolean, need = true): PageExtClient {
  return { name, place: places[name] ?? 700, size, needSharedFlags, need: () => need };
}
const pageOwner = (need = true): PageExtClient => ({
  ...client('page_owner', PAGE_OWNER_BYTES_V618, true, need),
  fixedBytes: (version, bitsPerLong) => pageOwnerFields[version]?.[bitsPerLong] ?? 0,
});

/** A booted allocator with every free page in it, and the page allocator events it fires. */
function machine(profile: ProfileName, memory: number, config: Partial<MachineConfig> = {}) {
  const physical = new PhysicalMemory({ memory, profile: getProfile(profile), ...config });
  const hooks = createHookBus();
  const buddy = new BuddyAllocator(physical, hooks);
  buddy.freeAllMemory();
  const events: string[] = [];
  hooks.post_alloc.subscribe((pfn, order, gfp) => events.push(`alloc ${pfn} ${order} 0x${gfp.toString(16)}`));
  hooks.split.subscribe((pfn, order) => events.push(`split ${pfn} ${order}`));
  hooks.free_prepare.subscribe((pfn, order) => events.push(`free ${pfn} ${order}`));
  return { memory: physical, buddy, events };
}

function planFor(profile: ProfileName, bitsPerLong: 32 | 64 = 64) {
  return planPageExt([pageOwner()], pageExtLayouts[profile]!, bitsPerLong)!;
}

const withoutTime = (line: string) => line.replace(/^\[[ \d.]+\] /, '');

/**
 * Takes every free page of every zone (`__GFP_MEMALLOC` ignores the watermarks), largest blocks first, split into
 * pages; returns them sorted.
 */
function takeEverything(memory: PhysicalMemory, buddy: BuddyAllocator): number[] {
  const g = memory.profile.gfp.flags;
  const taken: number[] = [];
  for (const zone of [0, g.DMA]) {
    const gfp = g.GFP_KERNEL | g.MEMALLOC | g.NOWARN | zone;
    for (let order = 10; order >= 0; order--) {
      for (let pfn = buddy.allocPages(gfp, order); pfn >= 0; pfn = buddy.allocPages(gfp, order)) {
        if (order > 0) buddy.splitPage(pfn, order);
        for (let page = pfn; page < pfn + (1 << order); page++) taken.push(page);
      }
    }
  }
  expect(buddy.totalFreePages()).toBe(0);
  return taken.sort((a, b) => a - b);
}

/** Fragments memory: takes every page, then gives back every other one, so that only order-0 pages are free. */
function fragment(memory: PhysicalMemory, buddy: BuddyAllocator): void {
  const taken = takeEverything(memory, buddy);
  for (let index = 0; index < taken.length; index += 2) buddy.freePages(taken[index]!, 0);
}

describe('planPageExt (invoke_need_callbacks)', () => {
  it.each([
    ['v3.19', 104],
    ['v4.7', 88],
    ['v4.8', 24],
  ])('uses the %s struct page_ext of the built-in clients, whoever asked: %i bytes', (version, bytes) => {
    const layout = pageExtLayouts[version]!;
    expect(planPageExt([pageOwner()], layout, 64)).toEqual({
      entryBytes: bytes,
      sharedFlags: true,
      active: [{ client: expect.objectContaining({ name: 'page_owner' }), offset: 8 }],
    });
    // debug_pagealloc alone asks, but page_owner is built in: its fields are in the struct all the same.
    expect(planPageExt([client('debug_pagealloc', 0, true), pageOwner(false)], layout, 64)?.entryBytes).toBe(bytes);
    // Without CONFIG_PAGE_OWNER the struct is the flags word alone.
    expect(planPageExt([client('debug_pagealloc', 0, true)], layout, 64)?.entryBytes).toBe(8);
    expect(planPageExt([client('page_idle', 0, true)], layout, 32)?.entryBytes).toBe(4);
  });

  it('uses the 32-bit struct sizes on a 32-bit kernel', () => {
    expect(planFor('v4.7', 32).entryBytes).toBe(52);
    expect(planFor('v4.8', 32).entryBytes).toBe(20);
    expect(planFor('v4.8', 32).active[0]!.offset).toBe(4);
  });

  it('gives v6.18 page_owner alone 8 bytes of flags and its 64: 72 bytes', () => {
    const plan = planFor('v6.18');
    expect(plan.entryBytes).toBe(72);
    expect(plan.sharedFlags).toBe(true);
    expect(plan.active.map(({ client: { name }, offset }) => [name, offset])).toEqual([['page_owner', 8]]);
    expect(planFor('v6.18', 32).entryBytes).toBe(4 + 64);
  });

  it('gives each client that said yes its offset, in page_ext_ops[] order, and skips the others', () => {
    const plan = planPageExt(
      [client('page_table_check', 8, false), client('page_idle', 0, true, false), pageOwner()],
      pageExtLayouts['v6.18']!,
      64,
    )!;
    expect(plan.entryBytes).toBe(8 + 64 + 8);
    expect(plan.active.map(({ client: { name }, offset }) => [name, offset])).toEqual([
      ['page_owner', 8],
      ['page_table_check', 72],
    ]);
  });

  it('leaves the flags word out when no active client needs it (v6.3+), as in the commit example', () => {
    const check = client('page_table_check', 8, false);
    const onDemand = planPageExt([check], pageExtLayouts['v6.18']!, 64)!;
    expect(onDemand).toMatchObject({ entryBytes: 8, sharedFlags: false });
    expect(onDemand.active[0]!.offset).toBe(0);
    const always = planPageExt([check], { scheme: 'offset', sharedFlagsOnDemand: false }, 64)!;
    expect(always).toMatchObject({ entryBytes: 16, sharedFlags: true });
    // 128 GiB with page_table_check only: 536,870,912 bytes before the change, 268,435,456 after.
    const pages = (128 * GIB) / PAGE_SIZE;
    expect(always.entryBytes * pages).toBe(536_870_912);
    expect(onDemand.entryBytes * pages).toBe(268_435_456);
  });

  it('plans nothing when no client needs page_ext, asking each client once', () => {
    let asked = 0;
    const shy: PageExtClient = {
      name: 'page_owner',
      place: 300,
      size: 64,
      needSharedFlags: true,
      need: () => {
        asked++;
        return false;
      },
    };
    for (const version of ['v4.7', 'v4.8', 'v6.18']) {
      expect(planPageExt([shy], pageExtLayouts[version]!, 64)).toBeUndefined();
    }
    expect(planPageExt([], pageExtLayouts['v6.18']!, 64)).toBeUndefined();
    expect(asked).toBe(3);
  });
});

describe('PageExt on SPARSEMEM (page_ext_init)', () => {
  it.each([
    ['v4.7', 88, 92_274_688, 704, 10],
    ['v4.8', 24, 25_165_824, 192, 8],
    ['v6.18', 72, 75_497_472, 576, 10],
  ] as const)(
    '%s, 4 GiB: %i-byte entries, allocated %i bytes, %i pages per section from an order-%i block',
    (profile, entryBytes, totalBytes, pagesPerTable, order) => {
      const { memory, buddy, events } = machine(profile, 4 * GIB);
      const plan = planFor(profile);
      expect(plan.entryBytes).toBe(entryBytes);
      const pageExt = new PageExt(memory, plan);
      const free = buddy.totalFreePages();
      events.length = 0;
      pageExt.allocate(buddy);

      // 3 GiB below the PCI hole and 1 GiB above 4 GiB: 32 present sections, each with a whole table.
      expect(pageExt.sections.size).toBe(32);
      expect(pageExt.totalBytes).toBe(totalBytes);
      expect(totalBytes).toBe(32 * memory.pagesPerSection * entryBytes);
      // The kernel counts whole sections, not present pages: the result is entry × 2^20 although a few pages of
      // the first section are not RAM.
      expect(memory.presentPages).toBeLessThan(2 ** 20);
      expect(totalBytes).toBe(entryBytes * 2 ** 20);
      expect(withoutTime(memory.log.lines().at(-1)!)).toBe(`allocated ${totalBytes} bytes of page_ext`);

      // Each table is alloc_pages_exact_nid(): one block of 2^order pages, split, the tail pages freed.
      expect(pagesPerTable).toBe(Math.ceil((memory.pagesPerSection * entryBytes) / PAGE_SIZE));
      expect(buddy.totalFreePages()).toBe(free - 32 * pagesPerTable);
      const g = memory.profile.gfp.flags;
      const gfp = `0x${(g.GFP_KERNEL | g.ZERO | g.NOWARN).toString(16)}`;
      for (const table of pageExt.sections.values()) {
        expect(table.vmalloc).toBe(false);
        expect(table.bytes).toBe(memory.pagesPerSection * entryBytes);
        expect(table.blocks).toHaveLength(1);
        const { pfn, pages } = table.blocks[0]!;
        expect(pages).toBe(pagesPerTable);
        expect(pfn % (1 << order)).toBe(0);
        const tail = Array.from({ length: (1 << order) - pages }, (_, index) => `free ${pfn + pages + index} 0`);
        const at = events.indexOf(`alloc ${pfn} ${order} ${gfp}`);
        expect(at).toBeGreaterThanOrEqual(0);
        expect(events.slice(at, at + 2 + tail.length)).toEqual([
          `alloc ${pfn} ${order} ${gfp}`,
          `split ${pfn} ${order}`,
          ...tail,
        ]);
      }
      expect(events.filter((event) => event.startsWith('alloc'))).toHaveLength(32);
    },
  );

  it('has page_ext exactly for the pfns of the sections it allocated (lookup_page_ext)', () => {
    const { memory, buddy } = machine('v4.8', 4 * GIB);
    const pageExt = new PageExt(memory, planFor('v4.8'));
    pageExt.allocate(buddy);
    const perSection = memory.pagesPerSection;
    expect(pageExt.hasPageExt(0)).toBe(true);
    expect(pageExt.hasPageExt(24 * perSection - 1)).toBe(true);
    // The PCI hole from 3 GiB to 4 GiB has no sections.
    expect(pageExt.hasPageExt(24 * perSection)).toBe(false);
    expect(pageExt.hasPageExt(0xfffff)).toBe(false);
    expect(pageExt.hasPageExt(0x100000)).toBe(true);
    expect(pageExt.hasPageExt(memory.maxPfn - 1)).toBe(true);
    expect(pageExt.hasPageExt(memory.maxPfn)).toBe(false);
    expect(pageExt.hasPageExt(-1)).toBe(false);
    for (let pfn = 0; pfn < memory.maxPfn + 2 * perSection; pfn += 4093) {
      expect(pageExt.hasPageExt(pfn)).toBe(pageExt.sections.has(Math.floor(pfn / perSection)));
    }
  });

  it('has no page_ext before it is allocated', () => {
    const { memory } = machine('v6.18', GIB);
    const pageExt = new PageExt(memory, planFor('v6.18'));
    expect(pageExt.hasPageExt(0x1000)).toBe(false);
    expect(pageExt.totalBytes).toBe(0);
  });

  it('takes each section table from the section own node', () => {
    const { memory, buddy } = machine('v6.18', 8 * GIB, { nodes: 2, cpus: 4 });
    const pageExt = new PageExt(memory, planFor('v6.18'));
    pageExt.allocate(buddy);
    const nodes = new Set<number>();
    for (const table of pageExt.sections.values()) {
      const node = memory.sections[table.section]!.node;
      nodes.add(node);
      expect(memory.nodeOf(table.blocks[0]!.pfn)).toBe(node);
    }
    expect([...nodes].sort()).toEqual([0, 1]);
    expect(memory.current.cpu).toBe(0);
  });

  it('falls back to vzalloc order-0 pages when no block of the order is free', () => {
    const { memory, buddy } = machine('v4.8', GIB / 4);
    fragment(memory, buddy);
    const pageExt = new PageExt(memory, planFor('v4.8'));
    const free = buddy.totalFreePages();
    pageExt.allocate(buddy);
    expect(pageExt.sections.size).toBe(2);
    for (const table of pageExt.sections.values()) {
      expect(table.vmalloc).toBe(true);
      expect(table.blocks).toHaveLength(192);
      expect(table.blocks.every((block) => block.pages === 1)).toBe(true);
    }
    expect(buddy.totalFreePages()).toBe(free - 2 * 192);
    expect(pageExt.totalBytes).toBe(2 * 786_432);
    expect(withoutTime(memory.log.lines().at(-1)!)).toBe('allocated 1572864 bytes of page_ext');
  });

  it('prints the allocation failure and panics when not even vzalloc finds pages', () => {
    const { memory, buddy } = machine('v4.8', GIB / 4);
    takeEverything(memory, buddy);
    const free = buddy.totalFreePages();
    const pageExt = new PageExt(memory, planFor('v4.8'));
    expect(() => pageExt.allocate(buddy)).toThrow('Kernel panic - not syncing: Out of memory (page_ext)');
    expect(memory.log.lines().map(withoutTime)).toContain('page ext allocation failure');
    // vzalloc gave back the pages it had got.
    expect(buddy.totalFreePages()).toBe(free);
  });

  it('gives a section table back at memory offline (freeSection)', () => {
    const { memory, buddy } = machine('v4.8', 4 * GIB);
    const pageExt = new PageExt(memory, planFor('v4.8'));
    pageExt.allocate(buddy);
    const free = buddy.totalFreePages();
    expect(pageExt.freeSection(buddy, 5)).toBe(786_432);
    expect(buddy.totalFreePages()).toBe(free + 192);
    expect(pageExt.hasPageExt(5 * memory.pagesPerSection)).toBe(false);
    expect(pageExt.hasPageExt(6 * memory.pagesPerSection)).toBe(true);
    expect(pageExt.totalBytes).toBe(25_165_824 - 786_432);
    expect(pageExt.freeSection(buddy, 5)).toBe(0);
    expect(pageExt.freeSection(buddy, 24)).toBe(0);
    expect(buddy.totalFreePages()).toBe(free + 192);
  });

  it('gives back a vzalloc table page by page', () => {
    const { memory, buddy } = machine('v4.8', GIB / 4);
    fragment(memory, buddy);
    const pageExt = new PageExt(memory, planFor('v4.8'));
    pageExt.allocate(buddy);
    const free = buddy.totalFreePages();
    expect(pageExt.freeSection(buddy, 1)).toBe(786_432);
    expect(buddy.totalFreePages()).toBe(free + 192);
  });

  it('runs the init callbacks of the clients that said yes, in page_ext_ops[] order, once page_ext exists', () => {
    const calls: string[] = [];
    const withInit = (name: string, need: boolean): PageExtClient => ({
      ...client(name, 8, true, need),
      init: (pageExt) => calls.push(`${name} ${pageExt.hasPageExt(0)}`),
    });
    const { memory, buddy } = machine('v6.18', GIB);
    const plan = planPageExt(
      [withInit('page_table_check', true), withInit('page_idle', false), withInit('page_owner', true)],
      pageExtLayouts['v6.18']!,
      64,
    )!;
    const pageExt = new PageExt(memory, plan);
    pageExt.allocate(buddy);
    pageExt.initClients();
    expect(calls).toEqual(['page_owner true', 'page_table_check true']);
  });
});

describe('PageExt on FLATMEM (page_ext_init_flatmem)', () => {
  const node = (startPfn: number, endPfn: number) =>
    ({ id: 0, startPfn, endPfn, presentPages: 0, zones: [] }) as MemoryNode;

  it('asks memblock for node_spanned_pages entries, plus MAX_ORDER_NR_PAGES for an unaligned node', () => {
    const plan = planFor('v4.8');
    expect(flatmemPageExtAllocations(plan, [node(0, 0x80000)])).toEqual([
      { node: 0, bytes: 0x80000 * 24, owner: 'page_ext' },
    ]);
    expect(flatmemPageExtAllocations(plan, [node(1, 0x80000)])[0]!.bytes).toBe((0x80000 - 1 + 1024) * 24);
    expect(flatmemPageExtAllocations(plan, [node(0, 0x80000 - 16)])[0]!.bytes).toBe((0x80000 - 16 + 1024) * 24);
  });

  it('takes the tables from memblock at boot, so the page allocator never sees them, and counts them', () => {
    const plan = planFor('v4.8');
    let requested: EarlyAllocation[] = [];
    const { memory, buddy, events } = machine('v4.8', 2 * GIB, {
      model: 'flatmem',
      earlyAllocations: (nodes) => {
        requested = flatmemPageExtAllocations(plan, nodes);
        return requested;
      },
    });
    // A PC's node 0 starts at pfn 1: 524,287 spanned pages, not MAX_ORDER aligned, so 1024 more entries.
    expect(memory.nodes[0]).toMatchObject({ startPfn: 1, endPfn: 0x80000 });
    expect(requested).toEqual([{ node: 0, bytes: (524_287 + 1024) * 24, owner: 'page_ext' }]);
    const reserved = memory.memblockReserved.filter((region) => region.owner === 'page_ext');
    expect(reserved).toHaveLength(1);
    expect(reserved[0]!.end - reserved[0]!.start).toBe(Math.ceil(requested[0]!.bytes / PAGE_SIZE));

    const pageExt = new PageExt(memory, plan);
    const free = buddy.totalFreePages();
    events.length = 0;
    pageExt.allocate(buddy);
    expect(pageExt.flatmem).toBe(true);
    expect(pageExt.totalBytes).toBe(12_607_464);
    expect(withoutTime(memory.log.lines().at(-1)!)).toBe('allocated 12607464 bytes of page_ext');
    expect(buddy.totalFreePages()).toBe(free);
    expect(events).toEqual([]);
    expect(pageExt.sections.size).toBe(0);
    expect(pageExt.hasPageExt(1)).toBe(true);
    expect(pageExt.hasPageExt(0x7ffff)).toBe(true);
    expect(pageExt.hasPageExt(0x80000)).toBe(false);
  });
});
