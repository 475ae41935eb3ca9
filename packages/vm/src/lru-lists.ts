/** `enum lru_list` (include/linux/mmzone.h), without LRU_UNEVICTABLE: the lists reclaim scans. */
export const LruList = {
  inactive_anon: 0,
  active_anon: 1,
  inactive_file: 2,
  active_file: 3,
} as const;
export type LruList = (typeof LruList)[keyof typeof LruList];

/** The list names, by {@link LruList} (the vmstat names are `nr_` + these). */
export const lruListNames = ['inactive_anon', 'active_anon', 'inactive_file', 'active_file'] as const;

const LISTS_PER_NODE = 4;
/** Pages per chunk of the link arrays (16 MiB of memory): made when a chunk first has a page on a list. */
const CHUNK_SHIFT = 12;
const CHUNK_PAGES = 1 << CHUNK_SHIFT;

/**
 * The LRU lists of each node (`struct lruvec`'s `lists[]`, one lruvec per node: mmsim does not split them per
 * memory cgroup): doubly linked lists of pfns, newest at the head (`list_add()`), oldest at the tail, where
 * reclaim takes pages from (`lru_to_folio()`). The links are struct-of-arrays per chunk of 4096 pages (pfn + 1, 0
 * for none), made on first use, so a machine pays 8 bytes only for the memory that has been on a list.
 */
export class LruLists {
  readonly #next: (Uint32Array | undefined)[] = [];
  readonly #prev: (Uint32Array | undefined)[] = [];
  /** pfn + 1 of each list's head and tail (0: empty), by node * 4 + list. */
  readonly #head: number[];
  readonly #tail: number[];
  /** Pages on each list, by node * 4 + list. */
  readonly counts: number[];

  constructor(nodes: number) {
    this.#head = new Array<number>(nodes * LISTS_PER_NODE).fill(0);
    this.#tail = new Array<number>(nodes * LISTS_PER_NODE).fill(0);
    this.counts = new Array<number>(nodes * LISTS_PER_NODE).fill(0);
  }

  /** Pages on `list` of `node`. */
  size(node: number, list: LruList): number {
    return this.counts[node * LISTS_PER_NODE + list]!;
  }

  /** `list_add()`: puts `pfn` at the head of `list` of `node`. */
  add(node: number, list: LruList, pfn: number): void {
    const which = node * LISTS_PER_NODE + list;
    const head = this.#head[which]!;
    this.#link(pfn);
    this.#setNext(pfn, head);
    this.#setPrev(pfn, 0);
    if (head !== 0) this.#setPrev(head - 1, pfn + 1);
    else this.#tail[which] = pfn + 1;
    this.#head[which] = pfn + 1;
    this.counts[which]!++;
  }

  /** `list_del()`: takes `pfn` off `list` of `node` (it must be on it). */
  delete(node: number, list: LruList, pfn: number): void {
    const which = node * LISTS_PER_NODE + list;
    const next = this.#getNext(pfn);
    const prev = this.#getPrev(pfn);
    if (prev !== 0) this.#setNext(prev - 1, next);
    else this.#head[which] = next;
    if (next !== 0) this.#setPrev(next - 1, prev);
    else this.#tail[which] = prev;
    this.#setNext(pfn, 0);
    this.#setPrev(pfn, 0);
    this.counts[which]!--;
  }

  /** The oldest page of `list` of `node`, or -1 when it is empty. */
  tail(node: number, list: LruList): number {
    return this.#tail[node * LISTS_PER_NODE + list]! - 1;
  }

  /** The page after `pfn` towards the head (newer), or -1. */
  newer(pfn: number): number {
    return this.#getPrev(pfn) - 1;
  }

  /** Puts `to` where `from` is on `list` of `node` (migration: `folio_migrate_mapping()` keeps the LRU position). */
  replace(node: number, list: LruList, from: number, to: number): void {
    const which = node * LISTS_PER_NODE + list;
    const next = this.#getNext(from);
    const prev = this.#getPrev(from);
    this.#link(to);
    this.#setNext(to, next);
    this.#setPrev(to, prev);
    if (prev !== 0) this.#setNext(prev - 1, to + 1);
    else this.#head[which] = to + 1;
    if (next !== 0) this.#setPrev(next - 1, to + 1);
    else this.#tail[which] = to + 1;
    this.#setNext(from, 0);
    this.#setPrev(from, 0);
  }

  /** Host bytes of the link arrays. */
  hostBytes(): number {
    let bytes = 0;
    for (const links of this.#next) if (links !== undefined) bytes += links.byteLength * 2;
    return bytes;
  }

  #link(pfn: number): void {
    const chunk = pfn >>> CHUNK_SHIFT;
    if (this.#next[chunk] === undefined) {
      this.#next[chunk] = new Uint32Array(CHUNK_PAGES);
      this.#prev[chunk] = new Uint32Array(CHUNK_PAGES);
    }
  }

  #getNext(pfn: number): number {
    return this.#next[pfn >>> CHUNK_SHIFT]![pfn & (CHUNK_PAGES - 1)]!;
  }

  #getPrev(pfn: number): number {
    return this.#prev[pfn >>> CHUNK_SHIFT]![pfn & (CHUNK_PAGES - 1)]!;
  }

  #setNext(pfn: number, value: number): void {
    this.#next[pfn >>> CHUNK_SHIFT]![pfn & (CHUNK_PAGES - 1)] = value;
  }

  #setPrev(pfn: number, value: number): void {
    this.#prev[pfn >>> CHUNK_SHIFT]![pfn & (CHUNK_PAGES - 1)] = value;
  }
}
