import { createHookBus, type HookBus } from '@mm/hooks';
import {
  MAX_ORDER_NR_PAGES,
  MAX_PAGE_ORDER,
  PAGE_SIZE,
  PAGEBLOCK_NR_PAGES,
  PAGEBLOCK_ORDER,
  PAGES_PER_SUBSECTION,
} from './constants';
import { bootTask, type CurrentTask } from './current-task';
import { DirectMap } from './direct-map';
import { formatDumpStack, type StackFrame } from './dump-stack';
import { KernelLog } from './kernel-log';
import { KernelTaint } from './kernel-taint';
import { MemSection, PAGEBLOCK_MIGRATETYPE_MASK, PageArrays, PER_PAGE_PFNS } from './mem-section';

/** A machine whose pfns would pass what mmsim can lay out (physical memory below {@link MAX_PFN}). */
export class PfnLimitError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'PfnLimitError';
  }
}

/**
 * The end of the pfns a machine may reach: 2^33, 32 TiB of physical address space. Memory above
 * {@link PER_PAGE_PFNS} (8 TiB) boots but cannot be used (see there); the sections, pageblocks and free block
 * entries of the whole span are what bound the host memory of a boot.
 */
export const MAX_PFN = 2 ** 33;

import { MemoryCgroups } from './memory-cgroups';
import {
  type E820Entry,
  firmwareMemoryMap,
  limitMemory,
  type MemoryLayout,
  type PfnRange,
  pagesInRanges,
  presentRanges,
  reserveRange,
} from './memory-map';
import { Migratetype } from './migratetype';
import { PageContents } from './page-contents';
import { type PageFlagsWord, pageFlagsWord } from './page-flags-layout';
import { ORDER_MASK, ORDER_SHIFT, PAGE_FLAGS_MASK, PageState, PageType, STATE_SHIFT } from './page-state';
import type { KernelProfile } from './profile';
import { SimClock } from './sim-clock';
import { type MemoryNode, Zone } from './zone';

/** The memory model (`CONFIG_SPARSEMEM_VMEMMAP` or `CONFIG_FLATMEM`). */
export type MemoryModel = 'sparsemem' | 'flatmem';

/** What a simulated machine is made of. Sizes in bytes. */
export interface MachineConfig {
  /** Bytes of RAM the firmware reports. */
  readonly memory: number;
  readonly profile: KernelProfile;
  /** NUMA nodes; memory is split evenly between them at section boundaries. Default 1. */
  readonly nodes?: number;
  /** Default `pc`. */
  readonly layout?: MemoryLayout;
  /** Default `sparsemem`. */
  readonly model?: MemoryModel;
  /** `mem=`: drop RAM at and above this physical address. */
  readonly limit?: number;
  /**
   * The end of the pfns the machine may reach: {@link MAX_PFN} by default; {@link PER_PAGE_PFNS} for a simulation
   * that uses or walks every page (a workload and its output files), which memory above that window cannot serve.
   */
  readonly maxPfn?: number;
  /** `memmap=size$start`: ranges the firmware map marks reserved. */
  readonly reserve?: readonly { readonly start: number; readonly size: number }[];
  /** `movablecore=`: bytes of ZONE_MOVABLE, taken from the top of each node. Default 0. */
  readonly movableBytes?: number;
  /** Simulated CPUs. Default 2. */
  readonly cpus?: number;
  /**
   * Further boot-time memblock allocations, decided once the nodes are known (FLATMEM page_ext, the v6.18
   * stackdepot hash table): bytes per node, placed top-down like the memmap.
   */
  readonly earlyAllocations?: (nodes: readonly MemoryNode[]) => readonly EarlyAllocation[];
  /** The machine's hook bus (the direct map raises `kernel_fault` on it). Default: a bus of its own. */
  readonly hooks?: HookBus;
  /**
   * Where `dump_stack()` gets the current call trace from: @mm/kernel passes the shadow stack of simulated kernel
   * code, symbolised. Default: no frames.
   */
  readonly stackTrace?: () => readonly StackFrame[];
}

/** A boot-time memblock allocation requested through {@link MachineConfig.earlyAllocations}. */
export interface EarlyAllocation {
  readonly node: number;
  readonly bytes: number;
  readonly owner: string;
}

/**
 * Why a range of pages was reserved by memblock before the page allocator came up: `low memory`, `kernel image`,
 * `memmap`, or the owner named by an early allocation (`page_ext`, `stackdepot`).
 */
