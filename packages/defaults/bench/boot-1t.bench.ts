import { allFeatures } from '@mm/defaults';
import { boot } from '@mm/kernel';
import { bench, describe } from 'vitest';

// The target: a 1 TiB machine with every debug feature boots in at most 2 s. Host memory follows what the
// boot touches (page_owner's early pages and the memmap), not the 1 TiB.
describe('boot 1 TiB, v6.18', () => {
  const options = { iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0 };
  bench(
    'the core alone (the control)',
    () => {
      boot({ memory: '1T', features: allFeatures() });
    },
    options,
  );
  bench(
    'page_owner=on debug_pagealloc=on page_poison=on',
    () => {
      boot({ memory: '1T', cmdline: 'page_owner=on debug_pagealloc=on page_poison=on', features: allFeatures() });
    },
    options,
  );
});
