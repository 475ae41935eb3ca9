import type { BuddyAllocator, BuddyZone } from '@mm/buddy';
import type { HookBus } from '@mm/hooks';
import { PAGE_ALLOC_COSTLY_ORDER, PAGEBLOCK_NR_PAGES, type PhysicalMemory } from '@mm/physmem';
import type { Vm } from '@mm/vm';
import type { Migration } from './migration';

/** Counters of compaction (`/proc/vmstat` names). */
export interface CompactionStats {
  /** `compact_stall`: direct compactions after a failed costly allocation. */
  compact_stall: number;
  /** Zones compacted (on demand or directly). */
  compact_runs: number;
  /** `compact_migrate_scanned` */
  compact_migrate_scanned: number;
  /** `compact_free_scanned` */
  compact_free_scanned: number;
  /** `compact_isolated`: free pages the free scanner took. */
  compact_isolated: number;
}

/**
 * Compaction (mm/compaction.c `compact_zone()`): a migrate scanner walks the zone from its start, pageblock by
 * pageblock, taking movable (LRU user) pages; a free scanner walks from the end, pageblock by pageblock in movable
 * pageblocks, taking free blocks apart into order-0 targets; pages migrate from low to high addresses until the
 * scanners meet, which gathers free memory into large blocks at the start. On demand (`compact_memory`) or
 * directly, when an allocation above `PAGE_ALLOC_COSTLY_ORDER` fails (the allocator's `alloc_stall` hook: it
 * retries after). Simplified: no pageblock skip bits, deferral or watermark checks; whole zones.
 */
export class Compaction {
  readonly memory: PhysicalMemory;
  readonly stats: CompactionStats = {
    compact_stall: 0,
    compact_runs: 0,
    compact_migrate_scanned: 0,
    compact_free_scanned: 0,
    compact_isolated: 0,
  };
  readonly #buddy: BuddyAllocator;
  readonly #vm: Vm;
  readonly #migration: Migration;
  #unsubscribe: (() => void) | undefined;

  constructor(deps: { memory: PhysicalMemory; buddy: BuddyAllocator; vm: Vm; migration: Migration }) {
    this.memory = deps.memory;
    this.#buddy = deps.buddy;
    this.#vm = deps.vm;
    this.#migration = deps.migration;
  }

  /** Compacts directly when a costly allocation stalls (`__alloc_pages_direct_compact()`). */
  enableDirectCompaction(hooks: HookBus): void {
    this.#unsubscribe ??= hooks.alloc_stall.subscribe((order, _gfp, zoneId) => {
      if (order <= PAGE_ALLOC_COSTLY_ORDER) return;
      this.stats.compact_stall++;
      const zone = this.#buddy.zones[zoneId];
      if (zone !== undefined) this.compactZone(zone);
    });
  }

  /** Stops compacting directly. */
  disableDirectCompaction(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** `echo 1 > /proc/sys/vm/compact_memory`: every populated zone. Returns the pages migrated. */
  compactMemory(): number {
    let migrated = 0;
    for (const zone of this.#buddy.zones) if (zone.zone.populated) migrated += this.compactZone(zone);
    return migrated;
  }

  /** `compact_zone()` over the whole zone. Returns the pages migrated. */
  compactZone(zone: BuddyZone): number {
    const buddy = this.#buddy;
    const vm = this.#vm;
    const { memory } = this;
    this.stats.compact_runs++;
    buddy.drainAllPages();
    const start = Math.ceil(zone.zone.startPfn / PAGEBLOCK_NR_PAGES) * PAGEBLOCK_NR_PAGES;
    const end = Math.floor(zone.zone.endPfn / PAGEBLOCK_NR_PAGES) * PAGEBLOCK_NR_PAGES;
    const reason = this.#migration.reason('compaction');
    const targets: number[] = [];
    let freeBlock = end - PAGEBLOCK_NR_PAGES;
    let migrated = 0;
    /** `pageblock_pfn_to_page()`: a block with struct pages, in a section memory hot-remove has not taken offline. */
    const online = (block: number) => memory.pfnValid(block) && memory.section(block).online;
    /** The free scanner: isolates the free blocks of the next movable pageblock down, above `migrateBlock`. */
    const refill = (migrateBlock: number): boolean => {
      while (targets.length === 0 && freeBlock > migrateBlock) {
        const block = freeBlock;
        freeBlock -= PAGEBLOCK_NR_PAGES;
        if (!online(block) || memory.pageblockMigratetype(block) !== 1 /* MIGRATE_MOVABLE */) continue;
        for (let pfn = block; pfn < block + PAGEBLOCK_NR_PAGES; ) {
          this.stats.compact_free_scanned++;
          const order = buddy.isolateFreeBlock(pfn);
          if (order < 0) {
            pfn++;
            continue;
          }
          // Highest first, so that targets are taken from the top of the zone down.
          for (let page = pfn; page < pfn + (1 << order); page++) targets.unshift(page);
          this.stats.compact_isolated += 1 << order;
          pfn += 1 << order;
        }
      }
      return targets.length > 0;
    };
    scan: for (let block = start; block < freeBlock + PAGEBLOCK_NR_PAGES && block < end; block += PAGEBLOCK_NR_PAGES) {
      if (!online(block)) continue;
      for (let pfn = block; pfn < block + PAGEBLOCK_NR_PAGES; pfn++) {
        this.stats.compact_migrate_scanned++;
        if (!vm.isMovable(pfn)) continue;
        if (!refill(block)) break scan;
        this.#migration.migrateOne(pfn, targets.pop()!, reason);
        migrated++;
      }
    }
    // Targets the migrations did not use go back.
    for (const pfn of targets) buddy.freePages(pfn, 0);
    return migrated;
  }
}