export type MemblockOwner = string;

/** A memblock reservation, in pfns [start, end). */
export interface MemblockRegion {
  readonly start: number;
  readonly end: number;
  readonly owner: MemblockOwner;
}

const MIB = 2 ** 20;
const LOW_MEMORY_PFNS = MIB / PAGE_SIZE;
const KERNEL_START_PFN = (16 * MIB) / PAGE_SIZE;

/**
 * The simulated machine's physical memory: the firmware map, NUMA nodes, zones, memory sections and the state of
 * every page (mm/sparse.c, mm/mm_init.c, arch/x86/kernel/e820.c). It knows nothing of the allocator or of any
 * debugging feature; @mm/buddy frees its unreserved pages into free lists.
 */
export class PhysicalMemory {
  readonly profile: KernelProfile;
  readonly model: MemoryModel;
  readonly layout: MemoryLayout;
  readonly cpus: number;
  /** The firmware map after `mem=` and `memmap=`. */
  readonly e820: readonly E820Entry[];
  /** Present pfn ranges (`memblock.memory`). */
  readonly ranges: readonly PfnRange[];
  readonly nodes: readonly MemoryNode[];
  /** All zones, node by node, in zone type order (empty zones included). */
  readonly zones: readonly Zone[];
  /**
   * The `struct page` arrays of every pfn below the last section's end, flat and indexed by pfn: what the hot paths
   * read. Pages in holes stay zero and untouched.
   */
  readonly pages: PageArrays;
  /** By section number; undefined where no section is allocated. Their per-page arrays are views of {@link pages}. */
  readonly sections: readonly (MemSection | undefined)[];
  readonly pfnSectionShift: number;
  readonly pagesPerSection: number;
  /** `max_pfn`: one past the last present pfn. */
  readonly maxPfn: number;
  /**
   * Free MAX_PAGE_ORDER blocks, by block (`pfn >> MAX_PAGE_ORDER`): 0 for none, else 1 + the block's migratetype.
   * The buddy allocator keeps their head's word here, not in the page (whose stored word is stale meanwhile), and
   * every accessor reads such a head as the free head it is: memory nobody uses is neither read nor written.
   */
  readonly freeMaxOrderHeads: Uint8Array;
  /**
   * Present pages of the whole machine (`memblock.memory`): what the firmware gave. Memory hot-remove does not change
   * it (offlining leaves memblock alone); the zones' and nodes' `presentPages` are what is online.
   */
  readonly presentPages: number;
  /** memblock reservations made before the allocator came up. */
  readonly memblockReserved: readonly MemblockRegion[];
  readonly clock: SimClock;
  readonly log: KernelLog;
  readonly current: CurrentTask;
  /** Memory cgroups and the charge of every page. */
  readonly memcg = new MemoryCgroups();
  /** The kernel's direct map and the page contents behind it (sparse). */
  readonly directMap: DirectMap;
  readonly taint: KernelTaint;
  /** Loaded module names, for `Modules linked in:`. */
  readonly modules: string[] = [];
  /** The machine's hook bus. */
  readonly hooks: HookBus;
  /** The current call trace, symbolised, innermost frame last (what `dump_stack()` prints). */
  readonly stackTrace: () => readonly StackFrame[];
  readonly #pageFlagReserved: number;

