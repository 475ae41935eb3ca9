import { allFeatures } from '@mm/defaults';
import { boot, type Kernel } from '@mm/kernel';
import { bench, describe } from 'vitest';
import { pageCacheReadPaths } from '../../../tools/kernel-read-paths';

const PAIRS = 100_000;
const options = { warmupTime: 1000, time: 1500 };

/**
 * Order-0 alloc+free pairs on a kernel of the core alone and on one with every feature mmsim has built in but none
 * enabled on the command line: a feature that is installed but off subscribes to nothing and asks for no page_ext,
 * so the two should run at the same speed. Two bench files, one machine each in a worker of its own (as in
 * @mm/page-owner's off/on benches); `pnpm bench` puts them in one group, the ratio is the cost of being built in.
 */
export function featuresOffPairs(builtIn: boolean): void {
  describe('order-0 alloc+free pairs, v6.18, the core alone vs every feature built in and off (100k ops)', () => {
    const kernel: Kernel = boot({ memory: '4G', cpus: 2, ...(builtIn ? { features: allFeatures() } : {}) });
    kernel.stack.pushAll(kernel.text.sites(pageCacheReadPaths.v6));
    const { buddy } = kernel;
    const gfp = kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
    bench(
      builtIn ? 'every feature built in, none enabled' : 'the core alone',
      () => {
        for (let index = 0; index < PAIRS; index++) buddy.freePages(buddy.allocPages(gfp, 0), 0);
      },
      options,
    );
  });
}
