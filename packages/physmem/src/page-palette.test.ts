import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PagePalette } from './page-palette';

describe('PagePalette', () => {
  it('reads back what was written, whatever the values (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            // Three chunks; values from a few (a palette) or from many (compaction, then a wide chunk).
            fc.integer({ min: 0, max: 3 * 4096 - 1 }),
            fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
          ),
          { maxLength: 2000 },
        ),
        (writes) => {
          const palette = new PagePalette();
          const model = new Map<number, number>();
          for (const [pfn, value] of writes) {
            palette.set(pfn, value);
            model.set(pfn, value);
          }
          const read = Array.from({ length: 3 * 4096 }, (_, pfn) => palette.get(pfn));
          expect(read).toEqual(Array.from({ length: 3 * 4096 }, (_, pfn) => model.get(pfn) ?? 0));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('reads 0 in a cleared range, and back what is written after (property)', () => {
    const pages = 3 * 4096;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: pages - 1 }), fc.integer({ min: 0, max: 300 })), {
          maxLength: 1500,
        }),
        fc.integer({ min: 0, max: pages }),
        fc.integer({ min: 0, max: pages }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: pages - 1 }), fc.integer({ min: 0, max: 5 })), { maxLength: 50 }),
        (writes, from, to, after) => {
          const [start, end] = from <= to ? [from, to] : [to, from];
          const palette = new PagePalette();
          const model = new Map<number, number>();
          for (const [pfn, value] of writes) {
            palette.set(pfn, value);
            model.set(pfn, value);
          }
          const before = palette.hostBytes();
          palette.clear(start, end - start);
          for (let pfn = start; pfn < end; pfn++) model.delete(pfn);
          // Nothing grows; a clear of everything leaves nothing.
          expect(palette.hostBytes()).toBeLessThanOrEqual(before);
          if (start === 0 && end === pages) expect(palette.hostBytes()).toBe(0);
          // Writes after the clear land as anywhere else.
          for (const [pfn, value] of after) {
            palette.set(pfn, value);
            model.set(pfn, value);
          }
          const read = Array.from({ length: pages }, (_, pfn) => palette.get(pfn));
          expect(read).toEqual(Array.from({ length: pages }, (_, pfn) => model.get(pfn) ?? 0));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('gives back a whole chunk cleared, and keeps a chunk cleared in part', () => {
    const palette = new PagePalette();
    for (let pfn = 0; pfn < 2 * 4096; pfn += 7) palette.set(pfn, 1 + (pfn % 3));
    const two = palette.hostBytes();
    palette.clear(4096, 4096);
    expect(palette.hostBytes()).toBe(two / 2);
    palette.clear(0, 4095);
    expect(palette.hostBytes()).toBe(two / 2);
    expect(palette.get(4095)).toBe(1 + (4095 % 3));
    palette.clear(0, 4096);
    expect(palette.hostBytes()).toBe(0);
  });

  it('costs a byte a page, makes room by dropping unused values, and turns wide past 255 in use', () => {
    const palette = new PagePalette();
    expect(palette.get(5)).toBe(0);
    palette.set(5, 0);
    expect(palette.hostBytes()).toBe(0);
    // 1000 values over time, never more than 10 in use at once: the palette drops the old ones.
    for (let value = 1; value <= 1000; value++) palette.set(value % 10, value);
    for (let pfn = 0; pfn < 10; pfn++) expect(palette.get(pfn)).toBe(990 + (pfn === 0 ? 10 : pfn));
    expect(palette.hostBytes()).toBe(4096 + 256 * 4);
    // 300 values in use at once: the chunk turns wide, 4 bytes a page.
    for (let pfn = 0; pfn < 300; pfn++) palette.set(pfn, -pfn - 1);
    for (let pfn = 0; pfn < 300; pfn++) expect(palette.get(pfn)).toBe(-pfn - 1);
    expect(palette.hostBytes()).toBe(4096 * 4);
  });
});
