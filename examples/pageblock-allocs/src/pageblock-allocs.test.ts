import { boot, type Kernel } from '@mm/kernel';
import type { Feature } from '@mm/kernel-spec';
import { migrate } from '@mm/migrate';
import { pageOwner } from '@mm/page-owner';
import { PAGEBLOCK_NR_PAGES, type ProfileName } from '@mm/physmem';
import { kernelBuild, Simulation } from '@mm/workloads';
import { describe, expect, it } from 'vitest';
import { type PageblockCount, pageblockAllocs } from './pageblock-allocs';

const DEBUGFS = 'sys/kernel/debug/pageblock_allocs';

/** A small machine with the client alone (or beside `others`), `pageblock_allocs=on` unless told otherwise. */
function machine(cmdline = 'pageblock_allocs=on', memory = '256M', others: readonly Feature[] = []): Kernel {
  return boot({ memory, cmdline, features: [...others, pageblockAllocs()] });
}

/** The debugfs file as one whole-file read sees it. */
function readFile(kernel: Kernel, path = DEBUGFS): string | undefined {
  const file = kernel.files().find((candidate) => candidate.path === path);
  if (file === undefined) return undefined;
  let text = '';
  file.read((chunk) => {
    text += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
  });
  return text;
}

/** Counts as a map from pageblock pfn, for comparing with a model. */
function asMap(blocks: readonly PageblockCount[]): Map<number, number> {
  return new Map(blocks.map(({ pfn, allocations }) => [pfn, allocations]));
}

