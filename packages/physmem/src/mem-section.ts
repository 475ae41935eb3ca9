import { PAGEBLOCK_ORDER } from './constants';

/**
 * One memory section (`struct mem_section`, include/linux/mmzone.h): the struct pages of PAGES_PER_SECTION pfns,
 * stored as a struct of typed arrays (see page-state.ts for the packing), plus the pageblock bits
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
  readonly flags: Uint32Array;
  readonly refcount: Int32Array;
  readonly mapcount: Int32Array;
  readonly pageblockFlags: Uint8Array;

  constructor(nr: number, pagesPerSection: number, node: number) {
    this.nr = nr;
    this.startPfn = nr * pagesPerSection;
    this.node = node;
    this.zoneId = -1;
    this.flags = new Uint32Array(pagesPerSection);
    this.refcount = new Int32Array(pagesPerSection);
    this.mapcount = new Int32Array(pagesPerSection);
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
