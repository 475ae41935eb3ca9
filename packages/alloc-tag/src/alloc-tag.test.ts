import { boot, type Kernel } from '@mm/kernel';
import type { Feature } from '@mm/kernel-spec';
import { pageOwner } from '@mm/page-owner';
import { describe, expect, it } from 'vitest';
import { pageCacheReadPaths } from '../../../tools/kernel-read-paths';
import { type AllocTag, CODETAG_ID_FIRST } from './alloc-tag';
import { type AllocTagOptions, allocTag } from './alloc-tag-feature';
import { allocTagLayoutRows } from './alloc-tag-layouts';
import { codetagToText } from './codetag';
import { EACCES, parseMemProfiling, parseStaticKeyWrite } from './mem-profiling-param';

const ON = 'sysctl.vm.mem_profiling=1';

/** The feature alone (or beside `others`) on a small machine. */
function machine(
  cmdline = ON,
  options: { memory?: string; arch?: 'x86_64' | 'i386'; others?: Feature[]; tag?: AllocTagOptions } = {},
): { kernel: Kernel; tags: AllocTag } {
  const kernel = boot({
    memory: options.memory ?? '1G',
    cmdline,
    ...(options.arch !== undefined ? { arch: options.arch } : {}),
    features: [...(options.others ?? []), allocTag(options.tag)],
  });
  return { kernel, tags: kernel.feature(allocTag)! };
}

/** Allocates with `frames` (outermost first, `%pS` form) on the shadow stack, as a simulated kernel path does. */
function allocVia(kernel: Kernel, frames: readonly string[], order: number, gfp?: number): number {
  const depth = kernel.stack.depth;
  kernel.stack.pushAll(kernel.text.sites(frames));
  const pfn = kernel.buddy.allocPages(gfp ?? kernel.profile.gfp.flags.GFP_KERNEL, order);
  kernel.stack.unwindTo(depth);
  expect(pfn).toBeGreaterThanOrEqual(0);
  return pfn;
}

/** Bytes and calls of the tag printed as `site`, from the API. */
function site(tags: AllocTag, text: string): { bytes: number; calls: number } {
  const tag = tags.tags().find((candidate) => codetagToText(candidate.codetag) === text);
  if (tag === undefined) throw new Error(`no tag ${text}`);
  return { bytes: tag.bytes, calls: tag.calls };
}

const READAHEAD = 'mm/readahead.c:189 func:ractl_alloc_folio';
const ANON = 'mm/memory.c:1190 func:folio_prealloc';
/** An anonymous fault's path down to the allocator (as @mm/workloads' v6.18 anonFault ends). */
const anonFault = [
  'asm_exc_page_fault+0x22',
  'exc_page_fault+0x176',
  'handle_mm_fault+0xd0',
  '__handle_mm_fault+0xa64',
  'do_anonymous_page+0x1ff',
  'vma_alloc_folio_noprof+0x6a',
  'alloc_pages_mpol+0x86',
];

