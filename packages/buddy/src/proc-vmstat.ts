import { eventCounter, globalNodeCounter, globalZoneCounter, type KernelProfile, type VmCounters } from '@mm/physmem';

/**
 * The names /proc/vmstat prints for one kernel era, in the order of mm/vmstat.c `vmstat_text[]`, split by the
 * enum each block comes from (which also says where a {@link VmCounters} keeps the value).
 */
export interface VmstatItems {
  /** `enum zone_stat_item`: per-zone counters, kept in `VmCounters.zones`. In v4.8 the NUMA counters are zone items
   * too and sit among them (after `nr_zspages`, before `nr_free_cma`), as the kernel prints them. */
  readonly zone: readonly string[];
  /** v6.18 `enum numa_stat_item`: per-zone NUMA events, also kept in `VmCounters.zones`; empty in v4.8. */
  readonly numa: readonly string[];
  /** `enum node_stat_item`: per-node counters, kept in `VmCounters.nodes`. */
  readonly node: readonly string[];
  /** v4.8 `enum writeback_stat_item`, v6.18 `enum vm_stat_item`: system-wide values computed when the file is read
   * (dirty limits; v6.18 also the memmap pages), passed to {@link formatVmstat} as {@link VmstatSystemItems}. */
  readonly system: readonly string[];
  /** `enum vm_event_item` (CONFIG_VM_EVENT_COUNTERS): kept in `VmCounters.events`. */
  readonly events: readonly string[];
  /** Names printed after everything with the value 0 (v6.18 `vmstat_show()`: `nr_unstable`); empty in v4.8. */
  readonly deprecated: readonly string[];
}

/** The system-wide items of /proc/vmstat, which no counter holds (`vmstat_start()` computes them). */
export interface VmstatSystemItems {
  /** `nr_dirty_threshold`: `global_dirty_limits()`'s dirty limit, in pages. */
  readonly dirtyThreshold: number;
  /** `nr_dirty_background_threshold`: `global_dirty_limits()`'s background limit, in pages. */
  readonly dirtyBackgroundThreshold: number;
  /** v6.18 `nr_memmap_pages`: struct page arrays allocated after boot (memory hotplug), in pages. Default 0. */
  readonly memmapPages?: number;
  /** v6.18 `nr_memmap_boot_pages`: struct page arrays allocated at boot, in pages. Default 0. */
  readonly memmapBootPages?: number;
}

/** `TEXTS_FOR_ZONES()`: the suffix of a per-zone event for each zone type the profile has. */
function zoneSuffixes(profile: KernelProfile): string[] {
  return profile.zoneTypes.map((zoneType) => (zoneType.name === 'HighMem' ? 'high' : zoneType.name.toLowerCase()));
}

function forZones(profile: KernelProfile, prefix: string): string[] {
  return zoneSuffixes(profile).map((suffix) => `${prefix}_${suffix}`);
}

const numaItems = ['numa_hit', 'numa_miss', 'numa_foreign', 'numa_interleave', 'numa_local', 'numa_other'];

