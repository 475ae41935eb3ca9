/**
 * The control every allocator change is measured against: a plain binary buddy allocator, as a textbook writes it.
 * Intrusive doubly linked free lists in `Int32Array`s indexed by pfn, one list per order, the order and a PageBuddy
 * byte per page; split on allocation, merge with the buddy on free. No zones, no migratetypes, no watermarks, no
 * per-CPU lists, no hooks. LIFO lists, as the kernel's pcp lists and the buddy's head insertions are.
 */
export class PlainBuddy {
  readonly #next: Int32Array;
  readonly #prev: Int32Array;
  /** The order of a free block's head page. */
  readonly #order: Uint8Array;
  /** 1 on the head page of a free block (PageBuddy). */
  readonly #isFree: Uint8Array;
  readonly #heads: Int32Array;
  readonly maxOrder: number;

  constructor(pages: number, maxOrder = 10) {
    this.#next = new Int32Array(pages);
    this.#prev = new Int32Array(pages);
    this.#order = new Uint8Array(pages);
    this.#isFree = new Uint8Array(pages);
    this.#heads = new Int32Array(maxOrder + 1).fill(-1);
    this.maxOrder = maxOrder;
    for (let pfn = 0; pfn + (1 << maxOrder) <= pages; pfn += 1 << maxOrder) this.#push(pfn, maxOrder);
  }

  #push(pfn: number, order: number): void {
    const head = this.#heads[order]!;
    this.#next[pfn] = head;
    this.#prev[pfn] = -1;
    if (head >= 0) this.#prev[head] = pfn;
    this.#heads[order] = pfn;
    this.#order[pfn] = order;
    this.#isFree[pfn] = 1;
  }

  #unlink(pfn: number, order: number): void {
    const next = this.#next[pfn]!;
    const prev = this.#prev[pfn]!;
    if (prev >= 0) this.#next[prev] = next;
    else this.#heads[order] = next;
    if (next >= 0) this.#prev[next] = prev;
    this.#isFree[pfn] = 0;
  }

  /** A block of 2^order pages, or -1 when none is left. */
  alloc(order: number): number {
    let current = order;
    while (current <= this.maxOrder && this.#heads[current]! < 0) current++;
    if (current > this.maxOrder) return -1;
    const pfn = this.#heads[current]!;
    this.#unlink(pfn, current);
    while (current > order) {
      current--;
      this.#push(pfn + (1 << current), current);
    }
    return pfn;
  }

  /** Frees a block, merging it with its free buddies. */
  free(pfn: number, order: number): void {
    let block = pfn;
    let current = order;
    while (current < this.maxOrder) {
      const buddy = block ^ (1 << current);
      if (buddy >= this.#isFree.length || this.#isFree[buddy] !== 1 || this.#order[buddy] !== current) break;
      this.#unlink(buddy, current);
      block &= ~(1 << current);
      current++;
    }
    this.#push(block, current);
  }
}
