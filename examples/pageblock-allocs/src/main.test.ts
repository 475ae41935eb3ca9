import { readFileSync } from 'node:fs';
import { PAGEBLOCK_NR_PAGES } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { pageblockChurn } from './main';

describe('pageblock-allocs', () => {
  it('plugs in beside page_owner, counts make -j by pageblock and names the busiest (the run `start` prints)', () => {
    const run = pageblockChurn();
    expect(run.pageExt).toEqual({ entryBytes: 76, clients: ['page_owner 64 at 8', 'pageblock_allocs 4 at 72'] });
    expect(run.allocations).toBeGreaterThan(run.pageblocks);
    expect(run.busiest).toHaveLength(8);
    for (const [index, block] of run.busiest.entries()) {
      expect(block.pfn % PAGEBLOCK_NR_PAGES).toBe(0);
      expect(block.allocatedNow).toBeLessThanOrEqual(PAGEBLOCK_NR_PAGES);
      if (index > 0) expect(block.allocations).toBeLessThanOrEqual(run.busiest[index - 1]!.allocations);
    }
    const top = run.busiest[0]!;
    expect(run.summary.fields).toEqual({
      pageblockAllocs: {
        pageblocks: run.pageblocks,
        allocations: run.allocations,
        busiest: { pfn: top.pfn, allocations: top.allocations },
      },
    });
    const where = `pfn ${top.pfn} (0x${top.pfn.toString(16)}), ${top.allocations} allocations`;
    expect(run.summary.lines).toEqual([
      `  pageblock allocations: ${run.allocations} in ${run.pageblocks} pageblocks; the busiest: ${where}`,
    ]);
    expect(run.facts.map(([name]) => name)).toEqual(['stack depot', 'mixed pageblocks', 'busiest pageblock']);
    expect(run.facts.at(-1)).toEqual(['busiest pageblock', where]);
    // The figures docs/guide/writing-a-client.md quotes from this run.
    const guide = readFileSync(new URL('../../../docs/guide/writing-a-client.md', import.meta.url), 'utf8');
    expect(guide).toContain(`\`${run.summary.lines[0]!.trim()}\``);
  });
});
