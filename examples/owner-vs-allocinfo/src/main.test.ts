import { describe, expect, it } from 'vitest';
import { ownerVsAllocinfo } from './main';

describe('page_owner against /proc/allocinfo on one kernel build', () => {
  const { costs, allocinfo, owner } = ownerVsAllocinfo(30);

  it('gives the same bytes and calls per call site both ways', () => {
    expect(allocinfo.size).toBeGreaterThan(5);
    expect(owner).toEqual(allocinfo);
  });

  it('costs page_owner 72 bytes of page_ext a page and a depot, profiling 8 bytes and no depot', () => {
    const [ownerCost, profiling, both] = costs;
    // v6.18: page_ext's flags word and struct page_owner (8 + 64); union codetag_ref (8); both: 8 + 64 + 8.
    expect(ownerCost).toMatchObject({ pageExtBytesPerPage: 72 });
    expect(ownerCost!.depotBytes).toBeGreaterThan(0);
    expect(profiling).toMatchObject({ pageExtBytesPerPage: 8, depotBytes: 0 });
    expect(both).toMatchObject({ pageExtBytesPerPage: 80 });
    expect(ownerCost!.pageExtBytes / ownerCost!.pageExtBytesPerPage).toBe(profiling!.pageExtBytes / 8);
  });
});
