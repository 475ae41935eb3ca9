import { boot } from '@mm/kernel';
import { idlePfns, markIdle, pageIdle } from '@mm/page-idle';
import { PAGE_SIZE } from '@mm/physmem';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('finds the working set of a process through the bitmap file', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '256M', features: [pageIdle()] }); // no parameter: on whenever it is built in
    const { vm } = kernel;
    const idle = kernel.feature(pageIdle)!; // 64-bit: PG_idle and PG_young in page->flags
    const task = vm.createProcess('app');
    const start = vm.mmap(task, { pages: 100 });
    const pfns = Array.from({ length: 100 }, (_, page) => vm.touch(task, start + page * PAGE_SIZE));
    markIdle(idle.bitmapFile(), pfns); // pwrite of the words holding their bits
    for (let page = 0; page < 30; page++) vm.touch(task, start + page * PAGE_SIZE); // the working set
    console.log(idlePfns(idle.bitmapFile(), pfns).length); // 70
    console.log(vm.pageReferenced(pfns[50]!), vm.pageReferenced(pfns[5]!)); // 1 1: Young keeps reclaim honest
    const i386 = boot({ memory: '256M', arch: 'i386', features: [pageIdle()] });
    console.log(i386.pageExt?.entryBytes, kernel.pageExt); // 4 undefined: page_ext only on 32-bit, flags only

    expect(log.mock.calls).toEqual([[70], [1, 1], [4, undefined]]);
    expect(i386.dmesg()).toMatch(/\] allocated 262144 bytes of page_ext\n/);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
