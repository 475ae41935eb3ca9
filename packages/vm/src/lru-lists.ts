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
/** A packed link that does not fit 16 bits: the link is in the overflow map. */
const ESCAPE = -0x8000;
/** Overflowed links a chunk holds before it turns wide (a link that fits is one in several hundred). */
const WIDEN_AT = 256;
/** A page's two links; a wide chunk keeps them in this order, and the overflow map's key ends in this bit. */
const NEXT = 0;
const PREVIOUS = 1;
type Link = typeof NEXT | typeof PREVIOUS;

/**
 * The LRU lists of each node (`struct lruvec`'s `lists[]`, one lruvec per node: mmsim does not split them per
 * memory cgroup): doubly linked lists of pfns, newest at the head (`list_add()`), oldest at the tail, where
 * reclaim takes pages from (`lru_to_folio()`).
 *
 * The links are kept per chunk of 4096 pages, made when a chunk first has a page on a list, so a machine pays only
 * for the memory that has been on a list. Pages join a list in the order they were allocated, so a page's
 * neighbours are nearly always pages beside it (in a kernel build, 98% of links go to the next or previous pfn,
 * all but 0.04% to one within 32,767): a chunk packs both links of a page into one 32-bit word, as distances of 16
 * bits each (0: no link), 4 bytes a page. A link that does not fit is kept in an overflow map; a chunk that gathers
 * {@link WIDEN_AT} of them (pages activated in random order, say) turns wide, two 32-bit pfns a page.
 */
