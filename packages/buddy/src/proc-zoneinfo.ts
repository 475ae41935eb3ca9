import { type KernelProfile, nodeCounter, type VmCounters, zoneCounter } from '@mm/physmem';
import { vmstatItems } from './proc-vmstat';

/** One CPU's per-CPU page list of a zone (`struct per_cpu_pages`), as /proc/zoneinfo prints it under `pagesets`. */
export interface ZoneinfoPageset {
  /** `pcp->count`: pages on the CPU's lists. */
  readonly count: number;
  /** `pcp->high`: the level above which the CPU gives pages back (v6.18: the current, auto-tuned value). */
  readonly high: number;
  /** `pcp->batch`: pages moved at a time. */
  readonly batch: number;
  /** v6.18 `pcp->high_min`: the floor of `high`'s tuning. Default 0. */
  readonly highMin?: number;
  /** v6.18 `pcp->high_max`: the ceiling of `high`'s tuning. Default 0. */
  readonly highMax?: number;
}

/** A zone's watermarks as the `*_wmark_pages()` helpers return them (v6.18: `watermark_boost` included). */
export interface ZoneinfoWatermarks {
  readonly min: number;
  readonly low: number;
  readonly high: number;
  /** v6.18 `promo_wmark_pages()`. Default 0. */
  readonly promo?: number;
}

/**
 * What /proc/zoneinfo shows of one zone besides its counters (`struct zone`, include/linux/mmzone.h). Pass every
 * zone of the machine, unpopulated ones included, in `PhysicalMemory.zones` order (node-major, then zone type):
 * the same order as `VmCounters.zones`, whose entry of the same index gives the zone's items.
 */
export interface ZoneinfoZone {
  readonly node: number;
  /** `zone->name`: `DMA`, `DMA32`, `Normal`, `HighMem`, `Movable`, `Device`. */
  readonly name: string;
  readonly watermark: ZoneinfoWatermarks;
  /** v6.18 `zone->watermark_boost`. Default 0. */
  readonly boost?: number;
  /** `spanned_pages`. */
  readonly spanned: number;
  /** `present_pages`; a zone with none is unpopulated (`populated_zone()`). */
  readonly present: number;
  /** `zone_managed_pages()`. */
  readonly managed: number;
  /** v6.18 `zone_cma_pages()`: 0 without CONFIG_CMA. Default 0. */
  readonly cma?: number;
  /** `lowmem_reserve[]`, one per zone type of the node (`protection:`). */
  readonly lowmemReserve: readonly number[];
  /** One per online CPU, by CPU id. */
  readonly pagesets: readonly ZoneinfoPageset[];
  /** The per-CPU `stat_threshold` (the same on every CPU: `refresh_zone_stat_thresholds()`). */
  readonly statThreshold: number;
  /** `zone_start_pfn`. */
  readonly startPfn: number;
  /** The node's `kswapd_failures >= MAX_RECLAIM_RETRIES` (v6.18) or `!pgdat_reclaimable()` (v4.8). Default false. */
  readonly nodeUnreclaimable?: boolean;
}

/** `is_zone_first_populated()`: whether `zones[index]` is the first populated zone of its node. */
function isFirstPopulated(zones: readonly ZoneinfoZone[], index: number): boolean {
  const zone = zones[index]!;
  const first = zones.findIndex((other) => other.node === zone.node && other.present > 0);
  return first === index;
}

function itemLine(name: string, value: number): string {
  return `\n      ${name.padEnd(12)} ${value}`;
}

function protection(zone: ZoneinfoZone): string {
  return `\n        protection: (${zone.lowmemReserve.join(', ')})`;
}

/** The `per-node stats` block printed before a node's first populated zone (both eras). */
function nodeStats(profile: KernelProfile, counters: VmCounters, node: number): string {
  let text = '\n  per-node stats';
  for (const name of vmstatItems(profile).node) text += itemLine(name, nodeCounter(counters, node, name));
  return text;
}

