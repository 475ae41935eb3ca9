import type { Feature, FeatureFactory, FeatureRef } from './feature';

/** What identifies a feature: the factory that made it (two objects of one factory are one feature). */
export function featureKey<Api>(which: FeatureRef<Api>): FeatureFactory<Api> {
  return typeof which === 'function' ? which : which.factory;
}

/**
 * The order in which a kernel boots `given` (Kconfig resolution): each feature after the features it requires,
 * otherwise in the order given. A required feature that was given too is booted once, as given (so
 * `[pageOwner(), stackDepot({ failureRate: 0.1 })]` boots the depot given, before page_owner). Throws a TypeError
 * for a feature given twice, or for two features of one name.
 */
export function resolveFeatures(given: readonly Feature[]): Feature[] {
  const byKey = new Map<FeatureFactory<unknown>, Feature>();
  for (const feature of given) {
    if (byKey.has(feature.factory)) throw new TypeError(`feature '${feature.name}' is given twice`);
    byKey.set(feature.factory, feature);
  }
  const ordered: Feature[] = [];
  const placed = new Set<FeatureFactory<unknown>>();
  const visiting = new Set<FeatureFactory<unknown>>();
  const visit = (feature: Feature) => {
    const key = feature.factory;
    if (placed.has(key)) return;
    if (visiting.has(key)) throw new TypeError(`feature '${feature.name}' requires itself`);
    visiting.add(key);
    for (const required of feature.requires ?? []) visit(byKey.get(required.factory) ?? required);
    visiting.delete(key);
    placed.add(key);
    ordered.push(feature);
  };
  for (const feature of given) visit(feature);
  const names = new Set<string>();
  for (const feature of ordered) {
    if (names.has(feature.name)) throw new TypeError(`two features are named '${feature.name}'`);
    names.add(feature.name);
  }
  return ordered;
}
