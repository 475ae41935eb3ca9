import { debugPagealloc } from '@mm/debug-pagealloc';
import { boot } from '@mm/kernel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('catches a write after free', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '256M', cmdline: 'debug_pagealloc=on', features: [debugPagealloc()] });
    const { buddy, memory } = kernel;
    const pfn = buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
    buddy.freePages(pfn, 0); // unmapped from the direct map: the kernel's pages are checked, not trusted
    const faults = () => kernel.feature(debugPagealloc)!.stats.faults;
    console.log(memory.directMap.write(pfn, 0x10, Uint8Array.of(1)), faults()); // false 1: the write is lost
    console.log(/BUG: unable to handle page fault for address: ffff888/.test(kernel.dmesg())); // true: the oops

    expect(log.mock.calls[0]).toEqual([false, 1]);
    expect(log.mock.calls[1]).toEqual([true]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
