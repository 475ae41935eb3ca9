import { boot } from '@mm/kernel';
import { pageTableCheck } from '@mm/page-table-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('counts the entry of a faulted page and reports the page freed while mapped', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '1G', cmdline: 'page_table_check=on', features: [pageTableCheck()] });
    const { vm, buddy, memory } = kernel;
    const check = kernel.feature(pageTableCheck)!;
    console.log(kernel.pageExt?.entryBytes); // 8: two atomic_t, no flags word
    const task = vm.createProcess('app');
    const pfn = vm.touch(task, vm.mmap(task, { pages: 4 }), true); // the fault sets an entry
    console.log(check.anonMapCount(pfn), check.fileMapCount(pfn)); // 1 0
    memory.current.runAs(task, () => buddy.freePages(pfn, 0)); // a driver's extra put_page(): freed while mapped
    console.log(check.bugs[0]?.line, kernel.dmesg().includes('kernel BUG at mm/page_table_check.c:142!')); // 142 true

    expect(log.mock.calls).toEqual([[8], [1, 0], [142, true]]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
