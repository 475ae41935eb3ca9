/**
 * The constants of @mm/physmem and @mm/vm that the bitmap walk reads at every page, as members of a TypeScript enum:
 * esbuild writes an enum member into the bundle as its value, a literal, where a constant imported from another
 * package stays a module binding that V8 reads through a cell, with a hole check and a Smi check, at every use (see
 * "Fast listeners" in docs/guide/writing-a-client.md). walk-constants.test.ts checks each against its source.
 */
export enum WalkConstants {
  /** Shift of the state field in a page's flags word (@mm/physmem `STATE_SHIFT`). */
  STATE_SHIFT = 29,
  /** Pages of a reverse-map chunk (@mm/vm `RMAP_CHUNK_PAGES`). */
  RMAP_CHUNK_PAGES = 4096,
  /** log2 of {@link RMAP_CHUNK_PAGES} (@mm/vm `RMAP_CHUNK_SHIFT`). */
  RMAP_CHUNK_SHIFT = 12,
  /** A pfn's place in its reverse-map chunk: `pfn & RMAP_CHUNK_MASK`. */
  RMAP_CHUNK_MASK = RMAP_CHUNK_PAGES - 1,
  /** `_PAGE_ACCESSED` of a page table entry (@mm/vm `PteBits.ACCESSED`). */
  ACCESSED = 1,
}
