import { describe, expect, it } from 'vitest';
import { flagsBytes, pageExtLayouts } from './page-ext-layout';

describe('pageExtLayouts', () => {
  it('has fixed structs up to v4.8, whose fields the built-in clients give', () => {
    for (const version of ['v3.19', 'v4.7', 'v4.8']) {
      expect(pageExtLayouts[version]).toEqual({ scheme: 'fixed', version });
    }
  });

  it('uses the offset scheme with flags on demand in v6.18', () => {
    expect(pageExtLayouts['v6.18']).toEqual({ scheme: 'offset', sharedFlagsOnDemand: true });
  });

  it('sizes the flags word as an unsigned long', () => {
    expect(flagsBytes(64)).toBe(8);
    expect(flagsBytes(32)).toBe(4);
  });
});
