import type { HookBus } from '@mm/hooks';
import {
  beyondPerPageWindow,
  CurrentTask,
  type KernelProfile,
  MAX_ORDER_NR_PAGES,
  MEMCG_KMEM,
  MEMCG_ROOT,
  MemoryCgroups,
  MIGRATE_TYPES,
  Migratetype,
  maxOrderBlockOf,
  PAGE_ALLOC_COSTLY_ORDER,
  PAGE_FLAGS_MASK,
  PAGE_META_MASK,
  PageState,
  PageType,
  PER_PAGE_PFNS,
  type PhysicalMemory,
  Taint,
  type VmCounters,
  type VmCountersBuilder,
} from '@mm/physmem';
import type { KernelText } from '@mm/stacktrace';
import { formatAllocFailure } from './alloc-failure';
import {
  type BadPageSite,
  formatBadPage,
  PAGE_BUDDY_MAPCOUNT_VALUE,
  type PageBadVerdict,
  pageBadReason,
  pageTypeMapcount,
} from './bad-page';
import { BuddyZone } from './buddy-zone';
import { canClaimBlock, fallbacks } from './fallbacks';
import { gfpMigratetype, gfpZone } from './gfp-zone';
import { HotPath } from './hot-path-constants';
import { pageblockZones } from './pageblock-zones';
import {
  orderToPindex,
  pcpAllowedOrder,
  pcpListCount,
  pindexToOrder,
  zoneBatchsize,
  zoneHighsize,
} from './per-cpu-pages';
import { Ratelimit } from './ratelimit';
import { pageTypeCodes } from './struct-page-words';
import {
  calculateMinFreeKbytes,
  lowmemReserve,
  minFreeKbytes,
  nrFreeBufferPages,
  recommendedMinFreeKbytes,
  zoneWatermarks,
} from './watermarks';

/** `MAX_RECLAIM_RETRIES` (mm/internal.h): direct reclaim rounds without progress before the OOM killer. */
const MAX_RECLAIM_RETRIES = 16;

/** The largest order, up to `maxOrder`, of an aligned block that starts at `pfn` and ends by `end`. */
function alignedOrder(pfn: number, end: number, maxOrder: number): number {
  let order = 0;
  while (order < maxOrder && (pfn & (1 << order)) === 0 && pfn + (2 << order) <= end) order++;
  return order;
}

/** What the allocator's slow path calls of page reclaim and the OOM killer (see `BuddyAllocator.setReclaim`). */
export interface PageReclaim {
  /** `wake_all_kswapds()`: an allocation of `order` for zones up to `zoneIndex` found them below their low mark. */
  wakeKswapd(order: number, zoneIndex: number): void;
  /** `try_to_free_pages()`: reclaims in the current task for this request; returns the pages freed. */
  directReclaim(gfp: number, order: number, zoneIndex: number): number;
  /** `out_of_memory()`: may kill a task to free memory; returns whether retrying can help. */
  outOfMemory(gfp: number, order: number): boolean;
}

/** Watermark selection and reserve access (mm/internal.h `ALLOC_*`). */
const ALLOC_WMARK_MIN = 0;
const ALLOC_WMARK_LOW = 1;
const ALLOC_WMARK_HIGH = 2;
const ALLOC_NO_WATERMARKS = 4;
const ALLOC_WMARK_MASK = 7;
const ALLOC_MIN_RESERVE = 0x8;
const ALLOC_NON_BLOCK = 0x10;
const ALLOC_NOFRAGMENT = 0x100;

/** Tuning of the allocator that is not part of the kernel profile. */
export interface BuddyOptions {
  /** Guard pages from the start: see {@link BuddyAllocator.enableGuardPages}. Default 0 (off). */
  readonly guardMinOrder?: number;
}

/** Counters of what the allocator did, for summaries and tests. */
export interface BuddyStats {
  /** Successful `alloc_pages` calls. */
  allocations: number;
  /** Successful frees (blocks returned). */
  frees: number;
  /** Pages freed (`pgfree`). */
  freedPages: number;
  /** Allocations that found no page. */
  allocFailures: number;
  /** `bad_page()` reports, printed or suppressed. */
  badPages: number;
  /** Pages leaked because they were found in a bad state when freed (the kernel leaks them too). */
  leakedPages: number;
  /** Pageblocks whose migratetype a fallback claimed (`mm_page_alloc_extfrag` with change_ownership). */
  pageblocksClaimed: number;
  /** Fallback allocations (`mm_page_alloc_extfrag` events). */
  fallbacks: number;
}

/**
 * The zoned buddy allocator (mm/page_alloc.c): per-zone free lists per order and migratetype, pageblock
 * migratetypes with the kernel's fallback and claiming rules, per-CPU page lists in front of each zone,
 * watermarks with lowmem reserves, `alloc_pages`, `__free_pages` and `split_page`, and the hook points of
 * `post_alloc_hook` and `free_pages_prepare`. It knows nothing of the clients listening on the hooks.
 *
 * Differences from the kernel, by design: reclaim and the OOM killer are not here but behind `setReclaim()` (the
 * vm provides them; without it an allocation fails after the `alloc_stall` listeners), no MIGRATE_HIGHATOMIC
 * reserve, no CMA, and one thread of execution (no locks, no races).
 */
export class BuddyAllocator {
  readonly memory: PhysicalMemory;
  readonly hooks: HookBus;
  readonly profile: KernelProfile;
  /** Parallel to `memory.zones`. */
  readonly zones: readonly BuddyZone[];
  readonly stats: BuddyStats = {
    allocations: 0,
    frees: 0,
    freedPages: 0,
    allocFailures: 0,
    badPages: 0,
    leakedPages: 0,
    pageblocksClaimed: 0,
    fallbacks: 0,
  };
  /** `min_free_kbytes`. */
  minFreeKbytes = 0;
  #guardMinOrder = 0;

  // Fields the hot paths read start with a value of their kind (an empty array, 0, a blank object), never undefined
  // (a boolean gains nothing): see "Fast listeners" in docs/guide/writing-a-client.md (such a field costs a check at
  // every use).
  /** `memory.pages`: the per-page words, refcounts and mapcounts, flat by pfn (the hot paths read these). */
  readonly #flags: Uint32Array = new Uint32Array(0);
  readonly #refcount: Int32Array = new Int32Array(0);
  readonly #mapcount: Int32Array = new Int32Array(0);
  /** `memory.pages.pageblockFlags`, by pageblock (`pfn >> pageblock_order`). */
  readonly #pageblockFlags: Uint8Array = new Uint8Array(0);
  /**
   * The free list links of MAX_PAGE_ORDER blocks, by block (`pfn >> MAX_PAGE_ORDER`): next and previous, as the
   * smaller blocks keep theirs in their head page's refcount and mapcount slots. A machine's free memory is mostly
   * such blocks; linking them here leaves the per-page arrays of memory nobody uses untouched (host memory follows
   * use).
   */
  readonly #blockNext: Int32Array = new Int32Array(0);
  readonly #blockPrev: Int32Array = new Int32Array(0);
  /** `memory.freeMaxOrderHeads`: free MAX_PAGE_ORDER heads whose word is not stored (1 + migratetype). */
  readonly #freeMaxOrderHeads: Uint8Array = new Uint8Array(0);
  readonly #shift: number = 0;
  readonly #mask: number = 0;
  readonly #pcpLists: number = 0;
  /**
   * v6.18 (else v4.8). Tested as `=== true` or `=== false` on the allocation and free paths, as is a zone's
   * `belowHigh`: V8 compiles a comparison with a constant into one compare, but `if (flag)` and `!flag` on a field
   * into its generic truth test (about 15 instructions: the free of an order-0 page had two).
   */
  readonly #v6: boolean;
  /** Zone bits of a gfp mask → highest zone type index (-1: invalid). */
  readonly #zoneTable: Int8Array;
  readonly #gfpZoneMask: number = 0;
  /** zonelist[node][highest zone type] → zones to try, in order (rebuilt by {@link buildAllZonelists}). */
  #zonelists: BuddyZone[][][] = [];
  /** Per zonelist (node × highest zone type): whether v6.18's ALLOC_NOFRAGMENT applies. */
  #noFragment: Uint8Array[] = [];
  /**
   * The migratetype each pageblock had before {@link isolateRange} isolated it, by pageblock pfn: v6.18 keeps it
   * under the separate `PB_migrate_isolate` bit and `undo_isolate_page_range()` brings it back.
   */
  readonly #typeBeforeIsolation = new Map<number, number>();
  readonly #nodeOfCpu: Int32Array;
  /** gfp bits 3..4 (`__GFP_MOVABLE`, `__GFP_RECLAIMABLE`) → migratetype. */
  readonly #migratetypeTable = new Int8Array(4);
  /** Orders that go through the per-CPU lists. */
  readonly #pcpOrder = new Uint8Array(HotPath.NR_PAGE_ORDERS);
  /** Pageblock number → id of the buddy zone spanning the whole pageblock, or -1 (see {@link pageblockZones}). */
  readonly #pageblockZone: Int16Array = new Int16Array(0);
  readonly #current: PhysicalMemory['current'] = new CurrentTask(0, 0, '', 0);
  readonly #flagCheckAtFree: number = 0;
  readonly #flagHead: number = 0;
  /** Any of these in a page's word sends its order-0 free to the general path (see {@link #freePcpFast}). */
  readonly #fastFreeMask: number = 0;
  readonly #memcg: PhysicalMemory['memcg'] = new MemoryCgroups();
  readonly #gfp: KernelProfile['gfp']['flags'];
  readonly #warnRatelimit: Ratelimit;
  readonly #badPageRatelimit = { shown: 0, unshown: 0, resumeNs: 0 };
  #lockDebuggingOn = true;
  /** `__GFP_ACCOUNT` in v6.18, where page_owner shows kernel memory charged to a cgroup; 0 in v4.x. */
  readonly #accountMask: number = 0;
  /** The machine's counters, for the Mem-Info of reports ({@link setReports}). */
  #counters: (() => VmCounters) | undefined;
  /** The booted kernel's text, for the kernel's own frames in reports ({@link setReports}). */
  #text: KernelText | undefined;
  /** Page reclaim and the OOM killer, when something provides them ({@link setReclaim}). */
  #reclaim: PageReclaim | undefined;
  /** The zone type index of ZONE_NORMAL: the OOM killer helps requests that may use it. */
  readonly #normalZoneIndex: number = 0;
  /** Per section, 1 for the pages {@link holdFreePages} holds (made on first use). */
  readonly #held: (Uint8Array | undefined)[] = [];
  #warnedOrder = false;
  /**
   * Bumped whenever a zone's free pages, watermarks, reserves or ZONE_BELOW_HIGH change, or the zonelists are
   * rebuilt: the order-0 fast path's last walk ({@link #walkZonelistFast}) holds while it is unchanged.
   */
  #zoneGeneration = 0;
  /** The last walk of {@link #walkZonelistFast}: its request, CPU and generation, and its answer. */
  #fastGfp = -1;
  #fastCpu = -1;
  #fastGeneration = -1;
  #fastZone: BuddyZone | undefined;
  #fastList = 0;
  #fastCold = false;

