import { MIGRATE_TYPES, NR_PAGE_ORDERS, type Zone } from '@mm/physmem';
import { PcpLists } from './pcp-lists';
import type { Watermarks } from './watermarks';

/**
 * The page allocator's state for one zone (`struct zone`'s `free_area[]`, watermarks, `lowmem_reserve[]` and
 * `per_cpu_pageset`). Free lists are doubly linked through the pages themselves (see @mm/physmem page-state.ts);
 * this holds only list heads, tails and counters, so it costs a few KiB whatever the zone's size.
 */
export class BuddyZone {
  readonly zone: Zone;
  /**
   * First entry of each free list, indexed `order * MIGRATE_TYPES + migratetype`; -1 when empty. An entry is a pfn,
   * or on a MAX_PAGE_ORDER list a block number (`pfn >> MAX_PAGE_ORDER`, which stays a 32-bit integer above 8 TiB).
   */
  readonly freeHead = new Int32Array(NR_PAGE_ORDERS * MIGRATE_TYPES).fill(-1);
  /** Last entry of each free list (as {@link freeHead}). */
  readonly freeTail = new Int32Array(NR_PAGE_ORDERS * MIGRATE_TYPES).fill(-1);
  /** Blocks on each free list. */
  readonly freeCount = new Int32Array(NR_PAGE_ORDERS * MIGRATE_TYPES);
  /** `free_area[order].nr_free`: blocks of each order, all migratetypes. */
  readonly nrFree = new Int32Array(NR_PAGE_ORDERS);
  /** `NR_FREE_PAGES`: pages on the buddy free lists (per-CPU lists and guard pages excluded). */
  freePages = 0;
  /** Pages allocated from this zone so far (`pgalloc_<zone>`). */
  allocatedPages = 0;
  /** Pages held as debug_pagealloc guard pages. */
  guardPages = 0;
  /** `ZONE_BELOW_HIGH` (v6.18): free pages fell below the high watermark; per-CPU lists stop growing. */
  belowHigh = false;
  watermark: Watermarks = { min: 0, low: 0, high: 0, promo: 0 };
  /** `lowmem_reserve[]`, indexed by the allocation's highest zone type. */
  lowmemReserve: number[] = [];

  // Fields the hot paths read start with a value of their kind (an empty array, 0, a blank object), never undefined
  // (a boolean gains nothing): see "Fast listeners" in docs/guide/writing-a-client.md (such a field costs a check at
  // every use).
  /** Per-CPU lists, indexed `cpu * listsPerCpu + pindex`. */
  readonly pcp = new PcpLists(0);
  /** `pcp->count`: pages on each CPU's lists. */
  readonly pcpCount: Int32Array = new Int32Array(0);
  /** `pcp->high`, tuned between `high_min` and `high_max` (v6.18); fixed at 6 × batch in v4.8. */
  readonly pcpHigh: Int32Array = new Int32Array(0);
  /** `pcp->alloc_factor` (v6.18). */
  readonly pcpAllocFactor: Int32Array = new Int32Array(0);
  /** `pcp->free_count` (v6.18). */
  readonly pcpFreeCount: Int32Array = new Int32Array(0);
  /** `PCPF_PREV_FREE_HIGH_ORDER` (v6.18): the last free to the CPU's lists was of order 1..3. */
  readonly pcpPrevFreeHighOrder: Uint8Array = new Uint8Array(0);
  pcpBatch = 1;
  pcpHighMin = 0;
  pcpHighMax = 0;
  readonly pcpListsPerCpu: number = 0;

  constructor(zone: Zone, cpus: number, pcpListsPerCpu: number) {
    this.zone = zone;
    this.pcpListsPerCpu = pcpListsPerCpu;
    this.pcp = new PcpLists(zone.populated ? cpus * pcpListsPerCpu : 0);
    this.pcpCount = new Int32Array(cpus);
    this.pcpHigh = new Int32Array(cpus);
    this.pcpAllocFactor = new Int32Array(cpus);
    this.pcpFreeCount = new Int32Array(cpus);
    this.pcpPrevFreeHighOrder = new Uint8Array(cpus);
  }

  /** Pages on all per-CPU lists of the zone. */
  get pcpPages(): number {
    let pages = 0;
    for (const count of this.pcpCount) pages += count;
    return pages;
  }

  /** Host bytes of the zone's arrays. */
  get hostBytes(): number {
    return (
      this.freeHead.byteLength +
      this.freeTail.byteLength +
      this.freeCount.byteLength +
      this.nrFree.byteLength +
      this.pcp.hostBytes +
      this.pcpCount.byteLength * 4
    );
  }
}
