import type { PagetypeinfoExtra } from '@mm/buddy';
import type { BootedFeature, Feature, FeatureSetup, FeatureSummary, KernelCore, KernelFile } from '@mm/kernel-spec';
import { textFile } from '@mm/kernel-spec';
import type { PageExt, PageExtClient } from '@mm/page-ext';
import { formatSize } from '@mm/physmem';
import { stackDepot } from '@mm/stackdepot';
import { createPageOwner } from './create-page-owner';
import { mixedBlockCounts } from './mixed-blocks';
import { PAGE_OWNER_BYTES_V618, type PageOwner, type PageOwnerConfig, pageOwnerParams } from './page-owner';
import { pageOwnerEras } from './page-owner-era';
import { dumpPageOwner } from './page-owner-file';
import { pageOwnerFixedFields, pageOwnerLayoutRows } from './page-owner-layouts';
import { formatShowStacks } from './page-owner-stacks';
import { topStacks } from './top-stacks';

/** page_owner's place in `page_ext_ops[]` (after v4.x's debug_guardpage_ops and page_poisoning_ops). */
const PAGE_EXT_PLACE = 300;

/**
 * page_owner as a kernel feature (mm/page_owner.c, `CONFIG_PAGE_OWNER`): `page_owner=` (which in v6.18 also asks
 * the stack depot for its early init), `page_owner_ops` in page_ext (its fields of the fixed v3.19-v4.8 struct, or
 * 64 bytes at its offset in v6.18), the allocator hooks once `init_page_owner()` ran, `page_owner is disabled` at
 * late init when it is off, `/sys/kernel/debug/page_owner` and (v6.18) `page_owner_stacks/`, the `Number of mixed
 * blocks` table of /proc/pagetypeinfo, and its part of a run's summary (early pages, mixed blocks, the layout
 * comparison, the top stacks). It selects the stack depot, as the kernel's Kconfig does.
 * `kernel.feature(pageOwner)` is the machine's {@link PageOwner}.
 */
export function pageOwner(options: PageOwnerFeatureOptions = {}): Feature<PageOwner> {
  const { stackDepth } = options;
  if (stackDepth !== undefined && !(Number.isInteger(stackDepth) && stackDepth >= 1 && stackDepth <= 256)) {
    throw new RangeError(`page_owner: stackDepth is PAGE_OWNER_STACK_DEPTH, 1 to 256, not ${stackDepth}`);
  }
  return {
    name: 'page_owner',
    factory: pageOwner,
    requires: [stackDepot()],
    enable: 'page_owner=on',
    boot: (setup) => new BootedPageOwner(setup, stackDepth),
  };
}

/** How page_owner is built. */
export interface PageOwnerFeatureOptions {
  /**
   * `PAGE_OWNER_STACK_DEPTH` of the build: the entries each allocation and free captures (16 in v4.8 and v6.18; a
   * v6.18 depot also cuts traces to its `maxFrames`). v4.7 stores its 8 entries inline in page_ext and cannot change.
   */
  readonly stackDepth?: number;
}

class BootedPageOwner implements BootedFeature<PageOwner> {
  readonly params;
  readonly pageExt: readonly PageExtClient[];
  readonly #config: PageOwnerConfig = { enabled: false };
  readonly #setup: FeatureSetup;
  #owner: PageOwner | undefined;
  #kernel: KernelCore | undefined;
  #pageExt: PageExt | undefined;
  readonly #stackDepth: number | undefined;

