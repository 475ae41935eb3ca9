/** Pages per chunk of the reverse map's arrays (16 MiB of memory). */
export const RMAP_CHUNK_PAGES = 4096;
/** log2 of {@link RMAP_CHUNK_PAGES}. */
export const RMAP_CHUNK_SHIFT = 12;
const CHUNK_SHIFT = RMAP_CHUNK_SHIFT;
/** Bits of a packed word that hold the index; the mapping is the 18 bits above them, signed. */
const INDEX_BITS = 14;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** Packed mappings lie in [-MAPPING_LIMIT, MAPPING_LIMIT). */
const MAPPING_LIMIT = 2 ** (31 - INDEX_BITS);
/** The index array of every packed chunk: all zeros (the index is in the word). */
const PACKED_INDEXES = new Uint32Array(RMAP_CHUNK_PAGES);
/** A packed chunk whose first page lies this far into its file or mapping holds indices from 4096 pages before it. */
const INDEX_BASE_FROM = 1 << INDEX_BITS;

/** Whether a mapping and an index fit one packed word. */
function fits(mapping: number, index: number): boolean {
  return index >= 0 && index <= INDEX_MASK && mapping >= -MAPPING_LIMIT && mapping < MAPPING_LIMIT;
}

/**
 * The reverse map's per-page half (`page->mapping`, `page->index`), per chunk of 4096 pages
 * ({@link RMAP_CHUNK_PAGES}), made when a chunk first holds a user page (smaller than a section, so that a few
 * mapped pages do not pay for a whole section): `mapping` is the file id of a page cache page (positive) or minus the
 * id of the mapping of an anonymous page (the kernel's `anon_vma`, one per mapping here since nothing forks), 0 for
 * a page that is neither; `index` is the page's index in its file, or its page in the mapping.
 *
 * A chunk keeps both in one word a page while every page's fit (packed: the mapping in the high 18 bits, signed, the
 * index in the low 14, less the chunk's index base): mappings below 131,072 either way, and indices below 16,384
 * (64 MiB into a file or mapping) or, in a chunk whose first page lies further in, within 16,384 pages from 4096
 * before it (a large file read or written in order). A page with no mapping is the word 0, whatever its index. The
 * first page that does not fit turns its chunk wide: the word is then the mapping and the index has an array of its
 * own, 8 host bytes a page. Either way a page with a mapping reads as `mapping = word >> shift` and
 * `index = (word & mask) + indexes[at] + base` with its chunk's {@link shiftOf} and {@link indexBaseOf} (a packed
 * chunk's `indexes` are zeros, a wide chunk's base 0), without a branch. mmsim's, not the kernel's: the kernel keeps
 * the two in `struct page`.
 */
export class ReverseMap {
  /** Per chunk, each page's word: mapping and index (packed), or the mapping (wide). */
  readonly words: (Int32Array | undefined)[] = [];
  /** Per chunk, each page's index: its own array in a wide chunk, one shared array of zeros in a packed one. */
  readonly indexes: (Uint32Array | undefined)[] = [];
  /** Per packed chunk, the index its words' index bits count from. */
  readonly #indexBase: number[] = [];

  /**
   * The shift of chunk `chunk`'s words: `word >> shift` is a page's mapping, and `word & ((1 << shift) - 1)` plus its
   * entry in {@link indexes} plus the chunk's {@link indexBaseOf} its index (14 in a packed chunk, 0 in a wide one).
   */
  shiftOf(chunk: number): number {
    return this.indexes[chunk] === PACKED_INDEXES ? INDEX_BITS : 0;
  }

  /** The index base of chunk `chunk` (see the class comment; 0 for a wide chunk). */
  indexBaseOf(chunk: number): number {
    return this.#indexBase[chunk] ?? 0;
  }

  /** Sets a page's mapping and index. */
  set(pfn: number, mapping: number, index: number): void {
    const chunk = pfn >>> CHUNK_SHIFT;
    const words = this.words[chunk];
    if (words !== undefined && this.indexes[chunk] === PACKED_INDEXES) {
      if (mapping === 0) {
        words[pfn & (RMAP_CHUNK_PAGES - 1)] = 0;
        return;
      }
      const offset = index - this.#indexBase[chunk]!;
      if (fits(mapping, offset)) {
        words[pfn & (RMAP_CHUNK_PAGES - 1)] = (mapping << INDEX_BITS) | offset;
        return;
      }
    }
    this.#setAside(chunk, pfn & (RMAP_CHUNK_PAGES - 1), mapping, index);
  }

  /** {@link set} in a chunk that is wide, not made yet, or turns wide now. */
  #setAside(chunk: number, at: number, mapping: number, index: number): void {
    let words = this.words[chunk];
    if (words === undefined) {
      words = new Int32Array(RMAP_CHUNK_PAGES);
      this.words[chunk] = words;
      this.indexes[chunk] = PACKED_INDEXES;
      const base = mapping !== 0 && index >= INDEX_BASE_FROM ? index - RMAP_CHUNK_PAGES : 0;
      this.#indexBase[chunk] = base;
      if (mapping === 0) return;
      if (fits(mapping, index - base)) {
        words[at] = (mapping << INDEX_BITS) | (index - base);
        return;
      }
    }
    let indexes = this.indexes[chunk]!;
    if (indexes === PACKED_INDEXES) {
      // The chunk turns wide: each word becomes its mapping, and the indices go aside.
      const base = this.#indexBase[chunk]!;
      indexes = new Uint32Array(RMAP_CHUNK_PAGES);
      for (let page = 0; page < RMAP_CHUNK_PAGES; page++) {
        const word = words[page]!;
        indexes[page] = word === 0 ? 0 : (word & INDEX_MASK) + base;
        words[page] = word >> INDEX_BITS;
      }
      this.indexes[chunk] = indexes;
      this.#indexBase[chunk] = 0;
    }
    words[at] = mapping;
    indexes[at] = index;
  }

  /** The page's mapping: > 0 a file id, < 0 minus a mapping id (anonymous), 0 none. */
  mappingOf(pfn: number): number {
    const chunk = pfn >>> CHUNK_SHIFT;
    const words = this.words[chunk];
    if (words === undefined) return 0;
    return words[pfn & (RMAP_CHUNK_PAGES - 1)]! >> this.shiftOf(chunk);
  }

  /** The page's index (file page, or page in its anonymous mapping; 0 for a page with no mapping). */
  indexOf(pfn: number): number {
    const chunk = pfn >>> CHUNK_SHIFT;
    const words = this.words[chunk];
    if (words === undefined) return 0;
    const at = pfn & (RMAP_CHUNK_PAGES - 1);
    const word = words[at]!;
    const shift = this.shiftOf(chunk);
    if (word >> shift === 0) return 0;
    return (word & ((1 << shift) - 1)) + this.indexes[chunk]![at]! + this.indexBaseOf(chunk);
  }

  /** Host bytes of the arrays. */
  hostBytes(): number {
    let bytes = 0;
    for (const array of this.words) if (array !== undefined) bytes += array.byteLength;
    for (const array of this.indexes) if (array !== undefined && array !== PACKED_INDEXES) bytes += array.byteLength;
    return bytes;
  }
}
