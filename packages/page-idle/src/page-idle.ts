import type { PageExt } from '@mm/page-ext';
import type { PhysicalMemory } from '@mm/physmem';
import type { PageIdleFlags, Vm, Vma } from '@mm/vm';
import { WalkConstants } from './walk-constants';
import type { PositionalFile } from './working-set';

/** An error a bitmap read or write returns instead of a byte count. */
export interface BitmapError {
  readonly errno: 'EINVAL' | 'ENXIO';
}

/** Bytes of one bitmap word (`BITMAP_CHUNK_SIZE`, a u64). */
export const BITMAP_CHUNK_SIZE = 8;
const CHUNK_BITS = 64;
/** The entries (and their bits) of an anonymous mapping that is gone: none. */
const NO_ENTRIES: Uint32Array = new Uint32Array(0);
const NO_BITS: Uint8Array = new Uint8Array(0);

/**
 * Idle page tracking (mm/page_idle.c): the `/sys/kernel/mm/page_idle/bitmap` file over the Idle and Young flags the
 * vm keeps (`CONFIG_PAGE_IDLE_FLAG`, which it selects). Only user pages on an LRU list are tracked; anything else
 * reads 0 and ignores writes. Setting a bit walks the reverse map of the page (`page_idle_clear_pte_refs()` through
 * the vm's `rmapWalk`) clearing the accessed bit of every entry mapping it, sets Young if one was set, then sets
 * Idle; reading a bit does the same walk for an idle page and reports it only if no entry was accessed meanwhile.
 *
 * On 64-bit the flags are page flags and cost nothing more; on 32-bit they live in page_ext, whose `need()` then
 * always says yes (the page_ext memory shows it).
 */
export class PageIdle {
  readonly memory: PhysicalMemory;
  readonly vm: Vm;
  /** The Idle and Young flags (the vm's). */
  readonly flags: PageIdleFlags;
  /** 32-bit: the flags are page_ext bits. */
  readonly inPageExt: boolean;
  readonly #v4: boolean;
  /** {@link #clearReferences}' last anonymous mapping and its entries. */
  #anonMapping = 0;
  #anonPte = NO_ENTRIES;
  #anonBits = NO_BITS;

  constructor(deps: { memory: PhysicalMemory; vm: Vm }) {
    const { memory, vm } = deps;
    this.memory = memory;
    this.vm = vm;
    this.#v4 = memory.profile.era === 'v4';
    this.flags = vm.enableIdleFlags();
    this.inPageExt = this.flags.inPageExt;
  }

  /** 32-bit: page_ext exists (the `page_idle_ops` client); the flags get the sections that have it. */
  init(pageExt: PageExt): void {
    this.flags.attachPageExt((pfn) => pageExt.hasPageExt(pfn));
  }

