import type { BootedFeature, Feature, FeatureSetup, KernelCore, KernelFile } from '@mm/kernel-spec';
import type { PageExtClient } from '@mm/page-ext';
import { PageIdle } from './page-idle';

/**
 * Idle page tracking as a kernel feature (mm/page_idle.c, `CONFIG_IDLE_PAGE_TRACKING`, on whenever it is built in):
 * it selects the vm's Idle and Young flags (`CONFIG_PAGE_IDLE_FLAG`), adds `/sys/kernel/mm/page_idle/bitmap`, and on
 * 32-bit, where the flags live in page_ext, `page_idle_ops` (flags only, always needed; after page_owner in
 * `page_ext_ops[]`). `kernel.feature(pageIdle)` is the machine's {@link PageIdle}.
 */
export function pageIdle(): Feature<PageIdle> {
  return { name: 'page_idle', factory: pageIdle, boot: (setup) => new BootedPageIdle(setup) };
}

class BootedPageIdle implements BootedFeature<PageIdle> {
  readonly pageExt: readonly PageExtClient[];
  #idle: PageIdle | undefined;

  constructor(setup: FeatureSetup) {
    const inPageExt = setup.profile.arch.bitsPerLong === 32;
    this.pageExt = [
      {
        name: 'page_idle',
        place: 400,
        size: 0,
        needSharedFlags: true,
        need: () => inPageExt,
        init: (pageExt) => this.api.init(pageExt),
      },
    ];
  }

  get api(): PageIdle {
    if (this.#idle === undefined) throw new Error('idle page tracking exists once the vm is up');
    return this.#idle;
  }

  start(kernel: KernelCore): void {
    this.#idle = new PageIdle(kernel);
  }

  /** The bitmap as a whole-file read returns it (to `max_pfn`), a read at a time. */
  files(): KernelFile[] {
    const idle = this.api;
    return [{ path: 'sys/kernel/mm/page_idle/bitmap', read: (write) => idle.readBitmapChunks(write) }];
  }
}
