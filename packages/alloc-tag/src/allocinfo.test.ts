import { boot } from '@mm/kernel';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../tools/expect-golden';
import { pageCacheReadPaths } from '../../../tools/kernel-read-paths';
import { allocTag } from './alloc-tag-feature';
import { ALLOCINFO_HEADER, allocinfoLine } from './allocinfo';
import { CODETAG_FLAG_INACCURATE, type Codetag } from './codetag';

const fixtures = new URL('./__fixtures__/', import.meta.url);

describe('/proc/allocinfo', () => {
  it('prints the header, then every tag as alloc_tag_to_text() does, vmlinux first (golden)', () => {
    const kernel = boot({ memory: '1G', cmdline: 'sysctl.vm.mem_profiling=1', cpus: 1, features: [allocTag()] });
    const { buddy, stack, text } = kernel;
    const g = kernel.profile.gfp.flags;
    const via = (frames: readonly string[], gfp: number, order: number) => {
      const depth = stack.depth;
      stack.pushAll(text.sites(frames));
      const pfn = buddy.allocPages(gfp, order);
      stack.unwindTo(depth);
      return pfn;
    };
    // A page cache read: two order-0 folios and an order-2 one, one of the order-0 ones freed again.
    const first = via(pageCacheReadPaths.v6, g.GFP_HIGHUSER_MOVABLE, 0);
    via(pageCacheReadPaths.v6, g.GFP_HIGHUSER_MOVABLE, 0);
    via(pageCacheReadPaths.v6, g.GFP_HIGHUSER_MOVABLE, 2);
    buddy.freePages(first, 0);
    // A new slab for a dentry (d_alloc → kmem_cache_alloc_lru → ___slab_alloc → allocate_slab), order 1.
    via(
      [
        'd_alloc+0x1a/0x90',
        '__d_alloc+0x2c/0x210',
        'kmem_cache_alloc_lru_noprof+0x1b1/0x3a0',
        '___slab_alloc+0x5f3/0xa90',
        'allocate_slab+0x2c5/0x400',
        'alloc_pages_mpol+0x86',
      ],
      g.GFP_KERNEL,
      1,
    );
    // A driver's own alloc_pages(): no line known, a tag of the module's function.
    via(
      [
        '__x64_sys_ioctl+0x94/0xd0',
        'leaky_ioctl+0x4e/0x120 [leaky_drv]',
        'alloc_pages_noprof+0x4c',
        'alloc_pages_mpol+0x86',
      ],
      g.GFP_KERNEL,
      0,
    );
    const allocinfo = kernel.readFile('proc/allocinfo')!;
    expectGolden(fixtures, 'allocinfo-v6.18.golden.txt', allocinfo);
    // Every line ends in a space before the newline (seq_buf_putc(out, ' '), lib/alloc_tag.c:98).
    expect(
      allocinfo
        .split('\n')
        .slice(2, -1)
        .every((line) => line.endsWith(' ')),
    ).toBe(true);
  });

  it('formats the columns as %12lli %8llu, the module in brackets, accurate:no for an inaccurate tag', () => {
    const tag: Codetag = {
      flags: 0,
      lineno: 3059,
      modname: undefined,
      function: 'alloc_slab_page',
      filename: 'mm/slub.c',
    };
    expect(ALLOCINFO_HEADER).toBe('allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n');
    expect(allocinfoLine(tag, 56373248, 4737)).toBe('    56373248     4737 mm/slub.c:3059 func:alloc_slab_page \n');
    // Wider than the field: printf does not cut.
    expect(allocinfoLine(tag, 1234567890123456, 123456789)).toBe(
      '1234567890123456 123456789 mm/slub.c:3059 func:alloc_slab_page \n',
    );
    expect(allocinfoLine(tag, -4096, 0)).toBe('       -4096        0 mm/slub.c:3059 func:alloc_slab_page \n');
    // u64 calls below zero print as 2^64 minus them.
    expect(allocinfoLine(tag, 0, -1)).toBe('           0 18446744073709551615 mm/slub.c:3059 func:alloc_slab_page \n');
    const moduleTag: Codetag = {
      ...tag,
      modname: 'xfs',
      function: 'xfs_buf_alloc',
      filename: 'fs/xfs/xfs_buf.c',
      lineno: 120,
    };
    expect(allocinfoLine(moduleTag, 8192, 2)).toBe(
      '        8192        2 fs/xfs/xfs_buf.c:120 [xfs] func:xfs_buf_alloc \n',
    );
    // The 2.0 format's extra pair (the example of the patch that added it, "alloc_tag: mark inaccurate allocation
    // counters in /proc/allocinfo output").
    const inaccurate: Codetag = {
      flags: CODETAG_FLAG_INACCURATE,
      lineno: 2709,
      modname: undefined,
      function: 'mce_device_create',
      filename: 'arch/x86/kernel/cpu/mce/core.c',
    };
    expect(allocinfoLine(inaccurate, 49152, 48)).toBe(
      '       49152       48 arch/x86/kernel/cpu/mce/core.c:2709 func:mce_device_create accurate:no \n',
    );
  });
});
