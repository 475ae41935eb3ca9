/** Pages per chunk of the reverse map's arrays (16 MiB of memory). */
export const RMAP_CHUNK_PAGES = 4096;
/** log2 of {@link RMAP_CHUNK_PAGES}. */
export const RMAP_CHUNK_SHIFT = 12;
const CHUNK_SHIFT = RMAP_CHUNK_SHIFT;

/**
 * The reverse map's per-page half (`page->mapping`, `page->index`), struct of arrays per chunk of 4096 pages
 * ({@link RMAP_CHUNK_PAGES}), made when a chunk first holds a user page (smaller than a section, so that a few
 * mapped pages do not pay for a whole section): `mapping` is the file id of a page cache page (positive) or minus the id of
 * the mapping of an anonymous page (the kernel's `anon_vma`, one per mapping here since nothing forks), 0 for a
 * page that is neither; `index` is the page's index in its file, or its page in the mapping. 8 host bytes a page.
 */
export class ReverseMap {
  readonly mapping: (Int32Array | undefined)[] = [];
  readonly index: (Uint32Array | undefined)[] = [];

  /** Sets a page's mapping and index. */
  set(pfn: number, mapping: number, index: number): void {
    const chunk = pfn >>> CHUNK_SHIFT;
    let mappings = this.mapping[chunk];
    if (mappings === undefined) {
      mappings = new Int32Array(RMAP_CHUNK_PAGES);
      this.mapping[chunk] = mappings;
      this.index[chunk] = new Uint32Array(RMAP_CHUNK_PAGES);
    }
    mappings[pfn & (RMAP_CHUNK_PAGES - 1)] = mapping;
    this.index[chunk]![pfn & (RMAP_CHUNK_PAGES - 1)] = index;
  }

  /** The page's mapping: > 0 a file id, < 0 minus a mapping id (anonymous), 0 none. */
  mappingOf(pfn: number): number {
    return this.mapping[pfn >>> CHUNK_SHIFT]?.[pfn & (RMAP_CHUNK_PAGES - 1)] ?? 0;
  }

  /** The page's index (file page, or page in its anonymous mapping). */
  indexOf(pfn: number): number {
    return this.index[pfn >>> CHUNK_SHIFT]?.[pfn & (RMAP_CHUNK_PAGES - 1)] ?? 0;
  }

  /** Host bytes of the arrays. */
  hostBytes(): number {
    let bytes = 0;
    for (const array of this.mapping) if (array !== undefined) bytes += array.byteLength * 2;
    return bytes;
  }
}
