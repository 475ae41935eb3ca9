export type { CompactionStats } from './compaction';
export { Compaction } from './compaction';
export { formatExtfragIndex, formatUnusableIndex, fragmentationIndex, unusableIndex } from './extfrag';
export type { MigrationStats } from './migration';
export { Migration } from './migration';
