import { boot, type Kernel } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
import { describe, expect, it } from 'vitest';
import { debugPagealloc, poisonReportFrames } from '../src/index';

/**
 * The page poisoning report. Truth: v6.18 mm/page_poison.c `check_poison_mem()` (`pr_err()`, `print_hex_dump()`,
 * `dump_stack()`, `dump_page()`), `__kernel_unpoison_pages()`, mm/page_alloc.c `post_alloc_hook()`; v4.8
 * mm/page_poison.c `check_poison_mem()` (no `dump_page()`), `kernel_poison_pages()`, mm/page_alloc.c
 * `post_alloc_hook()` (inlined into `get_page_from_freelist()`).
 */

const allocPath = {
  'v4.8': [
    'entry_SYSCALL_64_fastpath+0x12/0x71',
    'SyS_ioctl+0x79/0x90',
    'do_vfs_ioctl+0x8e/0x6b0',
    'scribble_ioctl+0x3a/0x120 [scribble]',
    'alloc_pages_current+0x88/0x120',
  ],
  'v6.18': [
    'entry_SYSCALL_64_after_hwframe+0x76',
    'do_syscall_64+0x71',
    '__x64_sys_ioctl+0x94/0xd0',
    'scribble_ioctl+0x3a/0x120 [scribble]',
    'alloc_pages_noprof+0x4c',
    'alloc_pages_mpol+0x86',
  ],
} as const;

/** Frees a page, scribbles into it, and allocates it again through the driver's path: the report's lines. */
function corrupted(kernel: Kernel, profile: 'v4.8' | 'v6.18'): string[] {
  const gfp = kernel.profile.gfp.flags.GFP_KERNEL;
  const alloc = () => {
    const depth = kernel.stack.depth;
    kernel.stack.pushAll(kernel.text.sites(allocPath[profile]));
    const pfn = kernel.buddy.allocPages(gfp, 0);
    kernel.stack.unwindTo(depth);
    return pfn;
  };
  const pfn = alloc();
  kernel.buddy.freePages(pfn, 0);
  kernel.memory.directMap.write(pfn, 0x808, Uint8Array.of(0xde, 0xad));
  const before = kernel.memory.log.lines().length;
  expect(alloc()).toBe(pfn);
  return kernel.memory.log
    .lines()
    .slice(before)
    .map((line) => line.replace(/^\[ *\d+\.\d+\] /, ''));
}

describe.each(['v4.8', 'v6.18'] as const)('%s poison report', (profile) => {
  const kernel = boot({
    memory: '512M',
    profile,
    cmdline: 'page_poison=on page_owner=on',
    features: [debugPagealloc(), pageOwner()],
  });
  const lines = corrupted(kernel, profile);
  const trace = lines.indexOf('Call Trace:');

  it('prints the verdict and the hex dump of the damaged range', () => {
    expect(lines[0]).toBe('pagealloc: memory corruption');
    expect(lines[1]).toMatch(/^[0-9a-f]{16}: de ad {44}\.\.$/);
  });

  it('dumps a stack that starts with the kernel’s own frames, then the driver’s path', () => {
    const era = profile === 'v4.8' ? 'v4' : 'v6';
    const kernelFrames = poisonReportFrames[era].map((frame) => {
      const address = kernel.text.site(frame);
      const symbol = kernel.text.formatSymbol(address);
      return era === 'v4' ? ` [<ffffffff${address.toString(16).padStart(8, '0')}>] ${symbol}` : ` ${symbol}`;
    });
    const first = trace + (era === 'v6' ? 2 : 1);
    expect(lines.slice(first, first + kernelFrames.length)).toEqual(kernelFrames);
    expect(lines[first]).toBe(
      era === 'v6' ? ' dump_stack_lvl+0x5d/0x80' : ' [<ffffffff813c8a53>] dump_stack+0x63/0x90',
    );
    expect(lines[first + 1]).toMatch(
      era === 'v6' ? /^ __kernel_unpoison_pages\+/ : /kernel_poison_pages\+0xf3\/0x140$/,
    );
    expect(lines[first + kernelFrames.length + (era === 'v6' ? 2 : 1)]).toMatch(
      /scribble_ioctl\+0x3a\/0x120 \[scribble\]$/,
    );
  });

  it('v6.18 adds dump_page() and so page_owner’s lines; v4.8 neither', () => {
    const text = lines.join('\n');
    if (profile === 'v6.18') {
      const because = lines.indexOf('page dumped because: pagealloc: corrupted page details');
      expect(because).toBeGreaterThan(lines.indexOf(' </TASK>'));
      expect(lines[because + 1]).toBe('page_owner tracks the page as freed');
    } else {
      expect(text).not.toMatch(/page dumped because|page_owner|page allocated via/);
    }
  });
});
