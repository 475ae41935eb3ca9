import { readFileSync } from 'node:fs';
import { PageOwnerSkips, parsePageOwner } from '@mm/page-owner-tools';
import { KPF } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { collectReport, parseZoneinfo } from './collect-report';
import { unpackArray } from './packed-array';
import { cellOfPfn, IDLE_CELL, LRU_CELL, PageCell, spanOffsets, UNKNOWN_MIGRATETYPE } from './report-data';

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

/** A v6.18 record of `order` at `pfn`, of a one-frame stack. */
const v618Record = (
  pfn: number,
  order = 0,
  frame = 'do_anonymous_page+0x1/0x2',
  types = 'Movable Block 0 type Movable',
) =>
  `Page allocated via order ${order}, mask 0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), pid 1, tgid 1 (sh), ts 5 ns
PFN 0x${pfn.toString(16)} type ${types} Flags 0x0()
 post_alloc_hook+0x177/0x1a0
 ${frame}

`;

describe('collectReport of pfns far apart', () => {
  it.each([
    ['a large NUMA box', 7_532_909_325],
    ['2^40', 2 ** 40],
    ['nearly the largest pfn a dump may give', 2 ** 52 - 8192],
  ])('maps a dump with a pfn of %s in memory that follows the records, not the pfn', (_what, far) => {
    const text = v618Record(5) + v618Record(far, 10, 'far_away+0x1/0x2') + v618Record(far + 4096, 0);
    const data = collectReport({ title: '', sources: [], records: parsePageOwner(text) });
    expect([...unpackArray(data.records.pfn)]).toEqual([5, far, far + 4096]);
    // The first pageblock, then the far ones (the gap between them is too large to fill).
    expect(data.spans[0]).toEqual({ start: 0, pages: 512 });
    expect(data.spans.slice(1)).toEqual([
      { start: Math.floor(far / 512) * 512, pages: far + 4097 - Math.floor(far / 512) * 512 },
    ]);
    expect(data.pages).toBeLessThan(8192);
    const cells = unpackArray(data.cells);
    expect(cells).toHaveLength(data.pages);
    const offsets = spanOffsets(data.spans);
    const owned = (pfn: number) => cells[cellOfPfn(data.spans, offsets, pfn)] === PageCell.owned;
    expect([owned(5), owned(far), owned(far + 1023), owned(far + 4096)]).toEqual([true, true, true, true]);
    expect([owned(4), owned(far + 1024)]).toEqual([false, false]);
    expect(cells.filter((cell) => cell === PageCell.owned)).toHaveLength(1 + 1024 + 1);
    expect(data.zones.map((zone) => [zone.name, zone.end])).toEqual([
      ['DMA', 4096],
      ['DMA32', 1048576],
      ['Normal', far + 4097],
    ]);
  });

  it('fills small gaps so that a dense dump with holes stays one map from pfn 0, up to 16 GiB of them', () => {
    const dense = v618Record(70_000) + v618Record(1_000_000) + v618Record(4_000_000);
    expect(collectReport({ title: '', sources: [], records: parsePageOwner(dense) }).spans).toEqual([
      { start: 0, pages: 4_000_001 },
    ]);
    const apart = v618Record(70_000) + v618Record(3_000_000) + v618Record(9_000_000);
    expect(collectReport({ title: '', sources: [], records: parsePageOwner(apart) }).spans).toEqual([
      { start: 0, pages: 3_000_320 },
      { start: 8_999_936, pages: 65 },
    ]);
  });

  it('counts a mixed pageblock far away under its zone', () => {
    const far = 2 ** 40 + 512 * 3;
    const text = v618Record(far, 0, 'x+0x1/0x2', 'Movable Block 0 type Unmovable');
    const data = collectReport({ title: '', sources: [], records: parsePageOwner(text) });
    const normal = data.mixedBlocks.find((zone) => zone.zone === 'Node 0, zone Normal')!;
    expect(normal.counts[data.migratetypes.indexOf('Unmovable')]).toBe(1);
    expect(data.mixedBlocks.flatMap((zone) => zone.counts).reduce((a, b) => a + b, 0)).toBe(1);
    expect([...unpackArray(data.mixedPageblocks)]).toEqual([1]);
  });
});

