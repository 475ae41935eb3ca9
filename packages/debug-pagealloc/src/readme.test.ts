import { BuddyAllocator } from '@mm/buddy';
import { DebugPagealloc, defaultDebugPageallocConfig } from '@mm/debug-pagealloc';
import { createHookBus } from '@mm/hooks';
import { getProfile, PhysicalMemory } from '@mm/physmem';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('catches a write after free', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const memory = new PhysicalMemory({ memory: 256 * 2 ** 20, profile: getProfile('v6.18') });
    const hooks = createHookBus();
    const buddy = new BuddyAllocator(memory, hooks);
    buddy.freeAllMemory();
    const config = { ...defaultDebugPageallocConfig(), enabled: true }; // debug_pagealloc=on
    const debug = new DebugPagealloc({ memory, hooks, buddy, config });
    debug.activate(); // v6.18: in mm_core_init(); v4.x: when page_ext is ready
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 0);
    buddy.freePages(pfn, 0); // unmapped from the direct map
    console.log(memory.directMap.write(pfn, 0x10, Uint8Array.of(1)), debug.stats.faults); // false 1
    console.log(/BUG: unable to handle page fault for address: ffff888/.test(memory.log.text())); // true: the oops

    expect(log.mock.calls[0]).toEqual([false, 1]);
    expect(log.mock.calls[1]).toEqual([true]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
