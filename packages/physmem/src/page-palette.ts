/** Pages per chunk (16 MiB of memory). */
const CHUNK_SHIFT = 12;
const CHUNK_PAGES = 1 << CHUNK_SHIFT;
/** Values a chunk's palette holds at most (entry 0 is the value 0); it starts with 16 and doubles. */
const PALETTE_SIZE = 256;
const FIRST_PALETTE_SIZE = 16;

/**
 * A 32-bit value per page where the pages of a stretch of memory hold few distinct values (which memory cgroup a page
 * is charged to, page_owner's free context of a page), in chunks of 4096 pages made at the first nonzero write: a
 * chunk keeps a byte a page, an index into its palette of up to 255 values besides 0. A chunk whose pages need a
 * 256th value drops the palette entries no page uses any more, and turns wide (the values themselves, 4 bytes a
 * page) when none is free. Reads of a page never written give 0.
 *
 * mmsim's, not the kernel's: the kernel keeps such fields in `struct page` or `page_ext`; this is how the host pays a
 * byte a page for them where the kernel pays 4 to 8.
 */
export class PagePalette {
  /** Per chunk, each page's palette index (undefined for a wide chunk, or a chunk never written). */
  readonly #indices: (Uint8Array | undefined)[] = [];
  /** Per chunk, its palette: entry 0 is 0, entries 1 to `#used[chunk] - 1` are values. */
  readonly #palettes: (Int32Array | undefined)[] = [];
  readonly #used: number[] = [];
  /** Per wide chunk, each page's value. */
  readonly #wide: (Int32Array | undefined)[] = [];
  /**
   * The last chunk written (-1: none), its indices, and the value written there with its palette index: most writes
   * repeat it, and then touch nothing else.
   */
  #lastChunk = -1;
  #lastIndices: Uint8Array = new Uint8Array(0);
  #lastValue = 0;
  #lastIndex = 0;

  /** The value of page `pfn` (0 for a page never written). */
  get(pfn: number): number {
    const chunk = pfn >>> CHUNK_SHIFT;
    const indices = this.#indices[chunk];
    if (indices !== undefined) return this.#palettes[chunk]![indices[pfn & (CHUNK_PAGES - 1)]!]!;
    return this.#wide[chunk]?.[pfn & (CHUNK_PAGES - 1)] ?? 0;
  }

  /** Sets the value of page `pfn` (a 32-bit integer). */
  set(pfn: number, value: number): void {
    const chunk = pfn >>> CHUNK_SHIFT;
    if (chunk === this.#lastChunk && value === this.#lastValue) {
      this.#lastIndices[pfn & (CHUNK_PAGES - 1)] = this.#lastIndex;
      return;
    }
    this.#setAside(chunk, pfn & (CHUNK_PAGES - 1), value);
  }

  /** {@link set} of another chunk or value than the last. */
  #setAside(chunk: number, at: number, value: number): void {
    let indices = this.#indices[chunk];
    if (indices === undefined) {
      const wide = this.#wide[chunk];
      if (wide !== undefined) {
        wide[at] = value;
        return;
      }
      if (value === 0) return;
      indices = new Uint8Array(CHUNK_PAGES);
      this.#indices[chunk] = indices;
      this.#palettes[chunk] = new Int32Array(FIRST_PALETTE_SIZE);
      this.#used[chunk] = 1;
    }
    const index = this.#indexOf(chunk, value);
    if (index < 0) {
      this.#widen(chunk)[at] = value;
      return;
    }
    indices[at] = index;
    this.#lastChunk = chunk;
    this.#lastIndices = indices;
    this.#lastValue = value;
    this.#lastIndex = index;
  }

  /**
   * Sets the pages [start, start + count) to 0 and gives back the host memory of every chunk the range covers whole
   * (memory going offline).
   */
  clear(start: number, count: number): void {
    const end = start + count;
    for (let pfn = start; pfn < end; ) {
      const chunk = Math.floor(pfn / CHUNK_PAGES);
      const chunkEnd = (chunk + 1) * CHUNK_PAGES;
      if (pfn !== chunk * CHUNK_PAGES || chunkEnd > end) {
        for (const stop = Math.min(chunkEnd, end); pfn < stop; pfn++) this.set(pfn, 0);
        continue;
      }
      this.#indices[chunk] = undefined;
      this.#palettes[chunk] = undefined;
      this.#wide[chunk] = undefined;
      if (chunk === this.#lastChunk) this.#lastChunk = -1;
      pfn = chunkEnd;
    }
  }

  /** Host bytes of the chunks. */
  hostBytes(): number {
    let bytes = 0;
    this.#indices.forEach((indices, chunk) => {
      if (indices !== undefined) bytes += indices.byteLength + this.#palettes[chunk]!.byteLength;
    });
    for (const wide of this.#wide) if (wide !== undefined) bytes += wide.byteLength;
    return bytes;
  }

  /** The palette index of `value` in a chunk's palette, added if need be; -1 when the palette is full. */
  #indexOf(chunk: number, value: number): number {
    let palette = this.#palettes[chunk]!;
    let used = this.#used[chunk]!;
    if (value === 0) return 0;
    // Newest first: a value written again is most often a recent one (pages freed in one step, in two chunks by turns).
    for (let index = used - 1; index > 0; index--) if (palette[index] === value) return index;
    if (used === PALETTE_SIZE) used = this.#compact(chunk);
    if (used === PALETTE_SIZE) return -1;
    if (used === palette.length) {
      const grown = new Int32Array(palette.length * 2);
      grown.set(palette);
      palette = grown;
      this.#palettes[chunk] = grown;
    }
    palette[used] = value;
    this.#used[chunk] = used + 1;
    return used;
  }

  /** Drops the palette entries no page of the chunk uses, keeping the others' order; returns the entries left. */
  #compact(chunk: number): number {
    const indices = this.#indices[chunk]!;
    const palette = this.#palettes[chunk]!;
    const inUse = new Uint8Array(PALETTE_SIZE);
    for (let at = 0; at < CHUNK_PAGES; at++) inUse[indices[at]!] = 1;
    const moved = new Uint8Array(PALETTE_SIZE);
    let used = 1;
    for (let index = 1; index < palette.length; index++) {
      if (inUse[index] === 0) continue;
      palette[used] = palette[index]!;
      moved[index] = used++;
    }
    for (let at = 0; at < CHUNK_PAGES; at++) indices[at] = moved[indices[at]!]!;
    this.#used[chunk] = used;
    this.#lastChunk = -1;
    return used;
  }

  /** Turns a chunk wide: each page's value in place of its palette index. */
  #widen(chunk: number): Int32Array {
    const indices = this.#indices[chunk]!;
    const palette = this.#palettes[chunk]!;
    const wide = new Int32Array(CHUNK_PAGES);
    for (let at = 0; at < CHUNK_PAGES; at++) wide[at] = palette[indices[at]!]!;
    this.#wide[chunk] = wide;
    this.#indices[chunk] = undefined;
    this.#palettes[chunk] = undefined;
    this.#lastChunk = -1;
    return wide;
  }
}
