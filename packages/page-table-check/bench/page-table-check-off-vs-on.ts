import { boot, type Kernel } from '@mm/kernel';
import { pageTableCheck } from '@mm/page-table-check';
import { PAGE_SIZE } from '@mm/physmem';
import { bench, describe } from 'vitest';

const PAGES = 10_000;
const options = { warmupTime: 1000, time: 2000 };

/** A 4 GiB v6.18 machine with page_table_check built in, on or off: off must cost nothing. */
function machine(on: boolean): Kernel {
  return boot({ memory: '4G', cmdline: on ? 'page_table_check=on' : '', cpus: 2, features: [pageTableCheck()] });
}

/**
 * The cost of page_table_check on the vm's entry set and clear, in two groups:
 *
 * - anonymous memory: a process maps 10k pages, faults each in (an allocation, `page_table_check_alloc()`, the entry
 *   set, `page_table_check_set()`) and unmaps them (the entry cleared, the page freed, `page_table_check_free()`):
 *   four checks a page;
 * - file pages: a process maps 10k page cache pages that stay cached, faults each in and unmaps them: the entry set
 *   and cleared alone, no allocation.
 *
 * Off and on are two bench files, so each machine runs in a worker of its own (see packages/page-owner/bench), and
 * `pnpm bench` puts them in one group with the ratio to off.
 */
export function pageTableCheckBenches(on: boolean): void {
  const label = on ? 'page_table_check=on' : 'page_table_check off';
  describe(`anonymous fault + munmap, v6.18 4G, page_table_check off vs on (10k pages)`, () => {
    const kernel = machine(on);
    const { vm } = kernel;
    const task = vm.createProcess('bench');
    bench(
      label,
      () => {
        const start = vm.mmap(task, { pages: PAGES });
        for (let page = 0; page < PAGES; page++) vm.touch(task, start + page * PAGE_SIZE, true);
        vm.munmap(task, start, PAGES);
      },
      options,
    );
  });
  describe(`file page map + munmap, v6.18 4G, page_table_check off vs on (10k pages)`, () => {
    const kernel = machine(on);
    const { vm } = kernel;
    const task = vm.createProcess('bench');
    const file = vm.createFile('/usr/lib/x86_64-linux-gnu/libLLVM.so.19.1', PAGES);
    vm.readFile(task, file, 0, PAGES);
    bench(
      label,
      () => {
        const start = vm.mmap(task, { pages: PAGES, file, write: false });
        for (let page = 0; page < PAGES; page++) vm.touch(task, start + page * PAGE_SIZE);
        vm.munmap(task, start, PAGES);
      },
      options,
    );
  });
}
