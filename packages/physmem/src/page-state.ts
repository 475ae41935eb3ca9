/**
 * How mmsim packs `struct page` into typed arrays (struct of arrays, one set per memory section):
 *
 * - `flags` (Uint32): bits 0..24 are the kernel's page flags at the profile's bit numbers; bits 25..28 hold an
 *   order (the buddy order of a free block, the order of an allocated block at its head, the guard order); bits
 *   29..31 a {@link PageState}.
 * - `refcount` (Int32): `page->_refcount`; for a page on a free list, the next pfn of the list.
 * - `mapcount` (Int32): the number of page table mappings, or a negative {@link PageType} for typed pages (slab,
 *   page tables; v6.18 keeps `page_type` in the same union); for a page on a free list, the previous pfn.
 *
 * A page on a free list has no kernel flags (they are cleared when it is freed), so bits 0..24 then hold the list it
 * is on: the migratetype for buddy and guard pages, the per-CPU list index for pcp pages.
 *
 * Reusing refcount and mapcount as list links for free pages is the kernel's own trick: a free page's `lru` list
 * head shares its `struct page` with fields only allocated pages use. That keeps physmem and buddy at 12 bytes a page.
 */
export const PAGE_FLAGS_MASK = 0x01ffffff;
/** Shift of the order field in the flags word. */
export const ORDER_SHIFT = 25;
/** Mask of the order field after shifting. */
export const ORDER_MASK = 0xf;
/** Shift of the state field in the flags word. */
export const STATE_SHIFT = 29;
/** Bits of the flags word that are not kernel page flags. */
export const PAGE_META_MASK = ~PAGE_FLAGS_MASK >>> 0;

/** What a page is doing, as far as the allocator is concerned. */
export const PageState = {
  /** Allocated, reserved, or a page inside a free block that is not its head. */
  none: 0,
  /** Head of a free block on a buddy free list (`PageBuddy`, order in the order field). */
  buddy: 1,
  /** On a per-CPU free list (the kernel has no page type for these; they are free but not `PageBuddy`). */
  pcp: 2,
  /** Head of a guard block split off by debug_pagealloc (`PageGuard`, order in the order field). */
  guard: 3,
  /** A tail page of a compound (`__GFP_COMP`) allocation (`PageTail`). */
  tail: 4,
} as const;

/** A value of {@link PageState}. */
export type PageState = (typeof PageState)[keyof typeof PageState];

/** Page types kept where the mapcount is (`page_type`): stored as the negative value in the mapcount array. */
export const PageType = {
  none: 0,
  slab: 1,
  table: 2,
  offline: 3,
} as const;

/** A value of {@link PageType}. */
export type PageType = (typeof PageType)[keyof typeof PageType];
