import { boot } from '@mm/kernel';
import { formatShowStacks, PageOwnerFile, pageOwner } from '@mm/page-owner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('records who allocated a page and shows it as the debugfs files do', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '1G', cmdline: 'page_owner=on', features: [pageOwner()] });
    console.log(kernel.featureNames); // [ 'stackdepot', 'page_owner' ]: page_owner requires the stack depot
    const owner = kernel.feature(pageOwner)!;
    const { stack, text, buddy, profile } = kernel;
    stack.pushAll(text.sites(['ksys_read+0x6f', 'vfs_read+0xbb', 'filemap_read+0x13c/0x3b0', 'alloc_pages_mpol+0x86']));
    const pfn = buddy.allocPages(profile.gfp.flags.GFP_HIGHUSER_MOVABLE, 0); // page_owner records the stack
    stack.unwindTo(0);
    const file = new PageOwnerFile(owner); // /sys/kernel/debug/page_owner
    file.seek(pfn, 'SEEK_SET'); // v6.18 lseek_page_owner(): the position is a pfn
    console.log(file.read(4096)); // { data: 'Page allocated via order 0, mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid 1, ...' }
    console.log(formatShowStacks(owner)); // page_owner_stacks/show_stacks: each stack with its nr_base_pages

    const [names, record, stacks] = log.mock.calls;
    expect(names).toEqual([['stackdepot', 'page_owner']]);
    expect(record).toEqual([
      {
        data:
          'Page allocated via order 0, mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid 1, tgid 1 (init), ts 673226140 ns\n' +
          `PFN 0x${pfn.toString(16)} type Movable Block ${pfn >> 9} type Movable Flags 0xfffffc0000000(node=0|zone=1|lastcpupid=0x1fffff)\n` +
          ' post_alloc_hook+0x177/0x1a0\n' +
          ' get_page_from_freelist+0xd01/0x2140\n' +
          ' __alloc_frozen_pages_noprof+0x168/0x330\n' +
          ' alloc_pages_mpol+0x86/0xd0\n' +
          ' filemap_read+0x13c/0x3b0\n' +
          ' vfs_read+0xbb/0x110\n' +
          ' ksys_read+0x6f/0xb0\n' +
          '\n',
      },
    ]);
    expect(stacks![0]).toMatch(/^ post_alloc_hook\+0x177\/0x1a0\n(?: .*\n)* ksys_read\+0x6f\/0xb0\nnr_base_pages: 1\n/);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});