  constructor(memory: PhysicalMemory, hooks: HookBus, options: BuddyOptions = {}) {
    this.memory = memory;
    this.hooks = hooks;
    this.profile = memory.profile;
    if (options.guardMinOrder !== undefined) this.enableGuardPages(options.guardMinOrder);
    this.#v6 = this.profile.era === 'v6';
    this.#flags = memory.pages.flags;
    this.#refcount = memory.pages.refcount;
    this.#mapcount = memory.pages.mapcount;
    this.#pageblockFlags = memory.pages.pageblockFlags;
    this.#freeMaxOrderHeads = memory.freeMaxOrderHeads;
    this.#blockNext = new Int32Array(memory.freeMaxOrderHeads.length);
    this.#blockPrev = new Int32Array(memory.freeMaxOrderHeads.length);
    this.#shift = memory.pfnSectionShift;
    this.#mask = memory.pagesPerSection - 1;
    this.#pcpLists = pcpListCount(this.profile);
    this.#gfp = this.profile.gfp.flags;
    this.zones = memory.zones.map((zone) => new BuddyZone(zone, memory.cpus, this.#pcpLists));
    this.#normalZoneIndex = memory.nodes[0]!.zones.findIndex((zone) => zone.type.name === 'Normal');
    this.#accountMask = this.#v6 ? this.#gfp.ACCOUNT : 0;

    const { bit } = this.profile.pageFlags;
    const mask = (names: readonly (keyof typeof bit)[]) =>
      names.reduce((value, name) => (bit[name] >= 0 ? value | (1 << bit[name]) : value), 0);
    this.#flagCheckAtFree = mask([
      'lru',
      'locked',
      'private',
      'private_2',
      'writeback',
      'reserved',
      'slab',
      'active',
      'unevictable',
      'mlocked',
      ...(this.#v6 ? [] : (['swapcache'] as const)),
    ]);
    this.#flagHead = 1 << bit.head;
    this.#fastFreeMask = PAGE_META_MASK | this.#flagCheckAtFree | this.#flagHead;
    this.#memcg = memory.memcg;

    const { DMA, HIGHMEM, DMA32, MOVABLE } = this.#gfp;
    this.#gfpZoneMask = DMA | HIGHMEM | DMA32 | MOVABLE;
    this.#zoneTable = new Int8Array(this.#gfpZoneMask + 1);
    for (let bits = 0; bits <= this.#gfpZoneMask; bits++) {
      this.#zoneTable[bits] = (bits & ~this.#gfpZoneMask) === 0 ? gfpZone(bits, this.profile) : -1;
    }
    this.#current = memory.current;
    for (let bits = 0; bits < 4; bits++) this.#migratetypeTable[bits] = gfpMigratetype(bits << 3, this.profile);
    for (let order = 0; order < HotPath.NR_PAGE_ORDERS; order++)
      this.#pcpOrder[order] = pcpAllowedOrder(order, this.profile) ? 1 : 0;
    this.#pageblockZone = pageblockZones(memory);
    this.#nodeOfCpu = new Int32Array(memory.cpus);
    for (let cpu = 0; cpu < memory.cpus; cpu++) {
      this.#nodeOfCpu[cpu] = Math.floor((cpu * memory.nodes.length) / memory.cpus);
    }
    this.buildAllZonelists();
    this.#warnRatelimit = this.#v6 ? new Ratelimit(10e9, 1) : new Ratelimit(5e9, 10);
  }

  /**
   * `build_all_zonelists()`: for each node and highest zone type, the populated zones to try, the node's own from
   * the highest type down, then the other nodes'. At boot, and again when memory hot-remove empties a zone.
   */
  buildAllZonelists(): void {
    const memory = this.memory;
    this.#zonelists = memory.nodes.map((node) => {
      const order = [node.id, ...memory.nodes.map((other) => other.id).filter((id) => id !== node.id)];
      return this.profile.arch.zoneTypes.map((_, highest) =>
        order.flatMap((id) =>
          [...memory.nodes[id]!.zones]
            .reverse()
            .filter((zone) => zone.type.index <= highest && zone.populated)
            .map((zone) => this.zones[zone.id]!),
        ),
      );
    });
    this.#zoneGeneration++;
    this.#noFragment = this.#zonelists.map(
      (lists) => new Uint8Array(lists.map((zonelist) => (this.#v6 && this.#noFragmentPossible(zonelist) ? 1 : 0))),
    );
  }

  // ---------------------------------------------------------------------------------------------------------
  // Boot

  /** `debug_guardpage_minorder`: split halves below this order become guard pages (0: off). */
  get guardMinOrder(): number {
    return this.#guardMinOrder;
  }

  /**
   * Turns guard pages on (mm/debug_page_alloc.c: `_debug_guardpage_minorder` and the `_debug_guardpage_enabled`
   * static key, which `expand()` tests): from now on, split halves below order `minOrder` stay out of the free lists
   * as guard pages. 0 turns them off. The order is 0..MAX_PAGE_ORDER/2, as `debug_guardpage_minorder=` accepts.
   */
  enableGuardPages(minOrder: number): void {
    if (!Number.isInteger(minOrder) || minOrder < 0 || minOrder > HotPath.MAX_PAGE_ORDER >> 1) {
      throw new RangeError(
        `guard page order must be an integer from 0 to ${HotPath.MAX_PAGE_ORDER >> 1}, not ${minOrder}`,
      );
    }
    this.#guardMinOrder = minOrder;
  }

  /**
   * `memblock_free_all()`: frees every present page that memblock did not reserve into the free lists (to the
   * tail, as the kernel does, so lists start in address order), then sets up watermarks, lowmem reserves and
   * per-CPU lists. Returns the number of pages freed.
   */
  freeAllMemory(): number {
    const memory = this.memory;
    const reserved = memory.memblockReserved;
    let freed = 0;
    for (const range of memory.ranges) {
      let pieces = [{ start: range.start, end: range.end }];
      for (const region of reserved) {
        pieces = pieces.flatMap((piece) => {
          if (region.end <= piece.start || region.start >= piece.end) return [piece];
          const parts = [];
          if (piece.start < region.start) parts.push({ start: piece.start, end: region.start });
          if (piece.end > region.end) parts.push({ start: region.end, end: piece.end });
          return parts;
        });
      }
      for (const piece of pieces) freed += this.#freeRange(piece.start, piece.end);
    }
    this.setupZones();
    return freed;
  }

  /** Frees [start, end) in the largest aligned blocks, as `__free_pages_memory()` does. */
  #freeRange(start: number, end: number): number {
    let pfn = start;
    while (pfn < end) {
      let order = HotPath.MAX_PAGE_ORDER;
      while (order > 0 && (pfn % (1 << order) !== 0 || pfn + (1 << order) > end)) order--;
      // A block must not straddle a zone boundary.
      const zone = this.memory.zoneOf(pfn)!;
      while (order > 0 && pfn + (1 << order) > zone.endPfn) order--;
      if (pfn >= PER_PAGE_PFNS) {
        // Above the per-page window (only whole MAX_PAGE_ORDER blocks: see PER_PAGE_PFNS): listed by block number,
        // as __free_one_page() would list them (no merge above MAX_PAGE_ORDER), and no page word touched.
        if (order !== HotPath.MAX_PAGE_ORDER)
          throw new Error(`free memory above 8 TiB at pfn 0x${pfn.toString(16)} is not 4 MiB blocks`);
        this.#addToFreeList(this.zones[zone.id]!, pfn, order, this.memory.pageblockMigratetype(pfn), true);
      } else {
        this.#freeOnePage(this.zones[zone.id]!, pfn, order, this.memory.pageblockMigratetype(pfn), true);
      }
      pfn += 1 << order;
    }
    return end - start;
  }

  /**
   * `setup_per_zone_wmarks()`, `setup_per_zone_lowmem_reserve()` and `zone_pcp_init()`/`zone_set_pageset_high_and_batch()`:
   * sets up everything that depends on managed pages, at boot (`min_free_kbytes` from {@link minFreeKbytes}). Memory
   * hot-remove recomputes them with {@link initPerZoneWmarkMin} instead.
   */
  setupZones(): void {
    this.minFreeKbytes = minFreeKbytes(this.memory.zones, this.profile);
    this.#setupPerZoneWmarks();
    this.#setupPerZoneLowmemReserve();
    for (const buddyZone of this.zones) {
      this.#setPagesetHighAndBatch(buddyZone);
      buddyZone.pcpHigh.fill(buddyZone.pcpHighMin);
    }
  }

  /**
   * `init_per_zone_wmark_min()` (mm/page_alloc.c), as memory hot-remove calls it once managed pages have changed:
   * `calculate_min_free_kbytes()` from `nr_free_buffer_pages()` (managed pages above the current high watermarks),
   * `setup_per_zone_wmarks()`, `setup_per_zone_lowmem_reserve()` (`refresh_zone_stat_thresholds()` is computed
   * where it is read), then v6.18's `khugepaged_min_free_kbytes_update()`: `set_recommended_min_free_kbytes()`
   * raises min_free_kbytes again for THP and sets the watermarks once more. v4.8 has no such call (khugepaged's
   * recommendation is lost on hotplug until v5.10). v6.18's `setup_per_zone_wmarks()` ends with `zone_pcp_update()`
   * of every zone (batch, high_min, high_max; each CPU's `high` is left to its tuning); v4.8's offline path updates
   * the offlined zone only ({@link zonePcpUpdate}).
   */
  initPerZoneWmarkMin(): void {
    const zones = this.memory.zones;
    const watermarks = () => this.zones.map((zone) => zone.watermark);
    this.minFreeKbytes = calculateMinFreeKbytes(nrFreeBufferPages(zones, this.profile, watermarks()), this.profile);
    this.#setupPerZoneWmarks();
    this.#setupPerZoneLowmemReserve();
    if (!this.#v6) return;
    const recommended = recommendedMinFreeKbytes(
      zones,
      nrFreeBufferPages(zones, this.profile, watermarks()),
      this.profile,
    );
    if (recommended > this.minFreeKbytes) this.minFreeKbytes = recommended;
    this.#setupPerZoneWmarks();
    for (const buddyZone of this.zones) this.#setPagesetHighAndBatch(buddyZone);
  }

  /**
   * `zone_pcp_update()`: the zone's per-CPU batch and high limits from its managed pages (and v6.18 its low
   * watermark). v4.8 sets every CPU's `high` to 6 × batch; v6.18 leaves `high` to its tuning, which clamps it
   * into the new high_min .. high_max as it next runs.
   */
  zonePcpUpdate(zone: BuddyZone): void {
    this.#setPagesetHighAndBatch(zone);
    if (!this.#v6) zone.pcpHigh.fill(zone.pcpHighMin);
  }

  /** `__setup_per_zone_wmarks()` from the current `min_free_kbytes`. */
  #setupPerZoneWmarks(): void {
    const watermarks = zoneWatermarks(this.memory.zones, this.minFreeKbytes, this.profile);
    for (const buddyZone of this.zones) buddyZone.watermark = watermarks[buddyZone.zone.id]!;
    this.#zoneGeneration++;
  }

  /** `setup_per_zone_lowmem_reserve()`. */
  #setupPerZoneLowmemReserve(): void {
    for (const node of this.memory.nodes) {
      const reserves = lowmemReserve(node.zones);
      node.zones.forEach((zone, index) => {
        this.zones[zone.id]!.lowmemReserve = reserves[index]!;
      });
    }
    this.#zoneGeneration++;
  }

