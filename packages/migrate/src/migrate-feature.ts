import type { BootedFeature, Feature, FeatureSummary, KernelCore, KernelFile, RunContext } from '@mm/kernel-spec';
import { textFile } from '@mm/kernel-spec';
import { Compaction } from './compaction';
import { formatExtfragIndex, formatUnusableIndex } from './extfrag';
import { type OfflineResult, offlineSection } from './memory-hotplug';
import { Migration } from './migration';

/** The run counters the `fragment` workload leaves: its order-9 allocation before and after compaction (1 or 0). */
export const compactionCounters = {
  order9Before: 'compaction.order9Before',
  order9After: 'compaction.order9After',
  migratedPages: 'compaction.migratedPages',
} as const;

/** Page migration, compaction and memory hot-remove of a booted kernel (`kernel.feature(migrate)`). */
export interface MigrateSubsystem {
  /** `migrate_pages()` with the migrate reasons of the profile. */
  readonly migration: Migration;
  /** Compaction: direct on costly allocation failures, or `compactMemory()`. */
  readonly compaction: Compaction;
  /** Memory hot-remove of one section (see {@link offlineSection}). */
  offlineSection(nr: number): OfflineResult;
}

/**
 * Page migration as a kernel feature (mm/migrate.c, mm/compaction.c, mm/memory_hotplug.c; `CONFIG_MIGRATION`,
 * `CONFIG_COMPACTION`): migration with its reasons (which page_owner records), direct compaction when a costly
 * allocation stalls, memory hot-remove, debugfs `extfrag/unusable_index` and `extfrag/extfrag_index`, and the
 * `fragment` workload's compaction result in a run's summary.
 */
export function migrate(): Feature<MigrateSubsystem> {
  return { name: 'migration', factory: migrate, boot: () => new BootedMigrate() };
}

class BootedMigrate implements BootedFeature<MigrateSubsystem> {
  #api: MigrateSubsystem | undefined;
  #kernel: KernelCore | undefined;

  get api(): MigrateSubsystem {
    if (this.#api === undefined) throw new Error('migration exists once the vm is up');
    return this.#api;
  }

  start(kernel: KernelCore): void {
    this.#kernel = kernel;
    const migration = new Migration(kernel);
    const compaction = new Compaction({ ...kernel, migration });
    compaction.enableDirectCompaction(kernel.hooks);
    this.#api = { migration, compaction, offlineSection: (nr) => offlineSection(kernel, migration, nr) };
  }

  files(): KernelFile[] {
    const buddy = this.#kernel!.buddy;
    return [
      textFile('sys/kernel/debug/extfrag/unusable_index', () => formatUnusableIndex(buddy)),
      textFile('sys/kernel/debug/extfrag/extfrag_index', () => formatExtfragIndex(buddy)),
    ];
  }

  summary(run: RunContext): FeatureSummary {
    const { counters } = run;
    if (!counters.has(compactionCounters.order9Before)) return { fields: { compaction: null } };
    const order9Before = counters.get(compactionCounters.order9Before) === 1;
    const order9After = counters.get(compactionCounters.order9After) === 1;
    const migratedPages = counters.get(compactionCounters.migratedPages) ?? 0;
    const outcome = (ok: boolean) => (ok ? 'succeeded' : 'failed');
    return {
      fields: { compaction: { order9Before, order9After, migratedPages } },
      lines: [
        `  compaction: an order-9 allocation ${outcome(order9Before)} before, ${outcome(order9After)} after; ${migratedPages} pages migrated`,
      ],
      facts: [['compaction', `order 9 ${outcome(order9Before)} before, ${outcome(order9After)} after`]],
    };
  }
}
