import { describe, expect, it } from 'vitest';
import { createKernelText } from './create-kernel-text';
import { formatFrame, formatTrace } from './format-frames';
import { KernelText } from './kernel-text';

/** The stacks of the two page_owner records quoted in the v4.6 commit messages (60f30350fd69, 7cd12b4abfd2). */
const v46Records = [
  ` [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
 [<ffffffff811b4058>] alloc_pages_current+0x88/0x120
 [<ffffffff8115e386>] __page_cache_alloc+0xe6/0x120
 [<ffffffff8116ba6c>] __do_page_cache_readahead+0xdc/0x240
 [<ffffffff8116bd05>] ondemand_readahead+0x135/0x260
 [<ffffffff8116bfb1>] page_cache_sync_readahead+0x31/0x50
 [<ffffffff81160523>] generic_file_read_iter+0x453/0x760
 [<ffffffff811e0d57>] __vfs_read+0xa7/0xd0
`,
  ` [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
 [<ffffffff811b6325>] alloc_pages_vma+0xb5/0x250
 [<ffffffff81177491>] shmem_alloc_page+0x61/0x90
 [<ffffffff8117a438>] shmem_getpage_gfp+0x678/0x960
 [<ffffffff8117c2b9>] shmem_fallocate+0x329/0x440
 [<ffffffff811de600>] vfs_fallocate+0x140/0x230
 [<ffffffff811df434>] SyS_fallocate+0x44/0x70
 [<ffffffff8158cc2e>] entry_SYSCALL_64_fastpath+0x12/0x71
`,
];

/** Frames as `%pS` prints them, from a printed stack (either era). */
const symbolsOf = (block: string) =>
  block
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(/^ (\[<[0-9a-f]{16}>\] )?/, ''));

describe('formatFrame / formatTrace, v4 (` [<%p>] %pS`)', () => {
  it.each(v46Records.map((record, index) => [index, record] as const))(
    'prints the v4.6 commit record %i byte for byte',
    (_, record) => {
      const text = createKernelText('v4');
      const frames = text.sites(symbolsOf(record));
      expect(formatTrace(text, frames, frames.length, 'v4')).toBe(record);
    },
  );

  it('prints the ULONG_MAX terminator of a short v4.7 inline stack as a raw address', () => {
    const text = createKernelText('v4');
    expect(formatFrame(text, 0xffffffff, 'v4')).toBe(' [<ffffffffffffffff>] 0xffffffffffffffff');
  });

  it('prints module frames with the module name', () => {
    const text = createKernelText('v4');
    const address = text.site('ext4_mpage_readpages+0x2c4/0x6a0 [ext4]');
    expect(formatFrame(text, address, 'v4')).toBe(' [<ffffffffa00002c4>] ext4_mpage_readpages+0x2c4/0x6a0 [ext4]');
  });
});

describe('formatFrame / formatTrace, v6 (` %pS`)', () => {
  it('prints the early-page stack of the page_owner documentation byte for byte', () => {
    const expected = ` register_early_stack+0x6d/0xc0
 init_page_owner+0x3c/0x370
 page_ext_init+0x252/0x26d
 kernel_init_freeable+0x2cc/0x495
`;
    const text = createKernelText('v6');
    const frames = text.sites(symbolsOf(expected));
    expect(formatTrace(text, frames, 4, 'v6')).toBe(expected);
  });

  it('prints the show_stacks sample with its module frame', () => {
    const expected = ` post_alloc_hook+0x177/0x1a0
 get_page_from_freelist+0xd01/0xd80
 __alloc_pages+0x39e/0x7e0
 xfs_file_buffered_read+0xe6/0x1d0 [xfs]
`;
    const text = createKernelText('v6');
    const frames = text.sites(symbolsOf(expected));
    expect(frames[3]).toBeGreaterThanOrEqual(0xc0000000);
    expect(formatTrace(text, frames, frames.length, 'v6')).toBe(expected);
  });

  it('prints real 6.18 frames at their real addresses', () => {
    const text = createKernelText('v6');
    const address = text.site('__alloc_frozen_pages_noprof+0x26b');
    expect(address).toBe(0x8163993b);
    expect(formatFrame(text, address, 'v6')).toMatch(/^ __alloc_frozen_pages_noprof\+0x26b\/0x[0-9a-f]+$/);
    expect(formatFrame(text, address, 'v4')).toMatch(/^ \[<ffffffff8163993b>\] __alloc_frozen_pages_noprof\+0x26b\//);
  });
});

describe('formatTrace', () => {
  const text = new KernelText({ coreStart: 0x81000000, moduleStart: 0xc0000000 });
  const frames = text.sites(['a_function+0x10/0x40', 'b_function+0x0/0x20']);

  it('prints only the first `count` frames, each on its own line', () => {
    expect(formatTrace(text, frames, 1, 'v6')).toBe(' a_function+0x10/0x40\n');
    expect(formatTrace(text, frames, 0, 'v6')).toBe('');
  });

  it('takes the indent (the kernel `spaces` argument plus one)', () => {
    expect(formatTrace(text, frames, 2, 'v6', 0)).toBe('a_function+0x10/0x40\nb_function+0x0/0x20\n');
    expect(formatFrame(text, frames[1]!, 'v4', 3)).toBe('   [<ffffffff81000040>] b_function+0x0/0x20');
  });
});
