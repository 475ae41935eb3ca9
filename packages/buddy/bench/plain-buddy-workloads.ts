/**
 * The five workloads of the plain-buddy comparison and the allocators they run on: the plain buddy allocator of
 * `plain-buddy.ts` (the control), `@mm/buddy` as its benchmarks boot it, and the plain allocator behind a per-CPU
 * list (`per-cpu-plain-buddy.ts`). Shared by `plain-buddy-comparison.ts` (CPU time) and `instruction-counts.ts`
 * (instructions, under callgrind).
 */
import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, PhysicalMemory } from '@mm/physmem';
import { PerCpuPlainBuddy } from './per-cpu-plain-buddy';
import { PlainBuddy } from './plain-buddy';

/** Pages of every allocator (4 GiB). */
export const PAGES = 2 ** 20;
const OPERATIONS = 1_000_000;

/** What the workloads call: the two allocators behind one shape. */
export interface Allocator {
  alloc(order: number): number;
  free(pfn: number, order: number): void;
}

/** `@mm/buddy` as its own benchmarks boot it: v6.18, 4 GiB, `GFP_KERNEL | __GFP_NOWARN` (a failure is not a report). */
class MmBuddy implements Allocator {
  readonly #buddy: BuddyAllocator;
  readonly #gfp: number;

  constructor() {
    const memory = new PhysicalMemory({ memory: PAGES * 4096, profile: getProfile('v6.18') });
    this.#buddy = new BuddyAllocator(memory, createHookBus());
    this.#buddy.freeAllMemory();
    const flags = memory.profile.gfp.flags;
    this.#gfp = flags.GFP_KERNEL | flags.NOWARN;
  }

  alloc(order: number): number {
    return this.#buddy.allocPages(this.#gfp, order);
  }

  free(pfn: number, order: number): void {
    this.#buddy.freePages(pfn, order);
  }
}

class Plain implements Allocator {
  readonly #buddy = new PlainBuddy(PAGES);

  alloc(order: number): number {
    return this.#buddy.alloc(order);
  }

  free(pfn: number, order: number): void {
    this.#buddy.free(pfn, order);
  }
}

