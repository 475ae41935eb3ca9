import type { HookBus } from '@mm/hooks';
import type { PageExt, PageExtClient } from '@mm/page-ext';
import { PageState, type PhysicalMemory, STATE_SHIFT } from '@mm/physmem';
import type { Vm } from '@mm/vm';
import { IdleBits } from './idle-bits';

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

  /** `page_idle_get_folio()`: whether idle tracking looks at this page (an LRU page that is not a tail). */
  tracked(pfn: number): boolean {
    const section = this.memory.sections[pfn >>> this.memory.pfnSectionShift];
    if (section === undefined) return false;
    const word = section.flags[pfn & (this.memory.pagesPerSection - 1)]!;
    return (word & this.#lruMask()) !== 0 && word >>> STATE_SHIFT === PageState.none;
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
    const words = new Uint32Array(Math.ceil((range.end - range.start) / CHUNK_BITS) * 2);
    this.#scan(range.start, range.end, (pfn) => {
      const bit = pfn - range.start;
      words[bit >>> 5]! |= 1 << (bit & 31);
    });
    const bytes = new Uint8Array(words.buffer);
    return bytes.subarray(0, this.#returned(range));
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
    const { flags, vm } = this;
    const lruMask = this.#lruMask();
    const { memory } = this;
    const shift = memory.pfnSectionShift;
    const mask = memory.pagesPerSection - 1;
    for (let pfn = range.start; pfn < range.end; pfn++) {
      const bit = pfn - range.start;
      if ((data[bit >>> 3]! & (1 << (bit & 7))) === 0) {
        // A whole zero byte: skip its 8 pages.
        if ((bit & 7) === 0 && data[bit >>> 3] === 0) pfn += 7;
        continue;
      }
      const section = memory.sections[pfn >>> shift];
      if (section === undefined) continue;
      const word = section.flags[pfn & mask]!;
      if ((word & lruMask) === 0 || word >>> STATE_SHIFT !== PageState.none) continue;
      if (vm.clearAccessedBits(pfn)) {
        flags.clearIdle(pfn);
        flags.setYoung(pfn);
      }
      flags.setIdle(pfn);
    }
    return this.#returned(range);
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

  /** Calls `idle` for each tracked page in [start, end) that is idle and was not accessed since it was marked. */
  #scan(start: number, end: number, idle: (pfn: number) => void): void {
    const { memory, flags, vm } = this;
    const shift = memory.pfnSectionShift;
    const mask = memory.pagesPerSection - 1;
    const lruMask = this.#lruMask();
    const idleMask = flags.idleMask;
    for (let pfn = start; pfn < end; ) {
      const nr = pfn >>> shift;
      const sectionEnd = Math.min(end, (nr + 1) << shift);
      const section = memory.sections[nr];
      const bits = flags.arrays[nr];
      if (section === undefined || bits === undefined) {
        pfn = sectionEnd;
        continue;
      }
      const pageFlags = section.flags;
      for (; pfn < sectionEnd; pfn++) {
        const index = pfn & mask;
        const word = pageFlags[index]!;
        if ((word & lruMask) === 0 || (bits[index]! & idleMask) === 0 || word >>> STATE_SHIFT !== PageState.none) {
          continue;
        }
        if (vm.clearAccessedBits(pfn)) {
          flags.clearIdle(pfn);
          flags.setYoung(pfn);
        } else {
          idle(pfn);
        }
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