export class LruLists {
  /** Per chunk, each page's links as distances: next in the high 16 bits, previous in the low 16 (0: none). */
  readonly #packed: (Int32Array | undefined)[] = [];
  /** Per wide chunk, each page's next and previous pfn + 1 (0: none), interleaved. */
  readonly #wide: (Uint32Array | undefined)[] = [];
  /** Links that did not fit their chunk's packing: pfn * 2 (next) or pfn * 2 + 1 (previous) -> pfn + 1. */
  readonly #overflow = new Map<number, number>();
  /** Overflowed links of each chunk. */
  readonly #overflowed: number[] = [];
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
    // (Its previous link is already none: a page off the lists has none.)
    this.#set(NEXT, pfn, head);
    if (head !== 0) this.#set(PREVIOUS, head - 1, pfn + 1);
    else this.#tail[which] = pfn + 1;
    this.#head[which] = pfn + 1;
    this.counts[which]!++;
  }

  /** `list_del()`: takes `pfn` off `list` of `node` (it must be on it). */
  delete(node: number, list: LruList, pfn: number): void {
    const which = node * LISTS_PER_NODE + list;
    const next = this.#get(NEXT, pfn);
    const prev = this.#get(PREVIOUS, pfn);
    if (prev !== 0) this.#set(NEXT, prev - 1, next);
    else this.#head[which] = next;
    if (next !== 0) this.#set(PREVIOUS, next - 1, prev);
    else this.#tail[which] = prev;
    this.#clear(pfn);
    this.counts[which]!--;
  }

  /** The oldest page of `list` of `node`, or -1 when it is empty. */
  tail(node: number, list: LruList): number {
    return this.#tail[node * LISTS_PER_NODE + list]! - 1;
  }

  /** The page after `pfn` towards the head (newer), or -1. */
  newer(pfn: number): number {
    return this.#get(PREVIOUS, pfn) - 1;
  }

  /** Puts `to` where `from` is on `list` of `node` (migration: `folio_migrate_mapping()` keeps the LRU position). */
  replace(node: number, list: LruList, from: number, to: number): void {
    const which = node * LISTS_PER_NODE + list;
    const next = this.#get(NEXT, from);
    const prev = this.#get(PREVIOUS, from);
    this.#link(to);
    this.#set(NEXT, to, next);
    this.#set(PREVIOUS, to, prev);
    if (prev !== 0) this.#set(NEXT, prev - 1, to + 1);
    else this.#head[which] = to + 1;
    if (next !== 0) this.#set(PREVIOUS, next - 1, to + 1);
    else this.#tail[which] = to + 1;
    this.#clear(from);
  }

  /** Host bytes of the links: the chunks' arrays, and about 16 bytes an overflowed link. */
  hostBytes(): number {
    let bytes = this.#overflow.size * 16;
    for (const links of this.#packed) if (links !== undefined) bytes += links.byteLength;
    for (const links of this.#wide) if (links !== undefined) bytes += links.byteLength;
    return bytes;
  }

  #link(pfn: number): void {
    const chunk = pfn >>> CHUNK_SHIFT;
    if (this.#packed[chunk] === undefined && this.#wide[chunk] === undefined) {
      this.#packed[chunk] = new Int32Array(CHUNK_PAGES);
      this.#overflowed[chunk] = 0;
    }
  }

  /** Link `which` ({@link NEXT} or {@link PREVIOUS}) of `pfn`: pfn + 1 of the page it goes to, 0 for none. */
  #get(which: Link, pfn: number): number {
    const packed = this.#packed[pfn >>> CHUNK_SHIFT];
    if (packed !== undefined) {
      const word = packed[pfn & (CHUNK_PAGES - 1)]!;
      const distance = which === NEXT ? word >> 16 : (word << 16) >> 16;
      if (distance !== ESCAPE) return distance === 0 ? 0 : pfn + distance + 1;
    }
    return this.#getAside(which, pfn);
  }

  /** Sets link `which` of `pfn` to `value`: pfn + 1 of the page it goes to, 0 for none. */
  #set(which: Link, pfn: number, value: number): void {
    const packed = this.#packed[pfn >>> CHUNK_SHIFT];
    if (packed !== undefined) {
      const at = pfn & (CHUNK_PAGES - 1);
      const word = packed[at]!;
      const shift = which === NEXT ? 16 : 0;
      // A page never links to itself, so a distance of 0 means no link.
      const distance = value === 0 ? 0 : value - 1 - pfn;
      if ((word << (16 - shift)) >> 16 !== ESCAPE && distance > ESCAPE && distance <= 0x7fff) {
        packed[at] = (word & ~(0xffff << shift)) | ((distance & 0xffff) << shift);
        return;
      }
    }
    this.#setAside(which, pfn, value);
  }

  /** Sets both links of `pfn` to none (it leaves the lists). */
  #clear(pfn: number): void {
    const packed = this.#packed[pfn >>> CHUNK_SHIFT];
    if (packed !== undefined) {
      const at = pfn & (CHUNK_PAGES - 1);
      const word = packed[at]!;
      // Neither link in the overflow map: one store.
      if (word >> 16 !== ESCAPE && (word << 16) >> 16 !== ESCAPE) {
        packed[at] = 0;
        return;
      }
    }
    this.#set(NEXT, pfn, 0);
    this.#set(PREVIOUS, pfn, 0);
  }

  /** {@link #get} of a link in a wide chunk or in the overflow map. */
  #getAside(which: Link, pfn: number): number {
    const packed = this.#packed[pfn >>> CHUNK_SHIFT];
    if (packed === undefined) return this.#wide[pfn >>> CHUNK_SHIFT]![(pfn & (CHUNK_PAGES - 1)) * 2 + which]!;
    return this.#overflow.get(pfn * 2 + which)!;
  }

  /** {@link #set} of a link in a wide chunk, or one that goes to or leaves the overflow map. */
  #setAside(which: Link, pfn: number, value: number): void {
    const chunk = pfn >>> CHUNK_SHIFT;
    const at = pfn & (CHUNK_PAGES - 1);
    const packed = this.#packed[chunk];
    if (packed === undefined) {
      this.#wide[chunk]![at * 2 + which] = value;
      return;
    }
    const shift = which === NEXT ? 16 : 0;
    const distance = value === 0 ? 0 : value - 1 - pfn;
    const fits = distance > ESCAPE && distance <= 0x7fff;
    if (fits) {
      // It was in the overflow map (the fast path takes every other link that fits).
      this.#overflow.delete(pfn * 2 + which);
      this.#overflowed[chunk]!--;
    } else {
      const old = (packed[at]! << (16 - shift)) >> 16;
      this.#overflow.set(pfn * 2 + which, value);
      if (old !== ESCAPE) this.#overflowed[chunk]!++;
    }
    packed[at] = (packed[at]! & ~(0xffff << shift)) | (((fits ? distance : ESCAPE) & 0xffff) << shift);
    if (this.#overflowed[chunk]! >= WIDEN_AT) this.#widen(chunk);
  }

  /** Turns a chunk wide: every link as a pfn, none left in the overflow map. */
  #widen(chunk: number): void {
    const packed = this.#packed[chunk]!;
    const wide = new Uint32Array(CHUNK_PAGES * 2);
    const first = chunk << CHUNK_SHIFT;
    for (let at = 0; at < CHUNK_PAGES; at++) {
      wide[at * 2] = this.#get(NEXT, first + at);
      wide[at * 2 + 1] = this.#get(PREVIOUS, first + at);
      if (packed[at]! >> 16 === ESCAPE) this.#overflow.delete((first + at) * 2);
      if ((packed[at]! << 16) >> 16 === ESCAPE) this.#overflow.delete((first + at) * 2 + 1);
    }
    this.#wide[chunk] = wide;
    this.#packed[chunk] = undefined;
    this.#overflowed[chunk] = 0;
  }
}
