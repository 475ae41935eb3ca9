import type { PhysicalMemory } from '@mm/physmem';

/**
 * The reverse map's per-page half (`page->mapping`, `page->index`), struct of arrays per memory section, made when
 * a section first holds a user page: `mapping` is the file id of a page cache page (positive) or minus the id of
 * the mapping of an anonymous page (the kernel's `anon_vma`, one per mapping here since nothing forks), 0 for a
 * page that is neither; `index` is the page's index in its file, or its page in the mapping. 8 host bytes a page.
 */
export class ReverseMap {
  readonly mapping: (Int32Array | undefined)[] = [];
  readonly index: (Uint32Array | undefined)[] = [];
  readonly #shift: number;
  readonly #mask: number;
  readonly #pagesPerSection: number;

  constructor(memory: PhysicalMemory) {
    this.#shift = memory.pfnSectionShift;
    this.#mask = memory.pagesPerSection - 1;
    this.#pagesPerSection = memory.pagesPerSection;
  }

  /** Sets a page's mapping and index. */
  set(pfn: number, mapping: number, index: number): void {
    const nr = pfn >>> this.#shift;
    let mappings = this.mapping[nr];
    if (mappings === undefined) {
      mappings = new Int32Array(this.#pagesPerSection);
      this.mapping[nr] = mappings;
      this.index[nr] = new Uint32Array(this.#pagesPerSection);
    }
    mappings[pfn & this.#mask] = mapping;
    this.index[nr]![pfn & this.#mask] = index;
  }

  /** The page's mapping: > 0 a file id, < 0 minus a mapping id (anonymous), 0 none. */
  mappingOf(pfn: number): number {
    return this.mapping[pfn >>> this.#shift]?.[pfn & this.#mask] ?? 0;
  }

  /** The page's index (file page, or page in its anonymous mapping). */
  indexOf(pfn: number): number {
    return this.index[pfn >>> this.#shift]?.[pfn & this.#mask] ?? 0;
  }

  /** Host bytes of the arrays. */
  hostBytes(): number {
    let bytes = 0;
    for (const array of this.mapping) if (array !== undefined) bytes += array.byteLength * 2;
    return bytes;
  }
}
