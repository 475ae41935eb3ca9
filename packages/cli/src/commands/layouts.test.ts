import { describe, expect, it } from 'vitest';
import { memoryIo } from '../cli-io';
import { main } from '../main';
import { compareLayouts, formatLayouts } from './layouts';

describe('mmsim layouts', () => {
  it('gives the seed’s numbers for 4 GiB exactly', async () => {
    const io = memoryIo();
    expect(await main(['layouts', '--mem', '4G', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      layouts: [
        { profile: 'v3.19', bytesPerPage: 104, staticBytes: 109_051_904 },
        { profile: 'v4.7', bytesPerPage: 88, staticBytes: 92_274_688 },
        { profile: 'v4.8', bytesPerPage: 24, staticBytes: 25_165_824 },
        { profile: 'v6.18', bytesPerPage: 72, staticBytes: 75_497_472 },
      ],
    });
  });

  it('prints a table, and scales with the machine (per present section)', async () => {
    const io = memoryIo();
    expect(await main(['layouts', '--mem', '1G'], io)).toBe(0);
    expect(io.out()).toBe(
      'page_ext memory with page_owner=on, 1G of RAM:\n' +
        'layout  bytes/page  static bytes\n' +
        'v3.19          104    27,262,976\n' +
        'v4.7            88    23,068,672\n' +
        'v4.8            24     6,291,456\n' +
        'v6.18           72    18,874,368\n',
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
    expect(comparison.reductionPercent).toBeGreaterThan(72);
    expect(formatLayouts(comparison)).toMatch(/^v4\.7 → v4\.8: 72\.\d% less memory$/m);
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
