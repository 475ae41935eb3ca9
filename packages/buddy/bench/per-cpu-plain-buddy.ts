import { PlainBuddy } from './plain-buddy';

/** v6.18's `pcp->high_min` and `pcp->batch` of the 4 GiB machine's DMA32 zone (the comparison's @mm/buddy boots it). */
const HIGH = 7986;
const BATCH = 63;
/** The list's ring: a power of two above HIGH + BATCH. */
const RING_MASK = 8191;

/**
 * The plain buddy allocator of `plain-buddy.ts` behind one per-CPU list for order 0, doing per page the least that
 * v6.18's `rmqueue_pcplist()` and `free_unref_page_commit()` do and `@mm/buddy` models: the struct page checks and
 * writes (flags word, reference count, mapcount), the pageblock's migratetype, the list (taken from and freed to at
 * its head, refilled at and drained from its tail a batch at a time, page by page), the per-CPU counters (`count`,
 * `free_count`, `alloc_factor`, `prev_free_high_order`, `high`), the event counters and a listener check. One zone
 * and one CPU: no watermarks, zonelists, migratetype lists, hooks or per-CPU list tuning, and higher orders go
 * straight to the plain allocator. In the shape V8 runs fastest (one class, scalar fields), it shows what a per-CPU
 * list alone buys the plain allocator, and so how much of `@mm/buddy`'s cost is the rest of what it models.
 */
export class PerCpuPlainBuddy {
  readonly #buddy: PlainBuddy;
  readonly #flags: Uint32Array;
  readonly #refcount: Int32Array;
  readonly #mapcount: Int32Array;
  readonly #pageblockFlags: Uint8Array;
  readonly #list = new Int32Array(RING_MASK + 1);
  /** The list's head (hottest page) in the ring. */
  #head = 0;
  #count = 0;
  #freeCount = 0;
  #allocFactor = 0;
  #high = HIGH;
  #listeners = 0;
  /** Written as the kernel writes them, read by nobody here. */
  prevFreeHighOrder = 0;
  allocations = 0;
  frees = 0;

  constructor(pages: number) {
    this.#buddy = new PlainBuddy(pages);
    this.#flags = new Uint32Array(pages);
    this.#refcount = new Int32Array(pages);
    this.#mapcount = new Int32Array(pages);
    this.#pageblockFlags = new Uint8Array(pages >>> 9);
  }

  /** A block of 2^order pages, or -1 when none is left. */
  alloc(order: number): number {
    if (order !== 0) return this.#buddy.alloc(order);
    if (this.#count === 0 && this.#refill() === 0) return -1;
    const pfn = this.#list[this.#head]!;
    this.#head = (this.#head + 1) & RING_MASK;
    this.#count--;
    this.#freeCount >>= 1;
    this.#refcount[pfn] = 1;
    this.#flags[pfn] = 0;
    this.allocations++;
    if (this.#listeners !== 0) throw new Error('PerCpuPlainBuddy has no listeners');
    return pfn;
  }

  /** Frees a block: order 0 onto the list, which drains a batch to the buddy at `high`. */
  free(pfn: number, order: number): void {
    if (order !== 0) {
      this.#buddy.free(pfn, order);
      return;
    }
    if ((this.#flags[pfn]! & 0xff000000) !== 0 || this.#refcount[pfn] !== 1 || this.#mapcount[pfn] !== 0) {
      throw new Error(`PerCpuPlainBuddy: bad page state, pfn ${pfn}`);
    }
    const migratetype = this.#pageblockFlags[pfn >>> 9]! & 7;
    this.#refcount[pfn] = 0;
    if (this.#listeners !== 0) throw new Error('PerCpuPlainBuddy has no listeners');
    this.frees++;
    // The list's number in the flags word, as @mm/buddy marks a page on a per-CPU list.
    this.#flags[pfn] = 0x40000000 | migratetype;
    this.#head = (this.#head - 1) & RING_MASK;
    this.#list[this.#head] = pfn;
    this.#count++;
    this.#allocFactor >>= 1;
    this.prevFreeHighOrder = 0;
    if (this.#freeCount < BATCH << 5) this.#freeCount++;
    if (this.#count >= this.#high) this.#drain();
  }

  /** `rmqueue_bulk()`: up to a batch of pages from the buddy, at the list's tail; returns the list's length. */
  #refill(): number {
    while (this.#count < BATCH) {
      const pfn = this.#buddy.alloc(0);
      if (pfn < 0) break;
      this.#list[(this.#head + this.#count++) & RING_MASK] = pfn;
    }
    return this.#count;
  }

  /** `free_pcppages_bulk()`: a batch of pages from the list's tail back to the buddy. */
  #drain(): void {
    for (let index = 0; index < BATCH; index++) {
      const pfn = this.#list[(this.#head + --this.#count) & RING_MASK]!;
      this.#flags[pfn] = 0;
      this.#buddy.free(pfn, 0);
    }
  }
}
