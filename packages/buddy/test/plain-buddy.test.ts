import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlainBuddy } from '../bench/plain-buddy';

/** The benchmarks' control must be a correct buddy allocator, or its ratios mean nothing. */
describe('PlainBuddy (the benchmark control)', () => {
  it('never hands out a page twice, and coalesces everything back when all is freed (property)', () => {
    const pages = 1 << 14;
    fc.assert(
      fc.property(
        fc.array(fc.record({ allocate: fc.boolean(), order: fc.integer({ min: 0, max: 6 }), pick: fc.nat() }), {
          maxLength: 400,
        }),
        (operations) => {
          const buddy = new PlainBuddy(pages);
          const owner = new Uint8Array(pages);
          const live: [number, number][] = [];
          for (const { allocate, order, pick } of operations) {
            if (allocate || live.length === 0) {
              const pfn = buddy.alloc(order);
              if (pfn < 0) continue;
              expect(pfn % (1 << order)).toBe(0);
              for (let page = pfn; page < pfn + (1 << order); page++) {
                expect(owner[page]).toBe(0);
                owner[page] = 1;
              }
              live.push([pfn, order]);
            } else {
              const [pfn, blockOrder] = live.splice(pick % live.length, 1)[0]!;
              owner.fill(0, pfn, pfn + (1 << blockOrder));
              buddy.free(pfn, blockOrder);
            }
          }
          for (const [pfn, order] of live) buddy.free(pfn, order);
          // Everything merged back: the whole memory comes out again as its maximal blocks.
          for (let block = 0; block < pages >> buddy.maxOrder; block++) {
            expect(buddy.alloc(buddy.maxOrder)).toBeGreaterThanOrEqual(0);
          }
          expect(buddy.alloc(0)).toBe(-1);
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });
});