describe('pageblock_allocs, booted alone with pageblock_allocs=on', () => {
  it('counts one allocation per pageblock a block touches: orders 0, 3 and 9 in one, order 10 in two', () => {
    const kernel = machine();
    const counters = kernel.feature(pageblockAllocs)!;
    expect(counters.enabled).toBe(true);
    expect(counters.counting).toBe(true);
    // Nothing allocates between page_ext_init and the end of boot on a kernel of the core alone.
    expect(counters.totals()).toEqual({ pageblocks: 0, allocations: 0 });

    const { buddy } = kernel;
    const gfp = kernel.profile.gfp.flags.GFP_KERNEL;
    const page = buddy.allocPages(gfp, 0);
    const eight = buddy.allocPages(gfp, 3);
    const huge = buddy.allocPages(gfp, 9);
    const max = buddy.allocPages(gfp, 10);
    for (const pfn of [page, eight, huge, max]) expect(pfn).toBeGreaterThanOrEqual(0);
    expect(huge % PAGEBLOCK_NR_PAGES).toBe(0);
    expect(max % (2 * PAGEBLOCK_NR_PAGES)).toBe(0);

    const start = (pfn: number) => pfn - (pfn % PAGEBLOCK_NR_PAGES);
    const expected = new Map<number, number>();
    for (const block of [start(page), start(eight), huge, max, max + PAGEBLOCK_NR_PAGES]) {
      expected.set(block, (expected.get(block) ?? 0) + 1);
    }
    expect(asMap(counters.pageblocks())).toEqual(expected);
    expect(counters.totals()).toEqual({ pageblocks: expected.size, allocations: 5 });
    // Any pfn of a pageblock finds its counter; the order-10 block counted in both of its pageblocks.
    expect(counters.allocations(huge + 511)).toBe(1);
    expect(counters.allocations(max)).toBe(1);
    expect(counters.allocations(max + 2 * PAGEBLOCK_NR_PAGES - 1)).toBe(1);

    // Freeing counts nothing; the same page allocated again counts again (the per-CPU list hands it back).
    buddy.freePages(page, 0);
    expect(buddy.allocPages(gfp, 0)).toBe(page);
    expect(counters.allocations(page)).toBe(expected.get(start(page))! + 1);
  });

  it('counts exactly what the allocator hands out, under a real workload (make -j)', () => {
    const kernel = machine('pageblock_allocs=on', '512M');
    // A model of the counters, subscribed before the workload: every pageblock each block touches, once.
    const model = new Map<number, number>();
    kernel.hooks.post_alloc.subscribe((pfn, order) => {
      const first = pfn - (pfn % PAGEBLOCK_NR_PAGES);
      for (let block = first; block < pfn + (1 << order); block += PAGEBLOCK_NR_PAGES) {
        model.set(block, (model.get(block) ?? 0) + 1);
      }
    });
    kernelBuild({ units: 30 }).run(new Simulation(kernel, { seed: 3 }));
    const counters = kernel.feature(pageblockAllocs)!;
    expect(model.size).toBeGreaterThan(10);
    expect(asMap(counters.pageblocks())).toEqual(model);
    const busiest = counters.busiest(5);
    expect(busiest).toHaveLength(5);
    for (let index = 1; index < busiest.length; index++) {
      expect(busiest[index]!.allocations).toBeLessThanOrEqual(busiest[index - 1]!.allocations);
    }
    expect(busiest[0]!.allocations).toBe(Math.max(...model.values()));
  });

  it('shows debugfs pageblock_allocs: `pfn count` in decimal, one line per pageblock with allocations, by pfn', () => {
    const kernel = machine();
    const { buddy } = kernel;
    const gfp = kernel.profile.gfp.flags.GFP_KERNEL;
    const max = buddy.allocPages(gfp, 10);
    for (let index = 0; index < 100; index++) buddy.allocPages(gfp, index % 4);
    const text = readFile(kernel)!;
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^\d+ [1-9]\d*$/);
    const rows = lines.map((line) => line.split(' ').map(Number) as [number, number]);
    for (const [pfn] of rows) expect(pfn % PAGEBLOCK_NR_PAGES).toBe(0);
    const pfns = rows.map(([pfn]) => pfn);
    expect(pfns).toEqual([...pfns].sort((a, b) => a - b));
    expect(rows.map(([pfn, allocations]) => ({ pfn, allocations }))).toEqual(
      kernel.feature(pageblockAllocs)!.pageblocks(),
    );
    expect(lines).toContain(`${max} 1`);
    expect(lines).toContain(`${max + PAGEBLOCK_NR_PAGES} 1`);
    expect(rows.reduce((sum, [, allocations]) => sum + allocations, 0)).toBe(101 + 1);
  });

  it('gives its part of the run summary: fields, a line and a fact', () => {
    const kernel = machine();
    const counters = kernel.feature(pageblockAllocs)!;
    const [empty] = kernel.summaries({ counters: new Map() });
    expect(empty!.fields).toEqual({ pageblockAllocs: { pageblocks: 0, allocations: 0, busiest: null } });
    const gfp = kernel.profile.gfp.flags.GFP_KERNEL;
    const first = kernel.buddy.allocPages(gfp, 10);
    const second = kernel.buddy.allocPages(gfp, 10);
    const [summary] = kernel.summaries({ counters: new Map() });
    // Four pageblocks with one allocation each: the busiest is the lowest.
    const busiest = counters.busiest(1)[0]!;
    expect(busiest).toEqual({ pfn: Math.min(first, second), allocations: 1 });
    expect(summary!.fields).toEqual({ pageblockAllocs: { pageblocks: 4, allocations: 4, busiest } });
    const where = `pfn ${busiest.pfn} (0x${busiest.pfn.toString(16)}), 1 allocations`;
    expect(summary!.lines).toEqual([`  pageblock allocations: 4 in 4 pageblocks; the busiest: ${where}`]);
    expect(summary!.facts).toEqual([['busiest pageblock', where]]);
  });

  it('drops the counters of a section taken offline, with its page_ext', () => {
    const kernel = machine('pageblock_allocs=on', '512M', [migrate()]);
    const counters = kernel.feature(pageblockAllocs)!;
    const { buddy, memory } = kernel;
    const gfp = kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
    // Allocate every free order-9 block, then free them all: counted pageblocks in every section with free memory.
    const held: number[] = [];
    const nowarn = gfp | kernel.profile.gfp.flags.NOWARN;
    for (let pfn = buddy.allocPages(nowarn, 9); pfn >= 0; pfn = buddy.allocPages(nowarn, 9)) held.push(pfn);
    for (const pfn of held) buddy.freePages(pfn, 9);
    const section = 2;
    const start = section * memory.pagesPerSection;
    const inSection = (block: PageblockCount) => Math.floor(block.pfn / memory.pagesPerSection) === section;
    const before = counters.pageblocks();
    expect(before.filter(inSection).length).toBeGreaterThan(0);
    expect(kernel.feature(migrate)!.offlineSection(section)).toEqual({ offlinedPages: 32768, migratedPages: 0 });
    expect(counters.pageblocks()).toEqual(before.filter((block) => !inSection(block)));
    expect(counters.allocations(start)).toBe(0);
  });
});

describe('pageblock_allocs, built in but off', () => {
  it('costs nothing: no listener, no page_ext, no file, a null summary', () => {
    for (const cmdline of ['', 'pageblock_allocs=off', 'pageblock_allocs=0']) {
      for (const profile of ['v4.8', 'v6.18'] as const) {
        const kernel = boot({ memory: '256M', profile, cmdline, features: [pageblockAllocs()] });
        expect(kernel.hooks.post_alloc.count).toBe(0);
        expect(kernel.hooks.memory_notify.count).toBe(0);
        expect(kernel.pageExt).toBeUndefined();
        expect(kernel.dmesg()).not.toContain('bytes of page_ext');
        const counters = kernel.feature(pageblockAllocs)!;
        expect(counters.enabled).toBe(false);
        expect(counters.counting).toBe(false);
        const pfn = kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
        expect(counters.allocations(pfn)).toBe(0);
        expect(counters.hostBytes()).toBe(0);
        expect(readFile(kernel)).toBeUndefined();
        expect(kernel.summaries({ counters: new Map() })).toEqual([{ fields: { pageblockAllocs: null } }]);
      }
    }
  });
});

