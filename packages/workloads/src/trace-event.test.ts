import { describe, expect, it } from 'vitest';
import { gfpFits, MAX_TRACE_PFN, NO_PAGE, traceField, tracePfn } from './trace-event';
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

  it('gives undefined for what is not a pfn, and for pfns from 2^52', () => {
    for (const fields of [
      'pfn=0x order=0',
      'pfn=12ab order=0',
      'pfn=0xfffffffffffffffe order=0',
      'order=0',
      'pfn=0x10000000000000 order=0',
      'pfn=4503599627370496 order=0',
      `pfn=0x${'f'.repeat(400)} order=0`,
      `pfn=${'9'.repeat(400)} order=0`,
      'pfn=0x0ffffffffffffffff order=0',
    ]) {
      expect(tracePfn(event(fields)), fields).toBeUndefined();
    }
    expect(tracePfn(event('pfn=0xfffffffffffff order=0'))).toBe(MAX_TRACE_PFN - 1);
    expect(tracePfn(event('page=0x pfn=0 order=0'))).toBe(0);
    expect(tracePfn(event('page=0x000 pfn=0 order=0'))).toBe(NO_PAGE);
  });
});

describe('gfpFits', () => {
  it("wants the hex parts of a gfp mask in gfp_t's 32 bits", () => {
    for (const text of ['GFP_KERNEL', 'GFP_KERNEL|0x1000000', '0xffffffff', '0x00000000ffffffff', 'none', '']) {
      expect(gfpFits(text), text).toBe(true);
    }
    for (const text of ['0x100000000', 'GFP_KERNEL|0x1ffffffff', `__GFP_ZERO|0x${'f'.repeat(400)}`]) {
      expect(gfpFits(text), text).toBe(false);
    }
  });
});
