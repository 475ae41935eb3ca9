import { StackDepot } from '@mm/stackdepot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs, deduplicates and prints the depot stats', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    let nextPfn = 0x10000; // where pools come from; a BuddyAllocator of @mm/buddy fits `pages` as it is
    const pages = {
      allocPages: (_gfp: number, order: number) => {
        nextPfn += 1 << order;
        return nextPfn - (1 << order);
      },
      freePages: () => {},
    };
    // The v6.18 gfp bits the depot reads (a @mm/physmem profile's `gfp.flags` has them all).
    const gfp = { GFP_KERNEL: 0xcc0, GFP_ATOMIC: 0x820, ZONEMASK: 0xf, NOWARN: 0x2000, NORETRY: 0x10000 };
    const depot = new StackDepot({
      era: 'v6',
      gfp: { ...gfp, NOMEMALLOC: 0x80000, DIRECT_RECLAIM: 0x400, KSWAPD_RECLAIM: 0x800 },
      pages,
      buckets: 1 << 12,
    });

    const stack = Uint32Array.from([0x81631a10, 0x8163993b, 0x81673d36]); // low halves of 0xffffffff8163...
    const handle = depot.save(stack, stack.length, gfp.GFP_KERNEL);
    console.log(handle, depot.save(stack, stack.length, gfp.GFP_KERNEL) === handle); // 1 true: pool 0 + 1, offset 0
    console.log(depot.framesOf(handle).map((frame) => `ffffffff${frame.toString(16)}`));
    console.log(depot.statsText()); // pools: 1 ... persistent_count: 1, persistent_bytes: 64

    expect(log.mock.calls).toEqual([
      [1, true],
      [['ffffffff81631a10', 'ffffffff8163993b', 'ffffffff81673d36']],
      [
        'pools: 1\nrefcounted_allocations: 0\nrefcounted_frees: 0\nrefcounted_in_use: 0\nfreelist_size: 0\npersistent_count: 1\npersistent_bytes: 64\n',
      ],
    ]);
    // The first save took a pool and the second miss would take the spare: one order-2 block so far.
    expect(nextPfn).toBe(0x10000 + 4);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
