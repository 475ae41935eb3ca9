import { boot } from '@mm/kernel';
import type { KernelText } from '@mm/stacktrace';
import { beforeAll, describe, expect, it } from 'vitest';
import { pageCacheReadPaths } from '../../../tools/kernel-read-paths';
// @mm/workloads' path tables, by file: a dependency on the package would make a cycle once @mm/defaults (which
// @mm/workloads' tests use) builds this feature in. These files import nothing but types.
import { ioctlPath } from '../../workloads/src/driver-paths';
import { type KernelPath, pathsV6 } from '../../workloads/src/kernel-paths';
import { bootModules, modulePaths } from '../../workloads/src/module-paths';
import { allocTagSitesV618, CallSites, functionName, isAllocatorFunction, NO_TAG } from './call-sites';
import { codetagToText } from './codetag';

/** Every distinct run of the innermost `count` frames a path can end with (alternatives expanded from the end). */
function tails(path: KernelPath, count = 8): string[][] {
  let suffixes: string[][] = [[]];
  for (let index = path.length - 1; index >= 0; index--) {
    const part = path[index]!;
    const runs = typeof part === 'string' ? [[part]] : part.map((run) => [...run]);
    const next = new Map<string, string[]>();
    for (const suffix of suffixes) {
      if (suffix.length >= count) {
        next.set(suffix.join(' '), suffix);
        continue;
      }
      for (const run of runs) {
        const joined = [...run, ...suffix];
        const kept = joined.slice(Math.max(0, joined.length - count));
        next.set(kept.join(' '), kept);
      }
    }
    suffixes = [...next.values()];
  }
  return suffixes;
}

let text: KernelText;
beforeAll(() => {
  text = boot({ memory: '256M' }).text;
});

/** The tag a stack ending with `frames` (outermost first) gets, as /proc/allocinfo prints it; 'none' for no tag. */
function tagOf(sites: CallSites, frames: readonly string[]): string {
  const addresses = text.sites(frames).reverse();
  const id = sites.resolveFrames(addresses);
  return id === NO_TAG ? 'none' : codetagToText(sites.tag(id));
}

/** The tags the allocations of a path get, over all its endings. */
function tagsOfPath(sites: CallSites, path: KernelPath): Set<string> {
  return new Set(tails(path).map((frames) => tagOf(sites, frames)));
}