/** v4.8 mm/vmstat.c `vmstat_text[]` (lines 921-1091) for the configuration described at {@link vmstatItems}. */
function itemsV4(profile: KernelProfile): VmstatItems {
  const zone = [
    'nr_free_pages',
    'nr_zone_inactive_anon',
    'nr_zone_active_anon',
    'nr_zone_inactive_file',
    'nr_zone_active_file',
    'nr_zone_unevictable',
    'nr_zone_write_pending',
    'nr_mlock',
    'nr_slab_reclaimable',
    'nr_slab_unreclaimable',
    'nr_page_table_pages',
    'nr_kernel_stack',
    'nr_bounce',
    'nr_zspages',
    ...numaItems,
    'nr_free_cma',
  ];
  const node = [
    'nr_inactive_anon',
    'nr_active_anon',
    'nr_inactive_file',
    'nr_active_file',
    'nr_unevictable',
    'nr_isolated_anon',
    'nr_isolated_file',
    'nr_pages_scanned',
    'workingset_refault',
    'workingset_activate',
    'workingset_nodereclaim',
    'nr_anon_pages',
    'nr_mapped',
    'nr_file_pages',
    'nr_dirty',
    'nr_writeback',
    'nr_writeback_temp',
    'nr_shmem',
    'nr_shmem_hugepages',
    'nr_shmem_pmdmapped',
    'nr_anon_transparent_hugepages',
    'nr_unstable',
    'nr_vmscan_write',
    'nr_vmscan_immediate_reclaim',
    'nr_dirtied',
    'nr_written',
  ];
  const events = [
    'pgpgin',
    'pgpgout',
    'pswpin',
    'pswpout',
    ...forZones(profile, 'pgalloc'),
    ...forZones(profile, 'allocstall'),
    ...forZones(profile, 'pgskip'),
    'pgfree',
    'pgactivate',
    'pgdeactivate',
    'pgfault',
    'pgmajfault',
    'pglazyfreed',
    'pgrefill',
    'pgsteal_kswapd',
    'pgsteal_direct',
    'pgscan_kswapd',
    'pgscan_direct',
    'pgscan_direct_throttle',
    'zone_reclaim_failed',
    'pginodesteal',
    'slabs_scanned',
    'kswapd_inodesteal',
    'kswapd_low_wmark_hit_quickly',
    'kswapd_high_wmark_hit_quickly',
    'pageoutrun',
    'pgrotated',
    'drop_pagecache',
    'drop_slab',
    'numa_pte_updates',
    'numa_huge_pte_updates',
    'numa_hint_faults',
    'numa_hint_faults_local',
    'numa_pages_migrated',
    'pgmigrate_success',
    'pgmigrate_fail',
    'compact_migrate_scanned',
    'compact_free_scanned',
    'compact_isolated',
    'compact_stall',
    'compact_fail',
    'compact_success',
    'compact_daemon_wake',
    'htlb_buddy_alloc_success',
    'htlb_buddy_alloc_fail',
    'unevictable_pgs_culled',
    'unevictable_pgs_scanned',
    'unevictable_pgs_rescued',
    'unevictable_pgs_mlocked',
    'unevictable_pgs_munlocked',
    'unevictable_pgs_cleared',
    'unevictable_pgs_stranded',
    'thp_fault_alloc',
    'thp_fault_fallback',
    'thp_collapse_alloc',
    'thp_collapse_alloc_failed',
    'thp_file_alloc',
    'thp_file_mapped',
    'thp_split_page',
    'thp_split_page_failed',
    'thp_deferred_split_page',
    'thp_split_pmd',
    'thp_zero_page_alloc',
    'thp_zero_page_alloc_failed',
    'balloon_inflate',
    'balloon_deflate',
    'balloon_migrate',
  ];
  return {
    zone,
    numa: [],
    node,
    system: ['nr_dirty_threshold', 'nr_dirty_background_threshold'],
    events,
    deprecated: [],
  };
}

