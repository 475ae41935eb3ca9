import type { KernelProfile } from '@mm/physmem';

/** The page->flags fields that decide whether tag references fit in the flags word (`,compressed`). */
export interface PageflagBits {
  readonly bitsPerLong: 32 | 64;
  /** `NR_PAGEFLAGS`. */
  readonly nrPageflags: number;
  /** `NR_NON_PAGEFLAG_BITS` (include/linux/page-flags-layout.h:116-118). */
  readonly nonPageflagBits: number;
  /** `NR_UNUSED_PAGEFLAG_BITS` (page-flags-layout.h:120-121): the bits a tag index can use. */
  readonly unusedBits: number;
  /** `LRU_REFS_PGOFF` (include/linux/mmzone.h:1154): where the MGLRU reference bits start. */
  readonly lruRefsPgoff: number;
}

/** Options of the kernel build that change the page->flags layout. */
export interface PageflagOptions {
  /**
   * `CONFIG_NUMA_BALANCING`: the last_cpupid field (8 + `NR_CPUS_BITS` bits) takes its place in page->flags.
   * Default: as the profile's layout has it (on for x86_64, absent on i386).
   */
  readonly numaBalancing?: boolean;
}

/**
 * The page->flags arithmetic of v6.18 for the profile's layout (`@mm/physmem`'s `pageFlagsLayout`, a distribution
 * config): include/linux/page-flags-layout.h:106-121 (`LRU_REFS_WIDTH`, `NR_NON_PAGEFLAG_BITS`,
 * `NR_UNUSED_PAGEFLAG_BITS`) and include/linux/mmzone.h:1147-1154 (the `*_PGOFF` chain), with kernel/bounds.c:25-31
 * (`LRU_GEN_WIDTH` = order_base_2(MAX_NR_GENS + 1) = 3 and `__LRU_REFS_WIDTH` = MAX_NR_TIERS - 2 = 2 with
 * CONFIG_LRU_GEN, which mm/Kconfig:1296-1300 allows on 64-bit and not on i386's classic SPARSEMEM). No KASAN tags.
 *
 * `NR_PAGEFLAGS` (include/linux/page-flags.h, `enum pageflags`) counts `PG_arch_2` too, which X86_PAT selects
 * (arch/x86/Kconfig:1752) and mmsim's name table leaves out: its count plus one. On x86_64 v6.18 that is 25 flags
 * and 39 other bits, no bit left: a distribution kernel cannot use `,compressed`; without NUMA balancing 21 bits are
 * left. i386: 23 flags, 8 other bits, 1 left.
 */
export function pageflagBits(profile: KernelProfile, options: PageflagOptions = {}): PageflagBits {
  const layout = profile.pageFlagsLayout;
  const bitsPerLong = profile.arch.bitsPerLong;
  const nrPageflags = profile.pageFlags.count + 1;
  const lruGen = bitsPerLong === 64 ? 3 : 0;
  const lruRefsMax = bitsPerLong === 64 ? 2 : 0;
  const lastCpupid = (options.numaBalancing ?? layout.lastCpupidBits > 0) ? layout.lastCpupidBits : 0;
  const sections = layout.sectionBits;
  const nodes = layout.nodeBits;
  const zones = layout.zoneBits;
  // LAST_CPUPID_WIDTH is LAST_CPUPID_SHIFT when it fits (it does for every profile mmsim has).
  const lruRefs = Math.min(lruRefsMax, bitsPerLong - nrPageflags - zones - lruGen - sections - nodes - lastCpupid);
  const nonPageflagBits = sections + nodes + zones + lastCpupid + lruGen + lruRefs;
  const lruRefsPgoff = bitsPerLong - sections - nodes - zones - lastCpupid - lruGen - lruRefs;
  return {
    bitsPerLong,
    nrPageflags,
    nonPageflagBits,
    unusedBits: bitsPerLong - (nonPageflagBits + nrPageflags),
    lruRefsPgoff,
  };
}