  constructor(config: MachineConfig) {
    const { profile } = config;
    const arch = profile.arch;
    this.profile = profile;
    this.model = config.model ?? 'sparsemem';
    this.layout = config.layout ?? 'pc';
    this.cpus = config.cpus ?? 2;
    if (!Number.isInteger(this.cpus) || this.cpus < 1 || this.cpus > 256) {
      throw new RangeError(`cpus must be an integer from 1 to 256, not ${config.cpus}`);
    }
    this.clock = new SimClock();
    this.log = new KernelLog(this.clock);
    this.current = bootTask();
    this.taint = new KernelTaint(profile.era === 'v6' ? 20 : 16);
    this.pfnSectionShift = arch.pfnSectionShift;
    this.hooks = config.hooks ?? createHookBus();
    this.stackTrace = config.stackTrace ?? (() => []);
    this.directMap = new DirectMap(new PageContents(arch.pfnSectionShift), arch.pfnSectionShift, this.hooks);
    this.pagesPerSection = arch.pagesPerSection;
    this.#pageFlagReserved = 1 << profile.pageFlags.bit.reserved;

    let e820 = firmwareMemoryMap(this.layout, config.memory, arch);
    for (const { start, size } of config.reserve ?? []) e820 = reserveRange(e820, start, size);
    if (config.limit !== undefined) e820 = limitMemory(e820, config.limit);
    this.e820 = e820;
    this.ranges = presentRanges(e820, this.layout === 'pc');
    if (this.ranges.length === 0) throw new RangeError('no usable memory is left in the memory map');
    this.maxPfn = this.ranges[this.ranges.length - 1]!.end;
    const pfnLimit = Math.min(config.maxPfn ?? MAX_PFN, MAX_PFN);
    if (this.maxPfn > pfnLimit) {
      const what =
        pfnLimit === PER_PAGE_PFNS
          ? 'mmsim keeps per-page state below 8 TiB only, which a workload needs of all memory, so physical memory must end below it'
          : `mmsim lays out physical memory below ${pfnLimit / 2 ** 28} TiB`;
      throw new PfnLimitError(
        `${config.memory} bytes of RAM reach pfn 0x${this.maxPfn.toString(16)}: ${what} (at most ` +
          `${pfnLimit / 2 ** 18 - 1}G of RAM with the PCI hole)`,
      );
    }
    this.freeMaxOrderHeads = new Uint8Array(Math.floor(this.maxPfn / MAX_ORDER_NR_PAGES) + 1);
    this.presentPages = pagesInRanges(this.ranges, 0, this.maxPfn);

    const nodeCount = config.nodes ?? 1;
    if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 64) {
      throw new RangeError(`nodes must be an integer from 1 to 64, not ${config.nodes}`);
    }
    const sectionNodes = this.#assignSectionsToNodes(nodeCount);
    const sections: (MemSection | undefined)[] = [];
    this.pages = new PageArrays(([...sectionNodes.keys()].at(-1)! + 1) * this.pagesPerSection);
    for (const [nr, node] of sectionNodes) sections[nr] = new MemSection(nr, this.pagesPerSection, node, this.pages);
    this.sections = sections;

    const zones: Zone[] = [];
    const nodes: MemoryNode[] = [];
    for (let node = 0; node < nodeCount; node++) {
      const nodeSections = [...sectionNodes].filter(([, owner]) => owner === node).map(([nr]) => nr);
      if (nodeSections.length === 0) {
        throw new RangeError(`${nodeCount} nodes need at least ${nodeCount} memory sections of RAM`);
      }
      const spanStart = nodeSections[0]! * this.pagesPerSection;
      const spanEnd = (nodeSections[nodeSections.length - 1]! + 1) * this.pagesPerSection;
      const startPfn = this.#firstPresent(spanStart, spanEnd);
      const endPfn = this.#lastPresent(spanStart, spanEnd) + 1;
      const movablePages = Math.ceil((config.movableBytes ?? 0) / PAGE_SIZE / nodeCount);
      const movableStart = movablePages > 0 ? this.#movableStart(startPfn, endPfn, movablePages) : endPfn;
      const nodeZones: Zone[] = [];
      let low = 0;
      for (const type of profile.zoneTypes) {
        const movable = type.index === arch.movableZoneIndex;
        const device = type.index > arch.movableZoneIndex;
        const zoneLow = movable ? movableStart : device ? endPfn : Math.max(low, startPfn);
        const zoneHigh = movable ? endPfn : device ? endPfn : Math.min(type.endPfn, movableStart, endPfn);
        if (!movable && !device) low = type.endPfn;
        const start = Math.min(zoneLow, endPfn);
        const spanned = Math.max(0, zoneHigh - start);
        const zone = new Zone(
          zones.length,
          node,
          type,
          spanned > 0 ? start : 0,
          spanned,
          pagesInRanges(this.ranges, start, start + spanned),
        );
        zones.push(zone);
        nodeZones.push(zone);
      }
      nodes.push({
        id: node,
        startPfn,
        endPfn,
        presentPages: pagesInRanges(this.ranges, startPfn, endPfn),
        zones: nodeZones,
      });
    }
    this.zones = zones;
    this.nodes = nodes;
    for (const section of sections) {
      if (section === undefined) continue;
      const end = section.startPfn + this.pagesPerSection;
      const zone = zones.find((candidate) => candidate.startPfn <= section.startPfn && candidate.endPfn >= end);
      section.zoneId = zone === undefined ? -1 : zone.id;
      // memmap_init(): a pageblock becomes Movable if its first pfn is present memory of a zone; the others
      // (a zone starting at pfn 1, holes) stay Unmovable, which is why a PC's DMA zone shows 1 Unmovable block.
      for (let block = 0; block < section.pageblockFlags.length; block++) {
        const first = section.startPfn + block * PAGEBLOCK_NR_PAGES;
        const inZone = zones.some((candidate) => candidate.spannedPages > 0 && candidate.spans(first));
        section.pageblockFlags[block] = inZone && this.isPresent(first) ? Migratetype.MOVABLE : Migratetype.UNMOVABLE;
      }
    }

