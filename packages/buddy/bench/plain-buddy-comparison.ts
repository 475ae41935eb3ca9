/**
 * `@mm/buddy` against the plain buddy allocator of `plain-buddy.ts` on 2^20 pages (4 GiB), on five workloads drawn
 * from one seeded xorshift32. Each round runs every workload on both allocators, one after the other, each in a
 * process of its own (as a simulated machine runs in a process of its own): the process warms its code up on
 * {@link WARM_UP_RUNS} allocators, then times the workload on a fresh one (set-up untimed), in CPU time (user +
 * system). Prints, per workload, the median rate of each side over the rounds and the median, min and max of the
 * per-round ratios (`@mm/buddy` / plain: above 1 is faster).
 *
 * One process per measurement, because in a process that makes and drops many machines the optimised code of the
 * allocator holds the dead machines' objects, is thrown away when the garbage collector takes them ("weak
 * objects" deoptimisations), and after enough of that V8 stops optimising it: the rates then depend on when the
 * collector happens to run, not on the allocator.
 *
 * Run it built, as users get the package: `pnpm bench` runs it after the vitest benchmarks (or, once built,
 * `pnpm exec tsx packages/buddy/bench/plain-buddy-comparison.ts [--rounds N]`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, PhysicalMemory } from '@mm/physmem';
import { PlainBuddy } from './plain-buddy';

const PAGES = 2 ** 20;
const OPERATIONS = 1_000_000;

/** What the workloads call: the two allocators behind one shape. */
interface Allocator {
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
class Xorshift32 {
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
class Live {
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

interface Workload {
  readonly name: string;
  readonly unit: string;
  /** Untimed: brings the allocator to the workload's starting state. */
  prepare(allocator: Allocator, random: Xorshift32): Live;
  /** Timed: returns the operations done. */
  run(allocator: Allocator, live: Live, random: Xorshift32): number;
}

const workloads: readonly Workload[] = [
  {
    name: '50% random steady state (alloc, free a random live page)',
    unit: 'pairs',
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
    prepare: halfFull,
    run(allocator) {
      for (let operation = 0; operation < OPERATIONS; operation++) allocator.free(allocator.alloc(0), 0);
      return OPERATIONS;
    },
  },
  {
    name: 'fill from empty',
    unit: 'allocs',
    prepare: () => new Live(),
    run(allocator, live) {
      for (let pfn = allocator.alloc(0); pfn >= 0; pfn = allocator.alloc(0)) live.add(pfn, 0);
      return live.count;
    },
  },
  {
    name: 'free in allocation order',
    unit: 'frees',
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

/** The control and the subject, in the order each round runs them. */
const sides = [
  { name: 'plain JS buddy', create: (): Allocator => new Plain() },
  { name: '@mm/buddy', create: (): Allocator => new MmBuddy() },
] as const;

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * Warm-up runs before the timed one. CPU time counts V8's compiler threads too: after one warm-up run, `node
 * --trace-opt` shows @mm/buddy's fallback and refill functions still being compiled while the fill is timed (up to
 * a third of its CPU time, none of it the allocator's work); after three, nothing of either allocator is.
 */
const WARM_UP_RUNS = 3;

/** The warm-up allocators, kept to the end of the process. */
const warmedUp: Allocator[] = [];

/**
 * The rate (operations per CPU second) of one workload on one allocator, from the same seed every time, after
 * {@link WARM_UP_RUNS} runs of the same workload on other allocators (kept alive, so that their objects outlive the
 * timing).
 */
function measure(workload: Workload, create: () => Allocator, seed: number): number {
  for (let run = 0; run < WARM_UP_RUNS; run++) {
    const warm = create();
    warmedUp.push(warm);
    workload.run(warm, workload.prepare(warm, new Xorshift32(seed)), new Xorshift32(seed + 1));
  }
  const allocator = create();
  const random = new Xorshift32(seed);
  const live = workload.prepare(allocator, random);
  const start = cpuSeconds();
  const operations = workload.run(allocator, live, random);
  return operations / (cpuSeconds() - start);
}

/** {@link measure} in a process of its own: this script, run with `--measure WORKLOAD SIDE SEED`. */
function measureInChild(workload: number, side: number, seed: number): number {
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--measure', `${workload}`, `${side}`, `${seed}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const rate = Number(output.trim());
  if (!(rate > 0)) throw new Error(`plain-buddy-comparison: a measurement printed '${output.trim()}'`);
  return rate;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const rate = (value: number) => (value >= 1e6 ? `${(value / 1e6).toFixed(2)} M` : `${(value / 1e3).toFixed(0)} k`);

/** Runs the comparison; returns the rows (workload, both medians, ratio median, min and max). */
function comparePlainBuddy(rounds: number, seed = 1) {
  const rates = workloads.map(() => sides.map(() => [] as number[]));
  for (let round = 0; round < rounds; round++) {
    workloads.forEach((_, index) => {
      sides.forEach((_side, sideIndex) => {
        rates[index]![sideIndex]!.push(measureInChild(index, sideIndex, seed));
      });
    });
  }
  return workloads.map((workload, index) => {
    const [plain, mm] = rates[index]!;
    const ratios = mm!.map((value, round) => value / plain![round]!);
    return {
      workload: workload.name,
      unit: workload.unit,
      plain: median(plain!),
      mm: median(mm!),
      ratio: median(ratios),
      min: Math.min(...ratios),
      max: Math.max(...ratios),
    };
  });
}

const measureArgument = process.argv.indexOf('--measure');
if (measureArgument > 0) {
  const [workload, side, seed] = process.argv.slice(measureArgument + 1).map(Number);
  process.stdout.write(`${measure(workloads[workload!]!, sides[side!]!.create, seed!)}\n`);
} else {
  const roundsArgument = process.argv.indexOf('--rounds');
  const rounds = roundsArgument > 0 ? Number(process.argv[roundsArgument + 1]) : 5;
  const rows = comparePlainBuddy(rounds);
  const lines = [
    `| workload (order 0 unless said; 2^20 pages; median of ${rounds} interleaved rounds, a process each, CPU time) | plain JS buddy | @mm/buddy | ratio | min-max |`,
    '|---|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.workload}, ${row.unit}/s | ${rate(row.plain)} | ${rate(row.mm)} | ${row.ratio.toFixed(2)} | ${row.min.toFixed(2)}-${row.max.toFixed(2)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
