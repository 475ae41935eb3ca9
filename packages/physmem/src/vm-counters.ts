/**
 * The kernel's memory counters at one moment (mm/vmstat.c): the `zone_stat_item`s of each zone, the
 * `node_stat_item`s of each node and the `vm_event_item`s, each under the name /proc/vmstat prints it
 * (`nr_free_pages`, `nr_inactive_file`, `pgfault`), with the value /proc/vmstat prints (pages; kB for
 * `nr_kernel_stack`, as the kernel keeps it). Every part of a machine adds what it counts (the allocator its free
 * pages, the vm its LRU lists and faults, reclaim its scans); a name nobody counts reads 0, as a counter the
 * kernel never moved.
 */
export interface VmCounters {
  /** One entry per zone of the machine, in `PhysicalMemory.zones` order (node-major, then zone type). */
  readonly zones: readonly ReadonlyMap<string, number>[];
  /** One entry per node, by node id. */
  readonly nodes: readonly ReadonlyMap<string, number>[];
  /** The events (`pgalloc_normal`, `pgfree`, `pgscan_kswapd`, ...), summed over the CPUs. */
  readonly events: ReadonlyMap<string, number>;
}

/** A {@link VmCounters} being gathered: each part of the machine adds its counts. */
export class VmCountersBuilder implements VmCounters {
  readonly zones: Map<string, number>[];
  readonly nodes: Map<string, number>[];
  readonly events = new Map<string, number>();

  constructor(zoneCount: number, nodeCount: number) {
    this.zones = Array.from({ length: zoneCount }, () => new Map<string, number>());
    this.nodes = Array.from({ length: nodeCount }, () => new Map<string, number>());
  }

  /** Adds to a `zone_stat_item` of the zone with index `zone`. */
  addZone(zone: number, item: string, value: number): void {
    const items = this.zones[zone]!;
    items.set(item, (items.get(item) ?? 0) + value);
  }

  /** Adds to a `node_stat_item` of node `node`. */
  addNode(node: number, item: string, value: number): void {
    const items = this.nodes[node]!;
    items.set(item, (items.get(item) ?? 0) + value);
  }

  /** Adds to a `vm_event_item`. */
  addEvent(item: string, value: number): void {
    this.events.set(item, (this.events.get(item) ?? 0) + value);
  }
}

/** A zone item's value (0 when nobody counts it). */
export function zoneCounter(counters: VmCounters, zone: number, item: string): number {
  return counters.zones[zone]?.get(item) ?? 0;
}

/** A node item's value (0 when nobody counts it). */
export function nodeCounter(counters: VmCounters, node: number, item: string): number {
  return counters.nodes[node]?.get(item) ?? 0;
}

/** A zone item summed over every zone (`global_zone_page_state()`). */
export function globalZoneCounter(counters: VmCounters, item: string): number {
  let sum = 0;
  for (const zone of counters.zones) sum += zone.get(item) ?? 0;
  return sum;
}

/** A node item summed over every node (`global_node_page_state()`). */
export function globalNodeCounter(counters: VmCounters, item: string): number {
  let sum = 0;
  for (const node of counters.nodes) sum += node.get(item) ?? 0;
  return sum;
}

/** An event's value (0 when nobody counts it). */
export function eventCounter(counters: VmCounters, item: string): number {
  return counters.events.get(item) ?? 0;
}