describe('alloc_tag booted alone with sysctl.vm.mem_profiling=1', () => {
  it('asks page_ext for one pointer a page, without the flags word, and listens on the allocator', () => {
    const { kernel, tags } = machine();
    expect(tags.supported).toBe(true);
    expect(tags.enabled).toBe(true);
    expect(tags.mode).toBe('page_ext');
    // page_alloc_tagging_ops: .size = sizeof(union codetag_ref), no need_shared_flags (lib/alloc_tag.c:764-768).
    expect(kernel.pageExt?.entryBytes).toBe(8);
    expect(kernel.dmesg()).toContain('allocated 2097152 bytes of page_ext\n');
    expect(kernel.dmesg()).toContain('Memory allocation profiling is enabled without compression and is turned on!\n');
    for (const hook of [
      kernel.hooks.post_alloc,
      kernel.hooks.free_prepare,
      kernel.hooks.split,
      kernel.hooks.migrate_copy,
    ]) {
      expect(hook.count).toBe(1);
    }
    expect(kernel.readFile('proc/sys/vm/mem_profiling')).toBe('1\n');
    expect(kernel.readFile('proc/allocinfo')).toMatch(
      /^allocinfo - version: 2\.0\n# {5}<size> {2}<calls> <tag info>\n/,
    );
    // Nothing of the core kernel allocates after page_ext_init: every tag is at zero, and all are listed.
    expect(tags.tags().every((tag) => tag.bytes === 0 && tag.calls === 0)).toBe(true);
    expect(tags.tags()).toHaveLength(tags.sites.kernelTags);
  });

  it('charges each allocation to its call site, and the free back to it', () => {
    const { kernel, tags } = machine();
    const read = allocVia(kernel, pageCacheReadPaths.v6, 0);
    const ahead = allocVia(kernel, pageCacheReadPaths.v6, 3);
    const anon = allocVia(kernel, anonFault, 0, kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 9 * 4096, calls: 2 });
    expect(site(tags, ANON)).toEqual({ bytes: 4096, calls: 1 });
    // The head page keeps the reference; the other pages of a block have none.
    expect(codetagToText(tags.tagOf(ahead)!)).toBe(READAHEAD);
    expect(tags.refOf(ahead + 1)).toBe(-1);
    expect(codetagToText(tags.tagOf(anon)!)).toBe(ANON);
    kernel.buddy.freePages(ahead, 3);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 4096, calls: 1 });
    expect(tags.refOf(ahead)).toBe(-1);
    kernel.buddy.freePages(read, 0);
    kernel.buddy.freePages(anon, 0);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 0, calls: 0 });
    expect(site(tags, ANON)).toEqual({ bytes: 0, calls: 0 });
    expect(tags.untagged).toBe(0);
  });

  it('does not charge an allocation without a call site on the stack (current->alloc_tag NULL)', () => {
    const { kernel, tags } = machine();
    const pfn = kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
    expect(tags.untagged).toBe(1);
    expect(tags.refOf(pfn)).toBe(-1);
    kernel.buddy.freePages(pfn, 0);
    expect(tags.tags().every((tag) => tag.bytes === 0)).toBe(true);
  });

  it('makes a tag of its own for a function it has no line for: unknown:0, with the module', () => {
    const { kernel, tags } = machine();
    const frames = [
      'entry_SYSCALL_64_after_hwframe+0x76',
      'do_syscall_64+0x71',
      '__x64_sys_ioctl+0x94/0xd0',
      'leaky_ioctl+0x4e/0x120 [leaky_drv]',
      'alloc_pages_noprof+0x4c',
      'alloc_pages_mpol+0x86',
    ];
    allocVia(kernel, frames, 1);
    allocVia(kernel, frames, 1);
    expect(site(tags, 'unknown:0 [leaky_drv] func:leaky_ioctl')).toEqual({ bytes: 16384, calls: 2 });
    // Module tags come after vmlinux's.
    expect(codetagToText(tags.tags().at(-1)!.codetag)).toBe('unknown:0 [leaky_drv] func:leaky_ioctl');
  });

  it('pgalloc_tag_split(): every new part refers to the tag, one call each, the bytes unchanged', () => {
    const { kernel, tags } = machine();
    const pfn = allocVia(kernel, pageCacheReadPaths.v6, 2);
    kernel.buddy.splitPage(pfn, 2);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 4 * 4096, calls: 4 });
    for (let page = 0; page < 4; page++) expect(tags.refOf(pfn + page)).toBe(tags.refOf(pfn));
    for (let page = 0; page < 4; page++) kernel.buddy.freePages(pfn + page, 0);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 0, calls: 0 });
  });

  it('pgalloc_tag_swap(): the new folio keeps the old one’s tag; freeing the old one uncharges the target’s', () => {
    const { kernel, tags } = machine();
    const old = allocVia(kernel, anonFault, 0);
    const target = allocVia(kernel, pageCacheReadPaths.v6, 0); // as if the migration target came from readahead
    kernel.hooks.migrate_copy.call(old, target, 0, 0);
    expect(codetagToText(tags.tagOf(target)!)).toBe(ANON);
    expect(codetagToText(tags.tagOf(old)!)).toBe(READAHEAD);
    kernel.buddy.freePages(old, 0);
    expect(site(tags, ANON)).toEqual({ bytes: 4096, calls: 1 });
    expect(site(tags, READAHEAD)).toEqual({ bytes: 0, calls: 0 });
    // A target without a tag: nothing swaps (tag_new NULL), the old folio's free uncharges its own tag.
    const second = allocVia(kernel, anonFault, 0);
    const untagged = kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
    kernel.hooks.migrate_copy.call(second, untagged, 0, 0);
    expect(tags.refOf(untagged)).toBe(-1);
    kernel.buddy.freePages(second, 0);
    expect(site(tags, ANON)).toEqual({ bytes: 4096, calls: 1 });
  });
});

