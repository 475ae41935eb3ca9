import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, PAGE_SIZE, PhysicalMemory } from '@mm/physmem';
import { Vm } from '@mm/vm';
import { bench, describe } from 'vitest';
import { PageIdle } from '../src/index';

const options = { warmupTime: 1000, time: 3000 };

/** A 64 GiB machine whose four processes map 1 Mi anonymous pages each (4 Mi pages, 16 GiB), all faulted in. */
function mapped(profile: 'v4.8' | 'v6.18') {
  const memory = new PhysicalMemory({ memory: 64 * 2 ** 30, profile: getProfile(profile) });
  const hooks = createHookBus();
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  const vm = new Vm({ memory, buddy, hooks });
  const pageIdle = new PageIdle({ memory, vm });
  for (let index = 0; index < 4; index++) {
    const task = vm.createProcess(`worker${index}`);
    const start = vm.mmap(task, { pages: 1 << 20 });
    for (let page = 0; page < 1 << 20; page++) vm.touch(task, start + page * PAGE_SIZE);
  }
  return { memory, pageIdle };
}

describe('page_idle bitmap: a whole-file write of all ones, then a whole-file read, 4 Mi mapped pages (64 GiB)', () => {
  for (const profile of ['v4.8', 'v6.18'] as const) {
    const { memory, pageIdle } = mapped(profile);
    const bytes = Math.ceil(memory.maxPfn / 64) * 8;
    const ones = new Uint8Array(bytes).fill(0xff);
    bench(
      `${profile}: every pfn visited twice, 4 Mi rmap walks each way`,
      () => {
        if (pageIdle.writeBitmap(0, ones) !== bytes) throw new Error('short write');
        const read = pageIdle.readBitmap(0, bytes);
        if (!(read instanceof Uint8Array) || read.length !== bytes) throw new Error('short read');
      },
      options,
    );
  }
});
