import { BuddyAllocator, formatBuddyinfo } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, PhysicalMemory } from '@mm/physmem';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('allocates and frees an order-3 block, then prints /proc/buddyinfo', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const memory = new PhysicalMemory({ memory: 2 ** 30, profile: getProfile('v6.18') });
    const buddy = new BuddyAllocator(memory, createHookBus());
    buddy.freeAllMemory(); // memblock_free_all()
    const gfp = memory.profile.gfp.flags;
    const free = buddy.totalFreePages();
    const pfn = buddy.allocPages(gfp.GFP_KERNEL | gfp.COMP, 3);
    console.log(pfn, free - buddy.totalFreePages()); // 12288 8: the first order-3 block of DMA32
    buddy.freePages(pfn, 3); // merged back with its buddies
    console.log(formatBuddyinfo(buddy)); // Node 0, zone      DMA      0      0 ... 1      1      3

    expect(log.mock.calls).toEqual([
      [12288, 8],
      [
        'Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n' +
          'Node 0, zone    DMA32      0      0      0      1      0      0      1      1      1      2    239 \n',
      ],
    ]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