describe('/proc/sys/vm/mem_profiling', () => {
  it('turns counting off and on; pages freed while off keep their bytes, as in the kernel', () => {
    const { kernel, tags } = machine();
    const before = allocVia(kernel, pageCacheReadPaths.v6, 0);
    expect(tags.writeSysctl('0\n')).toBe(2);
    expect(kernel.readFile('proc/sys/vm/mem_profiling')).toBe('0\n');
    expect(kernel.hooks.post_alloc.count).toBe(0);
    const during = allocVia(kernel, pageCacheReadPaths.v6, 0);
    kernel.buddy.freePages(before, 0);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 4096, calls: 1 });
    expect(tags.tagOf(during)).toBeUndefined();
    expect(tags.writeSysctl('1')).toBe(1);
    allocVia(kernel, pageCacheReadPaths.v6, 0);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 8192, calls: 2 });
    // A page allocated while off has no reference: its free changes nothing.
    kernel.buddy.freePages(during, 0);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 8192, calls: 2 });
  });

  it('with sysctl.vm.mem_profiling=0: page_ext is there, counting waits for the sysctl', () => {
    const { kernel, tags } = machine('sysctl.vm.mem_profiling=0');
    expect(kernel.pageExt?.entryBytes).toBe(8);
    expect(kernel.hooks.post_alloc.count).toBe(0);
    expect(kernel.readFile('proc/allocinfo')).toBeDefined();
    expect(kernel.dmesg()).toContain('Memory allocation profiling is enabled without compression and is turned off!');
    expect(tags.writeSysctl('1')).toBe(1);
    allocVia(kernel, pageCacheReadPaths.v6, 0);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 4096, calls: 1 });
  });

  it('parses a write as proc_dointvec_minmax() between 0 and 1', () => {
    expect(parseStaticKeyWrite('1')).toEqual({ value: 1, written: 1 });
    expect(parseStaticKeyWrite('  0 \n')).toEqual({ value: 0, written: 5 });
    expect(parseStaticKeyWrite('0x1')).toEqual({ value: 1, written: 3 });
    expect(parseStaticKeyWrite('-0')).toEqual({ value: 0, written: 2 });
    expect(parseStaticKeyWrite('1 x')).toEqual({ value: 1, written: 2 });
    for (const bad of ['', ' ', '2', '-1', 'y', 'on', '1,compressed', '08', '0x', 'never']) {
      expect(parseStaticKeyWrite(bad), bad).toBeUndefined();
    }
  });
});

describe('sysctl.vm.mem_profiling= (setup_early_mem_profiling)', () => {
  it('reads never, kstrtobool values and ,compressed; anything else is -EINVAL', () => {
    const parsed = (value: string | undefined) => parseMemProfiling(value);
    expect(parsed('1')).toEqual({ never: false, enable: true, compressed: false });
    expect(parsed('0')).toEqual({ never: false, enable: false, compressed: false });
    expect(parsed('y')).toEqual({ never: false, enable: true, compressed: false });
    expect(parsed('off')).toEqual({ never: false, enable: false, compressed: false });
    expect(parsed('1,compressed')).toEqual({ never: false, enable: true, compressed: true });
    expect(parsed('0,compressed')).toEqual({ never: false, enable: false, compressed: true });
    expect(parsed('never')).toEqual({ never: true, enable: false, compressed: false });
    expect(parsed('neverever')).toEqual({ never: true, enable: false, compressed: false }); // strncmp(str, "never", 5)
    for (const bad of [undefined, '', 'maybe', '1,foo', ',compressed', '1,compressed,x']) {
      expect(parsed(bad), String(bad)).toBeUndefined();
    }
  });

  it('built in and not enabled costs nothing: no page_ext, no listener, only the sysctl (read-only)', () => {
    const { kernel, tags } = machine('');
    expect(tags.supported).toBe(false);
    expect(kernel.pageExt).toBeUndefined();
    for (const name of ['post_alloc', 'free_prepare', 'split', 'migrate_copy', 'memory_notify'] as const) {
      expect(kernel.hooks[name].count).toBe(0);
    }
    expect(kernel.dmesg()).toContain('] Memory allocation profiling is not supported!\n');
    expect(kernel.files().map((file) => file.path)).toContain('proc/sys/vm/mem_profiling');
    expect(kernel.readFile('proc/allocinfo')).toBeUndefined();
    expect(kernel.readFile('proc/sys/vm/mem_profiling')).toBe('0\n');
    expect(tags.writeSysctl('1')).toBe(-EACCES);
    expect(kernel.summaries({ counters: new Map() })).toEqual([{ fields: { allocTag: null } }]);
  });

  it('never: disabled, and do_sysctl_args() cannot write the read-only sysctl', () => {
    const { kernel, tags } = machine('sysctl.vm.mem_profiling=never');
    expect(tags.supported).toBe(false);
    expect(kernel.pageExt).toBeUndefined();
    expect(kernel.dmesg()).toContain('] Memory allocation profiling is disabled!\n');
    expect(kernel.dmesg()).toContain(
      "] Failed to set sysctl parameter 'vm.mem_profiling=never': permission denied (read-only?)\n",
    );
  });

  it('a kstrtobool word works as early param and fails as the sysctl write do_sysctl_args() makes of it', () => {
    const { kernel, tags } = machine('sysctl.vm.mem_profiling=on');
    expect(tags.enabled).toBe(true);
    expect(kernel.dmesg()).toContain("] Failed to set sysctl parameter 'vm.mem_profiling=on': invalid value\n");
    // 1 is written again, without a word.
    expect(machine(ON).kernel.dmesg()).not.toContain('Failed to set sysctl');
  });

  it('a malformed value changes nothing', () => {
    const { kernel, tags } = machine('sysctl.vm.mem_profiling=1,foo');
    expect(tags.supported).toBe(false);
    expect(kernel.dmesg()).toContain("] Malformed early option 'sysctl.vm.mem_profiling'\n");
    expect(kernel.pageExt).toBeUndefined();
  });

  it('enabledByDefault (CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT): on without a parameter', () => {
    const { kernel, tags } = machine('', { tag: { enabledByDefault: true } });
    expect(tags.enabled).toBe(true);
    expect(kernel.pageExt?.entryBytes).toBe(8);
  });
});

