import { boot, type Kernel } from '@mm/kernel';
import { bench, describe } from 'vitest';

const PAIRS = 100_000;
const options = { warmupTime: 1000, time: 1500 };

/** A 16-frame page cache read path of each era (page_owner adds its own and the allocator's frames on top). */
const paths = {
  v4: [
    'entry_SYSCALL_64_fastpath+0x12/0x71',
    'SyS_read+0x55/0xc0',
    'vfs_read+0x93/0x130',
    '__vfs_read+0xa7/0xd0',
    'generic_file_read_iter+0x453/0x760',
    'page_cache_sync_readahead+0x31/0x50',
    'ondemand_readahead+0x135/0x260',
    '__do_page_cache_readahead+0xdc/0x240',
    '__page_cache_alloc+0xe6/0x120',
    'alloc_pages_current+0x88/0x120',
  ],
  v6: [
    'entry_SYSCALL_64_after_hwframe+0x76',
    'do_syscall_64+0x71',
    'ksys_read+0x6f',
    'vfs_read+0xbb',
    'xfs_file_read_iter+0x76/0x100 [xfs]',
    'filemap_read+0x13c/0x3b0',
    'filemap_get_pages+0x2d6/0x8a0',
    'page_cache_sync_ra+0x1f2/0x300',
    'page_cache_ra_unbounded+0x11d/0x240',
    'filemap_alloc_folio_noprof+0x34/0x100',
    'alloc_pages_mpol+0x86',
  ],
};

/** A 4 GiB machine with a page cache read path on its kernel stack (left there for the whole run). */
function machine(profile: 'v4.8' | 'v6.18', cmdline: string): Kernel {
  const kernel = boot({ memory: '4G', profile, cmdline, cpus: 2 });
  kernel.stack.pushAll(kernel.text.sites(paths[kernel.profile.era]));
  return kernel;
}

function pairs(kernel: Kernel): void {
  const { buddy } = kernel;
  const gfp = kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
  for (let index = 0; index < PAIRS; index++) buddy.freePages(buddy.allocPages(gfp, 0), 0);
}

/**
 * page_owner records every allocation: it captures the stack (16 frames), finds it in the depot (a hit after the
 * first time) and writes the page's record; v6.18 also saves the free stack and keeps task contexts and counts.
 *
 * Off and on are two bench files, so each machine runs in a worker of its own, as a simulated machine runs in a
 * process of its own: in one process the two machines' objects meet at the same call sites and the JIT optimises
 * the allocator for neither. `pnpm bench` runs both in the same run and puts them in one group (same name), with
 * the ratio to the first (off).
 */
export function pageOwnerPairs(profile: 'v4.8' | 'v6.18', on: boolean): void {
  describe(`order-0 alloc+free pairs, ${profile}, page_owner off vs on (100k ops)`, () => {
    const kernel = machine(profile, on ? 'page_owner=on' : '');
    bench(on ? 'page_owner=on, 16-frame stacks, depot hit' : 'page_owner off', () => pairs(kernel), options);
  });
}
