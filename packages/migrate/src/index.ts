export type { CompactionStats } from './compaction';
export { Compaction, PAGE_ALLOC_COSTLY_ORDER } from './compaction';
export { formatExtfragIndex, formatUnusableIndex, fragmentationIndex, unusableIndex } from './extfrag';
export type { MigrationStats } from './migration';
export { Migration } from './migration';