  /**
   * `page_idle_bitmap_read()`: `length` bytes from byte `position` (both multiples of 8, else EINVAL). Returns the
   * bytes produced, fewer at the end of memory (v4.8 rounds the last word up to 64 pages, v6.18 drops a partial
   * last word), none at or past `max_pfn` (end of file).
   */
  readBitmap(position: number, length: number): Uint8Array | BitmapError {
    if (position % BITMAP_CHUNK_SIZE !== 0 || length % BITMAP_CHUNK_SIZE !== 0 || position < 0 || length < 0) {
      return { errno: 'EINVAL' };
    }
    const range = this.#range(position, length);
    if (range === undefined) return new Uint8Array(0);
    const out = new Uint8Array(Math.ceil((range.end - range.start) / CHUNK_BITS) * BITMAP_CHUNK_SIZE);
    this.#walk(range.start, range.end, undefined, out);
    return out.subarray(0, this.#returned(range));
  }

  /**
   * `page_idle_bitmap_write()`: marks idle the pages whose bits are set in `data` (bits are OR-ed in: a 0 bit
   * changes nothing). EINVAL unless position and length are multiples of 8, ENXIO at or past `max_pfn`. Returns
   * the bytes consumed.
   */
  writeBitmap(position: number, data: Uint8Array): number | BitmapError {
    if (position % BITMAP_CHUNK_SIZE !== 0 || data.length % BITMAP_CHUNK_SIZE !== 0 || position < 0) {
      return { errno: 'EINVAL' };
    }
    const range = this.#range(position, data.length);
    if (range === undefined) return { errno: 'ENXIO' };
    this.#walk(range.start, range.end, data, undefined);
    return this.#returned(range);
  }

  /** The bitmap file as a {@link PositionalFile} (what the working-set procedure reads and writes). */
  bitmapFile(): PositionalFile {
    return {
      read: (position, length) => this.readBitmap(position, length),
      write: (position, data) => this.writeBitmap(position, data),
    };
  }

  /**
   * Reads the whole bitmap as `cat` does, `readSize` bytes a read (1 MiB; a multiple of 8) until end of file (the
   * file's size is not known), handing each read's bytes to `write`. Returns the bytes read.
   */
  readBitmapChunks(write: (chunk: Uint8Array) => void, readSize = 1 << 20): number {
    let position = 0;
    for (;;) {
      const chunk = this.readBitmap(position, readSize);
      if ('errno' in chunk || chunk.length === 0) return position;
      write(chunk);
      position += chunk.length;
    }
  }

  /** The whole bitmap, as {@link readBitmapChunks} reads it, in one array. */
  readWholeBitmap(): Uint8Array {
    const chunks: Uint8Array[] = [];
    const whole = new Uint8Array(this.readBitmapChunks((chunk) => chunks.push(chunk)));
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.length;
    }
    return whole;
  }

