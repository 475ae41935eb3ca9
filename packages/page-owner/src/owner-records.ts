import { PagePalette, type PhysicalMemory } from '@mm/physmem';
import { ContextSlot, type TaskContexts } from './task-contexts';

/**
 * Bits of a page's `info` word. An enum, which esbuild writes into the bundle as literals: an exported object is a
 * module binding, which V8 reads through a cell, with a hole check and a map check, at every use.
 */
export enum InfoBits {
  /** Index into the gfp table (0..65535). */
  GFP_MASK = 0xffff,
  ORDER_SHIFT = 16,
  ORDER_MASK = 0xf,
  /** last_migrate_reason + 1 (0 means never migrated, -1 in the kernel). */
  REASON_SHIFT = 20,
  // biome-ignore lint/suspicious/noDuplicateEnumValues: a mask of another field, not an alternative to ORDER_MASK.
  REASON_MASK = 0xf,
  /** `PAGE_EXT_OWNER`: page_owner has (or had, v5+) information for this page. */
  OWNER = 1 << 24,
  /** `PAGE_EXT_OWNER_ALLOCATED` (v5+): the page is allocated. */
  OWNER_ALLOCATED = 1 << 25,
}

/**
 * page_owner's per-page state, struct of arrays per present section (what the kernel keeps in page_ext). A page's
 * info word ({@link infoWord}) holds its gfp (as an index into the gfp table), order, last migrate reason and the two
 * page_ext flag bits.
 * - v4.x: `info`, the info words, and `handle`, the allocation stack's depot handle (v4.7: the handle of the 8
 *   inline frames, kept deduplicated);
 * - v6.18: `allocContext` and `freeContexts`, indices into {@link TaskContexts} for the task, ts and stack handle
 *   of the allocation and of the free. An allocation's context also holds its gfp and order, and its slot carries
 *   `ContextSlot.ALLOCATED`; `reason` holds the last migrate reason + 1 of each page, in the sections where a page was
 *   migrated. The info word is made from them.
 * 8 bytes a page in v4.x. v6.18: 4 bytes a page for the allocation contexts, and a byte a page for the free contexts
 * where a page was freed (a {@link PagePalette}: the pages of a 16 MiB stretch are freed in few contexts, and most
 * pages of a section with a free never are); 1 more where a page was migrated.
 */
export class OwnerRecords {
  readonly info: (Uint32Array | undefined)[] = [];
  readonly handle: (Uint32Array | undefined)[] = [];
  readonly allocContext: (Uint32Array | undefined)[] = [];
  /** v6.18: each page's free context, by pfn (0: never freed since page_owner started). */
  readonly freeContexts = new PagePalette();
  /** v6.18: last_migrate_reason + 1 per page (0: never migrated), made at a section's first migration. */
  readonly reason: (Uint8Array | undefined)[] = [];
  /** v6.18: the contexts the per-page indices point into. */
  readonly contexts: TaskContexts | undefined;
  readonly shift: number;
  readonly mask: number;
  readonly #gfpIndex = new Map<number, number>();
  readonly #gfps: number[] = [];
  /** {@link allocInfo}'s last gfp, order and info word. */
  #infoGfp = -1;
  #infoOrder = -1;
  #info = 0;

  /**
   * The arrays of a section page_owner has not written yet: one shared array of zeros (no record), which readers
   * read like any other and writers replace through {@link writable} or {@link writableAlloc} first. Host memory
   * follows the sections with records, not the machine's size; the simulated page_ext bytes are the kernel's either
   * way.
   */
  readonly empty: Uint32Array;

  constructor(memory: PhysicalMemory, contexts: TaskContexts | undefined) {
    this.shift = memory.pfnSectionShift;
    this.mask = memory.pagesPerSection - 1;
    this.contexts = contexts;
    const empty = new Uint32Array(memory.pagesPerSection);
    this.empty = empty;
    memory.sections.forEach((section, nr) => {
      if (section === undefined) return;
      if (contexts === undefined) {
        this.info[nr] = empty;
        this.handle[nr] = empty;
      } else {
        this.allocContext[nr] = empty;
        // (Set, not left a hole: the array stays as dense as the others, and is read at every allocation.)
        this.reason[nr] = undefined;
      }
    });
  }

  /**
   * v4.x: section `nr`'s info array, to write to (its handles too): undefined for a section without page_ext; a
   * section still sharing {@link empty} gets arrays of its own first.
   */
  writable(nr: number): Uint32Array | undefined {
    if (this.info[nr] === this.empty) this.#owned(this.handle, nr);
    return this.#owned(this.info, nr);
  }

  /**
   * v6.18: section `nr`'s allocation contexts, to write to: undefined for a section without page_ext; a section
   * still sharing {@link empty} gets an array of its own first.
   */
  writableAlloc(nr: number): Uint32Array | undefined {
    return this.#owned(this.allocContext, nr);
  }

