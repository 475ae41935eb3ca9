import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { PageExt, type PageExtClient, pageExtLayouts, planPageExt } from '@mm/page-ext';
import { getProfile, type MemoryModel, PhysicalMemory, type ProfileName } from '@mm/physmem';
import { bench, describe } from 'vitest';

const GIB = 2 ** 30;
const LOOKUPS = 1_000_000;
const options = { warmupTime: 1000, time: 1500 };

/** page_owner's client: 64 bytes at its offset (v6.18), or its 16 bytes of fields in the v4.8 struct. */
const pageOwner: PageExtClient = {
  name: 'page_owner',
  place: 300,
  size: 64,
  needSharedFlags: true,
  need: () => true,
  fixedBytes: () => 16,
};

/** A 4 GiB PC with page_ext allocated for page_owner, as boot() leaves it. */
function booted(profile: ProfileName, model: MemoryModel) {
  const memory = new PhysicalMemory({ memory: 4 * GIB, profile: getProfile(profile), model });
  const buddy = new BuddyAllocator(memory, createHookBus());
  buddy.freeAllMemory();
  const plan = planPageExt([pageOwner], pageExtLayouts[profile]!, 64)!;
  const pageExt = new PageExt(memory, plan);
  pageExt.allocate(buddy);
  return { memory, buddy, pageExt };
}

describe('lookup_page_ext by pfn (1M ops)', () => {
  for (const model of ['sparsemem', 'flatmem'] as const) {
    const { memory, pageExt } = booted('v6.18', model);
    // Every pfn of the machine's span in a scattered order (a stride coprime with the span), holes included.
    const span = memory.maxPfn;
    bench(
      `v6.18, 4 GiB ${model.toUpperCase()}: pfns all over the span, the PCI hole included`,
      () => {
        let found = 0;
        let pfn = 0;
        for (let index = 0; index < LOOKUPS; index++) {
          if (pageExt.hasPageExt(pfn)) found++;
          pfn += 7919;
          if (pfn >= span) pfn -= span;
        }
        if (found === 0) throw new Error('no page_ext found');
      },
      options,
    );
  }
});

describe('page_ext_init and offline of every section, 4 GiB SPARSEMEM (32 sections)', () => {
  for (const profile of ['v4.8', 'v6.18'] as const) {
    const { buddy, pageExt } = booted(profile, 'sparsemem');
    bench(
      `${profile}: ${pageExt.entryBytes}-byte entries, alloc_pages_exact_nid + split + free of the tail, then free`,
      () => {
        for (const section of [...pageExt.sections.keys()]) pageExt.freeSection(buddy, section);
        pageExt.allocate(buddy);
      },
      options,
    );
  }
});
