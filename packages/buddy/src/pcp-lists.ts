/**
 * The per-CPU free lists of one zone (`per_cpu_pages.lists[]` of every CPU), each a double-ended queue of pfns.
 * The kernel only ever adds at and takes from the ends of these lists (hot pages at the head, bulk frees from the
 * cold tail; `drain_all_pages()` before anything that needs a specific page), so a ring buffer per list does the
 * same job as the kernel's linked list without touching the neighbouring pages.
 */
export class PcpLists {
  readonly #buffers: Int32Array[];
  // Fields the hot paths read start with a value of their kind (an empty array, 0, a blank object), never undefined
  // (a boolean gains nothing): see "Fast listeners" in docs/guide/writing-a-client.md (such a field costs a check at
  // every use).
  readonly #start: Int32Array = new Int32Array(0);
  /** Pages on each list. */
  readonly length: Int32Array = new Int32Array(0);

  constructor(lists: number) {
    this.#buffers = Array.from({ length: lists }, () => new Int32Array(8));
    this.#start = new Int32Array(lists);
    this.length = new Int32Array(lists);
  }

  /** The head (hottest) pfn, or -1. */
  first(list: number): number {
    if (this.length[list] === 0) return -1;
    return this.#buffers[list]![this.#start[list]!]!;
  }

  /** The tail (coldest) pfn, or -1. */
  last(list: number): number {
    const length = this.length[list]!;
    if (length === 0) return -1;
    const buffer = this.#buffers[list]!;
    return buffer[(this.#start[list]! + length - 1) & (buffer.length - 1)]!;
  }

  /** `list_add()`. */
  pushFront(list: number, pfn: number): void {
    let buffer = this.#buffers[list]!;
    if (this.length[list] === buffer.length) buffer = this.#grow(list);
    const start = (this.#start[list]! - 1) & (buffer.length - 1);
    buffer[start] = pfn;
    this.#start[list] = start;
    this.length[list]!++;
  }

  /** `list_add_tail()`. */
  pushBack(list: number, pfn: number): void {
    let buffer = this.#buffers[list]!;
    if (this.length[list] === buffer.length) buffer = this.#grow(list);
    buffer[(this.#start[list]! + this.length[list]!) & (buffer.length - 1)] = pfn;
    this.length[list]!++;
  }

  /** `list_add_tail()` of `count` blocks, the first at `pfn` and each `stride` pages after the one before. */
  pushBackRun(list: number, pfn: number, count: number, stride: number): void {
    let buffer = this.#buffers[list]!;
    while (this.length[list]! + count > buffer.length) buffer = this.#grow(list);
    const mask = buffer.length - 1;
    let at = this.#start[list]! + this.length[list]!;
    for (let index = 0; index < count; index++, pfn += stride) buffer[at++ & mask] = pfn;
    this.length[list]! += count;
  }

  /** Removes and returns the head pfn (the list must not be empty). */
  shift(list: number): number {
    const buffer = this.#buffers[list]!;
    const start = this.#start[list]!;
    this.#start[list] = (start + 1) & (buffer.length - 1);
    this.length[list]!--;
    return buffer[start]!;
  }

  /** Removes and returns the tail pfn (the list must not be empty). */
  pop(list: number): number {
    const buffer = this.#buffers[list]!;
    const length = --this.length[list]!;
    return buffer[(this.#start[list]! + length) & (buffer.length - 1)]!;
  }

  /**
   * Removes `count` pfns from the tail (the list must hold them) without reading them, for a caller that reads them
   * where they are (the drain, one pass instead of a copy and a pass): returns the old tail's position in the
   * list's {@link ring}, so that the caller finds them, in the order {@link pop} gives them, at
   * `(position - index) & (ring.length - 1)` for index 0 to count - 1, until the list next grows.
   */
  dropTail(list: number, count: number): number {
    const length = this.length[list]!;
    this.length[list] = length - count;
    return this.#start[list]! + length - 1;
  }

  /** A list's ring buffer (see {@link dropTail}). */
  ring(list: number): Int32Array {
    return this.#buffers[list]!;
  }

  /** Visits a list's pfns from head to tail. */
  forEach(list: number, visit: (pfn: number) => void): void {
    const buffer = this.#buffers[list]!;
    const start = this.#start[list]!;
    const length = this.length[list]!;
    for (let index = 0; index < length; index++) visit(buffer[(start + index) & (buffer.length - 1)]!);
  }

  /** Host bytes of the buffers. */
  get hostBytes(): number {
    let bytes = this.#start.byteLength + this.length.byteLength;
    for (const buffer of this.#buffers) bytes += buffer.byteLength;
    return bytes;
  }

  /** Doubles a full list's buffer, unwrapping it to start at 0. */
  #grow(list: number): Int32Array {
    const buffer = this.#buffers[list]!;
    const length = this.length[list]!;
    const grown = new Int32Array(buffer.length * 2);
    const start = this.#start[list]!;
    for (let index = 0; index < length; index++) grown[index] = buffer[(start + index) & (buffer.length - 1)]!;
    this.#buffers[list] = grown;
    this.#start[list] = 0;
    return grown;
  }
}
