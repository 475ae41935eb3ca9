import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, PAGE_SIZE, PhysicalMemory } from '@mm/physmem';
import { kpageEntries, readKpagecount, readKpageflags, Vm } from '@mm/vm';
import { bench, describe } from 'vitest';

const options = { warmupTime: 1000, time: 2000 };
const PAGES = 100_000;

/** A machine's vm (4 GiB unless said). */
function machine(bytes = 4 * 2 ** 30) {
  const memory = new PhysicalMemory({ memory: bytes, profile: getProfile('v6.18') });
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

describe('/proc/kpageflags and /proc/kpagecount read whole in 1 MiB reads, 64 GiB with 100k pages in use', () => {
  const vm = machine(64 * 2 ** 30);
  const task = vm.createProcess('bench');
  const start = vm.mmap(task, { pages: PAGES });
  for (let page = 0; page < PAGES; page++) vm.touch(task, start + page * PAGE_SIZE);
  const bytes = kpageEntries(vm) * 8;
  const chunk = 1 << 20;
  bench(
    "control: the two files' bytes in 1 MiB buffers filled with one value (the floor of producing them)",
    () => {
      for (let file = 0; file < 2; file++) {
        for (let position = 0; position < bytes; position += chunk) new Uint32Array(chunk / 4).fill(1 << 10);
      }
    },
    options,
  );
  bench(
    'kpageflags then kpagecount: a page a free block, every page in use',
    () => {
      for (const read of [readKpageflags, readKpagecount]) {
        for (let position = 0; position < bytes; position += chunk) {
          if (!(read(vm, position, chunk) instanceof Uint8Array)) throw new Error('read failed');
        }
      }
    },
    options,
  );
});
