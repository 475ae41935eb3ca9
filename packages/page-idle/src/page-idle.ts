import type { HookBus } from '@mm/hooks';
import type { PageExt, PageExtClient } from '@mm/page-ext';
import { type PhysicalMemory, STATE_SHIFT } from '@mm/physmem';
import { PteBits, RMAP_CHUNK_PAGES, type Vm, type Vma } from '@mm/vm';
import { IdleBits } from './idle-bits';
import type { PositionalFile } from './working-set';

/** An error a bitmap read or write returns instead of a byte count. */
export interface BitmapError {
  readonly errno: 'EINVAL' | 'ENXIO';
}

/** Bytes of one bitmap word (`BITMAP_CHUNK_SIZE`, a u64). */
export const BITMAP_CHUNK_SIZE = 8;
const CHUNK_BITS = 64;

/** The page_ext flag bits of 32-bit page_idle per era (include/linux/page_ext.h). */
const pageExtBits = {
  v4: { young: 3, idle: 4 },
  v6: { young: 2, idle: 3 },
} as const;

/**
 * Idle page tracking (mm/page_idle.c): the Idle and Young flags, where each architecture keeps them, and the
 * `/sys/kernel/mm/page_idle/bitmap` file. Only user pages on an LRU list are tracked; anything else reads 0 and
 * ignores writes. Setting a bit clears the accessed bits of every entry mapping the page (through the vm's reverse
 * map), setting Young if one was set, then sets Idle; reading a bit does the same walk for an idle page and reports
 * it only if no entry was accessed meanwhile.
 *
 * On 64-bit the flags are page flags and cost nothing more; on 32-bit they live in page_ext, whose `need()` then
 * always says yes (the page_ext memory shows it). Migration copies both flags to the new page, a THP split to
 * every tail page.
 */
export class PageIdle {
  readonly memory: PhysicalMemory;
  readonly vm: Vm;
  /** The flags, installed into the vm (`vm.idleFlags`). */
  readonly flags: IdleBits;
  /** 32-bit: the flags are page_ext bits. */
  readonly inPageExt: boolean;
  readonly #v4: boolean;
  readonly #unsubscribe: (() => void)[];

  constructor(deps: { memory: PhysicalMemory; vm: Vm; hooks: HookBus }) {
    const { memory, vm, hooks } = deps;
    this.memory = memory;
    this.vm = vm;
    this.#v4 = memory.profile.era === 'v4';
    this.inPageExt = memory.profile.arch.bitsPerLong === 32;
    const { bit } = memory.profile.pageFlags;
    this.flags = this.inPageExt
      ? new IdleBits(memory, [], pageExtBits[memory.profile.era])
      : new IdleBits(
          memory,
          memory.sections.map((section) => section?.flags),
          { idle: bit.idle, young: bit.young },
        );
    vm.idleFlags = this.flags;
    this.#unsubscribe = [
      hooks.migrate_copy.subscribe((from, to, order) => this.#copy(from, to, 1 << order)),
      hooks.thp_split.subscribe((pfn, order) => {
        for (let tail = 1; tail < 1 << order; tail++) this.#copy(pfn, pfn + tail, 1);
      }),
    ];
  }

  /** The page_ext client (`page_idle_ops`, 32-bit only): flags only, and needed whenever it is built in. */
  client(): PageExtClient {
    return {
      name: 'page_idle',
      size: 0,
      needSharedFlags: true,
      need: () => this.inPageExt,
      init: (pageExt) => this.init(pageExt),
    };
  }

  /** 32-bit: page_ext exists; the flags get an array for each section that has it. */
  init(pageExt: PageExt): void {
    if (!this.inPageExt) return;
    const { memory } = this;
    memory.sections.forEach((section, nr) => {
      if (section !== undefined && pageExt.hasPageExt(section.startPfn)) {
        this.flags.arrays[nr] = new Uint8Array(memory.pagesPerSection);
      }
    });
  }

