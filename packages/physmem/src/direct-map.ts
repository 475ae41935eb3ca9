import type { HookBus } from '@mm/hooks';
import type { PageContents } from './page-contents';

/** What a faulting access was (the arguments of the `kernel_fault` event, as one object for reports). */
export interface DirectMapFault {
  readonly pfn: number;
  readonly offset: number;
  readonly write: boolean;
  readonly length: number;
}

/**
 * The kernel's direct map (the linear mapping of all RAM at `PAGE_OFFSET`), through which simulated kernel code reads
 * and writes page contents. debug_pagealloc removes freed pages from it (`kernel_map_pages(page, n, 0)`); an access
 * to a page that is not mapped is a page fault in kernel mode, raised as the `kernel_fault` event of the machine's
 * hook bus (whose listeners print the oops), and does nothing else: a write is lost, a read returns undefined.
 */
export class DirectMap {
  readonly contents: PageContents;
  readonly #hooks: HookBus;
  /** Per section, 1 for pages removed from the map; undefined for a section wholly mapped. */
  readonly #unmapped: (Uint8Array | undefined)[] = [];
  /**
   * The array of every section wholly removed from the map (all ones), shared: a section pays for its own array
   * only once one of its pages goes back in. debug_pagealloc unmaps all free memory at boot.
   */
  readonly #allUnmapped: Uint8Array;
  readonly #shift: number;
  readonly #mask: number;

  constructor(contents: PageContents, pfnSectionShift: number, hooks: HookBus) {
    this.contents = contents;
    this.#hooks = hooks;
    this.#shift = pfnSectionShift;
    this.#mask = (1 << pfnSectionShift) - 1;
    this.#allUnmapped = new Uint8Array(this.#mask + 1).fill(1);
  }

  /** `kernel_map_pages()` / `__kernel_map_pages()`: adds (`present`) or removes `count` pages from `pfn`. */
  mapPages(pfn: number, count: number, present: boolean): void {
    const sectionPages = this.#mask + 1;
    const end = pfn + count;
    let page = pfn;
    while (page < end) {
      const nr = page >>> this.#shift;
      const chunkEnd = Math.min(end, (nr + 1) * sectionPages);
      let unmapped = this.#unmapped[nr];
      if ((page & this.#mask) === 0 && chunkEnd - page === sectionPages) {
        this.#unmapped[nr] = present ? undefined : this.#allUnmapped;
        page = chunkEnd;
        continue;
      }
      if (unmapped === undefined || unmapped === this.#allUnmapped) {
        if (unmapped === undefined ? present : !present) {
          page = chunkEnd;
          continue;
        }
        unmapped = unmapped === undefined ? new Uint8Array(sectionPages) : this.#allUnmapped.slice();
        this.#unmapped[nr] = unmapped;
      }
      unmapped.fill(present ? 0 : 1, page & this.#mask, ((chunkEnd - 1) & this.#mask) + 1);
      page = chunkEnd;
    }
  }

  /** Whether the page is in the direct map. */
  isMapped(pfn: number): boolean {
    return this.#unmapped[pfn >>> this.#shift]?.[pfn & this.#mask] !== 1;
  }

  /** A kernel load of `length` bytes at `offset` in page `pfn`; undefined after a fault. */
  read(pfn: number, offset: number, length: number): Uint8Array | undefined {
    if (!this.isMapped(pfn)) {
      this.#hooks.kernel_fault.call(pfn, offset, false, length);
      return undefined;
    }
    return this.contents.read(pfn, offset, length);
  }

  /** A kernel store of `data` at `offset` in page `pfn`; false after a fault (nothing written). */
  write(pfn: number, offset: number, data: Uint8Array): boolean {
    if (!this.isMapped(pfn)) {
      this.#hooks.kernel_fault.call(pfn, offset, true, data.length);
      return false;
    }
    this.contents.write(pfn, offset, data);
    return true;
  }
}

/**
 * The direct-map virtual address of byte `offset` of page `pfn`, as the kernel prints it (16 hex digits):
 * `PAGE_OFFSET` + pfn × 4096 + offset, with x86_64's `PAGE_OFFSET` of the era (v4.8 0xffff880000000000, v6.18
 * 0xffff888000000000 without KASLR). Exact above 2^53: computed in two halves.
 */
export function directMapAddress(pageOffsetHigh: number, pfn: number, offset: number): string {
  const bytes = pfn * 4096 + offset;
  const low = bytes % 2 ** 32;
  const high = pageOffsetHigh + Math.floor(bytes / 2 ** 32);
  return `${(high >>> 0).toString(16).padStart(8, '0')}${low.toString(16).padStart(8, '0')}`;
}
