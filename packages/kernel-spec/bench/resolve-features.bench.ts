import { type Feature, resolveFeatures } from '@mm/kernel-spec';
import { bench, describe } from 'vitest';

// Boot-time cost of ordering the features: once per boot, so it only has to stay far below a boot (milliseconds).
function chain(length: number): Feature[] {
  const features: Feature[] = [];
  for (let index = 0; index < length; index++) {
    const make = (): Feature<number> => ({
      name: `feature_${index}`,
      factory: make,
      requires: features.slice(Math.max(0, index - 2), index),
      boot: () => ({ api: index }),
    });
    features.push(make());
  }
  return features.reverse();
}

describe('resolveFeatures (1k resolutions)', () => {
  for (const length of [5, 50]) {
    const features = chain(length);
    bench(`${length} features, each requiring the two before it`, () => {
      for (let run = 0; run < 1000; run++) resolveFeatures(features);
    });
  }
});
