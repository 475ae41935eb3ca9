import { PAGEBLOCK_ORDER } from './constants';

/**
 * One memory section (`struct mem_section`, include/linux/mmzone.h): the struct pages of PAGES_PER_SECTION pfns,
 * stored as a struct of typed arrays (see page-state.ts for the packing), plus the pageblock bits
 * (`pageblock_flags`: 3 bits of migratetype and the compaction skip bit, one byte per pageblock here).
 * Sections are allocated only where memory is present (SPARSEMEM), so holes cost nothing.
 */
/** Host bytes of a section's per-page arrays, per page: flags, refcount and mapcount. */
export const SECTION_BYTES_PER_PAGE = 12;

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

  /**
   * `arena`, when given, holds the section's three per-page arrays (12 bytes a page, from `offset`); else they are
   * allocated on their own.
   */
  constructor(nr: number, pagesPerSection: number, node: number, arena?: ArrayBuffer, offset = 0) {
    this.nr = nr;
    this.startPfn = nr * pagesPerSection;
    this.node = node;
    this.zoneId = -1;
    const buffer = arena ?? new ArrayBuffer(pagesPerSection * SECTION_BYTES_PER_PAGE);
    const base = arena === undefined ? 0 : offset;
    this.flags = new Uint32Array(buffer, base, pagesPerSection);
    this.refcount = new Int32Array(buffer, base + pagesPerSection * 4, pagesPerSection);
    this.mapcount = new Int32Array(buffer, base + pagesPerSection * 8, pagesPerSection);
    this.pageblockFlags = new Uint8Array(pagesPerSection >>> PAGEBLOCK_ORDER);
  }

  /** Host bytes of this section's arrays. */
  get hostBytes(): number {
    return this.flags.byteLength + this.refcount.byteLength + this.mapcount.byteLength + this.pageblockFlags.byteLength;
  }
}

/** Bits of a pageblock byte: the migratetype. */
export const PAGEBLOCK_MIGRATETYPE_MASK = 0x7;
/** Bit of a pageblock byte: `PB_migrate_skip`, compaction's "nothing to do here" hint. */
export const PAGEBLOCK_SKIP = 0x8;
