import type { PhysicalMemory } from '@mm/physmem';
import type { IdleFlags } from './idle-flags';

/** The page_ext flag bits of 32-bit Idle and Young per era (include/linux/page_ext.h `PAGE_EXT_YOUNG`, `_IDLE`). */
const pageExtBits = {
  v4: { young: 3, idle: 4 },
  v6: { young: 2, idle: 3 },
} as const;

/**
 * `CONFIG_PAGE_IDLE_FLAG` (include/linux/page_idle.h): Idle and Young as two bits of a per-page typed array, one
 * array per memory section. On 64-bit it is the page flags word itself (`PG_idle`, `PG_young`:
 * include/linux/page-flags.h), so every section has it at once; on 32-bit it is page_ext's flags word
 * (`PAGE_EXT_IDLE`, `PAGE_EXT_YOUNG`), only for the sections that have page_ext once it exists
 * ({@link attachPageExt}). A page without the array reads as neither and ignores writes, as the kernel's helpers do
 * when `page_ext_get()` returns NULL.
 */
export class PageIdleFlags implements IdleFlags {
  /** The array holding each section's bits (undefined: no page_ext there). */
  readonly arrays: (Uint32Array | Uint8Array | undefined)[];
  readonly idleMask: number;
  readonly youngMask: number;
  /** 32-bit: the flags are page_ext bits. */
  readonly inPageExt: boolean;
  readonly #memory: PhysicalMemory;
  readonly #shift: number;
  readonly #mask: number;

  constructor(memory: PhysicalMemory) {
    this.#memory = memory;
    this.#shift = memory.pfnSectionShift;
    this.#mask = memory.pagesPerSection - 1;
    this.inPageExt = memory.profile.arch.bitsPerLong === 32;
    const bits = this.inPageExt ? pageExtBits[memory.profile.era] : memory.profile.pageFlags.bit;
    this.idleMask = 1 << bits.idle;
    this.youngMask = 1 << bits.young;
    this.arrays = this.inPageExt ? [] : memory.sections.map((section) => section?.flags);
  }

  /**
   * 32-bit: page_ext exists (its clients' `init()`), so the sections for which `hasPageExt(first pfn)` holds get
   * their flags. Nothing happens on 64-bit.
   */
  attachPageExt(hasPageExt: (pfn: number) => boolean): void {
    if (!this.inPageExt) return;
    const memory = this.#memory;
    memory.sections.forEach((section, nr) => {
      if (section !== undefined && hasPageExt(section.startPfn)) {
        this.arrays[nr] = new Uint8Array(memory.pagesPerSection);
      }
    });
  }

  isIdle(pfn: number): boolean {
    return ((this.arrays[pfn >>> this.#shift]?.[pfn & this.#mask] ?? 0) & this.idleMask) !== 0;
  }

  setIdle(pfn: number): void {
    const array = this.arrays[pfn >>> this.#shift];
    if (array !== undefined) array[pfn & this.#mask]! |= this.idleMask;
  }

  clearIdle(pfn: number): void {
    const array = this.arrays[pfn >>> this.#shift];
    if (array !== undefined) array[pfn & this.#mask]! &= ~this.idleMask;
  }

  isYoung(pfn: number): boolean {
    return ((this.arrays[pfn >>> this.#shift]?.[pfn & this.#mask] ?? 0) & this.youngMask) !== 0;
  }

  setYoung(pfn: number): void {
    const array = this.arrays[pfn >>> this.#shift];
    if (array !== undefined) array[pfn & this.#mask]! |= this.youngMask;
  }

  testAndClearYoung(pfn: number): boolean {
    const array = this.arrays[pfn >>> this.#shift];
    if (array === undefined) return false;
    const index = pfn & this.#mask;
    const word = array[index]!;
    if ((word & this.youngMask) === 0) return false;
    array[index] = word & ~this.youngMask;
    return true;
  }

  /** The Young and Idle flags of `count` pages from `from` are copied to `to` (`folio_migrate_flags()`, THP split). */
  copy(from: number, to: number, count: number): void {
    for (let page = 0; page < count; page++) {
      if (this.isYoung(from + page)) this.setYoung(to + page);
      if (this.isIdle(from + page)) this.setIdle(to + page);
    }
  }
}
