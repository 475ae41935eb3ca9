import { type KernelProfile, type VmCounters, zoneCounter } from '@mm/physmem';
import { vmstatValue } from './proc-vmstat';

/** The huge page pool of the default hstate (mm/hugetlb.c `hugetlb_report_meminfo()`). */
export interface MeminfoHugePages {
  /** `nr_huge_pages`. */
  readonly total: number;
  /** `free_huge_pages`. */
  readonly free: number;
  /** `resv_huge_pages`. */
  readonly reserved: number;
  /** `surplus_huge_pages`. */
  readonly surplus: number;
  /** `huge_page_size()` in KiB. Default 2048 (4096 on i386 without PAE). */
  readonly sizeKb?: number;
}

/** x86 `direct_pages_count[]` (arch/x86/mm/pat/set_memory.c): how many mappings of each size map all of RAM. */
export interface MeminfoDirectMap {
  /** 4 KiB mappings. */
  readonly pages4k: number;
  /** 2 MiB mappings (4 MiB on i386 without PAE: `DirectMap4M`). */
  readonly pages2m: number;
  /** 1 GiB mappings; the `DirectMap1G` line is printed only when given (`direct_gbpages`). */
  readonly pages1g?: number;
}

/**
 * What /proc/meminfo needs besides the counters. Pages unless the name says KiB. The first three follow from the
 * zones: {@link meminfoZoneTotals} computes them as the kernel does.
 */
export interface MeminfoInputs {
  /** `totalram_pages()`: the pages the buddy allocator manages (the zones' `managed_pages` summed). */
  readonly totalRamPages: number;
  /** `totalreserve_pages` (mm/page_alloc.c `calculate_totalreserve_pages()`). */
  readonly totalReservePages: number;
  /** The low watermarks of every zone summed, unpopulated zones included (`for_each_zone`). */
  readonly lowWatermarkPages: number;
  /** CONFIG_HIGHMEM (profiles with a HighMem zone): `totalhigh_pages()`. Default 0. */
  readonly highTotalPages?: number;
  /** CONFIG_HIGHMEM: `nr_free_highpages()`. Default 0. */
  readonly highFreePages?: number;
  /** `nr_blockdev_pages()`: page cache of block devices (`Buffers`). Default 0: mmsim has no block devices. */
  readonly bufferPages?: number;
  /** v4.8 `total_swapcache_pages()` (v6.18 reads the `nr_swapcached` counter instead). Default 0. */
  readonly swapCachePages?: number;
  /** `total_swap_pages` / `si_swapinfo()`. Default 0: no swap. */
  readonly swapTotalPages?: number;
  /** Free swap pages. Default 0. */
  readonly swapFreePages?: number;
  /** v6.18 `zswap_total_pages()`. Default 0. */
  readonly zswapPages?: number;
  /** v6.18 `zswap_stored_pages`. Default 0. */
  readonly zswappedPages?: number;
  /** `vm_committed_as`. Default 16349 (65396 kB, the captured 6.18.44 machine's). */
  readonly committedPages?: number;
  /** `sysctl_overcommit_ratio`. Default 50. */
  readonly overcommitRatio?: number;
  /** `sysctl_overcommit_kbytes` (used instead of the ratio when not 0). Default 0. */
  readonly overcommitKbytes?: number;
  /** `VMALLOC_TOTAL >> 10`. Default 34359738367: x86_64 with 4-level paging (both eras). */
  readonly vmallocTotalKb?: number;
  /** v6.18 `vmalloc_nr_pages()` (v4.8 prints 0). Default 3571 (14284 kB, the captured machine's). */
  readonly vmallocPages?: number;
  /** v6.18 `pcpu_nr_pages()`. Default 186 (744 kB, the captured 2-CPU machine's). */
  readonly percpuPages?: number;
  /** v4.8 `num_poisoned_pages` in KiB (`HardwareCorrupted`, CONFIG_MEMORY_FAILURE). Default 0. */
  readonly hardwareCorruptedKb?: number;
  /** The default hstate's pool. Default: empty. */
  readonly hugePages?: MeminfoHugePages;
  /** Every hstate's pages in KiB (v6.18 `Hugetlb`; `hugetlb_total_pages()` for CommitLimit). Default: the
   * default hstate's `total × sizeKb`. */
  readonly hugetlbTotalKb?: number;
  /** Default: RAM mapped with 4 KiB pages for its first 2 MiB and 2 MiB pages above (rounded up), no 1 GiB pages
   * (`direct_gbpages` off, as on the captured machine). */
  readonly directMap?: MeminfoDirectMap;
}