  /**
   * The loop of both files over [start, end), section by section with the section's flags at hand, and within a
   * section by reverse-map chunk (a chunk that never held a user page is passed over whole; elsewhere a page not on
   * an LRU costs one test). For each tracked page (on an LRU, not a tail) that the write's `data` selects, or that
   * is idle when reading: clear the accessed bits of its mappings ({@link #clearReferences}; Young and not Idle if
   * one was set), then set Idle (write) or report it in `out` if still idle (read). Bit b of `data` and `out` is pfn
   * start + b. Writing and reading have a loop each: a test of the mode per page cost the walk 5%.
   */
  #walk(from: number, to: number, data: Uint8Array | undefined, out: Uint8Array | undefined): void {
    const { memory, flags, vm } = this;
    // Integer arithmetic throughout (pfns are below 2^31): the range's ends come from divisions and Math.ceil(),
    // and a double there would make every page index of the loop a double, converted back at each array access.
    const start = from | 0;
    const end = to | 0;
    const perSection = memory.pagesPerSection;
    const lruMask = this.#lruMask();
    // On an LRU, and state none (bits STATE_SHIFT and up clear): one test.
    const trackedMask = lruMask | (-1 << WalkConstants.STATE_SHIFT);
    const { idleMask, youngMask } = flags;
    this.#anonMapping = 0;
    for (let nr = start >>> memory.pfnSectionShift; nr * perSection < end; nr++) {
      const base = nr * perSection;
      const section = memory.sections[nr];
      const bits = flags.arrays[nr];
      // No section, or no idle flags there (32-bit without page_ext).
      if (section === undefined || bits === undefined) continue;
      const pageFlags = section.flags;
      // 64-bit: Idle and Young are page flags, in the word just read.
      const inFlags = bits === pageFlags;
      const last = Math.min(end - base, perSection);
      for (let first = Math.max(start - base, 0); first < last; first = (first | WalkConstants.RMAP_CHUNK_MASK) + 1) {
        // A run of pages that never held a user page (the vm's reverse map says so) has nothing to track.
        const chunk = (base + first) >>> WalkConstants.RMAP_CHUNK_SHIFT;
        const words = vm.rmap.words[chunk];
        if (words === undefined) continue;
        const indexes = vm.rmap.indexes[chunk]!;
        const shift = vm.rmap.shiftOf(chunk);
        const mask = (1 << shift) - 1;
        const indexBase = vm.rmap.indexBaseOf(chunk);
        const chunkEnd = Math.min(last, (first | WalkConstants.RMAP_CHUNK_MASK) + 1);
        if (data !== undefined) {
          for (let page = first; page < chunkEnd; page++) {
            const word = pageFlags[page]!;
            // Tracked: on an LRU and an ordinary allocated page (state none: not free, not a tail).
            if ((word & trackedMask) !== lruMask) continue;
            const bit = base + page - start;
            if ((data[bit >>> 3]! & (1 << (bit & 7))) === 0) continue;
            const idleWord = inFlags ? word : bits[page]!;
            const pfn = base + page;
            const at = pfn & WalkConstants.RMAP_CHUNK_MASK;
            const entry = words[at]!;
            const mapping = entry >> shift;
            const index = (entry & mask) + indexes[at]! + indexBase;
            // Young if an entry was accessed; Idle either way.
            bits[page] = this.#clearReferences(mapping, index, pfn)
              ? idleWord | youngMask | idleMask
              : idleWord | idleMask;
          }
        } else {
          for (let page = first; page < chunkEnd; page++) {
            const word = pageFlags[page]!;
            if ((word & trackedMask) !== lruMask) continue;
            const idleWord = inFlags ? word : bits[page]!;
            if ((idleWord & idleMask) === 0) continue;
            const pfn = base + page;
            const at = pfn & WalkConstants.RMAP_CHUNK_MASK;
            const entry = words[at]!;
            const mapping = entry >> shift;
            const index = (entry & mask) + indexes[at]! + indexBase;
            if (this.#clearReferences(mapping, index, pfn)) {
              bits[page] = (idleWord & ~idleMask) | youngMask;
            } else {
              const bit = pfn - start;
              out![bit >>> 3]! |= 1 << (bit & 7);
            }
          }
        }
      }
    }
  }

  /**
   * `page_idle_clear_pte_refs()` of a page with reverse-map `mapping` and `index`: clears the accessed bit of every
   * entry mapping page `pfn` and says whether one was set. An anonymous page has one entry, at its index in its
   * mapping: that walk is written out here, the last mapping's arrays kept at hand (the next page is most often in
   * it; `Vma.clearYoung()`, a call per page, cost the walk 7%). A page cache page goes through
   * `Vm.clearFilePteRefs()`.
   */
  #clearReferences(mapping: number, index: number, pfn: number): boolean {
    if (mapping > 0) return this.vm.clearFilePteRefs(mapping, index, pfn);
    if (mapping === 0) return false;
    if (mapping !== this.#anonMapping) {
      const vma: Vma | undefined = this.vm.vma(-mapping);
      this.#anonPte = vma?.pte ?? NO_ENTRIES;
      this.#anonBits = vma?.bits ?? NO_BITS;
      this.#anonMapping = mapping;
    }
    // (`| 0`: the entry compared as the int32 it is for any pfn, not as a double.)
    if (index >= this.#anonPte.length || (this.#anonPte[index]! | 0) !== pfn + 1) return false;
    const entry = this.#anonBits[index]!;
    if ((entry & WalkConstants.ACCESSED) === 0) return false;
    this.#anonBits[index] = entry & ~WalkConstants.ACCESSED;
    return true;
  }

  /** The pfns a request at `position` for `length` bytes covers, per era; undefined at or past max_pfn. */
  #range(position: number, length: number): { start: number; end: number } | undefined {
    const maxPfn = this.memory.maxPfn;
    const start = position * 8;
    if (start >= maxPfn) return undefined;
    let end = start + length * 8;
    if (end > maxPfn) end = this.#v4 ? Math.ceil(maxPfn / CHUNK_BITS) * CHUNK_BITS : maxPfn;
    return { start, end };
  }

  /** Bytes a request returns: whole words only (v6.18 drops a partial last word). */
  #returned(range: { start: number; end: number }): number {
    return Math.floor((range.end - range.start) / CHUNK_BITS) * BITMAP_CHUNK_SIZE;
  }

  #lruMask(): number {
    return 1 << this.memory.profile.pageFlags.bit.lru;
  }
}
