/**
 * Bits of a simulated page table entry beside the pfn (arch/x86/include/asm/pgtable_types.h `_PAGE_ACCESSED`,
 * `_PAGE_DIRTY`; no soft-dirty tracking, like the kernel the samples come from): the hardware sets ACCESSED on every access through the entry and DIRTY on a
 * write; idle tracking and reclaim clear ACCESSED (`ptep_clear_young_notify()`, `ptep_clear_flush_young()`).
 * An entry is present when its pfn slot is non-zero.
 */
export const PteBits = {
  ACCESSED: 1,
  DIRTY: 2,
  /** mmsim's own: the entry maps a file page into a private mapping, so a write copies it first (COW). */
  COW: 4,
} as const;