    this.memblockReserved = this.#reserveEarlyMemory(config.earlyAllocations?.(nodes) ?? []);
    this.#markUnavailable();
    for (const zone of zones) {
      let reserved = 0;
      for (const region of this.memblockReserved)
        reserved += pagesInRanges(
          this.ranges,
          Math.max(region.start, zone.startPfn),
          Math.min(region.end, zone.endPfn),
        );
      zone.managedPages = zone.presentPages - reserved;
    }
  }

  /** `__pfn_to_section()`: the section holding `pfn`, or undefined for a pfn without a struct page. */
  sectionAt(pfn: number): MemSection | undefined {
    if (pfn >= 0 && pfn < this.pages.flags.length) return this.sections[pfn >>> this.pfnSectionShift];
    return pfn >= PER_PAGE_PFNS ? this.sections[Math.floor(pfn / this.pagesPerSection)] : undefined;
  }

  /** The architecture's `pfn_valid()`: the pfn has a struct page (its section exists). */
  pfnValid(pfn: number): boolean {
    return this.sectionAt(pfn) !== undefined;
  }

  /**
   * `pfn_to_online_page() != NULL`: the pfn's section is online and, SPARSEMEM_VMEMMAP's `pfn_section_valid()`, its
   * subsection (2 MiB) holds present memory (`subsection_map_init()` marks those of boot memory). pfn walkers that
   * need an initialised struct page (compaction, zone shrinking) skip the others.
   */
  pfnToOnlinePage(pfn: number): boolean {
    const section = this.sectionAt(pfn);
    if (section === undefined || !section.online) return false;
    if (this.model === 'flatmem') return true;
    const step = Math.min(PAGES_PER_SUBSECTION, this.pagesPerSection);
    const start = pfn - (pfn % step);
    return pagesInRanges(this.ranges, start, start + step) > 0;
  }

  /**
   * `offline_mem_sections()` (mm/sparse.c): clears `SECTION_IS_ONLINE` of every section in [start, end); their
   * struct pages stay (`pfn_valid()` is still true) but `pfn_to_online_page()` no longer returns them.
   */
  offlineMemSections(start: number, end: number): void {
    for (let pfn = start; pfn < end; pfn += this.pagesPerSection) {
      const section = this.sectionAt(pfn);
      if (section !== undefined) section.online = false;
    }
  }

  /** Whether RAM backs this pfn (it is in `memblock.memory`). */
  isPresent(pfn: number): boolean {
    const ranges = this.ranges;
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const range = ranges[middle]!;
      if (pfn < range.start) high = middle - 1;
      else if (pfn >= range.end) low = middle + 1;
      else return true;
    }
    return false;
  }

  /** `pfn`, once checked to have a struct page (else {@link section} throws): for the flat arrays' accessors. */
  #valid(pfn: number): number {
    this.section(pfn);
    return pfn;
  }

  /** The section holding `pfn`; throws for a pfn without a struct page. */
  section(pfn: number): MemSection {
    const section = this.sectionAt(pfn);
    if (section === undefined) throw new RangeError(`pfn ${pfn} (0x${pfn.toString(16)}) is not valid`);
    return section;
  }

  /** `page_zone()`: the zone whose span holds `pfn`, or undefined for a hole outside every zone. */
  zoneOf(pfn: number): Zone | undefined {
    const section = this.section(pfn);
    if (section.zoneId >= 0) return this.zones[section.zoneId];
    for (const zone of this.nodes[section.node]!.zones) if (zone.spans(pfn)) return zone;
    return undefined;
  }

  /** `page_to_nid()`. */
  nodeOf(pfn: number): number {
    return this.section(pfn).node;
  }

  /**
   * The kernel page flags of `pfn` (the low NR_PAGEFLAGS bits). Free pages have none: the allocator keeps its list
   * bookkeeping in those bits while a page is on a free list.
   */
  pageFlags(pfn: number): number {
    const word = this.pageWord(pfn);
    const state = word >>> STATE_SHIFT;
    return state >= PageState.buddy && state <= PageState.guard ? 0 : word & PAGE_FLAGS_MASK;
  }

  /** `PageXxx()` for a flag bit number of the profile's table. */
  testPageFlag(pfn: number, bit: number): boolean {
    return bit >= 0 && (this.pageFlags(pfn) & (1 << bit)) !== 0;
  }

  /** `SetPageXxx()`. */
  setPageFlag(pfn: number, bit: number): void {
    this.pages.flags[this.#stored(pfn)]! |= 1 << bit;
  }

  /** `ClearPageXxx()`. */
  clearPageFlag(pfn: number, bit: number): void {
    this.pages.flags[this.#stored(pfn)]! &= ~(1 << bit);
  }

  /** The allocator state of the page (see {@link PageState}). */
  pageState(pfn: number): PageState {
    return (this.pageWord(pfn) >>> STATE_SHIFT) as PageState;
  }

  /**
   * The page's flags word as the allocator keeps it (state, order, flags or the free list's migratetype), with the
   * word of a free MAX_PAGE_ORDER head that is not stored ({@link freeMaxOrderHeads}).
   */
  pageWord(pfn: number): number {
    const head = this.freeMaxOrderHeadWord(this.#valid(pfn));
    if (head !== 0) return head;
    if (pfn >= PER_PAGE_PFNS) return this.#insideFreeMaxOrderBlock(pfn) ? 0 : this.#pageFlagReserved;
    return this.pages.reservedBlocks[pfn >>> PAGEBLOCK_ORDER] !== 0 ? this.#pageFlagReserved : this.pages.flags[pfn]!;
  }

  /**
   * Above the per-page window ({@link PER_PAGE_PFNS}) a page is either in a free MAX_PAGE_ORDER block (a tail, with
   * no flags and no reference) or reserved: nothing else can be there (see {@link #reserveEarlyMemory}).
   */
  #insideFreeMaxOrderBlock(pfn: number): boolean {
    return this.freeMaxOrderHeads[maxOrderBlockOf(pfn)] !== 0;
  }

  /**
   * Stores the words of the whole reserved pageblocks in [start, end) that are not stored yet (PG_reserved, one
   * reference: see PageArrays.reservedBlocks), so that they can be written, or read from the arrays directly.
   */
  materializeReserved(start: number, end: number): void {
    if (end <= start) return;
    const reservedBlocks = this.pages.reservedBlocks;
    const last = Math.min(end - 1, this.pages.flags.length - 1) >>> PAGEBLOCK_ORDER;
    for (let block = Math.max(start, 0) >>> PAGEBLOCK_ORDER; block <= last; block++) {
      if (reservedBlocks[block] === 0) continue;
      const first = block << PAGEBLOCK_ORDER;
      this.pages.flags.fill(this.#pageFlagReserved, first, first + PAGEBLOCK_NR_PAGES);
      this.pages.refcount.fill(1, first, first + PAGEBLOCK_NR_PAGES);
      reservedBlocks[block] = 0;
    }
  }

  /** {@link #valid}, with the page's words stored (see {@link materializeReserved}): for the setters. */
  #stored(pfn: number): number {
    this.#valid(pfn);
    if (pfn >= PER_PAGE_PFNS) throw beyondPerPageWindow(pfn);
    if (this.pages.reservedBlocks[pfn >>> PAGEBLOCK_ORDER] !== 0) this.materializeReserved(pfn, pfn + 1);
    return pfn;
  }

  /** The word of a free MAX_PAGE_ORDER head kept in {@link freeMaxOrderHeads}, or 0 when `pfn` is not one. */
  freeMaxOrderHeadWord(pfn: number): number {
    if ((pfn & (MAX_ORDER_NR_PAGES - 1)) !== 0) return 0;
    const type = this.freeMaxOrderHeads[maxOrderBlockOf(pfn)] ?? 0;
    return type === 0 ? 0 : freeMaxOrderWord(type - 1);
  }

  /** The order field: the free block's order at a free head, the allocation order at an allocated head. */
  pageOrder(pfn: number): number {
    return (this.pageWord(pfn) >>> ORDER_SHIFT) & ORDER_MASK;
  }

  /** `page_ref_count()`: 0 for pages on free lists (whose refcount slot holds a list link). */
  pageRefcount(pfn: number): number {
    const state = this.pageWord(pfn) >>> STATE_SHIFT;
    if (state === 1 || state === 2) return 0;
    if (pfn >= PER_PAGE_PFNS) return this.#insideFreeMaxOrderBlock(pfn) ? 0 : 1;
    return this.pages.reservedBlocks[pfn >>> PAGEBLOCK_ORDER] !== 0 ? 1 : this.pages.refcount[pfn]!;
  }

  /** `page_mapcount()`: 0 for free and typed pages. */
  pageMapcount(pfn: number): number {
    const state = this.pageWord(pfn) >>> STATE_SHIFT;
    return state === 1 || state === 2 ? 0 : Math.max(0, this.pages.mapcount[pfn] ?? 0);
  }

  /** The `page_type` of an allocated page ({@link PageType}); free pages report `none` (see {@link pageState}). */
  pageType(pfn: number): PageType {
    const state = this.pageWord(pfn) >>> STATE_SHIFT;
    return state === 1 || state === 2 ? PageType.none : (Math.max(0, -(this.pages.mapcount[pfn] ?? 0)) as PageType);
  }

  /** Sets or clears the page type of an allocated page (`__SetPageSlab`, `__SetPageTable`, ...). */
  setPageType(pfn: number, type: PageType): void {
    this.pages.mapcount[this.#stored(pfn)] = -type;
  }

  /** `get_pageblock_migratetype()`. */
  pageblockMigratetype(pfn: number): number {
    return this.pages.pageblockFlags[pageblockOf(this.#valid(pfn))]! & PAGEBLOCK_MIGRATETYPE_MASK;
  }

  /** `set_pageblock_migratetype()`. */
  setPageblockMigratetype(pfn: number, migratetype: number): void {
    const blocks = this.pages.pageblockFlags;
    const index = pageblockOf(this.#valid(pfn));
    blocks[index] = (blocks[index]! & ~PAGEBLOCK_MIGRATETYPE_MASK) | migratetype;
  }

  /** The whole `page->flags` word, with the node, zone (and section) fields of the profile's layout. */
  pageFlagsWord(pfn: number): PageFlagsWord {
    const section = this.section(pfn);
    const zone = this.zoneOf(pfn);
    return pageFlagsWord(this.profile.pageFlagsLayout, this.pageFlags(pfn), {
      section: section.nr,
      node: section.node,
      zone: zone?.type.index ?? 0,
    });
  }

  /** `dump_stack()`: the lines it prints for the current task and call trace. */
  dumpStack(): string[] {
    const { taint, current, profile } = this;
    return formatDumpStack(
      {
        era: profile.era,
        release: profile.release,
        cpu: current.cpu,
        pid: current.pid,
        comm: current.comm,
        tainted: taint.print(),
        ...(taint.mask !== 0 ? { taintedVerbose: taint.printVerbose() } : {}),
      },
      this.stackTrace(),
    );
  }

  /** `print_modules()`. */
  printModules(): string {
    return `Modules linked in:${this.modules.map((name) => ` ${name}`).join('')}`;
  }

  /** Host bytes spent on struct page state: the typed arrays of every allocated section. */
  hostBytes(): number {
    let bytes = 0;
    for (const section of this.sections) if (section !== undefined) bytes += section.hostBytes;
    return bytes;
  }

  /** Simulated bytes of `struct page` arrays (the memmap), as memblock reserved them. */
  memmapBytes(): number {
    let pages = 0;
    for (const region of this.memblockReserved) if (region.owner === 'memmap') pages += region.end - region.start;
    return pages * PAGE_SIZE;
  }

  #assignSectionsToNodes(nodeCount: number): Map<number, number> {
    const perSection = this.pagesPerSection;
    const result = new Map<number, number>();
    const lastSection = Math.floor((this.maxPfn - 1) / perSection);
    const target = this.presentPages / nodeCount;
    let node = 0;
    let cumulative = 0;
    for (let nr = 0; nr <= lastSection; nr++) {
      const pages = pagesInRanges(this.ranges, nr * perSection, (nr + 1) * perSection);
      if (pages === 0 && this.model === 'sparsemem') continue;
      // Start the next node at the section boundary nearest to its share.
      if (node < nodeCount - 1 && cumulative > 0 && cumulative + pages / 2 > target * (node + 1)) node++;
      result.set(nr, node);
      cumulative += pages;
    }
    return result;
  }

  #firstPresent(start: number, end: number): number {
    for (const range of this.ranges) if (range.end > start && range.start < end) return Math.max(range.start, start);
    return start;
  }

  #lastPresent(start: number, end: number): number {
    for (let index = this.ranges.length - 1; index >= 0; index--) {
      const range = this.ranges[index]!;
      if (range.end > start && range.start < end) return Math.min(range.end, end) - 1;
    }
    return end - 1;
  }

  #movableStart(nodeStart: number, nodeEnd: number, pages: number): number {
    let remaining = pages;
    for (let index = this.ranges.length - 1; index >= 0; index--) {
      const range = this.ranges[index]!;
      const low = Math.max(range.start, nodeStart);
      const high = Math.min(range.end, nodeEnd);
      if (high <= low) continue;
      if (high - low >= remaining) {
        const start = high - remaining;
        return Math.max(nodeStart, Math.ceil(start / MAX_ORDER_NR_PAGES) * MAX_ORDER_NR_PAGES);
      }
      remaining -= high - low;
    }
    return nodeStart;
  }

  #reserveEarlyMemory(earlyAllocations: readonly EarlyAllocation[]): MemblockRegion[] {
    const regions: MemblockRegion[] = [];
    const reserve = (start: number, end: number, owner: MemblockOwner) => {
      if (end > start) regions.push({ start, end, owner });
    };
    reserve(0, LOW_MEMORY_PFNS, 'low memory');
    const image = this.profile.kernelImage;
    const imageKiB = image.codeKiB + image.rwdataKiB + image.rodataKiB + image.initKiB + image.bssKiB;
    const kernelEnd = KERNEL_START_PFN + Math.ceil((imageKiB * 1024) / PAGE_SIZE);
    if (pagesInRanges(this.ranges, KERNEL_START_PFN, kernelEnd) !== kernelEnd - KERNEL_START_PFN) {
      throw new RangeError(
        `the kernel image (${Math.ceil(imageKiB / 1024)} MiB at 16 MiB) does not fit in this machine's memory map`,
      );
    }
    reserve(KERNEL_START_PFN, kernelEnd, 'kernel image');
    const structPage = this.profile.arch.structPageBytes;
    const requests: EarlyAllocation[] = this.nodes.map((node) => {
      let coveredPages = 0;
      if (this.model === 'flatmem') coveredPages = node.endPfn - node.startPfn;
      else for (const section of this.sections) if (section?.node === node.id) coveredPages += this.pagesPerSection;
      return { node: node.id, bytes: coveredPages * structPage, owner: 'memmap' };
    });
    for (const request of [...requests, ...earlyAllocations]) {
      const node = this.nodes[request.node];
      if (node === undefined)
        throw new RangeError(`early allocation for ${request.owner} on missing node ${request.node}`);
      let needed = Math.ceil(request.bytes / PAGE_SIZE);
      // memblock allocates top-down: the memmap lands at the end of the node's free memory.
      const free = subtractRegions(
        this.ranges.map(({ start, end }) => ({
          start: Math.max(start, node.startPfn),
          end: Math.min(end, node.endPfn),
        })),
        regions,
      );
      for (let index = free.length - 1; index >= 0 && needed > 0; index--) {
        const { start, end } = free[index]!;
        const take = Math.min(needed, end - start);
        reserve(end - take, end, request.owner);
        needed -= take;
      }
      if (needed > 0) throw new RangeError(`node ${node.id} has no room for ${request.owner}`);
    }
    // Above the per-page window free memory can only be whole free MAX_PAGE_ORDER blocks, which need no page words
    // (see PER_PAGE_PFNS): a free piece's ends that are not such blocks are kept reserved. (A kernel frees them as
    // smaller blocks; a machine of exactly 16 TiB has none.)
    for (const { start, end } of subtractRegions(this.ranges, regions)) {
      if (end <= PER_PAGE_PFNS) continue;
      const low = Math.max(start, PER_PAGE_PFNS);
      const alignedLow = Math.min(end, Math.ceil(low / MAX_ORDER_NR_PAGES) * MAX_ORDER_NR_PAGES);
      const alignedHigh = Math.max(alignedLow, Math.floor(end / MAX_ORDER_NR_PAGES) * MAX_ORDER_NR_PAGES);
      reserve(low, alignedLow, 'above the per-page window');
      reserve(alignedHigh, end, 'above the per-page window');
    }
    return regions.sort((a, b) => a.start - b.start);
  }

  #markUnavailable(): void {
    const reservedBit = this.#pageFlagReserved;
    const reservedBlocks = this.pages.reservedBlocks;
    // Nothing else is in these words yet (they are all 0): a fill per section is the same as setting each page. A
    // pageblock inside the range is marked whole instead, its words left unwritten (see PageArrays.reservedBlocks).
    const mark = (start: number, end: number) => {
      for (let pfn = start; pfn < end; ) {
        const nr = Math.floor(pfn / this.pagesPerSection);
        const sectionEnd = Math.min(end, (nr + 1) * this.pagesPerSection);
        const section = this.sections[nr];
        if (section !== undefined) {
          const firstBlock = Math.ceil(pfn / PAGEBLOCK_NR_PAGES) * PAGEBLOCK_NR_PAGES;
          const lastBlock = Math.max(firstBlock, Math.floor(sectionEnd / PAGEBLOCK_NR_PAGES) * PAGEBLOCK_NR_PAGES);
          for (const [from, to] of [
            [pfn, Math.min(firstBlock, sectionEnd)],
            [lastBlock, sectionEnd],
          ] as const) {
            section.flags.fill(reservedBit, from - section.startPfn, to - section.startPfn);
            section.refcount.fill(1, from - section.startPfn, to - section.startPfn);
          }
          reservedBlocks.fill(1, firstBlock / PAGEBLOCK_NR_PAGES, lastBlock / PAGEBLOCK_NR_PAGES);
        }
        pfn = sectionEnd;
      }
    };
    for (const region of this.memblockReserved) mark(region.start, region.end);
    // Holes inside allocated sections get struct pages that are reserved (`init_unavailable_range`).
    let previousEnd = 0;
    for (const range of this.ranges) {
      mark(previousEnd, range.start);
      previousEnd = range.end;
    }
    const lastSectionEnd = (Math.floor((this.maxPfn - 1) / this.pagesPerSection) + 1) * this.pagesPerSection;
    mark(this.maxPfn, lastSectionEnd);
  }
}

