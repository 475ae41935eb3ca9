import { describe, expect, it } from 'vitest';
import { compactionDemo } from './main';

describe('compaction', () => {
  it('turns a failing order-9 allocation into a successful one', () => {
    const result = compactionDemo();
    expect(result).toMatchObject({ order9Before: false, order9After: true });
    expect(result.migratedPages).toBeGreaterThan(1000);
    expect(result.unusableIndex).toMatch(/^Node 0, zone +DMA /m);
  });
});
