import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from './__tests__/invariants';
import { bootMachine, MIB } from './__tests__/machine';
import type { BuddyAllocator } from './buddy-allocator';

/** Every free block of every zone, in free list order, and the per-page words (flags and the list links). */
function buddyState(buddy: BuddyAllocator) {
  const blocks: string[] = [];
  for (const zone of buddy.zones) {
    buddy.forEachFreeBlock(zone, (pfn, order, type) => blocks.push(`${zone.zone.name} ${order} ${type} ${pfn}`));
  }
  const { flags, refcount, mapcount } = buddy.memory.pages;
  return { blocks, flags: [...flags], refcount: [...refcount], mapcount: [...mapcount] };
}

/**
 * A drain frees a run of consecutive pages as the aligned blocks it is made of (free_pcppages_bulk() frees them one
 * by one): the free lists, their order and every page's word must come out as freeing each page on its own does.
 * Machine A frees pages onto its per-CPU list (drained when it is full, and at the end); machine B drains its list
 * after every free, so each page reaches `__free_one_page()` alone, in the same order (one CPU, one list: the list
 * is first in, first out).
 */
describe('draining a per-CPU list (property)', () => {
  it('leaves the buddy lists exactly as freeing its pages one at a time does', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v4.8', 'v6.18'),
        fc.integer({ min: 1, max: 6000 }),
        // The order of the frees: the allocated pages in runs, each freed ascending or descending, or kept.
        // (Short runs and kept pages leave many small free blocks, so that where a block goes on its list shows.)
        fc.array(
          fc.record({
            pages: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 700 })),
            how: fc.constantFrom('up', 'down', 'keep'),
          }),
          { minLength: 1, maxLength: 100 },
        ),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (profile, allocations, runs, shuffleSeed) => {
          const machines = [0, 1].map(() => bootMachine(profile, { memory: 256 * MIB, layout: 'flat', cpus: 1 }));
          const gfp = machines[0]!.memory.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
          const allocated = machines.map(({ buddy }) =>
            Array.from({ length: allocations }, () => buddy.allocPages(gfp, 0)),
          );
          expect(allocated[1]).toEqual(allocated[0]);
          const sorted = [...allocated[0]!].sort((a, b) => a - b);
          // Cut the sorted pages into the runs, shuffle the runs, and free them.
          const pieces: number[][] = [];
          let start = 0;
          for (const run of runs) {
            const piece = sorted.slice(start, start + run.pages);
            start += run.pages;
            if (run.how === 'down') piece.reverse();
            if (run.how !== 'keep') pieces.push(piece);
          }
          let state = shuffleSeed;
          for (let index = pieces.length - 1; index > 0; index--) {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            const other = state % (index + 1);
            [pieces[index], pieces[other]] = [pieces[other]!, pieces[index]!];
          }
          const frees = pieces.flat();
          const [batched, single] = machines.map(({ buddy }) => buddy);
          for (const pfn of frees) batched!.freePages(pfn, 0);
          batched!.drainAllPages();
          for (const pfn of frees) {
            single!.freePages(pfn, 0);
            single!.drainAllPages();
          }
          // (What the allocations' refill left on the list goes first in both: it is the list's cold end.)
          single!.drainAllPages();
          const kept = sorted.filter((pfn) => !frees.includes(pfn)).map((pfn) => ({ pfn, order: 0 }));
          checkInvariants(batched!, kept);
          expect(buddyState(batched!)).toEqual(buddyState(single!));
        },
      ),
      { numRuns: 60 },
    );
  });
});