/** v6.18 mm/vmstat.c `zoneinfo_show_print()` (lines 1761-1854) for one zone. */
function zoneV6(profile: KernelProfile, zones: readonly ZoneinfoZone[], index: number, counters: VmCounters): string {
  const zone = zones[index]!;
  const items = vmstatItems(profile);
  let text = `Node ${zone.node}, zone ${zone.name.padStart(8)}`;
  if (isFirstPopulated(zones, index)) text += nodeStats(profile, counters, zone.node);
  text +=
    `\n  pages free     ${zoneCounter(counters, index, 'nr_free_pages')}` +
    `\n        boost    ${zone.boost ?? 0}` +
    `\n        min      ${zone.watermark.min}` +
    `\n        low      ${zone.watermark.low}` +
    `\n        high     ${zone.watermark.high}` +
    `\n        promo    ${zone.watermark.promo ?? 0}` +
    `\n        spanned  ${zone.spanned}` +
    `\n        present  ${zone.present}` +
    `\n        managed  ${zone.managed}` +
    `\n        cma      ${zone.cma ?? 0}`;
  text += protection(zone);
  if (zone.present === 0) return `${text}\n`;
  for (const name of [...items.zone, ...items.numa]) text += itemLine(name, zoneCounter(counters, index, name));
  text += '\n  pagesets';
  zone.pagesets.forEach((pageset, cpu) => {
    text +=
      `\n    cpu: ${cpu}` +
      `\n              count:    ${pageset.count}` +
      `\n              high:     ${pageset.high}` +
      `\n              batch:    ${pageset.batch}` +
      `\n              high_min: ${pageset.highMin ?? 0}` +
      `\n              high_max: ${pageset.highMax ?? 0}` +
      `\n  vm stats threshold: ${zone.statThreshold}`;
  });
  text += `\n  node_unreclaimable:  ${zone.nodeUnreclaimable ? 1 : 0}\n  start_pfn:           ${zone.startPfn}\n`;
  return text;
}

/** v4.8 mm/vmstat.c `zoneinfo_show_print()` (lines 1437-1506) for one (populated) zone. */
function zoneV4(profile: KernelProfile, zones: readonly ZoneinfoZone[], index: number, counters: VmCounters): string {
  const zone = zones[index]!;
  const items = vmstatItems(profile);
  let text = `Node ${zone.node}, zone ${zone.name.padStart(8)}`;
  if (isFirstPopulated(zones, index)) text += nodeStats(profile, counters, zone.node);
  text +=
    `\n  pages free     ${zoneCounter(counters, index, 'nr_free_pages')}` +
    `\n        min      ${zone.watermark.min}` +
    `\n        low      ${zone.watermark.low}` +
    `\n        high     ${zone.watermark.high}` +
    `\n   node_scanned  ${nodeCounter(counters, zone.node, 'nr_pages_scanned')}` +
    `\n        spanned  ${zone.spanned}` +
    `\n        present  ${zone.present}` +
    `\n        managed  ${zone.managed}`;
  for (const name of items.zone) text += itemLine(name, zoneCounter(counters, index, name));
  text += `${protection(zone)}\n  pagesets`;
  zone.pagesets.forEach((pageset, cpu) => {
    text +=
      `\n    cpu: ${cpu}` +
      `\n              count: ${pageset.count}` +
      `\n              high:  ${pageset.high}` +
      `\n              batch: ${pageset.batch}` +
      `\n  vm stats threshold: ${zone.statThreshold}`;
  });
  // pgdat->inactive_ratio is declared in v4.8's pglist_data but nothing assigns it: it always reads 0.
  text +=
    `\n  node_unreclaimable:  ${zone.nodeUnreclaimable ? 1 : 0}` +
    `\n  start_pfn:           ${zone.startPfn}` +
    '\n  node_inactive_ratio: 0\n';
  return text;
}

/**
 * `/proc/zoneinfo` (mm/vmstat.c `zoneinfo_show()` → `zoneinfo_show_print()`), node by node, zone by zone:
 * `Node N, zone %8s`, the node's `per-node stats` before its first populated zone, the free pages, watermarks and
 * sizes, the zone's counters (`%-12s %lu`), `protection:` (lowmem_reserve), the per-CPU pagesets and the node's
 * reclaim state. The era decides the rest:
 * - v6.18 prints every zone (`zoneinfo_show()`, lines 1856-1866: lowmem_reserve_ratio works on all of them); an
 *   unpopulated zone stops after `protection:`. Watermarks include `boost` and `promo`, `cma` follows `managed`,
 *   the counters (zone items, then the NUMA events) come after `protection:`, and each pageset shows
 *   `high_min`/`high_max`.
 * - v4.8 (and v4.7) skips unpopulated zones (`walk_zones_in_node()`), prints `node_scanned` (the node's
 *   `nr_pages_scanned`) after the watermarks and the zone counters (NUMA included) before `protection:`, and ends
 *   with `node_inactive_ratio: 0`.
 * `pages free` and the items come from `counters` (`zones[i]` ↔ `counters.zones[i]`, nodes by id), the rest from
 * `zones`. A CONFIG_SMP kernel is assumed (`vm stats threshold:` after each CPU).
 */
export function formatZoneinfo(profile: KernelProfile, zones: readonly ZoneinfoZone[], counters: VmCounters): string {
  let text = '';
  for (let index = 0; index < zones.length; index++) {
    if (profile.era === 'v6') text += zoneV6(profile, zones, index, counters);
    else if (zones[index]!.present > 0) text += zoneV4(profile, zones, index, counters);
  }
  return text;
}