/** xorshift32 (Marsaglia 2003), the sequence every workload draws from. */
export class Xorshift32 {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }
  /** An integer in [0, bound). */
  below(bound: number): number {
    let value = this.#state;
    value ^= value << 13;
    value ^= value >>> 17;
    value ^= value << 5;
    this.#state = value >>> 0;
    return Math.floor((this.#state / 4294967296) * bound);
  }
}

/** Live blocks: pfns and orders, removable at random by swapping with the last. */
export class Live {
  readonly pfns = new Int32Array(PAGES);
  readonly orders = new Uint8Array(PAGES);
  count = 0;
  pages = 0;
  add(pfn: number, order: number): void {
    this.pfns[this.count] = pfn;
    this.orders[this.count++] = order;
    this.pages += 1 << order;
  }
  /** Frees the block at `index` and forgets it. */
  free(allocator: Allocator, index: number): void {
    const order = this.orders[index]!;
    allocator.free(this.pfns[index]!, order);
    this.pages -= 1 << order;
    this.count--;
    this.pfns[index] = this.pfns[this.count]!;
    this.orders[index] = this.orders[this.count]!;
  }
}

/** Fills order-0 pages until half of memory is allocated. */
function halfFull(allocator: Allocator): Live {
  const live = new Live();
  while (live.pages < PAGES / 2) live.add(allocator.alloc(0), 0);
  return live;
}

/** The mixed workload's orders: 80% order 0, 6% order 1, 5% order 2, 4% order 3, 5% orders 4-9. */
function mixedOrder(random: Xorshift32): number {
  const draw = random.below(100);
  if (draw < 80) return 0;
  if (draw < 86) return 1;
  if (draw < 91) return 2;
  if (draw < 95) return 3;
  return 4 + random.below(6);
}

export interface Workload {
  readonly name: string;
  readonly unit: string;
  /** The ratio to the plain allocator (CPU time) `@mm/buddy` is to reach. */
  readonly target: number;
  /** Untimed: brings the allocator to the workload's starting state. */
  prepare(allocator: Allocator, random: Xorshift32): Live;
  /** Timed: returns the operations done. */
  run(allocator: Allocator, live: Live, random: Xorshift32): number;
}

export const workloads: readonly Workload[] = [
  {
    name: '50% random steady state (alloc, free a random live page)',
    unit: 'pairs',
    target: 1.0,
    prepare: halfFull,
    run(allocator, live, random) {
      for (let operation = 0; operation < OPERATIONS; operation++) {
        live.add(allocator.alloc(0), 0);
        live.free(allocator, random.below(live.count));
      }
      return OPERATIONS;
    },
  },
  {
    name: 'hot pair at 50% occupancy (alloc then free the same page)',
    unit: 'pairs',
    target: 0.7,
    prepare: halfFull,
    run(allocator) {
      for (let operation = 0; operation < OPERATIONS; operation++) allocator.free(allocator.alloc(0), 0);
      return OPERATIONS;
    },
  },
  {
    name: 'fill from empty',
    unit: 'allocs',
    target: 0.5,
    prepare: () => new Live(),
    run(allocator, live) {
      for (let pfn = allocator.alloc(0); pfn >= 0; pfn = allocator.alloc(0)) live.add(pfn, 0);
      return live.count;
    },
  },
  {
    name: 'free in allocation order',
    unit: 'frees',
    target: 0.5,
    prepare(allocator) {
      const live = new Live();
      for (let pfn = allocator.alloc(0); pfn >= 0; pfn = allocator.alloc(0)) live.add(pfn, 0);
      return live;
    },
    run(allocator, live) {
      for (let index = 0; index < live.count; index++) allocator.free(live.pfns[index]!, 0);
      return live.count;
    },
  },
  {
    name: 'mixed orders (80% order 0 ... 5% orders 4-9) at 50% occupancy',
    unit: 'ops',
    target: 0.6,
    prepare(allocator, random) {
      const live = new Live();
      while (live.pages < PAGES / 2) {
        const order = mixedOrder(random);
        const pfn = allocator.alloc(order);
        if (pfn >= 0) live.add(pfn, order);
      }
      return live;
    },
    run(allocator, live, random) {
      for (let operation = 0; operation < OPERATIONS; operation++) {
        if (live.pages > PAGES / 2) {
          live.free(allocator, random.below(live.count));
        } else {
          const order = mixedOrder(random);
          const pfn = allocator.alloc(order);
          if (pfn >= 0) live.add(pfn, order);
        }
      }
      return OPERATIONS;
    },
  },
];

/** The control, the subject and the control behind a per-CPU list, in the order each round runs them. */
export const sides = [
  { name: 'plain JS buddy', create: (): Allocator => new Plain() },
  { name: '@mm/buddy', create: (): Allocator => new MmBuddy() },
  { name: 'plain + per-CPU list', create: (): Allocator => new PerCpuPlainBuddy(PAGES) },
] as const;

/**
 * Warm-up runs before the measured one. CPU time counts V8's compiler threads too: after one warm-up run, `node
 * --trace-opt` shows @mm/buddy's fallback and refill functions still being compiled while the fill is timed (up to
 * a third of its CPU time, none of it the allocator's work); after three, nothing of either allocator is.
 */
export const WARM_UP_RUNS = 3;

/** The warm-up allocators, kept to the end of the process, so that their objects outlive the measurement. */
const keptAlive: Allocator[] = [];

/**
 * A fresh allocator brought to the workload's starting state, after {@link WARM_UP_RUNS} runs of the workload on other
 * allocators; every run draws from the same seed. Returns it with its live blocks and the random sequence to go on
 * with.
 */
export function warmedUp(workload: Workload, create: () => Allocator, seed: number) {
  for (let run = 0; run < WARM_UP_RUNS; run++) {
    const warm = create();
    keptAlive.push(warm);
    workload.run(warm, workload.prepare(warm, new Xorshift32(seed)), new Xorshift32(seed + 1));
  }
  const allocator = create();
  const random = new Xorshift32(seed);
  return { allocator, live: workload.prepare(allocator, random), random };
}
