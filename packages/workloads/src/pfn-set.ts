/** Pfns per chunk of a {@link PfnSet}: 32768, a 128 MiB memory section of 4 KiB pages. */
const CHUNK_SHIFT = 15;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

/**
 * A set of pfns as a bitmap in chunks of 32768 pfns made on first use (4 KiB each), so that it costs what the set
 * covers, not the address space: the pages a trace allocates on a machine of any size.
 */
export class PfnSet {
  readonly #chunks: (Uint8Array | undefined)[] = [];
  #size = 0;

  /** Pfns in the set. */
  get size(): number {
    return this.#size;
  }

  /** Adds `count` pfns from `pfn`. */
  addRange(pfn: number, count: number): void {
    for (let page = pfn; page < pfn + count; page++) {
      const chunk = Math.floor(page / (CHUNK_MASK + 1));
      let bits = this.#chunks[chunk];
      if (bits === undefined) {
        bits = new Uint8Array((CHUNK_MASK + 1) / 8);
        this.#chunks[chunk] = bits;
      }
      const index = page & CHUNK_MASK;
      const mask = 1 << (index & 7);
      if ((bits[index >>> 3]! & mask) === 0) {
        bits[index >>> 3]! |= mask;
        this.#size++;
      }
    }
  }

  /** Whether `pfn` is in the set. */
  has(pfn: number): boolean {
    const bits = this.#chunks[Math.floor(pfn / (CHUNK_MASK + 1))];
    const index = pfn & CHUNK_MASK;
    return bits !== undefined && (bits[index >>> 3]! & (1 << (index & 7))) !== 0;
  }

  /** Calls `visit` with each run of consecutive pfns of the set (its first pfn and length), in order. */
  forEachRun(visit: (pfn: number, count: number) => void): void {
    let runStart = -1;
    let runLength = 0;
    this.#chunks.forEach((bits, chunk) => {
      if (bits === undefined) return;
      for (let index = 0; index <= CHUNK_MASK; index++) {
        // A byte without pfns ends any run and is skipped whole.
        if ((index & 7) === 0 && bits[index >>> 3] === 0) {
          index += 7;
          continue;
        }
        const pfn = chunk * (CHUNK_MASK + 1) + index;
        if ((bits[index >>> 3]! & (1 << (index & 7))) !== 0) {
          if (runLength > 0 && runStart + runLength === pfn) runLength++;
          else {
            if (runLength > 0) visit(runStart, runLength);
            runStart = pfn;
            runLength = 1;
          }
        }
      }
    });
    if (runLength > 0) visit(runStart, runLength);
  }

  /** Host bytes of the bitmap. */
  hostBytes(): number {
    return this.#chunks.reduce((sum, bits) => sum + (bits?.byteLength ?? 0), 0);
  }
}
