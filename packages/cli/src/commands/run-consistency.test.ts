import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePageOwner } from '@mm/page-owner-tools';
import { KPF } from '@mm/physmem';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli-io';
import { main } from '../main';

const scratch = mkdtempSync(join(tmpdir(), 'mmsim-consistency-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `Name:  123 kB` lines of /proc/meminfo, in kB. */
function meminfo(text: string): Map<string, number> {
  return new Map([...text.matchAll(/^([^:]+):\s+(\d+)/gm)].map((match) => [match[1]!, Number(match[2])]));
}

/** `name value` lines of /proc/vmstat. */
function vmstat(text: string): Map<string, number> {
  return new Map([...text.matchAll(/^(\w+) (\d+)$/gm)].map((match) => [match[1]!, Number(match[2])]));
}

/** Pages whose kpageflags have every flag of `all` and none of `none`. */
function countPages(kpageflags: Buffer, all: readonly number[], none: readonly number[] = []): number {
  let pages = 0;
  for (let offset = 0; offset < kpageflags.length; offset += 8) {
    const flags = kpageflags.readBigUInt64LE(offset);
    if (all.every((bit) => (flags >> BigInt(bit)) & 1n) && !none.some((bit) => (flags >> BigInt(bit)) & 1n)) pages++;
  }
  return pages;
}

describe.each(['v4.8', 'v6.18'] as const)('mmsim run (%s): one machine, every file tells the same story', (profile) => {
  const out = join(scratch, profile);
  const run = main(['run', '--mem', '512M', '--profile', profile, '--out', out, '--json'], memoryIo());
  const read = (file: string) => readFileSync(join(out, file), 'utf8');

  it('MemFree is the buddy lists: vmstat, zoneinfo, buddyinfo, kpageflags and the summary agree', async () => {
    expect(await run).toBe(0);
    const summary = JSON.parse(read('summary.json'));
    const memFreeKb = meminfo(read('proc/meminfo')).get('MemFree')!;
    const counters = vmstat(read('proc/vmstat'));
    // fs/proc/meminfo.c: MemFree is global NR_FREE_PAGES.
    expect(memFreeKb / 4).toBe(counters.get('nr_free_pages'));
    // /proc/buddyinfo: free blocks per order (mm/vmstat.c frag_show_print()).
    let buddyPages = 0;
    // Each count is printed "%6lu " (a space after each, the last too).
    for (const match of read('proc/buddyinfo').matchAll(/^Node \d+, zone +\S+((?: +\d+)+) *$/gm)) {
      match[1]!
        .trim()
        .split(/ +/)
        .forEach((count, order) => {
          buddyPages += Number(count) << order;
        });
    }
    if (profile === 'v6.18') expect(buddyPages).toBe(counters.get('nr_free_pages'));
    else {
      // v4.8 drains the per-CPU lists when /proc/pagetypeinfo is read with page_owner on
      // (pagetypeinfo_showmixedcount()); buddyinfo, written before it, saw them undrained.
      expect(buddyPages).toBeLessThanOrEqual(counters.get('nr_free_pages')!);
    }
    // /proc/zoneinfo: `pages free` per zone.
    const zoneFree = [...read('proc/zoneinfo').matchAll(/^ {2}pages free +(\d+)$/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
    expect(zoneFree).toBe(counters.get('nr_free_pages'));
    // kpageflags: every page of a free block is BUDDY (fs/proc/page.c stable_page_flags()).
    expect(countPages(readFileSync(join(out, 'proc/kpageflags')), [KPF.BUDDY])).toBe(counters.get('nr_free_pages'));
    // The summary's free pages are MemFree; the per-CPU lists are apart (v4.8's pagetypeinfo drained them).
    expect(summary.freePages).toBe(counters.get('nr_free_pages'));
    if (profile === 'v6.18') expect(summary.freePcpPages).toBeGreaterThan(0);
  });

  it('the LRU, file, anonymous and slab counters are the pages kpageflags shows so', async () => {
    expect(await run).toBe(0);
    const info = meminfo(read('proc/meminfo'));
    const counters = vmstat(read('proc/vmstat'));
    const flags = readFileSync(join(out, 'proc/kpageflags'));
    const kb = (pages: number) => pages * 4;
    // File LRU pages: on an LRU and not swap-backed (anonymous and tmpfs pages are).
    expect(kb(countPages(flags, [KPF.LRU], [KPF.SWAPBACKED]))).toBe(
      info.get('Active(file)')! + info.get('Inactive(file)')!,
    );
    expect(kb(countPages(flags, [KPF.LRU, KPF.ACTIVE], [KPF.SWAPBACKED]))).toBe(info.get('Active(file)'));
    // Anonymous pages: mapped and ANON.
    expect(countPages(flags, [KPF.ANON, KPF.MMAP])).toBe(counters.get('nr_anon_pages'));
    // Page cache pages, tmpfs included: on an LRU and not ANON.
    expect(countPages(flags, [KPF.LRU], [KPF.ANON])).toBe(counters.get('nr_file_pages'));
    expect(kb(counters.get('nr_dirty')!)).toBe(info.get('Dirty'));
    // Slab pages: heads carry the flag (v4.8 PG_slab; v6.18 the page type, which kpageflags gives every page of
    // a slab folio) and the slab counters count pages.
    const slabPages = countPages(flags, [KPF.SLAB]);
    expect(slabPages).toBeGreaterThan(0);
    expect(kb(counters.get('nr_slab_reclaimable')! + counters.get('nr_slab_unreclaimable')!)).toBe(info.get('Slab'));
  });

  it('every page page_owner shows with a page cache or anonymous fault stack is on an LRU, anonymous or uptodate', async () => {
    expect(await run).toBe(0);
    const flags = readFileSync(join(out, 'proc/kpageflags'));
    const flagsOf = (pfn: number) => flags.readBigUInt64LE(pfn * 8);
    const has = (value: bigint, bit: number) => ((value >> BigInt(bit)) & 1n) === 1n;
    // The allocation sites of user pages, as each era's page_owner prints them (mm/filemap.c, mm/memory.c,
    // mm/shmem.c): the page cache's, the anonymous fault's and the copy-on-write fault's; a slab or page table page
    // allocated inside a fault (anon_vma_prepare(), __pte_alloc()) has frames of its own allocator above it.
    const userSite =
      /^(__page_cache_alloc|filemap_alloc_folio_noprof|shmem_alloc_(folio|page|and_add_folio)|do_anonymous_page|wp_page_copy|do_cow_fault)$/;
    const otherAllocator = /slab|anon_vma|_(pte|pmd|pud|p4d)_alloc|pte_alloc_one/;
    let userPages = 0;
    const wrong: string[] = [];
    for (const record of parsePageOwner(read('sys/kernel/debug/page_owner'), { file: 'page_owner' })) {
      const site = record.frames.findIndex((frame) => userSite.test(frame.symbol));
      if (site < 0 || record.frames.slice(0, site).some((frame) => otherAllocator.test(frame.symbol))) continue;
      for (let pfn = record.pfn; pfn < record.pfn + 2 ** record.order; pfn++) {
        const value = flagsOf(pfn);
        userPages++;
        if (!has(value, KPF.LRU) || !(has(value, KPF.ANON) || has(value, KPF.UPTODATE))) {
          wrong.push(`pfn ${pfn} (line ${record.line}): flags 0x${value.toString(16)}`);
        }
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(userPages).toBeGreaterThan(50_000);
  });

  it('the build filled the page cache, reclaim ran and the depot holds a thousand stacks', async () => {
    expect(await run).toBe(0);
    const info = meminfo(read('proc/meminfo'));
    const counters = vmstat(read('proc/vmstat'));
    expect(info.get('MemFree')!).toBeLessThan(info.get('MemTotal')! * 0.15);
    expect(info.get('Cached')!).toBeGreaterThan(info.get('MemTotal')! * 0.5);
    expect(counters.get('pgsteal_kswapd')).toBeGreaterThan(0);
    expect(counters.get('pgscan_kswapd')).toBeGreaterThanOrEqual(counters.get('pgsteal_kswapd')!);
    // On 512 MiB (a quarter of the default 4 GiB run's 1,700 stacks and 16 pools, measured in the vm README).
    const summary = JSON.parse(read('summary.json'));
    expect(summary.stackDepot.stacks).toBeGreaterThan(1000);
    expect(summary.stackDepot.pools).toBeGreaterThanOrEqual(10);
  });
});
