import { getProfile, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, PhysicalMemory } from '@mm/physmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GIB, MIB } from './__tests__/machine';
import { pageblockZones } from './pageblock-zones';

describe('pageblockZones (page_zone() per pageblock)', () => {
  it('gives the first 128 MiB section of a PC both its zones: DMA below 16 MiB, DMA32 above', () => {
    const memory = new PhysicalMemory({ memory: 1 * GIB, profile: getProfile('v6.18') });
    const zones = pageblockZones(memory);
    const [dma, dma32] = memory.zones;
    expect(memory.sections[0]!.zoneId).toBe(-1);
    const dmaEnd = (16 * MIB) / 4096 / PAGEBLOCK_NR_PAGES;
    // ZONE_DMA starts at pfn 1, so pageblock 0 is not all DMA: its pages take the general path.
    expect(Array.from(zones.subarray(0, dmaEnd))).toEqual([-1, ...new Array(dmaEnd - 1).fill(dma!.id)]);
    expect(zones[dmaEnd]).toBe(dma32!.id);
  });

  it('agrees with zoneOf() for the first and last page of every pageblock, on any machine', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('v4.8' as const, 'v6.18' as const),
        (eighthsOfGib, nodes, movableEighths, profile) => {
          const memory = new PhysicalMemory({
            memory: (eighthsOfGib + 2 * nodes) * 128 * MIB + 4 * MIB,
            nodes,
            movableBytes: movableEighths * 32 * MIB,
            profile: getProfile(profile),
          });
          const zones = pageblockZones(memory);
          for (let block = 0; block < zones.length; block++) {
            const first = block << PAGEBLOCK_ORDER;
            if (memory.sections[first >>> memory.pfnSectionShift] === undefined) {
              expect(zones[block]).toBe(-1);
              continue;
            }
            const head = memory.zoneOf(first);
            const tail = memory.zoneOf(first + PAGEBLOCK_NR_PAGES - 1);
            expect(zones[block]).toBe(head !== undefined && head === tail ? head.id : -1);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
