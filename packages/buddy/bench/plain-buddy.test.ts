import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PerCpuPlainBuddy } from './per-cpu-plain-buddy';
import { PlainBuddy } from './plain-buddy';
import type { Allocator } from './plain-buddy-workloads';

/** 2^14 pages: more than a per-CPU list holds before it drains (`high` + a batch). */
const PAGES = 2 ** 14;

const operations = fc.array(
  fc.record({ alloc: fc.boolean(), order: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10 })), pick: fc.nat() }),
  { maxLength: 300 },
);

/**
 * Runs the operations, checking that every block handed out is aligned, inside memory and owned by nobody else;
 * then, twice, frees every block and takes every page back as order-0 pages (refills and drains of a per-CPU list on
 * the way), and frees them all. Returns the allocator, empty.
 */
function exercise<Control extends Allocator>(
  control: Control,
  steps: readonly { alloc: boolean; order: number; pick: number }[],
): Control {
  const owner = new Int8Array(PAGES);
  const live: [pfn: number, order: number][] = [];
  // Checked with plain tests, not expect(): a run hands out some 30,000 pages.
  const take = (pfn: number, order: number) => {
    if (pfn % (1 << order) !== 0 || pfn + (1 << order) > PAGES) throw new Error(`order-${order} block at ${pfn}`);
    for (let page = pfn; page < pfn + (1 << order); page++) {
      if (owner[page] !== 0) throw new Error(`page ${page} handed out twice`);
      owner[page] = 1;
    }
    live.push([pfn, order]);
  };
  const release = (index: number) => {
    const [pfn, order] = live[index]!;
    live[index] = live[live.length - 1]!;
    live.pop();
    owner.fill(0, pfn, pfn + (1 << order));
    control.free(pfn, order);
  };
  for (const step of steps) {
    if (step.alloc || live.length === 0) {
      const pfn = control.alloc(step.order);
      if (pfn >= 0) take(pfn, step.order);
    } else {
      release(step.pick % live.length);
    }
  }
  // Twice: the first frees fill the per-CPU list past `high`, and what its drains lost the second fill would miss.
  for (let round = 0; round < 2; round++) {
    while (live.length > 0) release(live.length - 1);
    for (let pfn = control.alloc(0); pfn >= 0; pfn = control.alloc(0)) take(pfn, 0);
    expect(live.length, 'every page comes back').toBe(PAGES);
  }
  while (live.length > 0) release(0);
  return control;
}

describe('the comparison controls', () => {
  it('PlainBuddy hands out each page once, keeps every page, and merges them all back', () => {
    fc.assert(
      fc.property(operations, (steps) => {
        const plain = exercise(new PlainBuddy(PAGES), steps);
        // Every block merged with its buddies: memory is whole MAX_ORDER blocks again.
        for (let block = 0; block < PAGES >> plain.maxOrder; block++)
          expect(plain.alloc(plain.maxOrder)).toBeGreaterThanOrEqual(0);
        expect(plain.alloc(0)).toBe(-1);
      }),
      { numRuns: 30 },
    );
  });

  it('PerCpuPlainBuddy hands out each page once and keeps every page, through refills and drains', () => {
    fc.assert(
      fc.property(operations, (steps) => {
        const perCpu = exercise(new PerCpuPlainBuddy(PAGES), steps);
        expect(perCpu.frees).toBe(perCpu.allocations);
      }),
      { numRuns: 30 },
    );
  });

  it('PerCpuPlainBuddy reports a page freed twice', () => {
    const perCpu = new PerCpuPlainBuddy(PAGES);
    const pfn = perCpu.alloc(0);
    perCpu.free(pfn, 0);
    expect(() => perCpu.free(pfn, 0)).toThrow(/bad page state/);
  });
});
