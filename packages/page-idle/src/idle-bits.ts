import type { PhysicalMemory } from '@mm/physmem';
import type { IdleFlags } from '@mm/vm';

/**
 * Idle and Young as two bits of a per-page typed array, one array per memory section: on 64-bit the page flags
 * word itself (`PG_idle`, `PG_young`: include/linux/page-flags.h), on 32-bit page_ext's flags
 * (`PAGE_EXT_IDLE`, `PAGE_EXT_YOUNG`), only for sections that have page_ext. A page without the array reads as
 * neither and ignores writes, as the kernel's helpers do when `page_ext_get()` returns NULL.
 */
export class IdleBits implements IdleFlags {
  /** The array holding each section's bits (undefined: no page_ext there). */
  readonly arrays: (Uint32Array | Uint8Array | undefined)[];
  readonly idleMask: number;
  readonly youngMask: number;
  readonly #shift: number;
  readonly #mask: number;

  constructor(
    memory: PhysicalMemory,
    arrays: (Uint32Array | Uint8Array | undefined)[],
    bits: { idle: number; young: number },
  ) {
    this.arrays = arrays;
    this.idleMask = 1 << bits.idle;
    this.youngMask = 1 << bits.young;
    this.#shift = memory.pfnSectionShift;
    this.#mask = memory.pagesPerSection - 1;
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
}