describe('the call sites of the v6.18 kernel paths', () => {
  const expected: Record<string, readonly string[]> = {
    anonFault: ['mm/memory.c:1190 func:folio_prealloc'],
    cowFault: ['mm/memory.c:1192 func:folio_prealloc'],
    execFault: ['mm/readahead.c:189 func:ractl_alloc_folio', 'mm/filemap.c:2012 func:__filemap_get_folio'],
    fileRead: ['mm/readahead.c:189 func:ractl_alloc_folio', 'mm/filemap.c:2554 func:filemap_create_folio'],
    fileWrite: ['mm/filemap.c:2012 func:__filemap_get_folio'],
    shmemWrite: ['mm/shmem.c:1870 func:shmem_alloc_folio'],
    execPageTable: [
      'arch/x86/mm/pgtable.c:18 func:pte_alloc_one',
      'arch/x86/mm/pgtable.c:314 func:_pgd_alloc',
      'mm/memory.c:6567 func:__pud_alloc',
      'mm/memory.c:6591 func:__pmd_alloc',
    ],
    faultPageTable: [
      'arch/x86/mm/pgtable.c:18 func:pte_alloc_one',
      'mm/memory.c:6567 func:__pud_alloc',
      'mm/memory.c:6591 func:__pmd_alloc',
    ],
    forkPageTable: [
      'arch/x86/mm/pgtable.c:18 func:pte_alloc_one',
      'arch/x86/mm/pgtable.c:314 func:_pgd_alloc',
      'mm/memory.c:6567 func:__pud_alloc',
      'mm/memory.c:6591 func:__pmd_alloc',
    ],
    slabDentry: ['mm/slub.c:3059 func:alloc_slab_page'],
    slabKmalloc: ['mm/slub.c:3059 func:alloc_slab_page'],
    kernelStack: ['kernel/fork.c:311 func:alloc_thread_stack_node'],
  };

  it.each(Object.entries(expected))('%s: every ending finds a site of the table', (kind, sites) => {
    const found = tagsOfPath(new CallSites(text), pathsV6[kind]!);
    expect([...found].sort()).toEqual([...sites].sort());
  });

  it('covers every allocating path @mm/workloads has (the others end in a free function)', () => {
    const allocating = Object.keys(pathsV6).filter((kind) => !kind.endsWith('Free'));
    expect(allocating.sort()).toEqual(Object.keys(expected).sort());
  });

  it("a module's probe allocates through the DMA API's site; its init (kmalloc_large) and a driver's ioctl get their own tags", () => {
    const sites = new CallSites(text);
    for (const name of bootModules.slice(0, 6)) {
      const { init, probe } = modulePaths(name, 'v6');
      expect(tagsOfPath(sites, probe)).toEqual(new Set(['kernel/dma/direct.c:141 func:__dma_direct_alloc_pages']));
      expect(tagsOfPath(sites, init)).toEqual(new Set([`unknown:0 [${name}] func:${name}_init`]));
    }
    const ioctl = ioctlPath('v6', 'leaky_ioctl+0x4e/0x120 [leaky_drv]', 'alloc');
    expect(tagsOfPath(sites, ioctl)).toEqual(new Set(['unknown:0 [leaky_drv] func:leaky_ioctl']));
    // A tag is made once per function, and listed after vmlinux's.
    expect(sites.size).toBe(allocTagSitesV618.length + 7);
    expect(codetagToText(sites.tag(sites.order().at(-1)!))).toBe('unknown:0 [leaky_drv] func:leaky_ioctl');
  });

  it("the depot's pool, page_ext's tables and the page cache read of tools/kernel-read-paths.ts", () => {
    const sites = new CallSites(text);
    expect(
      tagOf(sites, [
        'stack_depot_save_flags+0x2a3/0x6e0',
        'alloc_pages_noprof+0x4c/0x70',
        'alloc_pages_mpol+0x86/0x190',
      ]),
    ).toBe('lib/stackdepot.c:677 func:stack_depot_save_flags');
    expect(tagOf(sites, ['mm_core_init+0x211/0x250', 'page_ext_init+0x7aa/0xcc0'])).toBe(
      'mm/page_ext.c:271 func:alloc_page_ext',
    );
    expect(tagOf(sites, pageCacheReadPaths.v6)).toBe('mm/readahead.c:189 func:ractl_alloc_folio');
  });

  it('an empty stack, or one of allocator functions only, has no tag', () => {
    const sites = new CallSites(text);
    expect(tagOf(sites, [])).toBe('none');
    expect(tagOf(sites, ['alloc_pages_noprof+0x4c/0x70', 'alloc_pages_mpol+0x86/0x190'])).toBe('none');
  });
});

describe('the table', () => {
  it('has one tag per site, the frames of each in one site only, none of them an allocator function', () => {
    const sites = allocTagSitesV618.map((site) => `${site.filename}:${site.lineno}`);
    expect(new Set(sites).size).toBe(sites.length);
    const frames = allocTagSitesV618.flatMap((site) => site.frames);
    expect(new Set(frames).size).toBe(frames.length);
    for (const frame of frames) expect(isAllocatorFunction(frame), frame).toBe(false);
  });

  it('knows the allocator by its functions and the _noprof convention', () => {
    for (const name of ['alloc_pages_mpol', 'get_page_from_freelist', '___slab_alloc', 'vma_alloc_folio_noprof']) {
      expect(isAllocatorFunction(name), name).toBe(true);
    }
    expect(isAllocatorFunction('do_anonymous_page')).toBe(false);
    expect(functionName('__dma_direct_alloc_pages.isra.0')).toBe('__dma_direct_alloc_pages');
    expect(functionName('do_pselect.constprop.0')).toBe('do_pselect');
  });
});
