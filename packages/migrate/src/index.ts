export type { CompactionStats } from './compaction';
export { Compaction } from './compaction';
export { formatExtfragIndex, formatUnusableIndex, fragmentationIndex, unusableIndex } from './extfrag';
export type { OfflineResult } from './memory-hotplug';
export { offlineSection } from './memory-hotplug';
export type { MigrateSubsystem } from './migrate-feature';
export { compactionCounters, migrate } from './migrate-feature';
export type { MigrationStats } from './migration';
export { Migration } from './migration';
