export type { FeatureOptions } from './all-features';
export { allFeatures } from './all-features';
