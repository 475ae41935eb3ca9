import { PagePalette } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { ContextSlot, TaskContexts } from './task-contexts';

describe('TaskContexts', () => {
  it('reuses the last context of a slot while task, ts and handle match, and keeps the slots apart', () => {
    const contexts = new TaskContexts();
    const alloc = contexts.intern(100, 100, 'cc1', 5000, 7, 0);
    expect(contexts.intern(100, 100, 'cc1', 5000, 7, 0)).toBe(alloc);
    const free = contexts.intern(100, 100, 'cc1', 5000, 9, 1);
    expect(free).not.toBe(alloc);
    // Alternating slots does not churn: each slot keeps its own last context.
    expect(contexts.intern(100, 100, 'cc1', 5000, 7, 0)).toBe(alloc);
    expect(contexts.intern(100, 100, 'cc1', 5000, 9, 1)).toBe(free);
    expect([contexts.pid(alloc), contexts.tgid(alloc), contexts.comm(alloc), contexts.ts(alloc)]).toEqual([
      100,
      100,
      'cc1',
      5000,
    ]);
    expect(contexts.handle(free)).toBe(9);
    expect(contexts.task(alloc)).toBe(contexts.task(free));
  });

  it('moves references with assign() and recycles a context no page uses any more', () => {
    const contexts = new TaskContexts();
    const pages = new Uint32Array(8);
    const first = contexts.intern(1, 1, 'init', 10, 3, 0);
    contexts.assign(pages, 0, 8, first);
    expect(Array.from(pages)).toEqual(new Array(8).fill(first));
    const second = contexts.intern(2, 2, 'make', 20, 4, 0);
    contexts.assign(pages, 0, 8, second);
    // No page holds `first` any more and it is no longer a slot's last: recycled.
    expect(contexts.live).toBe(1);
    const third = contexts.intern(3, 3, 'cc1', 30, 5, 0);
    expect(third).toBe(first);
    contexts.assign(pages, 0, 4, third);
    expect(contexts.live).toBe(2);
    expect(contexts.pid(pages[0]!)).toBe(3);
    expect(contexts.pid(pages[7]!)).toBe(2);
    // A slot's last context is kept even with no page on it, so the next page of the same step can reuse it.
    contexts.assign(pages, 0, 8, 0);
    expect(contexts.live).toBe(1);
    expect(contexts.intern(3, 3, 'cc1', 30, 5, 0)).toBe(third);
  });

  it('moves references with assignPages() in a page palette as assign() does in an array', () => {
    const contexts = new TaskContexts();
    const palette = new PagePalette();
    const first = contexts.intern(1, 1, 'init', 10, 3, 1);
    contexts.assignPages(palette, 4096 - 2, 4, first);
    expect([4095, 4096, 4097, 4098].map((pfn) => palette.get(pfn))).toEqual([first, first, first, 0]);
    const second = contexts.intern(2, 2, 'make', 20, 4, 1);
    contexts.assignPages(palette, 4096 - 2, 4, second);
    // No page holds `first` any more and it is no longer the slot's last: recycled.
    expect(contexts.live).toBe(1);
    expect(contexts.intern(3, 3, 'cc1', 30, 5, 1)).toBe(first);
  });

  it('interns tasks once and counts its tables in host bytes', () => {
    const contexts = new TaskContexts();
    const empty = contexts.hostBytes();
    for (let ts = 0; ts < 1000; ts++) contexts.intern(ts % 3, ts % 3, `t${ts % 3}`, ts, 1, 0);
    expect(contexts.live).toBeLessThanOrEqual(2);
    expect(contexts.hostBytes()).toBe(empty + 3 * 32);
  });

  it("computes a run's contexts (the early sweep's) without storing them, and moves page references around them", () => {
    const contexts = new TaskContexts();
    const hostBytes = contexts.hostBytes();
    contexts.startRun(1, 1, 'swapper/0', 1000, 80, 42);
    const pages = new Uint32Array(4);
    for (let page = 0; page < 3; page++) contexts.assign(pages, page, 1, contexts.nextInRun());
    expect([0, 1, 2].map((page) => contexts.ts(pages[page]!))).toEqual([1000, 1080, 1160]);
    expect([contexts.pid(pages[2]!), contexts.comm(pages[2]!), contexts.handle(pages[2]!)]).toEqual([
      1,
      'swapper/0',
      42,
    ]);
    expect(contexts.live).toBe(0);
    expect(contexts.hostBytes()).toBe(hostBytes + 32);
    // A page allocated again takes a stored context; the run's are never recycled into the tables.
    const later = contexts.intern(7, 7, 'make', 5000, 3, 0);
    contexts.assign(pages, 0, 1, later);
    expect(contexts.live).toBe(1);
    expect(contexts.ts(pages[1]!)).toBe(1080);
    expect(() => contexts.startRun(1, 1, 'swapper/0', 0, 80, 42)).toThrow(/already/);
  });

  it("keeps an allocation slot's reference when only its allocated bit changes, and tells contexts apart by info", () => {
    const contexts = new TaskContexts();
    const pages = new Uint32Array(4);
    const order0 = contexts.intern(7, 7, 'cc1', 100, 3, 0, 0x10);
    contexts.assign(pages, 0, 4, order0 | ContextSlot.ALLOCATED);
    expect(contexts.live).toBe(1);
    // Freed: the bit goes, the context (and its reference) stays.
    contexts.assign(pages, 0, 2, order0);
    expect(Array.from(pages, (slot) => slot & ContextSlot.INDEX_MASK)).toEqual([order0, order0, order0, order0]);
    expect(Array.from(pages, (slot) => (slot & ContextSlot.ALLOCATED) !== 0)).toEqual([false, false, true, true]);
    // Split: the same task, ts and handle with another info is another context.
    expect(contexts.withInfo(order0, 0x10)).toBe(order0);
    const order1 = contexts.withInfo(order0, 0x20);
    expect(order1).not.toBe(order0);
    expect([contexts.pid(order1), contexts.ts(order1), contexts.handle(order1), contexts.info(order1)]).toEqual([
      7, 100, 3, 0x20,
    ]);
    expect(contexts.intern(7, 7, 'cc1', 100, 3, 0, 0x20)).toBe(order1);
    contexts.assign(pages, 0, 4, order1 | ContextSlot.ALLOCATED);
    // No page holds the first any more, and it is no longer the slot's last: recycled.
    expect(contexts.live).toBe(1);
    contexts.assign(pages, 0, 4, 0);
    expect(contexts.live).toBe(1);
    // A run's contexts carry the run's info.
    contexts.startRun(1, 1, 'swapper/0', 0, 80, 9, 0x30);
    expect(contexts.info(contexts.nextInRun())).toBe(0x30);
  });
});