/** What {@link meminfoZoneTotals} reads of a zone ({@link ZoneinfoZone} has it all). */
export interface MeminfoZone {
  readonly name: string;
  readonly managed: number;
  readonly watermark: { readonly low: number; readonly high: number };
  readonly lowmemReserve: readonly number[];
}

/** The zone-derived part of {@link MeminfoInputs}. */
export interface MeminfoZoneTotals {
  readonly totalRamPages: number;
  readonly totalReservePages: number;
  readonly lowWatermarkPages: number;
  readonly highTotalPages: number;
  readonly highFreePages: number;
}

/**
 * The zone sums /proc/meminfo uses, computed as the kernel does from every zone of the machine (unpopulated ones
 * included, `zones[i]` ↔ `counters.zones[i]`): `totalram_pages()` (managed pages), `totalreserve_pages`
 * (mm/page_alloc.c `calculate_totalreserve_pages()`: per zone its largest `lowmem_reserve[]` plus its high
 * watermark, capped at its managed pages), the low watermarks `si_mem_available()` sums, and HighMem's managed
 * and free pages (`totalhigh_pages()`, `nr_free_highpages()`).
 */
export function meminfoZoneTotals(zones: readonly MeminfoZone[], counters: VmCounters): MeminfoZoneTotals {
  let totalRamPages = 0;
  let totalReservePages = 0;
  let lowWatermarkPages = 0;
  let highTotalPages = 0;
  let highFreePages = 0;
  zones.forEach((zone, index) => {
    totalRamPages += zone.managed;
    // lowmem_reserve[j] is 0 for j up to the zone's own index, so the largest entry is the kernel's max over j >= i.
    const reserve = Math.max(0, ...zone.lowmemReserve) + zone.watermark.high;
    totalReservePages += Math.min(reserve, zone.managed);
    lowWatermarkPages += zone.watermark.low;
    if (zone.name === 'HighMem') {
      highTotalPages += zone.managed;
      highFreePages += zoneCounter(counters, index, 'nr_free_pages');
    }
  });
  return { totalRamPages, totalReservePages, lowWatermarkPages, highTotalPages, highFreePages };
}

/** `show_val_kb()` / `"%-16s%8lu kB"`: a 16-column label, a value right-aligned in 8 columns, ` kB`. */
function kbLine(label: string, kb: number): string {
  return `${`${label}:`.padEnd(16)}${String(kb).padStart(8)} kB\n`;
}

/** `hugetlb_report_meminfo()`'s `"HugePages_Total:   %5lu\n"`: a 19-column label, a value in 5 columns. */
function countLine(label: string, count: number): string {
  return `${`${label}:`.padEnd(19)}${String(count).padStart(5)}\n`;
}

/**
 * `si_mem_available()` (v4.8 mm/page_alloc.c lines 4016-4056, v6.18 mm/show_mem.c lines 32-72): free pages less
 * the reserves, plus the file LRU and the reclaimable slab (v6.18: plus `nr_kernel_misc_reclaimable`), each less
 * the smaller of its half and the low watermarks; never below 0.
 */
function memAvailable(profile: KernelProfile, counters: VmCounters, inputs: MeminfoInputs): number {
  const value = (name: string) => vmstatValue(profile, counters, name);
  const wmarkLow = inputs.lowWatermarkPages;
  let available = value('nr_free_pages') - inputs.totalReservePages;
  let pagecache = value('nr_active_file') + value('nr_inactive_file');
  pagecache -= Math.min(Math.floor(pagecache / 2), wmarkLow);
  available += pagecache;
  let reclaimable = value('nr_slab_reclaimable');
  if (profile.era === 'v6') reclaimable += value('nr_kernel_misc_reclaimable');
  reclaimable -= Math.min(Math.floor(reclaimable / 2), wmarkLow);
  available += reclaimable;
  return Math.max(available, 0);
}

