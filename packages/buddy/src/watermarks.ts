import { type KernelProfile, MIGRATE_PCPTYPES, PAGEBLOCK_NR_PAGES, type Zone } from '@mm/physmem';

/** `int_sqrt()`. */
function intSqrt(value: number): number {
  return Math.floor(Math.sqrt(value));
}

/** The zone types that count as "lowmem" for watermarks: all but HighMem and Movable. */
export function isLowmemZone(zone: Zone, profile: KernelProfile): boolean {
  return zone.type.name !== 'HighMem' && zone.type.index !== profile.arch.movableZoneIndex;
}

/**
 * `calculate_min_free_kbytes()` (mm/page_alloc.c; v4.8 inline in `init_per_zone_wmark_min()`): the square root of
 * 16 × `lowmemPages` in KiB, clamped to 128 .. 65536 (v4.8) or 128 .. 262144 (v6.18). `lowmemPages` is
 * `nr_free_buffer_pages()` ({@link nrFreeBufferPages}).
 */
export function calculateMinFreeKbytes(lowmemPages: number, profile: KernelProfile): number {
  return Math.min(Math.max(intSqrt(lowmemPages * 4 * 16), 128), profile.minFreeKbytesMax);
}

/**
 * THP's `set_recommended_min_free_kbytes()` (mm/khugepaged.c): 2 free pageblocks per populated lowmem zone, plus 9
 * per zone so that each pcp migratetype has a block to fall back to, capped at 5% of `lowmemPages`
 * (`nr_free_buffer_pages()`), in KiB. min_free_kbytes is raised to it when it is larger.
 */
export function recommendedMinFreeKbytes(zones: readonly Zone[], lowmemPages: number, profile: KernelProfile): number {
  let thpZones = 0;
  for (const zone of zones) if (isLowmemZone(zone, profile) && zone.populated) thpZones++;
  const recommended =
    PAGEBLOCK_NR_PAGES * thpZones * 2 + PAGEBLOCK_NR_PAGES * thpZones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
  return Math.min(recommended, Math.floor(lowmemPages / 20)) * 4;
}

/**
 * `nr_free_buffer_pages()` (`nr_free_zone_pages(gfp_zone(GFP_USER))`): over the lowmem zones, the managed pages
 * above each zone's high watermark (`watermarks`, by zone id; none yet at boot).
 */
export function nrFreeBufferPages(
  zones: readonly Zone[],
  profile: KernelProfile,
  watermarks?: readonly Watermarks[],
): number {
  let pages = 0;
  for (const zone of zones) {
    if (!isLowmemZone(zone, profile)) continue;
    const high = watermarks?.[zone.id]?.high ?? 0;
    if (zone.managedPages > high) pages += zone.managedPages - high;
  }
  return pages;
}

/**
 * `min_free_kbytes` as boot leaves it: `calculate_min_free_kbytes()` over the lowmem zones' managed pages (no
 * watermarks yet), then raised by THP's `set_recommended_min_free_kbytes()` ({@link recommendedMinFreeKbytes}).
 * Both kernels have THP on.
 */
export function minFreeKbytes(zones: readonly Zone[], profile: KernelProfile): number {
  const lowmemPages = nrFreeBufferPages(zones, profile);
  return Math.max(calculateMinFreeKbytes(lowmemPages, profile), recommendedMinFreeKbytes(zones, lowmemPages, profile));
}

/** A zone's watermarks in pages (`zone->_watermark[]`). */
export interface Watermarks {
  min: number;
  low: number;
  high: number;
  promo: number;
}

/** `watermark_scale_factor` default: 10 (0.1% of the zone between watermarks). */
const WATERMARK_SCALE_FACTOR = 10;

/**
 * `__setup_per_zone_wmarks()`: each lowmem zone gets a share of `min_free_kbytes` proportional to its managed pages;
 * HighMem (and in v6.18 Movable) gets managed/1024 clamped to 32 .. 128. low and high add a quarter of min or 0.1%
 * of the zone, whichever is larger.
 */
export function zoneWatermarks(
  zones: readonly Zone[],
  minFreeKbytesValue: number,
  profile: KernelProfile,
): Watermarks[] {
  const pagesMin = minFreeKbytesValue >> 2;
  let lowmemPages = 0;
  for (const zone of zones) if (isLowmemZone(zone, profile)) lowmemPages += zone.managedPages;
  return zones.map((zone) => {
    const share = lowmemPages === 0 ? 0 : Math.floor((pagesMin * zone.managedPages) / lowmemPages);
    const clampedOwn = zone.type.name === 'HighMem' || (profile.era === 'v6' && !isLowmemZone(zone, profile));
    const min = clampedOwn ? Math.min(Math.max(Math.floor(zone.managedPages / 1024), 32), 128) : share;
    const step = Math.max(share >> 2, Math.floor((zone.managedPages * WATERMARK_SCALE_FACTOR) / 10000));
    return { min, low: min + step, high: min + 2 * step, promo: min + 3 * step };
  });
}

/**
 * `sysctl_lowmem_reserve_ratio` defaults by zone type name: DMA and DMA32 keep 1/256 of the memory above them for
 * allocations that can only use them, Normal 1/32; HighMem and Movable nothing.
 */
const LOWMEM_RESERVE_RATIO: Readonly<Record<string, number>> = { DMA: 256, DMA32: 256, Normal: 32 };

/**
 * `setup_per_zone_lowmem_reserve()`: for each zone of a node, the pages it keeps back from an allocation that could
 * have used a higher zone (`protection:` in /proc/zoneinfo), indexed by the allocation's highest zone type.
 */
export function lowmemReserve(nodeZones: readonly Zone[]): number[][] {
  return nodeZones.map((zone, index) => {
    const ratio = LOWMEM_RESERVE_RATIO[zone.type.name] ?? 0;
    const reserve = new Array<number>(nodeZones.length).fill(0);
    if (ratio === 0 || zone.managedPages === 0) return reserve;
    let above = 0;
    for (let upper = index + 1; upper < nodeZones.length; upper++) {
      above += nodeZones[upper]!.managedPages;
      reserve[upper] = Math.floor(above / ratio);
    }
    return reserve;
  });
}
