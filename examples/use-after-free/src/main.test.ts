import { describe, expect, it } from 'vitest';
import { useAfterFree } from './main';

describe('use-after-free', () => {
  it("catches every write after free as an oops, followed by the page's owner", () => {
    const { injected, caught, dmesg } = useAfterFree();
    expect(injected).toBe(8);
    expect(caught).toBe(injected);
    expect(dmesg.match(/BUG: unable to handle page fault for address: ffff888/g)).toHaveLength(8);
    expect(dmesg).toContain('page last free pid');
  });

  it('with page_poison=on instead, the damage is found when the page is allocated again', () => {
    const { injected, caught, dmesg } = useAfterFree('page_poison=on page_owner=on');
    expect(caught).toBe(injected);
    expect(dmesg).toContain('pagealloc: memory corruption');
  });
});
