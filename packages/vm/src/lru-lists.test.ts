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
          fc.tuple(fc.constantFrom('add', 'delete', 'replace'), fc.integer({ min: 0, max: 20_000 }), fc.nat(7)),
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
});
