import type { BuddyAllocator, PageReclaim } from '@mm/buddy';
import type { VmCountersBuilder } from '@mm/physmem';
import { LruList } from './lru-lists';
import type { OomKiller } from './oom-kill';
import type { Vm, VmCallPath } from './vm';

/** `SWAP_CLUSTER_MAX`: pages reclaim isolates and frees at a time. */
const SWAP_CLUSTER_MAX = 32;
/** `DEF_PRIORITY`: reclaim scans `list size >> priority` pages, priority falling from 12 while it falls short. */
const DEF_PRIORITY = 12;
/** `MAX_RECLAIM_RETRIES`: kswapd gives a node up after so many runs without progress (`kswapd_failures`). */
const MAX_RECLAIM_RETRIES = 16;

/** Who reclaims: kswapd, or an allocating task (direct reclaim). Its counters and free path differ. */
type Reclaimer = 'kswapd' | 'direct';

/**
 * Page reclaim (mm/vmscan.c) for the vm's LRU lists: kswapd, woken when an allocation finds the zones below their
 * low watermark, reclaims until a zone of the node is above its high watermark (`balance_pgdat()`); direct reclaim
 * (`try_to_free_pages()`) runs in an allocating task that found nothing above the min watermark. Both shrink the
 * file LRU (`shrink_lruvec()`): the active list is aged when the inactive one is too small (`inactive_is_low()`),
 * then the inactive list is scanned from its tail: pages referenced through their mappings are kept or activated
 * (`folio_check_references()`), dirty ones are activated with PG_reclaim and left to the flusher, clean ones are
 * unmapped, evicted with a shadow entry and freed. The vmstat events are the kernel's (`pgscan_kswapd`,
 * `pgsteal_direct`, `pgrefill`, `allocstall_normal`, `pageoutrun`, ...).
 *
 * Simplifications: no swap (anonymous and tmpfs pages are never reclaimed: SwapTotal is 0, and `get_scan_count()`
 * then scans file pages only), no slab shrinkers, one lruvec per node (no memory cgroup limits); kswapd runs when
 * the simulation lets time pass ({@link runKswapd}), not concurrently.
 */
export class Vmscan implements PageReclaim {
  readonly vm: Vm;
  readonly buddy: BuddyAllocator;
  /** The OOM killer the allocator calls when reclaim makes no progress. */
  oomKiller: OomKiller | undefined;
  /** vmstat events of reclaim, by name. */
  readonly events = new Map<string, number>();
  /**
   * Per node: the order and highest zone index kswapd was woken for (`pgdat->kswapd_order`,
   * `kswapd_highest_zoneidx`), -1 while it sleeps.
   */
  readonly #wantedOrder: Int8Array;
  readonly #wantedZone: Int8Array;
  /** Per node: `kswapd_failures`. */
  readonly #failures: number[];
  /** Scratch for the pages isolated from a list (`isolate_lru_folios()`). */
  readonly #batch = new Float64Array(SWAP_CLUSTER_MAX);

  constructor(vm: Vm, buddy: BuddyAllocator) {
    this.vm = vm;
    this.buddy = buddy;
    const nodes = vm.memory.nodes.length;
    this.#failures = new Array<number>(nodes).fill(0);
    this.#wantedOrder = new Int8Array(nodes).fill(-1);
    this.#wantedZone = new Int8Array(nodes).fill(-1);
  }

