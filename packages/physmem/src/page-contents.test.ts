import { createHookBus } from '@mm/hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DirectMap, directMapAddress } from './direct-map';
import { PageContents } from './page-contents';

describe('PageContents', () => {
  it('reads zeros until written, keeps explicit bytes, fills without storing bytes', () => {
    const contents = new PageContents(15);
    expect(contents.read(7, 0, 4)).toEqual(new Uint8Array(4));
    contents.write(7, 4094, Uint8Array.of(1, 2));
    expect(contents.read(7, 4093, 3)).toEqual(Uint8Array.of(0, 1, 2));
    expect(contents.explicitPages).toBe(1);
    contents.fill(7, 0xaa);
    expect(contents.explicitPages).toBe(0);
    expect(contents.read(7, 100, 2)).toEqual(Uint8Array.of(0xaa, 0xaa));
    expect(contents.mismatch(7, 0xaa)).toBeUndefined();
    // A write into a poisoned page keeps the poison around it.
    contents.write(7, 10, Uint8Array.of(0xab));
    contents.write(7, 20, Uint8Array.of(0x00));
    expect(contents.mismatch(7, 0xaa)).toEqual({ first: 10, last: 20 });
    expect(contents.read(7, 9, 3)).toEqual(Uint8Array.of(0xaa, 0xab, 0xaa));
    contents.copy(7, 9);
    expect(contents.read(9, 9, 3)).toEqual(Uint8Array.of(0xaa, 0xab, 0xaa));
    expect(contents.mismatch(8, 0xaa)).toEqual({ first: 0, last: 4095 });
    expect(() => contents.write(7, 4095, Uint8Array.of(1, 2))).toThrow(/not inside a 4096-byte page/);
  });

  it('agrees with a plain array under random writes, fills and copies (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('write' as const),
              page: fc.nat(3),
              offset: fc.nat(4000),
              data: fc.uint8Array({ maxLength: 96 }),
            }),
            fc.record({ op: fc.constant('fill' as const), page: fc.nat(3), byte: fc.nat(255) }),
            fc.record({ op: fc.constant('copy' as const), page: fc.nat(3), to: fc.nat(3) }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const contents = new PageContents(15);
          const model = Array.from({ length: 4 }, () => new Uint8Array(4096));
          for (const op of ops) {
            if (op.op === 'write') {
              contents.write(op.page, op.offset, op.data);
              model[op.page]!.set(op.data, op.offset);
            } else if (op.op === 'fill') {
              contents.fill(op.page, op.byte);
              model[op.page]!.fill(op.byte);
            } else {
              contents.copy(op.page, op.to);
              model[op.to]!.set(model[op.page]!);
            }
          }
          for (let page = 0; page < 4; page++) expect(contents.read(page, 0, 4096)).toEqual(model[page]);
        },
      ),
      { numRuns: 80, seed: 3 },
    );
  });

  it('fills ranges as page by page: whole sections share one array until written (property)', () => {
    // Sections of 4 pages (shift 2), 3 of them: ranges cover parts of sections, whole ones and several.
    const pages = 12;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('write' as const), page: fc.nat(pages - 1), byte: fc.nat(255) }),
            fc.record({ op: fc.constant('fill' as const), page: fc.nat(pages - 1), byte: fc.nat(255) }),
            fc.record({ op: fc.constant('copy' as const), page: fc.nat(pages - 1), to: fc.nat(pages - 1) }),
            fc.record({
              op: fc.constant('range' as const),
              page: fc.nat(pages - 1),
              count: fc.nat(pages),
              byte: fc.constantFrom(0, 0xaa, 0x6b),
            }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const contents = new PageContents(2);
          const model = Array.from({ length: pages }, () => new Uint8Array(4096));
          for (const op of ops) {
            if (op.op === 'write') {
              contents.write(op.page, 100, Uint8Array.of(op.byte, op.byte ^ 1));
              model[op.page]!.set([op.byte, op.byte ^ 1], 100);
            } else if (op.op === 'fill') {
              contents.fill(op.page, op.byte);
              model[op.page]!.fill(op.byte);
            } else if (op.op === 'copy') {
              contents.copy(op.page, op.to);
              model[op.to]!.set(model[op.page]!);
            } else {
              const count = Math.min(op.count, pages - op.page);
              contents.fillRange(op.page, count, op.byte);
              for (let page = op.page; page < op.page + count; page++) model[page]!.fill(op.byte);
            }
          }
          for (let page = 0; page < pages; page++) {
            expect(Buffer.from(contents.read(page, 0, 4096)).equals(model[page]!), `page ${page}`).toBe(true);
          }
        },
      ),
      { numRuns: 150, seed: 5 },
    );
  });
});

describe('DirectMap', () => {
  it('maps and unmaps ranges as page by page, whole sections included (property)', () => {
    const pages = 12;
    fc.assert(
      fc.property(
        fc.array(fc.record({ page: fc.nat(pages - 1), count: fc.nat(pages), present: fc.boolean() }), {
          maxLength: 30,
        }),
        (ops) => {
          const map = new DirectMap(new PageContents(2), 2, createHookBus());
          const model = new Array<boolean>(pages).fill(true);
          for (const { page, count, present } of ops) {
            const clipped = Math.min(count, pages - page);
            map.mapPages(page, clipped, present);
            model.fill(present, page, page + clipped);
          }
          for (let page = 0; page < pages; page++) expect(map.isMapped(page)).toBe(model[page]);
        },
      ),
      { numRuns: 200, seed: 9 },
    );
  });

  it('faults on an unmapped page: the store is lost, the load returns nothing, kernel_fault listeners hear of it', () => {
    const hooks = createHookBus();
    const map = new DirectMap(new PageContents(15), 15, hooks);
    const faults: unknown[] = [];
    hooks.kernel_fault.subscribe((pfn, offset, write, length) => faults.push({ pfn, offset, write, length }));
    expect(map.write(5, 8, Uint8Array.of(1))).toBe(true);
    map.mapPages(4, 3, false);
    expect(map.isMapped(5)).toBe(false);
    expect(map.write(5, 8, Uint8Array.of(2))).toBe(false);
    expect(map.read(6, 0, 4)).toBeUndefined();
    expect(faults).toEqual([
      { pfn: 5, offset: 8, write: true, length: 1 },
      { pfn: 6, offset: 0, write: false, length: 4 },
    ]);
    map.mapPages(5, 1, true);
    expect(map.read(5, 8, 1)).toEqual(Uint8Array.of(1));
  });

  it('prints direct-map addresses exactly', () => {
    expect(directMapAddress(0xffff8880, 0x12345, 0x10)).toBe('ffff888012345010');
    expect(directMapAddress(0xffff8800, 0x3a5e3, 0)).toBe('ffff88003a5e3000');
    expect(directMapAddress(0xffff8880, 0x1234567, 8)).toBe('ffff889234567008');
  });
});
