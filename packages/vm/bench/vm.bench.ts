import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, PAGE_SIZE, PhysicalMemory } from '@mm/physmem';
import { bench, describe } from 'vitest';
import { Vm } from '../src/index';

const options = { warmupTime: 1000, time: 2000 };
const PAGES = 100_000;

/** A 4 GiB machine's vm. */
function machine() {
  const memory = new PhysicalMemory({ memory: 4 * 2 ** 30, profile: getProfile('v6.18') });
  const hooks = createHookBus();
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  return new Vm({ memory, buddy, hooks });
}

describe('user memory (100k ops)', () => {
  const vm = machine();
  const task = vm.createProcess('bench');
  const start = vm.mmap(task, { pages: PAGES });
  for (let page = 0; page < PAGES; page++) vm.touch(task, start + page * PAGE_SIZE);
  bench(
    'touch: the hardware sets the accessed bit of a present entry (loads)',
    () => {
      for (let page = 0; page < PAGES; page++) {
        if (vm.touch(task, start + page * PAGE_SIZE) < 0) throw new Error('not mapped');
      }
    },
    options,
  );
  bench(
    'touch with writes: accessed and dirty',
    () => {
      for (let page = 0; page < PAGES; page++) vm.touch(task, start + page * PAGE_SIZE, true);
    },
    options,
  );
  bench(
    'anonymous page fault (alloc, rmap, LRU, PTE), then munmap of the 100k pages',
    () => {
      const other = vm.createProcess('faults');
      const at = vm.mmap(other, { pages: PAGES });
      for (let page = 0; page < PAGES; page++) vm.touch(other, at + page * PAGE_SIZE, true);
      vm.exit(other);
    },
    options,
  );
});