  #count(event: string, amount = 1): void {
    if (amount !== 0) this.events.set(event, (this.events.get(event) ?? 0) + amount);
  }

  /** `wakeup_kswapd()` for every node: kswapd will balance them when it runs. */
  wakeKswapd(order: number, zoneIndex: number): void {
    for (let node = 0; node < this.#wantedOrder.length; node++) {
      // A node kswapd gave up on stays asleep until something frees memory there (`kswapd_failures`).
      if (this.#failures[node]! >= MAX_RECLAIM_RETRIES) continue;
      if (order > this.#wantedOrder[node]!) this.#wantedOrder[node] = order;
      if (zoneIndex > this.#wantedZone[node]!) this.#wantedZone[node] = zoneIndex;
    }
  }

  /** Whether kswapd gave the node up (`kswapd_failures >= MAX_RECLAIM_RETRIES`: zoneinfo's `node_unreclaimable`). */
  nodeUnreclaimable(node: number): boolean {
    return (this.#failures[node] ?? 0) >= MAX_RECLAIM_RETRIES;
  }

  /** Whether kswapd has been woken and not yet run. */
  get kswapdPending(): boolean {
    return this.#wantedOrder.some((order) => order >= 0);
  }

  /**
   * kswapd's run (`kswapd()` → `balance_pgdat()`) on each node it was woken for, as `kswapdN`: reclaims until the
   * node is balanced (a zone up to the waking request's highest zone above its high watermark) or no priority
   * helps. Returns the pages reclaimed.
   */
  runKswapd(): number {
    let reclaimed = 0;
    for (let node = 0; node < this.#wantedOrder.length; node++) {
      const order = this.#wantedOrder[node]!;
      const zone = this.#wantedZone[node]!;
      if (order < 0) continue;
      this.#wantedOrder[node] = -1;
      this.#wantedZone[node] = -1;
      const task = { pid: KSWAPD_PID + node, tgid: KSWAPD_PID + node, comm: `kswapd${node}` };
      reclaimed += this.vm.memory.current.runAs(task, () => this.#balancePgdat(node, order, zone));
    }
    return reclaimed;
  }

  /** `pgdat_balanced()`: a managed zone of the node up to `highestZone` is above its high watermark. */
  #balanced(node: number, order: number, highestZone: number): boolean {
    for (const zone of this.buddy.zones) {
      const { zone: geometry } = zone;
      if (geometry.node !== node || geometry.type.index > highestZone || geometry.managedPages === 0) continue;
      if (this.buddy.zoneWatermarkOk(zone, order, 'high', highestZone)) return true;
    }
    return false;
  }

  #balancePgdat(node: number, order: number, highestZone: number): number {
    this.#count('pageoutrun');
    if (this.#balanced(node, order, highestZone)) {
      this.#count('kswapd_high_wmark_hit_quickly');
      return 0;
    }
    let reclaimed = 0;
    for (let priority = DEF_PRIORITY; priority >= 1; priority--) {
      // Reclaim what the zones lack up to their high watermark (`kswapd_shrink_node()`: nr_to_reclaim).
      let wanting = 0;
      for (const zone of this.buddy.zones) {
        if (zone.zone.node !== node || zone.zone.type.index > highestZone) continue;
        wanting += Math.max(0, zone.watermark.high - zone.freePages);
      }
      const freed = this.#shrinkNode(node, Math.max(SWAP_CLUSTER_MAX, wanting), priority, 'kswapd');
      reclaimed += freed;
      if (this.#balanced(node, order, highestZone)) break;
    }
    if (reclaimed === 0) this.#failures[node]!++;
    else this.#failures[node] = 0;
    return reclaimed;
  }

  /**
   * `try_to_free_pages()`: direct reclaim for an allocation, in the allocating task, on the node of its CPU, at
   * falling priorities until `max(SWAP_CLUSTER_MAX, 2^order)` pages are freed. Counts `allocstall_<zone>`.
   */
  directReclaim(_gfp: number, order: number, zoneIndex: number): number {
    const { memory } = this.vm;
    const zoneName = memory.nodes[0]!.zones[zoneIndex]?.type.name ?? 'Normal';
    this.#count(`allocstall_${zoneName.toLowerCase()}`);
    const node = this.buddy.nodeOfCpu(memory.current.cpu);
    const target = Math.max(SWAP_CLUSTER_MAX, 2 ** order);
    let reclaimed = 0;
    for (let priority = DEF_PRIORITY; priority >= 0 && reclaimed < target; priority--) {
      reclaimed += this.#shrinkNode(node, target - reclaimed, priority, 'direct');
    }
    // Memory freed on a node kswapd had given up on wakes it again.
    if (reclaimed > 0) this.#failures[node] = 0;
    return reclaimed;
  }

  /** `out_of_memory()`: handed to the OOM killer. */
  outOfMemory(gfp: number, order: number): boolean {
    return this.oomKiller?.outOfMemory(gfp, order) ?? false;
  }

  /**
   * `shrink_lruvec()` for the file lists of a node: up to `inactive >> priority` pages scanned (at least a batch),
   * the active list aged first when the inactive one is low. Returns the pages reclaimed.
   */
  #shrinkNode(node: number, toReclaim: number, priority: number, who: Reclaimer): number {
    const lists = this.vm.lruLists;
    const inactive = lists.size(node, LruList.inactive_file);
    const active = lists.size(node, LruList.active_file);
    if (inactiveIsLow(inactive, active)) this.#shrinkActiveList(node, Math.max(SWAP_CLUSTER_MAX, active >> priority));
    let toScan = Math.max(SWAP_CLUSTER_MAX, lists.size(node, LruList.inactive_file) >> priority);
    let reclaimed = 0;
    while (toScan > 0 && reclaimed < toReclaim && lists.size(node, LruList.inactive_file) > 0) {
      const batch = Math.min(SWAP_CLUSTER_MAX, toScan);
      const [scanned, freed] = this.#shrinkInactiveList(node, batch, who);
      if (scanned === 0) break;
      toScan -= scanned;
      reclaimed += freed;
    }
    return reclaimed;
  }

  /** Isolates up to `count` pages from the tail of a list into the batch scratch; returns how many. */
  #isolate(node: number, list: LruList, count: number): number {
    const lists = this.vm.lruLists;
    let isolated = 0;
    for (let pfn = lists.tail(node, list); pfn >= 0 && isolated < count; pfn = lists.newer(pfn)) {
      this.#batch[isolated++] = pfn;
    }
    return isolated;
  }

  /**
   * `shrink_active_list()`: pages from the active list's tail go to the inactive list, except file pages referenced
   * through an executable mapping, which stay active (their accessed bits are cleared either way). `pgrefill`.
   */
  #shrinkActiveList(node: number, count: number): void {
    const { vm } = this;
    let done = 0;
    while (done < count) {
      const isolated = this.#isolate(node, LruList.active_file, Math.min(SWAP_CLUSTER_MAX, count - done));
      if (isolated === 0) break;
      for (let index = 0; index < isolated; index++) {
        const pfn = this.#batch[index]!;
        if (vm.pageReferenced(pfn) > 0 && vm.mappedExecutable(pfn)) vm.rotatePage(pfn);
        else vm.deactivatePage(pfn);
      }
      done += isolated;
      this.#count('pgrefill', isolated);
    }
  }

  /** `shrink_inactive_list()` of one batch; returns [scanned, reclaimed]. */
  #shrinkInactiveList(node: number, count: number, who: Reclaimer): [number, number] {
    const { vm } = this;
    const { memory } = vm;
    const referencedBit = memory.profile.pageFlags.bit.referenced;
    const reclaimBit = memory.profile.pageFlags.bit.reclaim;
    const path: VmCallPath = who === 'kswapd' ? 'cacheFree' : 'directReclaimFree';
    const isolated = this.#isolate(node, LruList.inactive_file, count);
    let reclaimed = 0;
    for (let index = 0; index < isolated; index++) {
      const pfn = this.#batch[index]!;
      // folio_check_references()
      const referencedPtes = vm.pageReferenced(pfn);
      const referencedPage = memory.testPageFlag(pfn, referencedBit);
      memory.clearPageFlag(pfn, referencedBit);
      if (referencedPtes > 0) {
        memory.setPageFlag(pfn, referencedBit);
        if (referencedPage || referencedPtes > 1 || vm.mappedExecutable(pfn)) vm.activatePage(pfn);
        else vm.rotatePage(pfn);
        continue;
      }
      const result = vm.reclaimFilePage(pfn, path);
      if (result === 'reclaimed') reclaimed++;
      else if (result === 'dirty') {
        // A dirty page is left to the flusher: PG_reclaim, and back to the active list (`activate_locked`).
        memory.setPageFlag(pfn, reclaimBit);
        vm.activatePage(pfn);
      } else vm.rotatePage(pfn);
    }
    this.#count(`pgscan_${who}`, isolated);
    this.#count(`pgsteal_${who}`, reclaimed);
    if (memory.profile.era === 'v6') {
      this.#count('pgscan_file', isolated);
      this.#count('pgsteal_file', reclaimed);
    }
    return [isolated, reclaimed];
  }

  /** Adds reclaim's events to `counters`. */
  addCounters(counters: VmCountersBuilder): void {
    for (const [name, value] of this.events) counters.addEvent(name, value);
  }
}

/** kswapd0's pid: it starts early in boot, after the first kernel threads. */
const KSWAPD_PID = 70;

/**
 * `inactive_is_low()` for the file lists: the inactive list is low when it times `int_sqrt(10 * GiB of the two
 * lists)` (1 below 1 GiB) is smaller than the active list.
 */
export function inactiveIsLow(inactive: number, active: number): boolean {
  const gib = Math.floor((inactive + active) / 262144);
  const ratio = gib > 0 ? Math.floor(Math.sqrt(10 * gib)) : 1;
  return inactive * ratio < active;
}
