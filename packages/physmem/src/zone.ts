import type { ZoneType } from './arch';

/**
 * The geometry of one zone of one node (`struct zone`, include/linux/mmzone.h): where it starts, how many pfns it
 * spans, how many of them are present and how many the page allocator manages. The allocator's own state (free
 * lists, watermarks, per-CPU lists) lives in @mm/buddy.
 */
export class Zone {
  /** Index in `PhysicalMemory.zones` (node-major, then zone type). */
  readonly id: number;
  readonly node: number;
  readonly type: ZoneType;
  /** `zone_start_pfn`. */
  readonly startPfn: number;
  /** `spanned_pages`: end - start, holes included. */
  readonly spannedPages: number;
  /** `present_pages`: pfns with memory behind them. */
  readonly presentPages: number;
  /** `managed_pages`: present pages the buddy allocator owns (present minus memblock-reserved). */
  managedPages = 0;

  constructor(id: number, node: number, type: ZoneType, startPfn: number, spannedPages: number, presentPages: number) {
    this.id = id;
    this.node = node;
    this.type = type;
    this.startPfn = startPfn;
    this.spannedPages = spannedPages;
    this.presentPages = presentPages;
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

/** A NUMA node (`pg_data_t`): its pfn span and its zones, one per zone type (empty ones included). */
export interface MemoryNode {
  readonly id: number;
  /** `node_start_pfn`: the first present pfn of the node. */
  readonly startPfn: number;
  /** End of the node's span (exclusive). */
  readonly endPfn: number;
  readonly presentPages: number;
  /** Indexed by zone type index. */
  readonly zones: readonly Zone[];
}
