/**
 * `enum migratetype` (include/linux/mmzone.h) for a config with MEMORY_ISOLATION and without CMA, as on the
 * sample machine (its /proc/pagetypeinfo lists Unmovable, Movable, Reclaimable, HighAtomic, Isolate).
 */
export const Migratetype = {
  UNMOVABLE: 0,
  MOVABLE: 1,
  RECLAIMABLE: 2,
  HIGHATOMIC: 3,
  ISOLATE: 4,
} as const;

/** A value of {@link Migratetype}. */
export type Migratetype = (typeof Migratetype)[keyof typeof Migratetype];

/** `MIGRATE_PCPTYPES`: the types that have per-CPU lists and fallbacks. */
export const MIGRATE_PCPTYPES = 3;
/** `MIGRATE_TYPES`. */
export const MIGRATE_TYPES = 5;

/** `migratetype_names[]` (mm/vmstat.c), as /proc/pagetypeinfo and page_owner print them. */
export const migratetypeNames: readonly string[] = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'Isolate'];
