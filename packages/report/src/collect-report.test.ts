import { readFileSync } from 'node:fs';
import { parsePageOwner } from '@mm/page-owner-tools';
import { KPF } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { collectReport, parseZoneinfo } from './collect-report';
import { unpackArray } from './packed-array';
import { IDLE_CELL, LRU_CELL, PageCell } from './report-data';

const fixture = (name: string) =>
  readFileSync(new URL(`../../page-owner/test/__fixtures__/${name}`, import.meta.url), 'utf8');
const sample = (name: string) => readFileSync(new URL(`../../../samples/${name}`, import.meta.url), 'utf8');

/** kpageflags of pfns given as [low, high] words. */
function kpageflags(words: readonly [number, number][]): Uint8Array {
  const bytes = new Uint8Array(words.length * 8);
  const view = new DataView(bytes.buffer);
  words.forEach(([low, high], pfn) => {
    view.setUint32(pfn * 8, low >>> 0, true);
    view.setUint32(pfn * 8 + 4, high >>> 0, true);
  });
  return bytes;
}

describe('collectReport', () => {
  it('interns the records of a v6.18 dump: stacks, gfp texts, tasks, and every page they own', () => {
    const text = fixture('records-v6.18.golden.txt');
    const data = collectReport({ title: 'v6.18', sources: ['x'], records: parsePageOwner(text) });
    const headers = text.split('\n').filter((line) => line.startsWith('Page allocated'));
    expect(data.format).toBe('v6.18');
    expect(data.records.count).toBe(headers.length);
    expect(data.tasks).toContain('pid 4242, tgid 4242 (cat)');
    expect(data.gfps).toContain('0xcc0(GFP_KERNEL)');
    expect(data.frames[data.stacks[0]![0]!]).toBe('post_alloc_hook+0x177/0x1a0');
    expect(data.frames).toContain('xfs_file_read_iter+0x76/0x100 [xfs]');
    const pfns = [...unpackArray(data.records.pfn)];
    expect(pfns).toEqual(
      text
        .split('\n')
        .flatMap((line) => /^PFN 0x([0-9a-f]+)/.exec(line)?.[1] ?? [])
        .map((hex) => Number.parseInt(hex, 16)),
    );
    const cells = unpackArray(data.cells);
    const orders = [...unpackArray(data.records.order)];
    const owned = cells.filter((cell) => cell === PageCell.owned).length;
    expect(owned).toBe(orders.reduce((sum, order) => sum + 2 ** order, 0));
    // Without kpageflags the rest is unknown, and without summary.json there is no timeline or layouts.
    expect(cells.filter((cell) => cell === PageCell.unknown).length).toBe(data.pages - owned);
    expect(data.depotGrowth).toBeNull();
    expect(data.layouts).toBeNull();
    expect(data.idle).toBeNull();
    expect(data.mixedBlocks.flatMap((zone) => zone.counts).every((count) => count === 0)).toBe(true);
  });

  it('reads v4.8 records (addresses in the stack lines, no pid)', () => {
    const data = collectReport({
      title: 'v4.8',
      sources: [],
      records: parsePageOwner(fixture('records-v4.8.golden.txt')),
    });
    expect(data.format).toBe('v4.x');
    expect(data.tasks).toEqual(['']);
    expect(data.frames[0]).toBe('[<ffffffff8158dd76>] save_stack_trace+0x16/0x20');
    expect(data.zones.map((zone) => zone.name)).toEqual(['DMA', 'DMA32']);
  });

  it('counts a mixed pageblock once, under its own migratetype and zone, as pagetypeinfo does', () => {
    const text = fixture('records-v6.18.golden.txt')
      .replace('PFN 0x3a58 type Unmovable Block 29', 'PFN 0x3a58 type Movable Block 29')
      .replace('PFN 0x3a59 type Unmovable Block 29', 'PFN 0x3a59 type Reclaimable Block 29');
    const data = collectReport({ title: '', sources: [], records: parsePageOwner(text) });
    const dma32 = data.mixedBlocks.find((zone) => zone.zone === 'Node 0, zone DMA32')!;
    expect(dma32.counts[data.migratetypes.indexOf('Unmovable')]).toBe(1);
    expect(dma32.counts.reduce((a, b) => a + b, 0)).toBe(1);
    const mixed = unpackArray(data.mixedPageblocks);
    expect([...mixed.keys()].filter((block) => mixed[block] === 1)).toEqual([29]);
  });

  it("counts pageblock 0 in DMA when /proc/zoneinfo's DMA starts at pfn 1", () => {
    const text = fixture('records-v6.18.golden.txt').replace(
      'PFN 0x3000 type Unmovable Block 24 type Unmovable',
      'PFN 0x5 type Movable Block 0 type Unmovable',
    );
    const data = collectReport({
      title: '',
      sources: [],
      records: parsePageOwner(text),
      zoneinfo: sample('zoneinfo-6.18.txt'),
    });
    expect(data.zones[0]).toMatchObject({ name: 'DMA', start: 1 });
    expect(data.mixedBlocks.map((zone) => zone.counts.reduce((a, b) => a + b, 0))).toEqual([1, 0, 0]);
    expect(data.pages).toBe(6553600);
  });

  it('classifies pages from kpageflags and kpagecount, and marks idle LRU pages from the bitmap', () => {
    const lru = 1 << KPF.LRU;
    const flags = kpageflags([
      [1 << KPF.NOPAGE, 0],
      [1 << KPF.BUDDY, 0],
      [0, 1 << (KPF.RESERVED - 32)],
      [lru, 0],
      [lru, 0],
      [1 << KPF.SLAB, 0],
      [0, 0],
      [0, 0],
    ]);
    const counts = kpageflags([
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 0],
      [1, 0],
      [0, 0],
      [2, 0],
      [0, 0],
    ]);
    const idleBitmap = new Uint8Array(8);
    idleBitmap[0] = 1 << 4;
    const data = collectReport({ title: '', sources: [], kpageflags: flags, kpagecount: counts, idleBitmap });
    expect([...unpackArray(data.cells)]).toEqual([
      PageCell.unknown,
      PageCell.free,
      PageCell.reserved,
      PageCell.allocated | LRU_CELL,
      PageCell.allocated | LRU_CELL | IDLE_CELL,
      PageCell.allocated,
      PageCell.allocated,
      PageCell.unknown,
    ]);
    expect(data.idle).toEqual({ lruPages: 2, idlePages: 1 });
  });

  it('takes the run timeline, layouts and headline facts from summary.json', () => {
    const data = collectReport({
      title: '',
      sources: [],
      summary: {
        workload: 'leak',
        seed: 3,
        freePages: 10,
        totalPages: 20,
        stackDepot: { stacks: 2, bytes: 128, pages: 1 },
        timeline: [{ ns: 5, stacks: 2, depotBytes: 128 }],
        layouts: [{ profile: 'v4.8', staticBytes: 4096 }],
      },
    });
    expect(data.depotGrowth).toEqual([{ ns: 5, stacks: 2, bytes: 128 }]);
    expect(data.layouts).toEqual([{ profile: 'v4.8', bytes: 4096 }]);
    expect(data.facts).toContainEqual(['workload', 'leak (seed 3)']);
    expect(data.facts).toContainEqual(['free pages', '10 of 20 (MemFree)']);
  });

  it('charts no depot growth for a run without a depot (page_owner off, or v4.7)', () => {
    const timeline = [{ ns: 5, stacks: 0, depotBytes: 0 }];
    expect(collectReport({ title: '', sources: [], summary: { stackDepot: null, timeline } }).depotGrowth).toBeNull();
  });
});

describe('parseZoneinfo', () => {
  it("reads the spans of a real kernel's populated zones", () => {
    expect(parseZoneinfo(sample('zoneinfo-6.18.txt'))).toEqual([
      { node: 0, name: 'DMA', start: 1, end: 4096 },
      { node: 0, name: 'DMA32', start: 4096, end: 1048576 },
      { node: 0, name: 'Normal', start: 1048576, end: 6553600 },
    ]);
  });
});
