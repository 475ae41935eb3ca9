export type {
  BootedFeature,
  Feature,
  FeatureFactory,
  FeatureRef,
  FeatureSetup,
  FeatureSummary,
  KernelCore,
  MachineCore,
  RunContext,
} from './feature';
export type { KernelFile } from './kernel-file';
export { textFile } from './kernel-file';
export { featureKey, resolveFeatures } from './resolve-features';
