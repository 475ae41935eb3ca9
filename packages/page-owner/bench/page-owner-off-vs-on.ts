import { boot, type Kernel } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
import { bench, describe } from 'vitest';
import { pageCacheReadPaths } from '../../../tools/kernel-read-paths';

const PAIRS = 100_000;
const options = { warmupTime: 1000, time: 1500 };

/** A 4 GiB machine with a page cache read path on its kernel stack (left there for the whole run). */
function machine(profile: 'v4.8' | 'v6.18', cmdline: string): Kernel {
  // page_owner built in, on or off: off must cost nothing.
  const kernel = boot({ memory: '4G', profile, cmdline, cpus: 2, features: [pageOwner()] });
  kernel.stack.pushAll(kernel.text.sites(pageCacheReadPaths[kernel.profile.era]));
  return kernel;
}

function pairs(kernel: Kernel): void {
  const { buddy } = kernel;
  const gfp = kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
  for (let index = 0; index < PAIRS; index++) buddy.freePages(buddy.allocPages(gfp, 0), 0);
}

/**
 * page_owner records every allocation: it captures the stack (16 frames), finds it in the depot (a hit after the
 * first time) and writes the page's record; v6.18 also saves the free stack and keeps task contexts and counts.
 *
 * Off and on are two bench files, so each machine runs in a worker of its own, as a simulated machine runs in a
 * process of its own: in one process the two machines' objects meet at the same call sites and the JIT optimises
 * the allocator for neither. `pnpm bench` runs both in the same run and puts them in one group (same name), with
 * the ratio to the first (off).
 */
export function pageOwnerPairs(profile: 'v4.8' | 'v6.18', on: boolean): void {
  describe(`order-0 alloc+free pairs, ${profile}, page_owner off vs on (100k ops)`, () => {
    const kernel = machine(profile, on ? 'page_owner=on' : '');
    bench(on ? 'page_owner=on, 16-frame stacks, depot hit' : 'page_owner off', () => pairs(kernel), options);
  });
}
