import { allocTag } from '@mm/alloc-tag';
import { boot } from '@mm/kernel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('charges an anonymous fault to its call site, frees it, turns counting off', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '1G', cmdline: 'sysctl.vm.mem_profiling=1', features: [allocTag()] });
    const tags = kernel.feature(allocTag)!;
    const { buddy, stack, text } = kernel;
    stack.pushAll(text.sites(['do_anonymous_page+0x1ff', 'vma_alloc_folio_noprof+0x6a', 'alloc_pages_mpol+0x86']));
    const pfn = buddy.allocPages(kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE, 0); // an anonymous fault
    console.log(tags.readAllocinfo().split('\n')[12]); // '        4096        1 mm/memory.c:1190 func:folio_prealloc '
    buddy.freePages(pfn, 0);
    console.log(kernel.pageExt?.entryBytes, tags.readSysctl()); // 8 '1\n': a pointer a page
    console.log(tags.writeSysctl('0'), kernel.hooks.post_alloc.count); // 1 0: counting off, the hooks left

    expect(log.mock.calls).toEqual([
      ['        4096        1 mm/memory.c:1190 func:folio_prealloc '],
      [8, '1\n'],
      [1, 0],
    ]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
