import { describe, expect, it } from 'vitest';
import { memoryIo } from '../cli-io';
import { main } from '../main';
import { compareLayouts, formatLayouts } from './layouts';

describe('mmsim layouts', () => {
  it('gives each layout’s page_ext bytes for 4 GiB exactly (v4.7 and v4.8: the stackdepot commit’s)', async () => {
    const io = memoryIo();
    expect(await main(['layouts', '--mem', '4G', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      layouts: [
        { profile: 'v3.19', bytesPerPage: 104, staticBytes: 109_051_904, hashBytes: 0 },
        { profile: 'v4.7', bytesPerPage: 88, staticBytes: 92_274_688, hashBytes: 0 },
        // v4.8 lib/stackdepot.c: static struct stack_record *stack_table[1 << STACK_HASH_ORDER_SHIFT (20)].
        { profile: 'v4.8', bytesPerPage: 24, staticBytes: 25_165_824, hashBytes: 8_388_608 },
        // v6.18 stack_depot_early_init(): alloc_large_system_hash() of 2^18 list_heads for 4 GiB (16 KiB a bucket).
        { profile: 'v6.18', bytesPerPage: 72, staticBytes: 75_497_472, hashBytes: 4_194_304 },
      ],
      // v6.18 mm/page_ext.c: an 8-byte flags word when a client needs it (page_owner), then each client's struct
      // at its offset: struct page_owner (64), union codetag_ref (8, lib/alloc_tag.c page_alloc_tagging_ops),
      // struct page_table_check (two atomic_t, 8). debug_pagealloc uses page flags only since v5.x.
      clients: [
        { clients: 'page_owner', cmdline: 'page_owner=on', bytesPerPage: 72, staticBytes: 75_497_472 },
        { clients: 'debug_pagealloc', cmdline: 'debug_pagealloc=on', bytesPerPage: 0, staticBytes: 0 },
        { clients: 'alloc_tag', cmdline: 'sysctl.vm.mem_profiling=1', bytesPerPage: 8, staticBytes: 8_388_608 },
        { clients: 'page_table_check', cmdline: 'page_table_check=on', bytesPerPage: 8, staticBytes: 8_388_608 },
        {
          clients: 'page_owner,debug_pagealloc',
          cmdline: 'page_owner=on debug_pagealloc=on',
          bytesPerPage: 72,
          staticBytes: 75_497_472,
        },
        {
          clients: 'page_owner,alloc_tag',
          cmdline: 'page_owner=on sysctl.vm.mem_profiling=1',
          bytesPerPage: 80,
          staticBytes: 83_886_080,
        },
        {
          clients: 'page_owner,page_table_check',
          cmdline: 'page_owner=on page_table_check=on',
          bytesPerPage: 80,
          staticBytes: 83_886_080,
        },
        {
          clients: 'page_owner,debug_pagealloc,alloc_tag,page_table_check',
          cmdline: 'page_owner=on debug_pagealloc=on sysctl.vm.mem_profiling=1 page_table_check=on',
          bytesPerPage: 88,
          staticBytes: 92_274_688,
        },
      ],
    });
  });

  it('prints a table, and scales with the machine (per present section)', async () => {
    const io = memoryIo();
    expect(await main(['layouts', '--mem', '1G'], io)).toBe(0);
    expect(io.out()).toBe(
      'page_ext memory with page_owner=on, 1G of RAM:\n' +
        'layout  bytes/page  static bytes  depot hash table\n' +
        'v3.19          104    27,262,976                 0\n' +
        'v4.7            88    23,068,672                 0\n' +
        'v4.8            24     6,291,456         8,388,608\n' +
        'v6.18           72    18,874,368         1,048,576\n' +
        '\n' +
        'v6.18 clients                                          bytes/page  static bytes  command line\n' +
        'page_owner                                                     72    18,874,368  page_owner=on\n' +
        'debug_pagealloc                                                 0             0  debug_pagealloc=on\n' +
        'alloc_tag                                                       8     2,097,152  sysctl.vm.mem_profiling=1\n' +
        'page_table_check                                                8     2,097,152  page_table_check=on\n' +
        'page_owner,debug_pagealloc                                     72    18,874,368  page_owner=on debug_pagealloc=on\n' +
        'page_owner,alloc_tag                                           80    20,971,520  page_owner=on sysctl.vm.mem_profiling=1\n' +
        'page_owner,page_table_check                                    80    20,971,520  page_owner=on page_table_check=on\n' +
        'page_owner,debug_pagealloc,alloc_tag,page_table_check          88    23,068,672  page_owner=on debug_pagealloc=on sysctl.vm.mem_profiling=1 page_table_check=on\n',
    );
  });

  it('adds the depots’ pool pages after a workload, the totals and the v4.7 → v4.8 reduction', () => {
    const comparison = compareLayouts({ memory: '1G', workload: 'kernel-build' });
    const [v319, v47, v48, v618] = comparison.layouts;
    expect(v319!.dynamicBytes).toBe(0);
    expect(v47!.dynamicBytes).toBe(0);
    // Pools are 16 KiB; the depot holds whole pools plus at most one spare.
    expect(v48!.dynamicBytes! % 16384).toBe(0);
    expect(v48!.dynamicBytes).toBeGreaterThanOrEqual(3 * 16384);
    expect(v618!.dynamicBytes).toBeGreaterThanOrEqual(3 * 16384);
    for (const row of comparison.layouts) expect(row.totalBytes).toBe(row.staticBytes + row.dynamicBytes!);
    const expected = ((v47!.totalBytes! - v48!.totalBytes!) / v47!.totalBytes!) * 100;
    expect(comparison.reductionPercent).toBeCloseTo(expected, 1);
    // The stackdepot commit's 72% (4 GiB after a kernel build); the hash table's 8 MiB takes a quarter more off on
    // 1 GiB.
    expect(comparison.reductionPercent).toBeGreaterThan(70);
    expect(comparison.reductionPercent).toBeLessThan(73);
    const withHash = ((v47!.totalBytes! - v48!.totalBytes! - v48!.hashBytes) / v47!.totalBytes!) * 100;
    expect(comparison.reductionWithHashPercent).toBeCloseTo(withHash, 1);
    const text = formatLayouts(comparison);
    expect(text).toMatch(
      /^v4\.7 → v4\.8: 7\d\.\d% less memory counting page_ext and the depot's pools, as the stackdepot commit's message does \(its 72%\)$/m,
    );
    expect(text).toMatch(
      /^ {13}\d+\.\d% less with the depot's hash table too \(v4\.8: 2\^20 pointers, 8 MiB of BSS\)$/m,
    );
  });

  it('rejects bad usage with exit code 2', async () => {
    const io = memoryIo();
    expect(await main(['layouts', '--mem', 'lots'], io)).toBe(2);
    expect(io.err()).toMatch(/^mmsim layouts: /);
    const workload = memoryIo();
    expect(await main(['layouts', '--workload', 'nope'], workload)).toBe(2);
    expect(workload.err()).toContain('--workload');
  });
});
