import { readFileSync } from 'node:fs';
import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, gfpV618, PhysicalMemory, type ProfileName, parseGfp } from '@mm/physmem';
import { bench, describe } from 'vitest';

const GIB = 2 ** 30;
const PAIRS = 100_000;

function booted(profile: ProfileName) {
  const memory = new PhysicalMemory({ memory: 4 * GIB, profile: getProfile(profile) });
  const buddy = new BuddyAllocator(memory, createHookBus());
  buddy.freeAllMemory();
  return { buddy, gfp: memory.profile.gfp.flags.GFP_KERNEL };
}

// Every bench warms up for a second first: the machines are noisy and the JIT settles late.
const options = { warmupTime: 1000, time: 1500 };

describe('order-0 alloc+free pairs (100k ops)', () => {
  for (const profile of ['v4.8', 'v6.18'] as const) {
    const { buddy, gfp } = booted(profile);
    bench(
      `${profile}`,
      () => {
        for (let index = 0; index < PAIRS; index++) buddy.freePages(buddy.allocPages(gfp, 0), 0);
      },
      options,
    );
  }
});

describe('order-0 alloc+free pairs with hook listeners (100k ops)', () => {
  // One allocator for both: the only difference is the subscribed no-op listener on each hook.
  const { buddy, gfp } = booted('v6.18');
  const noop = () => {};
  bench(
    'v6.18, no listener',
    () => {
      for (let index = 0; index < PAIRS; index++) buddy.freePages(buddy.allocPages(gfp, 0), 0);
    },
    options,
  );
  bench(
    'v6.18, a no-op listener on post_alloc and on free_prepare',
    () => {
      const unsubscribeAlloc = buddy.hooks.post_alloc.subscribe(noop);
      const unsubscribeFree = buddy.hooks.free_prepare.subscribe(noop);
      for (let index = 0; index < PAIRS; index++) buddy.freePages(buddy.allocPages(gfp, 0), 0);
      unsubscribeAlloc();
      unsubscribeFree();
    },
    options,
  );
});

/**
 * The sample trace's mix: the orders, gfp masks and the alloc/free ratio of the real 6.18 ftrace sample, replayed
 * as a random workload that keeps a working set of blocks.
 */
function sampleMix(): { orders: number[]; gfps: number[]; freeRatio: number } {
  const text = readFileSync(new URL('../../../samples/ftrace-page-events-6.18.txt', import.meta.url), 'utf8');
  const orders: number[] = [];
  const gfps: number[] = [];
  for (const [, order, gfp] of text.matchAll(/mm_page_alloc: .* order=(\d+) migratetype=\d+ gfp_flags=(\S+)/g)) {
    orders.push(Number(order));
    gfps.push(parseGfp(gfp!, gfpV618)!);
  }
  const frees = text.match(/mm_page_free(_batched)?: /g)!.length;
  return { orders, gfps, freeRatio: frees / orders.length };
}

describe('mixed-order workload (100k ops)', () => {
  const mix = sampleMix();
  for (const [name, drawOrder] of [
    [
      'orders and gfp masks of the sample trace',
      (random: number) => mix.orders[Math.floor(random * mix.orders.length)]!,
    ],
    [
      'orders 0-10, each half as likely as the one below',
      (random: number) => Math.min(10, Math.floor(-Math.log2(1 - random))),
    ],
  ] as const) {
    const { buddy } = booted('v6.18');
    const held: { pfn: number; order: number }[] = [];
    let seed = 1;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    bench(`v6.18, ${name}`, () => {
      for (let index = 0; index < PAIRS; index++) {
        if (held.length > 0 && (random() < mix.freeRatio / (1 + mix.freeRatio) || held.length > 50_000)) {
          const at = Math.floor(random() * held.length);
          const block = held[at]!;
          held[at] = held[held.length - 1]!;
          held.pop();
          buddy.freePages(block.pfn, block.order);
        } else {
          const order = drawOrder(random());
          const gfp = mix.gfps[Math.floor(random() * mix.gfps.length)]! | 0x2000;
          const pfn = buddy.allocPages(gfp, order);
          if (pfn >= 0) held.push({ pfn, order });
        }
      }
    });
  }
});
