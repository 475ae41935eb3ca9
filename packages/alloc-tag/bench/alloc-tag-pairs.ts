import { allocTag } from '@mm/alloc-tag';
import { boot, type Kernel } from '@mm/kernel';
import type { Feature } from '@mm/kernel-spec';
import { pageOwner } from '@mm/page-owner';
import { bench, describe } from 'vitest';
import { pageCacheReadPaths } from '../../../tools/kernel-read-paths';

const PAIRS = 100_000;
const options = { warmupTime: 1000, time: 1500 };

/** What the machine is built with and how it is booted. */
export type Setup = 'profiling off' | 'profiling on' | 'page_owner on';

/** A 4 GiB v6.18 machine with a page cache read path on its kernel stack (left there for the whole run). */
function machine(setup: Setup): Kernel {
  const features: Feature[] = setup === 'page_owner on' ? [pageOwner()] : [allocTag()];
  const cmdline = {
    'profiling off': '',
    'profiling on': 'sysctl.vm.mem_profiling=1',
    'page_owner on': 'page_owner=on',
  }[setup];
  const kernel = boot({ memory: '4G', profile: 'v6.18', cmdline, cpus: 2, features });
  kernel.stack.pushAll(kernel.text.sites(pageCacheReadPaths.v6));
  return kernel;
}

function pairs(kernel: Kernel): void {
  const { buddy } = kernel;
  const gfp = kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
  for (let index = 0; index < PAIRS; index++) buddy.freePages(buddy.allocPages(gfp, 0), 0);
}

/**
 * Allocation profiling charges every allocation: with the caller's stack unchanged, one stamp comparison finds the
 * tag; the head page's reference and the tag's two counters are written, and the free reads the reference back.
 * page_owner, for scale, captures a 16-frame stack and writes a record of every page.
 *
 * One machine per bench file, each in a worker of its own, in one group (the same name): `pnpm bench` gives each
 * row as a ratio to the first (profiling built in and off).
 */
export function allocTagPairs(setup: Setup): void {
  describe('order-0 alloc+free pairs, v6.18: allocation profiling off, on, and page_owner on (100k ops)', () => {
    const kernel = machine(setup);
    const name = {
      'profiling off': 'alloc_tag built in, profiling off',
      'profiling on': 'sysctl.vm.mem_profiling=1, page_ext references',
      'page_owner on': 'page_owner=on instead, 16-frame stacks, depot hit',
    }[setup];
    bench(name, () => pairs(kernel), options);
  });
}
