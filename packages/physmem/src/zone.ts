import type { ZoneType } from './arch';

/**
 * The geometry of one zone of one node (`struct zone`, include/linux/mmzone.h): where it starts, how many pfns it
 * spans, how many of them are present and how many the page allocator manages. The allocator's own state (free
 * lists, watermarks, per-CPU lists) lives in @mm/buddy. Boot sets them; afterwards only memory hot-remove changes
 * them (@mm/migrate `offlineSection()`: `adjust_managed_page_count()`, `adjust_present_page_count()`,
 * `shrink_zone_span()`), and `free_reserved_area()` the managed pages.
 */
export class Zone {
  /** Index in `PhysicalMemory.zones` (node-major, then zone type). */
  readonly id: number;
  readonly node: number;
  readonly type: ZoneType;
  /** `zone_start_pfn` (0 once hot-remove has emptied the zone's span). */
  startPfn: number;
  /** `spanned_pages`: end - start, holes included. */
  spannedPages: number;
  /** `present_pages`: online pfns with memory behind them. */
  presentPages: number;
  /**
   * `present_early_pages` (CONFIG_MEMORY_HOTPLUG, v5.16+): the present pages of early (boot) sections; every
   * section is one in mmsim, which has no hot-add.
   */
  presentEarlyPages: number;
  /** `managed_pages`: present pages the buddy allocator owns (present minus memblock-reserved). */
  managedPages = 0;

  constructor(id: number, node: number, type: ZoneType, startPfn: number, spannedPages: number, presentPages: number) {
    this.id = id;
    this.node = node;
    this.type = type;
    this.startPfn = startPfn;
    this.spannedPages = spannedPages;
    this.presentPages = presentPages;
    this.presentEarlyPages = presentPages;
  }

  /** `zone_end_pfn()`. */
  get endPfn(): number {
    return this.startPfn + this.spannedPages;
  }

  /** The zone's name as the kernel prints it (`DMA`, `DMA32`, `Normal`, `HighMem`, `Movable`). */
  get name(): string {
    return this.type.name;
  }

  /** `populated_zone()`: has present pages. */
  get populated(): boolean {
    return this.presentPages > 0;
  }

  /** `zone_spans_pfn()`. */
  spans(pfn: number): boolean {
    return pfn >= this.startPfn && pfn < this.startPfn + this.spannedPages;
  }
}

/**
 * A NUMA node (`pg_data_t`): its pfn span and its zones, one per zone type (empty ones included). Memory hot-remove
 * changes its span (`update_pgdat_span()`) and present pages (`adjust_present_page_count()`).
 */
export interface MemoryNode {
  readonly id: number;
  /** `node_start_pfn`: the first present pfn of the node (after hot-remove: its lowest zone's start, or 0). */
  startPfn: number;
  /** End of the node's span (exclusive): `node_start_pfn + node_spanned_pages`. */
  endPfn: number;
  /** `node_present_pages`. */
  presentPages: number;
  /** Indexed by zone type index. */
  readonly zones: readonly Zone[];
}
