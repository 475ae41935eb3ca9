import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { PageIdle } from '@mm/page-idle';
import { getProfile, PAGE_SIZE, PhysicalMemory } from '@mm/physmem';
import { Vm } from '@mm/vm';
import { bench, describe } from 'vitest';

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

/**
 * The control: the same per-pfn work on plain typed arrays, for the pages `tracked` (bit per pfn) names: for each
 * pfn, is it on an LRU; for a tracked page the write selects, its one page table entry's accessed bit is tested and
 * cleared through a pfn → entry index, and Idle is set; the read does the same for idle pages and reports those
 * still idle. No sections, no reverse map: the floor the simulator is measured against.
 */
function plainIdle(tracked: Uint8Array) {
  const pfns = tracked.length * 8;
  const lru = new Uint8Array(pfns);
  const entryOf = new Int32Array(pfns).fill(-1);
  let entries = 0;
  for (let pfn = 0; pfn < pfns; pfn++) {
    if ((tracked[pfn >>> 3]! & (1 << (pfn & 7))) === 0) continue;
    lru[pfn] = 1;
    entryOf[pfn] = entries++;
  }
  const accessed = new Uint8Array(entries).fill(1);
  const idle = new Uint8Array(pfns);
  const young = new Uint8Array(pfns);
  return {
    write(data: Uint8Array): void {
      for (let pfn = 0; pfn < pfns; pfn++) {
        if (lru[pfn] === 0 || (data[pfn >>> 3]! & (1 << (pfn & 7))) === 0) continue;
        const entry = entryOf[pfn]!;
        if (accessed[entry] === 1) {
          accessed[entry] = 0;
          young[pfn] = 1;
        }
        idle[pfn] = 1;
      }
    },
    read(out: Uint8Array): void {
      for (let pfn = 0; pfn < pfns; pfn++) {
        if (lru[pfn] === 0 || idle[pfn] === 0) continue;
        const entry = entryOf[pfn]!;
        if (accessed[entry] === 1) {
          accessed[entry] = 0;
          idle[pfn] = 0;
          young[pfn] = 1;
        } else out[pfn >>> 3]! |= 1 << (pfn & 7);
      }
    },
  };
}

describe('page_idle bitmap: a whole-file write of all ones, then a whole-file read, 4 Mi mapped pages (64 GiB)', () => {
  {
    // The control first: the group's ratios are the simulator's speed against it.
    const { memory, pageIdle } = mapped('v6.18');
    const bytes = Math.ceil(memory.maxPfn / 64) * 8;
    const ones = new Uint8Array(bytes).fill(0xff);
    pageIdle.writeBitmap(0, ones);
    const tracked = pageIdle.readBitmap(0, bytes) as Uint8Array;
    const control = plainIdle(tracked);
    bench(
      'control: the same per-pfn work on plain typed arrays (no sections, no reverse map)',
      () => {
        control.write(ones);
        control.read(new Uint8Array(bytes));
      },
      options,
    );
  }
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
