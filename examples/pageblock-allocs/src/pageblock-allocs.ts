import { type HookBus, type KernelParam, kstrtobool, MemoryAction } from '@mm/hooks';
import type { BootedFeature, Feature, FeatureSetup, FeatureSummary, KernelFile } from '@mm/kernel-spec';
import type { PageExt, PageExtClient } from '@mm/page-ext';
import { PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER } from '@mm/physmem';

/** Its place in `page_ext_ops[]`: after the kernel's clients (100 debug_guardpage ... 600 page_table_check). */
export const PAGE_EXT_PLACE = 700;

/** Its place among the `post_alloc` listeners: after `set_page_owner()` (300), before `page_table_check_alloc()`. */
export const POST_ALLOC_PLACE = 350;

/**
 * Its share of a page_ext entry in the offset scheme (v4.9+, here v6.18): one `unsigned int`. In the kernel the
 * counter of a pageblock would live in the page_ext of the pageblock's first page (`page_ext_get(pfn_to_page(
 * pageblock_start_pfn(pfn)))`), the 4 bytes of the other 511 entries unused; mmsim accounts the bytes in every entry
 * and keeps the counters on the host, one per pageblock.
 */
export const PAGEBLOCK_ALLOCS_BYTES = 4;

/**
 * Its field in the fixed `struct page_ext` of v3.19-v4.8 (`#ifdef CONFIG_PAGEBLOCK_ALLOCS unsigned int allocs;
 * #endif`, last in the struct): 4 bytes, and on 64-bit 4 more of tail padding, since the struct is aligned to its
 * `unsigned long flags` (v4.8 x86_64 with page_owner: 24 + 4 = 28, padded to 32; i386: 20 + 4 = 24).
 */
export function pageblockAllocsFixedBytes(_version: string, bitsPerLong: 32 | 64): number {
  return bitsPerLong === 64 ? 8 : 4;
}

/** What `pageblock_allocs=` set. */
export interface PageblockAllocsConfig {
  enabled: boolean;
}

/**
 * `early_param("pageblock_allocs", ...)`: a kstrtobool value. A bare `pageblock_allocs`, or a value kstrtobool
 * cannot read, makes the setup function return -EINVAL, and `do_early_param()` prints `Malformed early option`.
 */
export function pageblockAllocsParam(config: PageblockAllocsConfig): KernelParam {
  return {
    name: 'pageblock_allocs',
    early: true,
    description: 'pageblock_allocs=on|off (kstrtobool): count page allocations per pageblock',
    setup(value, context) {
      const enabled = kstrtobool(value);
      if (enabled === undefined) context.log(`Malformed early option 'pageblock_allocs'`);
      else config.enabled = enabled;
    },
  };
}

/** A pageblock (its first pfn) and the allocations counted in it. */
export interface PageblockCount {
  readonly pfn: number;
  readonly allocations: number;
}

/**
 * The counters of one boot (`kernel.feature(pageblockAllocs)`): one `Uint32Array` per memory section that has
 * page_ext, one counter per pageblock. An allocation counts once in each pageblock the block touches: once for
 * orders 0-9, 2^(order-9) times for larger blocks. Allocations before `page_ext_init()` are not seen (page_ext does
 * not exist yet), nor those in a section without page_ext (`lookup_page_ext()` is NULL there).
 */
export class PageblockCounters {
  readonly #config: PageblockAllocsConfig;
  #counting = false;
  #pagesPerSection = 0;
  /** By section number: the section's counters, or undefined where it has no page_ext. */
  #sections: (Uint32Array | undefined)[] = [];

  constructor(config: PageblockAllocsConfig) {
    this.#config = config;
  }

  /** `pageblock_allocs=` parsed true. */
  get enabled(): boolean {
    return this.#config.enabled;
  }

  /** page_ext exists and the hook is live. */
  get counting(): boolean {
    return this.#counting;
  }

  /**
   * The page_ext client's `init()`: allocates the counters of every section that has page_ext, then subscribes to
   * the allocator's hook (and to memory hotplug: a section taken offline takes its page_ext, and its counters, with
   * it). Called only when `need()` said yes, so a boot without `pageblock_allocs=on` never listens.
   */
  init(pageExt: PageExt, hooks: HookBus): void {
    const { memory } = pageExt;
    const perSection = memory.pagesPerSection;
    const sections = Array.from(memory.sections, (section) =>
      section !== undefined && pageExt.hasPageExt(section.startPfn)
        ? new Uint32Array(perSection / PAGEBLOCK_NR_PAGES)
        : undefined,
    );
    this.#pagesPerSection = perSection;
    this.#sections = sections;
    // The hot path: a few integer operations per pageblock, nothing allocated.
    hooks.post_alloc.subscribe((pfn, order) => {
      const end = pfn + (1 << order);
      for (let block = pfn - (pfn % PAGEBLOCK_NR_PAGES); block < end; block += PAGEBLOCK_NR_PAGES) {
        const nr = Math.floor(block / perSection);
        const counters = sections[nr];
        if (counters !== undefined) counters[(block - nr * perSection) >>> PAGEBLOCK_ORDER]!++;
      }
    }, POST_ALLOC_PLACE);
    hooks.memory_notify.subscribe((action, startPfn, nrPages) => {
      if (action !== MemoryAction.offline) return;
      for (let pfn = startPfn; pfn < startPfn + nrPages; pfn += perSection) {
        sections[Math.floor(pfn / perSection)] = undefined;
      }
    });
    this.#counting = true;
  }