describe("pageblock_allocs' page_ext bytes, next to page_owner's", () => {
  /** Bytes of one page_ext entry, from the `allocated N bytes of page_ext` line. */
  function entryBytes(profile: ProfileName, arch: 'x86_64' | 'i386', cmdline: string): number | undefined {
    const kernel = boot({ memory: '256M', profile, arch, cmdline, features: [pageOwner(), pageblockAllocs()] });
    const allocated = /allocated (\d+) bytes of page_ext/.exec(kernel.dmesg());
    const pageExt = kernel.pageExt;
    if (pageExt === undefined || allocated === null) return undefined;
    const perPage = Number(allocated[1]) / (pageExt.sections.size * kernel.memory.pagesPerSection);
    expect(perPage).toBe(pageExt.entryBytes);
    return perPage;
  }

  it('v6.18 (offsets): flags 8 + page_owner 64 + 4 = 76, the counter at offset 72; alone 4, without flags', () => {
    const kernel = machine('page_owner=on pageblock_allocs=on', '256M', [pageOwner()]);
    expect(kernel.pageExt!.plan.active.map(({ client, offset }) => [client.name, offset])).toEqual([
      ['page_owner', 8],
      ['pageblock_allocs', 72],
    ]);
    expect(entryBytes('v6.18', 'x86_64', 'page_owner=on pageblock_allocs=on')).toBe(76);
    expect(entryBytes('v6.18', 'i386', 'page_owner=on pageblock_allocs=on')).toBe(4 + 64 + 4);
    expect(entryBytes('v6.18', 'x86_64', 'page_owner=on')).toBe(72);
    expect(entryBytes('v6.18', 'i386', 'page_owner=on')).toBe(68);
    // needSharedFlags: false: alone, the client needs no flags word.
    expect(entryBytes('v6.18', 'x86_64', 'pageblock_allocs=on')).toBe(4);
    expect(entryBytes('v6.18', 'x86_64', '')).toBeUndefined();
  });

  it('v4.7/v4.8 (the fixed struct): its unsigned int is there whenever it is built in, padded to the flags word', () => {
    // v4.8 x86_64: 24 + 4 = 28, padded to 32; i386: 20 + 4 = 24. v4.7 x86_64: 88 + 4 = 92, padded to 96.
    for (const cmdline of ['page_owner=on pageblock_allocs=on', 'page_owner=on']) {
      expect(entryBytes('v4.8', 'x86_64', cmdline)).toBe(32);
      expect(entryBytes('v4.8', 'i386', cmdline)).toBe(24);
      expect(entryBytes('v4.7', 'x86_64', cmdline)).toBe(96);
      expect(entryBytes('v4.7', 'i386', cmdline)).toBe(52 + 4);
    }
    // page_owner built in but off: its fields are in the struct all the same.
    expect(entryBytes('v4.8', 'x86_64', 'pageblock_allocs=on')).toBe(32);
    expect(entryBytes('v4.8', 'x86_64', '')).toBeUndefined();
    // Built in alone: the flags word and its field (8 + 4, padded to 16; 4 + 4 on i386); v6.18 the counter only.
    for (const [profile, arch, bytes] of [
      ['v4.7', 'x86_64', 16],
      ['v4.8', 'x86_64', 16],
      ['v4.8', 'i386', 8],
      ['v6.18', 'i386', 4],
    ] as const) {
      const cmdline = 'pageblock_allocs=on';
      const alone = boot({ memory: '256M', profile, arch, cmdline, features: [pageblockAllocs()] });
      expect(alone.pageExt!.entryBytes).toBe(bytes);
    }
  });
});

describe('pageblock_allocs=', () => {
  it('reads kstrtobool values, and prints the early param error for others, leaving it off', () => {
    for (const [value, enabled] of [
      ['on', true],
      ['y', true],
      ['1', true],
      ['off', false],
      ['n', false],
    ] as const) {
      const kernel = machine(`pageblock_allocs=${value}`);
      expect(kernel.feature(pageblockAllocs)!.enabled).toBe(enabled);
      expect(kernel.dmesg()).not.toContain('Malformed');
    }
    for (const cmdline of ['pageblock_allocs', 'pageblock_allocs=maybe', 'pageblock_allocs=']) {
      const kernel = machine(cmdline);
      expect(kernel.dmesg()).toContain("Malformed early option 'pageblock_allocs'");
      expect(kernel.feature(pageblockAllocs)!.enabled).toBe(false);
      expect(kernel.hooks.post_alloc.count).toBe(0);
      // The parameter is the client's: it is not passed to init as unknown.
      expect(kernel.unknownParameters).toEqual([]);
    }
  });
});
