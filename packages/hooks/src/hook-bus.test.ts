import { describe, expect, it } from 'vitest';
import { hookEventNames } from './events';
import { createHookBus } from './hook-bus';

describe('createHookBus', () => {
  it('has one independent hook per event, all empty', () => {
    const bus = createHookBus();
    for (const name of hookEventNames) {
      expect(bus[name].name).toBe(name);
      expect(bus[name].count).toBe(0);
    }
    bus.post_alloc.subscribe(() => {});
    expect(bus.post_alloc.count).toBe(1);
    expect(bus.free_prepare.count).toBe(0);
  });

  it('keeps buses of different machines apart', () => {
    const first = createHookBus();
    const second = createHookBus();
    first.split.subscribe(() => {});
    expect(second.split.count).toBe(0);
  });
});