/**
 * `/proc/meminfo` (fs/proc/meminfo.c `meminfo_proc_show()`, then mm/hugetlb.c `hugetlb_report_meminfo()` and x86's
 * `arch_report_meminfo()`), in the era's labels, order and widths (`%8lu kB` after a 16-column label).
 *
 * Computed from `counters` as the kernel does: MemFree (`nr_free_pages`), MemAvailable (`si_mem_available()`),
 * Cached (`nr_file_pages` − swap cache − Buffers, at least 0), SwapCached (v6.18 `nr_swapcached`), the LRU lines,
 * Mlocked, Dirty, Writeback, AnonPages, Mapped, Shmem, KReclaimable, Slab, SReclaimable, SUnreclaim, KernelStack
 * (the counter is in KiB), PageTables, SecPageTables, v4.8's NFS_Unstable/Bounce/WritebackTmp, the THP lines (the
 * counters hold huge pages, as /proc/vmstat prints them; meminfo multiplies by HPAGE_PMD_NR) and Balloon.
 * CommitLimit is `vm_commit_limit()`: (totalram − hugetlb) × overcommit_ratio / 100 + swap, or overcommit_kbytes.
 * The rest comes from `inputs` (see {@link MeminfoInputs} for each default).
 *
 * Configuration (as for /proc/vmstat, see `vmstatItems`): v6.18 has ZSWAP and TRANSPARENT_HUGEPAGE, and no
 * MEMORY_FAILURE, MEMTEST, CMA, UNACCEPTED_MEMORY or SHADOW_CALL_STACK, as the captured 6.18.44 machine; v4.8 has
 * MEMORY_FAILURE (`HardwareCorrupted`) and TRANSPARENT_HUGEPAGE, no CMA or QUICKLIST. Both: HUGETLB_PAGE, MMU;
 * HIGHMEM only when the profile has a HighMem zone (i386, which also prints `DirectMap4M`).
 */