describe(',compressed: tag references in page->flags', () => {
  it('does not fit a distribution x86_64 kernel: no page flag bit is left, profiling shuts down', () => {
    const { kernel, tags } = machine('sysctl.vm.mem_profiling=1,compressed');
    expect(tags.pageflags).toMatchObject({ nrPageflags: 25, nonPageflagBits: 39, unusedBits: 0 });
    expect(tags.supported).toBe(false);
    expect(tags.enabled).toBe(false);
    expect(kernel.pageExt).toBeUndefined();
    const log = kernel.dmesg();
    const shutdown = `] ${tags.sites.kernelTags} allocation tags cannot be references using 0 available page flag bits. Memory allocation profiling is disabled!\n`;
    expect(log).toContain(shutdown);
    // alloc_tag_sec_init() runs in mm_core_init(), after the command line is printed.
    expect(log.indexOf(shutdown)).toBeGreaterThan(log.indexOf('Kernel command line:'));
    expect(log).toContain('] Memory allocation profiling is not supported!\n');
    // do_sysctl_args() then finds the sysctl read-only (sysctl_init() made it 0444).
    expect(log).toContain(
      "] Failed to set sysctl parameter 'vm.mem_profiling=1,compressed': permission denied (read-only?)\n",
    );
  });

  it('fits without NUMA balancing (21 bits): no page_ext at all, references in the flags from the first allocation', () => {
    const { kernel, tags } = machine('sysctl.vm.mem_profiling=1,compressed', { tag: { numaBalancing: false } });
    expect(tags.pageflags.unusedBits).toBe(21);
    expect(tags.mode).toBe('compressed');
    expect(kernel.pageExt).toBeUndefined();
    // alloc_tag_ref_offs = LRU_REFS_PGOFF - NR_UNUSED_PAGEFLAG_BITS: right above the 25 flags.
    expect(tags.refOffs).toBe(25);
    expect(tags.refMask).toBe(2 ** 21 - 1);
    // The sysctl takes an integer: the early param's ',compressed' is not one (proc_get_long() stops at the comma).
    expect(kernel.dmesg()).toContain(
      "] Failed to set sysctl parameter 'vm.mem_profiling=1,compressed': invalid value\n",
    );
    // mmsim's own boot allocations push no call site: counted as untagged, one per block.
    expect(tags.untagged).toBe(kernel.bootAllocations.length);
    const pfn = allocVia(kernel, pageCacheReadPaths.v6, 1);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 8192, calls: 1 });
    kernel.buddy.freePages(pfn, 1);
    expect(site(tags, READAHEAD)).toEqual({ bytes: 0, calls: 0 });
  });

  it('i386: 23 flags and 8 other bits leave one bit, not enough', () => {
    const { tags } = machine('sysctl.vm.mem_profiling=1,compressed', { memory: '512M', arch: 'i386' });
    expect(tags.pageflags).toMatchObject({ bitsPerLong: 32, nrPageflags: 23, nonPageflagBits: 8, unusedBits: 1 });
    expect(tags.supported).toBe(false);
  });
});