  /** `zone_set_pageset_high_and_batch()` (v4.8 `pageset_set_high_and_batch()`): batch, high_min and high_max. */
  #setPagesetHighAndBatch(buddyZone: BuddyZone): void {
    const batch = Math.max(1, zoneBatchsize(buddyZone.zone.managedPages, this.profile));
    buddyZone.pcpBatch = batch;
    if (this.#v6) {
      let cpus = 0;
      for (const node of this.#nodeOfCpu) if (node === buddyZone.zone.node) cpus++;
      buddyZone.pcpHighMin = zoneHighsize(buddyZone.watermark.low, cpus, batch);
      buddyZone.pcpHighMax = zoneHighsize(Math.floor(buddyZone.zone.managedPages / 8), cpus, batch);
    } else {
      const high = 6 * zoneBatchsize(buddyZone.zone.managedPages, this.profile);
      buddyZone.pcpHighMin = high;
      buddyZone.pcpHighMax = high;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Allocation

  /** The NUMA node of a CPU (`cpu_to_node()`): CPUs are spread evenly over nodes. */
  nodeOfCpu(cpu: number): number {
    return this.#nodeOfCpu[cpu]!;
  }

  /**
   * `alloc_pages(gfp, order)`: 2^order contiguous pages, or -1. Tries the zones allowed by `gfp` on the current
   * CPU's node first (then the other nodes), above the low watermark; then the slow path (min watermark, reserves
   * for `__GFP_HIGH` and atomic requests, `alloc_stall` listeners such as compaction, one retry); then reports the
   * failure like `warn_alloc()` unless `__GFP_NOWARN`.
   */
  allocPages(gfp: number, order: number): number {
    if (order === 0) {
      const pfn = this.#allocPcpFast(gfp);
      if (pfn >= 0) {
        if ((gfp & this.#accountMask) !== 0) this.#chargeKmem(pfn, 0);
        this.stats.allocations++;
        const hook = this.hooks.post_alloc;
        if (hook.count !== 0) hook.call(pfn, 0, gfp);
        return pfn;
      }
    }
    return this.#allocPagesSlow(gfp, order);
  }

  /**
   * v6.18 `__memcg_kmem_charge_page()`: an allocation with `__GFP_ACCOUNT` is charged to the current task's memory
   * cgroup through its objcg (nothing for the root cgroup, which has none).
   */
  #chargeKmem(pfn: number, order: number): void {
    const memcg = this.#current.memcg;
    if (memcg !== MEMCG_ROOT) this.#memcg.set(pfn, 1 << order, memcg | MEMCG_KMEM);
  }

  /** The general allocation path (`__alloc_pages()`): every order, every zone, the slow path. */
  #allocPagesSlow(gfp: number, order: number): number {
    if (order > HotPath.MAX_PAGE_ORDER || order < 0) return this.#invalidOrder(gfp, order);
    const zoneIndex = this.#zoneTable[gfp & this.#gfpZoneMask]!;
    if (zoneIndex < 0) throw new RangeError(`gfp 0x${gfp.toString(16)} asks for contradictory zones`);
    const migratetype = this.#migratetypeTable[(gfp >>> 3) & 3]!;
    const node = this.#nodeOfCpu[this.#current.cpu]!;
    const zonelist = this.#zonelists[node]![zoneIndex]!;
    const flags = this.#noFragment[node]![zoneIndex] === 1 ? ALLOC_WMARK_LOW | ALLOC_NOFRAGMENT : ALLOC_WMARK_LOW;
    let pfn = this.#getPageFromFreelist(gfp, order, migratetype, zonelist, zoneIndex, flags);
    if (pfn < 0) pfn = this.#slowPath(gfp, order, migratetype, zonelist, zoneIndex);
    if (pfn < 0) return -1;
    this.#prepNewPage(pfn, order, gfp);
    if ((gfp & this.#accountMask) !== 0) this.#chargeKmem(pfn, order);
    this.stats.allocations++;
    const hook = this.hooks.post_alloc;
    if (hook.count !== 0) hook.call(pfn, order, gfp);
    return pfn;
  }

  /**
   * The order-0 fast path: when the first zone of the zonelist that passes the watermark test has a page on the
   * CPU's list, the general path would take exactly that page; this does the same with less machinery. Anything
   * else returns -1 and leaves the general path to decide.
   */
  #allocPcpFast(gfp: number): number {
    const cpu = this.#current.cpu;
    if (gfp !== this.#fastGfp || cpu !== this.#fastCpu || this.#fastGeneration !== this.#zoneGeneration) {
      this.#walkZonelistFast(gfp, cpu);
    }
    const zone = this.#fastZone;
    if (zone === undefined) return -1;
    const list = this.#fastList;
    const pcp = zone.pcp;
    if (pcp.length[list] === 0) return -1;
    const pfn = this.#fastCold ? pcp.pop(list) : pcp.shift(list);
    zone.pcpCount[cpu]!--;
    zone.allocatedPages++;
    if (this.#v6 === true) zone.pcpFreeCount[cpu] = zone.pcpFreeCount[cpu]! >> 1;
    // (Its mapcount is already 0, as on every per-CPU page: see #pcpAdd(). Not writing it leaves the mapcount
    // array untouched, and unpaid for by the host, where nothing is mapped.)
    this.#refcount[pfn] = 1;
    this.#flags[pfn] = 0;
    return pfn;
  }

  /**
   * `get_page_from_freelist()`'s walk for an order-0 request of `gfp` on `cpu`, for {@link #allocPcpFast}: the first
   * zone above its watermark serves (its pcp list, when it has a page); a zone that fails the test is passed over,
   * marked ZONE_BELOW_HIGH as the general path marks it. None for a request the fast path leaves to the general one
   * (`__GFP_THISNODE`, contradictory zones). The answer depends on the zones' free pages, watermarks and reserves
   * only, so it is kept, with the per-CPU list to take from, until one of them changes ({@link #zoneGeneration}).
   */
  #walkZonelistFast(gfp: number, cpu: number): void {
    this.#fastGfp = gfp;
    this.#fastCpu = cpu;
    this.#fastGeneration = this.#zoneGeneration;
    this.#fastZone = undefined;
    const zoneIndex = this.#zoneTable[gfp & this.#gfpZoneMask]!;
    if (zoneIndex < 0 || (gfp & this.#gfp.THISNODE) !== 0) return;
    this.#fastList = cpu * this.#pcpLists + this.#migratetypeTable[(gfp >>> 3) & 3]!;
    this.#fastCold = (gfp & this.#gfp.COLD) !== 0;
    const zonelist = this.#zonelists[this.#nodeOfCpu[cpu]!]![zoneIndex]!;
    for (let index = 0; index < zonelist.length; index++) {
      const candidate = zonelist[index]!;
      const reserve = candidate.lowmemReserve[zoneIndex]!;
      if (this.#v6 === true && candidate.belowHigh === false) {
        if (candidate.freePages > candidate.watermark.high + reserve) {
          this.#fastZone = candidate;
          return;
        }
        candidate.belowHigh = true;
      }
      if (candidate.freePages > candidate.watermark.low + reserve) {
        this.#fastZone = candidate;
        return;
      }
    }
  }

  #invalidOrder(gfp: number, order: number): number {
    if ((gfp & this.#gfp.NOWARN) === 0 && !this.#warnedOrder) {
      this.#warnedOrder = true;
      const where = this.#v6 ? '__alloc_frozen_pages_noprof' : '__alloc_pages_nodemask';
      this.memory.taint.add(Taint.WARN);
      this.memory.log.printk(
        [
          `------------[ cut here ]------------`,
          `WARNING: CPU: ${this.memory.current.cpu} PID: ${this.memory.current.pid} at mm/page_alloc.c:0 ${where}+0x0/0x0`,
          `order ${order} is above the largest order ${HotPath.MAX_PAGE_ORDER}`,
          this.memory.printModules(),
          ...this.memory.dumpStack(),
          `---[ end trace 0000000000000000 ]---`,
        ].join('\n'),
      );
    }
    this.stats.allocFailures++;
    return -1;
  }

  /** v6.18 `alloc_flags_nofragment()`: in ZONE_NORMAL with DMA32 below it, avoid mixing pageblocks at first. */
  #noFragmentPossible(zonelist: readonly BuddyZone[]): boolean {
    const first = zonelist[0];
    if (first === undefined || first.zone.type.name !== 'Normal') return false;
    const below = this.memory.nodes[first.zone.node]!.zones[first.zone.type.index - 1];
    return below !== undefined && below.type.name === 'DMA32' && (this.memory.nodes.length === 1 || below.populated);
  }

  #getPageFromFreelist(
    gfp: number,
    order: number,
    migratetype: number,
    zonelist: readonly BuddyZone[],
    zoneIndex: number,
    flags: number,
  ): number {
    const thisNode = (gfp & this.#gfp.THISNODE) !== 0 ? this.#nodeOfCpu[this.#current.cpu]! : -1;
    for (;;) {
      for (let index = 0; index < zonelist.length; index++) {
        const zone = zonelist[index]!;
        if (thisNode >= 0 && zone.zone.node !== thisNode) continue;
        if ((flags & ALLOC_NO_WATERMARKS) === 0 && !this.#zoneUsable(zone, order, flags, zoneIndex)) continue;
        const pfn = this.#rmqueue(zone, order, migratetype, flags, gfp);
        if (pfn >= 0) return pfn;
      }
      // Retry without ALLOC_NOFRAGMENT before touching the slow path.
      if ((flags & ALLOC_NOFRAGMENT) === 0) return -1;
      flags &= ~ALLOC_NOFRAGMENT;
    }
  }

  /**
   * The watermark test of `get_page_from_freelist()`. v6.18 first checks the high watermark while the zone is not
   * marked `ZONE_BELOW_HIGH`, and marks it when that fails.
   */
  #zoneUsable(zone: BuddyZone, order: number, flags: number, zoneIndex: number): boolean {
    if (this.#v6 === true && zone.belowHigh === false) {
      if (this.#watermarkOk(zone, order, ALLOC_WMARK_HIGH | (flags & ~ALLOC_WMARK_MASK), zoneIndex)) return true;
      zone.belowHigh = true;
    }
    return this.#watermarkOk(zone, order, flags, zoneIndex);
  }

  /** `zone_watermark_fast()` / `__zone_watermark_ok()`. */
  #watermarkOk(zone: BuddyZone, order: number, flags: number, zoneIndex: number): boolean {
    const mark = flags & ALLOC_WMARK_MASK;
    let min =
      mark === ALLOC_WMARK_MIN
        ? zone.watermark.min
        : mark === ALLOC_WMARK_LOW
          ? zone.watermark.low
          : zone.watermark.high;
    if ((flags & ALLOC_MIN_RESERVE) !== 0) {
      min -= Math.floor(min / 2);
      if ((flags & ALLOC_NON_BLOCK) !== 0) min -= Math.floor(min / 4);
    } else if (this.#v6 === false && (flags & ALLOC_NON_BLOCK) !== 0) {
      min -= Math.floor(min / 4);
    }
    const freePages = zone.freePages - (1 << order) + 1;
    if (freePages <= min + (zone.lowmemReserve[zoneIndex] ?? 0)) return false;
    if (order === 0) return true;
    for (let current = order; current < HotPath.NR_PAGE_ORDERS; current++) {
      if (zone.nrFree[current] === 0) continue;
      for (let type = 0; type < HotPath.MIGRATE_PCPTYPES; type++) {
        if (zone.freeCount[current * MIGRATE_TYPES + type]! > 0) return true;
      }
    }
    return false;
  }

  #slowPath(
    gfp: number,
    order: number,
    migratetype: number,
    zonelist: readonly BuddyZone[],
    zoneIndex: number,
  ): number {
    const g = this.#gfp;
    // `wake_all_kswapds()`: the fast path found the zones below their low watermark.
    if ((gfp & g.KSWAPD_RECLAIM) !== 0) this.#reclaim?.wakeKswapd(order, zoneIndex);
    let flags = ALLOC_WMARK_MIN;
    if ((gfp & g.HIGH) !== 0) flags |= ALLOC_MIN_RESERVE;
    const canReclaim = (gfp & g.DIRECT_RECLAIM) !== 0;
    // v6.18 ALLOC_NON_BLOCK for requests that cannot reclaim; v4.8 ALLOC_HARDER for __GFP_ATOMIC.
    const harder = this.#v6 === true ? !canReclaim : (gfp & g.ATOMIC) !== 0;
    if (harder && (gfp & g.NOMEMALLOC) === 0) flags |= ALLOC_NON_BLOCK;
    let pfn = this.#getPageFromFreelist(gfp, order, migratetype, zonelist, zoneIndex, flags);
    if (pfn >= 0) return pfn;
    if ((gfp & g.MEMALLOC) !== 0 && (gfp & g.NOMEMALLOC) === 0) {
      pfn = this.#getPageFromFreelist(gfp, order, migratetype, zonelist, zoneIndex, ALLOC_NO_WATERMARKS);
      if (pfn >= 0) return pfn;
    }
    const stall = this.hooks.alloc_stall;
    // `__alloc_pages_direct_compact()`: for orders above 0, through the `alloc_stall` listeners (compaction).
    const compact = () => {
      if (!canReclaim || order === 0 || stall.count === 0 || zonelist.length === 0) return -1;
      stall.call(order, gfp, zonelist[0]!.zone.id);
      return this.#getPageFromFreelist(gfp, order, migratetype, zonelist, zoneIndex, flags);
    };
    // Costly orders, and unmovable orders above 0, try compaction before reclaim (the slow path's first attempt).
    if (order > PAGE_ALLOC_COSTLY_ORDER || (order > 0 && migratetype !== Migratetype.MOVABLE)) {
      pfn = compact();
      if (pfn >= 0) return pfn;
    }
    const reclaim = this.#reclaim;
    if (canReclaim && reclaim !== undefined) {
      let stalls = 0;
      for (let attempt = 0; attempt < MAX_RECLAIM_RETRIES; attempt++) {
        const progress = reclaim.directReclaim(gfp, order, zoneIndex);
        pfn = this.#getPageFromFreelist(gfp, order, migratetype, zonelist, zoneIndex, flags);
        if (pfn >= 0) return pfn;
        // `__alloc_pages_direct_reclaim()`: what reclaim freed may sit on the per-CPU lists; drain them, retry.
        if (progress > 0) {
          this.drainAllPages();
          pfn = this.#getPageFromFreelist(gfp, order, migratetype, zonelist, zoneIndex, flags);
          if (pfn >= 0) return pfn;
        }
        pfn = compact();
        if (pfn >= 0) return pfn;
        if ((gfp & g.NORETRY) !== 0 || order > PAGE_ALLOC_COSTLY_ORDER) break;
        // `should_reclaim_retry()`: go on while reclaim makes progress, then the OOM killer.
        if (progress > 0) continue;
        if (!this.#mayOom(gfp, order, zoneIndex)) break;
        // `__alloc_pages_may_oom()`: one more try at the high watermark, as another task may have freed memory.
        pfn = this.#getPageFromFreelist(gfp, order, migratetype, zonelist, zoneIndex, ALLOC_WMARK_HIGH);
        if (pfn >= 0) return pfn;
        if (!reclaim.outOfMemory(gfp, order) || ++stalls > 2) break;
        pfn = this.#getPageFromFreelist(gfp, order, migratetype, zonelist, zoneIndex, flags);
        if (pfn >= 0) return pfn;
      }
    }
    this.stats.allocFailures++;
    this.#warnAlloc(gfp, order, zoneIndex);
    return -1;
  }

  /**
   * `__alloc_pages_may_oom()`'s conditions: the OOM killer helps only small requests that may not fail otherwise,
   * for zones it can free memory in (not `__GFP_RETRY_MAYFAIL`, `__GFP_THISNODE`, or a zone below ZONE_NORMAL).
   */
  #mayOom(gfp: number, order: number, zoneIndex: number): boolean {
    const g = this.#gfp;
    if (order > PAGE_ALLOC_COSTLY_ORDER) return false;
    if ((gfp & (g.RETRY_MAYFAIL | g.THISNODE | g.NORETRY)) !== 0) return false;
    return zoneIndex >= this.#normalZoneIndex;
  }

  /**
   * Connects the allocator's slow path to page reclaim and the OOM killer (mm/vmscan.c, mm/oom_kill.c), as
   * `__alloc_pages_slowpath()` calls them: kswapd is woken when an allocation finds a zone below its low watermark,
   * direct reclaim runs in the allocating task when a request that may sleep finds nothing above the min
   * watermark, and the OOM killer when reclaim makes no progress.
   */
  setReclaim(reclaim: PageReclaim): void {
    this.#reclaim = reclaim;
  }

  /**
   * What the allocator's reports print beside its own state: the machine's counters (Mem-Info's LRU, slab and page
   * table figures) and the booted kernel's text (where the kernel's own frames of a call trace are).
   */
  setReports(options: { readonly counters?: () => VmCounters; readonly text?: KernelText }): void {
    this.#counters = options.counters;
    this.#text = options.text;
  }

  /**
   * `zone_watermark_ok_safe()` for a zone at `mark` (its `min`, `low` or `high` watermark) for requests whose highest
   * zone is `highestZoneIndex` (its lowmem reserve for them counts): what kswapd asks to know a node is balanced.
   */
  zoneWatermarkOk(zone: BuddyZone, order: number, mark: 'min' | 'low' | 'high', highestZoneIndex: number): boolean {
    const flags = mark === 'min' ? ALLOC_WMARK_MIN : mark === 'low' ? ALLOC_WMARK_LOW : ALLOC_WMARK_HIGH;
    return this.#watermarkOk(zone, order, flags, highestZoneIndex);
  }

  /**
   * Adds the allocator's counters: `nr_free_pages` of each zone (the buddy free lists: pages on the per-CPU lists are
   * not in it, as in the kernel), `pgalloc_<zone>` and `pgfree`, and the allocator's part of the events.
   */
  addCounters(counters: VmCountersBuilder): void {
    for (const zone of this.zones) {
      counters.addZone(zone.zone.id, 'nr_free_pages', zone.freePages);
      counters.addEvent(`pgalloc_${zone.zone.name.toLowerCase()}`, zone.allocatedPages);
    }
    counters.addEvent('pgfree', this.stats.freedPages);
  }

  #warnAlloc(gfp: number, order: number, zoneIndex: number): void {
    if ((gfp & this.#gfp.NOWARN) !== 0) return;
    if (!this.#v6 && this.#guardMinOrder > 0) return;
    const memory = this.memory;
    const verdict = this.#warnRatelimit.check(memory.clock.ns);
    if (verdict.suppressedBefore > 0) memory.log.printk(`warn_alloc: ${verdict.suppressedBefore} callbacks suppressed`);
    if (!verdict.allowed) return;
    memory.log.printk(formatAllocFailure(this, gfp, order, zoneIndex, this.#counters?.(), this.#text).join('\n'));
  }

  /** `rmqueue()`: from the per-CPU list for small orders, else straight from the zone. */
  #rmqueue(zone: BuddyZone, order: number, migratetype: number, flags: number, gfp: number): number {
    const pfn =
      this.#pcpOrder[order] === 1
        ? this.#rmqueuePcplist(zone, order, migratetype, flags, gfp)
        : this.#rmqueueSmallOrFallback(zone, order, migratetype, flags);
    if (pfn >= 0) zone.allocatedPages += 1 << order;
    return pfn;
  }

  #rmqueuePcplist(zone: BuddyZone, order: number, migratetype: number, flags: number, gfp: number): number {
    const cpu = this.#current.cpu;
    const list = cpu * this.#pcpLists + (this.#v6 === true ? orderToPindex(migratetype, order) : migratetype);
    if (zone.pcp.length[list] === 0) {
      this.#rmqueueBulk(
        zone,
        order,
        migratetype,
        flags,
        this.#v6 === true ? this.#nrPcpAlloc(zone, cpu, order) : zone.pcpBatch,
        cpu,
        list,
      );
      if (zone.pcp.length[list] === 0) return -1;
    }
    // v4.8 hands out cache-cold pages (__GFP_COLD) from the list's tail.
    const pfn = this.#pcpTake(zone, cpu, list, (gfp & this.#gfp.COLD) !== 0);
    if (this.#v6 === true) zone.pcpFreeCount[cpu] = zone.pcpFreeCount[cpu]! >> 1;
    return pfn;
  }

  /**
   * `rmqueue_bulk()`: moves `count` blocks of `order` from the zone's free lists to a per-CPU list, as `count` calls
   * of `__rmqueue()` would, in the same order and leaving the free lists in the same state. Where `__rmqueue()` would
   * split a larger block and then take its pieces one after the other (the lower lists of the type are empty, or it
   * would not split), the pieces go to the per-CPU list directly and only what is left of the block is put back,
   * in the aligned blocks `expand()` would have left: one free list operation per block split instead of one per
   * piece. Guard pages (debug_guardpage_minorder) take the general path.
   */
  #rmqueueBulk(
    zone: BuddyZone,
    order: number,
    migratetype: number,
    flags: number,
    count: number,
    cpu: number,
    list: number,
  ): void {
    while (count > 0) {
      let current = order;
      let head = -1;
      for (; current < HotPath.NR_PAGE_ORDERS; current++) {
        head = this.#freeListHead(zone, current * MIGRATE_TYPES + migratetype);
        if (head >= 0) break;
      }
      if (head >= 0 && current === order) {
        count = this.#pcpAddFreeListRun(zone, order * MIGRATE_TYPES + migratetype, order, count, cpu, list);
        continue;
      }
      if (head < 0 || this.#guardMinOrder > 0) {
        const pfn = this.#rmqueueSmallOrFallback(zone, order, migratetype, flags);
        if (pfn < 0) return;
        this.#pcpAdd(zone, cpu, list, pfn, order, true);
        count--;
        continue;
      }
      this.#delFromFreeList(zone, head);
      const taken = Math.min(count, 1 << (current - order));
      const end = head + (1 << current);
      let pfn = head;
      this.#pcpAddRun(zone, cpu, list, pfn, taken, order);
      pfn += taken << order;
      count -= taken;
      // What is left, [pfn, end), in aligned blocks of increasing order: expand() put each on its (empty) list.
      for (let remainder = order; pfn < end; remainder++) {
        if ((pfn & (1 << remainder)) === 0) continue;
        this.#addToFreeList(zone, pfn, remainder, migratetype, false);
        pfn += 1 << remainder;
      }
    }
  }

  /**
   * {@link #rmqueueBulk}'s blocks from a free list of the wanted order: `__rmqueue_smallest()` takes the list's first
   * block while it has one (and `expand()` has nothing to split), so up to `count` blocks come off its head in a
   * row, each onto the tail of per-CPU list `pcpList` as {@link #pcpAdd} puts it. Returns `count` less the blocks
   * taken. (A list of order below MAX_PAGE_ORDER: its entries are pfns linked through refcount and mapcount.)
   */
  #pcpAddFreeListRun(
    zone: BuddyZone,
    freeList: number,
    order: number,
    count: number,
    cpu: number,
    pcpList: number,
  ): number {
    const flags = this.#flags;
    const next = this.#refcount;
    const previous = this.#mapcount;
    const pcp = zone.pcp;
    const word = HotPath.PCP_WORD | (order << HotPath.ORDER_SHIFT) | pcpList;
    let pfn = zone.freeHead[freeList]!;
    let taken = 0;
    while (taken < count && pfn >= 0) {
      const following = next[pfn]!;
      next[pfn] = 0;
      previous[pfn] = 0;
      flags[pfn] = word;
      pcp.pushBack(pcpList, pfn);
      taken++;
      pfn = following;
    }
    if (pfn >= 0) {
      previous[pfn] = -2 - freeList;
      zone.freeHead[freeList] = pfn;
    } else {
      zone.freeHead[freeList] = -1;
      zone.freeTail[freeList] = -1;
    }
    this.#countFree(zone, freeList, order, -taken);
    zone.pcpCount[cpu]! += taken << order;
    return count - taken;
  }

  /** v6.18 `nr_pcp_alloc()`: how many blocks to move to an empty per-CPU list. */
  #nrPcpAlloc(zone: BuddyZone, cpu: number, order: number): number {
    const baseBatch = zone.pcpBatch;
    let high = Math.min(Math.max(zone.pcpHigh[cpu]!, zone.pcpHighMin), zone.pcpHighMax);
    zone.pcpHigh[cpu] = high;
    if (high < baseBatch) return 1;
    let batch = order !== 0 ? baseBatch : baseBatch << zone.pcpAllocFactor[cpu]!;
    if (zone.pcpHighMin !== zone.pcpHighMax && zone.freePages >= zone.watermark.high) {
      high = Math.min(high + batch, zone.pcpHighMax);
      zone.pcpHigh[cpu] = high;
    }
    if (order === 0) {
      const maxAlloc = Math.max(high - zone.pcpCount[cpu]! - baseBatch, baseBatch);
      if (batch <= maxAlloc && zone.pcpAllocFactor[cpu]! < HotPath.PCP_BATCH_SCALE_MAX) zone.pcpAllocFactor[cpu]!++;
      batch = Math.min(batch, maxAlloc);
    }
    if (batch > 1) batch = Math.max(batch >> order, 2);
    return batch;
  }

  /** `__rmqueue()`: the smallest block of the wanted type, else a fallback from another type. */
  #rmqueueSmallOrFallback(zone: BuddyZone, order: number, migratetype: number, flags: number): number {
    const pfn = this.#rmqueueSmallest(zone, order, migratetype);
    if (pfn >= 0) return pfn;
    return this.#v6 === true
      ? this.#rmqueueClaimOrSteal(zone, order, migratetype, flags)
      : this.#rmqueueFallbackV4(zone, order, migratetype);
  }

  /** `__rmqueue_smallest()`. */
  #rmqueueSmallest(zone: BuddyZone, order: number, migratetype: number): number {
    for (let current = order; current < HotPath.NR_PAGE_ORDERS; current++) {
      const pfn = this.#freeListHead(zone, current * MIGRATE_TYPES + migratetype);
      if (pfn < 0) continue;
      this.#delFromFreeList(zone, pfn);
      this.#expand(zone, pfn, order, current, migratetype);
      return pfn;
    }
    return -1;
  }