/** v6.18 mm/vmstat.c `vmstat_text[]` (lines 1197-1501) for the configuration described at {@link vmstatItems}. */
function itemsV6(profile: KernelProfile): VmstatItems {
  const zone = [
    'nr_free_pages',
    'nr_free_pages_blocks',
    'nr_zone_inactive_anon',
    'nr_zone_active_anon',
    'nr_zone_inactive_file',
    'nr_zone_active_file',
    'nr_zone_unevictable',
    'nr_zone_write_pending',
    'nr_mlock',
    'nr_zspages',
    'nr_free_cma',
  ];
  const node = [
    'nr_inactive_anon',
    'nr_active_anon',
    'nr_inactive_file',
    'nr_active_file',
    'nr_unevictable',
    'nr_slab_reclaimable',
    'nr_slab_unreclaimable',
    'nr_isolated_anon',
    'nr_isolated_file',
    'workingset_nodes',
    'workingset_refault_anon',
    'workingset_refault_file',
    'workingset_activate_anon',
    'workingset_activate_file',
    'workingset_restore_anon',
    'workingset_restore_file',
    'workingset_nodereclaim',
    'nr_anon_pages',
    'nr_mapped',
    'nr_file_pages',
    'nr_dirty',
    'nr_writeback',
    'nr_shmem',
    'nr_shmem_hugepages',
    'nr_shmem_pmdmapped',
    'nr_file_hugepages',
    'nr_file_pmdmapped',
    'nr_anon_transparent_hugepages',
    'nr_vmscan_write',
    'nr_vmscan_immediate_reclaim',
    'nr_dirtied',
    'nr_written',
    'nr_throttled_written',
    'nr_kernel_misc_reclaimable',
    'nr_foll_pin_acquired',
    'nr_foll_pin_released',
    'nr_kernel_stack',
    'nr_page_table_pages',
    'nr_sec_page_table_pages',
    'nr_iommu_pages',
    'nr_swapcached',
    'pgpromote_success',
    'pgpromote_candidate',
    'pgpromote_candidate_nrl',
    'pgdemote_kswapd',
    'pgdemote_direct',
    'pgdemote_khugepaged',
    'pgdemote_proactive',
    'nr_hugetlb',
    'nr_balloon_pages',
    'nr_kernel_file_pages',
  ];
  const events = [
    'pgpgin',
    'pgpgout',
    'pswpin',
    'pswpout',
    ...forZones(profile, 'pgalloc'),
    ...forZones(profile, 'allocstall'),
    ...forZones(profile, 'pgskip'),
    'pgfree',
    'pgactivate',
    'pgdeactivate',
    'pglazyfree',
    'pgfault',
    'pgmajfault',
    'pglazyfreed',
    'pgrefill',
    'pgreuse',
    'pgsteal_kswapd',
    'pgsteal_direct',
    'pgsteal_khugepaged',
    'pgsteal_proactive',
    'pgscan_kswapd',
    'pgscan_direct',
    'pgscan_khugepaged',
    'pgscan_proactive',
    'pgscan_direct_throttle',
    'pgscan_anon',
    'pgscan_file',
    'pgsteal_anon',
    'pgsteal_file',
    'zone_reclaim_success',
    'zone_reclaim_failed',
    'pginodesteal',
    'slabs_scanned',
    'kswapd_inodesteal',
    'kswapd_low_wmark_hit_quickly',
    'kswapd_high_wmark_hit_quickly',
    'pageoutrun',
    'pgrotated',
    'drop_pagecache',
    'drop_slab',
    'oom_kill',
    'numa_pte_updates',
    'numa_huge_pte_updates',
    'numa_hint_faults',
    'numa_hint_faults_local',
    'numa_pages_migrated',
    'pgmigrate_success',
    'pgmigrate_fail',
    'thp_migration_success',
    'thp_migration_fail',
    'thp_migration_split',
    'compact_migrate_scanned',
    'compact_free_scanned',
    'compact_isolated',
    'compact_stall',
    'compact_fail',
    'compact_success',
    'compact_daemon_wake',
    'compact_daemon_migrate_scanned',
    'compact_daemon_free_scanned',
    'htlb_buddy_alloc_success',
    'htlb_buddy_alloc_fail',
    'unevictable_pgs_culled',
    'unevictable_pgs_scanned',
    'unevictable_pgs_rescued',
    'unevictable_pgs_mlocked',
    'unevictable_pgs_munlocked',
    'unevictable_pgs_cleared',
    'unevictable_pgs_stranded',
    'thp_fault_alloc',
    'thp_fault_fallback',
    'thp_fault_fallback_charge',
    'thp_collapse_alloc',
    'thp_collapse_alloc_failed',
    'thp_file_alloc',
    'thp_file_fallback',
    'thp_file_fallback_charge',
    'thp_file_mapped',
    'thp_split_page',
    'thp_split_page_failed',
    'thp_deferred_split_page',
    'thp_underused_split_page',
    'thp_split_pmd',
    'thp_scan_exceed_none_pte',
    'thp_scan_exceed_swap_pte',
    'thp_scan_exceed_share_pte',
    'thp_split_pud',
    'thp_zero_page_alloc',
    'thp_zero_page_alloc_failed',
    'thp_swpout',
    'thp_swpout_fallback',
    'balloon_inflate',
    'balloon_deflate',
    'balloon_migrate',
    'swap_ra',
    'swap_ra_hit',
    'swpin_zero',
    'swpout_zero',
    'ksm_swpin_copy',
    'cow_ksm',
    'zswpin',
    'zswpout',
    'zswpwb',
    'direct_map_level2_splits',
    'direct_map_level3_splits',
    'direct_map_level2_collapses',
    'direct_map_level3_collapses',
  ];
  return {
    zone,
    numa: numaItems,
    node,
    system: ['nr_dirty_threshold', 'nr_dirty_background_threshold', 'nr_memmap_pages', 'nr_memmap_boot_pages'],
    events,
    deprecated: ['nr_unstable'],
  };
}

/** The lists of each profile already asked for (the formatters look names up many times a file). */
const itemsByProfile = new WeakMap<KernelProfile, VmstatItems>();

