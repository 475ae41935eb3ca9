import { boot, type Kernel } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
import type { ProfileName } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { debugPagealloc, hexDumpLine } from '../src/index';

/** debug_pagealloc alone, or with page_owner when the command line turns it on (to see what it adds to reports). */
function bootWith(profile: ProfileName, cmdline: string): Kernel {
  const features = /page_owner=on/.test(cmdline) ? [debugPagealloc(), pageOwner()] : [debugPagealloc()];
  return boot({ memory: '512M', profile, cmdline, features });
}

/** Allocates a GFP_KERNEL page, writes to it, frees it: a pfn that is free now. */
function freedPage(kernel: Kernel): number {
  const pfn = kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
  kernel.memory.directMap.write(pfn, 0, Uint8Array.of(1, 2, 3, 4));
  kernel.buddy.freePages(pfn, 0);
  return pfn;
}

/** The dmesg lines printed while `body` ran. */
function printed(kernel: Kernel, body: () => void): string[] {
  const before = kernel.memory.log.lines().length;
  body();
  return kernel.memory.log
    .lines()
    .slice(before)
    .map((line) => line.replace(/^\[ *\d+\.\d+\] /, ''));
}

describe.each(['v4.8', 'v6.18'] as const)('%s debug_pagealloc', (profile) => {
  it('is off unless asked: no page leaves the direct map, nothing is poisoned', () => {
    const kernel = bootWith(profile, 'page_owner=on');
    const pfn = freedPage(kernel);
    expect(kernel.feature(debugPagealloc)!.active).toBe(false);
    expect(kernel.memory.directMap.isMapped(pfn)).toBe(true);
    expect(kernel.memory.directMap.write(pfn, 0, Uint8Array.of(9))).toBe(true);
  });

  it('unmaps freed pages: a write after free oopses and is lost; the oops has no page_owner lines', () => {
    const kernel = bootWith(profile, 'debug_pagealloc=on page_owner=on');
    const pfn = freedPage(kernel);
    expect(kernel.memory.directMap.isMapped(pfn)).toBe(false);
    const lines = printed(kernel, () => {
      expect(kernel.memory.directMap.write(pfn, 0x10, Uint8Array.of(0xff))).toBe(false);
    });
    const address = profile === 'v4.8' ? /ffff8800[0-9a-f]{8}/ : /ffff888[0-9a-f]{9}/;
    expect(lines[0]).toMatch(
      profile === 'v4.8'
        ? /^BUG: unable to handle kernel paging request at /
        : /^BUG: unable to handle page fault for address: /,
    );
    expect(lines[0]).toMatch(address);
    expect(lines.some((line) => /^Oops: .*0002 \[#1\].* DEBUG_PAGEALLOC/.test(line))).toBe(true);
    expect(lines.some((line) => line.startsWith('CR2: '))).toBe(true);
    // arch/x86/mm/fault.c page_fault_oops() (v4.8 no_context()) never calls dump_page(): page_owner is silent,
    // although it is on (it speaks in bad_page() and, in v6.18, poison reports).
    expect(lines.join('\n')).not.toMatch(/page_owner|page last|page allocated via|page dumped because/);
    expect(kernel.feature(debugPagealloc)!.stats.faults).toBe(1);
    // The simulation goes on: the page comes back mapped at its next allocation, with the bytes it had.
    const again = kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
    expect(again).toBe(pfn);
    expect(kernel.memory.directMap.read(pfn, 0, 4)).toEqual(Uint8Array.of(1, 2, 3, 4));
    // oops_end(): add_taint(TAINT_DIE), after the report.
    expect(kernel.memory.taint.print()).toContain('D');
  });

  it('with page_poison=on fills freed pages with 0xaa and reports damage at the next allocation', () => {
    const kernel = bootWith(profile, 'page_poison=on');
    const { directMap } = kernel.memory;
    const gfp = kernel.profile.gfp.flags.GFP_KERNEL;
    const pfn = freedPage(kernel);
    expect(directMap.read(pfn, 0, 4)).toEqual(Uint8Array.of(0xaa, 0xaa, 0xaa, 0xaa));
    // One bit flipped in one byte: a single bit error.
    directMap.write(pfn, 100, Uint8Array.of(0xab));
    let lines = printed(kernel, () => expect(kernel.buddy.allocPages(gfp, 0)).toBe(pfn));
    expect(lines[0]).toBe('pagealloc: single bit error');
    expect(lines[1]).toMatch(/^[0-9a-f]{16}: ab {47}\.$/);
    kernel.buddy.freePages(pfn, 0);
    // Two bytes apart: memory corruption, dumped from the first to the last damaged byte.
    directMap.write(pfn, 0x20, new TextEncoder().encode('hello'));
    directMap.write(pfn, 0x38, Uint8Array.of(0));
    lines = printed(kernel, () => kernel.buddy.allocPages(gfp, 0));
    expect(lines[0]).toBe('pagealloc: memory corruption');
    expect(lines[1]).toMatch(/^[0-9a-f]{16}: 68 65 6c 6c 6f aa aa aa aa aa aa aa aa aa aa aa {2}hello\.{11}$/);
    expect(lines[2]).toMatch(/^[0-9a-f]{16}: aa aa aa aa aa aa aa aa 00 {23}\.{9}$/);
    if (profile === 'v6.18') expect(lines).toContain('page dumped because: pagealloc: corrupted page details');
    expect(kernel.feature(debugPagealloc)!.stats.corruptions).toBe(2);
  });

  it('parses debug_guardpage_minorder: guard pages below the order, or the kernel’s error line', () => {
    const kernel = bootWith(profile, 'debug_pagealloc=on debug_guardpage_minorder=2');
    expect(kernel.dmesg()).toContain('Setting debug_guardpage_minorder to 2');
    expect(kernel.buddy.guardMinOrder).toBe(2);
    // Splitting blocks for order-0 allocations leaves guard halves below order 2 out of the free lists.
    const gfp = kernel.profile.gfp.flags.GFP_KERNEL;
    for (let index = 0; index < 64; index++) kernel.buddy.allocPages(gfp, 0);
    expect(kernel.buddy.zones.reduce((sum, zone) => sum + zone.guardPages, 0)).toBeGreaterThan(0);
    const bad = bootWith(profile, 'debug_pagealloc=on debug_guardpage_minorder=6');
    expect(bad.dmesg()).toMatch(/Bad debug_guardpage_minorder value/);
    expect(bad.buddy.guardMinOrder).toBe(0);
  });
});

describe('allocation failure warnings with guard pages', () => {
  it.each([
    ['v4.8', 1, false],
    ['v4.8', 0, true],
    ['v6.18', 1, true],
  ] as const)(
    '%s, guard order %d: warned about: %s (v4.8 keeps quiet while guard pages are on; 6.x no longer checks)',
    (profile, guardOrder, warned) => {
      const kernel = bootWith(profile, `debug_pagealloc=on debug_guardpage_minorder=${guardOrder}`);
      const g = kernel.profile.gfp.flags;
      let failed = false;
      for (let attempt = 0; attempt < 32 && !failed; attempt++) failed = kernel.buddy.allocPages(g.GFP_DMA, 10) < 0;
      expect(failed).toBe(true);
      expect(kernel.dmesg().includes('page allocation failure: order:10')).toBe(warned);
    },
  );
});

describe('an architecture that cannot unmap', () => {
  it('poisons instead: debug_pagealloc=on alone then checks freed pages at allocation', () => {
    const kernel = boot({
      memory: '512M',
      cmdline: 'debug_pagealloc=on',
      features: [debugPagealloc({ canUnmap: false })],
    });
    const debug = kernel.feature(debugPagealloc)!;
    expect([debug.unmap, debug.poison]).toEqual([false, true]);
    const pfn = freedPage(kernel);
    expect(kernel.memory.directMap.write(pfn, 8, Uint8Array.of(0))).toBe(true);
    const lines = printed(kernel, () => kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0));
    expect(lines[0]).toBe('pagealloc: memory corruption');
  });
});

describe('activation', () => {
  it('v4.8: memory free before page_ext existed stays mapped until it is freed again; v6.18 starts all unmapped', () => {
    /** The head of the largest free block: free since boot, never allocated. */
    const neverAllocated = (kernel: Kernel) => {
      let head = -1;
      let best = -1;
      for (const zone of kernel.buddy.zones) {
        kernel.buddy.forEachFreeBlock(zone, (pfn, order) => {
          if (order > best) [head, best] = [pfn, order];
        });
      }
      return head;
    };
    const v48 = bootWith('v4.8', 'debug_pagealloc=on');
    expect(v48.memory.directMap.isMapped(neverAllocated(v48))).toBe(true);
    const pfn = freedPage(v48);
    expect(v48.memory.directMap.isMapped(pfn)).toBe(false);
    const v618 = bootWith('v6.18', 'debug_pagealloc=on');
    expect(v618.memory.directMap.isMapped(neverAllocated(v618))).toBe(false);
    expect(v618.feature(debugPagealloc)!.stats.unmappedPages).toBeGreaterThan(v618.buddy.totalFreePages());
  });
});

describe('hex dump rows (lib/hexdump.c, 16 bytes, groups of 1, ASCII)', () => {
  it('pads short rows to the ASCII column and prints non-printable bytes as dots', () => {
    expect(hexDumpLine(new TextEncoder().encode('0123456789abcdef'))).toBe(
      '30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  0123456789abcdef',
    );
    expect(hexDumpLine(Uint8Array.of(0x00, 0x7f, 0x20, 0x7e))).toBe(`00 7f 20 7e${' '.repeat(38)}.. ~`);
  });
});
