import { type DepotGfp, STACK_DEPOT_FLAG_CAN_ALLOC, STACK_DEPOT_FLAG_GET, StackDepot } from '@mm/stackdepot';
import { bench, describe } from 'vitest';

/**
 * The gfp bits the depot reads, as the v4.8 and v6.18 profiles define them (v4.8 `include/linux/gfp.h`, v6.18
 * `include/linux/gfp_types.h`).
 */
const gfpOf: Readonly<Record<'v4' | 'v6', DepotGfp & { GFP_KERNEL: number }>> = {
  v4: {
    GFP_KERNEL: 0x24000c0,
    GFP_ATOMIC: 0x2080020,
    ZONEMASK: 0xf,
    NOWARN: 0x200,
    NORETRY: 0x1000,
    NOMEMALLOC: 0x10000,
    DIRECT_RECLAIM: 0x400000,
    KSWAPD_RECLAIM: 0x2000000,
  },
  v6: {
    GFP_KERNEL: 0xcc0,
    GFP_ATOMIC: 0x820,
    ZONEMASK: 0xf,
    NOWARN: 0x2000,
    NORETRY: 0x10000,
    NOMEMALLOC: 0x80000,
    DIRECT_RECLAIM: 0x400,
    KSWAPD_RECLAIM: 0x800,
  },
};

/**
 * A real 16-frame page_owner stack of v6.18 (the low 32 bits of the return addresses): page_owner's first frame
 * `post_alloc_hook`, then the first allocation of samples/perf-script-page-alloc-stacks-6.18.txt.
 */
const REAL_STACK = Uint32Array.from([
  0x81631a10, 0x8163993b, 0x81673d36, 0x81673ffc, 0x815fe60e, 0x81611e0c, 0x8162c3ed, 0x816e1701, 0x817761e2,
  0x816e122d, 0x816e2956, 0x816e3a24, 0x8225aa01, 0x81000130, 0x81000140, 0x81000150,
]);

/** A page source handing out pools from a counter, as the buddy allocator would (never failing). */
function counterPages() {
  let next = 0x10000;
  return {
    allocPages: (_gfp: number, order: number) => {
      const pfn = next;
      next += 1 << order;
      return pfn;
    },
    freePages: () => {},
  };
}

/** The kernel's table sizes: v4.8's static 2^20 buckets, v6.18's early-init size for a 4 GiB machine. */
function makeDepot(era: 'v4' | 'v6', buckets = era === 'v4' ? 1 << 20 : 1 << 18): StackDepot {
  return new StackDepot({ era, gfp: gfpOf[era], pages: counterPages(), buckets });
}

/** `count` distinct 16-frame stacks: the real stack with its outer frames varied, as different callers give. */
function distinctStacks(count: number, salt: number): Uint32Array[] {
  return Array.from({ length: count }, (_, index) => {
    const frames = REAL_STACK.slice();
    frames[13] = 0x81000000 + ((index * 0x40 + salt) & 0xffffff);
    frames[14] = 0x82000000 + (((index >>> 12) * 0x10 + salt) & 0xffffff);
    return frames;
  });
}

const HITS = 100_000;
const NEW = 10_000;
const FETCHES = 100_000;
// Every bench warms up for a second first: the machines are noisy and the JIT settles late.
const options = { warmupTime: 1000, time: 1500 };

describe('save of an existing 16-frame stack, a depot hit (100k ops)', () => {
  for (const era of ['v4', 'v6'] as const) {
    const depot = makeDepot(era);
    const gfp = gfpOf[era].GFP_KERNEL;
    const handle = depot.save(REAL_STACK, 16, gfp);
    bench(
      `${era === 'v4' ? 'v4.8' : 'v6.18'}, the same stack every time`,
      () => {
        for (let index = 0; index < HITS; index++) {
          if (depot.save(REAL_STACK, 16, gfp) !== handle) throw new Error('depot hit returned another handle');
        }
      },
      options,
    );
  }
  for (const era of ['v4', 'v6'] as const) {
    const depot = makeDepot(era);
    const gfp = gfpOf[era].GFP_KERNEL;
    const stacks = distinctStacks(4096, 0);
    for (const frames of stacks) depot.save(frames, 16, gfp);
    bench(
      `${era === 'v4' ? 'v4.8' : 'v6.18'}, one of 4096 stored stacks in turn`,
      () => {
        for (let index = 0; index < HITS; index++) {
          if (depot.save(stacks[index & 4095]!, 16, gfp) === 0) throw new Error('depot hit failed');
        }
      },
      options,
    );
  }
  {
    const depot = makeDepot('v6');
    const gfp = gfpOf.v6.GFP_KERNEL;
    const flags = STACK_DEPOT_FLAG_CAN_ALLOC | STACK_DEPOT_FLAG_GET;
    const handle = depot.save(REAL_STACK, 16, gfp, flags);
    bench(
      'v6.18, STACK_DEPOT_FLAG_GET then stack_depot_put()',
      () => {
        for (let index = 0; index < HITS; index++) {
          depot.save(REAL_STACK, 16, gfp, flags);
          depot.put(handle);
        }
      },
      options,
    );
  }
});

describe('save of new 16-frame stacks into a fresh depot (10k ops)', () => {
  for (const era of ['v4', 'v6'] as const) {
    const gfp = gfpOf[era].GFP_KERNEL;
    const stacks = distinctStacks(NEW, 7);
    // A fresh depot each run (2^16 buckets so that building it stays small beside the 10k saves).
    bench(
      `${era === 'v4' ? 'v4.8' : 'v6.18'}, pools from the page source as they fill`,
      () => {
        const depot = makeDepot(era, 1 << 16);
        for (let index = 0; index < NEW; index++) {
          if (depot.save(stacks[index]!, 16, gfp) === 0) throw new Error('depot save failed');
        }
      },
      options,
    );
  }
});

describe('fetch of a stored 16-frame stack (100k ops)', () => {
  for (const era of ['v4', 'v6'] as const) {
    const depot = makeDepot(era);
    const gfp = gfpOf[era].GFP_KERNEL;
    const handles = distinctStacks(4096, 3).map((frames) => depot.save(frames, 16, gfp));
    const out = new Uint32Array(64);
    bench(
      `${era === 'v4' ? 'v4.8' : 'v6.18'}, one of 4096 handles in turn`,
      () => {
        for (let index = 0; index < FETCHES; index++) {
          if (depot.fetch(handles[index & 4095]!, out) !== 16) throw new Error('fetch failed');
        }
      },
      options,
    );
  }
});
