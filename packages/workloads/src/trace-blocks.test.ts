import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceBlocks } from './trace-blocks';

describe('TraceBlocks', () => {
  it('maps every page of a block to its head and order, until the block is deleted (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 10 }), fc.boolean()), {
          maxLength: 40,
        }),
        (operations) => {
          const blocks = new TraceBlocks();
          const model = new Map<number, [number, number]>();
          for (const [slot, order, remove] of operations) {
            const head = slot * 1024 + (slot % 2 === 0 ? 0 : 2 ** order * (slot % 3));
            const pages = 2 ** order;
            if (head % pages !== 0 || (head % 1024) + pages > 1024) continue;
            if (remove && model.get(head)?.[1] === order && model.get(head)?.[0] === head) {
              blocks.delete(head, order);
              for (let page = head; page < head + pages; page++) model.delete(page);
            } else if (!remove) {
              // As a replay does: the blocks the new one overlaps are freed first.
              for (let page = head; page < head + pages; page++) {
                const held = model.get(page);
                if (held === undefined) continue;
                blocks.delete(held[0], held[1]);
                for (let sub = held[0]; sub < held[0] + 2 ** held[1]; sub++) model.delete(sub);
              }
              blocks.set(head, order);
              for (let page = head; page < head + pages; page++) model.set(page, [head, order]);
            }
          }
          for (const [page, [head, order]] of model) {
            expect(blocks.headOf(page)).toBe(head);
            expect(blocks.orderOf(head)).toBe(order);
          }
          // Past every block the operations can make (slot 3000 plus an offset of up to 2 MAX_ORDER blocks).
          expect(blocks.headOf(4000 * 1024)).toBe(-1);
        },
      ),
    );
  });
});
