import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants, type HeldBlock } from './__tests__/invariants';
import { bootMachine, GIB, MIB } from './__tests__/machine';
import type { BuddyAllocator } from './buddy-allocator';

/** mulberry32: a small deterministic PRNG, so that a failing seed replays exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Orders drawn like the sample trace: almost all order 0, some small orders, a few THP and max-order blocks. */
function drawOrder(next: () => number): number {
  const roll = next();
  if (roll < 0.8) return 0;
  if (roll < 0.93) return 1 + Math.floor(next() * 3);
  if (roll < 0.98) return 4 + Math.floor(next() * 5);
  return next() < 0.7 ? 9 : 10;
}

/** Blocks the workload holds, with O(1) random pick and removal. */
class Held {
  readonly blocks: HeldBlock[] = [];

  add(block: HeldBlock): void {
    this.blocks.push(block);
  }

  /** Removes and returns the block at a random position. */
  take(at: number): HeldBlock {
    const index = Math.floor(at * this.blocks.length);
    const block = this.blocks[index]!;
    this.blocks[index] = this.blocks[this.blocks.length - 1]!;
    this.blocks.pop();
    return block;
  }
}

interface Workload {
  buddy: BuddyAllocator;
  held: Held;
  gfps: number[];
  next: () => number;
}

/** One random operation: allocate, free, split_page, switch CPU, drain, or a deliberate double free. */
function step(workload: Workload, allocBias: number): void {
  const { buddy, held, gfps, next } = workload;
  const memory = buddy.memory;
  const roll = next();
  if (roll < allocBias) {
    const gfp = gfps[Math.floor(next() * gfps.length)]!;
    const order = drawOrder(next);
    const pfn = buddy.allocPages(gfp, order);
    if (pfn >= 0) held.add({ pfn, order });
  } else if (roll < 0.97) {
    if (held.blocks.length === 0) return;
    const block = held.take(next());
    buddy.freePages(block.pfn, block.order);
  } else if (roll < 0.98) {
    if (held.blocks.length === 0) return;
    const candidate = held.take(next());
    if (candidate.order === 0 || memory.testPageFlag(candidate.pfn, memory.profile.pageFlags.bit.head)) {
      held.add(candidate);
      return;
    }
    buddy.splitPage(candidate.pfn, candidate.order);
    for (let pfn = candidate.pfn; pfn < candidate.pfn + (1 << candidate.order); pfn++) held.add({ pfn, order: 0 });
  } else if (roll < 0.99) {
    memory.current.cpu = Math.floor(next() * memory.cpus);
  } else if (roll < 0.995) {
    buddy.drainAllPages();
  } else {
    // A double free must be reported and change nothing.
    const freed = buddy.allocPages(gfps[0]!, 0);
    if (freed < 0) return;
    buddy.freePages(freed, 0);
    const before = buddy.stats.badPages;
    buddy.freePages(freed, 0);
    if (buddy.stats.badPages !== before + 1) throw new Error('double free was not reported');
  }
}

const machines = [
  { profile: 'v6.18', config: { memory: 3 * GIB + 512 * MIB, movableBytes: 128 * MIB, cpus: 4 } },
  { profile: 'v4.8', config: { memory: 3 * GIB + 512 * MIB, movableBytes: 128 * MIB, cpus: 4 } },
  { profile: 'v6.18', config: { memory: GIB, layout: 'flat', nodes: 2, cpus: 2 } },
  { profile: 'v4.8', config: { memory: 512 * MIB, layout: 'flat', cpus: 3 } },
] as const;

