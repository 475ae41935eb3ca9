import type { PhysicalMemory } from '@mm/physmem';

/** Bits of a page's `info` word. */
export const InfoBits = {
  /** Index into the gfp table (0..65535). */
  GFP_MASK: 0xffff,
  ORDER_SHIFT: 16,
  ORDER_MASK: 0xf,
  /** last_migrate_reason + 1 (0 means never migrated, -1 in the kernel). */
  REASON_SHIFT: 20,
  REASON_MASK: 0xf,
  /** `PAGE_EXT_OWNER`: page_owner has (or had, v5+) information for this page. */
  OWNER: 1 << 24,
  /** `PAGE_EXT_OWNER_ALLOCATED` (v5+): the page is allocated. */
  OWNER_ALLOCATED: 1 << 25,
} as const;

/**
 * page_owner's per-page state, struct of arrays per present section (what the kernel keeps in page_ext):
 * - `handle`: the allocation stack's depot handle (v4.7: the handle of the 8 inline frames, kept deduplicated);
 * - `info`: gfp (as an index into the gfp table), order, last migrate reason and the two page_ext flag bits;
 * - v6.18 only: `allocContext` and `freeContext`, indices into {@link TaskContexts} for pid/tgid/comm/ts of the
 *   allocation and pid/tgid/ts/handle of the free.
 * 8 bytes a page in v4.x, 16 in v6.18.
 */
export class OwnerRecords {
  readonly handle: (Uint32Array | undefined)[] = [];
  readonly info: (Uint32Array | undefined)[] = [];
  readonly allocContext: (Uint32Array | undefined)[] = [];
  readonly freeContext: (Uint32Array | undefined)[] = [];
  readonly shift: number;
  readonly mask: number;
  readonly #gfpIndex = new Map<number, number>();
  readonly #gfps: number[] = [];
  #lastGfp = -1;
  #lastGfpIndex = 0;

  constructor(memory: PhysicalMemory, withContexts: boolean) {
    this.shift = memory.pfnSectionShift;
    this.mask = memory.pagesPerSection - 1;
    memory.sections.forEach((section, nr) => {
      if (section === undefined) return;
      this.handle[nr] = new Uint32Array(memory.pagesPerSection);
      this.info[nr] = new Uint32Array(memory.pagesPerSection);
      if (withContexts) {
        this.allocContext[nr] = new Uint32Array(memory.pagesPerSection);
        this.freeContext[nr] = new Uint32Array(memory.pagesPerSection);
      }
    });
  }

  /** The index of a gfp mask in the gfp table, adding it if new. */
  gfpIndex(gfp: number): number {
    if (gfp === this.#lastGfp) return this.#lastGfpIndex;
    let index = this.#gfpIndex.get(gfp);
    if (index === undefined) {
      index = this.#gfps.length;
      if (index > InfoBits.GFP_MASK) throw new RangeError('more than 65536 distinct gfp masks');
      this.#gfps.push(gfp);
      this.#gfpIndex.set(gfp, index);
    }
    this.#lastGfp = gfp;
    this.#lastGfpIndex = index;
    return index;
  }

  /** The gfp mask stored in an info word. */
  gfpOf(info: number): number {
    return this.#gfps[info & InfoBits.GFP_MASK] ?? 0;
  }

  /** Host bytes of the per-page arrays. */
  hostBytes(): number {
    let bytes = 0;
    for (const list of [this.handle, this.info, this.allocContext, this.freeContext]) {
      for (const array of list) if (array !== undefined) bytes += array.byteLength;
    }
    return bytes;
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
