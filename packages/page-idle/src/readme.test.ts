import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { idlePfns, markIdle, PageIdle } from '@mm/page-idle';
import { getProfile, PAGE_SIZE, PhysicalMemory } from '@mm/physmem';
import { Vm } from '@mm/vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('finds the working set of a process through the bitmap file', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const memory = new PhysicalMemory({ memory: 256 * 2 ** 20, profile: getProfile('v6.18') });
    const hooks = createHookBus();
    const buddy = new BuddyAllocator(memory, hooks);
    buddy.freeAllMemory();
    const vm = new Vm({ memory, buddy, hooks });
    const pageIdle = new PageIdle({ memory, vm }); // 64-bit: PG_idle and PG_young in page->flags
    const task = vm.createProcess('app');
    const start = vm.mmap(task, { pages: 100 });
    const pfns = Array.from({ length: 100 }, (_, page) => vm.touch(task, start + page * PAGE_SIZE));
    markIdle(pageIdle.bitmapFile(), pfns); // pwrite of the words holding their bits
    for (let page = 0; page < 30; page++) vm.touch(task, start + page * PAGE_SIZE); // the working set
    console.log(idlePfns(pageIdle.bitmapFile(), pfns).length); // 70
    console.log(vm.pageReferenced(pfns[50]!), vm.pageReferenced(pfns[5]!)); // 1 1: Young keeps reclaim honest

    expect(log.mock.calls).toEqual([[70], [1, 1]]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
