import { readFileSync } from 'node:fs';
import { getProfile } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import {
  compactGfpNames,
  formatPerfKmemPageStat,
  PERF_KMEM_ALLOC_FUNCTIONS,
  type PerfKmemPageReportOptions,
  PerfKmemPageStat,
  type PerfKmemPageStatOptions,
  parsePerfKmemPageSort,
  perfKmemCallsiteName,
  perfKmemPageStatJson,
} from './perf-kmem-page-stat';
import type { TraceEvent } from './trace-event';
import { TraceReader } from './trace-reader';

const samples = new URL('../../../samples/', import.meta.url);
const fixtures = new URL('./__fixtures__/perf-kmem/', import.meta.url);

/** The events of a trace's text. */
function events(text: string): TraceEvent[] {
  const reader = new TraceReader();
  return [...reader.push(text), ...reader.end()];
}

// A synthetic `perf script -g` trace, one event (and its chain) at a time.
let clock = 0;
const stamp = () => (10 + ++clock / 1e6).toFixed(6);
const frame = (address: string, symbol: string, dso = '[kernel.kallsyms]') => `\t${address} ${symbol} (${dso})`;
/** The v6.18 path of a page table allocation: the allocator's frames, then `__pmd_alloc`. */
const PMD_CHAIN = [
  frame('ffffffff8163e0b7', '__alloc_frozen_pages_noprof+0x2b7'),
  frame('ffffffff81679516', 'alloc_pages_mpol+0x86'),
  frame('ffffffff816797dc', 'alloc_pages_noprof+0x4c'),
  frame('ffffffff815fe60e', '__pmd_alloc+0x2e'),
  frame('ffffffff81611e0c', 'move_page_tables+0xc1c'),
];
/** The v6.18 path of a page cache folio: `folio_alloc_noprof` is not one of perf's allocator functions. */
const FOLIO_CHAIN = [
  frame('ffffffff8163e0b7', '__alloc_frozen_pages_noprof+0x2b7'),
  frame('ffffffff81679516', 'alloc_pages_mpol+0x86'),
  frame('ffffffff81679897', 'folio_alloc_noprof+0x57'),
  frame('ffffffff815ab8e0', '__filemap_get_folio+0x200'),
];
const alloc = (pfn: number, order: number, migratetype: number, gfp: string, chain = PMD_CHAIN) =>
  [
    `cc1 4242 [000] ${stamp()}: kmem:mm_page_alloc: page=0x${pfn.toString(16)} pfn=0x${pfn.toString(16)} ` +
      `order=${order} migratetype=${migratetype} gfp_flags=${gfp}`,
    ...chain,
    '',
  ].join('\n');
const failedAlloc = (order: number, gfp: string) =>
  [
    `cc1 4242 [000] ${stamp()}: kmem:mm_page_alloc: page=0xffffffffffffffff pfn=0xffffffffffffffff ` +
      `order=${order} migratetype=0 gfp_flags=${gfp}`,
    ...PMD_CHAIN,
    '',
  ].join('\n');
const free = (pfn: number, order: number) =>
  [
    `cc1 4242 [000] ${stamp()}: kmem:mm_page_free: page=0x${pfn.toString(16)} pfn=0x${pfn.toString(16)} order=${order}`,
    frame('ffffffff816311c9', '__free_frozen_pages+0x2f9'),
    '',
  ].join('\n');

/** The statistics of a synthetic trace. */
const statOf = (trace: readonly string[], options: PerfKmemPageStatOptions = {}) =>
  new PerfKmemPageStat(options).addAll(events(`${trace.join('\n')}\n`));

/** perf's pattern, plus the v6.18 function the tracepoint fires in: callsites one level further out. */
const FROZEN_TOO = /^_?_?(alloc|get_free|get_zeroed)_pages?|^__alloc_frozen_pages/;

/** The eleven order rows of an order table with nothing counted but `rows` (order → its line). */
function orderTable(rows: Record<number, string> = {}): string[] {
  return [
    'Order     Unmovable   Reclaimable       Movable      Reserved  CMA/Isolated',
    '-----  ------------  ------------  ------------  ------------  ------------',
    ...Array.from(
      { length: 11 },
      (_, order) =>
        rows[order] ??
        `${String(order).padStart(5)}             .             .             .             .             .`,
    ),
  ];
}

const DOTS = '-'.repeat(105);

