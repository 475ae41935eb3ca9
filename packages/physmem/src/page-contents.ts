import { PAGE_SIZE } from './constants';

const UNIFORM = 0x100;
const EXPLICIT = 0x200;

/**
 * The bytes of physical pages, kept sparse: a page costs content memory only once something wrote to it. Each page of
 * a section that ever held contents has a 16-bit state: 0 for a page of zeros (never written), `0x100 | b` for a page
 * filled with byte `b` (poisoning: no bytes stored), or explicit bytes (4 KiB, in a map). Migration copies contents;
 * debug_pagealloc poisons and checks them.
 */
export class PageContents {
  readonly #state: (Uint16Array | undefined)[] = [];
  /** Per section, true while its state array is a shared one of {@link #uniform} (copied on its first write). */
  readonly #shared: boolean[] = [];
  /** Shared state arrays of sections wholly filled with one byte, by state. */
  readonly #uniform = new Map<number, Uint16Array>();
  readonly #bytes = new Map<number, Uint8Array>();
  readonly #shift: number;
  readonly #pagesPerSection: number;

  constructor(pfnSectionShift: number) {
    this.#shift = pfnSectionShift;
    this.#pagesPerSection = 1 << pfnSectionShift;
  }

  /** `length` bytes of page `pfn` from `offset`. */
  read(pfn: number, offset: number, length: number): Uint8Array {
    checkRange(offset, length);
    const state = this.#stateOf(pfn);
    if (state === EXPLICIT) return this.#bytes.get(pfn)!.slice(offset, offset + length);
    return new Uint8Array(length).fill(state === 0 ? 0 : state & 0xff);
  }

  /** Writes `data` into page `pfn` at `offset`. */
  write(pfn: number, offset: number, data: Uint8Array): void {
    checkRange(offset, data.length);
    this.#explicit(pfn).set(data, offset);
  }

  /** Fills the whole page with `byte` (`memset(addr, byte, PAGE_SIZE)`), storing no bytes. */
  fill(pfn: number, byte: number): void {
    this.#setState(pfn, byte === 0 ? 0 : UNIFORM | (byte & 0xff));
    this.#bytes.delete(pfn);
  }

  /**
   * Fills `count` pages from `pfn` with `byte`, as {@link fill} does each; a whole section filled alike shares one
   * state array with every other such section, so poisoning all free memory costs no host memory per page.
   */
  fillRange(pfn: number, count: number, byte: number): void {
    const state = byte === 0 ? 0 : UNIFORM | (byte & 0xff);
    const sectionPages = this.#pagesPerSection;
    const end = pfn + count;
    let page = pfn;
    while (page < end) {
      const nr = page >>> this.#shift;
      const chunkEnd = Math.min(end, (nr + 1) * sectionPages);
      if (page % sectionPages === 0 && chunkEnd - page === sectionPages) {
        let shared = this.#uniform.get(state);
        if (shared === undefined && state !== 0) {
          shared = new Uint16Array(sectionPages).fill(state);
          this.#uniform.set(state, shared);
        }
        this.#state[nr] = shared;
        this.#shared[nr] = shared !== undefined;
        if (this.#bytes.size > 0) for (let index = page; index < chunkEnd; index++) this.#bytes.delete(index);
      } else {
        for (let index = page; index < chunkEnd; index++) this.fill(index, byte);
      }
      page = chunkEnd;
    }
  }

  /** Copies page `from` to page `to` (`copy_highpage()`). */
  copy(from: number, to: number): void {
    const state = this.#stateOf(from);
    if (state === EXPLICIT) this.#explicit(to).set(this.#bytes.get(from)!);
    else {
      this.#setState(to, state);
      this.#bytes.delete(to);
    }
  }

  /**
   * `memchr_inv()` from both ends: the offsets of the first and last byte of the page that differ from `byte`, or
   * undefined when the whole page is `byte`.
   */
  mismatch(pfn: number, byte: number): { first: number; last: number } | undefined {
    const state = this.#stateOf(pfn);
    if (state !== EXPLICIT) {
      const value = state === 0 ? 0 : state & 0xff;
      return value === byte ? undefined : { first: 0, last: PAGE_SIZE - 1 };
    }
    const bytes = this.#bytes.get(pfn)!;
    let first = 0;
    while (first < PAGE_SIZE && bytes[first] === byte) first++;
    if (first === PAGE_SIZE) return undefined;
    let last = PAGE_SIZE - 1;
    while (last > first && bytes[last] === byte) last--;
    return { first, last };
  }

  /** Pages holding explicit bytes. */
  get explicitPages(): number {
    return this.#bytes.size;
  }

  /** Host bytes: the state arrays and the explicit pages. */
  hostBytes(): number {
    let bytes = this.#bytes.size * PAGE_SIZE;
    this.#state.forEach((state, nr) => {
      if (state !== undefined && this.#shared[nr] !== true) bytes += state.byteLength;
    });
    for (const state of this.#uniform.values()) bytes += state.byteLength;
    return bytes;
  }

  #stateOf(pfn: number): number {
    return this.#state[pfn >>> this.#shift]?.[pfn & (this.#pagesPerSection - 1)] ?? 0;
  }

  #setState(pfn: number, state: number): void {
    const nr = pfn >>> this.#shift;
    let states = this.#state[nr];
    if (states === undefined) {
      if (state === 0) return;
      states = new Uint16Array(this.#pagesPerSection);
      this.#state[nr] = states;
    } else if (this.#shared[nr] === true) {
      const index = pfn & (this.#pagesPerSection - 1);
      if (states[index] === state) return;
      states = states.slice();
      this.#state[nr] = states;
      this.#shared[nr] = false;
    }
    states[pfn & (this.#pagesPerSection - 1)] = state;
  }

  /** The page's explicit bytes, made from its current state if needed. */
  #explicit(pfn: number): Uint8Array {
    let bytes = this.#bytes.get(pfn);
    if (bytes === undefined) {
      const state = this.#stateOf(pfn);
      bytes = new Uint8Array(PAGE_SIZE);
      if (state !== 0) bytes.fill(state & 0xff);
      this.#bytes.set(pfn, bytes);
      this.#setState(pfn, EXPLICIT);
    }
    return bytes;
  }
}

function checkRange(offset: number, length: number): void {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > PAGE_SIZE
  ) {
    throw new RangeError(`bytes ${offset}..${offset + length} are not inside a ${PAGE_SIZE}-byte page`);
  }
}