  /** Stops following migrations and splits (tests). */
  disable(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
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

  /** The whole bitmap, as `cat` reads it (the file's size is not known: reads until end of file). */
  readWholeBitmap(): Uint8Array {
    const chunks: Uint8Array[] = [];
    let position = 0;
    for (;;) {
      const chunk = this.readBitmap(position, 1 << 20);
      if ('errno' in chunk || chunk.length === 0) break;
      chunks.push(chunk);
      position += chunk.length;
    }
    const whole = new Uint8Array(position);
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.length;
    }
    return whole;
  }

  /**
   * The loop of both files over [start, end), section by section with the section's arrays at hand (it visits
   * every pfn of memory for a whole-file read). For each tracked page (on an LRU, not a tail) that the write's
   * `data` selects, or that is idle when reading: clear the accessed bits of its mappings (Young and not Idle if one
   * was set), then set Idle (write) or report it in `out` if still idle (read). Bit b of `data` and `out` is pfn
   * start + b.
   */
  #walk(start: number, end: number, data: Uint8Array | undefined, out: Uint8Array | undefined): void {
    const { memory, flags, vm } = this;
    const perSection = memory.pagesPerSection;
    const lruMask = this.#lruMask();
    const { idleMask, youngMask } = flags;
    const accessedBit = PteBits.ACCESSED;
    // Pages of one mapping come in runs: remember the last one looked up.
    let lastMapping = 0;
    let lastVma: Vma | undefined;
    // Chunks of the reverse map's size (a section holds whole chunks): each with its arrays at hand.
    for (let chunk = Math.floor(start / RMAP_CHUNK_PAGES); chunk * RMAP_CHUNK_PAGES < end; chunk++) {
      const base = chunk * RMAP_CHUNK_PAGES;
      const nr = Math.floor(base / perSection);
      const section = memory.sections[nr];
      const bits = flags.arrays[nr];
      const mappings = vm.rmap.mapping[chunk];
      const indices = vm.rmap.index[chunk];
      // No section, no idle flags there, or no user page was ever there.
      if (section === undefined || bits === undefined || mappings === undefined || indices === undefined) continue;
      const pageFlags = section.flags;
      const offset = base - nr * perSection;
      const last = Math.min(end - base, RMAP_CHUNK_PAGES);
      for (let index = Math.max(start - base, 0); index < last; index++) {
        const page = offset + index;
        const word = pageFlags[page]!;
        // Tracked: on an LRU and an ordinary allocated page (state none: not free, not a tail).
        if ((word & lruMask) === 0 || word >>> STATE_SHIFT !== 0) continue;
        const bit = base + index - start;
        if (data !== undefined) {
          if ((data[bit >>> 3]! & (1 << (bit & 7))) === 0) continue;
        } else if ((bits[page]! & idleMask) === 0) continue;
        const mapping = mappings[index]!;
        let accessed: boolean;
        if (mapping < 0) {
          // An anonymous page has one mapping: look at its entry directly.
          if (mapping !== lastMapping) {
            lastMapping = mapping;
            lastVma = vm.vma(-mapping);
          }
          const vma = lastVma;
          const slot = indices[index]!;
          accessed = false;
          if (vma !== undefined && vma.pte[slot] === base + index + 1) {
            const entry = vma.bits[slot]!;
            if ((entry & accessedBit) !== 0) {
              vma.bits[slot] = entry & ~accessedBit;
              accessed = true;
            }
          }
        } else {
          accessed = mapping !== 0 && vm.clearAccessedBits(base + index);
        }
        if (accessed) bits[page] = (bits[page]! & ~idleMask) | youngMask;
        if (data !== undefined) bits[page]! |= idleMask;
        else if (!accessed) out![bit >>> 3]! |= 1 << (bit & 7);
      }
    }
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

  /** `folio_migrate_flags()`: Young and Idle follow the page to its new place. */
  #copy(from: number, to: number, pages: number): void {
    const { flags } = this;
    for (let page = 0; page < pages; page++) {
      if (flags.isYoung(from + page)) flags.setYoung(to + page);
      if (flags.isIdle(from + page)) flags.setIdle(to + page);
    }
  }
}