  /** `find_suitable_fallback()`: a fallback type with a free block of this order, or -1. */
  #findFallback(zone: BuddyZone, order: number, migratetype: number): number {
    if (zone.nrFree[order] === 0) return -1;
    const row = fallbacks[migratetype]!;
    for (let index = 0; index < row.length; index++) {
      const type = row[index]!;
      if (zone.freeCount[order * MIGRATE_TYPES + type]! > 0) return type;
    }
    return -1;
  }

  /** v6.18 `__rmqueue_claim()` then `__rmqueue_steal()`. */
  #rmqueueClaimOrSteal(zone: BuddyZone, order: number, migratetype: number, flags: number): number {
    if (migratetype >= HotPath.MIGRATE_PCPTYPES) return -1;
    const minOrder =
      order < HotPath.PAGEBLOCK_ORDER && (flags & ALLOC_NOFRAGMENT) !== 0 ? HotPath.PAGEBLOCK_ORDER : order;
    for (let current = HotPath.MAX_PAGE_ORDER; current >= minOrder; current--) {
      if (!canClaimBlock(current, migratetype, HotPath.PAGEBLOCK_ORDER)) break;
      const fallback = this.#findFallback(zone, current, migratetype);
      if (fallback < 0) continue;
      const pfn = this.#tryToClaimBlock(
        zone,
        this.#freeListHead(zone, current * MIGRATE_TYPES + fallback),
        current,
        order,
        migratetype,
        fallback,
      );
      if (pfn >= 0) {
        this.stats.fallbacks++;
        return pfn;
      }
    }
    if ((flags & ALLOC_NOFRAGMENT) !== 0) return -1;
    for (let current = order; current < HotPath.NR_PAGE_ORDERS; current++) {
      const fallback = this.#findFallback(zone, current, migratetype);
      if (fallback < 0) continue;
      const pfn = this.#freeListHead(zone, current * MIGRATE_TYPES + fallback);
      this.#delFromFreeList(zone, pfn);
      this.#expand(zone, pfn, order, current, fallback);
      this.stats.fallbacks++;
      return pfn;
    }
    return -1;
  }

  /** v6.18 `try_to_claim_block()`. */
  #tryToClaimBlock(
    zone: BuddyZone,
    pfn: number,
    current: number,
    order: number,
    startType: number,
    blockType: number,
  ): number {
    if (current >= HotPath.PAGEBLOCK_ORDER) {
      this.#delFromFreeList(zone, pfn);
      for (let block = pfn; block < pfn + (1 << current); block += HotPath.PAGEBLOCK_NR_PAGES) {
        this.memory.setPageblockMigratetype(block, startType);
        this.stats.pageblocksClaimed++;
      }
      this.#expand(zone, pfn, order, current, startType);
      return pfn;
    }
    const blockStart = pfn - (pfn % HotPath.PAGEBLOCK_NR_PAGES);
    if (blockStart < zone.zone.startPfn || blockStart + HotPath.PAGEBLOCK_NR_PAGES > zone.zone.endPfn) return -1;
    const { free, movable } = this.#countBlock(blockStart);
    let alike = 0;
    if (startType === Migratetype.MOVABLE) alike = movable;
    else if (blockType === Migratetype.MOVABLE) alike = HotPath.PAGEBLOCK_NR_PAGES - (free + movable);
    if (free + alike < HotPath.PAGEBLOCK_NR_PAGES / 2) return -1;
    this.#moveFreeBlocks(zone, blockStart, startType);
    this.memory.setPageblockMigratetype(blockStart, startType);
    this.stats.pageblocksClaimed++;
    return this.#rmqueueSmallest(zone, order, startType);
  }

  /** `prep_move_freepages_block()`'s count: free pages (buddy blocks) and movable in-use pages (on the LRU). */
  #countBlock(blockStart: number): { free: number; movable: number } {
    const lru = 1 << this.profile.pageFlags.bit.lru;
    let free = 0;
    let movable = 0;
    for (let index = 0; index < HotPath.PAGEBLOCK_NR_PAGES; ) {
      const word = this.#word(blockStart + index);
      const state = word >>> HotPath.STATE_SHIFT;
      if (state === HotPath.STATE_BUDDY) {
        const size = 1 << ((word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK);
        free += size;
        index += size;
        continue;
      }
      if (state !== HotPath.STATE_PCP && state !== HotPath.STATE_GUARD && (word & lru) !== 0) movable++;
      index++;
    }
    return { free, movable };
  }

  /** `__move_freepages_block()`: moves every buddy block of the pageblock to `migratetype`'s lists. */
  #moveFreeBlocks(zone: BuddyZone, blockStart: number, migratetype: number): number {
    let moved = 0;
    for (let index = 0; index < HotPath.PAGEBLOCK_NR_PAGES; ) {
      const word = this.#word(blockStart + index);
      if (word >>> HotPath.STATE_SHIFT !== HotPath.STATE_BUDDY) {
        index++;
        continue;
      }
      const order = (word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK;
      if ((word & PAGE_FLAGS_MASK) !== migratetype) {
        this.#delFromFreeList(zone, blockStart + index);
        this.#addToFreeList(zone, blockStart + index, order, migratetype, true);
      }
      moved += 1 << order;
      index += 1 << order;
    }
    return moved;
  }

  /** v4.8 `__rmqueue_fallback()`: the largest block of a fallback type; steal its pageblock when allowed. */
  #rmqueueFallbackV4(zone: BuddyZone, order: number, startType: number): number {
    if (startType >= HotPath.MIGRATE_PCPTYPES) return -1;
    for (let current = HotPath.MAX_PAGE_ORDER; current >= order; current--) {
      const fallback = this.#findFallback(zone, current, startType);
      if (fallback < 0) continue;
      const pfn = this.#freeListHead(zone, current * MIGRATE_TYPES + fallback);
      if (canClaimBlock(current, startType, HotPath.PAGEBLOCK_ORDER)) {
        if (current >= HotPath.PAGEBLOCK_ORDER) {
          for (let block = pfn; block < pfn + (1 << current); block += HotPath.PAGEBLOCK_NR_PAGES) {
            this.memory.setPageblockMigratetype(block, startType);
            this.stats.pageblocksClaimed++;
          }
        } else {
          const blockStart = pfn - (pfn % HotPath.PAGEBLOCK_NR_PAGES);
          const inZone =
            blockStart >= zone.zone.startPfn && blockStart + HotPath.PAGEBLOCK_NR_PAGES <= zone.zone.endPfn;
          if (inZone && this.#moveFreeBlocks(zone, blockStart, startType) >= HotPath.PAGEBLOCK_NR_PAGES / 2) {
            this.memory.setPageblockMigratetype(blockStart, startType);
            this.stats.pageblocksClaimed++;
          }
        }
      }
      this.#delFromFreeList(zone, pfn);
      this.#expand(zone, pfn, order, current, startType);
      this.stats.fallbacks++;
      return pfn;
    }
    return -1;
  }

  /**
   * `expand()`: splits a block of order `high` down to `low`, putting the upper halves on the free lists of
   * `migratetype` (or making them guard pages below `debug_guardpage_minorder`).
   */
  #expand(zone: BuddyZone, pfn: number, low: number, high: number, migratetype: number): void {
    while (high > low) {
      high--;
      const buddy = pfn + (1 << high);
      if (high < this.#guardMinOrder) {
        this.#setGuard(zone, buddy, high, migratetype);
        continue;
      }
      this.#addToFreeList(zone, buddy, high, migratetype, false);
    }
  }

  #setGuard(zone: BuddyZone, pfn: number, order: number, migratetype: number): void {
    this.#flags[pfn] = (HotPath.GUARD_WORD | (order << HotPath.ORDER_SHIFT) | migratetype) >>> 0;
    zone.guardPages += 1 << order;
  }

  /** `prep_new_page()`: the block's head gets a reference; compound pages get their head and tails marked. */
  #prepNewPage(pfn: number, order: number, gfp: number): void {
    this.#refcount[pfn] = 1;
    this.#mapcount[pfn] = 0;
    let head = order << HotPath.ORDER_SHIFT;
    if (order > 0 && (gfp & this.#gfp.COMP) !== 0) {
      head |= this.#flagHead;
      this.#flags.fill(HotPath.TAIL_WORD, pfn + 1, pfn + (1 << order));
    }
    this.#flags[pfn] = head;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Free

  /**
   * `__free_pages(pfn, order)`: drops the caller's reference; at zero the block goes back through
   * `free_pages_prepare()` (the `free_prepare` hook, the bad-page checks) to a per-CPU list or the buddy lists.
   * Freeing a page that is not allocated, or one in a bad state, prints the kernel's `BUG: Bad page state` report
   * and leaves the free lists untouched.
   */
  freePages(pfn: number, order: number): void {
    if (order !== 0 || !this.#freePcpFast(pfn)) this.#freePagesSlow(pfn, order);
  }

  /** The general free path: any order, with the reference and bad-state checks. */
  #freePagesSlow(pfn: number, order: number): void {
    this.#checkFreeArguments(pfn, order);
    this.memory.materializeReserved(pfn, pfn + (1 << order));
    const word = this.#word(pfn);
    const state = word >>> HotPath.STATE_SHIFT;
    if (state !== PageState.none || this.#refcount[pfn]! <= 0) {
      this.#doubleFree(pfn, order, word);
      return;
    }
    const refcount = --this.#refcount[pfn]!;
    if (refcount > 0) {
      // ___free_pages(): someone else holds the head; a non-compound block frees its tail halves now.
      if ((word & this.#flagHead) === 0) {
        while (order-- > 0) this.#freeFrozen(pfn + (1 << order), order);
      }
      return;
    }
    this.#freeFrozen(pfn, order);
  }

  /** Throws unless `pfn` has a struct page and `order` is an order: a free of anything else is a caller's bug. */
  #checkFreeArguments(pfn: number, order: number): void {
    if (
      !Number.isInteger(pfn) ||
      !this.memory.pfnValid(pfn) ||
      !Number.isInteger(order) ||
      order < 0 ||
      order > HotPath.MAX_PAGE_ORDER
    ) {
      throw new RangeError(`__free_pages(pfn 0x${pfn.toString(16)}, order ${order}): no such page`);
    }
  }

  /**
   * The order-0 fast path: a page with one reference, clean flags and no mappings, in a pageblock that lies in one
   * zone and has a per-CPU type, goes straight onto the CPU's list, as the general path would put it. Anything else
   * returns false before changing anything.
   */
  #freePcpFast(pfn: number): boolean {
    // (A pfn outside the arrays reads undefined: its refcount is not 1, and the general path reports it.)
    if ((this.#flags[pfn]! & this.#fastFreeMask) !== 0 || this.#refcount[pfn] !== 1 || this.#mapcount[pfn] !== 0) {
      return false;
    }
    const block = pfn >>> HotPath.PAGEBLOCK_ORDER;
    const zoneId = this.#pageblockZone[block]!;
    const migratetype = this.#pageblockFlags[block]! & HotPath.PAGEBLOCK_MIGRATETYPE_MASK;
    if (zoneId < 0 || migratetype >= HotPath.MIGRATE_PCPTYPES) return false;
    this.#refcount[pfn] = 0;
    const hook = this.hooks.free_prepare;
    if (hook.count !== 0) hook.call(pfn, 0);
    this.#memcg.uncharge(pfn, 1);
    this.stats.frees++;
    this.stats.freedPages++;
    this.#freePcpOrderZero(this.zones[zoneId]!, pfn, migratetype);
    return true;
  }

  /**
   * `free_unref_page_commit()` (v4.8 `free_hot_cold_page()`) of an order-0 page: {@link #freePcp} for order 0, where
   * the list is the migratetype's in both eras and the v6.18 high-order bookkeeping does not apply.
   */
  #freePcpOrderZero(zone: BuddyZone, pfn: number, migratetype: number): void {
    const cpu = this.#current.cpu;
    const list = cpu * this.#pcpLists + migratetype;
    this.#flags[pfn] = HotPath.PCP_WORD | list;
    zone.pcp.pushFront(list, pfn);
    const count = ++zone.pcpCount[cpu]!;
    if (this.#v6 === false) {
      if (count >= zone.pcpHigh[cpu]!) this.#freePcppagesBulk(zone, cpu, zone.pcpBatch, 0);
      return;
    }
    zone.pcpAllocFactor[cpu] = zone.pcpAllocFactor[cpu]! >> 1;
    zone.pcpPrevFreeHighOrder[cpu] = 0;
    if (zone.pcpFreeCount[cpu]! < zone.pcpBatch << HotPath.PCP_BATCH_SCALE_MAX) zone.pcpFreeCount[cpu]!++;
    // nr_pcp_high() leaves a `high` inside [high_min, high_max] as it is while the zone is not below its high
    // watermark and the list is shorter than it.
    const high = zone.pcpHigh[cpu]!;
    if (count < high && zone.belowHigh === false && high >= zone.pcpHighMin && high <= zone.pcpHighMax) return;
    const tuned = this.#nrPcpHigh(zone, cpu, false);
    if (count >= tuned) this.#drainAfterFree(zone, cpu, tuned, false, migratetype);
  }

  /** `free_frozen_pages()`: the block has no references left. */
  #freeFrozen(pfn: number, order: number): void {
    if (!this.#freePagesPrepare(pfn, order)) return;
    const zone = this.#zoneOfFreed(pfn);
    const migratetype = this.#blockMigratetype(pfn);
    this.stats.frees++;
    this.stats.freedPages += 1 << order;
    if (this.#pcpOrder[order] === 0 || migratetype === Migratetype.ISOLATE) {
      this.#freeOnePage(zone, pfn, order, migratetype, false);
      return;
    }
    this.#freePcp(zone, pfn, order, migratetype >= HotPath.MIGRATE_PCPTYPES ? Migratetype.MOVABLE : migratetype);
  }

  /**
   * `free_pages_prepare()`: fires `free_prepare`, checks every page of the block (`free_page_is_bad()`), and
   * clears the flags. A page in a bad state is reported and the block is not freed (it leaks, as in the kernel).
   */
  #freePagesPrepare(pfn: number, order: number): boolean {
    const flags = this.#flags;
    const hook = this.hooks.free_prepare;
    if (hook.count !== 0) hook.call(pfn, order);
    this.#memcg.uncharge(pfn, 1 << order);
    const compound = (flags[pfn]! & this.#flagHead) !== 0;
    const end = pfn + (1 << order);
    if (!this.#blockInExpectedState(pfn, end, compound) && this.#reportBadPages(pfn, order, compound)) {
      this.stats.leakedPages += 1 << order;
      return false;
    }
    if (order === 0) {
      // (fill() is a call into the runtime: a page is cheaper stored.)
      flags[pfn] = 0;
      this.#mapcount[pfn] = 0;
    } else {
      flags.fill(0, pfn, end);
      this.#mapcount.fill(0, pfn, end);
    }
    return true;
  }

  /** `free_page_is_bad()` of each page of a block not in the expected state: reports each bad one; true if any. */
  #reportBadPages(pfn: number, order: number, compound: boolean): boolean {
    let bad = false;
    for (let page = pfn; page < pfn + (1 << order); page++) {
      const word = this.#flags[page]!;
      const state = word >>> HotPath.STATE_SHIFT;
      const tail = page !== pfn;
      if (tail && compound && state !== HotPath.STATE_TAIL) {
        this.#badPage(page, 'PageTail not set');
        bad = true;
        continue;
      }
      if (tail && state !== PageState.none && state !== HotPath.STATE_TAIL) {
        this.#badPage(page, state === HotPath.STATE_PCP ? 'nonzero _refcount' : 'nonzero mapcount');
        bad = true;
        continue;
      }
      const verdict = this.#badReason(page, word);
      if (verdict !== undefined) {
        this.#badPage(page, verdict.reason, verdict.badFlags, { at: 'free', order });
        bad = true;
      }
    }
    return bad;
  }

  /**
   * Whether every page of the block [pfn, end) is in the state the free check expects, so that none needs a
   * verdict: the head and the tails hold no references, no mappings and no flag checked at free, the head is not on
   * a free list, and every tail is a tail page (compound) or a plain page or a tail (not). One pass without
   * branches per page; any other block goes through the page-by-page check, which reports.
   */
  #blockInExpectedState(pfn: number, end: number, compound: boolean): boolean {
    const flags = this.#flags;
    const refcount = this.#refcount;
    const mapcount = this.#mapcount;
    const checked = this.#flagCheckAtFree;
    const head = flags[pfn]!;
    let unexpected =
      (head >>> HotPath.STATE_SHIFT === HotPath.STATE_BUDDY ? 1 : 0) |
      (head & checked) |
      refcount[pfn]! |
      (mapcount[pfn]! > 0 ? 1 : 0);
    let states = 0;
    for (let page = pfn + 1; page < end; page++) {
      const word = flags[page]!;
      states |= 1 << (word >>> HotPath.STATE_SHIFT);
      unexpected |= (word & checked) | refcount[page]! | (mapcount[page]! > 0 ? 1 : 0);
    }
    const allowed = compound ? 1 << HotPath.STATE_TAIL : (1 << PageState.none) | (1 << HotPath.STATE_TAIL);
    return unexpected === 0 && (states & ~allowed) === 0;
  }

  /**
   * `_mapcount` as the free check reads it: a typed page's type (v4.8 PageBuddy's -128; v6.18 resets any page type
   * to -1 in `free_pages_prepare()` before checking), else the mappings' count, -1 for none.
   */
  #checkedMapcount(pfn: number, word: number): number {
    const state = word >>> HotPath.STATE_SHIFT;
    if (state === HotPath.STATE_BUDDY) return this.#v6 ? -1 : PAGE_BUDDY_MAPCOUNT_VALUE;
    const raw = this.#mapcount[pfn]!;
    return raw < 0 ? -1 : raw - 1;
  }

  /** `free_page_is_bad()` / `page_bad_reason()` of one page at free, or undefined for a page in the expected state. */
  #badReason(pfn: number, word: number): PageBadVerdict | undefined {
    return pageBadReason(
      this.profile.era,
      {
        mapcount: this.#checkedMapcount(pfn, word),
        mapping: false,
        refcount: this.#refcount[pfn]!,
        flags: word & PAGE_FLAGS_MASK,
      },
      'free',
      this.#flagCheckAtFree,
    );
  }

  /**
   * A free of a block that is already free (on the buddy or per-CPU lists, a guard or tail page) or has no
   * reference: `__free_pages()` drops the reference first (`put_page_testzero()`), so the page's `_refcount` goes
   * to -1, and the check finds `nonzero _refcount` (v4.8 PageBuddy's `_mapcount` fails it first: `nonzero
   * mapcount`). The kernel reports it when the page is next allocated (`check_new_pages()`); mmsim reports it at
   * the second free, with the count at -1, and changes nothing: the free lists stay as they were.
   */
  #doubleFree(pfn: number, order: number, word: number): void {
    const state = word >>> HotPath.STATE_SHIFT;
    // Free pages keep no count in the allocator's arrays (their words hold the free lists): a free one has 0.
    const refcount = (state === HotPath.STATE_BUDDY || state === HotPath.STATE_PCP ? 0 : this.#refcount[pfn]!) - 1;
    const verdict = pageBadReason(
      this.profile.era,
      {
        mapcount:
          state === HotPath.STATE_BUDDY
            ? this.#v6
              ? pageTypeMapcount(pageTypeCodes.buddy!)
              : PAGE_BUDDY_MAPCOUNT_VALUE
            : state === HotPath.STATE_GUARD && this.#v6
              ? pageTypeMapcount(pageTypeCodes.guard!)
              : -1,
        mapping: false,
        refcount,
        flags: word & PAGE_FLAGS_MASK,
      },
      'free',
      this.#flagCheckAtFree,
    );
    if (verdict !== undefined) this.#badPage(pfn, verdict.reason, verdict.badFlags, { at: 'free', order }, refcount);
  }

  /** `bad_page()`: the report (rate-limited: 60 a minute), the taint, and nothing else. */
  #badPage(pfn: number, reason: string, badFlags = 0, site: BadPageSite = { at: 'free' }, refcount?: number): void {
    this.stats.badPages++;
    const memory = this.memory;
    const limit = this.#badPageRatelimit;
    const now = memory.clock.ns;
    if (limit.shown === 60) {
      if (now < limit.resumeNs) {
        limit.unshown++;
        memory.taint.add(Taint.BAD_PAGE);
        return;
      }
      if (limit.unshown > 0) {
        memory.log.printk(`BUG: Bad page state: ${limit.unshown} messages suppressed`);
        limit.unshown = 0;
      }
      limit.shown = 0;
    }
    if (limit.shown++ === 0) limit.resumeNs = now + 60e9;
    const lines = formatBadPage(this, pfn, reason, badFlags, site, this.#text, refcount);
    memory.taint.add(Taint.BAD_PAGE);
    if (this.#lockDebuggingOn) {
      this.#lockDebuggingOn = false;
      lines.push('Disabling lock debugging due to kernel taint');
    }
    memory.log.printk(lines.join('\n'));
  }

  /** `free_unref_page_commit()` (v4.8 `free_hot_cold_page()`): onto the CPU's list, draining it when too long. */
  #freePcp(zone: BuddyZone, pfn: number, order: number, migratetype: number): void {
    if (order === 0) {
      this.#freePcpOrderZero(zone, pfn, migratetype);
      return;
    }
    const cpu = this.#current.cpu;
    const pindex = this.#v6 === true ? orderToPindex(migratetype, order) : migratetype;
    const list = cpu * this.#pcpLists + pindex;
    if (this.#v6 === false) {
      this.#pcpAdd(zone, cpu, list, pfn, order, false);
      if (zone.pcpCount[cpu]! >= zone.pcpHigh[cpu]!) this.#freePcppagesBulk(zone, cpu, zone.pcpBatch, 0);
      return;
    }
    const batch = zone.pcpBatch;
    zone.pcpAllocFactor[cpu] = zone.pcpAllocFactor[cpu]! >> 1;
    this.#pcpAdd(zone, cpu, list, pfn, order, false);
    let freeHigh = false;
    if (order >= 1 && order <= PAGE_ALLOC_COSTLY_ORDER) {
      // PCPF_FREE_HIGH_BATCH is assumed set: a CPU's cache slice holds more than three batches.
      freeHigh =
        zone.pcpFreeCount[cpu]! >= batch + zone.pcpHighMin / 2 &&
        zone.pcpPrevFreeHighOrder[cpu] === 1 &&
        zone.pcpCount[cpu]! >= batch;
      zone.pcpPrevFreeHighOrder[cpu] = 1;
    } else {
      zone.pcpPrevFreeHighOrder[cpu] = 0;
    }
    if (zone.pcpFreeCount[cpu]! < batch << HotPath.PCP_BATCH_SCALE_MAX) zone.pcpFreeCount[cpu]! += 1 << order;
    const high = this.#nrPcpHigh(zone, cpu, freeHigh);
    if (zone.pcpCount[cpu]! >= high) this.#drainAfterFree(zone, cpu, high, freeHigh, pindex);
  }

  /** The end of v6.18 `free_unref_page_commit()`: a CPU's lists reached `high`; gives back a batch or more. */
  #drainAfterFree(zone: BuddyZone, cpu: number, high: number, freeHigh: boolean, pindex: number): void {
    this.#freePcppagesBulk(zone, cpu, this.#nrPcpFree(zone, cpu, high, freeHigh), pindex);
    if (zone.belowHigh === true && this.#watermarkOk(zone, 0, ALLOC_WMARK_HIGH, this.profile.arch.movableZoneIndex)) {
      zone.belowHigh = false;
      this.#zoneGeneration++;
    }
  }

  /** v6.18 `nr_pcp_high()` (no reclaim in mmsim, so no ZONE_RECLAIM_ACTIVE). */
  #nrPcpHigh(zone: BuddyZone, cpu: number, freeHigh: boolean): number {
    const { pcpHighMin: highMin, pcpHighMax: highMax, pcpBatch: batch } = zone;
    const high = Math.min(Math.max(zone.pcpHigh[cpu]!, highMin), highMax);
    zone.pcpHigh[cpu] = high;
    if (high === 0) return 0;
    if (freeHigh) {
      zone.pcpHigh[cpu] = Math.max(high - (batch << HotPath.PCP_BATCH_SCALE_MAX), highMin);
      return 0;
    }
    if (highMin === highMax) return high;
    if (zone.belowHigh === true) {
      const freeCount = Math.max(zone.pcpFreeCount[cpu]!, batch);
      zone.pcpHigh[cpu] = Math.max(high - freeCount, highMin);
      return Math.max(zone.pcpCount[cpu]!, highMin);
    }
    if (zone.pcpCount[cpu]! >= high) {
      const need = zone.pcpFreeCount[cpu]! + batch;
      if (zone.pcpHigh[cpu]! < need) zone.pcpHigh[cpu] = Math.min(Math.max(need, highMin), highMax);
    }
    return high;
  }

  /** v6.18 `nr_pcp_free()`: at least a batch, more after a run of frees, leaving a batch on the list. */
  #nrPcpFree(zone: BuddyZone, cpu: number, high: number, freeHigh: boolean): number {
    const batch = zone.pcpBatch;
    if (freeHigh) return Math.min(zone.pcpCount[cpu]!, batch << HotPath.PCP_BATCH_SCALE_MAX);
    if (high < batch) return 1;
    return Math.min(Math.max(zone.pcpFreeCount[cpu]!, batch), high - batch);
  }

  /**
   * `free_pcppages_bulk()`: returns `count` pages from a CPU's lists to the buddy lists, each from a list's cold
   * end. v4.8 takes a few pages from each list in turn (starting with Movable); v6.18 starts with the list just
   * freed to and empties a list before moving to the next.
   */
  #freePcppagesBulk(zone: BuddyZone, cpu: number, count: number, startPindex: number): void {
    const lists = this.#pcpLists;
    const base = cpu * lists;
    if (this.#v6 === true) {
      count = Math.min(count, zone.pcpCount[cpu]!);
      let pindex = startPindex - 1;
      while (count > 0) {
        do {
          if (++pindex > lists - 1) pindex = 0;
        } while (zone.pcp.length[base + pindex] === 0);
        const order = pindexToOrder(pindex);
        if (order === 0) {
          count = this.#drainOrderZero(zone, cpu, base + pindex, count, -1);
          continue;
        }
        do {
          const pfn = this.#pcpTake(zone, cpu, base + pindex, true);
          count -= 1 << order;
          this.#freeOneBlock(zone, pfn, order, this.#blockMigratetype(pfn), false);
        } while (count > 0 && zone.pcp.length[base + pindex]! > 0);
      }
      return;
    }
    let migratetype = 0;
    let batchFree = 0;
    while (count > 0 && zone.pcpCount[cpu]! > 0) {
      do {
        batchFree++;
        if (++migratetype === lists) migratetype = 0;
      } while (zone.pcp.length[base + migratetype] === 0);
      if (batchFree === lists) batchFree = count;
      const pages = Math.min(count, batchFree, zone.pcp.length[base + migratetype]!);
      // v4.8 frees to the type the page had when it was freed, which is its list.
      this.#drainOrderZero(zone, cpu, base + migratetype, pages, migratetype);
      count -= pages;
      batchFree -= pages;
    }
  }

  /**
   * `count` order-0 pages from the cold end of a per-CPU list to the buddy lists (at most the list's length);
   * returns `count` less the pages freed. The pages go through `__free_one_page()` in the order they come off the
   * list, except that a run of them with consecutive pfns inside one pageblock is freed as the aligned blocks it
   * is made of, in ascending order: what freeing its pages one by one leaves (each aligned block's pages merge with
   * each other before anything outside it, and the run's later pages are not free meanwhile), with one merge per
   * block instead of one per page. `migratetype` is the type to free to, or -1 for each pageblock's own (v6.18).
   */
  #drainOrderZero(zone: BuddyZone, cpu: number, list: number, count: number, migratetype: number): number {
    const pcp = zone.pcp;
    const flags = this.#flags;
    const pages = Math.min(count, pcp.length[list]!);
    zone.pcpCount[cpu]! -= pages;
    // Read where they are: nothing the loop calls adds to a per-CPU list.
    const ring = pcp.ring(list);
    const mask = ring.length - 1;
    const tail = pcp.dropTail(list, pages);
    let runStart = -1;
    let runEnd = -1;
    for (let page = 0; page < pages; page++) {
      // #pcpTake() of an order-0 page.
      const pfn = ring[(tail - page) & mask]!;
      flags[pfn] = 0;
      if (pfn === runEnd && (pfn & (HotPath.PAGEBLOCK_NR_PAGES - 1)) !== 0) {
        runEnd++;
        continue;
      }
      if (runStart >= 0) this.#freeRun(zone, runStart, runEnd, migratetype);
      runStart = pfn;
      runEnd = pfn + 1;
    }
    if (runStart >= 0) this.#freeRun(zone, runStart, runEnd, migratetype);
    return count - pages;
  }

  /** Frees the order-0 pages [start, end), inside one pageblock, as their aligned blocks (see #drainOrderZero). */
  #freeRun(zone: BuddyZone, start: number, end: number, migratetype: number): void {
    const type = migratetype >= 0 ? migratetype : this.#blockMigratetype(start);
    for (let pfn = start; pfn < end; ) {
      const order = alignedOrder(pfn, end, HotPath.PAGEBLOCK_ORDER);
      this.#freeOneBlock(zone, pfn, order, type, false);
      pfn += 1 << order;
    }
  }

  /**
   * Compaction's free scanner (`isolate_freepages_block()`: `__isolate_free_page()`, then `split_map_pages()`):
   * takes the free block whose head is `pfn` off its free list and hands its pages out as order-0 allocations, each
   * through `post_alloc_hook` with `__GFP_MOVABLE`. Returns the block's order, or -1 when `pfn` is not the head of
   * a free block (per-CPU pages are not: drain them first). The zone's watermarks are not checked.
   */
  isolateFreeBlock(pfn: number): number {
    if (!this.memory.pfnValid(pfn)) return -1;
    const word = this.#word(pfn);
    if (word >>> HotPath.STATE_SHIFT !== HotPath.STATE_BUDDY) return -1;
    const order = (word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK;
    const zone = this.zones[this.memory.zoneOf(pfn)!.id]!;
    this.#delFromFreeList(zone, pfn);
    for (let page = pfn; page < pfn + (1 << order); page++) {
      this.#prepNewPage(page, 0, this.#gfp.MOVABLE);
      this.hooks.post_alloc.call(page, 0, this.#gfp.MOVABLE);
    }
    return order;
  }

  /**
   * Allocates exactly the block of 2^order pages at `pfn` (for replaying a real trace, where the kernel's choice is
   * known): the free block containing it is taken off its list and split, the other halves going back, and the
   * block is prepared and handed out through `post_alloc_hook` with `gfp`. Returns false, changing nothing but
   * draining the per-CPU lists, when the pages are not all free.
   */
  allocExact(pfn: number, order: number, gfp: number): boolean {
    if (pfn < 0 || pfn % 2 ** order !== 0) return false;
    if ((this.#flags[pfn] ?? 0) >>> HotPath.STATE_SHIFT === HotPath.STATE_PCP) this.drainAllPages();
    const found = this.freeBlockOf(pfn);
    if (found === undefined || found.order < order) return false;
    const zone = this.zones[this.memory.zoneOf(found.head)!.id]!;
    this.#delFromFreeList(zone, found.head);
    let head = found.head;
    for (let current = found.order; current > order; current--) {
      const half = 2 ** (current - 1);
      // Keep the half holding pfn; the other goes back to the free lists.
      if (pfn >= head + half) {
        this.#addToFreeList(zone, head, current - 1, found.migratetype, false);
        head += half;
      } else {
        this.#addToFreeList(zone, head + half, current - 1, found.migratetype, false);
      }
    }
    this.#prepNewPage(pfn, order, gfp);
    this.stats.allocations++;
    this.hooks.post_alloc.call(pfn, order, gfp);
    return true;
  }

  /**
   * mmsim's, for replaying a real trace: takes `count` pages from `pfn` out of the allocator without a hook, as if
   * something outside the simulation held them (the pages a trace will allocate, kept from the simulation's own
   * allocations until then). Each free page is split out of its buddy block; it becomes PageReserved, so the
   * page_owner sweep and the mixed-block count pass over it. Pages that are not free are left alone. Returns the
   * pages held.
   */
  holdFreePages(pfn: number, count: number): number {
    const reserved = 1 << this.profile.pageFlags.bit.reserved;
    let held = 0;
    for (let page = pfn; page < pfn + count; page++) {
      if ((this.#flags[page] ?? 0) >>> HotPath.STATE_SHIFT === HotPath.STATE_PCP) this.drainAllPages();
      const found = this.freeBlockOf(page);
      if (found === undefined) continue;
      const zone = this.zones[this.memory.zoneOf(found.head)!.id]!;
      this.#delFromFreeList(zone, found.head);
      // Give back every part of the block but the page.
      let head = found.head;
      for (let order = found.order; order > 0; order--) {
        const half = 2 ** (order - 1);
        const other = page >= head + half ? head : head + half;
        this.#addToFreeList(zone, other, order - 1, found.migratetype, false);
        if (page >= head + half) head += half;
      }
      this.#flags[page] = reserved;
      this.#refcount[page] = 0;
      this.#mapcount[page] = 0;
      this.#markHeld(page);
      held++;
    }
    return held;
  }

  /** Whether `pfn` is held by {@link holdFreePages}. */
  isHeld(pfn: number): boolean {
    return this.#held[pfn >>> this.#shift]?.[pfn & this.#mask] === 1;
  }

  #markHeld(pfn: number): void {
    let marks = this.#held[pfn >>> this.#shift];
    if (marks === undefined) {
      marks = new Uint8Array(this.#mask + 1);
      this.#held[pfn >>> this.#shift] = marks;
    }
    marks[pfn & this.#mask] = 1;
  }

  /** Clears a held page's mark and its PageReserved. */
  #unhold(pfn: number): void {
    this.#held[pfn >>> this.#shift]![pfn & this.#mask] = 0;
    this.#flags[pfn] = 0;
  }

  /**
   * mmsim's, for replaying a real trace: allocates the 2^order held pages at `pfn` (see {@link holdFreePages}),
   * preparing them and firing `post_alloc_hook` with `gfp` as an allocation would. Returns false, changing nothing,
   * unless every page is held.
   */
  allocHeld(pfn: number, order: number, gfp: number): boolean {
    if (pfn < 0 || pfn % 2 ** order !== 0) return false;
    for (let page = pfn; page < pfn + 2 ** order; page++) if (!this.isHeld(page)) return false;
    for (let page = pfn; page < pfn + 2 ** order; page++) this.#unhold(page);
    this.#prepNewPage(pfn, order, gfp);
    this.stats.allocations++;
    this.hooks.post_alloc.call(pfn, order, gfp);
    return true;
  }

  /**
   * mmsim's, for replaying a real trace: frees an allocated block as {@link freePages} does (the reference, the
   * `free_prepare` hook, the bad-page checks), but instead of going back to the free lists its pages stay held, as
   * {@link holdFreePages} holds them. Returns false when the block could not be freed (a bad page, reported).
   */
  freeAndHold(pfn: number, order: number): boolean {
    this.#checkFreeArguments(pfn, order);
    this.memory.materializeReserved(pfn, pfn + (1 << order));
    const word = this.#word(pfn);
    if (word >>> HotPath.STATE_SHIFT !== PageState.none || this.#refcount[pfn]! !== 1) {
      this.#doubleFree(pfn, order, word);
      return false;
    }
    this.#refcount[pfn] = 0;
    if (!this.#freePagesPrepare(pfn, order)) return false;
    this.stats.frees++;
    this.stats.freedPages += 1 << order;
    const reserved = 1 << this.profile.pageFlags.bit.reserved;
    for (let page = pfn; page < pfn + (1 << order); page++) {
      this.#flags[page] = reserved;
      this.#refcount[page] = 0;
      this.#markHeld(page);
    }
    return true;
  }

  /** mmsim's: gives held pages back to the free lists, without a hook (nothing allocated them). */
  releaseHeldPages(pfn: number, count: number): number {
    let released = 0;
    for (let page = pfn; page < pfn + count; page++) {
      if (!this.isHeld(page)) continue;
      this.#unhold(page);
      const zone = this.zones[this.memory.zoneOf(page)!.id]!;
      this.#freeOnePage(zone, page, 0, this.memory.pageblockMigratetype(page), false);
      released++;
    }
    return released;
  }

  /**
   * The free buddy block that holds `pfn` (`is_free_buddy_page()`): its head, order and migratetype, or undefined
   * when the page is not in one (allocated, on a per-CPU list, a guard page, no memory).
   */
  freeBlockOf(pfn: number): { head: number; order: number; migratetype: number } | undefined {
    const head = this.freeBlockHead(pfn);
    if (head < 0) return undefined;
    const word = this.#word(head);
    return { head, order: (word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK, migratetype: word & PAGE_FLAGS_MASK };
  }

  /**
   * The head of the free buddy block that holds `pfn`, or -1: {@link freeBlockOf} without making an object, for
   * walks over every pfn (`/proc/kpageflags`).
   */
  freeBlockHead(pfn: number): number {
    // A section holds whole MAX_PAGE_ORDER blocks, so every head tried is valid when pfn is.
    if (pfn < 0 || !this.memory.pfnValid(pfn)) return -1;
    if (pfn >= PER_PAGE_PFNS) {
      // Above the per-page window only free MAX_PAGE_ORDER blocks are free (see PER_PAGE_PFNS).
      const head = pfn - (pfn % MAX_ORDER_NR_PAGES);
      return this.memory.freeMaxOrderHeadWord(head) !== 0 ? head : -1;
    }
    for (let order = 0; order <= HotPath.MAX_PAGE_ORDER; order++) {
      const head = pfn & -(1 << order);
      const word = this.#word(head);
      if (
        word >>> HotPath.STATE_SHIFT === HotPath.STATE_BUDDY &&
        ((word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK) >= order
      )
        return head;
    }
    return -1;
  }

  /**
   * `start_isolate_page_range()` (memory offlining): the pageblocks of [start, end) become `MIGRATE_ISOLATE` and their
   * free blocks move to the isolate lists, so nothing there can be allocated, and pages freed there afterwards stay
   * on those lists. Each pageblock's migratetype before is kept for {@link undoIsolateRange}. Whether the range
   * holds unmovable pages (`has_unmovable_pages()`) is the caller's check.
   */
  isolateRange(start: number, end: number): void {
    // Nothing above the per-page window can move lists (see PER_PAGE_PFNS): refused before anything changes.
    if (end > PER_PAGE_PFNS && this.memory.maxPfn > PER_PAGE_PFNS) {
      throw beyondPerPageWindow(Math.max(start, PER_PAGE_PFNS));
    }
    this.drainAllPages();
    for (let block = start; block < end; block += HotPath.PAGEBLOCK_NR_PAGES) {
      const zone = this.memory.pfnValid(block) ? this.memory.zoneOf(block) : undefined;
      if (zone === undefined) continue;
      const type = this.memory.pageblockMigratetype(block);
      if (type !== Migratetype.ISOLATE) this.#typeBeforeIsolation.set(block, type);
      this.memory.setPageblockMigratetype(block, Migratetype.ISOLATE);
      this.#moveFreeBlocks(this.zones[zone.id]!, block, Migratetype.ISOLATE);
    }
  }

  /**
   * `undo_isolate_page_range()` (mm/page_isolation.c `unset_migratetype_isolate()`): the isolated pageblocks of
   * [start, end) get their migratetype back (v6.18 clears the `PB_migrate_isolate` bit and the type under it shows
   * again; v4.8 is given MIGRATE_MOVABLE), and each one's free blocks move to that type's lists, at the tail
   * (`pageblock_unisolate_and_move_free_pages()`). The kernel also merges a free block of pageblock order or more
   * with a buddy outside the isolated range; a range of whole sections, as memory offlining isolates, has none.
   */
  undoIsolateRange(start: number, end: number): void {
    for (let block = start; block < end; block += HotPath.PAGEBLOCK_NR_PAGES) {
      if (!this.memory.pfnValid(block) || this.memory.pageblockMigratetype(block) !== Migratetype.ISOLATE) continue;
      const before = this.#typeBeforeIsolation.get(block) ?? Migratetype.MOVABLE;
      this.#typeBeforeIsolation.delete(block);
      const type = this.#v6 ? before : Migratetype.MOVABLE;
      this.memory.setPageblockMigratetype(block, type);
      this.#moveFreeBlocks(this.zones[this.memory.zoneOf(block)!.id]!, block, type);
    }
  }

  /**
   * `test_pages_isolated()` in memory-offline mode (mm/page_isolation.c): every pageblock of [start, end) is
   * isolated and every page is free (a buddy block, on the isolate lists) or already `PageOffline` with no
   * reference. Per-CPU pages, guard pages and pages in use fail it.
   */
  testPagesIsolated(start: number, end: number): boolean {
    const memory = this.memory;
    for (let block = start; block < end; block += HotPath.PAGEBLOCK_NR_PAGES) {
      if (memory.pfnValid(block) && memory.pageblockMigratetype(block) !== Migratetype.ISOLATE) return false;
    }
    for (let pfn = start; pfn < end; ) {
      if (!this.memory.pfnValid(pfn)) return false;
      const word = this.#word(pfn);
      if (word >>> HotPath.STATE_SHIFT === HotPath.STATE_BUDDY) {
        pfn += 1 << ((word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK);
        continue;
      }
      if (!this.#isOfflinePage(pfn, word)) return false;
      pfn++;
    }
    return true;
  }

  /**
   * `PageOffline()` with a zero refcount (`word` is the page's): a page memory offlining already took (or never gave
   * back).
   */
  #isOfflinePage(pfn: number, word: number): boolean {
    return (
      word >>> HotPath.STATE_SHIFT === PageState.none &&
      this.#refcount[pfn] === 0 &&
      this.#mapcount[pfn] === -PageType.offline
    );
  }

  /**
   * `__offline_isolated_pages()` (mm/page_alloc.c): marks the sections of [start, end) offline
   * (`offline_mem_sections()`) and takes every free block of the isolated range off the lists for good; its pages
   * become `PageOffline` (mmsim's mark: the kernel leaves them without a type, then poisons them under DEBUG_VM).
   * Returns the pages the caller must take from the zone's managed pages: the range's pages but those that were
   * already `PageOffline` (v6.11+). The range must pass {@link testPagesIsolated} (the kernel BUG()s otherwise):
   * this throws before changing anything when it does not.
   */
  offlineIsolatedPages(start: number, end: number): number {
    if (!this.testPagesIsolated(start, end)) {
      throw new RangeError(
        `__offline_isolated_pages(0x${start.toString(16)}, 0x${end.toString(16)}): a page there is neither free ` +
          'on an isolated pageblock nor offline',
      );
    }
    this.memory.offlineMemSections(start, end);
    let alreadyOffline = 0;
    for (let pfn = start; pfn < end; ) {
      const word = this.#word(pfn);
      if (word >>> HotPath.STATE_SHIFT !== HotPath.STATE_BUDDY) {
        alreadyOffline++;
        pfn++;
        continue;
      }
      const order = (word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK;
      this.#delFromFreeList(this.zones[this.memory.zoneOf(pfn)!.id]!, pfn);
      for (let page = pfn; page < pfn + (1 << order); page++) {
        this.#flags[page] = 0;
        this.#refcount[page] = 0;
        this.#mapcount[page] = -PageType.offline;
      }
      pfn += 1 << order;
    }
    return end - start - alreadyOffline;
  }

  /**
   * `adjust_managed_page_count()` (mm/page_alloc.c): adds `count` (negative to remove) to the managed pages of the
   * zone of `pfn`, and so to `totalram_pages()` (MemTotal), which is their sum.
   */
  adjustManagedPageCount(pfn: number, count: number): void {
    this.memory.zoneOf(pfn)!.managedPages += count;
  }

  /** Returns every per-CPU page of every zone to the buddy lists (`drain_all_pages(NULL)`). */
  drainAllPages(): void {
    for (const zone of this.zones) {
      for (let cpu = 0; cpu < this.memory.cpus; cpu++) {
        if (zone.pcpCount[cpu]! > 0) this.#freePcppagesBulk(zone, cpu, zone.pcpCount[cpu]!, 0);
      }
    }
  }

  /**
   * `free_one_page()`: v6.18 (`split_large_buddy()`) frees a block larger than a pageblock one pageblock at a time,
   * each with its own pageblock's migratetype; v4.8 frees it whole.
   */
  #freeOnePage(zone: BuddyZone, pfn: number, order: number, migratetype: number, toTail: boolean): void {
    if (this.#v6 === false || order <= HotPath.PAGEBLOCK_ORDER) {
      this.#freeOneBlock(zone, pfn, order, migratetype, toTail);
      return;
    }
    // v6.18 split_large_buddy() frees pageblock by pageblock, each with its own type. When every pageblock has the
    // same type, the pageblocks merge straight back into this block, which lands where it would have: free it
    // whole (and touch no page but its head).
    const end = pfn + (1 << order);
    const first = this.memory.pageblockMigratetype(pfn);
    let uniform = true;
    for (let block = pfn + HotPath.PAGEBLOCK_NR_PAGES; block < end && uniform; block += HotPath.PAGEBLOCK_NR_PAGES) {
      uniform = this.memory.pageblockMigratetype(block) === first;
    }
    if (uniform && first < HotPath.MIGRATE_PCPTYPES) {
      this.#freeOneBlock(zone, pfn, order, first, toTail);
      return;
    }
    for (let block = pfn; block < end; block += HotPath.PAGEBLOCK_NR_PAGES) {
      this.#freeOneBlock(zone, block, HotPath.PAGEBLOCK_ORDER, this.memory.pageblockMigratetype(block), toTail);
    }
  }

  /**
   * `__free_one_page()`: merges the block with its free buddies as far as they go, then puts it on the free list
   * of `migratetype` (at the tail when a merge one order up looks likely, or for boot memory).
   */
  #freeOneBlock(zone: BuddyZone, pfn: number, order: number, migratetype: number, toTail: boolean): void {
    const start = zone.zone.startPfn;
    const end = zone.zone.endPfn;
    const flags = this.#flags;
    let buddy = 0;
    while (order < HotPath.MAX_PAGE_ORDER) {
      buddy = pfn ^ (1 << order);
      // page_is_buddy(), read once: the buddy's word says whether it is free (or a guard block) and of what order.
      // (A pfn in a hole has a zero word: no page is free there.)
      if (buddy < start || buddy >= end) break;
      const word = flags[buddy]!;
      const state = word >>> HotPath.STATE_SHIFT;
      if (
        (state !== HotPath.STATE_BUDDY && state !== HotPath.STATE_GUARD) ||
        ((word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK) !== order
      )
        break;
      if (order >= HotPath.PAGEBLOCK_ORDER && this.#v6 === true) {
        const buddyType = this.memory.pageblockMigratetype(buddy);
        if (
          buddyType !== migratetype &&
          (migratetype >= HotPath.MIGRATE_PCPTYPES || buddyType >= HotPath.MIGRATE_PCPTYPES)
        )
          break;
        if (buddyType !== migratetype) {
          for (let block = buddy; block < buddy + (1 << order); block += HotPath.PAGEBLOCK_NR_PAGES) {
            this.memory.setPageblockMigratetype(block, migratetype);
          }
        }
      }
      if (state === HotPath.STATE_GUARD) {
        zone.guardPages -= 1 << order;
      } else {
        // del_page_from_free_list() of a block below MAX_PAGE_ORDER (its word is stored): no lookup again.
        this.#unlink(this.#refcount, this.#mapcount, zone, buddy);
        this.#countFree(zone, order * MIGRATE_TYPES + (word & PAGE_FLAGS_MASK), order, -1);
      }
      flags[buddy] = 0;
      pfn &= buddy;
      order++;
    }
    if (!toTail && order < HotPath.MAX_PAGE_ORDER - 1) {
      // buddy_merge_likely(): if the buddy one order up is free, ours may be freed soon too.
      const higher = pfn & buddy;
      toTail = this.#isFreeBuddy(higher ^ (1 << (order + 1)), order + 1, start, end);
    }
    this.#addToFreeList(zone, pfn, order, migratetype, toTail);
  }

  /** `page_is_buddy()`: a free block (or guard block) of exactly this order, in this zone. */
  #isFreeBuddy(pfn: number, order: number, zoneStart: number, zoneEnd: number): boolean {
    if (pfn < zoneStart || pfn >= zoneEnd) return false;
    const word = this.#flags[pfn]!;
    const state = word >>> HotPath.STATE_SHIFT;
    return (
      (state === HotPath.STATE_BUDDY || state === HotPath.STATE_GUARD) &&
      ((word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK) === order
    );
  }

  // ---------------------------------------------------------------------------------------------------------
  // split_page, freeing reserved memory, inspection

  /**
   * `split_page()`: turns an allocated non-compound block of 2^order pages into 2^order order-0 pages, each with
   * its own reference, and fires `split(pfn, order, 0)`.
   */
  splitPage(pfn: number, order: number): void {
    const valid = this.memory.pfnValid(pfn);
    if (valid) this.memory.materializeReserved(pfn, pfn + (1 << order));
    const word = valid ? this.#flags[pfn]! : 0;
    if (!valid || word >>> HotPath.STATE_SHIFT !== PageState.none || this.#refcount[pfn]! <= 0) {
      throw new RangeError(`split_page(pfn 0x${pfn.toString(16)}): not an allocated page`);
    }
    if ((word & this.#flagHead) !== 0) throw new RangeError(`split_page(pfn 0x${pfn.toString(16)}): compound page`);
    this.#flags[pfn] = word & PAGE_FLAGS_MASK;
    this.#refcount.fill(1, pfn + 1, pfn + (1 << order));
    const hook = this.hooks.split;
    if (hook.count !== 0) hook.call(pfn, order, 0);
  }

  /**
   * `make_alloc_exact()` of `alloc_pages_exact()`: keeps the first `pages` pages of an allocated non-compound block
   * of 2^order, each with its own reference, and frees the others one by one from the lowest. v6.18 frees each with
   * `__free_pages_ok(page, 0, FPI_TO_TAIL)`: straight to the tail of the buddy's lists, merging as it goes, not
   * through the per-CPU lists; v4.8 `split_page()`s the block and `free_page()`s each, which goes through them.
   */
  makeAllocExact(pfn: number, order: number, pages: number): void {
    this.splitPage(pfn, order);
    const end = pfn + (1 << order);
    if (!this.#v6) {
      for (let tail = pfn + pages; tail < end; tail++) this.freePages(tail, 0);
      return;
    }
    // Each page goes through free_pages_prepare() as __free_pages_ok() takes it. The merging that follows each one
    // in the kernel only ever meets pages of this block, so a run of freed pages ends as its aligned blocks, each
    // last added to its list's tail when its last page was freed: adding those blocks in address order leaves the
    // free lists exactly as the page-by-page merging does, with one free list operation per block.
    let run = pfn + pages;
    for (let tail = run; tail < end; tail++) {
      this.#refcount[tail] = 0;
      if (this.#freePagesPrepare(tail, 0)) continue;
      // A bad page stays out (it leaks, as in the kernel): the run before it is complete.
      this.#freeAlignedBlocks(run, tail);
      run = tail + 1;
    }
    this.#freeAlignedBlocks(run, end);
  }

  /**
   * The pages [start, end) of one allocated block, each through free_pages_prepare() already, to the tails of the
   * buddy's lists as their aligned blocks (the largest that starts at each point and fits), in address order.
   */
  #freeAlignedBlocks(start: number, end: number): void {
    for (let pfn = start; pfn < end; ) {
      const order = alignedOrder(pfn, end, HotPath.MAX_PAGE_ORDER);
      this.stats.frees += 1 << order;
      this.stats.freedPages += 1 << order;
      this.#freeOnePage(this.#zoneOfFreed(pfn), pfn, order, this.#blockMigratetype(pfn), true);
      pfn += 1 << order;
    }
  }

  /**
   * `split_folio_to_order(folio, 0)` (mm/huge_memory.c) of an allocated compound block: every page becomes an
   * order-0 page with its own reference, firing `split(pfn, order, 0)` (`split_page_owner()`) and
   * `thp_split(pfn, order)`. A block that is not compound is split as {@link splitPage} does.
   */
  splitFolio(pfn: number, order: number): void {
    const word = this.memory.pfnValid(pfn) ? this.#flags[pfn]! : 0;
    if ((word & this.#flagHead) === 0) {
      this.splitPage(pfn, order);
      return;
    }
    this.#flags[pfn] = word & PAGE_FLAGS_MASK & ~this.#flagHead;
    const end = pfn + (1 << order);
    this.#flags.fill(0, pfn + 1, end);
    this.#refcount.fill(1, pfn + 1, end);
    this.#mapcount.fill(0, pfn + 1, end);
    const split = this.hooks.split;
    if (split.count !== 0) split.call(pfn, order, 0);
    const thpSplit = this.hooks.thp_split;
    if (thpSplit.count !== 0) thpSplit.call(pfn, order);
  }

  /**
   * `free_reserved_area()`: gives memblock-reserved pages to the allocator (as the kernel does with its init
   * sections after boot), adding them to the zone's managed pages. Returns the pages freed.
   */
  freeReservedPages(start: number, end: number): number {
    const reserved = 1 << this.profile.pageFlags.bit.reserved;
    this.memory.materializeReserved(start, end);
    let freed = 0;
    for (let pfn = start; pfn < end; pfn++) {
      if (!this.memory.pfnValid(pfn) || !this.memory.isPresent(pfn)) continue;
      if ((this.#flags[pfn]! & reserved) === 0) continue;
      this.#flags[pfn]! &= ~reserved;
      this.#refcount[pfn] = 1;
      this.adjustManagedPageCount(pfn, 1);
      this.freePages(pfn, 0);
      freed++;
    }
    return freed;
  }

  /** Visits every block on a zone's buddy free lists: its pfn, order and the migratetype of its list. */
  forEachFreeBlock(zone: BuddyZone, visit: (pfn: number, order: number, migratetype: number) => void): void {
    for (let order = 0; order < HotPath.NR_PAGE_ORDERS; order++) {
      for (let type = 0; type < MIGRATE_TYPES; type++) {
        let entry = zone.freeHead[order * MIGRATE_TYPES + type]!;
        while (entry >= 0) {
          // MAX_PAGE_ORDER lists hold block numbers (see #link).
          visit(order === HotPath.MAX_PAGE_ORDER ? entry * MAX_ORDER_NR_PAGES : entry, order, type);
          entry = order === HotPath.MAX_PAGE_ORDER ? this.#blockNext[entry]! : this.#refcount[entry]!;
        }
      }
    }
  }

  /** Visits every block on a zone's per-CPU lists: its pfn, order and CPU. */
  forEachPcpBlock(zone: BuddyZone, visit: (pfn: number, order: number, cpu: number) => void): void {
    for (let list = 0; list < zone.pcp.length.length; list++) {
      const cpu = Math.floor(list / this.#pcpLists);
      zone.pcp.forEach(list, (pfn) => {
        visit(pfn, (this.#flags[pfn]! >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK, cpu);
      });
    }
  }

  /** `NR_FREE_PAGES` of every zone: MemFree, the pages on the buddy free lists (per-CPU lists not included). */
  nrFreePages(): number {
    let pages = 0;
    for (const zone of this.zones) pages += zone.freePages;
    return pages;
  }

  /** Free pages on the per-CPU lists of every zone (`free_pcp` of show_mem()). */
  pcpFreePages(): number {
    let pages = 0;
    for (const zone of this.zones) pages += zone.pcpPages;
    return pages;
  }

  /** Free pages of the whole machine: buddy lists plus per-CPU lists (`MemFree` plus `free_pcp`). */
  totalFreePages(): number {
    let pages = 0;
    for (const zone of this.zones) pages += zone.freePages + zone.pcpPages;
    return pages;
  }

  /** Host bytes of the allocator's own arrays (the per-page state is counted by physmem). */
  hostBytes(): number {
    let bytes = 0;
    for (const zone of this.zones) bytes += zone.hostBytes;
    return bytes;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Free lists, linked through the pages (next in the refcount slot, previous in the mapcount slot; a negative
  // link -2 - list marks the end and names the list).

  /**
   * A page's flags word, with the word of a free MAX_PAGE_ORDER head that is not stored: every read of a page that
   * may be such a head goes through here (see `PhysicalMemory.freeMaxOrderHeads`).
   */
  #word(pfn: number): number {
    const head = this.memory.freeMaxOrderHeadWord(pfn);
    return head !== 0 ? head : this.#flags[pfn]!;
  }

  /** `get_pfnblock_migratetype()` of a page the allocator handles (it has a struct page: no pfn_valid check). */
  #blockMigratetype(pfn: number): number {
    return this.#pageblockFlags[pfn >>> HotPath.PAGEBLOCK_ORDER]! & HotPath.PAGEBLOCK_MIGRATETYPE_MASK;
  }

  /** `page_zone()` of a page being freed: by its pageblock, or by the zones' spans where zones change inside it. */
  #zoneOfFreed(pfn: number): BuddyZone {
    const zoneId = this.#pageblockZone[pfn >>> HotPath.PAGEBLOCK_ORDER]!;
    return this.zones[zoneId >= 0 ? zoneId : this.memory.zoneOf(pfn)!.id]!;
  }

  #addToFreeList(zone: BuddyZone, pfn: number, order: number, migratetype: number, tail: boolean): void {
    const list = order * MIGRATE_TYPES + migratetype;
    if (order === HotPath.MAX_PAGE_ORDER) {
      // The head's word is implied by the block's entry (its stored word is stale until the block leaves the
      // list): free memory is neither written nor read, and costs the host nothing per page.
      // (Its lists hold block numbers, which stay 32-bit integers above 8 TiB, where boot lists blocks too.)
      const block = maxOrderBlockOf(pfn);
      this.#freeMaxOrderHeads[block] = 1 + migratetype;
      this.#link(this.#blockNext, this.#blockPrev, zone, list, block, tail);
    } else {
      this.#flags[pfn] = (HotPath.BUDDY_WORD | (order << HotPath.ORDER_SHIFT) | migratetype) >>> 0;
      this.#link(this.#refcount, this.#mapcount, zone, list, pfn, tail);
    }
    this.#countFree(zone, list, order, 1);
  }

  /** Removes a buddy block from its free list; the head keeps its flags word until the caller rewrites it. */
  #delFromFreeList(zone: BuddyZone, pfn: number): void {
    const word = this.#word(pfn);
    const order = (word >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK;
    const list = order * MIGRATE_TYPES + (word & PAGE_FLAGS_MASK);
    if (order === HotPath.MAX_PAGE_ORDER) {
      if (pfn >= PER_PAGE_PFNS) throw beyondPerPageWindow(pfn);
      this.#freeMaxOrderHeads[pfn >>> HotPath.MAX_PAGE_ORDER] = 0;
      this.#unlink(this.#blockNext, this.#blockPrev, zone, pfn >>> HotPath.MAX_PAGE_ORDER);
    } else {
      this.#unlink(this.#refcount, this.#mapcount, zone, pfn);
    }
    this.#flags[pfn] = order << HotPath.ORDER_SHIFT;
    this.#countFree(zone, list, order, -1);
  }

  /**
   * Free list `list` (of `order`) of `zone` gained (or lost, when negative) `blocks` blocks: its counts and the zone's
   * free pages follow, and the fast path's last zonelist walk is stale ({@link #zoneGeneration}).
   */
  #countFree(zone: BuddyZone, list: number, order: number, blocks: number): void {
    zone.freeCount[list]! += blocks;
    zone.nrFree[order]! += blocks;
    zone.freePages += blocks << order;
    this.#zoneGeneration++;
  }

  /** Puts a block on a per-CPU list (at the hot head, or the tail when refilling from the zone). */
  #pcpAdd(zone: BuddyZone, cpu: number, list: number, pfn: number, order: number, tail: boolean): void {
    // refcount and mapcount are already 0: the page comes off a buddy list (unlinked) or from a free.
    this.#flags[pfn] = HotPath.PCP_WORD | (order << HotPath.ORDER_SHIFT) | list;
    if (tail) zone.pcp.pushBack(list, pfn);
    else zone.pcp.pushFront(list, pfn);
    zone.pcpCount[cpu]! += 1 << order;
  }

  /** {@link #pcpAdd} at the tail of `count` blocks of `order`, the first at `pfn` and the others after it. */
  #pcpAddRun(zone: BuddyZone, cpu: number, list: number, pfn: number, count: number, order: number): void {
    const word = HotPath.PCP_WORD | (order << HotPath.ORDER_SHIFT) | list;
    if (order === 0) this.#flags.fill(word, pfn, pfn + count);
    else for (let block = 0; block < count; block++) this.#flags[pfn + (block << order)] = word;
    zone.pcp.pushBackRun(list, pfn, count, 1 << order);
    zone.pcpCount[cpu]! += count << order;
  }

  /** Takes the head (or the cold tail) block of a non-empty per-CPU list. */
  #pcpTake(zone: BuddyZone, cpu: number, list: number, tail: boolean): number {
    const pfn = tail ? zone.pcp.pop(list) : zone.pcp.shift(list);
    const order = (this.#flags[pfn]! >>> HotPath.ORDER_SHIFT) & HotPath.ORDER_MASK;
    this.#flags[pfn] = order << HotPath.ORDER_SHIFT;
    zone.pcpCount[cpu]! -= 1 << order;
    return pfn;
  }

  /**
   * `list_add()` / `list_add_tail()` of `entry` on free list `list`, linked through `next` and `previous`: a page's
   * refcount and mapcount slots (entries are pfns), or for MAX_PAGE_ORDER `#blockNext` / `#blockPrev` (entries are
   * block numbers, `pfn >> MAX_PAGE_ORDER`, so that blocks above 8 TiB can be listed too).
   */
  #link(next: Int32Array, previous: Int32Array, zone: BuddyZone, list: number, entry: number, tail: boolean): void {
    const heads = zone.freeHead;
    const tails = zone.freeTail;
    const sentinel = -2 - list;
    if (tail) {
      const last = tails[list]!;
      next[entry] = sentinel;
      if (last >= 0) {
        previous[entry] = last;
        next[last] = entry;
      } else {
        previous[entry] = sentinel;
        heads[list] = entry;
      }
      tails[list] = entry;
    } else {
      const first = heads[list]!;
      previous[entry] = sentinel;
      if (first >= 0) {
        next[entry] = first;
        previous[first] = entry;
      } else {
        next[entry] = sentinel;
        tails[list] = entry;
      }
      heads[list] = entry;
    }
  }

  /** `list_del()` of `entry`, linked through `nextLinks` and `previousLinks` (see {@link #link}). */
  #unlink(nextLinks: Int32Array, previousLinks: Int32Array, zone: BuddyZone, entry: number): void {
    const heads = zone.freeHead;
    const tails = zone.freeTail;
    const next = nextLinks[entry]!;
    const previous = previousLinks[entry]!;
    if (previous >= 0) nextLinks[previous] = next;
    else heads[-2 - previous] = next >= 0 ? next : -1;
    if (next >= 0) previousLinks[next] = previous;
    else tails[-2 - next] = previous >= 0 ? previous : -1;
    nextLinks[entry] = 0;
    previousLinks[entry] = 0;
  }

  /**
   * The first block's pfn on a free list (`list = order * MIGRATE_TYPES + migratetype`), or -1: the allocator is
   * about to take it, so a MAX_PAGE_ORDER block above the per-page window throws (see PER_PAGE_PFNS).
   */
  #freeListHead(zone: BuddyZone, list: number): number {
    const head = zone.freeHead[list]!;
    if (head < 0 || list < HotPath.MAX_PAGE_ORDER * MIGRATE_TYPES) return head;
    const pfn = head * MAX_ORDER_NR_PAGES;
    if (pfn >= PER_PAGE_PFNS) throw beyondPerPageWindow(pfn);
    return pfn;
  }
}