  /** Allocations counted in the pageblock holding `pfn` (0 where nothing is counted). */
  allocations(pfn: number): number {
    if (!this.#counting || pfn < 0) return 0;
    const nr = Math.floor(pfn / this.#pagesPerSection);
    return this.#sections[nr]?.[(pfn - nr * this.#pagesPerSection) >>> PAGEBLOCK_ORDER] ?? 0;
  }

  /** Every pageblock with allocations, in pfn order. */
  pageblocks(): PageblockCount[] {
    const found: PageblockCount[] = [];
    this.#each((pfn, allocations) => found.push({ pfn, allocations }));
    return found;
  }

  /** The `limit` busiest pageblocks: most allocations first, lower pfn first among equals. */
  busiest(limit = 10): PageblockCount[] {
    return this.pageblocks()
      .sort((a, b) => b.allocations - a.allocations || a.pfn - b.pfn)
      .slice(0, limit);
  }

  /** Pageblocks with allocations, and the allocations counted in all of them (the sum of the counters). */
  totals(): { pageblocks: number; allocations: number } {
    let pageblocks = 0;
    let allocations = 0;
    this.#each((_pfn, count) => {
      pageblocks++;
      allocations += count;
    });
    return { pageblocks, allocations };
  }

  /** `/sys/kernel/debug/pageblock_allocs`: `pfn count` per pageblock with allocations, by pfn, in chunks. */
  dump(write: (chunk: string) => void): void {
    let chunk = '';
    this.#each((pfn, allocations) => {
      chunk += `${pfn} ${allocations}\n`;
      if (chunk.length >= 1 << 16) {
        write(chunk);
        chunk = '';
      }
    });
    if (chunk !== '') write(chunk);
  }

  /** Host bytes of the counters. */
  hostBytes(): number {
    return this.#sections.reduce((sum, counters) => sum + (counters?.byteLength ?? 0), 0);
  }

  #each(visit: (pfn: number, allocations: number) => void): void {
    const perSection = this.#pagesPerSection;
    this.#sections.forEach((counters, nr) => {
      if (counters === undefined) return;
      for (let index = 0; index < counters.length; index++) {
        const count = counters[index]!;
        if (count !== 0) visit(nr * perSection + index * PAGEBLOCK_NR_PAGES, count);
      }
    });
  }
}

/**
 * Page allocations per pageblock, as a kernel feature a developer might write to see which pageblocks churn:
 * `pageblock_allocs=on|off`, a 4-byte page_ext client after the kernel's, a `post_alloc` listener after
 * page_owner's, debugfs `pageblock_allocs`, and its part of a run's summary. `kernel.feature(pageblockAllocs)` is the
 * machine's {@link PageblockCounters}. Built in but off, it subscribes to nothing and asks for no page_ext.
 */
export function pageblockAllocs(): Feature<PageblockCounters> {
  return { name: 'pageblock_allocs', factory: pageblockAllocs, boot: (setup) => new BootedPageblockAllocs(setup) };
}

class BootedPageblockAllocs implements BootedFeature<PageblockCounters> {
  readonly api: PageblockCounters;
  readonly params: readonly KernelParam[];
  readonly pageExt: readonly PageExtClient[];

  constructor(setup: FeatureSetup) {
    const config: PageblockAllocsConfig = { enabled: false };
    const counters = new PageblockCounters(config);
    this.api = counters;
    this.params = [pageblockAllocsParam(config)];
    this.pageExt = [
      {
        name: 'pageblock_allocs',
        place: PAGE_EXT_PLACE,
        size: PAGEBLOCK_ALLOCS_BYTES,
        fixedBytes: pageblockAllocsFixedBytes,
        needSharedFlags: false,
        need: () => config.enabled,
        init: (pageExt) => counters.init(pageExt, setup.hooks),
      },
    ];
  }

  /** debugfs `pageblock_allocs`, once counting (the kernel would create it in a late initcall when enabled). */
  files(): KernelFile[] {
    const counters = this.api;
    if (!counters.counting) return [];
    return [{ path: 'sys/kernel/debug/pageblock_allocs', read: (write) => counters.dump(write) }];
  }

  summary(): FeatureSummary {
    const counters = this.api;
    if (!counters.counting) return { fields: { pageblockAllocs: null } };
    const { pageblocks, allocations } = counters.totals();
    const busiest = counters.busiest(1)[0] ?? null;
    const where =
      busiest === null
        ? 'none yet'
        : `pfn ${busiest.pfn} (0x${busiest.pfn.toString(16)}), ${busiest.allocations} allocations`;
    return {
      fields: { pageblockAllocs: { pageblocks, allocations, busiest } },
      lines: [`  pageblock allocations: ${allocations} in ${pageblocks} pageblocks; the busiest: ${where}`],
      facts: [['busiest pageblock', where]],
    };
  }
}