describe('buddy allocator invariants under random workloads', () => {
  for (const { profile, config } of machines) {
    const label = `${profile}, ${config.memory / MIB} MiB${'nodes' in config ? `, ${config.nodes} nodes` : ''}`;

    it(`holds after every batch of 100,000+ random operations (${label})`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const { buddy, memory } = bootMachine(profile, config);
          const g = memory.profile.gfp.flags;
          const nowarn = g.NOWARN;
          const workload: Workload = {
            buddy,
            held: new Held(),
            next: random(seed),
            gfps: [
              g.GFP_KERNEL | nowarn,
              g.GFP_HIGHUSER_MOVABLE | nowarn,
              g.GFP_HIGHUSER_MOVABLE | g.COMP | nowarn,
              g.GFP_KERNEL | g.RECLAIMABLE | nowarn,
              g.GFP_KERNEL | g.COMP | nowarn,
              g.GFP_ATOMIC | nowarn,
              g.GFP_DMA | g.GFP_KERNEL | nowarn,
              g.GFP_DMA32 | g.GFP_KERNEL | nowarn,
            ],
          };
          const reservedPresent = memory.zones.reduce((sum, zone) => sum + zone.presentPages - zone.managedPages, 0);
          let operations = 0;
          for (let batch = 0; operations < 100_000; batch++) {
            // Alternate phases that fill memory (to exercise fallbacks and failures) and phases that drain it.
            const allocBias = batch % 20 < 12 ? 0.7 : 0.25;
            for (let index = 0; index < 2_000; index++) step(workload, allocBias);
            operations += 2_000;
            checkInvariants(buddy, workload.held.blocks);
            const managed = memory.zones.reduce((sum, zone) => sum + zone.managedPages, 0);
            expect(managed + reservedPresent).toBe(memory.presentPages);
          }
          expect(buddy.stats.allocFailures + buddy.stats.allocations).toBeGreaterThan(30_000);
        }),
        { numRuns: 1 },
      );
    });
  }

  it('merges everything back to the boot state when all memory is freed (shrinkable sequences)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ order: fc.integer({ min: 0, max: 10 }), gfpIndex: fc.nat(3), free: fc.boolean() }), {
          maxLength: 300,
        }),
        fc.constantFrom('v4.8', 'v6.18'),
        (operations, profile) => {
          const { buddy, memory } = bootMachine(profile, { memory: 256 * MIB, layout: 'flat' });
          const g = memory.profile.gfp.flags;
          const gfps = [g.GFP_KERNEL, g.GFP_HIGHUSER_MOVABLE, g.GFP_KERNEL | g.RECLAIMABLE, g.GFP_ATOMIC];
          const before = buddy.zones.map((zone) => [...zone.nrFree]);
          const held: HeldBlock[] = [];
          for (const operation of operations) {
            if (operation.free && held.length > 0) {
              const block = held.splice(operation.order % held.length, 1)[0]!;
              buddy.freePages(block.pfn, block.order);
              continue;
            }
            const pfn = buddy.allocPages(gfps[operation.gfpIndex]! | g.NOWARN, operation.order);
            if (pfn >= 0) held.push({ pfn, order: operation.order });
          }
          checkInvariants(buddy, held);
          for (const block of held) buddy.freePages(block.pfn, block.order);
          buddy.drainAllPages();
          checkInvariants(buddy, []);
          // Pageblock migratetypes may have changed, but every page is free again in maximal blocks.
          const totals = (orders: number[][]) =>
            orders.map((zone) => zone.reduce((sum, count, order) => sum + (count << order), 0));
          expect(totals(buddy.zones.map((zone) => [...zone.nrFree]))).toEqual(totals(before));
          expect(buddy.zones.map((zone) => zone.nrFree[10])).toEqual(before.map((zone) => zone[10]));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('make_alloc_exact keeps the asked pages, frees the rest fully merged, and leaks only bad pages (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v4.8', 'v6.18'),
        fc.integer({ min: 0, max: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.uniqueArray(fc.nat(1023), { maxLength: 4 }),
        (profile, order, share, badOffsets) => {
          const { buddy, memory } = bootMachine(profile, { memory: 256 * MIB, layout: 'flat' });
          const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, order);
          const pages = 1 + Math.floor(share * ((1 << order) - 1));
          // A page checked at free (PG_lru) among the freed ones is reported and leaks.
          const bad = badOffsets.filter((offset) => offset >= pages && offset < 1 << order);
          for (const offset of bad) memory.setPageFlag(pfn + offset, memory.profile.pageFlags.bit.lru);
          buddy.makeAllocExact(pfn, order, pages);
          buddy.drainAllPages();
          expect(buddy.stats.leakedPages).toBe(bad.length);
          const kept = Array.from({ length: pages }, (_, offset) => ({ pfn: pfn + offset, order: 0 }));
          // Free blocks aligned and fully merged, every page free, kept or leaked exactly once.
          checkInvariants(buddy, kept);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('pages held for a replay (holdFreePages, allocHeld, freeAndHold, splitFolio, releaseHeldPages)', () => {
  it('keeps every invariant, gives only held pages, and gives every page back (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 4 })), {
          minLength: 1,
          maxLength: 25,
        }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (runs, seed) => {
          const { buddy, memory } = bootMachine('v6.18', { memory: 256 * MIB });
          const next = random(seed);
          const gfp = memory.profile.gfp.flags.GFP_KERNEL | memory.profile.gfp.flags.COMP;
          const freeBefore = buddy.zones.reduce((sum, zone) => sum + zone.freePages, 0);
          // Hold aligned blocks, as a replay holds the pages a trace allocates.
          let held = 0;
          for (const [slot, order] of runs) {
            const pfn = slot * 16;
            held += buddy.holdFreePages(pfn, 2 ** order);
          }
          const blocks: HeldBlock[] = [];
          const isHeldBlock = (pfn: number, order: number) => {
            for (let page = pfn; page < pfn + 2 ** order; page++) if (!buddy.isHeld(page)) return false;
            return true;
          };
          for (const [slot, order] of runs) {
            const pfn = slot * 16;
            const wasHeld = isHeldBlock(pfn, order);
            expect(buddy.allocHeld(pfn, order, gfp)).toBe(wasHeld);
            if (!wasHeld) continue;
            // Freed back to the hold, split, or kept.
            const roll = next();
            if (roll < 0.3) expect(buddy.freeAndHold(pfn, order)).toBe(true);
            else if (roll < 0.6 && order > 0) {
              buddy.splitFolio(pfn, order);
              for (let page = pfn; page < pfn + 2 ** order; page++) blocks.push({ pfn: page, order: 0 });
            } else blocks.push({ pfn, order });
          }
          // The held pages are out of the allocator: the invariants hold with them as held blocks.
          const outside = new Set<number>();
          for (const [slot, order] of runs) {
            for (let page = slot * 16; page < slot * 16 + 2 ** order; page++) if (buddy.isHeld(page)) outside.add(page);
          }
          checkInvariants(buddy, blocks, outside);
          for (const [slot, order] of runs) buddy.releaseHeldPages(slot * 16, 2 ** order);
          for (const block of blocks) buddy.freePages(block.pfn, block.order);
          buddy.drainAllPages();
          checkInvariants(buddy, []);
          expect(buddy.zones.reduce((sum, zone) => sum + zone.freePages, 0)).toBe(freeBefore);
          // Only pages that were free are held (pfn 0 and the kernel's own memory are not).
          expect(held).toBeLessThanOrEqual(runs.reduce((sum, [, order]) => sum + 2 ** order, 0));
        },
      ),
      { numRuns: 30 },
    );
    const { buddy } = bootMachine('v6.18', { memory: 256 * MIB });
    expect(buddy.holdFreePages(0x8000, 16)).toBe(16);
    expect(buddy.holdFreePages(0, 1)).toBe(0);
  });
});