describe('collectReport of records the dump says less about', () => {
  it('keeps records without a PFN line in the stacks, off the map, of an unknown migratetype', () => {
    const text = (v618Record(5) + v618Record(9, 1, 'other+0x1/0x2')).replace(/^PFN.*\n/gm, '');
    const data = collectReport({ title: '', sources: [], records: parsePageOwner(text) });
    expect(data.records.count).toBe(2);
    expect([...unpackArray(data.records.pfn)]).toEqual([-1, -1]);
    expect([...unpackArray(data.records.blockMigratetype)]).toEqual([UNKNOWN_MIGRATETYPE, UNKNOWN_MIGRATETYPE]);
    expect(data.pages).toBe(0);
    expect(data.stacks).toHaveLength(2);
    expect(data.migratetypes).not.toContain('');
  });

  it("leaves out a kernel log's records of freed pages, and says so", () => {
    const log = `page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x10a3c5
page_owner tracks the page as freed
page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (a), ts 5, free_ts 6
 post_alloc_hook+0xb3/0xe0
page_owner free stack trace missing
page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x2000
page_owner tracks the page as allocated
page last allocated via order 1, migratetype Movable, gfp_mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (a), ts 5, free_ts 6
 post_alloc_hook+0xb3/0xe0
page_owner free stack trace missing
`;
    const skipped = new PageOwnerSkips('log');
    const data = collectReport({
      title: '',
      sources: [],
      records: parsePageOwner(log, { file: 'log', skipped }),
      skipped,
    });
    expect(data.format).toBe('dmesg');
    expect([...unpackArray(data.records.pfn)]).toEqual([0x2000]);
    expect(data.facts).toContainEqual([
      'records of freed pages',
      "1, left out (a kernel log's 'page_owner tracks the page as freed')",
    ]);
    expect(data.skipped).toBeNull();
    // The block's migratetype is not in a kernel log: no mixed pageblock from it.
    expect([...unpackArray(data.mixedPageblocks)]).toEqual(new Array(data.mixedPageblocks.length).fill(0));
  });

  it('says what the parser skipped, in the data and the headline figures', () => {
    const skipped = new PageOwnerSkips('dump');
    const text = `${v618Record(5)}junk\n\n${v618Record(6).replace('order 0', 'order 99')}`;
    const data = collectReport({
      title: '',
      sources: [],
      records: parsePageOwner(text, { file: 'dump', skipped }),
      skipped,
    });
    expect(data.records.count).toBe(1);
    expect(data.skipped).toEqual({ lines: 5, records: 1, summary: skipped.summary() });
    expect(data.skipped!.summary).toMatch(
      /^dump: skipped 5 lines .* \(1 record with a field out of range\), e\.g\. dump:6: /,
    );
    expect(data.facts).toContainEqual(['skipped lines', skipped.summary()]);
  });

  it('gives a migratetype past the 255th distinct name the unknown one', () => {
    const text = Array.from({ length: 300 }, (_, index) =>
      v618Record(index * 512, 0, 'x+0x1/0x2', `T${index} Block ${index} type T${index}`),
    ).join('');
    const data = collectReport({ title: '', sources: [], records: parsePageOwner(text) });
    expect(data.migratetypes.length).toBeLessThanOrEqual(UNKNOWN_MIGRATETYPE);
    const types = [...unpackArray(data.records.migratetype)];
    expect(types.at(-1)).toBe(UNKNOWN_MIGRATETYPE);
    expect(types.every((type) => type < data.migratetypes.length || type === UNKNOWN_MIGRATETYPE)).toBe(true);
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