describe('page_ext bytes beside page_owner (v6.18 offset scheme)', () => {
  it.each([
    ['x86_64', '1G', 8, 8 + 64 + 8],
    ['i386', '512M', 4, 4 + 64 + 4],
  ] as const)('%s, %s: alone %i bytes, with page_owner %i', (arch, memory, alone, both) => {
    expect(machine(ON, { arch, memory }).kernel.pageExt?.entryBytes).toBe(alone);
    const withOwner = machine(`page_owner=on ${ON}`, { arch, memory, others: [pageOwner()] }).kernel;
    expect(withOwner.pageExt?.entryBytes).toBe(both);
    // page_owner off, profiling on: no flags word, only the reference.
    expect(machine(ON, { arch, memory, others: [pageOwner()] }).kernel.pageExt?.entryBytes).toBe(alone);
  });
});

describe('allocTagLayoutRows (for mmsim layouts)', () => {
  it('matches the page_ext the kernels allocate: alone, compressed, beside page_owner', () => {
    const alone = machine(ON, { memory: '512M' }).kernel.pageExt!;
    const entries = alone.totalBytes / alone.entryBytes;
    const rows = allocTagLayoutRows(entries);
    expect(rows.map((row) => [row.layout, row.bytesPerPage])).toEqual([
      ['alloc_tag', 8],
      ['alloc_tag,compressed', 0],
      ['alloc_tag+page_owner', 80],
    ]);
    expect(rows[0]!.staticBytes).toBe(alone.totalBytes);
    const both = machine(`page_owner=on ${ON}`, { memory: '512M', others: [pageOwner()] }).kernel.pageExt!;
    expect(rows[2]!.staticBytes).toBe(both.totalBytes);
    const compressed = machine(`${ON},compressed`, { memory: '512M', tag: { numaBalancing: false } }).kernel;
    expect(compressed.pageExt).toBeUndefined();
  });
});

describe('a v4.x kernel', () => {
  it('has no allocation profiling: no parameter, no file, no line', () => {
    const kernel = boot({ memory: '256M', profile: 'v4.8', cmdline: ON, features: [allocTag()] });
    expect(kernel.feature(allocTag)!.supported).toBe(false);
    expect(kernel.pageExt).toBeUndefined();
    expect(kernel.dmesg()).not.toMatch(/allocation profiling/);
    expect(kernel.files().filter((file) => /allocinfo|mem_profiling/.test(file.path))).toEqual([]);
  });
});

describe('summary, top users, and the reference storage', () => {
  it('summarises the largest call sites, sorted like alloc_tag_top_users()', () => {
    const { kernel, tags } = machine();
    allocVia(kernel, anonFault, 0);
    allocVia(kernel, pageCacheReadPaths.v6, 2);
    expect(tags.topUsers(2).map((tag) => codetagToText(tag.codetag))).toEqual([READAHEAD, ANON]);
    // Ties keep /proc/allocinfo's order.
    expect(
      tags
        .topUsers(4)
        .slice(2)
        .map((tag) => tag.bytes),
    ).toEqual([0, 0]);
    const [summary] = kernel.summaries({ counters: new Map() });
    expect(summary!.fields).toMatchObject({
      allocTag: { mode: 'page_ext', enabled: true, bytes: 5 * 4096, calls: 2, callSites: 2, untagged: 0 },
    });
    expect(summary!.lines![0]).toBe('  allocation profiling (page_ext, on): 0.0 MiB in 2 allocations at 2 call sites');
    expect(summary!.facts).toEqual([['largest allocation call site', `${READAHEAD} (0.0 MiB)`]]);
    expect(kernel.sample()).toEqual({ allocTagBytes: 5 * 4096 });
  });

  it('stores CODETAG_ID_FIRST + id, masked to the page flag bits when compressed', () => {
    const { kernel, tags } = machine('sysctl.vm.mem_profiling=1,compressed', { tag: { numaBalancing: false } });
    const pfn = allocVia(kernel, pageCacheReadPaths.v6, 0);
    expect(tags.refOf(pfn) + CODETAG_ID_FIRST).toBeLessThanOrEqual(tags.refMask);
    expect(tags.hostBytes()).toBeGreaterThan(0);
  });
});
