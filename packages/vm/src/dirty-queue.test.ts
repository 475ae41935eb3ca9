import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DirtyQueue } from './dirty-queue';

describe('DirtyQueue', () => {
  it('gives back pages and times in the order they were queued, through growth and compaction', () => {
    // push (the page after the last one pushed, or any page; at the time given: equal times and consecutive pfns
    // make runs), take, compact, as the flusher does them; more pushes than takes, so that the queue grows, and
    // compaction moves what is left down.
    const pfn = fc.oneof({ arbitrary: fc.constant('next' as const), weight: 3 }, { arbitrary: fc.nat(), weight: 1 });
    const operation = fc.oneof(
      { arbitrary: fc.record({ push: pfn, at: fc.integer({ min: 0, max: 3 }) }), weight: 5 },
      { arbitrary: fc.constant('take' as const), weight: 4 },
      { arbitrary: fc.constant('compact' as const), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(operation, { minLength: 50, maxLength: 500 }), (operations) => {
        const queue = new DirtyQueue(4);
        const model: [number, number][] = [];
        let clock = 0;
        let last = 0;
        for (const step of operations) {
          if (step === 'take') {
            expect(queue.empty).toBe(model.length === 0);
            if (model.length === 0) continue;
            const [pfn, ns] = model.shift()!;
            expect(queue.oldestTime()).toBe(ns);
            expect(queue.shift()).toBe(pfn);
          } else if (step === 'compact') {
            queue.compact();
          } else {
            clock += step.at === 0 ? 0 : step.at * 1000;
            last = step.push === 'next' ? last + 1 : step.push;
            queue.push(last, clock);
            model.push([last, clock]);
          }
        }
        for (const [pfn, ns] of model) {
          expect(queue.oldestTime()).toBe(ns);
          expect(queue.shift()).toBe(pfn);
        }
        expect(queue.empty).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps runs of consecutive pages dirtied together', () => {
    const queue = new DirtyQueue();
    for (let pfn = 0; pfn < 5000; pfn++) queue.push(pfn, Math.floor(pfn / 100));
    for (let pfn = 0; pfn < 5000; pfn++) {
      expect(queue.oldestTime()).toBe(Math.floor(pfn / 100));
      expect(queue.shift()).toBe(pfn);
      if (pfn % 997 === 0) queue.compact();
    }
  });
});