/**
 * The /proc/vmstat item names of a profile's era, in order (mm/vmstat.c `vmstat_text[]`; enums in
 * include/linux/mmzone.h and include/linux/vm_event_item.h). v4.7 prints as v4.8. The per-zone events
 * (`pgalloc_*`, `allocstall_*`, `pgskip_*`) follow the profile's zone types (`TEXTS_FOR_ZONES`: `_high` for
 * HighMem, `_device` for v6.18's ZONE_DEVICE).
 *
 * The kernel's list depends on its configuration. The choices:
 * - v4.8, a distribution kernel of late 2016 (x86_64): CONFIG_NUMA, ZSMALLOC (as a module: `IS_ENABLED`),
 *   NUMA_BALANCING, MIGRATION, COMPACTION, HUGETLB_PAGE, TRANSPARENT_HUGEPAGE, MEMORY_BALLOON, BALLOON_COMPACTION,
 *   VM_EVENT_COUNTERS, ZONE_DMA, ZONE_DMA32 on; CMA, HIGHMEM, ZONE_DEVICE, DEBUG_TLBFLUSH, DEBUG_VM_VMACACHE off.
 *   (`nr_free_cma` is printed either way.)
 * - v6.18: the configuration of the real 6.18.44 x86_64 machine whose /proc/vmstat is this file's golden
 *   (`zcat /proc/config.gz`): CONFIG_NUMA, ZSMALLOC, IOMMU_SUPPORT, SWAP, NUMA_BALANCING, HUGETLB_PAGE, MIGRATION,
 *   COMPACTION, TRANSPARENT_HUGEPAGE (with HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD), MEMORY_BALLOON, BALLOON_COMPACTION,
 *   KSM, ZSWAP, ZONE_DMA, ZONE_DMA32, ZONE_DEVICE, VM_EVENT_COUNTERS on; UNACCEPTED_MEMORY, SHADOW_CALL_STACK, CMA,
 *   HIGHMEM, DEBUG_TLBFLUSH, PER_VMA_LOCK_STATS, DEBUG_STACK_USAGE off.
 */
export function vmstatItems(profile: KernelProfile): VmstatItems {
  let items = itemsByProfile.get(profile);
  if (items === undefined) {
    items = profile.era === 'v6' ? itemsV6(profile) : itemsV4(profile);
    itemsByProfile.set(profile, items);
  }
  return items;
}

/**
 * The value /proc/vmstat prints for one counter item of the profile's era: a zone or NUMA item summed over the
 * zones (`global_zone_page_state()`), a node item summed over the nodes (`global_node_page_state_pages()`), or an
 * event. Throws for a name the era does not count (a system-wide item or a typo).
 */
export function vmstatValue(profile: KernelProfile, counters: VmCounters, name: string): number {
  const items = vmstatItems(profile);
  if (items.zone.includes(name) || items.numa.includes(name)) return globalZoneCounter(counters, name);
  if (items.node.includes(name)) return globalNodeCounter(counters, name);
  if (items.events.includes(name)) return eventCounter(counters, name);
  throw new Error(`'${name}' is not a counter of /proc/vmstat in ${profile.name}`);
}

/**
 * `/proc/vmstat` (mm/vmstat.c `vmstat_start()` and `vmstat_show()`): one `name value` line per item of
 * {@link vmstatItems}, in its order; v6.18 then adds the deprecated `nr_unstable 0`. Every value is read from
 * `counters` by name (a name nobody counted prints 0), except the system-wide items, which come from `system`.
 * The counters hold what the file prints: `pgpgin`/`pgpgout` in KiB (the kernel halves its sector counts), the
 * v6.18 THP node items in huge pages and the slab items in pages, `nr_kernel_stack` in KiB.
 */
export function formatVmstat(profile: KernelProfile, counters: VmCounters, system: VmstatSystemItems): string {
  const items = vmstatItems(profile);
  const systemValues = new Map<string, number>([
    ['nr_dirty_threshold', system.dirtyThreshold],
    ['nr_dirty_background_threshold', system.dirtyBackgroundThreshold],
    ['nr_memmap_pages', system.memmapPages ?? 0],
    ['nr_memmap_boot_pages', system.memmapBootPages ?? 0],
  ]);
  let text = '';
  for (const name of [...items.zone, ...items.numa]) text += `${name} ${globalZoneCounter(counters, name)}\n`;
  for (const name of items.node) text += `${name} ${globalNodeCounter(counters, name)}\n`;
  for (const name of items.system) text += `${name} ${systemValues.get(name) ?? 0}\n`;
  for (const name of items.events) text += `${name} ${eventCounter(counters, name)}\n`;
  for (const name of items.deprecated) text += `${name} 0\n`;
  return text;
}
