import { createHookBus, kstrtobool, kstrtoull } from '@mm/hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs listeners by place and parses like lib/kstrtox.c', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const bus = createHookBus();
    const calls: string[] = [];
    bus.post_alloc.subscribe(() => calls.push('set_page_owner'), 300);
    const unsubscribe = bus.post_alloc.subscribe(() => calls.push('debug_pagealloc_map_pages'), 100);
    if (bus.post_alloc.count !== 0) bus.post_alloc.call(0x1000, 2, 0xcc0); // what the allocator does
    unsubscribe();
    bus.post_alloc.call(0x1000, 2, 0xcc0);
    console.log(calls); // [ 'debug_pagealloc_map_pages', 'set_page_owner', 'set_page_owner' ]: by place
    console.log(kstrtobool('on'), kstrtoull('0x10', 0), kstrtoull('12Q', 0)); // true 16 undefined

    expect(log.mock.calls).toEqual([
      [['debug_pagealloc_map_pages', 'set_page_owner', 'set_page_owner']],
      [true, 16, undefined],
    ]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
