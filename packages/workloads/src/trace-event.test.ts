import { describe, expect, it } from 'vitest';
import { NO_PAGE, traceField, tracePfn } from './trace-event';
import { parseEventLine } from './trace-reader';

const event = (fields: string) => parseEventLine(`  cat-1 [000] .... 1.0: mm_page_alloc: ${fields}`)!;

describe('traceField', () => {
  it('finds a field by its whole name, wherever it is', () => {
    const fields = event('xpfn=0x1 node=0 pfn=0x2a order=3 gfp_flags=GFP_KERNEL|__GFP_ZERO');
    expect(traceField(fields, 'pfn')).toBe('0x2a');
    expect(traceField(fields, 'gfp_flags')).toBe('GFP_KERNEL|__GFP_ZERO');
    expect(traceField(fields, 'migratetype')).toBeUndefined();
  });
});

describe('tracePfn', () => {
  it('reads pfn=%lu (v4.x) as decimal and pfn=0x%lx as hex', () => {
    expect(tracePfn(event('page=ffffea0001000000 pfn=262144 order=0'))).toBe(262144);
    expect(tracePfn(event('page=000000001234abcd pfn=0x40000 order=0'))).toBe(0x40000);
  });

  it('gives NO_PAGE for a failed allocation: a NULL page with pfn 0, or -1UL', () => {
    expect(tracePfn(event('page=(null) pfn=0 order=0'))).toBe(NO_PAGE);
    expect(tracePfn(event('page=0000000000000000 pfn=0x0 order=0'))).toBe(NO_PAGE);
    expect(tracePfn(event('page=(nil) pfn=0x0 order=0'))).toBe(NO_PAGE);
    expect(tracePfn(event('page=x pfn=0xffffffffffffffff order=0'))).toBe(NO_PAGE);
    expect(tracePfn(event('page=x pfn=18446744073709551615 order=0'))).toBe(NO_PAGE);
  });

  it('gives undefined for what is not a pfn', () => {
    for (const fields of ['pfn=0x order=0', 'pfn=12ab order=0', 'pfn=0xfffffffffffffffe order=0', 'order=0']) {
      expect(tracePfn(event(fields)), fields).toBeUndefined();
    }
  });
});
