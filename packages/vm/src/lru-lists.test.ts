import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruList, LruLists } from './lru-lists';

/** A list's pages from its tail (oldest) to its head. */
function fromTail(lists: LruLists, node: number, list: LruList): number[] {
  const pages: number[] = [];
  for (let pfn = lists.tail(node, list); pfn >= 0; pfn = lists.newer(pfn)) pages.push(pfn);
  return pages;
}

describe('LruLists', () => {
  it('behaves as lists with list_add() at the head, list_del(), and replacement in place (property)', () => {
    const lists = [LruList.inactive_anon, LruList.active_anon, LruList.inactive_file, LruList.active_file];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('add', 'delete', 'replace'),
            // Neighbours in pfns (links that pack), and pages far apart (links that overflow).
            fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 2 ** 26 })),
            fc.nat(7),
          ),
          { maxLength: 200 },
        ),
        (operations) => {
          const lru = new LruLists(2);
          // The model: per node and list, pages from head to tail; where each page is.
          const model = new Map<string, number[]>();
          const where = new Map<number, string>();
          for (const [operation, pfn, which] of operations) {
            const node = which >> 2;
            const list = lists[which & 3]!;
            const key = `${node}:${list}`;
            const pages = model.get(key) ?? [];
            model.set(key, pages);
            const at = where.get(pfn);
            if (operation === 'add' && at === undefined) {
              lru.add(node, list, pfn);
              pages.unshift(pfn);
              where.set(pfn, key);
            } else if (operation === 'delete' && at !== undefined) {
              const [atNode, atList] = at.split(':').map(Number) as [number, LruList];
              lru.delete(atNode, atList, pfn);
              model.get(at)!.splice(model.get(at)!.indexOf(pfn), 1);
              where.delete(pfn);
            } else if (operation === 'replace' && at !== undefined && !where.has(pfn + 30_000)) {
              const [atNode, atList] = at.split(':').map(Number) as [number, LruList];
              lru.replace(atNode, atList, pfn, pfn + 30_000);
              const inModel = model.get(at)!;
              inModel[inModel.indexOf(pfn)] = pfn + 30_000;
              where.delete(pfn);
              where.set(pfn + 30_000, at);
            }
          }
          for (const [key, pages] of model) {
            const [node, list] = key.split(':').map(Number) as [number, LruList];
            expect(fromTail(lru, node, list)).toEqual([...pages].reverse());
            expect(lru.size(node, list)).toBe(pages.length);
          }
        },
      ),
    );
  });

  it('keeps links that do not pack, and a chunk full of them turns wide without changing any list', () => {
    const lru = new LruLists(1);
    const model: number[] = [];
    // Every page alternates with one 1 GiB away: no link fits 16 bits.
    for (let page = 0; page < 600; page++) {
      for (const pfn of [page, (1 << 18) + page]) {
        lru.add(0, LruList.inactive_file, pfn);
        model.unshift(pfn);
      }
    }
    expect(fromTail(lru, 0, LruList.inactive_file)).toEqual([...model].reverse());
    // Both chunks turned wide at 256 overflowed links: 8 bytes a page, and nothing left in the overflow map.
    expect(lru.hostBytes()).toBe(2 * 4096 * 8);
    for (let page = 0; page < 600; page += 2) {
      lru.delete(0, LruList.inactive_file, page);
      model.splice(model.indexOf(page), 1);
    }
    lru.replace(0, LruList.inactive_file, 1, 2 ** 24);
    model[model.indexOf(1)] = 2 ** 24;
    expect(fromTail(lru, 0, LruList.inactive_file)).toEqual([...model].reverse());
    expect(lru.size(0, LruList.inactive_file)).toBe(model.length);
  });

  it('packs the links of neighbouring pages in 4 bytes a page', () => {
    const lru = new LruLists(1);
    for (let pfn = 0; pfn < 8192; pfn++) lru.add(0, LruList.active_anon, pfn);
    expect(lru.hostBytes()).toBe(8192 * 4);
    expect(fromTail(lru, 0, LruList.active_anon)).toEqual(Array.from({ length: 8192 }, (_, index) => index));
  });
});
