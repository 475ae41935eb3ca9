import { describe, expect, it } from 'vitest';
import { useAfterFree } from './main';

describe('use-after-free', () => {
  it('catches every write after free as an x86 page fault oops, which names no page owner', () => {
    const { injected, caught, dmesg } = useAfterFree();
    expect(injected).toBe(8);
    expect(caught).toBe(injected);
    expect(dmesg.match(/BUG: unable to handle page fault for address: ffff888/g)).toHaveLength(8);
    expect(dmesg.match(/Oops: Oops: 0002 \[#\d\] SMP DEBUG_PAGEALLOC NOPTI/g)).toHaveLength(8);
    // arch/x86/mm/fault.c page_fault_oops() never calls dump_page(): page_owner is not asked.
    expect(dmesg).not.toContain('page last free pid');
  });

  it("with page_poison=on instead, the damage is found when the page is allocated again, with the page's owner", () => {
    const { injected, caught, dmesg } = useAfterFree('page_poison=on page_owner=on');
    expect(caught).toBe(injected);
    expect(dmesg).toContain('pagealloc: memory corruption');
    // v6.18 mm/page_poison.c check_poison_mem(): dump_page(), so page_owner's dump_page_owner() lines.
    expect(dmesg).toContain('page dumped because: pagealloc: corrupted page details');
    expect(dmesg).toContain('page last free pid');
  });
});