  constructor(setup: FeatureSetup, stackDepth: number | undefined) {
    this.#setup = setup;
    this.#stackDepth = stackDepth;
    const { profile } = setup;
    this.params = pageOwnerParams(this.#config, profile.name, () => setup.feature(stackDepot)?.requestEarlyInit());
    this.pageExt = [
      {
        name: 'page_owner',
        place: PAGE_EXT_PLACE,
        size: PAGE_OWNER_BYTES_V618,
        fixedBytes: (version, bitsPerLong) => pageOwnerFixedFields[version]?.[bitsPerLong] ?? 0,
        needSharedFlags: true,
        need: () => this.#config.enabled,
        init: (pageExt) => {
          this.#pageExt = pageExt;
          this.api.init(pageExt);
        },
      },
    ];
  }

  get api(): PageOwner {
    if (this.#owner === undefined) throw new Error('page_owner exists once the kernel has booted');
    return this.#owner;
  }

  start(kernel: KernelCore): void {
    this.#kernel = kernel;
    // v4.7 keeps its stacks inline in page_ext; later versions save them in the machine's depot.
    const depot = pageOwnerEras[kernel.profile.name].inline ? undefined : this.#setup.feature(stackDepot)?.depot;
    this.#owner = createPageOwner({
      ...kernel,
      enabled: this.#config.enabled,
      ...(depot !== undefined ? { depot } : {}),
      ...(this.#stackDepth !== undefined ? { stackDepth: this.#stackDepth } : {}),
    });
  }

  /** `pageowner_init()` (a late initcall): says so when page_owner is off. */
  lateInit(kernel: KernelCore): void {
    if (!this.api.enabled) kernel.memory.log.printk('page_owner is disabled');
  }

  files(): KernelFile[] {
    const owner = this.api;
    if (!owner.inited) return [];
    const files: KernelFile[] = [{ path: 'sys/kernel/debug/page_owner', read: (write) => dumpPageOwner(owner, write) }];
    if (owner.era.name === 'v6.18') {
      files.push(
        textFile('sys/kernel/debug/page_owner_stacks/show_stacks', () => formatShowStacks(owner)),
        textFile('sys/kernel/debug/page_owner_stacks/count_threshold', () => `${owner.countThreshold}`),
      );
    }
    return files;
  }

  /** `pagetypeinfo_showmixedcount()`: v4.x drains the per-CPU lists first. */
  pagetypeinfo(): PagetypeinfoExtra[] {
    const owner = this.api;
    if (!owner.inited) return [];
    if (owner.era.name !== 'v6.18') this.#kernel!.buddy.drainAllPages();
    return [{ title: 'Number of mixed blocks ', counts: (zone) => mixedBlockCounts(owner, zone) }];
  }

  summary(): FeatureSummary {
    const owner = this.api;
    if (!owner.inited) return { fields: { pageOwner: null, mixedBlocks: 0, layouts: null } };
    const { memory } = owner;
    const mixedBlocks = this.#kernel!.buddy.zones.filter((zone) => zone.zone.populated).reduce(
      (sum, zone) => sum + mixedBlockCounts(owner, zone).reduce((a, b) => a + b, 0),
      0,
    );
    const pageExt = this.#pageExt;
    const layouts = pageExt === undefined ? null : pageOwnerLayoutRows(pageExt.totalBytes / pageExt.entryBytes);
    const lines: string[] = [];
    if (layouts !== null) {
      const sizes = layouts.map((row) => `${row.profile} ${formatSize(row.staticBytes)}`).join(', ');
      lines.push(`  page_ext for page_owner under each layout: ${sizes} (mmsim layouts)`);
    }
    lines.push(`  mixed pageblocks: ${mixedBlocks}`, '  top allocation stacks by pages:');
    for (const stack of topStacks(owner, 3)) {
      lines.push(`    ${stack.pages} pages in ${stack.records} records:`);
      lines.push(
        ...stack.stack
          .trimEnd()
          .split('\n')
          .map((line) => `     ${line}`),
      );
    }
    return {
      fields: {
        pageOwner: {
          earlyPages: [...owner.earlyPages.values()].reduce((a, b) => a + b, 0),
          hostBytesPerPage: (owner.hostBytes() + owner.depot.hostBytes()) / memory.presentPages,
        },
        mixedBlocks,
        layouts,
      },
      lines,
      facts: [['mixed pageblocks', `${mixedBlocks}`]],
    };
  }
}
