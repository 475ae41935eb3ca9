import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReverseMap, RMAP_CHUNK_PAGES } from './reverse-map';

describe('ReverseMap', () => {
  it('reads back every mapping and index written, packed or wide (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            // Three chunks; mostly values that pack, some that do not (a chunk then turns wide).
            fc.integer({ min: 0, max: 3 * RMAP_CHUNK_PAGES - 1 }),
            fc.oneof(
              fc.integer({ min: -200, max: 200 }),
              fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
              fc.constantFrom(-(2 ** 17), 2 ** 17 - 1, 2 ** 17),
            ),
            fc.oneof(
              fc.integer({ min: 0, max: 100 }),
              fc.integer({ min: 0, max: 2 ** 32 - 1 }),
              fc.constant(2 ** 14),
              // Far into a large file: a chunk whose indices count from a base.
              fc.integer({ min: 1_000_000, max: 1_020_000 }),
            ),
          ),
          { maxLength: 300 },
        ),
        (writes) => {
          const rmap = new ReverseMap();
          const model = new Map<number, [number, number]>();
          for (const [pfn, mapping, index] of writes) {
            rmap.set(pfn, mapping, index);
            model.set(pfn, [mapping, index]);
          }
          for (let pfn = 0; pfn < 3 * RMAP_CHUNK_PAGES; pfn++) {
            const [mapping, index] = model.get(pfn) ?? [0, 0];
            // A page with no mapping has no index either.
            expect([rmap.mappingOf(pfn), rmap.indexOf(pfn)]).toEqual([mapping, mapping === 0 ? 0 : index]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps a chunk in one word a page until a page does not fit, then in two', () => {
    const rmap = new ReverseMap();
    expect(rmap.hostBytes()).toBe(0);
    rmap.set(5, 92_160, 16_383);
    rmap.set(6, -131_072, 0);
    expect(rmap.shiftOf(0)).toBe(14);
    expect(rmap.hostBytes()).toBe(RMAP_CHUNK_PAGES * 4);
    // Page 16,384 of a file does not fit 14 bits: the chunk turns wide and keeps what it held.
    rmap.set(7, 3, 16_384);
    expect(rmap.shiftOf(0)).toBe(0);
    expect(rmap.hostBytes()).toBe(RMAP_CHUNK_PAGES * 8);
    expect([5, 6, 7].map((pfn) => [rmap.mappingOf(pfn), rmap.indexOf(pfn)])).toEqual([
      [92_160, 16_383],
      [-131_072, 0],
      [3, 16_384],
    ]);
    // A chunk whose first page does not fit is wide from the start; one never written reads as none.
    rmap.set(RMAP_CHUNK_PAGES, 131_072, 0);
    expect(rmap.shiftOf(1)).toBe(0);
    expect(rmap.mappingOf(RMAP_CHUNK_PAGES)).toBe(131_072);
    expect([rmap.mappingOf(2 * RMAP_CHUNK_PAGES), rmap.indexOf(2 * RMAP_CHUNK_PAGES)]).toEqual([0, 0]);
  });

  it('packs a chunk of a large file written in order, counting its indices from 4096 before its first page', () => {
    const rmap = new ReverseMap();
    const chunk = 3;
    const first = chunk * RMAP_CHUNK_PAGES;
    for (let page = 0; page < RMAP_CHUNK_PAGES; page++) rmap.set(first + page, 92_000, 1_800_000 + page);
    expect(rmap.shiftOf(chunk)).toBe(14);
    expect(rmap.indexBaseOf(chunk)).toBe(1_800_000 - 4096);
    expect(rmap.indexOf(first + 4095)).toBe(1_804_095);
    // Freed pages have no mapping, whatever the base; the chunk stays packed.
    rmap.set(first + 7, 0, 0);
    expect([rmap.mappingOf(first + 7), rmap.indexOf(first + 7), rmap.shiftOf(chunk)]).toEqual([0, 0, 14]);
    // A page of a small file does not fit the base: the chunk turns wide and keeps every page.
    rmap.set(first + 7, 5, 2);
    expect(rmap.shiftOf(chunk)).toBe(0);
    expect(rmap.indexBaseOf(chunk)).toBe(0);
    expect([rmap.indexOf(first), rmap.indexOf(first + 7), rmap.indexOf(first + 8)]).toEqual([1_800_000, 2, 1_800_008]);
  });
});
