import { describe, expect, it } from 'vitest';
import { flagsBytes, pageExtLayouts } from './page-ext-layout';

describe('pageExtLayouts', () => {
  it('has the compile-time struct page_ext sizes of x86_64 up to v4.8 (kernel-facts §1, §3.1)', () => {
    // v3.19: flags 8 + order 4 + gfp 4 + struct stack_trace 24 + trace_entries[8] 64.
    expect(pageExtLayouts['v3.19']).toMatchObject({ scheme: 'fixed', entryBytes: 8 + 4 + 4 + 24 + 64 });
    // v4.2-v4.7: flags 8 + order 4 + gfp 4 + nr_entries 4 + last_migrate_reason 4 + trace_entries[8] 64.
    expect(pageExtLayouts['v4.7']).toMatchObject({ scheme: 'fixed', entryBytes: 88 });
    // v4.8: flags 8 + order 4 + gfp 4 + last_migrate_reason 4 + handle 4.
    expect(pageExtLayouts['v4.8']).toMatchObject({ scheme: 'fixed', entryBytes: 24 });
  });

  it('has the same structs with a 4-byte unsigned long on 32-bit', () => {
    // v3.19: flags 4 + 4 + 4 + stack_trace (4 + 4 + pointer 4 + 4) + 8 × 4.
    expect(pageExtLayouts['v3.19']).toMatchObject({ entryBytes32: 4 + 4 + 4 + 16 + 32 });
    expect(pageExtLayouts['v4.7']).toMatchObject({ entryBytes32: 4 + 4 + 4 + 4 + 4 + 32 });
    expect(pageExtLayouts['v4.8']).toMatchObject({ entryBytes32: 4 + 4 + 4 + 4 + 4 });
  });

  it('uses the offset scheme with flags on demand in v6.18', () => {
    expect(pageExtLayouts['v6.18']).toEqual({ scheme: 'offset', sharedFlagsOnDemand: true });
  });

  it('sizes the flags word as an unsigned long', () => {
    expect(flagsBytes(64)).toBe(8);
    expect(flagsBytes(32)).toBe(4);
  });
});