  /** Section `nr`'s array of `arrays`, made its own if it still shares {@link empty} (undefined: no page_ext). */
  #owned(arrays: (Uint32Array | undefined)[], nr: number): Uint32Array | undefined {
    const array = arrays[nr];
    if (array !== this.empty) return array;
    const own = new Uint32Array(this.empty.length);
    arrays[nr] = own;
    return own;
  }

  /** v6.18: section `nr`'s migrate reasons, to write to (the section must have page_ext), made at first use. */
  writableReason(nr: number): Uint8Array {
    let reasons = this.reason[nr];
    if (reasons === undefined) {
      reasons = new Uint8Array(this.empty.length);
      this.reason[nr] = reasons;
    }
    return reasons;
  }

  /**
   * Forgets the records of the whole sections in [start, start + pages) (memory offlined: their page_ext is freed).
   * The task contexts they pointed at are released.
   */
  dropRange(start: number, pages: number): void {
    const first = start >>> this.shift;
    const last = (start + pages - 1) >>> this.shift;
    for (let nr = first; nr <= last; nr++) {
      const slots = this.allocContext[nr];
      if (slots !== undefined && slots !== this.empty) this.contexts?.assign(slots, 0, slots.length, 0);
      if (this.has(nr)) {
        this.contexts?.assignPages(this.freeContexts, nr * (this.mask + 1), this.mask + 1, 0);
        this.freeContexts.clear(nr * (this.mask + 1), this.mask + 1);
      }
      this.info[nr] = undefined;
      this.handle[nr] = undefined;
      this.allocContext[nr] = undefined;
      this.reason[nr] = undefined;
    }
  }

  /** Whether section `nr` has page_ext (and so records). */
  has(nr: number): boolean {
    return (this.contexts === undefined ? this.info[nr] : this.allocContext[nr]) !== undefined;
  }

  /** The info word of page `index` of section `nr` (0: no record), which must have page_ext. */
  infoWord(nr: number, index: number): number {
    const contexts = this.contexts;
    if (contexts === undefined) return this.info[nr]![index]!;
    const slot = this.allocContext[nr]![index]!;
    if (slot === 0) return 0;
    const flags = (slot & ContextSlot.ALLOCATED) !== 0 ? InfoBits.OWNER | InfoBits.OWNER_ALLOCATED : InfoBits.OWNER;
    const reason = this.reason[nr]?.[index] ?? 0;
    return (contexts.info(slot & ContextSlot.INDEX_MASK) | (reason << InfoBits.REASON_SHIFT) | flags) >>> 0;
  }

  /** v6.18: the allocation context of page `index` of section `nr` (0: none), without the allocated bit. */
  allocContextOf(nr: number, index: number): number {
    return this.allocContext[nr]![index]! & ContextSlot.INDEX_MASK;
  }

  /** The allocation stack handle of page `index` of section `nr` (0: none). */
  allocHandle(nr: number, index: number): number {
    const contexts = this.contexts;
    return contexts === undefined ? this.handle[nr]![index]! : contexts.handle(this.allocContextOf(nr, index));
  }

  /** The index of a gfp mask in the gfp table, adding it if new. */
  gfpIndex(gfp: number): number {
    let index = this.#gfpIndex.get(gfp);
    if (index === undefined) {
      index = this.#gfps.length;
      if (index > InfoBits.GFP_MASK) throw new RangeError('more than 65536 distinct gfp masks');
      this.#gfps.push(gfp);
      this.#gfpIndex.set(gfp, index);
    }
    return index;
  }

  /**
   * The info word of an allocation of `order` with `gfp` (no migrate reason, no flag bits). The last one is kept at
   * hand, as most allocations repeat their gfp and order, and the check is small enough for V8 to inline into the
   * allocation path: a miss looks the gfp up in the table.
   */
  allocInfo(gfp: number, order: number): number {
    return gfp === this.#infoGfp && order === this.#infoOrder ? this.#info : this.#newAllocInfo(gfp, order);
  }

  #newAllocInfo(gfp: number, order: number): number {
    this.#info = makeInfo(this.gfpIndex(gfp), order, -1, 0);
    this.#infoGfp = gfp;
    this.#infoOrder = order;
    return this.#info;
  }

  /** The gfp mask stored in an info word. */
  gfpOf(info: number): number {
    return this.#gfps[info & InfoBits.GFP_MASK] ?? 0;
  }

  /** Host bytes of the per-page arrays. */
  hostBytes(): number {
    let bytes = 0;
    for (const list of [this.handle, this.info, this.allocContext, this.reason]) {
      for (const array of list) if (array !== undefined && array !== this.empty) bytes += array.byteLength;
    }
    return bytes + this.empty.byteLength + this.freeContexts.hostBytes();
  }
}

/** The order stored in an info word. */
export function orderOf(info: number): number {
  return (info >>> InfoBits.ORDER_SHIFT) & InfoBits.ORDER_MASK;
}

/** The last migrate reason stored in an info word (-1: never migrated). */
export function reasonOf(info: number): number {
  return ((info >>> InfoBits.REASON_SHIFT) & InfoBits.REASON_MASK) - 1;
}

/** An info word for a new allocation record. */
export function makeInfo(gfpIndex: number, order: number, reason: number, flags: number): number {
  return (gfpIndex | (order << InfoBits.ORDER_SHIFT) | ((reason + 1) << InfoBits.REASON_SHIFT) | flags) >>> 0;
}