/** `pfn >> pageblock_order` for any pfn (a shift on the per-page window's 31 bits, a division above it). */
function pageblockOf(pfn: number): number {
  return pfn < PER_PAGE_PFNS ? pfn >>> PAGEBLOCK_ORDER : Math.floor(pfn / PAGEBLOCK_NR_PAGES);
}

/** `pfn >> MAX_PAGE_ORDER` for any pfn, as {@link pageblockOf}: a free MAX_PAGE_ORDER block's number. */
export function maxOrderBlockOf(pfn: number): number {
  return pfn < PER_PAGE_PFNS ? pfn >>> MAX_PAGE_ORDER : Math.floor(pfn / MAX_ORDER_NR_PAGES);
}

/**
 * A page above the per-page window ({@link PER_PAGE_PFNS}, 8 TiB) was about to be used: a limit of the simulator,
 * thrown before anything changed.
 */
export class PerPageWindowError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'PerPageWindowError';
  }
}

/** The error for a use of a page above the per-page window (see {@link PER_PAGE_PFNS}). */
export function beyondPerPageWindow(pfn: number): PerPageWindowError {
  return new PerPageWindowError(
    `pfn 0x${pfn.toString(16)} is above 8 TiB (pfn 0x${PER_PAGE_PFNS.toString(16)}): mmsim keeps per-page state ` +
      'below it only, so memory there boots and is counted but cannot be allocated (use --mem 8191G or less for this)',
  );
}

/** The parts of `ranges` not covered by any of `regions` (both sorted or not; the result is sorted). */
function subtractRegions(ranges: readonly PfnRange[], regions: readonly PfnRange[]): PfnRange[] {
  let pieces = ranges.filter(({ start, end }) => end > start);
  for (const region of regions) {
    pieces = pieces.flatMap((piece) => {
      if (region.end <= piece.start || region.start >= piece.end) return [piece];
      const parts: PfnRange[] = [];
      if (piece.start < region.start) parts.push({ start: piece.start, end: region.start });
      if (piece.end > region.end) parts.push({ start: region.end, end: piece.end });
      return parts;
    });
  }
  return pieces.sort((a, b) => a.start - b.start);
}

/** The flags word of a free MAX_PAGE_ORDER head on the free list of `migratetype` (see page-state.ts). */
function freeMaxOrderWord(migratetype: number): number {
  return ((PageState.buddy << STATE_SHIFT) | (MAX_PAGE_ORDER << ORDER_SHIFT) | migratetype) >>> 0;
}
