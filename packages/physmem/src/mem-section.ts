import { PAGEBLOCK_NR_PAGES } from './constants';

/**
 * The end of the pfns whose `struct page` words mmsim stores: 2^31, 8 TiB of physical address space. The hot paths
 * compute on pfns with 32-bit integer operators (a buddy's pfn is `pfn ^ (1 << order)`), which are signed, and V8's
 * typed arrays hold at most 2^32 elements. Memory above it boots and is counted like any other (free
 * MAX_PAGE_ORDER blocks, pageblocks, sections, zones), but none of its blocks can be split or its pages used.
 */
export const PER_PAGE_PFNS = 2 ** 31;

/**
 * The per-page `struct page` arrays of the whole pfn space, flat and indexed by pfn (see page-state.ts for the
 * packing): every section's arrays are views of these. They are allocated untouched (the host maps fresh memory
 * without clearing it), so a page costs the host memory only once it is written, and holes cost nothing.
 * (A class, not an object literal: V8 forgets the field types of a literal's second copy, and the code that read
 * the first machine's arrays would be thrown away when a process boots a second machine.)
 */
export class PageArrays {
  readonly flags: Uint32Array;
  readonly refcount: Int32Array;
  readonly mapcount: Int32Array;
  /** The pageblock bits (`pageblock_flags`), one byte per pageblock, by `pfn >> pageblock_order`. */
  readonly pageblockFlags: Uint8Array;
  /**
   * 1 for a pageblock that memblock reserved whole (or a hole's), whose pages' words are not stored yet: each is
   * PG_reserved with one reference, as `reserve_bootmem_region()` and `init_unavailable_range()` leave them. The
   * accessors of PhysicalMemory answer for them; {@link PhysicalMemory.materializeReserved} stores the words before
   * anything writes them (or reads them raw), and clears the byte.
   */
  readonly reservedBlocks: Uint8Array;

  /**
   * Flat per-page arrays for pfns [0, min(pages, {@link PER_PAGE_PFNS})), per-pageblock arrays for [0, pages): the
   * pageblocks of memory above the per-page window are kept (they are a byte each), its pages' words are not.
   */
  constructor(pages: number) {
    const perPage = Math.min(pages, PER_PAGE_PFNS);
    this.flags = new Uint32Array(perPage);
    this.refcount = new Int32Array(perPage);
    this.mapcount = new Int32Array(perPage);
    this.pageblockFlags = new Uint8Array(pages / PAGEBLOCK_NR_PAGES);
    this.reservedBlocks = new Uint8Array(pages / PAGEBLOCK_NR_PAGES);
  }
}

/**
 * One memory section (`struct mem_section`, include/linux/mmzone.h): the struct pages of PAGES_PER_SECTION pfns,
 * as views of the machine's flat arrays ({@link PageArrays}; page-state.ts gives the packing), plus the pageblock bits
 * (`pageblock_flags`: 3 bits of migratetype and the compaction skip bit, one byte per pageblock here).
 * Sections are allocated only where memory is present (SPARSEMEM), so holes cost nothing.
 */
export class MemSection {
  /** Section number: pfn >> PFN_SECTION_SHIFT. */
  readonly nr: number;
  /** First pfn of the section. */
  readonly startPfn: number;
  /** NUMA node the section belongs to. */
  readonly node: number;
  /** Index into `PhysicalMemory.zones` when the whole section is in one zone, else -1. */
  zoneId: number;
  /**
   * `SECTION_IS_ONLINE`: set for every boot section (`memory_present()`), cleared when memory hot-remove takes the
   * section offline (`offline_mem_sections()`); `pfn_to_online_page()` finds no page in an offline section.
   */
  online = true;
  /** `SECTION_IS_EARLY`: the section came with boot memory (every section in mmsim, which has no hot-add). */
  readonly early = true;
  readonly flags: Uint32Array;
  readonly refcount: Int32Array;
  readonly mapcount: Int32Array;
  readonly pageblockFlags: Uint8Array;
  /** {@link PageArrays.reservedBlocks} of the section's pageblocks. */
  readonly reservedBlocks: Uint8Array;

  /** The section's per-page arrays are views of `pages` (the machine's flat arrays) at its pfns. */
  constructor(nr: number, pagesPerSection: number, node: number, pages: PageArrays) {
    this.nr = nr;
    this.startPfn = nr * pagesPerSection;
    this.node = node;
    this.zoneId = -1;
    const end = this.startPfn + pagesPerSection;
    // Above the per-page window the per-page views are empty (see PER_PAGE_PFNS).
    this.flags = pages.flags.subarray(this.startPfn, end);
    this.refcount = pages.refcount.subarray(this.startPfn, end);
    this.mapcount = pages.mapcount.subarray(this.startPfn, end);
    const firstBlock = this.startPfn / PAGEBLOCK_NR_PAGES;
    const endBlock = end / PAGEBLOCK_NR_PAGES;
    this.pageblockFlags = pages.pageblockFlags.subarray(firstBlock, endBlock);
    this.reservedBlocks = pages.reservedBlocks.subarray(firstBlock, endBlock);
  }

  /** Host bytes of this section's arrays. */
  get hostBytes(): number {
    return (
      this.flags.byteLength +
      this.refcount.byteLength +
      this.mapcount.byteLength +
      this.pageblockFlags.byteLength +
      this.reservedBlocks.byteLength
    );
  }
}

/** Bits of a pageblock byte: the migratetype. */
export const PAGEBLOCK_MIGRATETYPE_MASK = 0x7;
/** Bit of a pageblock byte: `PB_migrate_skip`, compaction's "nothing to do here" hint. */
export const PAGEBLOCK_SKIP = 0x8;
