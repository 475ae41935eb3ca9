import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { PageExt, pageExtLayouts, planPageExt } from '@mm/page-ext';
import { getProfile, PhysicalMemory } from '@mm/physmem';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs and prints what page_ext_init costs a 4 GiB v4.8 machine', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const memory = new PhysicalMemory({ memory: 4 * 2 ** 30, profile: getProfile('v4.8') });
    const buddy = new BuddyAllocator(memory, createHookBus());
    buddy.freeAllMemory();
    // page_owner=on: the v4.8 struct page_ext, the flags word and page_owner's 16 bytes of fields (24 bytes).
    const pageOwner = {
      name: 'page_owner',
      place: 300,
      size: 0,
      needSharedFlags: true,
      need: () => true,
      fixedBytes: () => 16,
    };
    const plan = planPageExt([pageOwner], pageExtLayouts['v4.8']!, 64)!;
    const pageExt = new PageExt(memory, plan);
    const free = buddy.totalFreePages();
    pageExt.allocate(buddy); // page_ext_init(): a table per present section, from the page allocator
    console.log(memory.log.lines().at(-1)); // [    0.000000] allocated 25165824 bytes of page_ext
    console.log(free - buddy.totalFreePages(), pageExt.hasPageExt(0x100000)); // 6144 true: 32 sections × 192 pages

    expect(log.mock.calls).toEqual([['[    0.000000] allocated 25165824 bytes of page_ext'], [6144, true]]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
