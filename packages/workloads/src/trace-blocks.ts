/** Pfns per chunk: 32768, a 128 MiB memory section of 4 KiB pages. A block (at most 2^10 pages, aligned) never spans two. */
const CHUNK_SHIFT = 15;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

/**
 * The blocks a replay holds for the trace: for each page, the head and order of the block it is part of. Kept in
 * typed arrays per 32768 pfns, made on first use, so that it costs what the trace touches and no object per block.
 */
export class TraceBlocks {
  /** Per page: (index of its block's head in the chunk) * 16 + order + 1; 0 for a page of no block. */
  readonly #chunks: (Int32Array | undefined)[] = [];

  /** The head of the block holding `pfn`, or -1. */
  headOf(pfn: number): number {
    const value = this.#chunks[Math.floor(pfn / (CHUNK_MASK + 1))]?.[pfn & CHUNK_MASK] ?? 0;
    return value === 0 ? -1 : pfn - (pfn & CHUNK_MASK) + ((value - 1) >>> 4);
  }

  /** The order of the block whose head is `head` (see {@link headOf}). */
  orderOf(head: number): number {
    return (this.#chunks[Math.floor(head / (CHUNK_MASK + 1))]![head & CHUNK_MASK]! - 1) & 15;
  }

  /** Makes the 2^order pages from `head` one block. */
  set(head: number, order: number): void {
    const chunk = Math.floor(head / (CHUNK_MASK + 1));
    let pages = this.#chunks[chunk];
    if (pages === undefined) {
      pages = new Int32Array(CHUNK_MASK + 1);
      this.#chunks[chunk] = pages;
    }
    const index = head & CHUNK_MASK;
    pages.fill(index * 16 + order + 1, index, index + 2 ** order);
  }

  /** Forgets the block at `head`. */
  delete(head: number, order: number): void {
    const index = head & CHUNK_MASK;
    this.#chunks[Math.floor(head / (CHUNK_MASK + 1))]!.fill(0, index, index + 2 ** order);
  }
}
