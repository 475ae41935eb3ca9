import { createHookBus } from '@mm/hooks';
import { bench, describe } from 'vitest';

// Hook dispatch as the allocator does it: test the count, then call with three positional arguments.
function makeBus(listeners: number) {
  const bus = createHookBus();
  let sink = 0;
  for (let index = 0; index < listeners; index++) {
    bus.post_alloc.subscribe((pfn, order, gfp) => {
      sink = (sink + pfn + order + gfp) | 0;
    });
  }
  return { bus, read: () => sink };
}

const CALLS = 1_000_000;

describe('post_alloc dispatch (1M events)', () => {
  for (const listeners of [0, 1, 3]) {
    const { bus, read } = makeBus(listeners);
    bench(`${listeners} listener(s)`, () => {
      const hook = bus.post_alloc;
      for (let pfn = 0; pfn < CALLS; pfn++) {
        if (hook.count !== 0) hook.call(pfn, 0, 0xcc0);
      }
      if (read() === 42) throw new Error('unreachable');
    });
  }
});
