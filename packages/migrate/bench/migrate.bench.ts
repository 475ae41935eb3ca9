import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { Compaction, Migration } from '@mm/migrate';
import { getProfile, PAGE_SIZE, PhysicalMemory } from '@mm/physmem';
import { Vm } from '@mm/vm';
import { bench, describe } from 'vitest';

/** A v6.18 machine with a process whose memory is mapped and every other page given back (fragmented). */
function fragmented(bytes: number) {
  const memory = new PhysicalMemory({ memory: bytes, profile: getProfile('v6.18') });
  const hooks = createHookBus();
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  const vm = new Vm({ memory, buddy, hooks });
  const migration = new Migration({ memory, buddy, hooks, vm });
  const compaction = new Compaction({ memory, buddy, vm, migration });
  const task = vm.createProcess('app');
  const pages = Math.floor(buddy.totalFreePages() * 0.9);
  const start = vm.mmap(task, { pages });
  for (let page = 0; page < pages; page++) vm.touch(task, start + page * PAGE_SIZE, true);
  for (let page = 1; page < pages; page += 2) vm.discard(task, start + page * PAGE_SIZE, 1);
  return { memory, vm, task, start, pages, migration, compaction };
}

describe('migrate_pages of mapped anonymous pages (10k ops)', () => {
  const { vm, task, start, migration } = fragmented(1 * 2 ** 30);
  const reason = migration.reason('syscall_or_cpuset');
  let page = 0;
  bench(
    'v6.18, 1 GiB: 10k pages, each to a new page (alloc, move mappings and flags, free)',
    () => {
      const pfns: number[] = [];
      for (let index = 0; index < 10_000; index++, page += 2)
        pfns.push(vm.translate(task, start + (page % 100_000) * PAGE_SIZE));
      if (migration.migratePages(pfns, reason) !== pfns.length) throw new Error('a page did not move');
    },
    { warmupTime: 500, time: 2000 },
  );
});

describe('compact_memory of a fragmented 4 GiB machine (every other page of 90% of memory free)', () => {
  const options = { warmupTime: 0, warmupIterations: 0, time: 0, iterations: 3 };
  // Fragmenting is work of its own: the compaction's cost is the difference of the two rows.
  bench(
    'v6.18: fragmenting only (faults, then MADV_DONTNEED of every other page)',
    () => {
      fragmented(4 * 2 ** 30);
    },
    options,
  );
  bench(
    'v6.18: fragmenting, then both scanners over every zone',
    () => {
      if (fragmented(4 * 2 ** 30).compaction.compactMemory() === 0) throw new Error('nothing migrated');
    },
    options,
  );
});
