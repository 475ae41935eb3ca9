import { describe, expect, it } from 'vitest';
import { formatPageFlagsV4, formatPageFlagsV6 } from './format-page-flags';
import { pageFlagsV48, pageFlagsV618 } from './page-flags';
import { hexPageFlagsWord, layoutI386, layoutX8664V4, layoutX8664V6, pageFlagsWord } from './page-flags-layout';
import { getProfile } from './profile';

describe('page flags of v4.8', () => {
  it('reproduces the v4.6 page_owner example for a DMA page of node 0', () => {
    const low = 0x1006c;
    expect(formatPageFlagsV4(low, pageFlagsV48)).toBe('referenced|uptodate|lru|active|mappedtodisk');
    const word = pageFlagsWord(layoutX8664V4, low, { section: 0, node: 0, zone: 0 });
    expect(hexPageFlagsWord(word)).toBe('0xfffff8001006c');
  });

  it('matches test_printf: uptodate|dirty|lru|active|swapbacked', () => {
    const { bit } = pageFlagsV48;
    const flags = (1 << bit.uptodate) | (1 << bit.dirty) | (1 << bit.lru) | (1 << bit.active) | (1 << bit.swapbacked);
    expect(formatPageFlagsV4(flags, pageFlagsV48)).toBe('uptodate|dirty|lru|active|swapbacked');
  });

  it('has young and idle at 23 and 24, and prints nothing for 0', () => {
    expect(pageFlagsV48.bit.young).toBe(23);
    expect(pageFlagsV48.bit.idle).toBe(24);
    expect(pageFlagsV48.count).toBe(25);
    expect(formatPageFlagsV4(0, pageFlagsV48)).toBe('');
  });
});

describe('page flags of v6.18', () => {
  it('prints the word, names in table order and the fields', () => {
    const { bit } = pageFlagsV618;
    const low = (1 << bit.young) | (1 << bit.idle) | (1 << bit.lru) | (1 << bit.head);
    const word = pageFlagsWord(layoutX8664V6, low, { section: 0, node: 0, zone: 2 });
    expect(formatPageFlagsV6(word, pageFlagsV618, layoutX8664V6)).toBe(
      '0x17ffffc0c00060(lru|head|idle|young|node=0|zone=2|lastcpupid=0x1fffff)',
    );
  });

  it('prints the familiar empty-flags form', () => {
    const word = pageFlagsWord(layoutX8664V6, 0, { section: 0, node: 0, zone: 2 });
    expect(formatPageFlagsV6(word, pageFlagsV618, layoutX8664V6)).toBe(
      '0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)',
    );
  });

  it('puts node 1 in the node field', () => {
    const word = pageFlagsWord(layoutX8664V6, 0x200, { section: 0, node: 1, zone: 3 });
    expect(formatPageFlagsV6(word, pageFlagsV618, layoutX8664V6)).toBe(
      '0x5fffffc0000200(workingset|node=1|zone=3|lastcpupid=0x1fffff)',
    );
  });

  it('has the v6.18 bit numbers, with swapcache aliasing owner_priv_1 and no slab flag', () => {
    expect(pageFlagsV618.bit.young).toBe(22);
    expect(pageFlagsV618.bit.idle).toBe(23);
    expect(pageFlagsV618.bit.swapcache).toBe(pageFlagsV618.bit.owner_priv_1);
    expect(pageFlagsV618.bit.slab).toBe(-1);
  });
});

describe('32-bit page flags', () => {
  it('keep the section and zone in page->flags and have no young/idle flags', () => {
    const profile = getProfile('v6.18', 'i386');
    expect(profile.pageFlags.bit.idle).toBe(-1);
    const word = pageFlagsWord(layoutI386, 1 << profile.pageFlags.bit.reserved, { section: 3, node: 0, zone: 1 });
    expect(formatPageFlagsV6(word, profile.pageFlags, layoutI386)).toBe('0xd002000(reserved|section=3|zone=1)');
  });
});
