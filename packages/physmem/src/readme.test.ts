import { createHookBus } from '@mm/hooks';
import { formatGfp, getProfile, PhysicalMemory } from '@mm/physmem';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('lays out a 4 GiB PC and faults on a page out of the direct map', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const hooks = createHookBus();
    const profile = getProfile('v6.18');
    const memory = new PhysicalMemory({ memory: 4 * 2 ** 30, profile, hooks });
    for (const zone of memory.zones.filter((zone) => zone.populated)) {
      console.log(zone.name, zone.startPfn, zone.spannedPages, zone.presentPages);
    }
    console.log(memory.sections.filter(Boolean).length, memory.presentPages); // 32 sections of 128 MiB, 1048478 pages
    console.log(formatGfp(0xd2cc0, profile.gfp)); // GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC
    hooks.kernel_fault.subscribe((pfn, offset, write) => console.log('fault', pfn, offset, write));
    memory.directMap.mapPages(0x1000, 1, false); // out of the direct map, as debug_pagealloc does at free
    console.log(memory.directMap.write(0x1000, 8, Uint8Array.of(1))); // fault 4096 8 true, then false: lost

    expect(log.mock.calls).toEqual([
      ['DMA', 1, 4095, 3998],
      ['DMA32', 4096, 1044480, 782336],
      ['Normal', 1048576, 262144, 262144],
      [32, 1048478],
      ['GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC'],
      ['fault', 4096, 8, true],
      [false],
    ]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