export function formatMeminfo(profile: KernelProfile, counters: VmCounters, inputs: MeminfoInputs): string {
  const v6 = profile.era === 'v6';
  const i386 = profile.arch.name === 'i386';
  const hugePmdPages = i386 ? 1024 : 512;
  const value = (name: string) => vmstatValue(profile, counters, name);
  const pagesKb = (pages: number) => pages * 4;
  const line = (label: string, pages: number) => kbLine(label, pagesKb(pages));

  const buffers = inputs.bufferPages ?? 0;
  const swapCache = v6 ? value('nr_swapcached') : (inputs.swapCachePages ?? 0);
  const cached = Math.max(value('nr_file_pages') - swapCache - buffers, 0);
  const free = value('nr_free_pages');
  const inactiveAnon = value('nr_inactive_anon');
  const activeAnon = value('nr_active_anon');
  const inactiveFile = value('nr_inactive_file');
  const activeFile = value('nr_active_file');
  const slabReclaimable = value('nr_slab_reclaimable');
  const slabUnreclaimable = value('nr_slab_unreclaimable');
  const swapTotal = inputs.swapTotalPages ?? 0;
  const hugePages = inputs.hugePages ?? { total: 0, free: 0, reserved: 0, surplus: 0 };
  const hugePageKb = hugePages.sizeKb ?? (i386 ? 4096 : 2048);
  const hugetlbKb = inputs.hugetlbTotalKb ?? hugePages.total * hugePageKb;
  const commitLimit =
    (inputs.overcommitKbytes ?? 0) !== 0
      ? Math.floor(inputs.overcommitKbytes! / 4) + swapTotal
      : Math.floor(((inputs.totalRamPages - hugetlbKb / 4) * (inputs.overcommitRatio ?? 50)) / 100) + swapTotal;
  const thp = (name: string) => value(name) * hugePmdPages;

  let text =
    line('MemTotal', inputs.totalRamPages) +
    line('MemFree', free) +
    line('MemAvailable', memAvailable(profile, counters, inputs)) +
    line('Buffers', buffers) +
    line('Cached', cached) +
    line('SwapCached', swapCache) +
    line('Active', activeAnon + activeFile) +
    line('Inactive', inactiveAnon + inactiveFile) +
    line('Active(anon)', activeAnon) +
    line('Inactive(anon)', inactiveAnon) +
    line('Active(file)', activeFile) +
    line('Inactive(file)', inactiveFile) +
    line('Unevictable', value('nr_unevictable')) +
    line('Mlocked', value('nr_mlock'));
  if (profile.zoneTypes.some((zoneType) => zoneType.name === 'HighMem')) {
    const highTotal = inputs.highTotalPages ?? 0;
    const highFree = inputs.highFreePages ?? 0;
    text +=
      line('HighTotal', highTotal) +
      line('HighFree', highFree) +
      line('LowTotal', inputs.totalRamPages - highTotal) +
      line('LowFree', free - highFree);
  }
  text += line('SwapTotal', swapTotal) + line('SwapFree', inputs.swapFreePages ?? 0);
  if (v6) text += line('Zswap', inputs.zswapPages ?? 0) + line('Zswapped', inputs.zswappedPages ?? 0);
  text +=
    line('Dirty', value('nr_dirty')) +
    line('Writeback', value('nr_writeback')) +
    line('AnonPages', value('nr_anon_pages')) +
    line('Mapped', value('nr_mapped')) +
    line('Shmem', value('nr_shmem'));
  if (v6) text += line('KReclaimable', slabReclaimable + value('nr_kernel_misc_reclaimable'));
  text +=
    line('Slab', slabReclaimable + slabUnreclaimable) +
    line('SReclaimable', slabReclaimable) +
    line('SUnreclaim', slabUnreclaimable) +
    kbLine('KernelStack', value('nr_kernel_stack')) +
    line('PageTables', value('nr_page_table_pages'));
  if (v6) text += line('SecPageTables', value('nr_sec_page_table_pages'));
  text +=
    line('NFS_Unstable', v6 ? 0 : value('nr_unstable')) +
    line('Bounce', v6 ? 0 : value('nr_bounce')) +
    line('WritebackTmp', v6 ? 0 : value('nr_writeback_temp')) +
    line('CommitLimit', commitLimit) +
    line('Committed_AS', inputs.committedPages ?? 16349) +
    kbLine('VmallocTotal', inputs.vmallocTotalKb ?? 34359738367) +
    line('VmallocUsed', v6 ? (inputs.vmallocPages ?? 3571) : 0) +
    line('VmallocChunk', 0);
  if (v6) text += line('Percpu', inputs.percpuPages ?? 186);
  else text += `HardwareCorrupted: ${String(inputs.hardwareCorruptedKb ?? 0).padStart(5)} kB\n`;
  text +=
    line('AnonHugePages', thp('nr_anon_transparent_hugepages')) +
    line('ShmemHugePages', thp('nr_shmem_hugepages')) +
    line('ShmemPmdMapped', thp('nr_shmem_pmdmapped'));
  if (v6) {
    text +=
      line('FileHugePages', thp('nr_file_hugepages')) +
      line('FilePmdMapped', thp('nr_file_pmdmapped')) +
      line('Balloon', value('nr_balloon_pages'));
  }
  text +=
    countLine('HugePages_Total', hugePages.total) +
    countLine('HugePages_Free', hugePages.free) +
    countLine('HugePages_Rsvd', hugePages.reserved) +
    countLine('HugePages_Surp', hugePages.surplus) +
    kbLine('Hugepagesize', hugePageKb);
  if (v6) text += kbLine('Hugetlb', hugetlbKb);
  const directMap = inputs.directMap ?? {
    pages4k: Math.min(512, inputs.totalRamPages),
    pages2m: Math.ceil(Math.max(inputs.totalRamPages - 512, 0) / hugePmdPages),
  };
  text += kbLine('DirectMap4k', directMap.pages4k * 4);
  text += i386 ? kbLine('DirectMap4M', directMap.pages2m * 4096) : kbLine('DirectMap2M', directMap.pages2m * 2048);
  if (directMap.pages1g !== undefined) text += kbLine('DirectMap1G', directMap.pages1g * 1048576);
  return text;
}
