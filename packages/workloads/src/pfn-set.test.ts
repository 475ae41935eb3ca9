import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PfnSet } from './pfn-set';

describe('PfnSet', () => {
  it('holds exactly the pfns added, visited as maximal runs in order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 40 })), { maxLength: 30 }),
        (ranges) => {
          const set = new PfnSet();
          const expected = new Set<number>();
          for (const [pfn, count] of ranges) {
            set.addRange(pfn, count);
            for (let page = pfn; page < pfn + count; page++) expected.add(page);
          }
          expect(set.size).toBe(expected.size);
          const runs: [number, number][] = [];
          set.forEachRun((pfn, count) => runs.push([pfn, count]));
          const visited = runs.flatMap(([pfn, count]) => Array.from({ length: count }, (_, index) => pfn + index));
          expect(visited).toEqual([...expected].sort((a, b) => a - b));
          // Maximal: no run touches the next.
          for (let index = 1; index < runs.length; index++) {
            expect(runs[index]![0]).toBeGreaterThan(runs[index - 1]![0] + runs[index - 1]![1]);
          }
          for (const pfn of [0, 5, 100_000, 199_999]) expect(set.has(pfn)).toBe(expected.has(pfn));
        },
      ),
    );
  });

  it('costs what it covers: one 4 KiB bitmap per 128 MiB section touched, on a machine of any size', () => {
    const set = new PfnSet();
    set.addRange(2 ** 40 / 4096 - 1, 1);
    expect(set.hostBytes()).toBe(4096);
  });
});
