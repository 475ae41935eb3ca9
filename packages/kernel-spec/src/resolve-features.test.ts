import { describe, expect, it } from 'vitest';
import type { Feature } from './feature';
import { featureKey, resolveFeatures } from './resolve-features';

/** A factory of features that boot nothing, requiring `requires`. */
function factory(name: string, requires: readonly Feature[] = []) {
  const make = (tag = ''): Feature<string> => ({
    name,
    factory: make,
    requires,
    boot: () => ({ api: `${name}${tag}` }),
  });
  return make;
}

describe('resolveFeatures', () => {
  it('boots required features first, once, and otherwise keeps the order given', () => {
    const depot = factory('stackdepot');
    const owner = factory('page_owner', [depot()]);
    const idle = factory('page_idle');
    expect(resolveFeatures([idle(), owner()]).map((feature) => feature.name)).toEqual([
      'page_idle',
      'stackdepot',
      'page_owner',
    ]);
  });

  it('boots a required feature that was also given as given, before the feature that requires it', () => {
    const depot = factory('stackdepot');
    const owner = factory('page_owner', [depot()]);
    const tuned = depot(' (tuned)');
    const order = resolveFeatures([owner(), tuned]);
    expect(order.map((feature) => feature.name)).toEqual(['stackdepot', 'page_owner']);
    expect(order[0]).toBe(tuned);
  });

  it('refuses a feature given twice, two features of one name, and a cycle', () => {
    const idle = factory('page_idle');
    expect(() => resolveFeatures([idle(), idle()])).toThrow(/'page_idle' is given twice/);
    expect(() => resolveFeatures([factory('x')(), factory('x')()])).toThrow(/two features are named 'x'/);
    const cyclic: Feature = { name: 'loop', factory: () => cyclic, boot: () => ({ api: 0 }) };
    (cyclic as { requires?: readonly Feature[] }).requires = [cyclic];
    expect(() => resolveFeatures([cyclic])).toThrow(/requires itself/);
  });

  it('identifies a feature by its factory, whether given the factory or an object it made', () => {
    const idle = factory('page_idle');
    expect(featureKey(idle)).toBe(idle);
    expect(featureKey(idle())).toBe(idle);
  });
});
