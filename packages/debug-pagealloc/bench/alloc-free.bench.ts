import { BuddyAllocator } from '@mm/buddy';
import { DebugPagealloc, defaultDebugPageallocConfig } from '@mm/debug-pagealloc';
import { createHookBus } from '@mm/hooks';
import { getProfile, PhysicalMemory } from '@mm/physmem';
import { bench, describe } from 'vitest';

const PAIRS = 100_000;
const options = { warmupTime: 1000, time: 2000 };

/** A 4 GiB v6.18 machine with debug_pagealloc configured as `mode` says (active, as after boot). */
function machine(mode: 'off' | 'unmap' | 'poison') {
  const memory = new PhysicalMemory({ memory: 4 * 2 ** 30, profile: getProfile('v6.18') });
  const hooks = createHookBus();
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  const config = { ...defaultDebugPageallocConfig(), enabled: mode === 'unmap', poison: mode === 'poison' };
  new DebugPagealloc({ memory, hooks, buddy, config }).activate();
  const gfp = memory.profile.gfp.flags.GFP_KERNEL;
  return () => {
    for (let index = 0; index < PAIRS; index++) buddy.freePages(buddy.allocPages(gfp, 0), 0);
  };
}

describe('order-0 alloc+free pairs with debug_pagealloc, v6.18 (100k ops)', () => {
  const runs = { off: machine('off'), unmap: machine('unmap'), poison: machine('poison') };
  bench('both off', runs.off, options);
  bench('debug_pagealloc=on: unmapped at free, mapped back at allocation', runs.unmap, options);
  bench('page_poison=on: 0xaa at free, checked at allocation', runs.poison, options);
});
