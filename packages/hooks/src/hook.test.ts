import { describe, expect, it } from 'vitest';
import { Hook } from './hook';

type ThreeArguments = (pfn: number, order: number, gfp: number) => void;

describe('Hook', () => {
  it('is a no-op with count 0 when nobody listens', () => {
    const hook = new Hook<ThreeArguments>('post_alloc');
    expect(hook.count).toBe(0);
    expect(() => hook.call(1, 2, 3)).not.toThrow();
  });

  it('calls the single listener directly with the positional arguments', () => {
    const hook = new Hook<ThreeArguments>('post_alloc');
    const seen: number[][] = [];
    const listener: ThreeArguments = (pfn, order, gfp) => seen.push([pfn, order, gfp]);
    hook.subscribe(listener);
    expect(hook.call).toBe(listener);
    hook.call(10, 2, 0xcc0);
    expect(seen).toEqual([[10, 2, 0xcc0]]);
  });

  it('calls listeners of one place in subscription order, for 2 and for many', () => {
    for (const listenerCount of [2, 3, 7]) {
      const hook = new Hook<ThreeArguments>('post_alloc');
      const order: number[] = [];
      for (let index = 0; index < listenerCount; index++) hook.subscribe((pfn) => order.push(index * 100 + pfn));
      hook.call(1, 0, 0);
      expect(order).toEqual(Array.from({ length: listenerCount }, (_, index) => index * 100 + 1));
    }
  });

  it('removes exactly the unsubscribed listener, once', () => {
    const hook = new Hook<ThreeArguments>('free_prepare');
    const calls: string[] = [];
    const a = () => calls.push('a');
    const unsubscribeFirst = hook.subscribe(a);
    hook.subscribe(() => calls.push('b'));
    hook.subscribe(a);
    unsubscribeFirst();
    unsubscribeFirst();
    expect(hook.count).toBe(2);
    hook.call(0, 0, 0);
    expect(calls).toEqual(['b', 'a']);
  });

  it('removes the later of two subscriptions of one listener when that one is unsubscribed', () => {
    const hook = new Hook<ThreeArguments>('free_prepare');
    const calls: string[] = [];
    const a = () => calls.push('a');
    hook.subscribe(a);
    hook.subscribe(() => calls.push('b'));
    const unsubscribeLater = hook.subscribe(a);
    unsubscribeLater();
    hook.call(0, 0, 0);
    // The earlier subscription of `a` keeps its place before `b`.
    expect(calls).toEqual(['a', 'b']);
  });

  it('runs listeners by place, whatever the subscription order; equal places in subscription order', () => {
    const hook = new Hook<ThreeArguments>('post_alloc');
    const calls: string[] = [];
    // post_alloc_hook(): set_page_owner (300) subscribes first, debug_pagealloc_map_pages (100) later.
    const unsubscribeOwner = hook.subscribe(() => calls.push('set_page_owner'), 300);
    hook.subscribe(() => calls.push('map_pages'), 100);
    hook.subscribe(() => calls.push('unpoison'), 200);
    hook.subscribe(() => calls.push('pgalloc_tag_add'), 500);
    hook.subscribe(() => calls.push('second at 300'), 300);
    hook.call(0, 0, 0);
    expect(calls).toEqual(['map_pages', 'unpoison', 'set_page_owner', 'second at 300', 'pgalloc_tag_add']);
    calls.length = 0;
    unsubscribeOwner();
    hook.call(0, 0, 0);
    expect(calls).toEqual(['map_pages', 'unpoison', 'second at 300', 'pgalloc_tag_add']);
  });

  it('keeps count and call read-only from outside', () => {
    const hook = new Hook<ThreeArguments>('split');
    expect(() => {
      (hook as unknown as { count: number }).count = 5;
    }).toThrow(TypeError);
    expect(() => {
      (hook as unknown as { call: unknown }).call = () => {};
    }).toThrow(TypeError);
    expect(hook.count).toBe(0);
  });

  it('lets a listener subscribe during dispatch without changing the dispatch in progress', () => {
    const hook = new Hook<ThreeArguments>('split');
    const calls: string[] = [];
    hook.subscribe(() => {
      calls.push('first');
      hook.subscribe(() => calls.push('late'));
    });
    hook.subscribe(() => calls.push('second'));
    hook.call(0, 0, 0);
    expect(calls).toEqual(['first', 'second']);
    calls.length = 0;
    hook.call(0, 0, 0);
    expect(calls).toEqual(['first', 'second', 'late']);
  });
});
