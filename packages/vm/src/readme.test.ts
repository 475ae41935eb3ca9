import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, PAGE_SIZE, PhysicalMemory } from '@mm/physmem';
import { formatMaps, readPagemap, Vm } from '@mm/vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('maps, faults, reads pagemap and asks page_referenced', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const memory = new PhysicalMemory({ memory: 256 * 2 ** 20, profile: getProfile('v6.18') });
    const hooks = createHookBus();
    const buddy = new BuddyAllocator(memory, hooks);
    buddy.freeAllMemory();
    const vm = new Vm({ memory, buddy, hooks });
    const task = vm.createProcess('app');
    const heap = vm.mmap(task, { pages: 16, name: '[heap]' });
    const pfn = vm.touch(task, heap + 3 * PAGE_SIZE, true); // a page fault: PTE page, then the page
    console.log(formatMaps(task)); // 7ffff7fef000-7ffff7fff000 rw-p 00000000 00:00 0 ... [heap]
    const entry = readPagemap(vm, task, ((heap + 3 * PAGE_SIZE) / PAGE_SIZE) * 8, 8) as Uint8Array;
    console.log(Buffer.from(entry).readBigUInt64LE(0) === ((0x81n << 56n) | BigInt(pfn))); // true: present, exclusive
    console.log(vm.pageReferenced(pfn), vm.pageReferenced(pfn)); // 1 0: the fault set the accessed bit, now clear

    expect(log.mock.calls).toEqual([
      [`7ffff7fef000-7ffff7fff000 rw-p 00000000 00:00 0${' '.repeat(26)}[heap]\n`],
      [true],
      [1, 0],
    ]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
