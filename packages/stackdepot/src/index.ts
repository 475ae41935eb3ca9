export { jhash2, STACK_HASH_SEED } from './jhash2';
export type { DepotGfp, DepotPageSource, StackDepotOptions, StackDepotStats } from './stack-depot';
export {
  DEPOT_POOL_ORDER,
  DEPOT_POOL_SIZE,
  REFCOUNT_SATURATED,
  STACK_DEPOT_FLAG_CAN_ALLOC,
  STACK_DEPOT_FLAG_GET,
  StackDepot,
} from './stack-depot';
export type { StackDepotFeatureOptions, StackDepotService } from './stack-depot-feature';
export { stackDepot, stackDepotHashEntries } from './stack-depot-feature';
