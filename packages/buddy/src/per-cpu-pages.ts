import { type KernelProfile, PAGE_ALLOC_COSTLY_ORDER } from '@mm/physmem';
import { HotPath } from './hot-path-constants';

/** Lists for orders 0..PAGE_ALLOC_COSTLY_ORDER, one per pcp migratetype each (`NR_LOWORDER_PCP_LISTS`). */
const NR_LOWORDER_PCP_LISTS = HotPath.MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);

/** `NR_PCP_LISTS`: v4.8 has one list per pcp migratetype; v6.18 adds the low orders and two THP lists. */
export function pcpListCount(profile: KernelProfile): number {
  if (profile.pcpMaxOrder === 0) return HotPath.MIGRATE_PCPTYPES;
  return NR_LOWORDER_PCP_LISTS + (profile.pcpThpOrder ? 2 : 0);
}

/**
 * `pcp_allowed_order()`: orders that go through the per-CPU lists. v4.8: order 0 only. v6.18: up to
 * PAGE_ALLOC_COSTLY_ORDER, and the THP order (pageblock_order).
 */
export function pcpAllowedOrder(order: number, profile: KernelProfile): boolean {
  return order <= profile.pcpMaxOrder || (profile.pcpThpOrder && order === HotPath.PAGEBLOCK_ORDER);
}

/**
 * `order_to_pindex()`: the per-CPU list of an order and migratetype. v6.18 keeps THP-order pages on two lists
 * (movable or not) after the low-order ones.
 */
export function orderToPindex(migratetype: number, order: number): number {
  if (order > PAGE_ALLOC_COSTLY_ORDER) return NR_LOWORDER_PCP_LISTS + (migratetype === 1 ? 1 : 0);
  return HotPath.MIGRATE_PCPTYPES * order + migratetype;
}

/** The order of a per-CPU list index (inverse of {@link orderToPindex}). */
export function pindexToOrder(pindex: number): number {
  return pindex >= NR_LOWORDER_PCP_LISTS ? HotPath.PAGEBLOCK_ORDER : Math.floor(pindex / HotPath.MIGRATE_PCPTYPES);
}

function roundDownPowerOfTwo(value: number): number {
  return 2 ** Math.floor(Math.log2(value));
}

/**
 * `zone_batchsize()`: pages moved between a zone and a per-CPU list at a time, about 0.1% of the zone but at most
 * 512 KiB (v4.8) or 1 MiB (v6.18) divided by 4, rounded to 2^n - 1.
 */
export function zoneBatchsize(managedPages: number, profile: KernelProfile): number {
  const cap = profile.era === 'v6' ? 256 : 128;
  let batch = Math.min(Math.floor(managedPages / 1024), cap);
  batch = Math.floor(batch / 4);
  if (batch < 1) batch = 1;
  return roundDownPowerOfTwo(batch + Math.floor(batch / 2)) - 1;
}

/**
 * `zone_highsize()` (v6.18): the most pages a CPU keeps, the zone's low watermark (or managed / fraction) split
 * across the CPUs of the zone's node (plus one being brought up), at least 4 batches.
 */
export function zoneHighsize(total: number, cpusOfNode: number, batch: number): number {
  return Math.max(Math.floor(total / Math.max(cpusOfNode, 1)), batch << 2);
}
