import { boot } from '@mm/kernel';
import { bench, describe } from 'vitest';

// Booting builds the memory map and sections, frees all memory into the buddy allocator and makes the boot-time
// allocations. The 1 TiB machine is timed once: it needs about 3 GiB of host memory.
describe('boot', () => {
  bench('4 GiB', () => {
    boot({ memory: '4G' });
  });
  bench(
    '64 GiB',
    () => {
      boot({ memory: '64G' });
    },
    { iterations: 5, time: 0 },
  );
  bench(
    '1 TiB',
    () => {
      boot({ memory: '1T' });
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
