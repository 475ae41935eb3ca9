import { formatGfp, formatPageFlagsV6, getProfile, gfpV618, PhysicalMemory } from '@mm/physmem';
import { bench, describe } from 'vitest';

const profile = getProfile('v6.18');

describe('physical memory layout', () => {
  bench('4 GiB PC: e820 map, zones, 32 sections of struct pages', () => {
    new PhysicalMemory({ memory: 4 * 2 ** 30, profile });
  });
  bench(
    '64 GiB PC: 512 sections',
    () => {
      new PhysicalMemory({ memory: 64 * 2 ** 30, profile });
    },
    { iterations: 5, time: 0 },
  );
});

const memory = new PhysicalMemory({ memory: 2 ** 30, profile });
describe('flag printing (10k calls)', () => {
  bench('%pGg of GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP', () => {
    for (let index = 0; index < 10_000; index++) formatGfp(0x140dca, gfpV618);
  });
  bench('%pGp of a page (v6.18, with fields)', () => {
    for (let index = 0; index < 10_000; index++) {
      formatPageFlagsV6(memory.pageFlagsWord(100_000 + index), profile.pageFlags, profile.pageFlagsLayout);
    }
  });
});