describe('PerfKmemPageStat accounting (evsel__process_page_alloc_event / _free_event)', () => {
  it('counts requests, frees of pages never seen, failures and the order table as print_page_summary() shows them', () => {
    const stat = statOf([
      alloc(0x100, 0, 0, 'GFP_KERNEL'),
      alloc(0x200, 2, 1, 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO'),
      failedAlloc(1, 'GFP_NOWAIT'), // pfn -1UL: a failure, 4096 << 1 bytes, nothing else
      free(0x100, 0), // live: alloc+freed
      free(0x300, 0), // never allocated: free-only
      alloc(0x100, 0, 0, 'GFP_KERNEL'), // the same page again
    ]);
    expect(formatPerfKmemPageStat(stat)).toBe(
      [
        '',
        'SUMMARY (page allocator)',
        '========================',
        // 4 requests: 4 KB + 16 KB (order 2) + 8 KB (the failure, order 1) + 4 KB.
        'Total allocation requests     :                4   [               32 KB ]',
        // Every mm_page_free, at its own order.
        'Total free requests           :                2   [                8 KB ]',
        '',
        // Frees minus free-only: the free of 0x100.
        'Total alloc+freed requests    :                1   [                4 KB ]',
        // Allocation requests minus alloc+freed (failures included): 4 - 1, 32 - 4 KB.
        'Total alloc-only requests     :                3   [               28 KB ]',
        // 0x300 was never allocated in the trace.
        'Total free-only requests      :                1   [                4 KB ]',
        '',
        'Total allocation failures     :                1   [                8 KB ]',
        '',
        // order_stats[order][migratetype]++ per successful allocation; migratetype 1 falls in perf's second column,
        // "Reclaimable" (perf's names predate v4.4, which made 1 MOVABLE and 2 RECLAIMABLE).
        ...orderTable({
          0: '    0             2             .             .             .             .',
          2: '    2             .             1             .             .             .',
        }),
        '',
      ].join('\n'),
    );
    expect(stat.summary()).toEqual({
      allocRequests: 4,
      allocBytes: 32768,
      freeRequests: 2,
      freeBytes: 8192,
      allocFreedRequests: 1,
      allocFreedBytes: 4096,
      allocOnlyRequests: 3,
      allocOnlyBytes: 28672,
      freeOnlyRequests: 1,
      freeOnlyBytes: 4096,
      failedRequests: 1,
      failedBytes: 8192,
    });
    expect(stat.usePfn).toBe(true);
  });

  it('ignores the events perf kmem has no handler for, and counts unreadable ones apart', () => {
    const stat = statOf([
      alloc(0x100, 0, 0, 'GFP_KERNEL'),
      `cc1 4242 [000] ${stamp()}: kmem:mm_page_free_batched: page=0x100 pfn=0x100 order=0\n`,
      `cc1 4242 [000] ${stamp()}: kmem:mm_page_alloc_zone_locked: page=0x100 pfn=0x100 order=0 migratetype=0 percpu_refill=1\n`,
      `cc1 4242 [000] ${stamp()}: kmem:mm_page_alloc: page=0x100 pfn=0x100 migratetype=0 gfp_flags=GFP_KERNEL\n`,
    ]);
    // mm_page_free_batched frees are invisible to perf kmem: the page stays alloc-only.
    expect(stat.summary()).toMatchObject({ allocRequests: 1, freeRequests: 0, allocOnlyRequests: 1 });
    expect(stat.unreadable).toBe(1); // the allocation without order=
  });

  it("counts fields out of the kernel's ranges as unreadable, and gfp bits beyond 32 as unknown names", () => {
    const stat = statOf([
      alloc(0x100, 11, 0, 'GFP_KERNEL'),
      alloc(0x100, 2 ** 40, 0, 'GFP_KERNEL'),
      alloc(0x100, 0, 2 ** 31, 'GFP_KERNEL'),
      `cc1 4242 [000] ${stamp()}: kmem:mm_page_alloc: page=0x1 pfn=0x${'f'.repeat(400)} order=0 migratetype=0 gfp_flags=GFP_KERNEL\n`,
      free(0x100, 99),
      alloc(0x100, 0, 0, 'GFP_KERNEL|0x100000000'),
    ]);
    expect(stat.unreadable).toBe(5);
    expect(stat.summary()).toMatchObject({ allocRequests: 1, allocBytes: 4096, freeRequests: 0 });
    expect(stat.gfpFlags()).toEqual([{ flags: 0xcc0, compact: 'K', names: 'GFP_KERNEL|0x100000000' }]);
    expect([...stat.unknownGfpNames]).toEqual(['0x100000000']);
  });

  it('keeps a re-allocated live page at its first order, gfp and migratetype, with the last callsite', () => {
    const stat = statOf([alloc(0x100, 0, 0, 'GFP_KERNEL'), alloc(0x100, 1, 1, 'GFP_HIGHUSER_MOVABLE', FOLIO_CHAIN)], {
      live: true,
      allocFunctions: FROZEN_TOO,
    });
    // __page_stat__findnew_page() finds the live page by pfn alone and only adds to it.
    expect(stat.pages()).toEqual([
      expect.objectContaining({ page: 0x100n, order: 0, migratetype: 0, allocs: 2, allocBytes: 4096 + 8192 }),
    ]);
    expect(stat.pages()[0]!.callsite.symbol).toBe('folio_alloc_noprof');
  });

  it('goes on where perf kmem would stop: a free at another order than its allocation (a split THP)', () => {
    const stat = statOf([alloc(0x200, 9, 1, 'GFP_TRANSHUGE'), free(0x200, 0), free(0x201, 0)]);
    // The head's free at order 0 finds the live page (by pfn), then no per-page row with order 0:
    // page_stat__find_alloc() fails, and perf kmem ends with "error during process events".
    expect(stat.stops).toBe(1);
    // The alloc takes lines 1-6 (event and 5 frames), then a blank line: the free is line 8.
    expect(stat.firstStop?.line).toBe(8);
    // The free was counted as perf had counted it: a request, alloc+freed, and the page is no longer live.
    expect(stat.summary()).toMatchObject({
      freeRequests: 2,
      allocFreedRequests: 1,
      allocFreedBytes: 4096,
      allocOnlyBytes: 2048 * 1024 - 4096,
      freeOnlyRequests: 1,
    });
    expect(stat.pages()[0]).toMatchObject({ allocs: 1, frees: 0 });
  });

  it('finds the callsite as find_callsite() does: the first of 16 frames outside the allocator functions', () => {
    const callsite = (chain: string[], options: PerfKmemPageStatOptions = {}) =>
      statOf([alloc(0x100, 0, 0, 'GFP_KERNEL', chain)], options).callers()[0]!.callsite;
    // v6.18's tracepoint fires in __alloc_frozen_pages_noprof, which perf's pattern does not match: the callsite of
    // every allocation is the first frame.
    expect(PERF_KMEM_ALLOC_FUNCTIONS.test('__alloc_frozen_pages_noprof')).toBe(false);
    expect(callsite(PMD_CHAIN)).toMatchObject({ symbol: '__alloc_frozen_pages_noprof', sampleIp: false });
    // With the function added, the search goes past alloc_pages_mpol and alloc_pages_noprof.
    expect(callsite(PMD_CHAIN, { allocFunctions: FROZEN_TOO })).toEqual({
      address: 'ffffffff815fe60e',
      symbol: '__pmd_alloc',
      offset: 0x2e,
      module: undefined,
      sampleIp: false,
    });
    expect(callsite(FOLIO_CHAIN, { allocFunctions: FROZEN_TOO })).toMatchObject({ symbol: 'folio_alloc_noprof' });
    // A frame without a symbol is not an allocator function.
    expect(
      callsite([PMD_CHAIN[0]!, frame('ffffffff81234567', '[unknown]')], { allocFunctions: FROZEN_TOO }),
    ).toMatchObject({ address: 'ffffffff81234567', symbol: undefined });
    // Only the core kernel's symbols are allocator functions: a module's alloc_pages_* is a callsite.
    expect(
      callsite([PMD_CHAIN[0]!, frame('ffffffffc0a01234', 'alloc_pages_bulk_fake+0x34', '[xfs]')], {
        allocFunctions: FROZEN_TOO,
      }),
    ).toMatchObject({ symbol: 'alloc_pages_bulk_fake', module: 'xfs' });
    // Nothing but allocator functions: the sample's ip, i.e. the first frame.
    expect(callsite(PMD_CHAIN.slice(0, 3), { allocFunctions: FROZEN_TOO })).toMatchObject({
      symbol: '__alloc_frozen_pages_noprof',
      sampleIp: true,
    });
    // Only 16 entries are resolved: a caller in the 17th is not seen.
    const deep = [...Array.from({ length: 16 }, () => PMD_CHAIN[2]!), PMD_CHAIN[3]!];
    expect(callsite(deep)).toMatchObject({ symbol: 'alloc_pages_noprof', sampleIp: true });
    expect(callsite(deep.slice(1))).toMatchObject({ symbol: '__pmd_alloc', sampleIp: false });
    // No chain (ftrace text, or perf script without -g): unknown.
    expect(callsite([])).toMatchObject({ address: undefined, sampleIp: true });
  });
});

describe('formatPerfKmemPageStat (print_page_result)', () => {
  // alloc 0x100 (via __pmd_alloc), 0x200 order 2 (via folio_alloc_noprof), 0x100 again, 0x300; free 0x100.
  const trace = [
    alloc(0x100, 0, 0, 'GFP_KERNEL'),
    alloc(0x200, 2, 1, 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO', FOLIO_CHAIN),
    alloc(0x100, 0, 0, 'GFP_KERNEL'),
    alloc(0x300, 0, 0, 'GFP_KERNEL'),
    free(0x100, 0),
  ];
  const legend = [
    '#',
    '# GFP flags',
    '# ---------',
    // By value (GFP_KERNEL = __GFP_RECLAIM|__GFP_IO|__GFP_FS = 0xcc0); `%*s` right-aligns the short names to the
    // longest (max_gfp_len = 5, "HUM|Z").
    '# 00000cc0:     K: GFP_KERNEL',
    '# 00100dca: HUM|Z: GFP_HIGHUSER_MOVABLE|__GFP_ZERO',
  ];

  it('prints the legend, the per-callsite and the per-page tables, sorted by bytes then hits', () => {
    const stat = statOf(trace, { allocFunctions: FROZEN_TOO });
    expect(formatPerfKmemPageStat(stat, { caller: true, alloc: true })).toBe(
      [
        ...legend,
        '',
        DOTS,
        // The GFP column is at least as wide as its title (9).
        ' Total alloc (KB) | Hits      | Order | Mig.type | GFP flags | Callsite',
        DOTS,
        // folio_alloc_noprof: one order-2 allocation, 16 KB, first by bytes.
        '               16 |         1 |     2 |  RECLAIM | HUM|Z     | folio_alloc_noprof',
        // __pmd_alloc: three order-0 allocations; the free does not come off without --live.
        '               12 |         3 |     0 | UNMOVABL | K         | __pmd_alloc',
        DOTS,
        '',
        DOTS,
        ' PFN              | Total alloc (KB) | Hits      | Order | Mig.type | GFP flags | Callsite',
        DOTS,
        // The pfn in decimal (%16llu): 0x200 = 512, 16 KB; 0x100 = 256, allocated twice (8 KB); 0x300 = 768.
        '              512 |               16 |         1 |     2 |  RECLAIM | HUM|Z     | folio_alloc_noprof',
        '              256 |                8 |         2 |     0 | UNMOVABL | K         | __pmd_alloc',
        '              768 |                4 |         1 |     0 | UNMOVABL | K         | __pmd_alloc',
        DOTS,
        '',
        'SUMMARY (page allocator)',
        '========================',
        'Total allocation requests     :                4   [               28 KB ]',
        'Total free requests           :                1   [                4 KB ]',
        '',
        'Total alloc+freed requests    :                1   [                4 KB ]',
        'Total alloc-only requests     :                3   [               24 KB ]',
        'Total free-only requests      :                0   [                0 KB ]',
        '',
        'Total allocation failures     :                0   [                0 KB ]',
        '',
        ...orderTable({
          0: '    0             3             .             .             .             .',
          2: '    2             .             1             .             .             .',
        }),
        '',
      ].join('\n'),
    );
  });

  it('prints the live pages and takes frees off the callsites with --live', () => {
    const stat = statOf(trace, { allocFunctions: FROZEN_TOO, live: true });
    const text = formatPerfKmemPageStat(stat, { caller: true, alloc: true });
    expect(text).toContain(
      [
        // "%5s alloc (KB)" of "Live".
        '  Live alloc (KB) | Hits      | Order | Mig.type | GFP flags | Callsite',
        DOTS,
        '               16 |         1 |     2 |  RECLAIM | HUM|Z     | folio_alloc_noprof',
        // 3 allocations minus the free of 0x100 (at its order, 4 KB).
        '                8 |         2 |     0 | UNMOVABL | K         | __pmd_alloc',
        DOTS,
        '',
        DOTS,
        ' PFN              |  Live alloc (KB) | Hits      | Order | Mig.type | GFP flags | Callsite',
        DOTS,
        // 0x100 was freed: only 0x200 and 0x300 are live.
        '              512 |               16 |         1 |     2 |  RECLAIM | HUM|Z     | folio_alloc_noprof',
        '              768 |                4 |         1 |     0 | UNMOVABL | K         | __pmd_alloc',
        DOTS,
      ].join('\n'),
    );
    // The free comes off the order table too: 3 - 1.
    expect(text).toContain('\n    0             2             .             .             .             .\n');
    // The legend keeps every mask ever allocated.
    expect(text.startsWith(`${legend.join('\n')}\n`)).toBe(true);
    // A callsite row whose allocations are all freed goes.
    const gone = statOf([alloc(0x100, 0, 0, 'GFP_KERNEL'), free(0x100, 0)], { live: true });
    expect(gone.callers()).toEqual([]);
  });

  it('sorts by the -s keys, descending, ties in the table order (ascending pfn; live: descending pfn)', () => {
    const sortTrace = [
      alloc(10, 0, 0, 'GFP_KERNEL'),
      alloc(30, 0, 0, 'GFP_KERNEL'),
      alloc(20, 0, 0, 'GFP_KERNEL'),
      alloc(40, 1, 2, 'GFP_NOWAIT', FOLIO_CHAIN),
      alloc(50, 0, 1, 'GFP_NOWAIT', FOLIO_CHAIN),
    ];
    const pfns = (stat: PerfKmemPageStat, keys?: Parameters<PerfKmemPageStat['pages']>[0]) =>
      stat.pages(keys).map((row) => Number(row.page));
    const stat = statOf(sortTrace, { allocFunctions: FROZEN_TOO });
    const live = statOf(sortTrace, { allocFunctions: FROZEN_TOO, live: true });
    // bytes,hit: 40 (8 KB) first; the 4 KB ties in page_alloc_tree's order, ascending pfn.
    expect(pfns(stat)).toEqual([40, 10, 20, 30, 50]);
    // The same ties in page_live_tree's (reversed) order: descending pfn.
    expect(pfns(live)).toEqual([40, 50, 30, 20, 10]);
    // "page" sorts descending like every key.
    expect(pfns(stat, ['page'])).toEqual([50, 40, 30, 20, 10]);
    // migtype: 2, 1, then the three 0s in pfn order.
    expect(pfns(stat, ['migtype'])).toEqual([40, 50, 10, 20, 30]);
    // gfp: GFP_KERNEL (0xcc0) below GFP_NOWAIT (0x2800).
    expect(pfns(stat, ['gfp', 'order'])).toEqual([40, 50, 10, 20, 30]);
    expect(pfns(stat, ['order'])).toEqual([40, 10, 20, 30, 50]);
    // Per callsite: __pmd_alloc (ffffffff815fe60e) below folio_alloc_noprof (ffffffff81679897).
    const sites = (keys: Parameters<PerfKmemPageStat['callers']>[0]) =>
      stat.callers(keys).map((row) => `${row.callsite.symbol}/${row.order}/${row.allocs}`);
    expect(sites(['callsite'])).toEqual(['folio_alloc_noprof/0/1', 'folio_alloc_noprof/1/1', '__pmd_alloc/0/3']);
    expect(sites(['hit'])).toEqual(['__pmd_alloc/0/3', 'folio_alloc_noprof/0/1', 'folio_alloc_noprof/1/1']);
    // Caller rows have no page: "page" ties them all (callsite, then order order).
    expect(sites(['page'])).toEqual(['__pmd_alloc/0/3', 'folio_alloc_noprof/0/1', 'folio_alloc_noprof/1/1']);
    // An empty list is the default.
    expect(pfns(stat, [])).toEqual(pfns(stat));
  });

  it('parses -s as setup_page_sorting() does', () => {
    expect(parsePerfKmemPageSort('gfp,order,hit')).toEqual(['gfp', 'order', 'hit']);
    expect(() => parsePerfKmemPageSort('bytes,frag')).toThrow("Unknown page --sort key: 'frag'");
    expect(() => parsePerfKmemPageSort('bytes,')).toThrow("Unknown page --sort key: ''");
  });

  it('limits the rows with -l and prints "..." when rows are left out, or when there are none and no -l', () => {
    const stat = statOf([alloc(10, 0, 0, 'GFP_KERNEL'), alloc(20, 1, 0, 'GFP_KERNEL'), alloc(30, 2, 0, 'GFP_KERNEL')]);
    const table = (options: PerfKmemPageReportOptions) =>
      formatPerfKmemPageStat(stat, { alloc: true, ...options })
        .split('\n')
        .filter((line) => /^ +\d+ \| /.test(line) || line.startsWith(' ...'));
    const more = ' ...              | ...              | ...       | ...   | ...      | ...       | ...';
    // while (next && n_lines--): two rows, then n_lines is 0 with rows left, -1 after the test: "...".
    expect(table({ allocLines: 2 })).toEqual([
      '               30 |               16 |         1 |     2 | UNMOVABL | K         | __alloc_frozen_pages_noprof',
      '               20 |                8 |         1 |     1 | UNMOVABL | K         | __alloc_frozen_pages_noprof',
      more,
    ]);
    // Exactly as many rows as lines: the loop ends on `next`, n_lines stays 0.
    expect(table({ allocLines: 3 })).toHaveLength(3);
    expect(table({ allocLines: 0 })).toEqual([more]);
    // No -l (n_lines = -1) and no rows: the loop never runs, n_lines is still -1.
    const empty = formatPerfKmemPageStat(new PerfKmemPageStat(), { caller: true });
    expect(empty).toBe(
      [
        '#',
        '# GFP flags',
        '# ---------',
        '',
        DOTS,
        ' Total alloc (KB) | Hits      | Order | Mig.type | GFP flags | Callsite',
        DOTS,
        ' ...              | ...       | ...   | ...      | ...       | ...',
        DOTS,
        '',
        'SUMMARY (page allocator)',
        '========================',
        'Total allocation requests     :                0   [                0 KB ]',
        'Total free requests           :                0   [                0 KB ]',
        '',
        'Total alloc+freed requests    :                0   [                0 KB ]',
        'Total alloc-only requests     :                0   [                0 KB ]',
        'Total free-only requests      :                0   [                0 KB ]',
        '',
        'Total allocation failures     :                0   [                0 KB ]',
        '',
        ...orderTable(),
        '',
      ].join('\n'),
    );
  });

  it('builds the gfp legend from the masks of successful allocations, in perf short names', () => {
    const stat = statOf([
      alloc(10, 0, 0, 'GFP_NOFS|__GFP_NOFAIL|__GFP_COMP|__GFP_HARDWALL'),
      alloc(20, 0, 0, 'GFP_KERNEL|__GFP_NOWARN|0x4000000'),
      alloc(30, 0, 0, 'GFP_KERNEL|__GFP_SKIP_KASAN'),
      failedAlloc(0, 'GFP_ATOMIC|__GFP_NOWARN'),
    ]);
    expect(stat.gfpFlags()).toEqual([
      // __GFP_SKIP_KASAN is not in the v6.18 profile's table (a KASAN_HW_TAGS kernel's bit): it counts as 0, and
      // perf's table has no short name for it. The first text of a mask is the one kept.
      { flags: 0xcc0, compact: 'K', names: 'GFP_KERNEL|__GFP_SKIP_KASAN' },
      // GFP_NOFS and __GFP_NOFAIL are both "NF" in perf's table.
      { flags: 0x148c40, compact: 'NF|NF|C|HW', names: 'GFP_NOFS|__GFP_NOFAIL|__GFP_COMP|__GFP_HARDWALL' },
      // A hex tail is part of the mask, not of the short form.
      { flags: 0x4002cc0, compact: 'K|NWR', names: 'GFP_KERNEL|__GFP_NOWARN|0x4000000' },
    ]);
    expect([...stat.unknownGfpNames]).toEqual(['__GFP_SKIP_KASAN']);
    expect(stat.gfpWidth).toBe(10);
    // The failed allocation's mask is not in the legend (parse_gfp_flags() comes after valid_page()).
    expect(formatPerfKmemPageStat(stat, { alloc: true })).toContain(
      [
        '# 00000cc0:          K: GFP_KERNEL|__GFP_SKIP_KASAN',
        '# 00148c40: NF|NF|C|HW: GFP_NOFS|__GFP_NOFAIL|__GFP_COMP|__GFP_HARDWALL',
        '# 04002cc0:      K|NWR: GFP_KERNEL|__GFP_NOWARN|0x4000000',
        '',
        DOTS,
        ' PFN              | Total alloc (KB) | Hits      | Order | Mig.type | GFP flags  | Callsite',
      ].join('\n'),
    );
    // compact_gfp_flags() with nothing to compact: perf gives up; this gives ''.
    expect(compactGfpNames('none')).toBe('');
    expect(compactGfpNames('GFP_TRANSHUGE|__GFP_THISNODE')).toBe('THP|TN');
  });

  it('reads the gfp names of the profile given', () => {
    // __GFP_COLD is a v4.8 bit (0x100); v6.18 has none.
    const v48 = statOf([alloc(10, 0, 0, 'GFP_KERNEL|__GFP_COLD')], { profile: getProfile('v4.8') });
    expect(v48.gfpFlags()).toEqual([{ flags: 0x24000c0 | 0x100, compact: 'K', names: 'GFP_KERNEL|__GFP_COLD' }]);
    expect(v48.unknownGfpNames.size).toBe(0);
  });

  it("groups thousands as %' does in the locale chosen", () => {
    const trace = Array.from({ length: 1200 }, (_, index) => alloc(0x1000 + index, 0, 1, 'GFP_HIGHUSER_MOVABLE'));
    const stat = statOf([...trace, alloc(0x100000, 10, 1, 'GFP_TRANSHUGE')]);
    const line = (separator?: string) =>
      formatPerfKmemPageStat(stat, separator === undefined ? {} : { thousandsSeparator: separator })
        .split('\n')
        .filter((text) => text.startsWith('Total allocation requests') || text.startsWith('    0'));
    // 1201 requests, 1200 × 4 KB + 4096 KB.
    expect(line()).toEqual([
      'Total allocation requests     :            1,201   [            8,896 KB ]',
      '    0             .         1,200             .             .             .',
    ]);
    expect(line('')).toEqual([
      'Total allocation requests     :             1201   [             8896 KB ]',
      '    0             .          1200             .             .             .',
    ]);
    expect(line('.')[0]).toBe('Total allocation requests     :            1.201   [            8.896 KB ]');
  });

  it('prints callsites as perf kmem does with the kernel map start given: their address plus it, in hex', () => {
    const stat = statOf([
      alloc(10, 0, 0, 'GFP_KERNEL'),
      alloc(20, 0, 0, 'GFP_KERNEL', [PMD_CHAIN[0]!, frame('ffffffffc0a01234', 'xfs_buf_alloc+0x34', '[xfs]')]),
      alloc(30, 0, 0, 'GFP_KERNEL', PMD_CHAIN.slice(0, 3)),
    ]);
    const names = (kernelMapStart?: bigint) =>
      formatPerfKmemPageStat(stat, kernelMapStart === undefined ? { alloc: true } : { alloc: true, kernelMapStart })
        .split('\n')
        .filter((line) => /^ +\d+ \| /.test(line))
        .map((line) => line.slice(line.lastIndexOf('| ') + 2));
    expect(names()).toEqual([
      '__alloc_frozen_pages_noprof',
      '__alloc_frozen_pages_noprof',
      '__alloc_frozen_pages_noprof',
    ]);
    // map__dso_unmap_ip(): ffffffff8163e0b7 + ffffffff81000000 (mod 2^64), which no symbol covers.
    expect(names(0xffffffff81000000n)).toEqual(['ffffffff0263e0b7', 'ffffffff0263e0b7', 'ffffffff0263e0b7']);
    // With the frozen-page function skipped: the module's frame keeps its name (its map's start is unknown), and
    // the sample ip of a chain of allocator functions is not offset.
    const further = statOf(
      [
        alloc(10, 0, 0, 'GFP_KERNEL'),
        alloc(20, 0, 0, 'GFP_KERNEL', [PMD_CHAIN[0]!, frame('ffffffffc0a01234', 'xfs_buf_alloc+0x34', '[xfs]')]),
        alloc(30, 0, 0, 'GFP_KERNEL', PMD_CHAIN.slice(0, 3)),
      ],
      { allocFunctions: FROZEN_TOO },
    );
    // Sorted by page, descending: 30 (sample ip), 20 (module), 10 (__pmd_alloc at ffffffff815fe60e, offset).
    expect(further.pages(['page']).map((row) => perfKmemCallsiteName(row.callsite, 0xffffffff81000000n))).toEqual([
      '__alloc_frozen_pages_noprof',
      'xfs_buf_alloc',
      'ffffffff025fe60e',
    ]);
  });

  it('gives the same numbers as plain data for --json', () => {
    const stat = statOf(trace, { allocFunctions: FROZEN_TOO });
    const json = perfKmemPageStatJson(stat, { caller: true, alloc: true, allocLines: 2 });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.summary).toEqual(stat.summary());
    expect(json.callers).toEqual([
      {
        bytes: 16384,
        hits: 1,
        order: 2,
        migratetype: 1,
        migratetypeName: 'RECLAIM',
        gfp: 0x100dca,
        gfpCompact: 'HUM|Z',
        callsite: 'folio_alloc_noprof',
        frame: { address: 'ffffffff81679897', symbol: 'folio_alloc_noprof', offset: 0x57, module: null },
        frees: 0,
        freeBytes: 0,
      },
      expect.objectContaining({ bytes: 12288, hits: 3, callsite: '__pmd_alloc', frees: 1, freeBytes: 4096 }),
    ]);
    expect(json.callersTruncated).toBe(false);
    expect(json.pages?.map((row) => [row.pfn, row.bytes, row.hits])).toEqual([
      [512, 16384, 1],
      [256, 8192, 2],
    ]);
    expect(json.pagesTruncated).toBe(true);
    expect(json.orders[0]).toEqual([3, 0, 0, 0, 0, 0]);
    expect(json.gfpFlags.map((gfp) => gfp.compact)).toEqual(['K', 'HUM|Z']);
    expect(perfKmemPageStatJson(stat)).not.toHaveProperty('pages');
  });
});

describe('perf kmem goldens (the real tool on one recording, see __fixtures__/perf-kmem/PROVENANCE.md)', () => {
  const recorded = events(readFileSync(new URL('perf-script-6.18.txt', fixtures), 'utf8'));
  // What the recording's perf used: the C locale, and its kernel map at _text.
  const asRecorded = { thousandsSeparator: '', kernelMapStart: 0xffffffff81000000n } as const;
  const cases: [file: string, live: boolean, options: PerfKmemPageReportOptions][] = [
    ['stat-page.txt', false, {}],
    ['stat-page-caller-alloc.txt', false, { caller: true, alloc: true }],
    ['stat-page-live-caller-alloc.txt', true, { caller: true, alloc: true }],
    [
      'stat-page-sorted-limited.txt',
      false,
      {
        alloc: true,
        allocSort: ['order', 'migtype', 'gfp'],
        allocLines: 12,
        caller: true,
        callerSort: ['hit', 'page'],
        callerLines: 4,
      },
    ],
    [
      'stat-page-sort-page-line0.txt',
      false,
      {
        caller: true,
        callerSort: ['callsite', 'gfp'],
        callerLines: 0,
        alloc: true,
        allocSort: ['page'],
        allocLines: 6,
      },
    ],
    ['stat-page-live-alloc-gfp.txt', true, { alloc: true, allocSort: ['gfp', 'order', 'hit'] }],
  ];

  it.each(cases)('%s', (file, live, options) => {
    const stat = new PerfKmemPageStat({ live }).addAll(recorded);
    const expected = readFileSync(new URL(file, fixtures), 'utf8');
    expect(formatPerfKmemPageStat(stat, { ...options, ...asRecorded })).toBe(expected);
    // Without the kernel map, the same output with the callsites named.
    expect(formatPerfKmemPageStat(stat, { ...options, thousandsSeparator: '' })).toBe(
      expected.replaceAll('ffffffff0263e0b7', '__alloc_frozen_pages_noprof'),
    );
    expect(stat.stops).toBe(0);
  });
});

describe('the real samples end to end', () => {
  /** Plain counts from the text, independent of the reader: allocations, their bytes, frees. */
  function plainCounts(text: string) {
    const allocs = text.match(/[ :]mm_page_alloc: .*/g) ?? [];
    const frees = text.match(/[ :]mm_page_free: .*/g) ?? [];
    const bytes = (lines: string[]) =>
      lines.reduce((sum, line) => sum + (4096 << Number(/order=(\d+)/.exec(line)![1])), 0);
    const failed = allocs.filter((line) => line.includes('pfn=0xffffffffffffffff'));
    return {
      allocs: allocs.length,
      allocBytes: bytes(allocs),
      frees: frees.length,
      freeBytes: bytes(frees),
      failed: failed.length,
    };
  }
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  /** A sample's text and events, read once. */
  const read = new Map<string, { text: string; events: TraceEvent[] }>();
  function sample(file: string) {
    let entry = read.get(file);
    if (entry === undefined) {
      const text = readFileSync(new URL(file, samples), 'utf8');
      entry = { text, events: events(text) };
      read.set(file, entry);
    }
    return entry;
  }

  for (const file of ['ftrace-page-events-6.18.txt', 'perf-script-page-alloc-stacks-6.18.txt']) {
    it(`counts ${file} as a plain reading of it does`, () => {
      const { text, events: all } = sample(file);
      const counts = plainCounts(text);
      const stat = new PerfKmemPageStat().addAll(all);
      const summary = stat.summary();
      expect(summary.allocRequests).toBe(counts.allocs);
      expect(summary.allocBytes).toBe(counts.allocBytes);
      expect(summary.freeRequests).toBe(counts.frees);
      expect(summary.freeBytes).toBe(counts.freeBytes);
      expect(summary.failedRequests).toBe(counts.failed);
      expect(summary.allocFreedRequests + summary.freeOnlyRequests).toBe(counts.frees);
      expect(stat.unreadable).toBe(0);
      expect(stat.stops).toBe(0);
      expect(stat.unknownGfpNames.size).toBe(0);
      // Every successful allocation is in one callsite row, one page row and one cell of the order table.
      const successes = counts.allocs - counts.failed;
      expect(sum(stat.callers().map((row) => row.allocs))).toBe(successes);
      expect(sum(stat.pages().map((row) => row.allocs))).toBe(successes);
      expect(sum(stat.orderCounts().flat())).toBe(successes);
      expect(sum(stat.callers().map((row) => row.allocBytes))).toBe(summary.allocBytes - summary.failedBytes);
      // With --live, what is left is what was not freed.
      const live = new PerfKmemPageStat({ live: true }).addAll(all);
      expect(sum(live.callers().map((row) => row.allocs))).toBe(summary.allocOnlyRequests - summary.failedRequests);
      expect(sum(live.orderCounts().flat())).toBe(summary.allocOnlyRequests - summary.failedRequests);
      // The text layout: the sections in perf's order, every table line 105 dashes wide.
      const output = formatPerfKmemPageStat(stat, { caller: true, alloc: true, allocLines: 20 });
      const sections = ['# GFP flags', ' Total alloc (KB) |', ' PFN              |', 'SUMMARY (page allocator)'];
      const positions = sections.map((title) => output.indexOf(title));
      expect(positions.every((position, index) => position >= 0 && position > (positions[index - 1] ?? -1))).toBe(true);
      expect(output.split('\n').filter((line) => line.startsWith('-----------'))).toEqual(Array(6).fill(DOTS));
    });
  }

  it('has no callsites for ftrace text, and perf kmem names one for the whole v6.18 perf sample', () => {
    const ftrace = new PerfKmemPageStat().addAll(sample('ftrace-page-events-6.18.txt').events);
    expect(new Set(ftrace.callers().map((row) => perfKmemCallsiteName(row.callsite)))).toEqual(new Set(['[unknown]']));
    const { text, events: all } = sample('perf-script-page-alloc-stacks-6.18.txt');
    const perf = new PerfKmemPageStat().addAll(all);
    // The sample's 2,000 chains all start at __alloc_frozen_pages_noprof+0x26b.
    expect(new Set(perf.callers().map((row) => row.callsite.symbol))).toEqual(new Set(['__alloc_frozen_pages_noprof']));
    // One level further out, the real callers: none of them an allocator function, their hits still summing up.
    const further = new PerfKmemPageStat({ allocFunctions: FROZEN_TOO }).addAll(all);
    const symbols = new Set(further.callers().map((row) => row.callsite.symbol));
    expect(symbols.size).toBeGreaterThan(5);
    expect([...symbols].some((symbol) => symbol === undefined || FROZEN_TOO.test(symbol))).toBe(false);
    expect(sum(further.callers().map((row) => row.allocs))).toBe(plainCounts(text).allocs);
  });
});
